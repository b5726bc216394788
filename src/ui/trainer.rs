//! The trainer panel: fetches the MNIST files served beside the page, trains the article's MLP
//! through WebGPU with [`GpuTrainer`] or on the CPU with [`CpuTrainer`], and shows progress and
//! each epoch's figures. On opening, it checks whether WebGPU works here ([`diagnosis::probe`])
//! and says so; it can also train the same settings on both devices side by side
//! ([`compare::CompareTable`]).
//!
//! Element ids and `data-*` attributes are part of the browser test's contract (see the
//! `Trainer` component's doc).

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::cost::input::{InputError, parse_count};
use crate::export::RunRecord;
use crate::lang::Lang;
use crate::lang::count_en;
use crate::mnist::{
    Dataset, GZIP_SUFFIX, Mnist, TEST_IMAGES_FILE, TEST_LABELS_FILE, TRAIN_IMAGES_FILE,
    TRAIN_LABELS_FILE,
};
use crate::train::cpu::CpuTrainer;
use crate::train::gpu::{GpuError, GpuTrainer};
use crate::train::{Checkpoint, EpochReport, RunReport, StepProgress, TrainConfig, TrainEvent};
use crate::ui::charts::TrainingCharts;
use crate::ui::compare::{CompareDevice, CompareRow, CompareTable};
use crate::ui::cost_model::measured::{MeasuredRunCtx, RunForCostModel};
use crate::ui::data_files::{ActiveData, DataFiles};
use crate::ui::diagnosis::{self, Diagnosis};
use crate::ui::digit_pad::TrainedModelCtx;
use crate::ui::embed::embedded;
use crate::ui::field::{NumberField, NumberInput};
use crate::ui::files::js_message;
use crate::ui::i18n::{T, lang, tr};
use crate::ui::keep::LastRunCtx;
use crate::ui::resume::{ResumeOffer, resume_offer};

/// Where the panel stands; shown as `data-state` on `#train-status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// Nothing has run yet.
    Idle,
    /// Fetching the data or preparing the GPU.
    Loading,
    /// Training; Stop is enabled.
    Running,
    /// Every requested epoch finished.
    Done,
    /// Stopped by the reader before the last epoch finished.
    Stopped,
    /// Something failed; the message says what.
    Error,
}

impl RunState {
    /// The value of `data-state`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Loading => "loading",
            Self::Running => "running",
            Self::Done => "done",
            Self::Stopped => "stopped",
            Self::Error => "error",
        }
    }

    fn busy(self) -> bool {
        matches!(self, Self::Loading | Self::Running)
    }
}

/// Which trainer a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceChoice {
    /// WebGPU when the browser offers it, else the CPU, saying why.
    Auto,
    /// WebGPU only: a missing or refused GPU is an error.
    Gpu,
    /// The CPU reference, compiled to WebAssembly.
    Cpu,
}

impl DeviceChoice {
    /// The `<option>` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Gpu => "gpu",
            Self::Cpu => "cpu",
        }
    }

    fn from_value(value: &str) -> Self {
        match value {
            "gpu" => Self::Gpu,
            "cpu" => Self::Cpu,
            _ => Self::Auto,
        }
    }
}

/// What `#train-status` says. Kept as a value and written out in the page's language when shown,
/// so switching the language also translates the message already on screen.
#[derive(Debug, Clone, PartialEq)]
enum Status {
    /// Before the first run.
    Ready,
    /// Stop was pressed; the run ends after the current chunk of steps.
    Stopping,
    /// Fetching and parsing the MNIST files.
    LoadingData,
    /// Requesting the adapter, compiling the shaders, uploading the data.
    PreparingGpu,
    /// Training the given epoch (1-based) of `epochs`.
    Training { epoch: usize, epochs: usize },
    /// Stopped before any epoch finished.
    StoppedEarly,
    /// Stopped after `finished` epochs, with the last test accuracy.
    Stopped {
        finished: usize,
        accuracy: Option<f32>,
    },
    /// Every epoch finished.
    Finished {
        finished: usize,
        accuracy: Option<f32>,
    },
    /// The run could not start or failed.
    Failed(Failure),
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq)]
enum Failure {
    /// The epochs field does not hold a whole number from 1 to
    /// [`MAX_COUNT`](crate::cost::input::MAX_COUNT) (the field's own
    /// message says the same).
    Epochs,
    /// A failure reported by the browser, the data or the GPU, in their own (English) words.
    Detail(String),
}

impl Status {
    fn text(&self, lang: Lang) -> String {
        let accuracy = |a: &Option<f32>| a.map_or_else(|| "—".to_owned(), percent);
        match (self, lang) {
            (Self::Ready, Lang::Zh) => "点“训练”开始，模型会在本机 GPU 上训练。".to_owned(),
            (Self::Ready, Lang::En) => {
                "Press Train to start: the MLP trains on this device's GPU.".to_owned()
            }
            (Self::Stopping, Lang::Zh) => "正在停止，当前这批训练步完成后结束……".to_owned(),
            (Self::Stopping, Lang::En) => "Stopping after the current chunk of steps…".to_owned(),
            (Self::LoadingData, Lang::Zh) => "正在加载 MNIST 数据……".to_owned(),
            (Self::LoadingData, Lang::En) => "Loading the MNIST digits…".to_owned(),
            (Self::PreparingGpu, Lang::Zh) => {
                "正在准备 GPU（请求适配器、编译着色器、上传数据）……".to_owned()
            }
            (Self::PreparingGpu, Lang::En) => {
                "Preparing the GPU: adapter, shaders, data upload…".to_owned()
            }
            (Self::Training { epoch, epochs }, Lang::Zh) => {
                format!("训练中：第 {epoch} 轮，共 {epochs} 轮")
            }
            (Self::Training { epoch, epochs }, Lang::En) => {
                format!("Training: epoch {epoch} of {epochs}")
            }
            (Self::StoppedEarly, Lang::Zh) => "已停止，还没有完成任何一轮。".to_owned(),
            (Self::StoppedEarly, Lang::En) => "Stopped before the first epoch finished.".to_owned(),
            (
                Self::Stopped {
                    finished,
                    accuracy: a,
                },
                Lang::Zh,
            ) => format!("已停止：完成 {finished} 轮，测试准确率 {}。", accuracy(a)),
            (
                Self::Stopped {
                    finished,
                    accuracy: a,
                },
                Lang::En,
            ) => format!(
                "Stopped after {} finished; test accuracy {}.",
                count_en(*finished, "epoch", "epochs"),
                accuracy(a)
            ),
            (
                Self::Finished {
                    finished,
                    accuracy: a,
                },
                Lang::Zh,
            ) => format!("训练完成：共 {finished} 轮，测试准确率 {}。", accuracy(a)),
            (
                Self::Finished {
                    finished,
                    accuracy: a,
                },
                Lang::En,
            ) => format!(
                "Finished {}; test accuracy {}.",
                count_en(*finished, "epoch", "epochs"),
                accuracy(a)
            ),
            (Self::Failed(Failure::Epochs), Lang::Zh) => {
                "出错了：训练轮数须为 1 到 10,000,000 之间的整数。".to_owned()
            }
            (Self::Failed(Failure::Epochs), Lang::En) => {
                "Error: enter the number of epochs as a whole number from 1 to 10,000,000."
                    .to_owned()
            }
            (Self::Failed(Failure::Detail(detail)), Lang::Zh) => format!("出错了：{detail}"),
            (Self::Failed(Failure::Detail(detail)), Lang::En) => format!("Error: {detail}"),
        }
    }
}

/// Why a run is on the CPU although Auto was chosen; shown as `#train-note`.
#[derive(Debug, Clone, PartialEq)]
enum CpuReason {
    /// The probe (or an earlier run) already found that WebGPU cannot train here.
    Known(Diagnosis),
    /// Preparing the GPU failed; the error in its own (English) words.
    GpuFailed(String),
}

impl CpuReason {
    fn text(&self, lang: Lang) -> String {
        let reason = match self {
            Self::Known(found) => found.reason(lang),
            Self::GpuFailed(error) => error.clone(),
        };
        match lang {
            Lang::Zh => format!("GPU 在此不可用，本次改用 CPU 训练：{reason}。"),
            Lang::En => {
                format!("The GPU cannot be used here, so this run is on the CPU: {reason}.")
            }
        }
    }
}

/// The panel's signals, shared by the view and the training task.
#[derive(Clone, Copy)]
struct Panel {
    state: RwSignal<RunState>,
    message: RwSignal<Status>,
    adapter: RwSignal<Option<String>>,
    /// Fraction of the run done, 0–1.
    progress: RwSignal<f64>,
    /// Mean loss over the current epoch's steps so far (nats).
    loss: RwSignal<Option<f32>>,
    epochs: RwSignal<Vec<EpochReport>>,
    batch_size: RwSignal<usize>,
    device: RwSignal<DeviceChoice>,
    /// Why the run is not on the GPU, when Auto fell back to the CPU.
    note: RwSignal<Option<CpuReason>>,
    stop_requested: RwSignal<bool>,
    /// The last run that finished at least one epoch, for the cost model.
    last_run: RwSignal<Option<RunForCostModel>>,
    /// The data set: the bundled MNIST files (fetched and parsed once) or the reader's own.
    data: ActiveData,
    /// Whether the run's adapter measures GPU time: `None` for a CPU run or before a run.
    gpu_timer: RwSignal<Option<bool>>,
    /// What the WebGPU probe (or the last failed GPU run) found.
    diagnosis: RwSignal<Diagnosis>,
    /// The GPU-versus-CPU comparison's finished runs.
    compare: RwSignal<Vec<CompareRow>>,
    /// Set when a GPU run lost its device: where it can continue from.
    resume: RwSignal<Option<ResumeOffer>>,
    /// The first epoch of a run continued from a checkpoint; like epoch 1, it carries the
    /// new device's warm-up.
    resumed_at: RwSignal<Option<usize>>,
    /// The current run's progress reports, for the loss chart.
    steps: RwSignal<Vec<StepProgress>>,
    /// Where a finished run's weights go, for the digit pad.
    trained: Option<TrainedModelCtx>,
    /// Where a finished run is kept for export and the next visit.
    kept_run: Option<RwSignal<Option<RunRecord>>>,
}

impl Panel {
    fn new() -> Self {
        Self {
            state: RwSignal::new(RunState::Idle),
            message: RwSignal::new(Status::Ready),
            adapter: RwSignal::new(None),
            progress: RwSignal::new(0.0),
            loss: RwSignal::new(None),
            epochs: RwSignal::new(Vec::new()),
            batch_size: RwSignal::new(TrainConfig::default().batch_size),
            device: RwSignal::new(DeviceChoice::Auto),
            note: RwSignal::new(None),
            stop_requested: RwSignal::new(false),
            last_run: RwSignal::new(None),
            data: ActiveData::new(),
            gpu_timer: RwSignal::new(None),
            diagnosis: RwSignal::new(Diagnosis::Probing),
            compare: RwSignal::new(Vec::new()),
            resume: RwSignal::new(None),
            resumed_at: RwSignal::new(None),
            steps: RwSignal::new(Vec::new()),
            trained: use_context::<TrainedModelCtx>(),
            kept_run: use_context::<LastRunCtx>().map(|c| c.0),
        }
    }

    /// Clears the figures of the last run before a new one.
    /// Clears the last run's figures and marks the panel busy at once, before any task starts,
    /// so that a second click in the same moment cannot start a second run.
    fn reset_run(&self, config: &TrainConfig) {
        self.state.set(RunState::Loading);
        self.stop_requested.set(false);
        self.note.set(None);
        self.resume.set(None);
        self.resumed_at.set(None);
        self.epochs.set(Vec::new());
        self.steps.set(Vec::new());
        self.progress.set(0.0);
        self.loss.set(None);
        self.gpu_timer.set(None);
        self.batch_size.set(config.batch_size);
    }

    /// Records what a failed GPU attempt says about WebGPU here in `#webgpu-status`.
    fn gpu_failed(&self, error: &GpuError) {
        if let Some(found) = Diagnosis::from_gpu_error(error) {
            self.diagnosis.set(found);
        }
    }

    fn status(&self, state: RunState, message: Status) {
        self.state.set(state);
        self.message.set(message);
    }

    fn fail(&self, failure: Failure) {
        log::warn!("training failed: {failure:?}");
        self.status(RunState::Error, Status::Failed(failure));
    }
}

/// The run's settings from the epochs field, or why there are none.
fn read_config(epochs: Result<f64, InputError>) -> Result<TrainConfig, Failure> {
    let Ok(epochs) = epochs else {
        return Err(Failure::Epochs);
    };
    // parse_epochs only returns whole numbers from 1 to 10⁷, so the cast is exact.
    Ok(TrainConfig {
        epochs: epochs as usize,
        ..TrainConfig::default()
    })
}

/// Epochs a run may ask for: a whole number from 1 to
/// [`MAX_COUNT`](crate::cost::input::MAX_COUNT).
fn parse_epochs(text: &str) -> Result<f64, InputError> {
    parse_count(text).map(f64::from)
}

/// The trainer panel.
///
/// Ids: `#train-epochs` (input, default 5), `#train-start`, `#train-stop` (enabled only while
/// running), `#train-progress` (`<progress>`, 0–1), `#train-adapter`, `#train-loss`,
/// `#train-status` (`data-state` = idle | loading | running | done | stopped | error, and a
/// message), `#train-epochs-table` with one `<tr data-epoch data-test-accuracy
/// data-samples-per-s data-train-time-s data-train-loss data-warmup>` per finished epoch,
/// `#train-note` (why a run is on the CPU), `#train-resume` with `#train-resume-gpu` and
/// `#train-resume-cpu` after a lost GPU device (see [`resume_offer`]), `#webgpu-status`
/// (`data-diagnosis`, see [`Diagnosis::code`]), `#compare-start` (disabled, with
/// `#compare-note` saying why, when WebGPU cannot train here) and `#compare-table` (see
/// [`CompareTable`]).
#[component]
pub fn Trainer() -> impl IntoView {
    let panel = Panel::new();
    let epochs_input =
        NumberInput::with_parser(&TrainConfig::default().epochs.to_string(), parse_epochs);

    // A status that blames the epochs field goes once the field holds a valid number again,
    // as the field's own message does.
    Effect::new(move || {
        let valid = epochs_input.value.with(Result::is_ok);
        let blamed = panel
            .message
            .with_untracked(|m| matches!(m, Status::Failed(Failure::Epochs)));
        if valid && blamed {
            panel.status(RunState::Idle, Status::Ready);
        }
    });

    // Find out at once, not on the first click, whether WebGPU can train here.
    spawn_local(async move {
        let found = diagnosis::probe().await;
        log::info!("WebGPU probe: {}", found.code());
        // A failure found by a run that started meanwhile is newer: keep it.
        if panel.diagnosis.try_get_untracked() == Some(Diagnosis::Probing) {
            panel.diagnosis.set(found);
        }
    });

    let start = move |_| {
        if panel.state.get_untracked().busy() {
            return;
        }
        let config = match read_config(epochs_input.value.get_untracked()) {
            Ok(config) => config,
            Err(failure) => return panel.fail(failure),
        };
        panel.reset_run(&config);
        let choice = panel.device.get_untracked();
        spawn_local(async move {
            match train(panel, config, choice, Checkpoint::start(&config)).await {
                Ok(report) => finish(panel, &report, choice),
                Err(message) => panel.fail(Failure::Detail(message)),
            }
        });
    };

    let compare = move |_| {
        if panel.state.get_untracked().busy() {
            return;
        }
        let config = match read_config(epochs_input.value.get_untracked()) {
            Ok(config) => config,
            Err(failure) => return panel.fail(failure),
        };
        panel.compare.set(Vec::new());
        // Busy at once: a second click in the same moment must not start a second run.
        panel.state.set(RunState::Loading);
        spawn_local(async move {
            for (device, choice) in [
                (CompareDevice::Gpu, DeviceChoice::Gpu),
                (CompareDevice::Cpu, DeviceChoice::Cpu),
            ] {
                panel.reset_run(&config);
                let report = match train(panel, config, choice, Checkpoint::start(&config)).await {
                    Ok(report) => report,
                    Err(message) => return panel.fail(Failure::Detail(message)),
                };
                finish(panel, &report, choice);
                // A stopped run did less work than the other: it is not put beside it.
                if report.stopped {
                    return;
                }
                if let Some(row) = CompareRow::from_report(device, &report) {
                    panel.compare.update(|rows| rows.push(row));
                }
            }
        });
    };
    let compare_blocked = move || {
        panel
            .diagnosis
            .with(|d| d.is_failure() || *d == Diagnosis::Probing)
    };

    let measured_slot = use_context::<MeasuredRunCtx>();
    let use_in_cost_model = move |_| {
        let Some(run) = panel.last_run.get_untracked() else {
            return;
        };
        if let Some(slot) = measured_slot {
            slot.0.set(Some(run));
        }
        let target = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("measured-run"));
        if let Some(target) = target {
            target.scroll_into_view();
        }
    };

    // Continues a run whose GPU device was lost, from its last finished epoch; the epochs
    // table keeps that epoch's rows and goes on.
    let resume = move |choice: DeviceChoice| {
        if panel.state.get_untracked().busy() {
            return;
        }
        let Some(offer) = panel.resume.get_untracked() else {
            return;
        };
        let done = offer.from.epochs_done;
        panel.resume.set(None);
        panel.state.set(RunState::Loading);
        panel.stop_requested.set(false);
        panel.note.set(None);
        panel.resumed_at.set(Some(offer.from.next_epoch()));
        panel.epochs.update(|rows| rows.retain(|r| r.epoch <= done));
        panel
            .steps
            .update(|steps| steps.retain(|s| s.epoch <= done));
        spawn_local(async move {
            let from = Checkpoint::clone(&offer.from);
            match train(panel, offer.config, choice, from).await {
                Ok(report) => finish(panel, &report, choice),
                Err(message) => panel.fail(Failure::Detail(message)),
            }
        });
    };

    let stop = move |_| {
        panel.stop_requested.set(true);
        panel.message.set(Status::Stopping);
    };

    view! {
        <section id="trainer" aria-labelledby="trainer-title">
            <h2 id="trainer-title">
                <T zh="在浏览器里训练" en="Train the article's MLP here" />
            </h2>
            <p class="lead">
                <T
                    zh="原文 §5.2 的多层感知机（784 → 128 ReLU → 10，Adam 0.001，批大小 64）通过 WebGPU 在本机 GPU 上训练真实的 MNIST 手写数字。"
                    en="The MLP of the article's §5.2 (784 → 128 ReLU → 10, Adam 0.001, batch 64), \
                        trained on real MNIST digits on this device's GPU through WebGPU."
                />
            </p>
            <div class="controls">
                <NumberField
                    id="train-epochs"
                    label_zh="训练轮数"
                    label_en="Epochs"
                    input=epochs_input
                />
                <div class="field">
                    <label for="train-device">
                        <T zh="设备" en="Device" />
                    </label>
                    <select
                        id="train-device"
                        on:change=move |ev| {
                            panel.device.set(DeviceChoice::from_value(&event_target_value(&ev)))
                        }
                        disabled=move || panel.state.get().busy()
                    >
                        <option value="auto" selected=true>
                            <T zh="自动（优先用 GPU）" en="Auto (GPU if available)" />
                        </option>
                        <option value="gpu">
                            <T zh="GPU（WebGPU）" en="GPU (WebGPU)" />
                        </option>
                        <option value="cpu">
                            <T zh="CPU（WebAssembly）" en="CPU (WebAssembly)" />
                        </option>
                    </select>
                </div>
                <DataFiles active=panel.data busy=Signal::derive(move || panel.state.get().busy()) />
                <div class="buttons">
                    <button
                        id="train-start"
                        type="button"
                        class="primary"
                        // Not `disabled` while a run is busy: a disabled button loses the
                        // keyboard focus. The click is refused while busy (see `start`).
                        aria-disabled=move || panel.state.get().busy().to_string()
                        on:click=start
                    >
                        <T zh="训练" en="Train" />
                    </button>
                    <button
                        id="compare-start"
                        type="button"
                        disabled=compare_blocked
                        aria-disabled=move || panel.state.get().busy().to_string()
                        on:click=compare
                    >
                        <T zh="GPU 与 CPU 对比" en="Compare GPU and CPU" />
                    </button>
                    <button
                        id="train-stop"
                        type="button"
                        disabled=move || panel.state.get() != RunState::Running
                        on:click=stop
                    >
                        <T zh="停止" en="Stop" />
                    </button>
                    // Embedded alone, the trainer has no cost model to feed.
                    {embedded().is_none().then(|| view! {
                    <button
                        id="train-use-in-cost-model"
                        type="button"
                        disabled=move || {
                            panel.state.get().busy() || panel.last_run.with(Option::is_none)
                        }
                        on:click=use_in_cost_model
                    >
                        <T zh="用于成本模型" en="Use this run in the cost model" />
                    </button>
                    })}
                </div>
            </div>
            <p
                id="webgpu-status"
                class="webgpu-status"
                role="status"
                data-diagnosis=move || panel.diagnosis.with(Diagnosis::code)
            >
                {move || panel.diagnosis.with(|d| d.message(lang()))}
            </p>
            {move || {
                let lang = lang();
                panel
                    .diagnosis
                    .with(|d| compare_note(d, lang))
                    .map(|text| view! { <p id="compare-note" class="note">{text}</p> })
            }}
            <p
                id="train-status"
                class="status"
                role="status"
                data-state=move || panel.state.get().as_str()
            >
                {move || panel.message.with(|m| m.text(lang()))}
            </p>
            {move || {
                let lang = lang();
                panel
                    .note
                    .with(|note| note.as_ref().map(|n| n.text(lang)))
                    .map(|note| view! { <p id="train-note" class="note" role="note">{note}</p> })
            }}
            {move || {
                panel.resume.get().map(|offer| resume_offer(offer, resume))
            }}
            <progress
                id="train-progress"
                max="1"
                aria-label=tr("训练进度", "Training progress")
                value=move || panel.progress.get().to_string()
            >
                {move || format!("{:.0}%", panel.progress.get() * 100.0)}
            </progress>
            <dl class="figures">
                <div>
                    <dt><T zh="适配器" en="Adapter" /></dt>
                    <dd id="train-adapter">
                        {move || panel.adapter.get().unwrap_or_else(|| "—".to_owned())}
                    </dd>
                </div>
                <div>
                    <dt><T zh="GPU 时间（最近一轮）" en="GPU time (last epoch)" /></dt>
                    <dd
                        id="train-gpu-time"
                        data-available=move || panel.gpu_timer.get().map(|t| t.to_string())
                    >
                        {move || gpu_time_text(panel.gpu_timer.get(), panel.epochs.with(|e| e.last().and_then(|e| e.gpu_time_s)))}
                    </dd>
                </div>
                <div>
                    <dt><T zh="当前损失" en="Running loss" /></dt>
                    <dd id="train-loss">
                        {move || panel.loss.get().map_or_else(|| "—".to_owned(), |l| format!("{l:.4}"))}
                    </dd>
                </div>
            </dl>
            <TrainingCharts epochs=panel.epochs steps=panel.steps />
            <EpochTable panel=panel />
            <p id="train-figures-note" class="note">
                <T
                    zh="用时、样本/秒与毫秒/步只计训练步骤的墙钟时间，不含每轮之后的测试；GFLOP/s 是模型每个样本精确的训练浮点运算量（409,088 次：前向加反向）乘以样本/秒；GPU 时间是同样这些步骤在 GPU 自己时钟上的时长，来自时间戳查询，适配器不支持时则不显示；适配器即实际运行的那一个；第一轮含预热（编译着色器、首次上传），已标出。"
                    en="Epoch time, samples/s and ms/step count only the wall time of the training steps, not the test pass after each epoch; GFLOP/s is the model's exact training FLOPs per sample (409,088: forward plus backward) times samples/s; GPU time is the same steps on the GPU's own clock, from timestamp queries, where the adapter has them; the adapter is the one that ran them; the first epoch includes warm-up (shader compilation, first uploads) and is marked."
                />
            </p>
            <CompareTable rows=panel.compare />
        </section>
    }
}

/// Why the comparison button is disabled, when it is.
fn compare_note(found: &Diagnosis, lang: Lang) -> Option<String> {
    match (found, lang) {
        (Diagnosis::Ok { .. }, _) => None,
        (Diagnosis::Probing, Lang::Zh) => Some("对比需要 WebGPU，正在检查是否可用……".to_owned()),
        (Diagnosis::Probing, Lang::En) => {
            Some("The comparison needs WebGPU; checking whether it works…".to_owned())
        }
        (other, Lang::Zh) => Some(format!(
            "对比需要 WebGPU，但它在这里无法训练：{}。",
            other.reason(lang)
        )),
        (other, Lang::En) => Some(format!(
            "The comparison needs WebGPU, which cannot train here: {}.",
            other.reason(lang)
        )),
    }
}

/// One row per finished epoch.
#[component]
fn EpochTable(panel: Panel) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table id="train-epochs-table">
                <caption>
                    <T zh="每轮结果" en="Per-epoch results" />
                </caption>
                <thead>
                    <tr>
                        <th scope="col"><T zh="轮次" en="Epoch" /></th>
                        <th scope="col"><T zh="损失" en="Loss" /></th>
                        <th scope="col"><T zh="训练准确率" en="Train acc." /></th>
                        <th scope="col"><T zh="测试准确率" en="Test acc." /></th>
                        <th scope="col"><T zh="用时（秒）" en="Epoch time (s)" /></th>
                        <th scope="col"><T zh="样本/秒" en="Samples/s" /></th>
                        <th scope="col"><T zh="毫秒/步" en="ms/step" /></th>
                        <th scope="col"><T zh="实测 GFLOP/s" en="Achieved GFLOP/s" /></th>
                        <th scope="col"><T zh="GPU 时间（秒）" en="GPU time (s)" /></th>
                        <th scope="col"><T zh="预热" en="Warm-up" /></th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let batch_size = panel.batch_size.get();
                        let resumed_at = panel.resumed_at.get();
                        panel
                            .epochs
                            .get()
                            .into_iter()
                            .map(|r| {
                                let warmup = r.epoch == 1 || Some(r.epoch) == resumed_at;
                                epoch_row(r, batch_size, warmup)
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
    }
}

/// A row of the epochs table; `warmup` marks the first epoch on a device, which includes
/// one-off costs: shader compilation, first uploads.
fn epoch_row(r: EpochReport, batch_size: usize, warmup: bool) -> impl IntoView {
    view! {
        <tr
            data-epoch=r.epoch.to_string()
            data-train-loss=r.train_loss.to_string()
            data-test-accuracy=r.test_accuracy.to_string()
            data-samples-per-s=r.samples_per_s.to_string()
            data-train-time-s=r.train_time_s.to_string()
            data-warmup=warmup.to_string()
            data-gpu-time-s=r.gpu_time_s.map(|s| s.to_string())
        >
            <td>{r.epoch}</td>
            <td>{format!("{:.4}", r.train_loss)}</td>
            <td>{percent(r.train_accuracy)}</td>
            <td>{percent(r.test_accuracy)}</td>
            <td>{format!("{:.2}", r.train_time_s)}</td>
            <td>{format!("{:.0}", r.samples_per_s)}</td>
            <td>{format!("{:.2}", r.ms_per_step(batch_size))}</td>
            <td>{format!("{:.2}", r.achieved_flops_per_s() / 1e9)}</td>
            <td>{r.gpu_time_s.map_or_else(|| "—".to_owned(), |s| format!("{s:.2}"))}</td>
            <td>{warmup.then(|| view! { <T zh="含预热" en="included" /> })}</td>
        </tr>
    }
}

/// The GPU time figure: the last epoch's, or why there is none.
fn gpu_time_text(timer: Option<bool>, last_s: Option<f64>) -> String {
    let lang = lang();
    match (timer, last_s) {
        (Some(true), Some(seconds)) => format!("{seconds:.2} s"),
        (Some(true), None) => "—".to_owned(),
        (Some(false), _) => lang
            .pick(
                "此适配器不提供（无时间戳查询）",
                "not available on this adapter",
            )
            .to_owned(),
        (None, _) => "—".to_owned(),
    }
}

fn percent(fraction: f32) -> String {
    format!("{:.2}%", fraction * 100.0)
}

/// Shows the end of a run that returned normally, finished or stopped, and keeps it.
fn finish(panel: Panel, report: &RunReport, choice: DeviceChoice) {
    if let Some(run) = RunForCostModel::from_report(report) {
        panel.last_run.set(Some(run));
    }
    if let Some(kept) = panel.kept_run
        && !report.epochs.is_empty()
    {
        kept.set(Some(RunRecord {
            requested_device: choice.as_str().to_owned(),
            report: report.clone(),
        }));
    }
    let finished = report.epochs.len();
    let accuracy = report.final_test_accuracy();
    if report.stopped && finished == 0 {
        panel.status(RunState::Stopped, Status::StoppedEarly);
    } else if report.stopped {
        panel.status(RunState::Stopped, Status::Stopped { finished, accuracy });
    } else {
        panel.progress.set(1.0);
        panel.status(RunState::Done, Status::Finished { finished, accuracy });
    }
    log::info!(
        "run on {}: {finished} epoch(s), stopped: {}, steady throughput {:?} samples/s",
        report.device,
        report.stopped,
        report.steady_samples_per_s()
    );
}

/// The active data: the reader's files, or the bundled MNIST, fetched and parsed on the first
/// run and kept for the next ones.
async fn load_data(panel: Panel) -> Result<Arc<Mnist>, String> {
    if let Some(data) = panel.data.mnist.get_untracked() {
        return Ok(data);
    }
    panel.status(RunState::Loading, Status::LoadingData);
    let data = Arc::new(load_mnist().await?);
    log::info!(
        "MNIST loaded: {} train, {} test images",
        data.train.len(),
        data.test.len()
    );
    panel.data.mnist.set(Some(Arc::clone(&data)));
    Ok(data)
}

/// Loads the data (once), prepares the chosen device and trains from `from` (the start, or the
/// checkpoint of a run whose device was lost), reporting into the panel. When the GPU device
/// is lost mid-run, `panel.resume` offers to continue from the last finished epoch.
///
/// Auto goes straight to the CPU when the probe already found that WebGPU cannot train here,
/// and falls back to it when preparing the GPU fails; either way `#train-note` says why. A GPU
/// failure that says something about WebGPU here also updates `#webgpu-status`.
async fn train(
    panel: Panel,
    config: TrainConfig,
    choice: DeviceChoice,
    from: Checkpoint,
) -> Result<RunReport, String> {
    let data = load_data(panel).await?;

    let mut on_event = move |event: TrainEvent| match event {
        TrainEvent::Step(step) => {
            panel.progress.set(step.fraction());
            panel.loss.set(Some(step.running_loss));
            panel.steps.update(|s| s.push(step));
            if !panel.stop_requested.get_untracked() {
                panel.message.set(Status::Training {
                    epoch: step.epoch,
                    epochs: step.epochs,
                });
            }
        }
        TrainEvent::Epoch(report) => {
            panel.loss.set(Some(report.train_loss));
            panel.epochs.update(|rows| rows.push(report));
        }
    };
    // A disposed signal (the page torn down) also means stop.
    let should_stop = move || panel.stop_requested.try_get_untracked().unwrap_or(true);

    let known = panel.diagnosis.get_untracked();
    let mut gpu_problem = (choice == DeviceChoice::Auto && known.is_failure())
        .then(|| CpuReason::Known(known.clone()));
    if choice == DeviceChoice::Gpu || (choice == DeviceChoice::Auto && gpu_problem.is_none()) {
        panel.status(RunState::Loading, Status::PreparingGpu);
        match GpuTrainer::resume(&data.train, &data.test, config, from.clone()).await {
            Ok(mut trainer) => {
                let adapter = trainer.adapter_name().to_owned();
                log::info!("training on {adapter}");
                // A new device works after one was lost: WebGPU works here again.
                if matches!(panel.diagnosis.get_untracked(), Diagnosis::DeviceLost(_)) {
                    panel.diagnosis.set(Diagnosis::Ok {
                        adapter: adapter.clone(),
                    });
                }
                panel.gpu_timer.set(Some(trainer.has_gpu_timer()));
                panel.adapter.set(Some(adapter));
                panel.status(
                    RunState::Running,
                    running_message(from.next_epoch(), config.epochs),
                );
                let result = trainer.run(&mut on_event, &should_stop).await;
                if let Err(error) = &result {
                    panel.gpu_failed(error);
                    if let GpuError::DeviceLost(reason) = error {
                        panel.resume.set(Some(ResumeOffer {
                            config,
                            from: Arc::new(trainer.checkpoint().clone()),
                            reason: reason.clone(),
                        }));
                    }
                }
                let report = continued(panel, result.map_err(|error| error.to_string())?, &from);
                if let Some(trained) = panel.trained {
                    let params = trainer.params().await;
                    if let Err(error) = &params {
                        log::warn!("could not read the trained weights back: {error}");
                    }
                    trained.publish_run(&report, params.ok(), &data);
                }
                return Ok(report);
            }
            Err(error) => {
                panel.gpu_failed(&error);
                if choice != DeviceChoice::Auto {
                    return Err(error.to_string());
                }
                gpu_problem = Some(CpuReason::GpuFailed(error.to_string()));
            }
        }
    }

    if let Some(problem) = gpu_problem {
        log::info!("GPU unavailable, training on the CPU: {problem:?}");
        panel.note.set(Some(problem));
    }
    panel
        .adapter
        .set(Some(crate::train::cpu::DEVICE_NAME.to_owned()));
    panel.status(
        RunState::Running,
        running_message(from.next_epoch(), config.epochs),
    );
    let mut trainer = CpuTrainer::resume(&data.train, &data.test, config, from.clone());
    let report = continued(panel, trainer.run(&mut on_event, &should_stop).await, &from);
    if let Some(trained) = panel.trained {
        trained.publish_run(&report, Some(trainer.params().to_vec()), &data);
    }
    Ok(report)
}

/// A run continued from `from` after a lost device, reported as the whole run: the epochs
/// kept in the table and the new ones, on a device named for where it went on. A run from the
/// start is returned as it is.
fn continued(panel: Panel, mut report: RunReport, from: &Checkpoint) -> RunReport {
    if from.epochs_done > 0 {
        report.device = format!(
            "{}, continued from epoch {}",
            report.device,
            from.next_epoch()
        );
        report.epochs = panel.epochs.get_untracked();
    }
    report
}

/// The status line when a run starts at `epoch`.
fn running_message(epoch: usize, epochs: usize) -> Status {
    Status::Training { epoch, epochs }
}

/// Fetches and parses the four MNIST files served under `data/`, relative to the page.
pub(crate) async fn load_mnist() -> Result<Mnist, String> {
    let url = |name: &str| format!("data/{name}{GZIP_SUFFIX}");
    let train_images = fetch_bytes(&url(TRAIN_IMAGES_FILE)).await?;
    let train_labels = fetch_bytes(&url(TRAIN_LABELS_FILE)).await?;
    let test_images = fetch_bytes(&url(TEST_IMAGES_FILE)).await?;
    let test_labels = fetch_bytes(&url(TEST_LABELS_FILE)).await?;

    let train = Dataset::from_idx(
        &url(TRAIN_IMAGES_FILE),
        &train_images,
        &url(TRAIN_LABELS_FILE),
        &train_labels,
    )
    .map_err(|e| e.to_string())?;
    let test = Dataset::from_idx(
        &url(TEST_IMAGES_FILE),
        &test_images,
        &url(TEST_LABELS_FILE),
        &test_labels,
    )
    .map_err(|e| e.to_string())?;
    Ok(Mnist { train, test })
}

/// GETs `url` (relative to the page) and returns the body's bytes.
async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("this page has no window object")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("could not fetch '{url}': {}", js_message(&e)))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| format!("fetching '{url}' did not give an HTTP response"))?;
    if !response.ok() {
        return Err(format!(
            "the server answered HTTP {} for '{url}': are the data files in public/data?",
            response.status()
        ));
    }
    let body = response
        .array_buffer()
        .map_err(|e| format!("could not read '{url}': {}", js_message(&e)))?;
    let body = JsFuture::from(body)
        .await
        .map_err(|e| format!("could not read '{url}': {}", js_message(&e)))?;
    Ok(js_sys::Uint8Array::new(&body).to_vec())
}
