//! The serving-cost section: decode tokens/s per GPU (the smaller of the compute and the
//! memory-bandwidth bound), cost per 1M input and output tokens, and gross margin at the prices
//! charged, in whichever price unit the reader quotes.

use leptos::prelude::*;

use crate::cost::format::format_number;
use crate::cost::serving::{
    GrossMargin, GrossMarginInput, Serving, ServingInput, gross_margin, kv_cache_bytes_per_token,
    serving,
};
use crate::cost::units::{BYTES_PER_GB, PriceUnit};
use crate::lang::Lang;
use crate::ui::cost_model::charts::BatchChart;
use crate::ui::cost_model::hardware::{HardwareFields, HardwareInputs, HardwareKeys};
use crate::ui::cost_model::widgets::{
    Choice, Derivation, ErrorLine, Formula, Kind, Out, Outcome, SelectField, count, error_of,
    fraction, money_format, non_negative, positive,
};
use crate::ui::field::{NumberField, NumberInput};
use crate::ui::i18n::{T, lang};
use crate::ui::url_state::UrlState;

const KEYS: HardwareKeys = HardwareKeys {
    accelerator: "serving-accelerator",
    precision: "serving-precision",
    peak: "serving-custom-peak",
    memory: "serving-custom-memory",
    bandwidth: "serving-custom-bandwidth",
};

/// The serving section's inputs, registered in the URL under their element ids.
#[derive(Clone, Copy)]
pub struct ServingInputs {
    /// Parameters N.
    pub params: NumberInput,
    /// Bytes per weight as served.
    pub weight_bytes: NumberInput,
    /// KV-cache bytes per token of context.
    pub kv_bytes: NumberInput,
    /// KV helper: layers.
    pub layers: NumberInput,
    /// KV helper: KV heads.
    pub kv_heads: NumberInput,
    /// KV helper: head dimension.
    pub head_dim: NumberInput,
    /// KV helper: bytes per cached value.
    pub kv_value_bytes: NumberInput,
    /// Average context tokens per sequence.
    pub context: NumberInput,
    /// Sequences decoded together.
    pub batch: NumberInput,
    /// GPUs sharing the model.
    pub gpus: NumberInput,
    /// Accelerator and precision.
    pub hardware: HardwareInputs,
    /// MFU when compute-bound.
    pub mfu: NumberInput,
    /// Rental price of one GPU for one hour.
    pub gpu_price: NumberInput,
    /// Price charged for input tokens, per `price_unit`.
    pub input_price: NumberInput,
    /// Price charged for output tokens, per `price_unit`.
    pub output_price: NumberInput,
    /// Price unit code (`1m`, `1k`, `1`).
    pub price_unit: RwSignal<String>,
    /// Input tokens in a typical request.
    pub input_tokens: NumberInput,
    /// Output tokens in a typical request.
    pub output_tokens: NumberInput,
}

impl ServingInputs {
    /// Registers every field. Defaults: a Llama-2-7B-like model (7e9 parameters, BF16 weights,
    /// 32 layers × 32 KV heads × 128 dims → 524,288 KV bytes per token) decoding 16 sequences
    /// of 2,048 tokens on one H100 SXM at $2.50 per GPU-hour, sold at $0.20 / $0.60 per 1M
    /// input / output tokens, 1,000 input and 250 output tokens per request.
    pub fn new(url: &mut UrlState) -> Self {
        Self {
            params: url.number("serving-params", "7e9", positive),
            weight_bytes: url.number("serving-weight-bytes", "2", positive),
            kv_bytes: url.number("serving-kv-bytes", "524288", non_negative),
            layers: url.number("serving-layers", "32", count),
            kv_heads: url.number("serving-kv-heads", "32", count),
            head_dim: url.number("serving-head-dim", "128", count),
            kv_value_bytes: url.number("serving-kv-value-bytes", "2", positive),
            context: url.number("serving-context", "2048", non_negative),
            batch: url.number("serving-batch", "16", count),
            gpus: url.number("serving-gpus", "1", count),
            hardware: HardwareInputs::new(url, &KEYS, "h100-sxm", "bf16"),
            mfu: url.number("serving-mfu", "0.5", fraction),
            gpu_price: url.number("serving-gpu-price", "2.5", non_negative),
            input_price: url.number("serving-input-price", "0.2", non_negative),
            output_price: url.number("serving-output-price", "0.6", non_negative),
            price_unit: url.text(
                "serving-price-unit",
                PriceUnit::PerMillionTokens.code(),
                |u| PriceUnit::ALL.iter().any(|p| p.code() == u),
            ),
            input_tokens: url.number("serving-input-tokens", "1000", non_negative),
            output_tokens: url.number("serving-output-tokens", "250", non_negative),
        }
    }
}

/// The section's results; `output_cost` (per 1M output tokens) feeds the price-war section.
#[derive(Clone, Copy)]
pub struct ServingResults {
    /// The serving estimate at the current inputs.
    pub serving: Memo<Outcome<Serving>>,
    margin: Memo<Outcome<GrossMargin>>,
    /// Cost of one million output tokens, in the page's currency.
    pub output_cost: Signal<Option<f64>>,
}

/// Builds the section's memos over `inputs`.
pub fn serving_results(inputs: ServingInputs) -> ServingResults {
    let i = inputs;
    let hardware = i.hardware.resolve();
    let serving = Memo::new(move |_| -> Outcome<Serving> {
        let hw = hardware.get()?;
        let v = |n: NumberInput| n.value.get().map_err(|_| None);
        serving(&ServingInput {
            params: v(i.params)?,
            weight_bytes_per_param: v(i.weight_bytes)?,
            kv_cache_bytes_per_token: v(i.kv_bytes)?,
            context_tokens: v(i.context)?,
            batch_size: v(i.batch)? as u32,
            gpu_count: v(i.gpus)? as u32,
            peak_flop_per_s: hw.peak_flop_per_s,
            mfu: v(i.mfu)?,
            memory_bytes_per_s: hw.memory_bytes_per_s,
            memory_bytes: hw.memory_bytes,
            price_per_gpu_hour: v(i.gpu_price)?,
        })
        .map_err(Some)
    });
    let margin = Memo::new(move |_| -> Outcome<GrossMargin> {
        let s = serving.get()?;
        let v = |n: NumberInput| n.value.get().map_err(|_| None);
        let unit = PriceUnit::from_code(&i.price_unit.get()).unwrap_or_default();
        gross_margin(&GrossMarginInput {
            input_price: v(i.input_price)?,
            output_price: v(i.output_price)?,
            price_unit: unit,
            input_cost_per_million_tokens: s.input_cost_per_million_tokens,
            output_cost_per_million_tokens: s.output_cost_per_million_tokens,
            input_tokens: v(i.input_tokens)?,
            output_tokens: v(i.output_tokens)?,
        })
        .map_err(Some)
    });
    let output_cost = Signal::derive(move || {
        serving.with(|s| s.as_ref().ok().map(|s| s.output_cost_per_million_tokens))
    });
    ServingResults {
        serving,
        margin,
        output_cost,
    }
}

fn pick_serving(r: ServingResults, f: fn(&Serving) -> f64) -> Signal<Option<f64>> {
    Signal::derive(move || r.serving.with(|s| s.as_ref().ok().map(f)))
}

/// The serving-cost section.
#[component]
pub fn ServingSection(inputs: ServingInputs, results: ServingResults) -> impl IntoView {
    let i = inputs;
    let r = results;
    let unit = Memo::new(move |_| PriceUnit::from_code(&i.price_unit.get()).unwrap_or_default());
    let unit_choices = PriceUnit::ALL
        .iter()
        .map(|u| Choice::new(u.code(), u.label_zh(), u.label_en()))
        .collect();
    let kv_helper = Memo::new(move |_| {
        let (Ok(l), Ok(h), Ok(d), Ok(b)) = (
            i.layers.value.get(),
            i.kv_heads.value.get(),
            i.head_dim.value.get(),
            i.kv_value_bytes.value.get(),
        ) else {
            return None;
        };
        kv_cache_bytes_per_token(l as u32, h as u32, d as u32, b).ok()
    });
    let use_kv = move |_| {
        if let Some(bytes) = kv_helper.get_untracked() {
            i.kv_bytes.text.set(format!("{bytes}"));
        }
    };
    let bound = move || {
        r.serving.with(|s| match s {
            Ok(s) => (s.bound.label_en(), s.bound.label(lang())),
            Err(_) => ("", "—"),
        })
    };
    let fits = move || {
        r.serving.with(|s| match (s, lang()) {
            (Ok(s), Lang::Zh) if s.fits_in_memory => "显存放得下".to_owned(),
            (Ok(s), Lang::En) if s.fits_in_memory => "fits in the GPUs' memory".to_owned(),
            (Ok(s), Lang::Zh) => format!(
                "放不下：需要 {} GB",
                format_number(s.memory_needed_bytes / BYTES_PER_GB)
            ),
            (Ok(s), Lang::En) => format!(
                "does not fit: needs {} GB",
                format_number(s.memory_needed_bytes / BYTES_PER_GB)
            ),
            (Err(_), _) => "—".to_owned(),
        })
    };
    // Shows the unit beside every price field as it is now.
    let price_unit_text = move || {
        let example = money_format().price(1.0, unit.get());
        match lang() {
            Lang::Zh => format!("例：{example}"),
            Lang::En => format!("e.g. {example}"),
        }
    };
    let steps = Signal::derive(move || {
        let c = money_format();
        let mut steps = Vec::new();
        r.serving
            .with(|x| x.iter().for_each(|x| steps.extend(x.steps(c))));
        r.margin
            .with(|x| x.iter().for_each(|x| steps.extend(x.steps(c))));
        steps
    });
    let margin_value =
        Signal::derive(move || r.margin.with(|m| m.as_ref().ok().map(|m| m.gross_margin)));

    view! {
        <article class="cost-card" id="serving-card" aria-labelledby="serving-title">
            <h3 id="serving-title"><T zh="推理成本" en="Serving cost" /></h3>
            <Formula
                zh="每 token ≈ 2·N FLOPs；每步时间 = max(计算时间, 读显存时间)；每百万 token 成本 = 每 GPU 小时价格 ÷ (每卡 token/s × 3600) × 10⁶"
                en="≈ 2·N FLOPs per token; step time = max(compute time, memory-read time); cost per 1M tokens = price per GPU-hour ÷ (tokens/s per GPU × 3600) × 10⁶"
            />
            <NumberField id="serving-params" label_zh="参数量 N" label_en="Parameters N" input=i.params />
            <NumberField id="serving-weight-bytes" label_zh="每个权重的字节数" label_en="Bytes per weight" input=i.weight_bytes />
            <NumberField id="serving-kv-bytes" label_zh="每 token 的 KV 缓存字节数" label_en="KV-cache bytes per token" input=i.kv_bytes />
            <fieldset class="kv-helper">
                <legend><T zh="由层数与头数算出 KV 字节数" en="KV bytes from layers and heads" /></legend>
                <NumberField id="serving-layers" label_zh="层数" label_en="Layers" input=i.layers />
                <NumberField id="serving-kv-heads" label_zh="KV 头数" label_en="KV heads" input=i.kv_heads />
                <NumberField id="serving-head-dim" label_zh="每头维度" label_en="Head dimension" input=i.head_dim />
                <NumberField id="serving-kv-value-bytes" label_zh="每个值的字节数" label_en="Bytes per value" input=i.kv_value_bytes />
                <p class="aside">
                    <T
                        zh="2 × 层数 × KV 头数 × 每头维度 × 每值字节数 = "
                        en="2 × layers × KV heads × head dimension × bytes per value = "
                    />
                    <span id="serving-kv-helper-out">{move || kv_helper.get().map_or_else(|| "—".to_owned(), format_number)}</span>
                    " B"
                </p>
                <button type="button" id="serving-use-kv" on:click=use_kv disabled=move || kv_helper.get().is_none()>
                    <T zh="填入上方的每 token KV 字节数" en="Use for KV bytes per token" />
                </button>
            </fieldset>
            <NumberField id="serving-context" label_zh="平均上下文 token 数" label_en="Context tokens per sequence" input=i.context />
            <NumberField id="serving-batch" label_zh="批大小" label_en="Batch size" input=i.batch />
            <NumberField id="serving-gpus" label_zh="GPU 数" label_en="GPU count" input=i.gpus />
            <HardwareFields keys=KEYS inputs=i.hardware />
            <NumberField id="serving-mfu" label_zh="MFU（0–1 或百分数）" label_en="MFU (fraction or %)" input=i.mfu />
            <NumberField id="serving-gpu-price" label_zh="每 GPU 小时价格" label_en="Price per GPU-hour" input=i.gpu_price />
            <div class="results" aria-live="polite">
                <Out id="serving-tps-out" label_zh="每卡每秒 token 数" label_en="Tokens/s per GPU" value=pick_serving(r, |s| s.tokens_per_s_per_gpu) kind=Kind::Number unit="tokens/s" />
                <p class="result">
                    <span class="result-label"><T zh="瓶颈" en="Bound" /></span>
                    " "
                    <output id="serving-bound-out" data-bound=move || bound().0>{move || bound().1}</output>
                </p>
                <Out id="serving-input-cost-out" label_zh="每百万输入 token 成本" label_en="Cost per 1M input tokens" value=pick_serving(r, |s| s.input_cost_per_million_tokens) kind=Kind::Money unit_zh="/百万 tokens" unit_en="/ 1M tokens" />
                <Out id="serving-output-cost-out" label_zh="每百万输出 token 成本" label_en="Cost per 1M output tokens" value=pick_serving(r, |s| s.output_cost_per_million_tokens) kind=Kind::Money unit_zh="/百万 tokens" unit_en="/ 1M tokens" />
                <p class="result">
                    <span class="result-label"><T zh="显存" en="Memory" /></span>
                    " "
                    <output id="serving-fits-out">{fits}</output>
                </p>
                <ErrorLine id="serving-error" error=error_of(r.serving) />
            </div>
            <BatchChart serving=r.serving />
            <h4><T zh="定价与毛利" en="Prices and gross margin" /></h4>
            <SelectField id="serving-price-unit" label_zh="价格单位" label_en="Price unit" choices=unit_choices value=i.price_unit note=Signal::derive(price_unit_text) />
            <NumberField id="serving-input-price" label_zh="输入价格（按上方单位）" label_en="Input price (per the unit above)" input=i.input_price />
            <NumberField id="serving-output-price" label_zh="输出价格（按上方单位）" label_en="Output price (per the unit above)" input=i.output_price />
            <NumberField id="serving-input-tokens" label_zh="每个请求的输入 token 数" label_en="Input tokens per request" input=i.input_tokens />
            <NumberField id="serving-output-tokens" label_zh="每个请求的输出 token 数" label_en="Output tokens per request" input=i.output_tokens />
            <div class="results" aria-live="polite">
                <Out id="serving-input-price-m-out" label_zh="输入价格" label_en="Input price" value=Signal::derive(move || r.margin.with(|m| m.as_ref().ok().map(|m| m.input_price_per_million_tokens))) kind=Kind::Money unit_zh="/百万 tokens" unit_en="/ 1M tokens" />
                <Out id="serving-output-price-m-out" label_zh="输出价格" label_en="Output price" value=Signal::derive(move || r.margin.with(|m| m.as_ref().ok().map(|m| m.output_price_per_million_tokens))) kind=Kind::Money unit_zh="/百万 tokens" unit_en="/ 1M tokens" />
                <Out id="serving-margin-out" label_zh="毛利率" label_en="Gross margin" value=margin_value kind=Kind::Percent />
                <ErrorLine id="serving-margin-error" error=error_of(r.margin) />
            </div>
            <Derivation id="serving-steps" steps=steps />
        </article>
    }
}
