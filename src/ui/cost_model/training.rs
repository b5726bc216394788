//! The training-cost section: FLOPs (6·N·D, or the MNIST MLP counted exactly), GPU-hours,
//! wall-clock days and cost on a chosen accelerator, data-parallel all-reduce time and scaling
//! efficiency, and the 16-bytes-per-parameter memory check.

use leptos::prelude::*;

use crate::cost::accelerators::LINKS;
use crate::cost::format::Step;
use crate::cost::parallel::{
    ADAM_MIXED_PRECISION_BYTES_PER_PARAM, CommOverlap, DataParallel, DataParallelInput,
    MemoryCheck, MemoryCheckInput, data_parallel, memory_check,
};
use crate::cost::training::{
    TrainingRun, TrainingRunInput, mlp_flops, parse_layer_sizes, training_flops, training_run,
};
use crate::cost::units::BYTES_PER_GB;
use crate::ui::cost_model::charts::GpuCharts;
use crate::ui::cost_model::hardware::{Hardware, HardwareFields, HardwareInputs, HardwareKeys};
use crate::ui::cost_model::widgets::{
    Choice, Derivation, ErrorLine, Formula, Kind, Out, Outcome, SelectField, TextField, count,
    error_of, fraction, money_format, non_negative, positive,
};
use crate::ui::field::{NumberField, NumberInput};
use crate::ui::i18n::{T, lang};
use crate::ui::url_state::UrlState;

const MODE_6ND: &str = "6nd";
const MODE_MLP: &str = "mlp";
const OVERLAPPED: &str = "overlap";
const SEQUENTIAL: &str = "sequential";

const KEYS: HardwareKeys = HardwareKeys {
    accelerator: "training-accelerator",
    precision: "training-precision",
    peak: "training-custom-peak",
    memory: "training-custom-memory",
    bandwidth: "training-custom-bandwidth",
};

/// The training section's inputs, registered in the URL under their element ids.
#[derive(Clone, Copy)]
pub struct TrainingInputs {
    /// `6nd` (parameters × tokens) or `mlp` (the MLP counted layer by layer).
    pub mode: RwSignal<String>,
    /// Parameters N.
    pub params: NumberInput,
    /// Training tokens D.
    pub tokens: NumberInput,
    /// MLP layer widths, e.g. "784, 128, 10".
    pub layers: RwSignal<String>,
    /// MLP training samples per epoch.
    pub samples: NumberInput,
    /// MLP epochs.
    pub epochs: NumberInput,
    /// Accelerator and precision.
    pub hardware: HardwareInputs,
    /// Model FLOPs utilization, a fraction or a percentage.
    pub mfu: NumberInput,
    /// GPUs.
    pub gpus: NumberInput,
    /// Rental price of one GPU for one hour, in the page's currency.
    pub price: NumberInput,
    /// Interconnect id from [`LINKS`].
    pub link: RwSignal<String>,
    /// `overlap` or `sequential`.
    pub overlap: RwSignal<String>,
    /// Tokens (or samples) each GPU processes per optimizer step.
    pub step_tokens: NumberInput,
    /// Bytes per gradient value (2 for BF16).
    pub grad_bytes: NumberInput,
}

impl TrainingInputs {
    /// Registers every field; the defaults are the article's MNIST MLP (§5.2: 784-128-10, 5
    /// epochs over MNIST's 60,000 training images, batch 64) on one RTX 4090 in FP32.
    pub fn new(url: &mut UrlState) -> Self {
        Self {
            mode: url.text("training-mode", MODE_MLP, |m| {
                m == MODE_6ND || m == MODE_MLP
            }),
            params: url.number("training-params", "7e9", positive),
            tokens: url.number("training-tokens", "1e12", positive),
            layers: url.text("training-layers", "784, 128, 10", |t| {
                parse_layer_sizes(t).and_then(|l| mlp_flops(&l)).is_ok()
            }),
            samples: url.number("training-samples", "60000", positive),
            epochs: url.number("training-epochs", "5", positive),
            hardware: HardwareInputs::new(url, &KEYS, "rtx-4090", "fp32"),
            mfu: url.number("training-mfu", "0.3", fraction),
            gpus: url.number("training-gpus", "1", count),
            price: url.number("training-price", "0.5", non_negative),
            link: url.text("training-link", LINKS[0].id, |l| {
                LINKS.iter().any(|k| k.id == l)
            }),
            overlap: url.text("training-overlap", OVERLAPPED, |o| {
                o == OVERLAPPED || o == SEQUENTIAL
            }),
            step_tokens: url.number("training-step-tokens", "64", positive),
            grad_bytes: url.number("training-grad-bytes", "2", positive),
        }
    }
}

/// Total training FLOPs, the parameter count they imply, and how they were counted.
#[derive(Debug, Clone, PartialEq)]
pub struct Flops {
    /// Parameters N.
    pub params: f64,
    /// Training FLOPs.
    pub total: f64,
    /// Derivation.
    pub steps: Vec<Step>,
}

/// Everything the section computes; `cost` also feeds the price-war section.
#[derive(Clone, Copy)]
pub struct TrainingResults {
    /// Training FLOPs of the job this section describes.
    pub flops: Memo<Outcome<Flops>>,
    layers_error: Memo<Outcome<()>>,
    /// The chosen accelerator's figures at the chosen precision.
    pub hardware: Memo<Outcome<Hardware>>,
    /// GPU-hours, days and cost at the current inputs.
    pub run: Memo<Outcome<TrainingRun>>,
    /// The data-parallel step at the current inputs.
    pub parallel: Memo<Outcome<DataParallel>>,
    memory: Memo<Outcome<MemoryCheck>>,
    /// Cost of the training run, in the page's currency.
    pub cost: Signal<Option<f64>>,
}

/// A count field's value as a count; the field's parser has already checked it.
fn as_count(value: f64) -> u32 {
    value as u32
}

/// Builds the section's memos over `inputs`.
pub fn training_results(inputs: TrainingInputs) -> TrainingResults {
    let i = inputs;
    let layers_error = Memo::new(move |_| {
        i.layers
            .with(|t| parse_layer_sizes(t).and_then(|l| mlp_flops(&l)).map(|_| ()))
            .map_err(Some)
    });
    let flops = Memo::new(move |_| -> Outcome<Flops> {
        if i.mode.get() == MODE_MLP {
            let mlp = i
                .layers
                .with(|t| parse_layer_sizes(t).and_then(|l| mlp_flops(&l)))
                .map_err(|_| None)?;
            let (Ok(samples), Ok(epochs)) = (i.samples.value.get(), i.epochs.value.get()) else {
                return Err(None);
            };
            let total = mlp.training_flops(samples, epochs).map_err(Some)?;
            Ok(Flops {
                params: mlp.params as f64,
                total,
                steps: mlp.steps(),
            })
        } else {
            let (Ok(n), Ok(d)) = (i.params.value.get(), i.tokens.value.get()) else {
                return Err(None);
            };
            let f = training_flops(n, d).map_err(Some)?;
            Ok(Flops {
                params: n,
                total: f.total_flops,
                steps: f.steps(),
            })
        }
    });
    let hardware = i.hardware.resolve();
    let run = Memo::new(move |_| {
        let (f, hw) = (flops.get()?, hardware.get()?);
        let (Ok(mfu), Ok(gpus), Ok(price)) =
            (i.mfu.value.get(), i.gpus.value.get(), i.price.value.get())
        else {
            return Err(None);
        };
        training_run(&TrainingRunInput {
            total_flops: f.total,
            peak_flop_per_s: hw.peak_flop_per_s,
            mfu,
            gpu_count: as_count(gpus),
            price_per_gpu_hour: price,
        })
        .map_err(Some)
    });
    let parallel = Memo::new(move |_| {
        let (f, hw) = (flops.get()?, hardware.get()?);
        let link = i.link.with(|l| LINKS.iter().find(|k| k.id == l).copied());
        let (Some(link), Ok(mfu), Ok(gpus), Ok(tokens), Ok(grad)) = (
            link,
            i.mfu.value.get(),
            i.gpus.value.get(),
            i.step_tokens.value.get(),
            i.grad_bytes.value.get(),
        ) else {
            return Err(None);
        };
        let overlap = if i.overlap.get() == SEQUENTIAL {
            CommOverlap::Sequential
        } else {
            CommOverlap::Overlapped
        };
        data_parallel(&DataParallelInput {
            params: f.params,
            gradient_bytes_per_param: grad,
            tokens_per_gpu_per_step: tokens,
            peak_flop_per_s: hw.peak_flop_per_s,
            mfu,
            gpu_count: as_count(gpus),
            link_bytes_per_s: link.bytes_per_s,
            overlap,
        })
        .map_err(Some)
    });
    let memory = Memo::new(move |_| {
        let (f, hw) = (flops.get()?, hardware.get()?);
        let Ok(gpus) = i.gpus.value.get() else {
            return Err(None);
        };
        memory_check(&MemoryCheckInput {
            params: f.params,
            bytes_per_param: ADAM_MIXED_PRECISION_BYTES_PER_PARAM,
            gpu_memory_bytes: hw.memory_bytes,
            gpu_count: as_count(gpus),
        })
        .map_err(Some)
    });
    let cost = Signal::derive(move || run.with(|r| r.as_ref().ok().map(|r| r.cost)));
    TrainingResults {
        flops,
        layers_error,
        hardware,
        run,
        parallel,
        memory,
        cost,
    }
}

/// A memo's value as an output's raw number.
fn value<T, F>(memo: Memo<Outcome<T>>, pick: F) -> Signal<Option<f64>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
    F: Fn(&T) -> f64 + Send + Sync + 'static,
{
    Signal::derive(move || memo.with(|m| m.as_ref().ok().map(&pick)))
}

/// The training-cost section.
#[component]
pub fn TrainingSection(inputs: TrainingInputs, results: TrainingResults) -> impl IntoView {
    let i = inputs;
    let r = results;
    let is_mlp = move || i.mode.with(|m| m == MODE_MLP);
    let mode_choices = vec![
        Choice::new(
            MODE_6ND,
            "6·N·D（参数量 × token 数）",
            "6·N·D (parameters × tokens)",
        ),
        Choice::new(MODE_MLP, "MLP 逐层精确计数", "MLP, counted exactly"),
    ];
    let link_choices = LINKS.iter().map(|l| Choice::same(l.id, l.name)).collect();
    let link_note = Signal::derive(move || {
        let source = lang().pick("来源：", "Source: ");
        i.link.with(|id| {
            LINKS
                .iter()
                .find(|l| l.id == id)
                .map_or_else(String::new, |l| format!("{source}{}", l.source))
        })
    });
    let overlap_choices = vec![
        Choice::new(OVERLAPPED, "与计算重叠", "overlapped with compute"),
        Choice::new(SEQUENTIAL, "算完再通信", "after compute"),
    ];
    let layers_error = error_of(r.layers_error);
    let steps = Signal::derive(move || {
        let mut steps = r
            .flops
            .with(|f| f.as_ref().map(|f| f.steps.clone()).unwrap_or_default());
        let c = money_format();
        r.run
            .with(|x| x.iter().for_each(|x| steps.extend(x.steps(c))));
        r.parallel
            .with(|x| x.iter().for_each(|x| steps.extend(x.steps())));
        r.memory
            .with(|x| x.iter().for_each(|x| steps.extend(x.steps())));
        steps
    });
    let fits = move || {
        let lang = lang();
        r.memory.with(|m| match m {
            Ok(m) if m.fits_replicated => (
                "replicated",
                lang.pick(
                    "单卡放得下（普通数据并行）",
                    "fits on one GPU (plain data parallel)",
                ),
            ),
            Ok(m) if m.fits_sharded => (
                "sharded",
                lang.pick(
                    "需分片到各卡（ZeRO-3 / FSDP）",
                    "fits only sharded over the GPUs (ZeRO-3 / FSDP)",
                ),
            ),
            Ok(_) => (
                "no",
                lang.pick("放不下：需要更多 GPU", "does not fit: more GPUs needed"),
            ),
            Err(_) => ("", "—"),
        })
    };
    let hw_missing = move || r.hardware.with(|h| h.is_err());

    view! {
        <article class="cost-card" id="training-card" aria-labelledby="training-title">
            <h3 id="training-title"><T zh="训练成本" en="Training cost" /></h3>
            <Formula
                zh="FLOPs ≈ 6·N·D（前向 2ND + 反向 4ND）；GPU 小时 = FLOPs ÷ (峰值算力 × MFU) ÷ 3600；成本 = GPU 小时 × 单价"
                en="FLOPs ≈ 6·N·D (forward 2ND + backward 4ND); GPU-hours = FLOPs ÷ (peak × MFU) ÷ 3600; cost = GPU-hours × price per GPU-hour"
            />
            <SelectField id="training-mode" label_zh="计算量来源" label_en="FLOPs from" choices=mode_choices value=i.mode />
            <Show
                when=is_mlp
                fallback=move || view! {
                    <NumberField id="training-params" label_zh="参数量 N" label_en="Parameters N" input=i.params />
                    <NumberField id="training-tokens" label_zh="训练 token 数 D" label_en="Training tokens D" input=i.tokens />
                }
            >
                <TextField id="training-layers" label_zh="MLP 各层宽度" label_en="MLP layer widths" text=i.layers error=layers_error />
                <NumberField id="training-samples" label_zh="每轮样本数" label_en="Samples per epoch" input=i.samples />
                <NumberField id="training-epochs" label_zh="训练轮数" label_en="Epochs" input=i.epochs />
            </Show>
            <HardwareFields keys=KEYS inputs=i.hardware />
            <NumberField id="training-mfu" label_zh="MFU（0–1 或百分数）" label_en="MFU (fraction or %)" input=i.mfu />
            <NumberField id="training-gpus" label_zh="GPU 数" label_en="GPU count" input=i.gpus />
            <NumberField id="training-price" label_zh="每 GPU 小时价格" label_en="Price per GPU-hour" input=i.price />
            <div class="results" aria-live="polite">
                <Out id="training-flops-out" label_zh="训练计算量" label_en="Training FLOPs" value=value(r.flops, |f| f.total) kind=Kind::Number unit="FLOPs" />
                <Out id="training-gpu-hours-out" label_zh="GPU 小时" label_en="GPU-hours" value=value(r.run, |x| x.gpu_hours) kind=Kind::Number unit_zh="GPU 小时" unit_en="GPU-hours" />
                <Out id="training-days-out" label_zh="实际耗时" label_en="Wall-clock time" value=value(r.run, |x| x.wall_clock_days) kind=Kind::Number unit_zh="天" unit_en="days" />
                <Out id="training-cost-out" label_zh="训练成本" label_en="Training cost" value=r.cost kind=Kind::Money />
                <p class="muted" hidden=move || !hw_missing()>
                    <T
                        zh="请换一种该加速器有峰值数据的精度，或修正自定义参数。"
                        en="Choose a precision the accelerator has a figure for, or fix the custom fields."
                    />
                </p>
                <ErrorLine id="training-error" error=error_of(r.run) />
            </div>
            <h4><T zh="数据并行" en="Data-parallel scaling" /></h4>
            <Formula
                zh="all-reduce 时间 ≈ 2(n−1)/n × 梯度字节数 ÷ 链路带宽；扩展效率 = 计算时间 ÷ 每步时间"
                en="all-reduce time ≈ 2(n−1)/n × gradient bytes ÷ link bandwidth; scaling efficiency = compute time ÷ step time"
            />
            <SelectField id="training-link" label_zh="互联" label_en="Interconnect" choices=link_choices value=i.link note=link_note />
            <SelectField id="training-overlap" label_zh="通信方式" label_en="Communication" choices=overlap_choices value=i.overlap />
            <NumberField id="training-step-tokens" label_zh="每卡每步 token（或样本）数" label_en="Tokens (or samples) per GPU per step" input=i.step_tokens />
            <NumberField id="training-grad-bytes" label_zh="每个梯度的字节数" label_en="Bytes per gradient" input=i.grad_bytes />
            <div class="results" aria-live="polite">
                <Out id="training-allreduce-out" label_zh="每步 all-reduce 时间" label_en="All-reduce time per step" value=value(r.parallel, |x| x.allreduce_s) kind=Kind::Number unit="s" />
                <Out id="training-step-out" label_zh="每步时间" label_en="Step time" value=value(r.parallel, |x| x.step_s) kind=Kind::Number unit="s" />
                <Out id="training-scaling-out" label_zh="扩展效率" label_en="Scaling efficiency" value=value(r.parallel, |x| x.scaling_efficiency) kind=Kind::Percent />
                <ErrorLine id="training-parallel-error" error=error_of(r.parallel) />
            </div>
            <GpuCharts run=r.run parallel=r.parallel />
            <h4><T zh="显存检查" en="Memory check" /></h4>
            <Formula
                zh="混合精度 Adam 每个参数约占 16 字节（ZeRO §3.1），激活值另计"
                en="mixed-precision Adam ≈ 16 bytes per parameter (ZeRO §3.1), activations extra"
            />
            <div class="results" aria-live="polite">
                <Out id="training-memory-out" label_zh="训练状态所需显存" label_en="Memory for the training state" value=value(r.memory, |x| x.required_bytes / BYTES_PER_GB) kind=Kind::Number unit="GB" />
                <Out id="training-min-gpus-out" label_zh="分片时最少需要的 GPU 数" label_en="Fewest GPUs, sharded" value=value(r.memory, |x| x.min_gpus_sharded) kind=Kind::Number />
                <p class="result">
                    <span class="result-label"><T zh="能否放下" en="Fits?" /></span>
                    " "
                    <output id="training-fits-out" data-fits=move || fits().0>{move || fits().1}</output>
                </p>
                <ErrorLine id="training-memory-error" error=error_of(r.memory) />
            </div>
            <Derivation id="training-steps" steps=steps />
        </article>
    }
}
