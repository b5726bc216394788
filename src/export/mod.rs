//! Results a reader keeps: a training run and the calculators' state, written as JSON or CSV and
//! read back. No web dependency, so the formats are tested natively; the page (`ui::keep`)
//! only downloads the text and hands an uploaded file to [`read`].
//!
//! Every file starts with its format name, its kind (`run` or `calculator`) and a version, so a
//! wrong file is refused with a message that says what it is. JSON:
//!
//! ```json
//! {"format": "price-war-lab", "kind": "calculator", "version": 1,
//!  "inputs": {"training-params": "7e10", "serving-gpus": "8"}}
//! ```
//!
//! CSV: the same `name,value` rows, a blank line, then a table (a run's epochs, or the inputs).

mod calculator;
pub mod csv;
mod run;

pub use calculator::CalculatorState;
pub use run::{MAX_EPOCH_TIME_S, MAX_SAMPLES_PER_S, RunRecord};

use serde_json::Value;
use thiserror::Error;

/// The `format` every export file names.
pub const FORMAT: &str = "price-war-lab";

/// The version this code writes and reads.
pub const VERSION: u32 = 1;

/// Largest file [`read`] accepts, in bytes; a real export is a few kilobytes.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// Longest input name and value in a calculator file, in characters.
pub const MAX_KEY_CHARS: usize = 64;
pub const MAX_VALUE_CHARS: usize = 100;

/// Devices a run may have been asked for, as the trainer's `<select>` names them.
pub const DEVICE_CHOICES: [&str; 3] = ["auto", "gpu", "cpu"];

/// Why a file cannot be imported. `Display` is the English message; [`ExportError::message_zh`]
/// the Chinese one.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ExportError {
    #[error("The file is empty")]
    Empty,
    #[error("The file is {0} bytes; an export is at most 1 MiB")]
    TooLarge(usize),
    #[error("This is not a Price War Lab export: {0}")]
    NotAnExport(Shape),
    #[error("{}", json_en(.problem, .detail))]
    Json {
        problem: JsonProblem,
        line: usize,
        column: usize,
        detail: String,
    },
    #[error("CSV line {0}: {1}")]
    Csv(usize, CsvProblem),
    #[error(
        "The CSV file has no table: a blank line, then a header row, should follow the name, value rows"
    )]
    NoTable,
    #[error("This is not a Price War Lab export: its format is '{0}', expected '{FORMAT}'")]
    NotOurs(String),
    #[error("Unknown kind '{0}': expected 'run' or 'calculator'")]
    UnknownKind(String),
    #[error("Version {0} is not supported; this page reads version {VERSION}")]
    Version(String),
    #[error("'{0}' is missing")]
    Missing(String),
    #[error("'{field}'{} has the value '{value}', which is not allowed: {why}", line_en(.line))]
    Invalid {
        field: String,
        line: Option<usize>,
        value: String,
        why: Why,
    },
    #[error("The run has no finished epoch: there is nothing to keep")]
    NoEpochs,
    #[error("The input '{0}' appears twice")]
    Duplicate(String),
    #[error("This page has no input named '{0}'")]
    UnknownInput(String),
}

/// What a file that is not an export looks like, for [`ExportError::NotAnExport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Shape {
    #[error("the file is not text (an export is a JSON or CSV text file)")]
    Binary,
    #[error("it is a JSON array; an export is a JSON object with format, kind and version")]
    JsonArray,
    #[error("it is neither a JSON object nor a CSV file whose first row is format,{FORMAT}")]
    NoFormatRow,
}

impl Shape {
    fn zh(self) -> String {
        match self {
            Self::Binary => "这不是文本文件，导出文件是 JSON 或 CSV 文本".to_owned(),
            Self::JsonArray => {
                "这是一个 JSON 数组，而导出文件是带有 format、kind 和 version 的 JSON 对象"
                    .to_owned()
            }
            Self::NoFormatRow => {
                format!("它既不是 JSON 对象，也不是第一行为“format,{FORMAT}”的 CSV 文件")
            }
        }
    }
}

/// What kind of JSON error [`ExportError::Json`] is, after serde_json's categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonProblem {
    /// Not JSON at that place.
    Syntax,
    /// The text ends in the middle of a value.
    Eof,
    /// Well-formed JSON with a value of the wrong type, or a field missing.
    Data,
}

fn json_en(problem: &JsonProblem, detail: &str) -> String {
    match problem {
        JsonProblem::Syntax | JsonProblem::Eof => format!("The file is not valid JSON: {detail}"),
        JsonProblem::Data => format!("The file's JSON does not fit an export: {detail}"),
    }
}

fn line_en(line: &Option<usize>) -> String {
    line.map(|l| format!(" (line {l})")).unwrap_or_default()
}

impl ExportError {
    /// A serde_json error, with its place and kind kept for the Chinese message.
    pub(crate) fn json(e: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        let problem = match e.classify() {
            Category::Eof => JsonProblem::Eof,
            Category::Data => JsonProblem::Data,
            Category::Syntax | Category::Io => JsonProblem::Syntax,
        };
        Self::Json {
            problem,
            line: e.line(),
            column: e.column(),
            detail: e.to_string(),
        }
    }

    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::Empty => "文件是空的".to_owned(),
            Self::TooLarge(n) => format!("文件有 {n} 字节，而导出文件最大为 1 MiB"),
            Self::NotAnExport(shape) => format!("这不是价格战实验室的导出文件：{}", shape.zh()),
            Self::Json {
                problem,
                line,
                column,
                detail,
            } => match problem {
                JsonProblem::Syntax => {
                    format!("文件不是有效的 JSON：第 {line} 行第 {column} 列有语法错误")
                }
                JsonProblem::Eof => format!("JSON 文件不完整，在第 {line} 行第 {column} 列中断"),
                JsonProblem::Data => match missing_field(detail) {
                    Some(name) => format!("文件缺少字段“{name}”（第 {line} 行第 {column} 列）"),
                    None => format!("文件第 {line} 行第 {column} 列的值类型不对"),
                },
            },
            Self::Csv(line, problem) => format!("CSV 第 {line} 行有误：{}", problem.zh()),
            Self::NoTable => {
                "CSV 文件里没有表格：名称、值各行之后应有一个空行，再接表头".to_owned()
            }
            Self::NotOurs(f) => {
                format!("这不是价格战实验室的导出文件：它的 format 是“{f}”，应为“{FORMAT}”")
            }
            Self::UnknownKind(k) => format!("无法识别的类型“{k}”，应为 run 或 calculator"),
            Self::Version(v) => format!("不支持版本 {v}，本页只能读取版本 {VERSION}"),
            Self::Missing(f) => format!("文件缺少“{f}”一项"),
            Self::Invalid {
                field,
                line,
                value,
                why,
            } => {
                let at = line.map(|l| format!("（第 {l} 行）")).unwrap_or_default();
                format!("“{field}”{at}的值“{value}”不可用：{}", why.zh)
            }
            Self::NoEpochs => "这次训练没有跑完任何一轮，没有可以保存的内容".to_owned(),
            Self::Duplicate(k) => format!("输入项“{k}”出现了两次"),
            Self::UnknownInput(k) => format!("本页没有名为“{k}”的输入项"),
        }
    }
}

/// The field a serde_json "missing field `name`" message names.
fn missing_field(detail: &str) -> Option<&str> {
    let rest = detail.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// Why a value is refused, in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Why {
    pub en: &'static str,
    pub zh: &'static str,
}

impl std::fmt::Display for Why {
    /// The English reason.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.en)
    }
}

/// A problem on one line of a CSV file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CsvProblem {
    #[error("expected 2 fields (name, value), found {0}")]
    MetaFields(usize),
    #[error("expected {expected} fields like the header, found {found}")]
    RowFields { expected: usize, found: usize },
    #[error("a quote inside an unquoted field")]
    QuoteInside,
    #[error("a quoted field is not closed")]
    QuoteOpen,
    #[error("the table's header must be {0}")]
    Header(String),
}

impl CsvProblem {
    fn zh(&self) -> String {
        match self {
            Self::MetaFields(n) => format!("这一行应有名称和值 2 个字段，实际有 {n} 个"),
            Self::RowFields { expected, found } => {
                format!("这一行应和表头一样有 {expected} 个字段，实际有 {found} 个")
            }
            Self::QuoteInside => "没有加引号的字段里出现了引号".to_owned(),
            Self::QuoteOpen => "以引号开头的字段没有闭合".to_owned(),
            Self::Header(expected) => format!("表头应为“{expected}”"),
        }
    }
}

/// What an import file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Kept {
    Run(RunRecord),
    Calculator(CalculatorState),
}

/// Reads an export file, JSON or CSV (told apart by the first character), and checks it.
pub fn read(text: &str) -> Result<Kept, ExportError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ExportError::TooLarge(text.len()));
    }
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err(ExportError::Empty);
    }
    // A browser reads bytes that are not UTF-8 as U+FFFD; text files hold no NUL or other
    // control characters beyond tab and line ends.
    let binary = text
        .chars()
        .any(|c| c == '\u{fffd}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r')));
    if binary {
        return Err(ExportError::NotAnExport(Shape::Binary));
    }
    let kept = if text.starts_with('{') {
        read_json(text)?
    } else if text.starts_with('[') {
        return Err(ExportError::NotAnExport(Shape::JsonArray));
    } else if first_csv_field(text) == "format" {
        read_csv(text)?
    } else {
        return Err(ExportError::NotAnExport(Shape::NoFormatRow));
    };
    if let Kept::Run(run) = &kept {
        run.validate()?;
    }
    Ok(kept)
}

/// The first field of the first line, unquoted: `format` in every CSV export.
fn first_csv_field(text: &str) -> &str {
    let first = text.split([',', '\n', '\r']).next().unwrap_or_default();
    first.trim().trim_matches('"').trim()
}

fn read_json(text: &str) -> Result<Kept, ExportError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ExportError::json(&e))?;
    let field = |name: &str| {
        value
            .get(name)
            .ok_or_else(|| ExportError::Missing(name.to_owned()))
    };
    let kind = check_header(
        &json_text(field("format")?),
        &json_text(field("kind")?),
        &json_text(field("version")?),
    )?;
    match kind {
        Kind::Run => RunRecord::from_json(text).map(Kept::Run),
        Kind::Calculator => {
            field("inputs")?;
            CalculatorState::from_json(text).map(Kept::Calculator)
        }
    }
}

fn read_csv(text: &str) -> Result<Kept, ExportError> {
    let s = csv::parse(text)?;
    let kind = check_header(
        s.meta_value("format")?,
        s.meta_value("kind")?,
        s.meta_value("version")?,
    )?;
    match kind {
        Kind::Run => RunRecord::from_csv(&s).map(Kept::Run),
        Kind::Calculator => CalculatorState::from_csv(&s).map(Kept::Calculator),
    }
}

enum Kind {
    Run,
    Calculator,
}

fn check_header(format: &str, kind: &str, version: &str) -> Result<Kind, ExportError> {
    if format.trim() != FORMAT {
        return Err(ExportError::NotOurs(format.to_owned()));
    }
    if version.trim() != VERSION.to_string() {
        return Err(ExportError::Version(version.to_owned()));
    }
    match kind.trim() {
        "run" => Ok(Kind::Run),
        "calculator" => Ok(Kind::Calculator),
        other => Err(ExportError::UnknownKind(other.to_owned())),
    }
}

pub(super) fn header_csv(kind: &str) -> String {
    let mut out = csv::line(&["format", FORMAT]);
    out.push_str(&csv::line(&["kind", kind]));
    out.push_str(&csv::line(&["version", &VERSION.to_string()]));
    out
}

/// A JSON header value as text: strings as they are, numbers written out.
fn json_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Parses a cell, naming the field (and its CSV line) when it does not parse.
pub(super) fn number<T: std::str::FromStr>(
    text: &str,
    field: &str,
    line: Option<usize>,
) -> Result<T, ExportError> {
    text.trim().parse().map_err(|_| {
        let why = Why {
            en: "not a value of the right kind",
            zh: "不是这一项要求的数值类型",
        };
        invalid_at(field, line, text, why)
    })
}

pub(super) fn invalid(field: &str, value: &str, why: Why) -> ExportError {
    invalid_at(field, None, value, why)
}

pub(super) fn invalid_at(field: &str, line: Option<usize>, value: &str, why: Why) -> ExportError {
    let value: String = value.chars().take(40).collect();
    ExportError::Invalid {
        field: field.to_owned(),
        line,
        value,
        why,
    }
}
