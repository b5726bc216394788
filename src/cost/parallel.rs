//! Data-parallel training: how long the gradient all-reduce takes, how much of the GPUs'
//! speed survives it, and whether the training state fits in memory.
//!
//! Sources: the ring all-reduce volume 2(n−1)/n is from Patarasuk & Yuan, "Bandwidth optimal
//! all-reduce algorithms for clusters of workstations" (2009); 16 bytes per parameter for
//! mixed-precision Adam is from Rajbhandari et al., "ZeRO: Memory optimizations toward training
//! trillion parameter models" (2020), §3.1.

use super::error::{self, CostError};
use super::format::{Step, format_number};
use super::units::BYTES_PER_GB;

/// Bytes per parameter for mixed-precision Adam: BF16 weights (2) and gradients (2), FP32
/// master weights (4), and Adam's two FP32 moments (4 + 4). Activations are extra.
pub const ADAM_MIXED_PRECISION_BYTES_PER_PARAM: f64 = 16.0;

fn n(x: f64) -> String {
    format_number(x)
}

/// Whether gradient communication runs during the backward pass or after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommOverlap {
    /// All-reduce overlaps computation perfectly: step time = max(compute, all-reduce).
    #[default]
    Overlapped,
    /// All-reduce starts after computation: step time = compute + all-reduce.
    Sequential,
}

/// Inputs of a data-parallel step estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DataParallelInput {
    /// Parameters N, each with one gradient to all-reduce.
    pub params: f64,
    /// Bytes per gradient value: 2 for BF16, 4 for FP32.
    pub gradient_bytes_per_param: f64,
    /// Tokens each GPU processes per optimizer step (micro-batch × sequence length).
    pub tokens_per_gpu_per_step: f64,
    /// Dense peak FLOP/s of one GPU.
    pub peak_flop_per_s: f64,
    /// Fraction of peak one GPU achieves on its own computation, in (0, 1].
    pub mfu: f64,
    /// GPUs in the data-parallel group.
    pub gpu_count: u32,
    /// Link bandwidth per direction between neighbouring GPUs in the ring, bytes per second.
    pub link_bytes_per_s: f64,
    /// Whether communication overlaps computation.
    pub overlap: CommOverlap,
}

/// One data-parallel training step: compute time 6·N·tokens ÷ (peak × MFU), ring all-reduce
/// time 2(n−1)/n × gradient bytes ÷ link bandwidth, and the scaling efficiency
/// compute ÷ step time (1 means n GPUs are n times as fast as one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DataParallel {
    /// The inputs, after checking.
    pub input: DataParallelInput,
    /// Seconds of computation per step on each GPU.
    pub compute_s_per_step: f64,
    /// Bytes of gradients, N × bytes per gradient.
    pub gradient_bytes: f64,
    /// Bytes each GPU sends (and receives) per all-reduce, 2(n−1)/n × gradient bytes.
    pub allreduce_bytes_per_gpu: f64,
    /// Seconds per all-reduce.
    pub allreduce_s: f64,
    /// Seconds per step with communication.
    pub step_s: f64,
    /// Compute time ÷ step time, in (0, 1].
    pub scaling_efficiency: f64,
    /// Speed-up over one GPU, n × scaling efficiency.
    pub speedup: f64,
}

/// Estimates one [`DataParallel`] step.
pub fn data_parallel(input: &DataParallelInput) -> Result<DataParallel, CostError> {
    let params = error::positive("params", input.params)?;
    let gradient_bytes_per_param =
        error::positive("gradient_bytes_per_param", input.gradient_bytes_per_param)?;
    let tokens = error::positive("tokens_per_gpu_per_step", input.tokens_per_gpu_per_step)?;
    let peak = error::positive("peak_flop_per_s", input.peak_flop_per_s)?;
    let mfu = error::positive_fraction("mfu", input.mfu)?;
    let gpu_count = error::count("gpu_count", input.gpu_count)?;
    let link = error::positive("link_bytes_per_s", input.link_bytes_per_s)?;

    let flops = error::finite("step FLOPs", 6.0 * params * tokens)?;
    let compute_s = error::finite("compute time", flops / (peak * mfu))?;
    let gradient_bytes = error::finite("gradient bytes", params * gradient_bytes_per_param)?;
    let n_gpus = f64::from(gpu_count);
    let ring_factor = 2.0 * (n_gpus - 1.0) / n_gpus;
    let allreduce_bytes = ring_factor * gradient_bytes;
    let allreduce_s = error::finite("all-reduce time", allreduce_bytes / link)?;
    let step_s = match input.overlap {
        CommOverlap::Overlapped => compute_s.max(allreduce_s),
        CommOverlap::Sequential => compute_s + allreduce_s,
    };
    let step_s = error::finite("step time", step_s)?;
    // step_s ≥ compute_s > 0, so the ratio is in (0, 1]; it underflows to 0 only for absurd
    // inputs, which the check reports.
    let scaling_efficiency = compute_s / step_s;
    if scaling_efficiency <= 0.0 {
        return Err(CostError::OutOfRange {
            quantity: "scaling efficiency",
        });
    }
    Ok(DataParallel {
        input: DataParallelInput {
            params,
            gradient_bytes_per_param,
            tokens_per_gpu_per_step: tokens,
            peak_flop_per_s: peak,
            mfu,
            gpu_count,
            link_bytes_per_s: link,
            overlap: input.overlap,
        },
        compute_s_per_step: compute_s,
        gradient_bytes,
        allreduce_bytes_per_gpu: allreduce_bytes,
        allreduce_s,
        step_s,
        scaling_efficiency,
        speedup: n_gpus * scaling_efficiency,
    })
}

impl DataParallel {
    /// How each number was derived.
    pub fn steps(&self) -> Vec<Step> {
        let i = &self.input;
        let gb = |bytes: f64| n(bytes / BYTES_PER_GB);
        let (step_formula, step_formula_zh, step_substituted) = match i.overlap {
            CommOverlap::Overlapped => (
                "max(compute, all-reduce)",
                "max(计算, all-reduce)",
                format!(
                    "max({}, {})",
                    n(self.compute_s_per_step),
                    n(self.allreduce_s)
                ),
            ),
            CommOverlap::Sequential => (
                "compute + all-reduce",
                "计算 + all-reduce",
                format!("{} + {}", n(self.compute_s_per_step), n(self.allreduce_s)),
            ),
        };
        vec![
            Step {
                label_en: "Compute time per step",
                label_zh: "每步计算时间",
                formula: "6 · N · tokens ÷ (peak × MFU)",
                formula_zh: "6 · N · tokens ÷ (峰值 × MFU)",
                substituted: format!(
                    "6 × {} × {} ÷ ({} × {})",
                    n(i.params),
                    n(i.tokens_per_gpu_per_step),
                    n(i.peak_flop_per_s),
                    n(i.mfu)
                ),
                result: n(self.compute_s_per_step),
                unit_en: "s",
                unit_zh: "秒",
            },
            Step {
                label_en: "Gradient size",
                label_zh: "梯度大小",
                formula: "N × bytes per gradient",
                formula_zh: "N × 每个梯度的字节数",
                substituted: format!("{} × {}", n(i.params), n(i.gradient_bytes_per_param)),
                result: gb(self.gradient_bytes),
                unit_en: "GB",
                unit_zh: "GB",
            },
            Step {
                label_en: "All-reduce time",
                label_zh: "All-reduce 时间",
                formula: "2(n−1)/n × gradient bytes ÷ link bandwidth",
                formula_zh: "2(n−1)/n × 梯度字节数 ÷ 链路带宽",
                substituted: format!(
                    "2 × ({} − 1) ÷ {} × {} GB ÷ {} GB/s",
                    i.gpu_count,
                    i.gpu_count,
                    gb(self.gradient_bytes),
                    gb(i.link_bytes_per_s)
                ),
                result: n(self.allreduce_s),
                unit_en: "s",
                unit_zh: "秒",
            },
            Step {
                label_en: "Step time",
                label_zh: "每步时间",
                formula: step_formula,
                formula_zh: step_formula_zh,
                substituted: step_substituted,
                result: n(self.step_s),
                unit_en: "s",
                unit_zh: "秒",
            },
            Step {
                label_en: "Scaling efficiency",
                label_zh: "扩展效率",
                formula: "compute ÷ step time",
                formula_zh: "计算时间 ÷ 每步时间",
                substituted: format!("{} ÷ {}", n(self.compute_s_per_step), n(self.step_s)),
                result: n(self.scaling_efficiency),
                unit_en: "",
                unit_zh: "",
            },
            Step {
                label_en: "Speed-up over one GPU",
                label_zh: "相对单卡的加速比",
                formula: "n × efficiency",
                formula_zh: "n × 扩展效率",
                substituted: format!("{} × {}", i.gpu_count, n(self.scaling_efficiency)),
                result: n(self.speedup),
                unit_en: "×",
                unit_zh: "倍",
            },
        ]
    }
}

/// Inputs of a training-memory check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryCheckInput {
    /// Parameters N.
    pub params: f64,
    /// Bytes of weights, gradients and optimizer state per parameter
    /// ([`ADAM_MIXED_PRECISION_BYTES_PER_PARAM`] = 16 for mixed-precision Adam).
    pub bytes_per_param: f64,
    /// Memory of one GPU, bytes.
    pub gpu_memory_bytes: f64,
    /// GPUs available.
    pub gpu_count: u32,
}

/// Whether the model's training state fits: replicated on every GPU (plain data parallel),
/// or sharded evenly over all of them (ZeRO stage 3 / FSDP). Activations, which grow with the
/// batch and sequence length, come on top and are not counted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryCheck {
    /// The inputs, after checking.
    pub input: MemoryCheckInput,
    /// Training state, N × bytes per parameter.
    pub required_bytes: f64,
    /// Memory of all GPUs together.
    pub total_memory_bytes: f64,
    /// Training state per GPU when sharded over all GPUs.
    pub sharded_bytes_per_gpu: f64,
    /// The whole state fits on one GPU.
    pub fits_replicated: bool,
    /// The state fits when sharded over all GPUs.
    pub fits_sharded: bool,
    /// Fewest GPUs that hold the sharded state, ⌈required ÷ memory per GPU⌉.
    pub min_gpus_sharded: f64,
}

/// Runs a [`MemoryCheck`].
pub fn memory_check(input: &MemoryCheckInput) -> Result<MemoryCheck, CostError> {
    let params = error::positive("params", input.params)?;
    let bytes_per_param = error::positive("bytes_per_param", input.bytes_per_param)?;
    let gpu_memory_bytes = error::positive("gpu_memory_bytes", input.gpu_memory_bytes)?;
    let gpu_count = error::count("gpu_count", input.gpu_count)?;

    let required_bytes = error::finite("training memory", params * bytes_per_param)?;
    let total_memory_bytes =
        error::finite("total memory", gpu_memory_bytes * f64::from(gpu_count))?;
    let sharded_bytes_per_gpu = required_bytes / f64::from(gpu_count);
    let min_gpus_sharded = error::finite("GPU count", (required_bytes / gpu_memory_bytes).ceil())?;
    Ok(MemoryCheck {
        input: MemoryCheckInput {
            params,
            bytes_per_param,
            gpu_memory_bytes,
            gpu_count,
        },
        required_bytes,
        total_memory_bytes,
        sharded_bytes_per_gpu,
        fits_replicated: required_bytes <= gpu_memory_bytes,
        fits_sharded: required_bytes <= total_memory_bytes,
        min_gpus_sharded: min_gpus_sharded.max(1.0),
    })
}

impl MemoryCheck {
    /// How each number was derived.
    pub fn steps(&self) -> Vec<Step> {
        let i = &self.input;
        let gb = |bytes: f64| n(bytes / BYTES_PER_GB);
        vec![
            Step {
                label_en: "Training state",
                label_zh: "训练状态占用",
                formula: "N × bytes per parameter",
                formula_zh: "N × 每个参数的字节数",
                substituted: format!("{} × {}", n(i.params), n(i.bytes_per_param)),
                result: gb(self.required_bytes),
                unit_en: "GB",
                unit_zh: "GB",
            },
            Step {
                label_en: "Per GPU, sharded",
                label_zh: "分片后每块 GPU",
                formula: "training state ÷ GPUs",
                formula_zh: "训练状态 ÷ GPU 数",
                substituted: format!("{} GB ÷ {}", gb(self.required_bytes), i.gpu_count),
                result: gb(self.sharded_bytes_per_gpu),
                unit_en: "GB",
                unit_zh: "GB",
            },
            Step {
                label_en: "Fewest GPUs, sharded",
                label_zh: "分片所需最少 GPU 数",
                formula: "⌈training state ÷ memory per GPU⌉",
                formula_zh: "⌈训练状态 ÷ 单卡显存⌉",
                substituted: format!(
                    "⌈{} GB ÷ {} GB⌉",
                    gb(self.required_bytes),
                    gb(i.gpu_memory_bytes)
                ),
                result: n(self.min_gpus_sharded),
                unit_en: "GPUs",
                unit_zh: "块 GPU",
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel_close(a: f64, b: f64, tolerance: f64) -> bool {
        ((a - b) / b).abs() <= tolerance
    }

    fn dp(gpu_count: u32, overlap: CommOverlap) -> Result<DataParallel, CostError> {
        // 1e9 parameters, BF16 gradients (2 GB), 1e5 tokens per GPU per step at 1e15 × 0.6:
        // compute 6e14 ÷ 6e14 = 1 s; link 100 GB/s.
        data_parallel(&DataParallelInput {
            params: 1e9,
            gradient_bytes_per_param: 2.0,
            tokens_per_gpu_per_step: 1e5,
            peak_flop_per_s: 1e15,
            mfu: 0.6,
            gpu_count,
            link_bytes_per_s: 100e9,
            overlap,
        })
    }

    #[test]
    fn one_gpu_needs_no_all_reduce() {
        let d = dp(1, CommOverlap::Sequential)
            .map_err(|e| e.to_string())
            .expect("valid");
        assert_eq!(d.allreduce_s, 0.0);
        assert_eq!(d.scaling_efficiency, 1.0);
        assert_eq!(d.speedup, 1.0);
    }

    #[test]
    fn ring_all_reduce_time_and_efficiency() {
        // 8 GPUs: 2·7/8 × 2 GB = 3.5 GB ÷ 100 GB/s = 0.035 s.
        let d = dp(8, CommOverlap::Sequential)
            .map_err(|e| e.to_string())
            .expect("valid");
        assert!(rel_close(d.compute_s_per_step, 1.0, 1e-12));
        assert!(rel_close(d.allreduce_bytes_per_gpu, 3.5e9, 1e-12));
        assert!(rel_close(d.allreduce_s, 0.035, 1e-12));
        assert!(rel_close(d.step_s, 1.035, 1e-12));
        assert!(rel_close(d.scaling_efficiency, 1.0 / 1.035, 1e-12));
        assert!(rel_close(d.speedup, 8.0 / 1.035, 1e-12));
        // Overlapped, the all-reduce hides behind the 1 s of compute.
        let o = dp(8, CommOverlap::Overlapped)
            .map_err(|e| e.to_string())
            .expect("valid");
        assert_eq!(o.scaling_efficiency, 1.0);
        assert_eq!(o.steps().len(), 6);
    }

    #[test]
    fn slow_links_dominate_when_overlapped() {
        // PCIe-class 1 GB/s: 2·(1023/1024) × 2 GB ≈ 3.996 s of all-reduce per 1 s of compute.
        let mut input = dp(1024, CommOverlap::Overlapped)
            .map(|d| d.input)
            .map_err(|e| e.to_string())
            .expect("valid");
        input.link_bytes_per_s = 1e9;
        let d = data_parallel(&input)
            .map_err(|e| e.to_string())
            .expect("valid");
        assert!(rel_close(d.allreduce_s, 4.0 * 1023.0 / 1024.0, 1e-12));
        assert!(rel_close(d.scaling_efficiency, 1.0 / d.allreduce_s, 1e-12));
        input.link_bytes_per_s = 0.0;
        assert_eq!(
            data_parallel(&input).err().and_then(|e| e.field()),
            Some("link_bytes_per_s")
        );
    }

    #[test]
    fn adam_memory_check() {
        // 70e9 parameters × 16 bytes = 1,120 GB: not on one 80 GB GPU, sharded over 16 (1,280 GB) yes.
        let check = |gpu_count| {
            memory_check(&MemoryCheckInput {
                params: 70e9,
                bytes_per_param: ADAM_MIXED_PRECISION_BYTES_PER_PARAM,
                gpu_memory_bytes: 80e9,
                gpu_count,
            })
            .map_err(|e| e.to_string())
        };
        let m = check(16).expect("valid");
        assert!(rel_close(m.required_bytes, 1.12e12, 1e-12));
        assert!(!m.fits_replicated);
        assert!(m.fits_sharded);
        assert_eq!(m.min_gpus_sharded, 14.0);
        assert!(rel_close(m.sharded_bytes_per_gpu, 70e9, 1e-12));
        let m = check(8).expect("valid");
        assert!(!m.fits_sharded, "8 × 80 GB = 640 GB < 1,120 GB");
        assert_eq!(
            m.steps()[0].text_en(),
            "Training state: N × bytes per parameter = 7 × 10¹⁰ × 16 = 1,120 GB"
        );
        // A small model fits everywhere.
        let small = memory_check(&MemoryCheckInput {
            params: 101_770.0,
            bytes_per_param: 16.0,
            gpu_memory_bytes: 24e9,
            gpu_count: 1,
        });
        assert!(
            small.is_ok_and(|m| m.fits_replicated && m.fits_sharded && m.min_gpus_sharded == 1.0)
        );
    }
}
