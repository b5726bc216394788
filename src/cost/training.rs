//! Training cost: the FLOPs of a run (6·N·D, or counted exactly for an MLP), and the GPU-hours,
//! days and money they take. Data-parallel scaling and the memory check are in
//! [`super::parallel`].
//!
//! Sources: the 6·N·D rule (forward 2·N·D, backward 4·N·D) is from Kaplan et al., "Scaling Laws
//! for Neural Language Models" (2020), §2.1; MFU as achieved ÷ peak FLOP/s is from Chowdhery et
//! al., "PaLM: Scaling Language Modeling with Pathways" (2022), appendix B.

use super::error::{self, CostError};
use super::format::{MoneyFormat, Step, format_number};
use super::input::parse_count;
use super::units::{SECONDS_PER_DAY, SECONDS_PER_HOUR};

/// FLOPs per parameter per token for a forward pass: one multiply-add (2 FLOPs) per weight.
pub const FORWARD_FLOPS_PER_PARAM_TOKEN: f64 = 2.0;

/// FLOPs per parameter per token for a backward pass: gradients for the activations and for
/// the weights, 2 FLOPs each.
pub const BACKWARD_FLOPS_PER_PARAM_TOKEN: f64 = 4.0;

fn n(x: f64) -> String {
    format_number(x)
}

/// Training FLOPs of a dense model from its size and its data: forward 2·N·D, backward 4·N·D,
/// total 6·N·D (Kaplan et al. 2020). Attention's context-dependent FLOPs are left out, as in
/// the rule.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingFlops {
    /// Parameters N.
    pub params: f64,
    /// Training tokens D.
    pub tokens: f64,
    /// Forward FLOPs, 2·N·D.
    pub forward_flops: f64,
    /// Backward FLOPs, 4·N·D.
    pub backward_flops: f64,
    /// Total FLOPs, 6·N·D.
    pub total_flops: f64,
}

/// Computes [`TrainingFlops`] for `params` parameters trained on `tokens` tokens.
pub fn training_flops(params: f64, tokens: f64) -> Result<TrainingFlops, CostError> {
    let params = error::positive("params", params)?;
    let tokens = error::positive("tokens", tokens)?;

    let forward_flops = error::finite(
        "forward FLOPs",
        FORWARD_FLOPS_PER_PARAM_TOKEN * params * tokens,
    )?;
    let backward_flops = error::finite(
        "backward FLOPs",
        BACKWARD_FLOPS_PER_PARAM_TOKEN * params * tokens,
    )?;
    let total_flops = error::finite("training FLOPs", forward_flops + backward_flops)?;
    Ok(TrainingFlops {
        params,
        tokens,
        forward_flops,
        backward_flops,
        total_flops,
    })
}

impl TrainingFlops {
    /// How each number was derived.
    pub fn steps(&self) -> Vec<Step> {
        let (p, d) = (n(self.params), n(self.tokens));
        vec![
            Step {
                label_en: "Forward FLOPs",
                label_zh: "前向计算量",
                formula: "2 · N · D",
                formula_zh: "2 · N · D",
                substituted: format!("2 × {p} × {d}"),
                result: n(self.forward_flops),
                unit_en: "FLOPs",
                unit_zh: "FLOPs",
            },
            Step {
                label_en: "Backward FLOPs",
                label_zh: "反向计算量",
                formula: "4 · N · D",
                formula_zh: "4 · N · D",
                substituted: format!("4 × {p} × {d}"),
                result: n(self.backward_flops),
                unit_en: "FLOPs",
                unit_zh: "FLOPs",
            },
            Step {
                label_en: "Training FLOPs",
                label_zh: "训练总计算量",
                formula: "6 · N · D",
                formula_zh: "6 · N · D",
                substituted: format!("6 × {p} × {d}"),
                result: n(self.total_flops),
                unit_en: "FLOPs",
                unit_zh: "FLOPs",
            },
        ]
    }
}

/// Exact FLOPs of a fully connected network (an MLP) per sample, counted from its layer widths,
/// a multiply-add as 2 FLOPs. Biases, activations and the loss are left out.
///
/// For layers `i → o`: forward is 2·i·o each; backward is 2·i·o for the weight gradient of
/// every layer plus 2·i·o for the input gradient of every layer but the first (the gradient
/// with respect to the data is never needed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MlpFlops {
    /// Layer widths, inputs first: `[784, 128, 10]`.
    pub layer_sizes: Vec<u64>,
    /// Parameters: weights and biases, Σ (i·o + o).
    pub params: u64,
    /// Forward FLOPs per sample, Σ 2·i·o.
    pub forward_flops_per_sample: u64,
    /// Backward FLOPs per sample.
    pub backward_flops_per_sample: u64,
    /// Forward plus backward FLOPs per sample.
    pub train_flops_per_sample: u64,
}

/// Counts [`MlpFlops`] for the layer widths given, inputs first. Needs at least two widths of
/// 1 or more.
pub fn mlp_flops(layer_sizes: &[u64]) -> Result<MlpFlops, CostError> {
    if layer_sizes.len() < 2 || layer_sizes.contains(&0) {
        return Err(CostError::InvalidLayers);
    }
    let overflow = || CostError::OutOfRange {
        quantity: "MLP FLOPs",
    };
    let mut params: u64 = 0;
    let mut forward: u64 = 0;
    let mut backward: u64 = 0;
    for (index, pair) in layer_sizes.windows(2).enumerate() {
        let products = pair[0].checked_mul(pair[1]).ok_or_else(overflow)?;
        let flops = products.checked_mul(2).ok_or_else(overflow)?;
        params = params
            .checked_add(products)
            .and_then(|p| p.checked_add(pair[1]))
            .ok_or_else(overflow)?;
        forward = forward.checked_add(flops).ok_or_else(overflow)?;
        let input_gradient = if index == 0 { 0 } else { flops };
        backward = backward
            .checked_add(flops)
            .and_then(|b| b.checked_add(input_gradient))
            .ok_or_else(overflow)?;
    }
    let train = forward.checked_add(backward).ok_or_else(overflow)?;
    Ok(MlpFlops {
        layer_sizes: layer_sizes.to_vec(),
        params,
        forward_flops_per_sample: forward,
        backward_flops_per_sample: backward,
        train_flops_per_sample: train,
    })
}

/// Reads layer widths as people write them: `784, 128, 10`, `784 → 128 → 10`, `784-128-10`,
/// `784x128x10`. Each width is a whole number from 1 to ten million (thousands separators are
/// not accepted here, since `,` separates layers).
pub fn parse_layer_sizes(text: &str) -> Result<Vec<u64>, CostError> {
    let sizes = text
        .split(|c: char| {
            matches!(c, ',' | '，' | '→' | '>' | '-' | 'x' | 'X' | '×') || c.is_whitespace()
        })
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            parse_count(piece)
                .map(u64::from)
                .map_err(|source| CostError::Input {
                    field: "layer_sizes",
                    source,
                })
        })
        .collect::<Result<Vec<u64>, CostError>>()?;
    if sizes.len() < 2 {
        return Err(CostError::InvalidLayers);
    }
    Ok(sizes)
}

impl MlpFlops {
    /// Training FLOPs for `epochs` passes over `samples_per_epoch` samples.
    pub fn training_flops(&self, samples_per_epoch: f64, epochs: f64) -> Result<f64, CostError> {
        let samples = error::positive("samples_per_epoch", samples_per_epoch)?;
        let epochs = error::positive("epochs", epochs)?;
        error::finite(
            "training FLOPs",
            self.train_flops_per_sample as f64 * samples * epochs,
        )
    }

    /// How each number was derived.
    pub fn steps(&self) -> Vec<Step> {
        let pairs: Vec<(u64, u64)> = self.layer_sizes.windows(2).map(|w| (w[0], w[1])).collect();
        let terms = |skip_first: bool| -> String {
            pairs
                .iter()
                .skip(usize::from(skip_first))
                .map(|(i, o)| format!("{}·{}", n(*i as f64), n(*o as f64)))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let backward_terms = if pairs.len() > 1 {
            format!("2 × ({}) + 2 × ({})", terms(false), terms(true))
        } else {
            format!("2 × ({})", terms(false))
        };
        vec![
            Step {
                label_en: "Parameters",
                label_zh: "参数量",
                formula: "Σ (i·o + o)",
                formula_zh: "Σ (i·o + o)",
                substituted: pairs
                    .iter()
                    .map(|(i, o)| format!("{}·{} + {}", n(*i as f64), n(*o as f64), n(*o as f64)))
                    .collect::<Vec<_>>()
                    .join(" + "),
                result: n(self.params as f64),
                unit_en: "",
                unit_zh: "",
            },
            Step {
                label_en: "Forward FLOPs per sample",
                label_zh: "每个样本的前向计算量",
                formula: "Σ 2·i·o",
                formula_zh: "Σ 2·i·o",
                substituted: format!("2 × ({})", terms(false)),
                result: n(self.forward_flops_per_sample as f64),
                unit_en: "FLOPs",
                unit_zh: "FLOPs",
            },
            Step {
                label_en: "Backward FLOPs per sample",
                label_zh: "每个样本的反向计算量",
                formula: "Σ 2·i·o (weight gradients) + Σ 2·i·o after the first layer (input gradients)",
                formula_zh: "Σ 2·i·o（权重梯度）+ 第一层之后的 Σ 2·i·o（输入梯度）",
                substituted: backward_terms,
                result: n(self.backward_flops_per_sample as f64),
                unit_en: "FLOPs",
                unit_zh: "FLOPs",
            },
            Step {
                label_en: "Training FLOPs per sample",
                label_zh: "每个样本的训练计算量",
                formula: "forward + backward",
                formula_zh: "前向 + 反向",
                substituted: format!(
                    "{} + {}",
                    n(self.forward_flops_per_sample as f64),
                    n(self.backward_flops_per_sample as f64)
                ),
                result: n(self.train_flops_per_sample as f64),
                unit_en: "FLOPs",
                unit_zh: "FLOPs",
            },
        ]
    }
}

/// Inputs of a training-run estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainingRunInput {
    /// FLOPs the run needs (e.g. 6·N·D).
    pub total_flops: f64,
    /// Dense peak FLOP/s of one GPU at the precision used.
    pub peak_flop_per_s: f64,
    /// Model FLOPs utilization, achieved ÷ peak, in (0, 1]; at scale it already includes
    /// communication and other overheads (e.g. 0.4).
    pub mfu: f64,
    /// GPUs running in parallel.
    pub gpu_count: u32,
    /// Rental price of one GPU for one hour, in the page's currency.
    pub price_per_gpu_hour: f64,
}

/// A training run's GPU-hours, wall-clock time and cost:
/// GPU-hours = FLOPs ÷ (peak × MFU) ÷ 3600, days = GPU-hours ÷ GPUs ÷ 24,
/// cost = GPU-hours × price per GPU-hour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainingRun {
    /// The inputs, after checking.
    pub input: TrainingRunInput,
    /// FLOP/s one GPU achieves, peak × MFU.
    pub achieved_flop_per_s_per_gpu: f64,
    /// GPU-hours the run takes.
    pub gpu_hours: f64,
    /// Wall-clock seconds with all GPUs running.
    pub wall_clock_s: f64,
    /// Wall-clock days with all GPUs running.
    pub wall_clock_days: f64,
    /// Cost of the GPU-hours, in the page's currency.
    pub cost: f64,
}

/// Estimates a [`TrainingRun`].
pub fn training_run(input: &TrainingRunInput) -> Result<TrainingRun, CostError> {
    let total_flops = error::positive("total_flops", input.total_flops)?;
    let peak = error::positive("peak_flop_per_s", input.peak_flop_per_s)?;
    let mfu = error::positive_fraction("mfu", input.mfu)?;
    let gpu_count = error::count("gpu_count", input.gpu_count)?;
    let price = error::non_negative("price_per_gpu_hour", input.price_per_gpu_hour)?;

    let achieved = error::finite("achieved FLOP/s", peak * mfu)?;
    let gpu_seconds = error::finite("GPU-hours", total_flops / achieved)?;
    let gpu_hours = error::finite("GPU-hours", gpu_seconds / SECONDS_PER_HOUR)?;
    let wall_clock_s = error::finite("wall-clock time", gpu_seconds / f64::from(gpu_count))?;
    let wall_clock_days = wall_clock_s / SECONDS_PER_DAY;
    let cost = error::finite("training cost", gpu_hours * price)?;
    Ok(TrainingRun {
        input: TrainingRunInput {
            total_flops,
            peak_flop_per_s: peak,
            mfu,
            gpu_count,
            price_per_gpu_hour: price,
        },
        achieved_flop_per_s_per_gpu: achieved,
        gpu_hours,
        wall_clock_s,
        wall_clock_days,
        cost,
    })
}

impl TrainingRun {
    /// How each number was derived; money is written as `money` says.
    pub fn steps(&self, money: MoneyFormat) -> Vec<Step> {
        let i = &self.input;
        vec![
            Step {
                label_en: "Achieved FLOP/s per GPU",
                label_zh: "每块 GPU 的实际 FLOP/s",
                formula: "peak × MFU",
                formula_zh: "峰值 × MFU",
                substituted: format!("{} × {}", n(i.peak_flop_per_s), n(i.mfu)),
                result: n(self.achieved_flop_per_s_per_gpu),
                unit_en: "FLOP/s",
                unit_zh: "FLOP/s",
            },
            Step {
                label_en: "GPU-hours",
                label_zh: "GPU 小时数",
                formula: "FLOPs ÷ (peak × MFU) ÷ 3600",
                formula_zh: "FLOPs ÷ (峰值 × MFU) ÷ 3600",
                substituted: format!(
                    "{} ÷ {} ÷ 3600",
                    n(i.total_flops),
                    n(self.achieved_flop_per_s_per_gpu)
                ),
                result: n(self.gpu_hours),
                unit_en: "GPU-hours",
                unit_zh: "GPU 小时",
            },
            Step {
                label_en: "Wall-clock time",
                label_zh: "实际耗时",
                formula: "GPU-hours ÷ GPUs ÷ 24",
                formula_zh: "GPU 小时 ÷ GPU 数 ÷ 24",
                substituted: format!("{} ÷ {} ÷ 24", n(self.gpu_hours), i.gpu_count),
                result: n(self.wall_clock_days),
                unit_en: "days",
                unit_zh: "天",
            },
            Step {
                label_en: "Training cost",
                label_zh: "训练成本",
                formula: "GPU-hours × price per GPU-hour",
                formula_zh: "GPU 小时 × 每 GPU 小时价格",
                substituted: format!(
                    "{} × {}",
                    n(self.gpu_hours),
                    money.amount(i.price_per_gpu_hour)
                ),
                result: money.amount(self.cost),
                unit_en: "",
                unit_zh: "",
            },
        ]
    }
}

/// The MFU a reported run implies: FLOPs ÷ (peak FLOP/s × GPU-hours × 3600).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImpliedMfu {
    /// FLOPs the run did.
    pub total_flops: f64,
    /// Dense peak FLOP/s of one GPU.
    pub peak_flop_per_s: f64,
    /// GPU-hours the run took.
    pub gpu_hours: f64,
    /// The implied MFU, a fraction in (0, 1].
    pub mfu: f64,
}

/// Works out the MFU of a reported run; an implied MFU above 100% is an error, since no run
/// beats its hardware's peak.
pub fn implied_mfu(
    total_flops: f64,
    peak_flop_per_s: f64,
    gpu_hours: f64,
) -> Result<ImpliedMfu, CostError> {
    let total_flops = error::positive("total_flops", total_flops)?;
    let peak_flop_per_s = error::positive("peak_flop_per_s", peak_flop_per_s)?;
    let gpu_hours = error::positive("gpu_hours", gpu_hours)?;

    let peak_flops = error::finite("peak FLOPs", peak_flop_per_s * gpu_hours * SECONDS_PER_HOUR)?;
    let mfu = error::finite("MFU", total_flops / peak_flops)?;
    if mfu > 1.0 {
        return Err(CostError::ImpossibleMfu { mfu });
    }
    Ok(ImpliedMfu {
        total_flops,
        peak_flop_per_s,
        gpu_hours,
        mfu,
    })
}

impl ImpliedMfu {
    /// How the MFU was derived.
    pub fn steps(&self) -> Vec<Step> {
        vec![Step {
            label_en: "Implied MFU",
            label_zh: "推算的 MFU",
            formula: "FLOPs ÷ (peak × GPU-hours × 3600)",
            formula_zh: "FLOPs ÷ (峰值 × GPU 小时 × 3600)",
            substituted: format!(
                "{} ÷ ({} × {} × 3600)",
                n(self.total_flops),
                n(self.peak_flop_per_s),
                n(self.gpu_hours)
            ),
            result: n(self.mfu),
            unit_en: "",
            unit_zh: "",
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::units::Currency;
    use crate::model;

    fn rel_close(a: f64, b: f64, tolerance: f64) -> bool {
        ((a - b) / b).abs() <= tolerance
    }

    #[test]
    fn six_n_d_splits_into_forward_and_backward() {
        let f = training_flops(1e9, 2e10).map_err(|e| e.to_string());
        let f = f.as_ref().expect("valid inputs");
        assert_eq!(f.forward_flops, 4e19);
        assert_eq!(f.backward_flops, 8e19);
        assert_eq!(f.total_flops, 1.2e20);
        assert_eq!(f.steps().len(), 3);
        assert!(
            f.steps()[2].text_en().ends_with("= 1.2 × 10²⁰ FLOPs"),
            "{}",
            f.steps()[2].text_en()
        );
    }

    #[test]
    fn training_flops_rejects_bad_inputs() {
        assert_eq!(
            training_flops(0.0, 1e9).err().and_then(|e| e.field()),
            Some("params")
        );
        assert_eq!(
            training_flops(1e9, -1.0).err().and_then(|e| e.field()),
            Some("tokens")
        );
        assert!(matches!(
            training_flops(1e200, 1e200),
            Err(CostError::OutOfRange { .. })
        ));
        assert!(training_flops(f64::NAN, 1.0).is_err());
    }

    #[test]
    fn mlp_count_agrees_with_the_model_constants() {
        // The article's MLP, 784 → 128 → 10: src/model/mod.rs counts it by hand.
        let m = mlp_flops(&[
            model::INPUTS as u64,
            model::HIDDEN as u64,
            model::CLASSES as u64,
        ]);
        let m = m.map_err(|e| e.to_string()).expect("valid layers");
        assert_eq!(m.forward_flops_per_sample, model::FORWARD_FLOPS_PER_SAMPLE);
        assert_eq!(
            m.backward_flops_per_sample,
            model::BACKWARD_FLOPS_PER_SAMPLE
        );
        assert_eq!(m.train_flops_per_sample, model::TRAIN_FLOPS_PER_SAMPLE);
        assert_eq!(m.forward_flops_per_sample, 203_264);
        assert_eq!(m.train_flops_per_sample, 409_088);
        assert_eq!(m.params, model::layout::LEN as u64);
        // One epoch of MNIST's 60,000 training images.
        let epoch = m.training_flops(60_000.0, 1.0).map_err(|e| e.to_string());
        assert_eq!(epoch, Ok(409_088.0 * 60_000.0));
        assert!(
            m.steps()[1].text_en().contains("2 × (784·128 + 128·10)"),
            "{}",
            m.steps()[1].text_en()
        );
    }

    #[test]
    fn mlp_of_three_layers_counts_input_gradients_after_the_first() {
        // 4 → 3 → 2 → 1: products 12, 6, 2; forward 2·20 = 40; backward 40 + 2·(6 + 2) = 56.
        let m = mlp_flops(&[4, 3, 2, 1])
            .map_err(|e| e.to_string())
            .expect("valid layers");
        assert_eq!(m.forward_flops_per_sample, 40);
        assert_eq!(m.backward_flops_per_sample, 56);
        assert_eq!(m.train_flops_per_sample, 96);
        assert_eq!(m.params, 12 + 3 + 6 + 2 + 2 + 1);
    }

    #[test]
    fn mlp_rejects_bad_layers() {
        assert_eq!(mlp_flops(&[784]), Err(CostError::InvalidLayers));
        assert_eq!(mlp_flops(&[]), Err(CostError::InvalidLayers));
        assert_eq!(mlp_flops(&[784, 0, 10]), Err(CostError::InvalidLayers));
        assert!(matches!(
            mlp_flops(&[u64::MAX, u64::MAX]),
            Err(CostError::OutOfRange { .. })
        ));
    }

    #[test]
    fn layer_sizes_parse_in_common_notations() {
        for text in [
            "784, 128, 10",
            "784 → 128 → 10",
            "784-128-10",
            "784x128x10",
            "784->128->10",
            "７８４，１２８，１０",
        ] {
            assert_eq!(parse_layer_sizes(text), Ok(vec![784, 128, 10]), "{text}");
        }
        assert_eq!(parse_layer_sizes("784"), Err(CostError::InvalidLayers));
        assert_eq!(parse_layer_sizes(""), Err(CostError::InvalidLayers));
        assert_eq!(
            parse_layer_sizes("784, 0, 10")
                .err()
                .and_then(|e| e.field()),
            Some("layer_sizes")
        );
        assert_eq!(
            parse_layer_sizes("784, 12.5").err().and_then(|e| e.field()),
            Some("layer_sizes")
        );
    }

    #[test]
    fn training_run_round_numbers() {
        // 3.6e18 FLOPs at 1e12 FLOP/s × 0.5 = 7.2e6 GPU-seconds = 2,000 GPU-hours;
        // on 10 GPUs 200 hours = 8.33 days; at $2/GPU-hour $4,000.
        let run = training_run(&TrainingRunInput {
            total_flops: 3.6e18,
            peak_flop_per_s: 1e12,
            mfu: 0.5,
            gpu_count: 10,
            price_per_gpu_hour: 2.0,
        });
        let run = run.map_err(|e| e.to_string()).expect("valid inputs");
        assert!(rel_close(run.gpu_hours, 2000.0, 1e-12));
        assert!(rel_close(run.wall_clock_days, 200.0 / 24.0, 1e-12));
        assert!(rel_close(run.cost, 4000.0, 1e-12));
        let steps = run.steps(MoneyFormat::en(Currency::Usd));
        assert_eq!(steps.len(), 4);
        assert_eq!(
            steps[3].text_en(),
            "Training cost: GPU-hours × price per GPU-hour = 2,000 × $2.00 = $4,000.00"
        );
        assert_eq!(
            steps[2].text_zh(),
            "实际耗时：GPU 小时 ÷ GPU 数 ÷ 24 = 2,000 ÷ 10 ÷ 24 = 8.33 天"
        );
    }

    #[test]
    fn training_run_rejects_bad_inputs() {
        let good = TrainingRunInput {
            total_flops: 1e20,
            peak_flop_per_s: 312e12,
            mfu: 0.4,
            gpu_count: 8,
            price_per_gpu_hour: 2.0,
        };
        assert!(training_run(&good).is_ok());
        let field = |input: TrainingRunInput| training_run(&input).err().and_then(|e| e.field());
        assert_eq!(
            field(TrainingRunInput { mfu: 0.0, ..good }),
            Some("mfu"),
            "MFU 0 divides by zero"
        );
        assert_eq!(field(TrainingRunInput { mfu: 40.0, ..good }), Some("mfu"));
        assert_eq!(
            field(TrainingRunInput {
                gpu_count: 0,
                ..good
            }),
            Some("gpu_count")
        );
        assert_eq!(
            field(TrainingRunInput {
                peak_flop_per_s: 0.0,
                ..good
            }),
            Some("peak_flop_per_s")
        );
        assert_eq!(
            field(TrainingRunInput {
                price_per_gpu_hour: -1.0,
                ..good
            }),
            Some("price_per_gpu_hour")
        );
        assert!(
            training_run(&TrainingRunInput {
                price_per_gpu_hour: 0.0,
                ..good
            })
            .is_ok(),
            "free GPUs are allowed"
        );
        // Extreme but parseable inputs make the cost overflow: an error, not infinity.
        let tiny = TrainingRunInput {
            total_flops: 1e100,
            peak_flop_per_s: 1e-100,
            mfu: 1e-100,
            price_per_gpu_hour: 1e100,
            ..good
        };
        assert!(matches!(
            training_run(&tiny),
            Err(CostError::OutOfRange { .. })
        ));
    }

    #[test]
    fn implied_mfu_works_back_and_refuses_the_impossible() {
        let m = implied_mfu(3.6e18, 1e12, 2000.0).map_err(|e| e.to_string());
        assert!(
            m.as_ref().is_ok_and(|m| rel_close(m.mfu, 0.5, 1e-12)),
            "{m:?}"
        );
        assert!(matches!(
            implied_mfu(3.6e18, 1e12, 100.0),
            Err(CostError::ImpossibleMfu { .. })
        ));
        assert_eq!(
            implied_mfu(3.6e18, 1e12, 0.0).err().and_then(|e| e.field()),
            Some("gpu_hours")
        );
    }
}
