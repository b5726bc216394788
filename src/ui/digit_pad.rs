//! Using the trained model: draw a digit and watch its ten probabilities change, see test
//! digits it gets wrong, and save its weights to a file or load them back.
//!
//! The trainer publishes the weights of every run that finished at least one epoch into
//! [`TrainedModelCtx`] (read back from the GPU, or taken from the CPU trainer); a loaded file
//! replaces them. The drawing is prepared like MNIST by [`to_mnist`] and classified on the CPU
//! with the reference forward pass ([`probabilities`]).
//!
//! Drawing works with a pointer (finger, pen, mouse) or the keyboard: on the focused pad the
//! arrow keys move a pen (`.pad-pen`, `data-down` = true | false), Space or Enter puts it down
//! or lifts it, Delete or Backspace clears; `#digit-pad-keys` says so on the page.
//!
//! Ids (the browser test's contract): `#digit-pad` (the `<canvas>`), `#digit-clear`,
//! `#digit-status` (`data-model` = none | trained | loaded), `#digit-probs` with one
//! `<li data-digit data-probability data-top>` per digit, `#digit-top` (`data-digit`),
//! `#digit-mistakes` with `<li data-index data-label data-predicted data-confidence>`,
//! `#weights-save`, `#weights-load` (file input) and `#weights-status` (`data-state` = idle |
//! loaded | error).

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};

use crate::lang::count_en;
use crate::mnist::drawing::to_mnist;
use crate::mnist::{IMAGE_SIDE, Mnist};
use crate::model::CLASSES;
use crate::model::predict::{Mistake, mistakes, probabilities};
use crate::model::reference::predict;
use crate::model::weights_file::{self, WeightsFileError};
use crate::train::RunReport;
use crate::ui::files;
use crate::ui::i18n::{T, lang, tr};

/// The pad's canvas size in its own pixels; CSS scales it to the screen.
const PAD_SIDE: u32 = 280;
/// Stroke width on the pad, canvas pixels: after scaling a digit to 20 px this gives MNIST's
/// strokes of about two pixels.
const STROKE_WIDTH: f64 = 20.0;
/// Test digits shown as mistakes.
const MISTAKES_SHOWN: usize = 12;
/// How long a saved file's Blob URL lives after the click, milliseconds.
/// The name a saved weights file gets.
const FILE_NAME: &str = "price-war-lab-mlp-784-128-10.pwlw";

/// Where the current weights came from.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelOrigin {
    /// The last finished run on this page.
    Trained {
        device: String,
        epochs: usize,
        test_accuracy: Option<f32>,
    },
    /// A weights file the reader loaded.
    Loaded { file: String },
}

/// A model the page can use: its weights in the flat layout, and where they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainedModel {
    pub params: Arc<Vec<f32>>,
    pub origin: ModelOrigin,
}

/// The current model and the MNIST data, shared by the trainer (which writes them) and the
/// digit pad (which reads them). Provided at the root.
#[derive(Debug, Clone, Copy)]
pub struct TrainedModelCtx {
    pub model: RwSignal<Option<TrainedModel>>,
    pub data: RwSignal<Option<Arc<Mnist>>>,
}

impl TrainedModelCtx {
    /// A context with no model and no data yet.
    pub fn new() -> Self {
        Self {
            model: RwSignal::new(None),
            data: RwSignal::new(None),
        }
    }

    /// Publishes a finished run's weights (when it finished at least one epoch) and its data.
    pub fn publish_run(&self, report: &RunReport, params: Option<Vec<f32>>, data: &Arc<Mnist>) {
        self.data.set(Some(Arc::clone(data)));
        let Some(params) = params.filter(|_| !report.epochs.is_empty()) else {
            return;
        };
        self.model.set(Some(TrainedModel {
            params: Arc::new(params),
            origin: ModelOrigin::Trained {
                device: report.device.clone(),
                epochs: report.epochs.len(),
                test_accuracy: report.final_test_accuracy(),
            },
        }));
    }
}

impl Default for TrainedModelCtx {
    fn default() -> Self {
        Self::new()
    }
}

/// The section: pad and probabilities, the model's source, saving and loading, mistakes.
#[component]
pub fn DigitPad() -> impl IntoView {
    let Some(ctx) = use_context::<TrainedModelCtx>() else {
        return ().into_any();
    };
    let image = RwSignal::new(None::<Vec<u8>>);
    let probs = Memo::new(move |_| {
        let model = ctx.model.get()?;
        image.with(|i| i.as_ref().map(|i| probabilities(&model.params, i)))
    });
    let load_state = RwSignal::new(FileState::Idle);

    view! {
        <section id="digits" aria-labelledby="digits-title">
            <h2 id="digits-title"><T zh="写一个数字" en="Draw a digit" /></h2>
            <p class="lead">
                <T
                    zh="用手指或鼠标在方框里写一个 0–9 的数字，训练好的网络会随笔画给出十个数字各自的概率。笔迹先按 MNIST 的方法处理：缩放到 20×20 并按重心放进 28×28。"
                    en="Write a digit from 0 to 9 in the box with a finger or a mouse; the trained network gives the probability of each of the ten digits as you draw. The drawing is first prepared as MNIST's digits were: scaled into 20×20 and placed in 28×28 by its centre of mass."
                />
            </p>
            <ModelStatus ctx=ctx />
            <div class="digit-layout">
                <Pad image=image />
                <Probabilities probs=probs />
            </div>
            <Weights ctx=ctx state=load_state />
            <Mistakes ctx=ctx />
        </section>
    }
    .into_any()
}

/// Which model the pad uses, or how to get one.
#[component]
fn ModelStatus(ctx: TrainedModelCtx) -> impl IntoView {
    let text = move || {
        let l = lang();
        match ctx.model.get().map(|m| m.origin) {
            None => l
                .pick(
                    "还没有模型：先在上方训练（1 轮即可），或载入保存过的权重文件。",
                    "No model yet: train one above (one epoch is enough), or load a saved weights file.",
                )
                .to_owned(),
            Some(ModelOrigin::Trained {
                device,
                epochs,
                test_accuracy,
            }) => {
                let accuracy = test_accuracy
                    .map_or_else(|| "—".to_owned(), |a| format!("{:.2}%", a * 100.0));
                l.pick(
                    format!("使用刚训练好的模型：{epochs} 轮，{device}，测试准确率 {accuracy}。"),
                    format!(
                        "Using the model just trained: {} on {device}, test accuracy {accuracy}.",
                        count_en(epochs, "epoch", "epochs")
                    ),
                )
            }
            Some(ModelOrigin::Loaded { file }) => l.pick(
                format!("使用从文件 “{file}” 载入的权重。"),
                format!("Using the weights loaded from '{file}'."),
            ),
        }
    };
    let code = move || match ctx.model.with(|m| m.as_ref().map(|m| m.origin.clone())) {
        None => "none",
        Some(ModelOrigin::Trained { .. }) => "trained",
        Some(ModelOrigin::Loaded { .. }) => "loaded",
    };
    view! {
        <p id="digit-status" class="status" role="status" data-model=code>{text}</p>
    }
}

/// The canvas and its Clear button; writes the prepared 28 × 28 image into `image`.
#[component]
fn Pad(image: RwSignal<Option<Vec<u8>>>) -> impl IntoView {
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let last = StoredValue::new(None::<(f64, f64)>);
    let middle = f64::from(PAD_SIDE) / 2.0;
    let pen = RwSignal::new((middle, middle));
    let pen_down = RwSignal::new(false);
    // A pointer (finger, pen, mouse button) is down on the pad.
    let pointer_down = StoredValue::new(false);

    let context = move || -> Option<web_sys::CanvasRenderingContext2d> {
        canvas_ref
            .get_untracked()?
            .get_context("2d")
            .ok()??
            .dyn_into()
            .ok()
    };
    // The pointer's position in canvas pixels.
    let position = move |ev: &web_sys::PointerEvent| -> Option<(f64, f64)> {
        let canvas = canvas_ref.get_untracked()?;
        let rect = canvas.get_bounding_client_rect();
        if rect.width() <= 0.0 || rect.height() <= 0.0 {
            return None;
        }
        let x = (client(ev, "clientX") - rect.left()) * f64::from(PAD_SIDE) / rect.width();
        let y = (client(ev, "clientY") - rect.top()) * f64::from(PAD_SIDE) / rect.height();
        Some((x, y))
    };
    let read = move || {
        let Some(ctx) = context() else { return };
        let side = f64::from(PAD_SIDE);
        let Ok(data) = ctx.get_image_data(0.0, 0.0, side, side) else {
            log::warn!("could not read the digit pad's pixels");
            return;
        };
        // The alpha channel is the ink's coverage, whatever colour the theme draws in.
        let alpha: Vec<u8> = data.data().0.chunks_exact(4).map(|px| px[3]).collect();
        image.set(to_mnist(&alpha, PAD_SIDE as usize, PAD_SIDE as usize).map(|i| i.to_vec()));
    };
    let stroke_to = move |to: (f64, f64)| {
        let Some(ctx) = context() else { return };
        let from = last.get_value().unwrap_or(to);
        ctx.begin_path();
        ctx.move_to(from.0, from.1);
        // A zero-length line draws nothing; nudge it so a tap leaves a dot.
        ctx.line_to(to.0 + if from == to { 0.01 } else { 0.0 }, to.1);
        ctx.stroke();
        last.set_value(Some(to));
    };
    // Round ink in the pad's text colour, whatever the theme.
    let prepare_ink = move || {
        let Some(ctx) = context() else { return };
        ctx.set_line_width(STROKE_WIDTH);
        ctx.set_line_cap("round");
        ctx.set_line_join("round");
        let colour = canvas_ref
            .get_untracked()
            .and_then(|c| {
                web_sys::window()?
                    .get_computed_style(&c)
                    .ok()??
                    .get_property_value("color")
                    .ok()
            })
            .unwrap_or_else(|| "black".to_owned());
        ctx.set_stroke_style_str(&colour);
    };
    let start = move |ev: web_sys::PointerEvent| {
        ev.prevent_default();
        if let Some(canvas) = canvas_ref.get_untracked() {
            // Keep receiving moves when the finger leaves the box; failing only loses that.
            let _ = canvas.set_pointer_capture(ev.pointer_id());
            // prevent_default also stops the click from focusing the pad; the keys should
            // act on it next. Focus cannot fail on an element in the page.
            let _ = canvas.focus();
        }
        prepare_ink();
        pen_down.set(false);
        pointer_down.set_value(true);
        last.set_value(None);
        if let Some(p) = position(&ev) {
            stroke_to(p);
            read();
        }
    };
    let draw = move |ev: web_sys::PointerEvent| {
        if !pointer_down.get_value() {
            return;
        }
        ev.prevent_default();
        if let Some(p) = position(&ev) {
            stroke_to(p);
            read();
        }
    };
    let end = move |_: web_sys::PointerEvent| {
        pointer_down.set_value(false);
        // The keyboard's pen carries on from where the stroke ended.
        if let Some(at) = last.get_value() {
            pen.set(at);
        }
        last.set_value(None);
    };
    let clear = move || {
        if let Some(ctx) = context() {
            let side = f64::from(PAD_SIDE);
            ctx.clear_rect(0.0, 0.0, side, side);
        }
        image.set(None);
    };
    // The keyboard's pen: arrows move it a twentieth of the pad, Space or Enter puts it down
    // (leaving a dot) or lifts it, Delete or Backspace clears. While it is down, every move
    // draws, as a finger would.
    let key = move |ev: web_sys::KeyboardEvent| {
        // Keys with a modifier are the browser's (Alt+Left goes back, and so on).
        if ev.ctrl_key() || ev.alt_key() || ev.meta_key() || ev.shift_key() {
            return;
        }
        let (dx, dy) = match ev.key().as_str() {
            "ArrowUp" => (0.0, -1.0),
            "ArrowDown" => (0.0, 1.0),
            "ArrowLeft" => (-1.0, 0.0),
            "ArrowRight" => (1.0, 0.0),
            " " | "Enter" => {
                ev.prevent_default();
                // A held key repeats; the pen goes down or up once per press.
                if ev.repeat() {
                    return;
                }
                if pen_down.get_untracked() {
                    pen_down.set(false);
                    last.set_value(None);
                } else {
                    pen_down.set(true);
                    prepare_ink();
                    last.set_value(None);
                    stroke_to(pen.get_untracked());
                    read();
                }
                return;
            }
            "Delete" | "Backspace" => {
                ev.prevent_default();
                clear();
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        let side = f64::from(PAD_SIDE);
        let step = side / 20.0;
        let (x, y) = pen.get_untracked();
        let to = (
            (x + dx * step).clamp(0.0, side),
            (y + dy * step).clamp(0.0, side),
        );
        pen.set(to);
        if pen_down.get_untracked() {
            stroke_to(to);
            read();
        }
    };
    let lift = move |_: web_sys::FocusEvent| {
        if pen_down.get_untracked() {
            pen_down.set(false);
            last.set_value(None);
        }
    };
    view! {
        <div class="pad">
            <div class="pad-surface">
                <canvas
                    id="digit-pad"
                    node_ref=canvas_ref
                    width=PAD_SIDE
                    height=PAD_SIDE
                    tabindex="0"
                    role="application"
                    aria-label=tr(
                        "手写数字板：用手指或鼠标写一个数字；键盘：方向键移动笔，空格键落笔或抬笔，Delete 键清除",
                        "Drawing pad: write a digit with a finger or a mouse; keyboard: arrow keys move the pen, Space puts it down or lifts it, Delete clears",
                    )
                    aria-describedby="digit-pad-keys"
                    on:pointerdown=start
                    on:pointermove=draw
                    on:pointerup=end
                    on:pointercancel=end
                    on:keydown=key
                    on:blur=lift
                ></canvas>
                // The keyboard's pen over the canvas, in the canvas's own pixels (an SVG rather
                // than a positioned element: the page's policy allows no inline styles).
                <svg
                    class="pad-pen"
                    viewBox=format!("0 0 {PAD_SIDE} {PAD_SIDE}")
                    aria-hidden="true"
                    data-down=move || pen_down.get().to_string()
                >
                    <circle cx=move || pen.get().0 cy=move || pen.get().1 r=STROKE_WIDTH / 2.0 />
                </svg>
            </div>
            <div class="pad-side">
                <button id="digit-clear" type="button" on:click=move |_| clear()>
                    {tr("清除", "Clear")}
                </button>
                <figure class="pad-preview">
                    {move || image.get().map(|i| view! { <Thumbnail image=i label=tr("网络看到的 28×28 图像", "The 28×28 image the network sees")() /> })}
                    <figcaption class="muted">{tr("网络看到的 28×28", "What the network sees, 28×28")}</figcaption>
                </figure>
                <p id="digit-pad-keys" class="muted pad-keys">
                    {tr(
                        "也可以用键盘：选中写字板后，方向键移动笔，空格键落笔或抬笔，Delete 键清除。",
                        "Or use the keyboard: on the pad, arrow keys move the pen, Space puts it down or lifts it, Delete clears.",
                    )}
                </p>
            </div>
        </div>
    }
}

/// A pointer event's `clientX` or `clientY` with its fraction (pointer events carry fractional
/// coordinates; web-sys's `client_x` rounds them to whole pixels).
fn client(ev: &web_sys::PointerEvent, name: &str) -> f64 {
    js_sys::Reflect::get(ev, &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or_default()
}

/// Ten bars, one per digit, the top one marked.
#[component]
fn Probabilities(probs: Memo<Option<[f32; CLASSES]>>) -> impl IntoView {
    let top = move || probs.get().map(|p| predict(&p));
    view! {
        <div class="probs">
            <p class="result">
                {tr("网络的判断", "The network reads")}
                " "
                <output id="digit-top" data-digit=move || top().map(|d| d.to_string())>
                    {move || top().map_or_else(|| "—".to_owned(), |d| d.to_string())}
                </output>
            </p>
            <ol id="digit-probs" aria-label=tr("每个数字的概率", "Probability of each digit")>
                {(0..CLASSES)
                    .map(|digit| {
                        let p = move || probs.get().map(|p| p[digit]);
                        let is_top = move || top() == Some(digit);
                        view! {
                            <li
                                data-digit=digit.to_string()
                                data-probability=move || p().map(|v| v.to_string())
                                data-top=move || is_top().to_string()
                                class:top=is_top
                            >
                                <span class="digit">{digit}</span>
                                <span class="bar" aria-hidden="true">
                                    <span style:width=move || format!("{:.1}%", p().unwrap_or(0.0) * 100.0)></span>
                                </span>
                                <span class="value">
                                    {move || p().map_or_else(|| "—".to_owned(), |v| format!("{:.1}%", v * 100.0))}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </div>
    }
}

/// A 28 × 28 image as a small SVG, ink in the text colour.
#[component]
fn Thumbnail(image: Vec<u8>, label: &'static str) -> impl IntoView {
    let side = IMAGE_SIDE;
    let pixels = image
        .iter()
        .enumerate()
        .filter(|&(_, &v)| v > 0)
        .map(|(i, &v)| {
            view! {
                <rect
                    x=(i % side).to_string()
                    y=(i / side).to_string()
                    width="1"
                    height="1"
                    fill-opacity=format!("{:.3}", f32::from(v) / 255.0)
                />
            }
        })
        .collect_view();
    view! {
        <svg class="thumb" viewBox=format!("0 0 {side} {side}") role="img" aria-label=label>
            {pixels}
        </svg>
    }
}

/// What the last save or load did; shown in the language of the moment.
#[derive(Debug, Clone, PartialEq)]
enum FileState {
    Idle,
    /// A file was loaded; its name.
    Loaded(String),
    /// The file is not a usable weights file.
    Refused(WeightsFileError),
    /// The browser could not read the file; its message.
    Unreadable(String),
}

impl FileState {
    /// `data-state` of `#weights-status`.
    fn code(&self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Loaded(_) => "loaded",
            Self::Refused(_) | Self::Unreadable(_) => "error",
        }
    }

    fn message(&self) -> String {
        let l = lang();
        match self {
            Self::Idle => String::new(),
            Self::Loaded(name) => l.pick(format!("已载入 “{name}”。"), format!("Loaded '{name}'.")),
            Self::Refused(error) => l.pick(error.message_zh(), error.message_en()),
            Self::Unreadable(text) => l.pick(
                format!("无法读取这个文件：{text}"),
                format!("Could not read the file: {text}"),
            ),
        }
    }
}

/// Save and load buttons, and what the last load did.
#[component]
fn Weights(ctx: TrainedModelCtx, state: RwSignal<FileState>) -> impl IntoView {
    // Weights from a new run replace whatever was loaded or refused before: the old message
    // would describe a model that is no longer the one in use.
    Effect::new(move || {
        let trained = ctx.model.with(|m| {
            m.as_ref()
                .is_some_and(|m| matches!(m.origin, ModelOrigin::Trained { .. }))
        });
        if trained {
            state.set(FileState::Idle);
        }
    });
    let save = move |_| {
        let Some(model) = ctx.model.get_untracked() else {
            return;
        };
        match weights_file::encode(&model.params) {
            Ok(bytes) => {
                if let Err(e) = files::download(FILE_NAME, "application/octet-stream", &bytes) {
                    log::warn!("could not save the weights: {}", files::js_message(&e));
                }
            }
            Err(e) => state.set(FileState::Refused(e)),
        }
    };
    let load = move |ev: web_sys::Event| {
        let Some(file) = files::take_picked(&ev).and_then(|picked| picked.into_iter().next())
        else {
            return;
        };
        spawn_local(async move {
            let name = file.name();
            let bytes = match files::read_bytes(&file).await {
                Ok(bytes) => bytes,
                Err(e) => {
                    state.set(FileState::Unreadable(files::js_message(&e)));
                    return;
                }
            };
            match weights_file::decode(&bytes) {
                Ok(params) => {
                    log::info!("weights loaded from '{name}'");
                    ctx.model.set(Some(TrainedModel {
                        params: Arc::new(params),
                        origin: ModelOrigin::Loaded { file: name.clone() },
                    }));
                    state.set(FileState::Loaded(name));
                }
                Err(e) => {
                    log::warn!("weights file '{name}' refused: {e}");
                    state.set(FileState::Refused(e));
                }
            }
        });
    };
    view! {
        <div class="weights">
            <h3>{tr("保存与载入权重", "Save and load the weights")}</h3>
            <p class="muted">
                {tr(
                    "把训练好的权重存成文件（约 400 KB，只保存在你的设备上），以后载入即可直接写数字，不必重新训练。",
                    "Keep the trained weights as a file (about 400 KB, saved on your device only) and load it later to draw digits without training again.",
                )}
            </p>
            <div class="buttons">
                <button
                    id="weights-save"
                    type="button"
                    disabled=move || ctx.model.with(Option::is_none)
                    on:click=save
                >
                    {tr("保存权重", "Save weights")}
                </button>
                <label class="file-button">
                    {tr("载入权重文件", "Load a weights file")}
                    " "
                    <input id="weights-load" type="file" accept=".pwlw,application/octet-stream" on:change=load />
                </label>
            </div>
            <p
                id="weights-status"
                role="status"
                class="status"
                data-state=move || state.with(FileState::code)
            >
                {move || state.with(FileState::message)}
            </p>
        </div>
    }
}

/// Test digits the model gets wrong, the most confident mistakes first.
#[component]
fn Mistakes(ctx: TrainedModelCtx) -> impl IntoView {
    // A loaded model needs the test digits too: fetch them once, as the trainer does.
    Effect::new(move |_| {
        if ctx.model.with(Option::is_some) && ctx.data.with_untracked(Option::is_none) {
            spawn_local(async move {
                match crate::ui::trainer::load_mnist().await {
                    Ok(data) => {
                        if ctx.data.with_untracked(Option::is_none) {
                            ctx.data.set(Some(Arc::new(data)));
                        }
                    }
                    Err(e) => log::warn!("test digits for the mistakes list: {e}"),
                }
            });
        }
    });
    let found = Memo::new(move |_| -> Option<(Vec<Mistake>, usize, Arc<Mnist>)> {
        let model = ctx.model.get()?;
        let data = ctx.data.get()?;
        let (shown, total) = mistakes(&model.params, &data.test, MISTAKES_SHOWN);
        Some((shown, total, data))
    });
    view! {
        <div class="mistakes">
            <h3>{tr("模型认错的测试数字", "Test digits the model gets wrong")}</h3>
            <p class="muted" id="digit-mistakes-summary">
                {move || match found.get() {
                    None => tr("有了模型之后，这里列出它最有把握却认错的测试数字。", "Once there is a model, the test digits it gets wrong with the most confidence are shown here.")().to_owned(),
                    Some((shown, total, data)) => lang().pick(
                        format!("{} 个测试数字中认错 {total} 个；下面是最有把握的 {} 个错误。", data.test.len(), shown.len()),
                        format!("{total} of {} test digits are read wrong; here are the {} it is surest of.", data.test.len(), shown.len()),
                    ),
                }}
            </p>
            <ul id="digit-mistakes" class="mistake-list">
                {move || {
                    found
                        .get()
                        .map(|(shown, _, data)| {
                            shown
                                .into_iter()
                                .map(|m| {
                                    let image = data.test.image(m.index).to_vec();
                                    let caption = lang().pick(
                                        format!("应为 {}，判为 {}（{:.0}%）", m.label, m.predicted, m.confidence * 100.0),
                                        format!("is {}, read as {} ({:.0}%)", m.label, m.predicted, m.confidence * 100.0),
                                    );
                                    view! {
                                        <li
                                            data-index=m.index.to_string()
                                            data-label=m.label.to_string()
                                            data-predicted=m.predicted.to_string()
                                            data-confidence=m.confidence.to_string()
                                        >
                                            <Thumbnail image=image label=tr("测试数字", "Test digit")() />
                                            <span>{caption}</span>
                                        </li>
                                    }
                                })
                                .collect_view()
                        })
                }}
            </ul>
        </div>
    }
}
