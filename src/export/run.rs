//! A training run as it is kept: its JSON and CSV forms and the checks on its figures.

use serde::{Deserialize, Serialize};

use super::{DEVICE_CHOICES, ExportError, FORMAT, VERSION, csv, header_csv, invalid, number};
use crate::model::Adam;
use crate::train::{EpochReport, RunReport, TrainConfig};

/// A finished (or stopped) training run as it is kept: what the reader asked for and what ran.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// The device the reader chose: one of [`DEVICE_CHOICES`].
    pub requested_device: String,
    /// The run; `report.device` is the adapter it ran on, in words.
    pub report: RunReport,
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

impl RunRecord {
    /// Reads a run file's JSON (its header already checked). Parsed from the text, not a
    /// value, so that an error names its line and column.
    pub(super) fn from_json(text: &str) -> Result<Self, ExportError> {
        let run: RunJson =
            serde_json::from_str(text).map_err(|e| ExportError::Json(e.to_string()))?;
        Ok(RunRecord {
            requested_device: run.requested_device,
            report: RunReport {
                device: run.adapter,
                config: run.config,
                train_samples: run.train_samples,
                test_samples: run.test_samples,
                epochs: run.epochs,
                stopped: run.stopped,
            },
        })
    }

    /// Reads a run file's CSV sections (its header already checked).
    pub(super) fn from_csv(s: &csv::Sections) -> Result<Self, ExportError> {
        read_run_csv(s)
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
