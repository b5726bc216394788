//! The calculators' state as it is kept: every input's text by name, as JSON and CSV.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    ExportError, FORMAT, MAX_KEY_CHARS, MAX_VALUE_CHARS, VERSION, Why, csv, header_csv, invalid,
};

/// The columns of a calculator file's CSV table.
const COLUMNS: [&str; 2] = ["input", "value"];

/// Every calculator input as `(name, text)`: the name is the input's element id and URL key,
/// the text what the field holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CalculatorState {
    pub inputs: Vec<(String, String)>,
}

/// A JSON object kept as its pairs in file order, duplicates included (a `Map` would sort the
/// names and silently keep the last of two equal ones).
struct Ordered(Vec<(String, Value)>);

impl Serialize for Ordered {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> serde::de::Visitor<'de> for Pairs {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of input names and texts")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Ordered, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(Ordered(pairs))
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

/// A calculator file as written.
#[derive(Serialize)]
struct CalculatorFile {
    format: &'static str,
    kind: &'static str,
    version: u32,
    inputs: Ordered,
}

/// The part of a calculator file that [`read`] takes after its header.
#[derive(Deserialize)]
struct CalculatorJson {
    inputs: Ordered,
}

impl CalculatorState {
    /// The inputs as pretty-printed JSON, an object of `name: text` in the page's order.
    pub fn to_json(&self) -> String {
        let inputs = Ordered(
            self.inputs
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        );
        let json = CalculatorFile {
            format: FORMAT,
            kind: "calculator",
            version: VERSION,
            inputs,
        };
        serde_json::to_string_pretty(&json).unwrap_or_default()
    }

    /// The inputs as CSV: the header rows, then an `input,value` table.
    pub fn to_csv(&self) -> String {
        let mut out = header_csv("calculator");
        out.push('\n');
        out.push_str(&csv::line(&COLUMNS));
        for (k, v) in &self.inputs {
            out.push_str(&csv::line(&[k, v]));
        }
        out
    }

    /// Checks the inputs against the page's: `accepts(name, text)` is `None` for a name the
    /// page does not have, else whether the field takes the text. Returns the page's inputs
    /// (`known`) that the file leaves out, which keep their defaults.
    pub fn check<'a>(
        &self,
        known: impl IntoIterator<Item = &'a str>,
        accepts: impl Fn(&str, &str) -> Option<bool>,
    ) -> Result<Vec<&'a str>, ExportError> {
        for (key, value) in &self.inputs {
            match accepts(key, value) {
                None => return Err(ExportError::UnknownInput(key.clone())),
                Some(false) => {
                    let why = Why {
                        en: "the field does not accept it",
                        zh: "这个输入框不接受这个值",
                    };
                    return Err(invalid(key, value, why));
                }
                Some(true) => {}
            }
        }
        Ok(known
            .into_iter()
            .filter(|k| !self.inputs.iter().any(|(name, _)| name == k))
            .collect())
    }

    fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Result<Self, ExportError> {
        let mut inputs: Vec<(String, String)> = Vec::new();
        for (key, value) in pairs {
            let key_ok = !key.is_empty()
                && key.len() <= MAX_KEY_CHARS
                && key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !key_ok {
                let why = Why {
                    en: "an input name is a-z, 0-9 and '-'",
                    zh: "输入项的名称只能由 a–z、0–9 和“-”组成",
                };
                return Err(invalid(&key, &key, why));
            }
            if value.chars().count() > MAX_VALUE_CHARS {
                let why = Why {
                    en: "longer than 100 characters",
                    zh: "超过了 100 个字符",
                };
                return Err(invalid(&key, &value, why));
            }
            if inputs.iter().any(|(k, _)| *k == key) {
                return Err(ExportError::Duplicate(key));
            }
            inputs.push((key, value));
        }
        Ok(Self { inputs })
    }
}

impl CalculatorState {
    /// Reads a calculator file's JSON (its header already checked).
    pub(super) fn from_json(text: &str) -> Result<Self, ExportError> {
        let CalculatorJson { inputs } =
            serde_json::from_str(text).map_err(|e| ExportError::json(&e))?;
        let pairs = inputs
            .0
            .into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k, s)),
                // A hand-edited file may hold a plain number; the field reads it as text.
                Value::Number(n) => Ok((k, n.to_string())),
                other => Err(invalid(
                    &k,
                    &other.to_string(),
                    Why {
                        en: "a text or a number",
                        zh: "应为文字或数字",
                    },
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_pairs(pairs)
    }

    /// Reads a calculator file's CSV sections (its header already checked).
    pub(super) fn from_csv(s: &csv::Sections) -> Result<Self, ExportError> {
        s.expect_header(&COLUMNS)?;
        let pairs = s
            .rows
            .iter()
            .map(|(row, _)| (row[0].trim().to_owned(), row[1].clone()));
        Self::from_pairs(pairs)
    }
}
