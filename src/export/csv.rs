//! The small CSV dialect of the export files (RFC 4180 quoting): a section of `key,value` rows,
//! a blank line, then a table whose first row names its columns.
//!
//! A spreadsheet opens it as it is; reading accepts what a spreadsheet writes back (a UTF-8 byte
//! order mark, CRLF line ends, quoted fields).

use super::{CsvProblem, ExportError};

/// A parsed file: the `key,value` rows before the first blank line and the table after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sections {
    /// `(key, value, line)` in file order; `line` counts from 1.
    pub meta: Vec<(String, String, usize)>,
    /// The table's column names (its first row), empty when the file has no table.
    pub header: Vec<String>,
    /// The line of the table's header; 0 when the file has no table.
    pub header_line: usize,
    /// The table's rows with their line numbers.
    pub rows: Vec<(Vec<String>, usize)>,
}

impl Sections {
    /// The value of the meta row `key`, or an error naming the missing row.
    pub fn meta_value(&self, key: &str) -> Result<&str, ExportError> {
        self.meta
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
            .ok_or_else(|| ExportError::Missing(key.to_owned()))
    }

    /// Checks that the table's header is exactly `columns`, in that order: the rows are read by
    /// position, so a header in another order would put every value in the wrong field.
    pub fn expect_header(&self, columns: &[&str]) -> Result<(), ExportError> {
        if self.header.is_empty() {
            return Err(ExportError::NoTable);
        }
        if self.header != columns {
            return Err(ExportError::Csv(
                self.header_line,
                CsvProblem::Header(columns.join(",")),
            ));
        }
        Ok(())
    }
}

/// One field, quoted when it holds a comma, a quote or a line break.
pub fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// One line of fields, ended by `\n`.
pub fn line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = fields
        .iter()
        .map(|f| field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    out
}

/// Splits a file into its meta rows and its table. Every meta row must have exactly two fields,
/// every table row as many as the header.
pub fn parse(text: &str) -> Result<Sections, ExportError> {
    let records = records(text.trim_start_matches('\u{feff}'))?;
    let mut sections = Sections {
        meta: Vec::new(),
        header: Vec::new(),
        header_line: 0,
        rows: Vec::new(),
    };
    let mut in_table = false;
    for (fields, line) in records {
        let blank = fields.len() == 1 && fields[0].trim().is_empty();
        if blank {
            in_table = true;
            continue;
        }
        if !in_table {
            let [key, value] = <[String; 2]>::try_from(fields)
                .map_err(|f| ExportError::Csv(line, CsvProblem::MetaFields(f.len())))?;
            sections.meta.push((key.trim().to_owned(), value, line));
        } else if sections.header.is_empty() {
            sections.header = fields.into_iter().map(|f| f.trim().to_owned()).collect();
            sections.header_line = line;
        } else if fields.len() != sections.header.len() {
            return Err(ExportError::Csv(
                line,
                CsvProblem::RowFields {
                    expected: sections.header.len(),
                    found: fields.len(),
                },
            ));
        } else {
            sections.rows.push((fields, line));
        }
    }
    Ok(sections)
}

/// Splits text into records of fields, honouring quotes; each record carries the line it
/// starts on. A trailing line break does not make an empty record.
fn records(text: &str) -> Result<Vec<(Vec<String>, usize)>, ExportError> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut line = 1;
    let mut start_line = 1;
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut pending = false;
    while let Some(c) = chars.next() {
        pending = true;
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    current.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    current.push(c);
                }
                _ => current.push(c),
            }
            continue;
        }
        match c {
            '"' if current.is_empty() => quoted = true,
            '"' => {
                return Err(ExportError::Csv(line, CsvProblem::QuoteInside));
            }
            ',' => fields.push(std::mem::take(&mut current)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                fields.push(std::mem::take(&mut current));
                out.push((std::mem::take(&mut fields), start_line));
                line += 1;
                start_line = line;
                pending = false;
            }
            _ => current.push(c),
        }
    }
    if quoted {
        return Err(ExportError::Csv(start_line, CsvProblem::QuoteOpen));
    }
    if pending {
        fields.push(current);
        out.push((fields, start_line));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_round_trip() {
        let awkward = ["plain", "a, b", "say \"hi\"", "two\nlines", ""];
        let text = line(&awkward);
        let parsed = records(&text).unwrap();
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].0, awkward);
    }

    #[test]
    fn crlf_and_a_byte_order_mark_are_read() {
        let sections = parse("\u{feff}format,x\r\nkind,run\r\n\r\na,b\r\n1,2\r\n").unwrap();
        assert_eq!(sections.meta_value("kind").unwrap(), "run");
        assert_eq!(sections.header, ["a", "b"]);
        assert_eq!(
            sections.rows,
            vec![(vec!["1".to_owned(), "2".to_owned()], 5)]
        );
    }

    #[test]
    fn ragged_rows_name_their_line() {
        let err = parse("format,x\n\na,b\n1,2,3\n").unwrap_err();
        assert_eq!(
            err,
            ExportError::Csv(
                4,
                CsvProblem::RowFields {
                    expected: 2,
                    found: 3
                }
            )
        );
        let err = parse("format\n").unwrap_err();
        assert!(matches!(err, ExportError::Csv(1, _)), "{err}");
        let err = parse("format,\"open\n").unwrap_err();
        assert!(matches!(err, ExportError::Csv(1, _)), "{err}");
    }
}
