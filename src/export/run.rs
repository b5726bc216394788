//! A training run as it is kept: its JSON and CSV forms and the checks on its figures.

use serde::{Deserialize, Serialize};

use super::{DEVICE_CHOICES, ExportError, FORMAT, VERSION, Why, csv, header_csv, invalid, number};
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

    /// Checks every figure: at least one epoch, numbered 1, 2, … and no more than asked for;
    /// fractions in [0, 1]; losses finite and not negative; every time finite and at most
    /// [`MAX_EPOCH_TIME_S`], training time and throughput above 0 (the cost model divides by
    /// them) and throughput at most [`MAX_SAMPLES_PER_S`]; a device this page offers. With
    /// every term bounded, a sum over the epochs is finite too.
    pub fn validate(&self) -> Result<(), ExportError> {
        let r = &self.report;
        if !DEVICE_CHOICES.contains(&self.requested_device.as_str()) {
            let why = Why {
                en: "auto, gpu or cpu",
                zh: "应为 auto、gpu 或 cpu",
            };
            return Err(invalid("requested_device", &self.requested_device, why));
        }
        if r.device.trim().is_empty() || r.device.chars().count() > 200 {
            let why = Why {
                en: "1 to 200 characters",
                zh: "应为 1 到 200 个字符",
            };
            return Err(invalid("adapter", &r.device, why));
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
                let why = Why {
                    en: "a number above 0",
                    zh: "应为大于 0 的数",
                };
                return Err(invalid(name, &value.to_string(), why));
            }
        }
        if r.epochs.is_empty() {
            return Err(ExportError::NoEpochs);
        }
        if r.epochs.len() > c.epochs {
            let why = Why {
                en: "more epoch rows than the run asked for",
                zh: "轮次记录比设定的轮数还多",
            };
            return Err(invalid("epochs", &r.epochs.len().to_string(), why));
        }
        if !r.stopped && r.epochs.len() != c.epochs {
            let why = Why {
                en: "a run that was not stopped has a row for every epoch",
                zh: "没有中途停止的训练，每一轮都应有记录",
            };
            return Err(invalid("stopped", "false", why));
        }
        for (i, e) in r.epochs.iter().enumerate() {
            validate_epoch(i + 1, e)?;
        }
        Ok(())
    }
}

/// Longest time an epoch's training, evaluation or GPU work may take, in seconds (about 116
/// days; the page's run takes seconds). A longer one is not a measurement.
pub const MAX_EPOCH_TIME_S: f64 = 1e7;

/// Highest throughput a run may report, in samples/s: at 6·101,770 FLOPs a sample this is about
/// 6 × 10¹⁴ FLOP/s, beyond any single device's FP32 rate today.
pub const MAX_SAMPLES_PER_S: f64 = 1e9;

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
        let run: RunJson = serde_json::from_str(text).map_err(|e| ExportError::json(&e))?;
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
        epochs: number(meta("epochs")?, "epochs", None)?,
        batch_size: number(meta("batch_size")?, "batch_size", None)?,
        seed: number(meta("seed")?, "seed", None)?,
        adam: Adam {
            learning_rate: number(meta("learning_rate")?, "learning_rate", None)?,
            beta1: number(meta("beta1")?, "beta1", None)?,
            beta2: number(meta("beta2")?, "beta2", None)?,
            epsilon: number(meta("epsilon")?, "epsilon", None)?,
        },
    };
    s.expect_header(&EPOCH_COLUMNS)?;
    let mut epochs = Vec::with_capacity(s.rows.len());
    for (row, line) in &s.rows {
        let cell = |i: usize| row[i].trim();
        let at = Some(*line);
        let gpu_time = cell(8);
        epochs.push(EpochReport {
            epoch: number(cell(0), "epoch", at)?,
            train_loss: number(cell(1), "train_loss", at)?,
            train_accuracy: number(cell(2), "train_accuracy", at)?,
            test_accuracy: number(cell(3), "test_accuracy", at)?,
            samples: number(cell(4), "samples", at)?,
            train_time_s: number(cell(5), "train_time_s", at)?,
            eval_time_s: number(cell(6), "eval_time_s", at)?,
            samples_per_s: number(cell(7), "samples_per_s", at)?,
            gpu_time_s: if gpu_time.is_empty() {
                None
            } else {
                Some(number(gpu_time, "gpu_time_s", at)?)
            },
        });
    }
    Ok(RunRecord {
        requested_device: meta("requested_device")?.trim().to_owned(),
        report: RunReport {
            device: meta("adapter")?.to_owned(),
            config,
            train_samples: number(meta("train_samples")?, "train_samples", None)?,
            test_samples: number(meta("test_samples")?, "test_samples", None)?,
            epochs,
            stopped: number(meta("stopped")?, "stopped", None)?,
        },
    })
}

fn positive_count(field: &str, n: usize) -> Result<(), ExportError> {
    if n == 0 {
        let why = Why {
            en: "at least 1",
            zh: "至少应为 1",
        };
        return Err(invalid(field, "0", why));
    }
    Ok(())
}

fn validate_epoch(expected: usize, e: &EpochReport) -> Result<(), ExportError> {
    let at = |name: &str| format!("epochs[{}].{name}", expected);
    if e.epoch != expected {
        let why = Why {
            en: "epochs are numbered 1, 2, … in order",
            zh: "轮次应按 1、2、… 的顺序编号",
        };
        return Err(invalid(&at("epoch"), &e.epoch.to_string(), why));
    }
    positive_count(&at("samples"), e.samples)?;
    let fraction = Why {
        en: "a fraction from 0 to 1",
        zh: "应为 0 到 1 之间的比例",
    };
    let not_negative = Why {
        en: "a finite number, 0 or more",
        zh: "应为不小于 0 的有限数",
    };
    let time = Why {
        en: "from 0 to 10,000,000 s (about 116 days) per epoch",
        zh: "每轮应在 0 到 10,000,000 秒（约 116 天）之间",
    };
    let train_time = Why {
        en: "more than 0 s and at most 10,000,000 s (about 116 days) per epoch",
        zh: "每轮应大于 0 秒，且不超过 10,000,000 秒（约 116 天）",
    };
    let throughput = Why {
        en: "more than 0 and at most 1,000,000,000 samples/s",
        zh: "应大于 0，且不超过每秒 1,000,000,000 个样本",
    };
    // (field, value, lowest, highest, whether the lowest is allowed, why)
    let checks = [
        (
            "train_loss",
            f64::from(e.train_loss),
            0.0,
            f64::MAX,
            true,
            not_negative,
        ),
        (
            "train_accuracy",
            f64::from(e.train_accuracy),
            0.0,
            1.0,
            true,
            fraction,
        ),
        (
            "test_accuracy",
            f64::from(e.test_accuracy),
            0.0,
            1.0,
            true,
            fraction,
        ),
        (
            "train_time_s",
            e.train_time_s,
            0.0,
            MAX_EPOCH_TIME_S,
            false,
            train_time,
        ),
        (
            "eval_time_s",
            e.eval_time_s,
            0.0,
            MAX_EPOCH_TIME_S,
            true,
            time,
        ),
        (
            "samples_per_s",
            e.samples_per_s,
            0.0,
            MAX_SAMPLES_PER_S,
            false,
            throughput,
        ),
        (
            "gpu_time_s",
            e.gpu_time_s.unwrap_or(0.0),
            0.0,
            MAX_EPOCH_TIME_S,
            true,
            time,
        ),
    ];
    for (name, value, low, high, low_allowed, why) in checks {
        let above_low = value > low || (low_allowed && value == low);
        if !(value.is_finite() && above_low && value <= high) {
            return Err(invalid(&at(name), &compact(value), why));
        }
    }
    Ok(())
}

/// A refused figure as a message quotes it: a huge one as `1e308`, not 309 digits.
fn compact(value: f64) -> String {
    if value.abs() >= 1e15 {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}
