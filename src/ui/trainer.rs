//! The trainer panel: fetches the MNIST files served beside the page, trains the article's MLP
//! through WebGPU with [`GpuTrainer`], and shows progress and each epoch's figures.
//!
//! Element ids and `data-*` attributes are part of the browser test's contract (see the
//! `Trainer` component's doc).

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::cost::input::{InputError, parse_count};
use crate::mnist::{
    Dataset, GZIP_SUFFIX, Mnist, TEST_IMAGES_FILE, TEST_LABELS_FILE, TRAIN_IMAGES_FILE,
    TRAIN_LABELS_FILE,
};
use crate::train::cpu::CpuTrainer;
use crate::train::gpu::GpuTrainer;
use crate::train::{EpochReport, RunReport, TrainConfig, TrainEvent};
use crate::ui::field::{NumberField, NumberInput};

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

/// The panel's signals, shared by the view and the training task.
#[derive(Clone, Copy)]
struct Panel {
    state: RwSignal<RunState>,
    message: RwSignal<String>,
    adapter: RwSignal<Option<String>>,
    /// Fraction of the run done, 0–1.
    progress: RwSignal<f64>,
    /// Mean loss over the current epoch's steps so far (nats).
    loss: RwSignal<Option<f32>>,
    epochs: RwSignal<Vec<EpochReport>>,
    batch_size: RwSignal<usize>,
    device: RwSignal<DeviceChoice>,
    /// Why the run is not on the GPU, when Auto fell back to the CPU.
    note: RwSignal<Option<String>>,
    stop_requested: RwSignal<bool>,
    /// The MNIST files, fetched and parsed once.
    data: StoredValue<Option<Arc<Mnist>>>,
}

impl Panel {
    fn new() -> Self {
        Self {
            state: RwSignal::new(RunState::Idle),
            message: RwSignal::new(
                "按“训练”开始。· Press Train to start: the MLP trains on this device's GPU."
                    .to_owned(),
            ),
            adapter: RwSignal::new(None),
            progress: RwSignal::new(0.0),
            loss: RwSignal::new(None),
            epochs: RwSignal::new(Vec::new()),
            batch_size: RwSignal::new(TrainConfig::default().batch_size),
            device: RwSignal::new(DeviceChoice::Auto),
            note: RwSignal::new(None),
            stop_requested: RwSignal::new(false),
            data: StoredValue::new(None),
        }
    }

    fn status(&self, state: RunState, message: impl Into<String>) {
        self.state.set(state);
        self.message.set(message.into());
    }

    fn fail(&self, message: String) {
        log::warn!("training failed: {message}");
        self.status(RunState::Error, format!("出错了 · Error: {message}"));
    }
}

/// Epochs a run may ask for: a whole number, 1 or more.
fn parse_epochs(text: &str) -> Result<f64, InputError> {
    parse_count(text).map(f64::from)
}

/// The trainer panel.
///
/// Ids: `#train-epochs` (input, default 5), `#train-start`, `#train-stop` (enabled only while
/// running), `#train-progress` (`<progress>`, 0–1), `#train-adapter`, `#train-loss`,
/// `#train-status` (`data-state` = idle | loading | running | done | stopped | error, and a
/// message), `#train-epochs-table` with one `<tr data-epoch data-test-accuracy
/// data-samples-per-s data-train-time-s data-train-loss data-warmup>` per finished epoch.
#[component]
pub fn Trainer() -> impl IntoView {
    let panel = Panel::new();
    let epochs_input =
        NumberInput::with_parser(&TrainConfig::default().epochs.to_string(), parse_epochs);

    let start = move |_| {
        if panel.state.get_untracked().busy() {
            return;
        }
        let Ok(epochs) = epochs_input.value.get_untracked() else {
            panel.fail("enter the number of epochs as a whole number, 1 or more".to_owned());
            return;
        };
        // parse_epochs only returns whole numbers from 1 to 10⁷, so the cast is exact.
        let config = TrainConfig {
            epochs: epochs as usize,
            ..TrainConfig::default()
        };
        panel.stop_requested.set(false);
        panel.note.set(None);
        panel.epochs.set(Vec::new());
        panel.progress.set(0.0);
        panel.loss.set(None);
        panel.batch_size.set(config.batch_size);
        spawn_local(async move {
            match train(panel, config).await {
                Ok(report) => finish(panel, &report),
                Err(message) => panel.fail(message),
            }
        });
    };

    let stop = move |_| {
        panel.stop_requested.set(true);
        panel
            .message
            .set("正在停止… · Stopping after the current chunk of steps…".to_owned());
    };

    view! {
        <section id="trainer" aria-labelledby="trainer-title">
            <h2 id="trainer-title">
                "浏览器内训练 " <span class="en" lang="en">"Train the article's MLP here"</span>
            </h2>
            <p class="lead">
                "原文 §5.2 的多层感知器（784 → 128 ReLU → 10，Adam 0.001，批大小 64），"
                "在本机 GPU 上通过 WebGPU 训练真实的 MNIST 手写数字。"
                <span class="en" lang="en">
                    " The MLP of the article's §5.2 (784 → 128 ReLU → 10, Adam 0.001, batch 64), \
                     trained on real MNIST digits on this device's GPU through WebGPU."
                </span>
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
                        "设备 " <span class="en" lang="en">"Device"</span>
                    </label>
                    <select
                        id="train-device"
                        on:change=move |ev| {
                            panel.device.set(DeviceChoice::from_value(&event_target_value(&ev)))
                        }
                        disabled=move || panel.state.get().busy()
                    >
                        <option value="auto" selected=true>
                            "自动（优先 GPU）· Auto: GPU if available"
                        </option>
                        <option value="gpu">"GPU（WebGPU）"</option>
                        <option value="cpu">"CPU（WebAssembly）"</option>
                    </select>
                </div>
                <div class="buttons">
                    <button
                        id="train-start"
                        type="button"
                        class="primary"
                        disabled=move || panel.state.get().busy()
                        on:click=start
                    >
                        "训练 Train"
                    </button>
                    <button
                        id="train-stop"
                        type="button"
                        disabled=move || panel.state.get() != RunState::Running
                        on:click=stop
                    >
                        "停止 Stop"
                    </button>
                </div>
            </div>
            <p
                id="train-status"
                class="status"
                role="status"
                data-state=move || panel.state.get().as_str()
            >
                {move || panel.message.get()}
            </p>
            {move || {
                panel
                    .note
                    .get()
                    .map(|note| view! { <p id="train-note" class="note" role="note">{note}</p> })
            }}
            <progress
                id="train-progress"
                max="1"
                aria-label="训练进度 Training progress"
                value=move || panel.progress.get().to_string()
            >
                {move || format!("{:.0}%", panel.progress.get() * 100.0)}
            </progress>
            <dl class="figures">
                <div>
                    <dt>"适配器 " <span class="en" lang="en">"Adapter"</span></dt>
                    <dd id="train-adapter">
                        {move || panel.adapter.get().unwrap_or_else(|| "—".to_owned())}
                    </dd>
                </div>
                <div>
                    <dt>"当前损失 " <span class="en" lang="en">"Running loss"</span></dt>
                    <dd id="train-loss">
                        {move || panel.loss.get().map_or_else(|| "—".to_owned(), |l| format!("{l:.4}"))}
                    </dd>
                </div>
            </dl>
            <EpochTable panel=panel />
        </section>
    }
}

/// One row per finished epoch.
#[component]
fn EpochTable(panel: Panel) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table id="train-epochs-table">
                <caption>
                    "每轮结果 " <span class="en" lang="en">"Per-epoch results"</span>
                </caption>
                <thead>
                    <tr>
                        <th scope="col">"轮次" <br /> <span class="en">"Epoch"</span></th>
                        <th scope="col">"损失" <br /> <span class="en">"Loss"</span></th>
                        <th scope="col">"训练准确率" <br /> <span class="en">"Train acc."</span></th>
                        <th scope="col">"测试准确率" <br /> <span class="en">"Test acc."</span></th>
                        <th scope="col">"用时 (s)" <br /> <span class="en">"Epoch time"</span></th>
                        <th scope="col">"样本/秒" <br /> <span class="en">"Samples/s"</span></th>
                        <th scope="col">"毫秒/步" <br /> <span class="en">"ms/step"</span></th>
                        <th scope="col">"GFLOP/s" <br /> <span class="en">"achieved"</span></th>
                        <th scope="col">"预热" <br /> <span class="en">"Warm-up"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let batch_size = panel.batch_size.get();
                        panel
                            .epochs
                            .get()
                            .into_iter()
                            .map(|r| epoch_row(r, batch_size))
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
    }
}

fn epoch_row(r: EpochReport, batch_size: usize) -> impl IntoView {
    // The first epoch of a run includes one-off costs: shader compilation, first uploads.
    let warmup = r.epoch == 1;
    view! {
        <tr
            data-epoch=r.epoch.to_string()
            data-train-loss=r.train_loss.to_string()
            data-test-accuracy=r.test_accuracy.to_string()
            data-samples-per-s=r.samples_per_s.to_string()
            data-train-time-s=r.train_time_s.to_string()
            data-warmup=warmup.to_string()
        >
            <td>{r.epoch}</td>
            <td>{format!("{:.4}", r.train_loss)}</td>
            <td>{percent(r.train_accuracy)}</td>
            <td>{percent(r.test_accuracy)}</td>
            <td>{format!("{:.2}", r.train_time_s)}</td>
            <td>{format!("{:.0}", r.samples_per_s)}</td>
            <td>{format!("{:.2}", r.ms_per_step(batch_size))}</td>
            <td>{format!("{:.2}", r.achieved_flops_per_s() / 1e9)}</td>
            <td>{if warmup { "含预热 incl." } else { "—" }}</td>
        </tr>
    }
}

fn percent(fraction: f32) -> String {
    format!("{:.2}%", fraction * 100.0)
}

/// Shows the end of a run that returned normally, finished or stopped.
fn finish(panel: Panel, report: &RunReport) {
    let finished = report.epochs.len();
    let accuracy = report
        .final_test_accuracy()
        .map_or_else(|| "—".to_owned(), percent);
    if report.stopped && finished == 0 {
        panel.status(
            RunState::Stopped,
            "已停止，尚未完成任何一轮。· Stopped before the first epoch finished.",
        );
    } else if report.stopped {
        panel.status(
            RunState::Stopped,
            format!(
                "已停止，完成 {finished} 轮，测试准确率 {accuracy}。· Stopped after {finished} \
                 finished epoch(s); test accuracy {accuracy}."
            ),
        );
    } else {
        panel.progress.set(1.0);
        panel.status(
            RunState::Done,
            format!(
                "完成 {finished} 轮，测试准确率 {accuracy}。· Finished {finished} epoch(s); test \
                 accuracy {accuracy}."
            ),
        );
    }
    log::info!(
        "run on {}: {finished} epoch(s), stopped: {}, steady throughput {:?} samples/s",
        report.device,
        report.stopped,
        report.steady_samples_per_s()
    );
}

/// Loads the data (once), prepares the GPU and trains, reporting into the panel.
async fn train(panel: Panel, config: TrainConfig) -> Result<RunReport, String> {
    let data = match panel.data.get_value() {
        Some(data) => data,
        None => {
            panel.status(
                RunState::Loading,
                "正在加载 MNIST 数据… · Loading the MNIST digits…",
            );
            let data = Arc::new(load_mnist().await?);
            log::info!(
                "MNIST loaded: {} train, {} test images",
                data.train.len(),
                data.test.len()
            );
            panel.data.set_value(Some(Arc::clone(&data)));
            data
        }
    };

    let mut on_event = move |event: TrainEvent| match event {
        TrainEvent::Step(step) => {
            panel.progress.set(step.fraction());
            panel.loss.set(Some(step.running_loss));
            if !panel.stop_requested.get_untracked() {
                panel.message.set(format!(
                    "训练中：第 {0}/{1} 轮 · Training: epoch {0} of {1}",
                    step.epoch, step.epochs
                ));
            }
        }
        TrainEvent::Epoch(report) => {
            panel.loss.set(Some(report.train_loss));
            panel.epochs.update(|rows| rows.push(report));
        }
    };
    // A disposed signal (the page torn down) also means stop.
    let should_stop = move || panel.stop_requested.try_get_untracked().unwrap_or(true);

    let choice = panel.device.get_untracked();
    let gpu_problem = if choice == DeviceChoice::Cpu {
        None
    } else {
        panel.status(
            RunState::Loading,
            "正在准备 GPU（适配器、着色器、上传数据）… · Preparing the GPU: adapter, shaders, data upload…",
        );
        match GpuTrainer::new(&data.train, &data.test, config).await {
            Ok(mut trainer) => {
                let adapter = trainer.adapter_name().to_owned();
                log::info!("training on {adapter}");
                panel.adapter.set(Some(adapter));
                panel.status(RunState::Running, running_message(config.epochs));
                return trainer
                    .run(&mut on_event, &should_stop)
                    .await
                    .map_err(|e| e.to_string());
            }
            Err(error) if choice == DeviceChoice::Auto => Some(error.to_string()),
            Err(error) => return Err(error.to_string()),
        }
    };

    if let Some(problem) = &gpu_problem {
        log::warn!("GPU unavailable, training on the CPU: {problem}");
        panel.note.set(Some(format!(
            "GPU 不可用，改用 CPU 训练。· The GPU cannot be used here, so this run is on the CPU: \
             {problem}"
        )));
    }
    panel.adapter.set(Some("CPU (WebAssembly)".to_owned()));
    panel.status(RunState::Running, running_message(config.epochs));
    let mut trainer = CpuTrainer::new(&data.train, &data.test, config);
    Ok(trainer.run(&mut on_event, &should_stop).await)
}

/// The status line when a run starts.
fn running_message(epochs: usize) -> String {
    format!("训练中：第 1/{epochs} 轮 · Training: epoch 1 of {epochs}")
}

/// Fetches and parses the four MNIST files served under `data/`, relative to the page.
async fn load_mnist() -> Result<Mnist, String> {
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

/// A JavaScript exception as words.
fn js_message(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}
