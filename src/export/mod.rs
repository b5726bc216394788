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
pub use run::RunRecord;

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
    #[error("The file is not valid JSON: {0}")]
    Json(String),
    #[error("CSV line {0}: {1}")]
    Csv(usize, String),
    #[error("This is not a Price War Lab export: its format is '{0}', expected '{FORMAT}'")]
    NotOurs(String),
    #[error("Unknown kind '{0}': expected 'run' or 'calculator'")]
    UnknownKind(String),
    #[error("Version {0} is not supported; this page reads version {VERSION}")]
    Version(String),
    #[error("'{0}' is missing")]
    Missing(String),
    #[error("'{field}' has the value '{value}', which is not allowed: {why}")]
    Invalid {
        field: String,
        value: String,
        why: &'static str,
    },
    #[error("The input '{0}' appears twice")]
    Duplicate(String),
    #[error("This page has no input named '{0}'")]
    UnknownInput(String),
}

impl ExportError {
    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::Empty => "文件是空的".to_owned(),
            Self::TooLarge(n) => format!("文件有 {n} 字节，导出文件最多 1 MiB"),
            Self::Json(e) => format!("文件不是有效的 JSON：{e}"),
            Self::Csv(line, e) => format!("CSV 第 {line} 行有误：{e}"),
            Self::NotOurs(f) => format!("这不是价格战实验室导出的文件（format 为“{f}”）"),
            Self::UnknownKind(k) => format!("未知的类型“{k}”，应为 run 或 calculator"),
            Self::Version(v) => format!("不支持版本 {v}，本页读取版本 {VERSION}"),
            Self::Missing(f) => format!("缺少“{f}”"),
            Self::Invalid { field, value, why } => {
                format!("“{field}”的值“{value}”不可用（{why}）")
            }
            Self::Duplicate(k) => format!("输入项“{k}”出现了两次"),
            Self::UnknownInput(k) => format!("本页没有名为“{k}”的输入项"),
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
    let kept = if text.starts_with('{') {
        read_json(text)?
    } else {
        read_csv(text)?
    };
    if let Kept::Run(run) = &kept {
        run.validate()?;
    }
    Ok(kept)
}

fn read_json(text: &str) -> Result<Kept, ExportError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ExportError::Json(e.to_string()))?;
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

/// Parses a CSV cell, naming the field when it does not parse.
pub(super) fn number<T: std::str::FromStr>(text: &str, field: &str) -> Result<T, ExportError> {
    text.trim()
        .parse()
        .map_err(|_| invalid(field, text, "not a value of the right kind"))
}

pub(super) fn invalid(field: &str, value: &str, why: &'static str) -> ExportError {
    let value: String = value.chars().take(40).collect();
    ExportError::Invalid {
        field: field.to_owned(),
        value,
        why,
    }
}
