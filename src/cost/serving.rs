//! Serving cost: how many tokens a GPU generates per second, what a million of them costs, and
//! the gross margin at the prices charged.
//!
//! Inference takes ≈ 2·N FLOPs per token (one multiply-add per weight; Kaplan et al., "Scaling
//! Laws for Neural Language Models" (2020), §2.1). Each decode step generates one token for
//! every sequence in the batch and reads all weights plus every sequence's KV cache from
//! memory, so the step takes the longer of the compute time and the memory time (the
//! "roofline" view: Williams, Waterman & Patterson, "Roofline" (2009); applied to LLM decoding
//! in Pope et al., "Efficiently Scaling Transformer Inference" (2022)).

use super::error::{self, CostError};
use super::format::{MoneyFormat, Step, format_number};
use super::input::InputError;
use super::units::{BYTES_PER_GB, PriceUnit, SECONDS_PER_HOUR};
use crate::lang::Lang;

/// FLOPs per parameter per generated or processed token: one multiply-add.
pub const INFERENCE_FLOPS_PER_PARAM_TOKEN: f64 = 2.0;

const TOKENS_PER_MILLION: f64 = 1e6;

fn n(x: f64) -> String {
    format_number(x)
}

/// KV-cache bytes per token of context: a key and a value vector per layer and KV head,
/// 2 × layers × KV heads × head dimension × bytes per value.
///
/// Llama 2 70B (80 layers, 8 KV heads of dimension 128, BF16) stores 327,680 bytes per token.
pub fn kv_cache_bytes_per_token(
    layers: u32,
    kv_heads: u32,
    head_dim: u32,
    bytes_per_value: f64,
) -> Result<f64, CostError> {
    let layers = error::count("layers", layers)?;
    let kv_heads = error::count("kv_heads", kv_heads)?;
    let head_dim = error::count("head_dim", head_dim)?;
    let bytes_per_value = error::positive("bytes_per_value", bytes_per_value)?;
    error::finite(
        "KV-cache size",
        2.0 * f64::from(layers) * f64::from(kv_heads) * f64::from(head_dim) * bytes_per_value,
    )
}

/// Inputs of a decode-throughput estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServingInput {
    /// Parameters N.
    pub params: f64,
    /// Bytes per weight as served: 2 for BF16, 1 for FP8/INT8, 0.5 for INT4.
    pub weight_bytes_per_param: f64,
    /// KV-cache bytes per token of context (see [`kv_cache_bytes_per_token`]).
    pub kv_cache_bytes_per_token: f64,
    /// Average tokens of context each sequence holds during decoding (prompt plus output so far).
    pub context_tokens: f64,
    /// Sequences decoded together, one token each per step.
    pub batch_size: u32,
    /// GPUs sharing the model (tensor parallel), assumed to split work and memory evenly.
    pub gpu_count: u32,
    /// Dense peak FLOP/s of one GPU at the serving precision.
    pub peak_flop_per_s: f64,
    /// Fraction of peak FLOP/s achieved when compute-bound, in (0, 1].
    pub mfu: f64,
    /// Peak memory bandwidth of one GPU, bytes per second.
    pub memory_bytes_per_s: f64,
    /// Memory of one GPU, bytes (for the fit check).
    pub memory_bytes: f64,
    /// Rental price of one GPU for one hour, in the page's currency.
    pub price_per_gpu_hour: f64,
}

/// Which limit sets the decode speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Arithmetic: the batch is large enough that FLOPs take longer than memory reads.
    Compute,
    /// Memory bandwidth: reading weights and KV cache takes longer than the arithmetic.
    MemoryBandwidth,
}

impl Bound {
    /// English name: "compute-bound" or "memory-bandwidth-bound".
    pub fn label_en(self) -> &'static str {
        match self {
            Bound::Compute => "compute-bound",
            Bound::MemoryBandwidth => "memory-bandwidth-bound",
        }
    }

    /// The name in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        lang.pick(self.label_zh(), self.label_en())
    }

    /// Chinese name: "受算力限制" or "受显存带宽限制".
    pub fn label_zh(self) -> &'static str {
        match self {
            Bound::Compute => "受算力限制",
            Bound::MemoryBandwidth => "受显存带宽限制",
        }
    }
}

/// Decode throughput and cost per token.
///
/// Per step: compute time = 2·N × batch ÷ (GPUs × peak × MFU); memory time = (weight bytes +
/// batch × context × KV bytes per token) ÷ (GPUs × bandwidth); step time = the larger.
/// Tokens/s per GPU = batch ÷ step time ÷ GPUs. Cost per 1M output tokens = price per
/// GPU-hour ÷ (tokens/s per GPU × 3600) × 10⁶. Input (prompt) tokens are processed in parallel
/// and compute-bound: cost per 1M input tokens = price per GPU-hour × 2·N × 10⁶ ÷ (peak × MFU ×
/// 3600). Bandwidth is the datasheet peak, so throughput is an upper bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Serving {
    /// The inputs, after checking.
    pub input: ServingInput,
    /// FLOPs per token, 2·N.
    pub flops_per_token: f64,
    /// Bytes of weights, N × bytes per weight.
    pub weight_bytes: f64,
    /// KV-cache bytes read per step, batch × context × bytes per token.
    pub kv_cache_bytes_per_step: f64,
    /// Seconds of arithmetic per step.
    pub compute_s_per_step: f64,
    /// Seconds of memory reads per step.
    pub memory_s_per_step: f64,
    /// Seconds per step, the larger of the two.
    pub step_s: f64,
    /// Which limit sets the step time.
    pub bound: Bound,
    /// Output tokens per second for the whole group of GPUs.
    pub tokens_per_s: f64,
    /// Output tokens per second per GPU.
    pub tokens_per_s_per_gpu: f64,
    /// Cost of one million output tokens, in the page's currency.
    pub output_cost_per_million_tokens: f64,
    /// Cost of one million input (prompt) tokens, in the page's currency.
    pub input_cost_per_million_tokens: f64,
    /// Memory the weights and the whole batch's KV cache need, bytes.
    pub memory_needed_bytes: f64,
    /// Whether that fits in the GPUs' memory together.
    pub fits_in_memory: bool,
}

/// Estimates [`Serving`] throughput and cost.
pub fn serving(input: &ServingInput) -> Result<Serving, CostError> {
    let params = error::positive("params", input.params)?;
    let weight_bytes_per_param =
        error::positive("weight_bytes_per_param", input.weight_bytes_per_param)?;
    let kv_bytes = error::non_negative("kv_cache_bytes_per_token", input.kv_cache_bytes_per_token)?;
    let context_tokens = error::non_negative("context_tokens", input.context_tokens)?;
    let batch_size = error::count("batch_size", input.batch_size)?;
    let gpu_count = error::count("gpu_count", input.gpu_count)?;
    let peak = error::positive("peak_flop_per_s", input.peak_flop_per_s)?;
    let mfu = error::positive_fraction("mfu", input.mfu)?;
    let bandwidth = error::positive("memory_bytes_per_s", input.memory_bytes_per_s)?;
    let memory_bytes = error::positive("memory_bytes", input.memory_bytes)?;
    let price = error::non_negative("price_per_gpu_hour", input.price_per_gpu_hour)?;

    let (batch, gpus) = (f64::from(batch_size), f64::from(gpu_count));
    let flops_per_token =
        error::finite("FLOPs per token", INFERENCE_FLOPS_PER_PARAM_TOKEN * params)?;
    let achieved = error::finite("achieved FLOP/s", gpus * peak * mfu)?;
    let compute_s = error::finite("compute time", flops_per_token * batch / achieved)?;
    let weight_bytes = error::finite("weight bytes", params * weight_bytes_per_param)?;
    let kv_step = error::finite("KV-cache bytes", batch * context_tokens * kv_bytes)?;
    let memory_needed = error::finite("memory needed", weight_bytes + kv_step)?;
    let memory_s = error::finite("memory time", memory_needed / (gpus * bandwidth))?;
    let (step_s, bound) = if compute_s >= memory_s {
        (compute_s, Bound::Compute)
    } else {
        (memory_s, Bound::MemoryBandwidth)
    };
    let tokens_per_s = error::finite("tokens per second", batch / step_s)?;
    let tokens_per_s_per_gpu = tokens_per_s / gpus;
    if tokens_per_s_per_gpu <= 0.0 {
        return Err(CostError::OutOfRange {
            quantity: "time per token",
        });
    }
    let output_cost = error::finite(
        "cost per 1M tokens",
        price / (tokens_per_s_per_gpu * SECONDS_PER_HOUR) * TOKENS_PER_MILLION,
    )?;
    let input_cost = error::finite(
        "cost per 1M input tokens",
        price * flops_per_token * TOKENS_PER_MILLION / (peak * mfu * SECONDS_PER_HOUR),
    )?;
    let total_memory = error::finite("total memory", memory_bytes * gpus)?;
    Ok(Serving {
        input: ServingInput {
            params,
            weight_bytes_per_param,
            kv_cache_bytes_per_token: kv_bytes,
            context_tokens,
            batch_size,
            gpu_count,
            peak_flop_per_s: peak,
            mfu,
            memory_bytes_per_s: bandwidth,
            memory_bytes,
            price_per_gpu_hour: price,
        },
        flops_per_token,
        weight_bytes,
        kv_cache_bytes_per_step: kv_step,
        compute_s_per_step: compute_s,
        memory_s_per_step: memory_s,
        step_s,
        bound,
        tokens_per_s,
        tokens_per_s_per_gpu,
        output_cost_per_million_tokens: output_cost,
        input_cost_per_million_tokens: input_cost,
        memory_needed_bytes: memory_needed,
        fits_in_memory: memory_needed <= total_memory,
    })
}

impl Serving {
    /// How each number was derived; money is written as `money` says.
    pub fn steps(&self, money: MoneyFormat) -> Vec<Step> {
        let i = &self.input;
        let gb = |bytes: f64| n(bytes / BYTES_PER_GB);
        vec![
            Step {
                label_en: "FLOPs per token",
                label_zh: "每个 token 的计算量",
                formula: "2 · N",
                formula_zh: "2 · N",
                substituted: format!("2 × {}", n(i.params)),
                result: n(self.flops_per_token),
                unit_en: "FLOPs",
                unit_zh: "FLOPs",
            },
            Step {
                label_en: "Compute time per step",
                label_zh: "每步计算时间",
                formula: "2 · N × batch ÷ (GPUs × peak × MFU)",
                formula_zh: "2 · N × 批大小 ÷ (GPU 数 × 峰值 × MFU)",
                substituted: format!(
                    "{} × {} ÷ ({} × {} × {})",
                    n(self.flops_per_token),
                    i.batch_size,
                    i.gpu_count,
                    n(i.peak_flop_per_s),
                    n(i.mfu)
                ),
                result: n(self.compute_s_per_step),
                unit_en: "s",
                unit_zh: "秒",
            },
            Step {
                label_en: "Bytes read per step",
                label_zh: "每步读取的字节数",
                formula: "N × bytes per weight + batch × context × KV bytes per token",
                formula_zh: "N × 每个权重的字节数 + 批大小 × 上下文长度 × 每 token 的 KV 字节数",
                substituted: format!(
                    "{} × {} + {} × {} × {}",
                    n(i.params),
                    n(i.weight_bytes_per_param),
                    i.batch_size,
                    n(i.context_tokens),
                    n(i.kv_cache_bytes_per_token)
                ),
                result: gb(self.memory_needed_bytes),
                unit_en: "GB",
                unit_zh: "GB",
            },
            Step {
                label_en: "Memory time per step",
                label_zh: "每步访存时间",
                formula: "bytes read ÷ (GPUs × bandwidth)",
                formula_zh: "读取字节数 ÷ (GPU 数 × 带宽)",
                substituted: format!(
                    "{} GB ÷ ({} × {} GB/s)",
                    gb(self.memory_needed_bytes),
                    i.gpu_count,
                    gb(i.memory_bytes_per_s)
                ),
                result: n(self.memory_s_per_step),
                unit_en: "s",
                unit_zh: "秒",
            },
            Step {
                label_en: "Step time",
                label_zh: "每步时间",
                formula: "max(compute, memory)",
                formula_zh: "max(计算, 访存)",
                substituted: format!(
                    "max({}, {})",
                    n(self.compute_s_per_step),
                    n(self.memory_s_per_step)
                ),
                result: n(self.step_s),
                unit_en: "s",
                unit_zh: "秒",
            },
            Step {
                label_en: "Tokens/s per GPU",
                label_zh: "每块 GPU 每秒 token 数",
                formula: "batch ÷ step time ÷ GPUs",
                formula_zh: "批大小 ÷ 每步时间 ÷ GPU 数",
                substituted: format!("{} ÷ {} ÷ {}", i.batch_size, n(self.step_s), i.gpu_count),
                result: n(self.tokens_per_s_per_gpu),
                unit_en: "tokens/s",
                unit_zh: "tokens/秒",
            },
            Step {
                label_en: "Cost per 1M output tokens",
                label_zh: "每百万输出 token 成本",
                formula: "price per GPU-hour ÷ (tokens/s per GPU × 3600) × 10⁶",
                formula_zh: "每 GPU 小时价格 ÷ (单卡每秒 token 数 × 3600) × 10⁶",
                substituted: format!(
                    "{} ÷ ({} × 3600) × 10⁶",
                    money.amount(i.price_per_gpu_hour),
                    n(self.tokens_per_s_per_gpu)
                ),
                result: money.amount(self.output_cost_per_million_tokens),
                unit_en: "",
                unit_zh: "",
            },
            Step {
                label_en: "Cost per 1M input tokens",
                label_zh: "每百万输入 token 成本",
                formula: "price per GPU-hour × 2 · N × 10⁶ ÷ (peak × MFU × 3600)",
                formula_zh: "每 GPU 小时价格 × 2 · N × 10⁶ ÷ (峰值 × MFU × 3600)",
                substituted: format!(
                    "{} × {} × 10⁶ ÷ ({} × {} × 3600)",
                    money.amount(i.price_per_gpu_hour),
                    n(self.flops_per_token),
                    n(i.peak_flop_per_s),
                    n(i.mfu)
                ),
                result: money.amount(self.input_cost_per_million_tokens),
                unit_en: "",
                unit_zh: "",
            },
        ]
    }
}

/// The cost of a number of tokens at a quoted price: price × tokens ÷ tokens per priced unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenCost {
    /// The price as quoted.
    pub price: f64,
    /// The quantity the price is quoted per.
    pub unit: PriceUnit,
    /// Tokens bought.
    pub tokens: f64,
    /// What they cost, in the price's currency.
    pub cost: f64,
}

/// Prices `tokens` tokens at `price` per `unit`.
pub fn cost_for_tokens(price: f64, unit: PriceUnit, tokens: f64) -> Result<TokenCost, CostError> {
    let price = error::non_negative("price", price)?;
    let tokens = error::non_negative("tokens", tokens)?;
    let cost = error::finite("cost", price * tokens / f64::from(unit.tokens()))?;
    Ok(TokenCost {
        price,
        unit,
        tokens,
        cost,
    })
}

impl TokenCost {
    /// How the cost was derived; money is written as `money` says.
    pub fn steps(&self, money: MoneyFormat) -> Vec<Step> {
        vec![Step {
            label_en: "Cost",
            label_zh: "费用",
            formula: "price × tokens ÷ tokens per priced unit",
            formula_zh: "价格 × token 数 ÷ 计价单位的 token 数",
            substituted: format!(
                "{} × {} ÷ {}",
                money.price(self.price, self.unit),
                n(self.tokens),
                n(f64::from(self.unit.tokens()))
            ),
            result: money.amount(self.cost),
            unit_en: "",
            unit_zh: "",
        }]
    }
}

/// Inputs of a gross-margin estimate: prices charged, costs of serving, and the token mix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GrossMarginInput {
    /// Price charged for input (prompt) tokens, per `price_unit`.
    pub input_price: f64,
    /// Price charged for output (generated) tokens, per `price_unit`.
    pub output_price: f64,
    /// The quantity both prices are quoted per.
    pub price_unit: PriceUnit,
    /// Cost of serving one million input tokens (e.g. [`Serving::input_cost_per_million_tokens`]).
    pub input_cost_per_million_tokens: f64,
    /// Cost of serving one million output tokens (e.g. [`Serving::output_cost_per_million_tokens`]).
    pub output_cost_per_million_tokens: f64,
    /// Input tokens in a typical request (only the ratio to output tokens matters).
    pub input_tokens: f64,
    /// Output tokens in a typical request.
    pub output_tokens: f64,
}

/// Gross margin of a typical request: revenue = Σ tokens × price, cost = Σ tokens × cost,
/// margin = (revenue − cost) ÷ revenue. A negative margin means serving loses money.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GrossMargin {
    /// The inputs, after checking.
    pub input: GrossMarginInput,
    /// Input price converted to per 1M tokens.
    pub input_price_per_million_tokens: f64,
    /// Output price converted to per 1M tokens.
    pub output_price_per_million_tokens: f64,
    /// Revenue of one request.
    pub revenue: f64,
    /// Serving cost of one request.
    pub cost: f64,
    /// Revenue − cost.
    pub gross_profit: f64,
    /// Gross profit ÷ revenue; at most 1, negative when cost exceeds revenue.
    pub gross_margin: f64,
}

/// Computes the [`GrossMargin`] of a typical request. Revenue must be positive, so at least one
/// price and its token count must be above 0.
pub fn gross_margin(input: &GrossMarginInput) -> Result<GrossMargin, CostError> {
    let input_price = error::non_negative("input_price", input.input_price)?;
    let output_price = error::non_negative("output_price", input.output_price)?;
    let input_cost = error::non_negative(
        "input_cost_per_million_tokens",
        input.input_cost_per_million_tokens,
    )?;
    let output_cost = error::non_negative(
        "output_cost_per_million_tokens",
        input.output_cost_per_million_tokens,
    )?;
    let input_tokens = error::non_negative("input_tokens", input.input_tokens)?;
    let output_tokens = error::non_negative("output_tokens", input.output_tokens)?;

    let unit = input.price_unit;
    let input_price_m = unit.convert(input_price, PriceUnit::PerMillionTokens);
    let output_price_m = unit.convert(output_price, PriceUnit::PerMillionTokens);
    let revenue = error::finite(
        "revenue",
        (input_tokens * input_price_m + output_tokens * output_price_m) / TOKENS_PER_MILLION,
    )?;
    if revenue <= 0.0 {
        // Point at the field to fix: no tokens at all, or a zero price on the tokens sold.
        let (field, value) = if input_tokens + output_tokens == 0.0 {
            ("output_tokens", output_tokens)
        } else if output_tokens > 0.0 {
            ("output_price", output_price)
        } else {
            ("input_price", input_price)
        };
        return Err(CostError::Input {
            field,
            source: InputError::NotPositive { value },
        });
    }
    let cost = error::finite(
        "serving cost",
        (input_tokens * input_cost + output_tokens * output_cost) / TOKENS_PER_MILLION,
    )?;
    let gross_profit = revenue - cost;
    let gross_margin = error::finite("gross margin", gross_profit / revenue)?;
    Ok(GrossMargin {
        input: GrossMarginInput {
            input_price,
            output_price,
            price_unit: unit,
            input_cost_per_million_tokens: input_cost,
            output_cost_per_million_tokens: output_cost,
            input_tokens,
            output_tokens,
        },
        input_price_per_million_tokens: input_price_m,
        output_price_per_million_tokens: output_price_m,
        revenue,
        cost,
        gross_profit,
        gross_margin,
    })
}

impl GrossMargin {
    /// How each number was derived; money is written as `money` says.
    pub fn steps(&self, money: MoneyFormat) -> Vec<Step> {
        let i = &self.input;
        let m = |x: f64| money.amount(x);
        let mut steps = Vec::new();
        if i.price_unit != PriceUnit::PerMillionTokens {
            steps.push(Step {
                label_en: "Output price per 1M tokens",
                label_zh: "每百万输出 token 价格",
                formula: "price × 10⁶ ÷ tokens per priced unit",
                formula_zh: "价格 × 10⁶ ÷ 计价单位的 token 数",
                substituted: format!(
                    "{} × 10⁶ ÷ {}",
                    money.price(i.output_price, i.price_unit),
                    n(f64::from(i.price_unit.tokens()))
                ),
                result: money.price(
                    self.output_price_per_million_tokens,
                    PriceUnit::PerMillionTokens,
                ),
                unit_en: "",
                unit_zh: "",
            });
        }
        steps.extend([
            Step {
                label_en: "Revenue per request",
                label_zh: "每个请求的收入",
                formula: "(input tokens × input price + output tokens × output price) ÷ 10⁶",
                formula_zh: "(输入 token 数 × 输入价格 + 输出 token 数 × 输出价格) ÷ 10⁶",
                substituted: format!(
                    "({} × {} + {} × {}) ÷ 10⁶",
                    n(i.input_tokens),
                    m(self.input_price_per_million_tokens),
                    n(i.output_tokens),
                    m(self.output_price_per_million_tokens)
                ),
                result: m(self.revenue),
                unit_en: "",
                unit_zh: "",
            },
            Step {
                label_en: "Serving cost per request",
                label_zh: "每个请求的服务成本",
                formula: "(input tokens × input cost + output tokens × output cost) ÷ 10⁶",
                formula_zh: "(输入 token 数 × 输入成本 + 输出 token 数 × 输出成本) ÷ 10⁶",
                substituted: format!(
                    "({} × {} + {} × {}) ÷ 10⁶",
                    n(i.input_tokens),
                    m(i.input_cost_per_million_tokens),
                    n(i.output_tokens),
                    m(i.output_cost_per_million_tokens)
                ),
                result: m(self.cost),
                unit_en: "",
                unit_zh: "",
            },
            Step {
                label_en: "Gross margin",
                label_zh: "毛利率",
                formula: "(revenue − cost) ÷ revenue",
                formula_zh: "(收入 − 成本) ÷ 收入",
                substituted: format!(
                    "({} − {}) ÷ {}",
                    m(self.revenue),
                    m(self.cost),
                    m(self.revenue)
                ),
                result: n(self.gross_margin),
                unit_en: "",
                unit_zh: "",
            },
        ]);
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::accelerators::{Precision, find_accelerator};
    use crate::cost::units::Currency;

    fn rel_close(a: f64, b: f64, tolerance: f64) -> bool {
        ((a - b) / b).abs() <= tolerance
    }

    fn base() -> ServingInput {
        // 1e9 parameters in BF16 (2 GB), no KV cache, one GPU at 1e15 FLOP/s × 0.5 and 1e12 B/s.
        ServingInput {
            params: 1e9,
            weight_bytes_per_param: 2.0,
            kv_cache_bytes_per_token: 0.0,
            context_tokens: 0.0,
            batch_size: 1,
            gpu_count: 1,
            peak_flop_per_s: 1e15,
            mfu: 0.5,
            memory_bytes_per_s: 1e12,
            memory_bytes: 80e9,
            price_per_gpu_hour: 3.6,
        }
    }

    #[test]
    fn batch_one_is_memory_bound() {
        // Memory: 2e9 B ÷ 1e12 B/s = 2 ms; compute: 2e9 ÷ 5e14 = 4 µs. 500 tokens/s.
        let s = serving(&base()).map_err(|e| e.to_string()).expect("valid");
        assert_eq!(s.bound, Bound::MemoryBandwidth);
        assert!(rel_close(s.memory_s_per_step, 2e-3, 1e-12));
        assert!(rel_close(s.compute_s_per_step, 4e-6, 1e-12));
        assert!(rel_close(s.tokens_per_s_per_gpu, 500.0, 1e-12));
        // $3.60/hour ÷ (500 × 3600 tokens/hour) × 1e6 = $2 per 1M output tokens.
        assert!(rel_close(s.output_cost_per_million_tokens, 2.0, 1e-12));
        // Input: $3.60 × 2e9 × 1e6 ÷ (5e14 × 3600) = $0.004 per 1M input tokens.
        assert!(rel_close(s.input_cost_per_million_tokens, 0.004, 1e-12));
        assert!(s.fits_in_memory);
        assert_eq!(s.steps(MoneyFormat::en(Currency::Usd)).len(), 8);
    }

    #[test]
    fn large_batches_become_compute_bound() {
        // Batch 1,000: compute 2e12 ÷ 5e14 = 4 ms > memory 2 ms. 250,000 tokens/s.
        let s = serving(&ServingInput {
            batch_size: 1000,
            ..base()
        })
        .map_err(|e| e.to_string())
        .expect("valid");
        assert_eq!(s.bound, Bound::Compute);
        assert!(rel_close(s.tokens_per_s_per_gpu, 250_000.0, 1e-12));
        // Compute-bound output tokens cost the same as input tokens.
        assert!(rel_close(
            s.output_cost_per_million_tokens,
            s.input_cost_per_million_tokens,
            1e-12
        ));
    }

    #[test]
    fn kv_cache_adds_to_the_bytes_read() {
        // 64 sequences × 1,000 tokens × 1e5 B = 6.4 GB of KV cache + 2 GB of weights.
        let s = serving(&ServingInput {
            batch_size: 64,
            context_tokens: 1000.0,
            kv_cache_bytes_per_token: 1e5,
            ..base()
        })
        .map_err(|e| e.to_string())
        .expect("valid");
        assert!(rel_close(s.memory_needed_bytes, 8.4e9, 1e-12));
        assert!(rel_close(s.memory_s_per_step, 8.4e-3, 1e-12));
        assert!(rel_close(s.tokens_per_s_per_gpu, 64.0 / 8.4e-3, 1e-12));
    }

    #[test]
    fn llama_2_70b_on_h100s() {
        // Llama 2 70B (Touvron et al. 2023, table 1 and §2.2: 80 layers, GQA with 8 KV heads,
        // head dimension 128) in BF16 on 2 H100 SXM: 140 GB of weights fit in 160 GB.
        let kv = kv_cache_bytes_per_token(80, 8, 128, 2.0).map_err(|e| e.to_string());
        assert_eq!(kv, Ok(327_680.0));
        let h100 = find_accelerator("h100-sxm").copied().expect("in the table");
        let s = serving(&ServingInput {
            params: 70e9,
            weight_bytes_per_param: 2.0,
            kv_cache_bytes_per_token: 327_680.0,
            context_tokens: 2048.0,
            batch_size: 16,
            gpu_count: 2,
            peak_flop_per_s: h100.peak_flop_per_s(Precision::Bf16).unwrap_or(0.0),
            mfu: 0.5,
            memory_bytes_per_s: h100.memory_bytes_per_s,
            memory_bytes: h100.memory_bytes,
            price_per_gpu_hour: 2.0,
        })
        .map_err(|e| e.to_string())
        .expect("valid");
        // 140e9 + 16 × 2048 × 327,680 ≈ 150.7 GB read per step over 2 × 3.35 TB/s ≈ 22.5 ms.
        assert!(rel_close(
            s.memory_needed_bytes,
            140e9 + 16.0 * 2048.0 * 327_680.0,
            1e-12
        ));
        assert_eq!(s.bound, Bound::MemoryBandwidth);
        assert!(rel_close(s.step_s, s.memory_needed_bytes / 6.7e12, 1e-12));
        assert!(s.fits_in_memory);
        assert!(
            !serving(&ServingInput {
                gpu_count: 1,
                ..s.input
            })
            .is_ok_and(|s| s.fits_in_memory)
        );
    }

    #[test]
    fn serving_rejects_bad_inputs() {
        let field = |input: ServingInput| serving(&input).err().and_then(|e| e.field());
        assert_eq!(
            field(ServingInput {
                params: 0.0,
                ..base()
            }),
            Some("params")
        );
        assert_eq!(
            field(ServingInput {
                batch_size: 0,
                ..base()
            }),
            Some("batch_size")
        );
        assert_eq!(field(ServingInput { mfu: 0.0, ..base() }), Some("mfu"));
        assert_eq!(
            field(ServingInput {
                memory_bytes_per_s: 0.0,
                ..base()
            }),
            Some("memory_bytes_per_s")
        );
        assert_eq!(
            field(ServingInput {
                context_tokens: -1.0,
                ..base()
            }),
            Some("context_tokens")
        );
        assert_eq!(
            field(ServingInput {
                price_per_gpu_hour: -3.0,
                ..base()
            }),
            Some("price_per_gpu_hour")
        );
        assert!(kv_cache_bytes_per_token(0, 8, 128, 2.0).is_err());
    }

    #[test]
    fn token_cost_in_every_unit() {
        use PriceUnit::*;
        // The same price in three units gives the same cost for 2,000,000 tokens.
        for (price, unit) in [
            (0.15, PerMillionTokens),
            (0.000_15, PerThousandTokens),
            (1.5e-7, PerToken),
        ] {
            let c = cost_for_tokens(price, unit, 2e6).map_err(|e| e.to_string());
            assert!(
                c.as_ref().is_ok_and(|c| rel_close(c.cost, 0.3, 1e-12)),
                "{unit:?}: {c:?}"
            );
        }
        let c = cost_for_tokens(0.15, PerMillionTokens, 2e6)
            .map_err(|e| e.to_string())
            .expect("valid");
        assert_eq!(
            c.steps(MoneyFormat::en(Currency::Usd))[0].text_en(),
            "Cost: price × tokens ÷ tokens per priced unit = $0.15 per 1M tokens × 2 × 10⁶ ÷ 1 × 10⁶ = $0.30"
        );
        assert_eq!(
            cost_for_tokens(-1.0, PerToken, 5.0)
                .err()
                .and_then(|e| e.field()),
            Some("price")
        );
        assert_eq!(cost_for_tokens(1.0, PerToken, 0.0).map(|c| c.cost), Ok(0.0));
    }

    fn margin_input() -> GrossMarginInput {
        // Charge $1 per 1M input and $4 per 1M output tokens; serving costs $0.10 and $2.
        GrossMarginInput {
            input_price: 1.0,
            output_price: 4.0,
            price_unit: PriceUnit::PerMillionTokens,
            input_cost_per_million_tokens: 0.1,
            output_cost_per_million_tokens: 2.0,
            input_tokens: 3000.0,
            output_tokens: 1000.0,
        }
    }

    #[test]
    fn gross_margin_of_a_request() {
        // Revenue (3000 × 1 + 1000 × 4) ÷ 1e6 = $0.007; cost (300 + 2000) ÷ 1e6 = $0.0023.
        let g = gross_margin(&margin_input())
            .map_err(|e| e.to_string())
            .expect("valid");
        assert!(rel_close(g.revenue, 0.007, 1e-12));
        assert!(rel_close(g.cost, 0.0023, 1e-12));
        assert!(rel_close(g.gross_margin, 0.0047 / 0.007, 1e-12));
        // The same prices quoted per 1K tokens give the same margin.
        let k = gross_margin(&GrossMarginInput {
            input_price: 0.001,
            output_price: 0.004,
            price_unit: PriceUnit::PerThousandTokens,
            ..margin_input()
        })
        .map_err(|e| e.to_string())
        .expect("valid");
        assert!(rel_close(k.gross_margin, g.gross_margin, 1e-12));
        assert_eq!(
            k.steps(MoneyFormat::en(Currency::Usd)).len(),
            4,
            "a conversion step when not per 1M"
        );
        assert_eq!(g.steps(MoneyFormat::en(Currency::Usd)).len(), 3);
    }

    #[test]
    fn selling_below_cost_gives_a_negative_margin() {
        let g = gross_margin(&GrossMarginInput {
            output_price: 1.0,
            ..margin_input()
        });
        // Revenue $0.004, cost $0.0023 → still positive; at $0.5 output it turns negative.
        assert!(g.is_ok_and(|g| g.gross_margin > 0.0));
        let g = gross_margin(&GrossMarginInput {
            input_price: 0.0,
            output_price: 0.5,
            ..margin_input()
        });
        assert!(g.is_ok_and(|g| rel_close(g.gross_margin, (0.0005 - 0.0023) / 0.0005, 1e-12)));
    }

    #[test]
    fn zero_revenue_is_refused() {
        let field = |input: GrossMarginInput| gross_margin(&input).err().and_then(|e| e.field());
        let free = GrossMarginInput {
            input_price: 0.0,
            output_price: 0.0,
            ..margin_input()
        };
        assert_eq!(field(free), Some("output_price"));
        let no_tokens = GrossMarginInput {
            input_tokens: 0.0,
            output_tokens: 0.0,
            ..margin_input()
        };
        assert_eq!(field(no_tokens), Some("output_tokens"));
        let input_only = GrossMarginInput {
            input_price: 0.0,
            output_tokens: 0.0,
            ..margin_input()
        };
        assert_eq!(field(input_only), Some("input_price"));
        assert_eq!(
            field(GrossMarginInput {
                output_price: -1.0,
                ..margin_input()
            }),
            Some("output_price")
        );
    }
}
