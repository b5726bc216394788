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

pub mod csv;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use crate::model::Adam;
use crate::train::{EpochReport, RunReport, TrainConfig};

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

/// A finished (or stopped) training run as it is kept: what the reader asked for and what ran.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// The device the reader chose: one of [`DEVICE_CHOICES`].
    pub requested_device: String,
    /// The run; `report.device` is the adapter it ran on, in words.
    pub report: RunReport,
}

/// Every calculator input as `(name, text)`: the name is the input's element id and URL key,
/// the text what the field holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CalculatorState {
    pub inputs: Vec<(String, String)>,
}

/// What an import file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Kept {
    Run(RunRecord),
    Calculator(CalculatorState),
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

/// A run in JSON: the header, then the run's fields flat.
#[derive(Serialize, Deserialize)]
struct RunJson {
    format: String,
    kind: String,
    version: u32,
    requested_device: String,
    adapter: String,
    config: TrainConfig,
    train_samples: usize,
    test_samples: usize,
    stopped: bool,
    epochs: Vec<EpochReport>,
}

impl RunRecord {
    /// The run as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        let r = &self.report;
        let json = RunJson {
            format: FORMAT.to_owned(),
            kind: "run".to_owned(),
            version: VERSION,
            requested_device: self.requested_device.clone(),
            adapter: r.device.clone(),
            config: r.config,
            train_samples: r.train_samples,
            test_samples: r.test_samples,
            stopped: r.stopped,
            epochs: r.epochs.clone(),
        };
        // Plain data with no map keys that could fail: serialising cannot fail.
        serde_json::to_string_pretty(&json).unwrap_or_default()
    }

    /// The run as CSV: settings as `name,value` rows, then one row per epoch.
    pub fn to_csv(&self) -> String {
        let r = &self.report;
        let c = &r.config;
        let mut out = header_csv("run");
        for (name, value) in [
            ("requested_device", self.requested_device.clone()),
            ("adapter", r.device.clone()),
            ("epochs", c.epochs.to_string()),
            ("batch_size", c.batch_size.to_string()),
            ("seed", c.seed.to_string()),
            ("learning_rate", c.adam.learning_rate.to_string()),
            ("beta1", c.adam.beta1.to_string()),
            ("beta2", c.adam.beta2.to_string()),
            ("epsilon", c.adam.epsilon.to_string()),
            ("train_samples", r.train_samples.to_string()),
            ("test_samples", r.test_samples.to_string()),
            ("stopped", r.stopped.to_string()),
        ] {
            out.push_str(&csv::line(&[name, &value]));
        }
        out.push('\n');
        out.push_str(&csv::line(&EPOCH_COLUMNS));
        for e in &r.epochs {
            out.push_str(&csv::line(&[
                e.epoch.to_string(),
                e.train_loss.to_string(),
                e.train_accuracy.to_string(),
                e.test_accuracy.to_string(),
                e.samples.to_string(),
                e.train_time_s.to_string(),
                e.eval_time_s.to_string(),
                e.samples_per_s.to_string(),
                e.gpu_time_s.map(|t| t.to_string()).unwrap_or_default(),
            ]));
        }
        out
    }

    /// Checks every figure: the epochs numbered 1, 2, … and no more than asked for, fractions in
    /// [0, 1], times and losses finite and not negative, a device this page offers.
    pub fn validate(&self) -> Result<(), ExportError> {
        let r = &self.report;
        if !DEVICE_CHOICES.contains(&self.requested_device.as_str()) {
            return Err(invalid(
                "requested_device",
                &self.requested_device,
                "auto, gpu or cpu",
            ));
        }
        if r.device.trim().is_empty() || r.device.chars().count() > 200 {
            return Err(invalid("adapter", &r.device, "1 to 200 characters"));
        }
        let c = &r.config;
        positive_count("epochs", c.epochs)?;
        positive_count("batch_size", c.batch_size)?;
        positive_count("train_samples", r.train_samples)?;
        positive_count("test_samples", r.test_samples)?;
        for (name, value) in [
            ("learning_rate", c.adam.learning_rate),
            ("beta1", c.adam.beta1),
            ("beta2", c.adam.beta2),
            ("epsilon", c.adam.epsilon),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(invalid(name, &value.to_string(), "a number above 0"));
            }
        }
        if r.epochs.len() > c.epochs {
            return Err(invalid(
                "epochs",
                &r.epochs.len().to_string(),
                "more epoch rows than the run asked for",
            ));
        }
        if !r.stopped && r.epochs.len() != c.epochs {
            return Err(invalid(
                "stopped",
                "false",
                "a run that was not stopped has a row for every epoch",
            ));
        }
        for (i, e) in r.epochs.iter().enumerate() {
            validate_epoch(i + 1, e)?;
        }
        Ok(())
    }
}

/// The columns of a run's CSV table, in the order they are written.
const EPOCH_COLUMNS: [&str; 9] = [
    "epoch",
    "train_loss",
    "train_accuracy",
    "test_accuracy",
    "samples",
    "train_time_s",
    "eval_time_s",
    "samples_per_s",
    "gpu_time_s",
];

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
        out.push_str(&csv::line(&["input", "value"]));
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
                Some(false) => return Err(invalid(key, value, "the field does not accept it")),
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
                return Err(invalid(&key, &key, "an input name is a-z, 0-9 and '-'"));
            }
            if value.chars().count() > MAX_VALUE_CHARS {
                return Err(invalid(&key, &value, "longer than 100 characters"));
            }
            if inputs.iter().any(|(k, _)| *k == key) {
                return Err(ExportError::Duplicate(key));
            }
            inputs.push((key, value));
        }
        Ok(Self { inputs })
    }
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
        Kind::Run => {
            // From the text, not the value, so that an error names its line and column.
            let run: RunJson =
                serde_json::from_str(text).map_err(|e| ExportError::Json(e.to_string()))?;
            Ok(Kept::Run(RunRecord {
                requested_device: run.requested_device,
                report: RunReport {
                    device: run.adapter,
                    config: run.config,
                    train_samples: run.train_samples,
                    test_samples: run.test_samples,
                    epochs: run.epochs,
                    stopped: run.stopped,
                },
            }))
        }
        Kind::Calculator => {
            field("inputs")?;
            let CalculatorJson { inputs } =
                serde_json::from_str(text).map_err(|e| ExportError::Json(e.to_string()))?;
            let pairs = inputs
                .0
                .into_iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k, s)),
                    // A hand-edited file may hold a plain number; the field reads it as text.
                    Value::Number(n) => Ok((k, n.to_string())),
                    other => Err(invalid(&k, &other.to_string(), "a text or a number")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Kept::Calculator(CalculatorState::from_pairs(pairs)?))
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
        Kind::Run => read_run_csv(&s).map(Kept::Run),
        Kind::Calculator => {
            let name = s.column("input")?;
            let value = s.column("value")?;
            let pairs = s
                .rows
                .iter()
                .map(|(row, _)| (row[name].trim().to_owned(), row[value].clone()));
            Ok(Kept::Calculator(CalculatorState::from_pairs(pairs)?))
        }
    }
}

fn read_run_csv(s: &csv::Sections) -> Result<RunRecord, ExportError> {
    let meta = |name: &str| s.meta_value(name);
    let config = TrainConfig {
        epochs: number(meta("epochs")?, "epochs")?,
        batch_size: number(meta("batch_size")?, "batch_size")?,
        seed: number(meta("seed")?, "seed")?,
        adam: Adam {
            learning_rate: number(meta("learning_rate")?, "learning_rate")?,
            beta1: number(meta("beta1")?, "beta1")?,
            beta2: number(meta("beta2")?, "beta2")?,
            epsilon: number(meta("epsilon")?, "epsilon")?,
        },
    };
    let columns = EPOCH_COLUMNS
        .iter()
        .map(|c| s.column(c))
        .collect::<Result<Vec<_>, _>>()?;
    let mut epochs = Vec::with_capacity(s.rows.len());
    for (row, line) in &s.rows {
        let cell = |i: usize| row[columns[i]].trim();
        let at = |name: &str| format!("{name} (line {line})");
        let gpu_time = cell(8);
        epochs.push(EpochReport {
            epoch: number(cell(0), &at("epoch"))?,
            train_loss: number(cell(1), &at("train_loss"))?,
            train_accuracy: number(cell(2), &at("train_accuracy"))?,
            test_accuracy: number(cell(3), &at("test_accuracy"))?,
            samples: number(cell(4), &at("samples"))?,
            train_time_s: number(cell(5), &at("train_time_s"))?,
            eval_time_s: number(cell(6), &at("eval_time_s"))?,
            samples_per_s: number(cell(7), &at("samples_per_s"))?,
            gpu_time_s: if gpu_time.is_empty() {
                None
            } else {
                Some(number(gpu_time, &at("gpu_time_s"))?)
            },
        });
    }
    Ok(RunRecord {
        requested_device: meta("requested_device")?.trim().to_owned(),
        report: RunReport {
            device: meta("adapter")?.to_owned(),
            config,
            train_samples: number(meta("train_samples")?, "train_samples")?,
            test_samples: number(meta("test_samples")?, "test_samples")?,
            epochs,
            stopped: number(meta("stopped")?, "stopped")?,
        },
    })
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

fn header_csv(kind: &str) -> String {
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
fn number<T: std::str::FromStr>(text: &str, field: &str) -> Result<T, ExportError> {
    text.trim()
        .parse()
        .map_err(|_| invalid(field, text, "not a value of the right kind"))
}

fn positive_count(field: &str, n: usize) -> Result<(), ExportError> {
    if n == 0 {
        return Err(invalid(field, "0", "at least 1"));
    }
    Ok(())
}

fn validate_epoch(expected: usize, e: &EpochReport) -> Result<(), ExportError> {
    let at = |name: &str| format!("epochs[{}].{name}", expected);
    if e.epoch != expected {
        return Err(invalid(
            &at("epoch"),
            &e.epoch.to_string(),
            "epochs are numbered 1, 2, … in order",
        ));
    }
    positive_count(&at("samples"), e.samples)?;
    for (name, value, max) in [
        ("train_loss", f64::from(e.train_loss), f64::INFINITY),
        ("train_accuracy", f64::from(e.train_accuracy), 1.0),
        ("test_accuracy", f64::from(e.test_accuracy), 1.0),
        ("train_time_s", e.train_time_s, f64::INFINITY),
        ("eval_time_s", e.eval_time_s, f64::INFINITY),
        ("samples_per_s", e.samples_per_s, f64::INFINITY),
        ("gpu_time_s", e.gpu_time_s.unwrap_or(0.0), f64::INFINITY),
    ] {
        if !(value.is_finite() && (0.0..=max).contains(&value)) {
            let why = if max == 1.0 {
                "a fraction from 0 to 1"
            } else {
                "a finite number, 0 or more"
            };
            return Err(invalid(&at(name), &value.to_string(), why));
        }
    }
    Ok(())
}

fn invalid(field: &str, value: &str, why: &'static str) -> ExportError {
    let value: String = value.chars().take(40).collect();
    ExportError::Invalid {
        field: field.to_owned(),
        value,
        why,
    }
}
