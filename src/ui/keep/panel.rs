//! The "Keep your results" section: export buttons, the import field and the kept run.

use leptos::prelude::*;
use leptos::task::spawn_local;

use wasm_bindgen_futures::JsFuture;

use super::{KeptInputs, LastRunCtx};
use crate::cost::format::format_number;
use crate::export::{self, ExportError, Kept, MAX_FILE_BYTES, RunRecord};
use crate::ui::cost_model::measured::{MeasuredRunCtx, RunForCostModel};
use crate::ui::files;
use crate::ui::i18n::{T, lang, tr};

/// What the panel's message line says. Kept in both languages and written out in the page's
/// language when shown, so that switching the language translates a message already on screen.
#[derive(Clone, PartialEq)]
enum Message {
    Idle,
    Ok(Said),
    Error(Said),
}

/// A text in both languages.
#[derive(Clone, PartialEq)]
struct Said {
    zh: String,
    en: String,
}

impl Said {
    fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// An import error in both languages.
    fn error(error: &ExportError) -> Self {
        Self::new(error.message_zh(), error.to_string())
    }

    /// The same text after `prefix` (a file name) in both languages.
    fn after(self, prefix: &str) -> Self {
        Self::new(
            format!("{prefix}：{}", self.zh),
            format!("{prefix}: {}", self.en),
        )
    }
}

/// The "Keep your results" section: export, import, and the kept run.
#[component]
pub fn KeepPanel() -> impl IntoView {
    let inputs = use_context::<KeptInputs>();
    let last_run = use_context::<LastRunCtx>().map(|c| c.0);
    let (message, set_message) = signal(Message::Idle);

    let export_calculator = move |csv: bool| {
        move |_| {
            let Some(inputs) = inputs else { return };
            let state = inputs.state();
            let (text, name) = if csv {
                (state.to_csv(), "price-war-lab-calculator.csv")
            } else {
                (state.to_json(), "price-war-lab-calculator.json")
            };
            offer_download(name, csv, &text, set_message);
        }
    };
    let export_run = move |csv: bool| {
        move |_| {
            let Some(run) = last_run.and_then(|r| r.get_untracked()) else {
                return;
            };
            let (text, name) = if csv {
                (run.to_csv(), "price-war-lab-run.csv")
            } else {
                (run.to_json(), "price-war-lab-run.json")
            };
            offer_download(name, csv, &text, set_message);
        }
    };
    let no_run = move || last_run.is_none_or(|r| r.with(Option::is_none));
    // A run with no finished epoch gives the cost model nothing to use.
    let no_epoch = move || {
        last_run.is_none_or(|r| r.with(|r| r.as_ref().is_none_or(|r| r.report.epochs.is_empty())))
    };

    let import = move |ev: web_sys::Event| {
        let Some(file) = files::take_picked(&ev).and_then(|picked| picked.into_iter().next())
        else {
            return;
        };
        spawn_local(async move {
            let name = file.name();
            let result = read_file(&file).await.and_then(|text| {
                let kept = export::read(&text).map_err(|e| Said::error(&e))?;
                apply(kept, inputs, last_run).map_err(|e| Said::error(&e))
            });
            match result {
                Ok(what) => set_message.set(Message::Ok(what.after(&name))),
                Err(why) => {
                    log::warn!("import of {name} refused: {}", why.en);
                    set_message.set(Message::Error(why.after(&name)));
                }
            }
        });
    };

    let measured = use_context::<MeasuredRunCtx>();
    let use_in_cost_model = move |_| {
        let run = last_run.and_then(|r| r.get_untracked());
        let for_cost_model = run.and_then(|r| RunForCostModel::from_report(&r.report));
        if let (Some(slot), Some(run)) = (measured, for_cost_model) {
            slot.0.set(Some(run));
            scroll_to("measured-run");
        }
    };

    view! {
        <section id="keep" aria-labelledby="keep-title">
            <h2 id="keep-title">
                <T zh="保存结果" en="Keep your results" />
            </h2>
            <p class="lead">
                <T
                    zh="计算器的全部输入和最近一次训练可以导出为 JSON 或 CSV 文件，之后再导入。本页也会在这台设备上记住它们，下次打开时恢复；链接中的参数优先。文件只在你的浏览器里生成和读取，不会上传。"
                    en="Every calculator input and the last training run can be exported as JSON or CSV and imported again later. This page also remembers them on this device and restores them next time; parameters in a link come first. Files are made and read in your browser only; nothing is uploaded."
                />
            </p>
            <div class="buttons">
                <button type="button" id="keep-export-calculator-json" on:click=export_calculator(false)>
                    <T zh="导出计算器（JSON）" en="Export the calculators (JSON)" />
                </button>
                <button type="button" id="keep-export-calculator-csv" on:click=export_calculator(true)>
                    <T zh="导出计算器（CSV）" en="Export the calculators (CSV)" />
                </button>
                <button type="button" id="keep-export-run-json" disabled=no_run on:click=export_run(false)>
                    <T zh="导出训练记录（JSON）" en="Export the run (JSON)" />
                </button>
                <button type="button" id="keep-export-run-csv" disabled=no_run on:click=export_run(true)>
                    <T zh="导出训练记录（CSV）" en="Export the run (CSV)" />
                </button>
            </div>
            <div class="field">
                <label for="keep-import">
                    <T zh="导入文件（JSON 或 CSV）" en="Import a file (JSON or CSV)" />
                </label>
                <input
                    id="keep-import"
                    type="file"
                    accept=".json,.csv,application/json,text/csv"
                    on:change=import
                />
            </div>
            <p
                id="keep-message"
                role="status"
                class=move || match message.get() {
                    Message::Error(_) => "field-error",
                    _ => "note",
                }
                data-state=move || match message.get() {
                    Message::Idle => "idle",
                    Message::Ok(_) => "ok",
                    Message::Error(_) => "error",
                }
            >
                {move || match message.get() {
                    Message::Idle => String::new(),
                    Message::Ok(text) | Message::Error(text) => lang().pick(text.zh, text.en),
                }}
            </p>
            {move || last_run.and_then(|r| r.get()).map(|run| view! { <KeptRun run=run /> })}
            <button
                type="button"
                id="kept-use-in-cost-model"
                disabled=no_epoch
                on:click=use_in_cost_model
            >
                <T zh="把这次训练用于成本模型" en="Use this run in the cost model" />
            </button>
        </section>
    }
}

/// The kept run: what ran where, and each epoch's figures.
#[component]
fn KeptRun(run: RunRecord) -> impl IntoView {
    let r = run.report.clone();
    let accuracy = r
        .final_test_accuracy()
        .map_or_else(|| "—".to_owned(), |a| format!("{:.2}%", a * 100.0));
    let total_s = format_number(r.epochs.iter().map(|e| e.train_time_s).sum());
    let summary =
        move || {
            let n = r.epochs.len();
            let total = r.config.epochs;
            lang().pick(
            format!(
                "{n}/{total} 轮，测试准确率 {accuracy}，训练用时 {total_s} 秒，{}",
                if r.stopped { "中途停止" } else { "已完成" }
            ),
            format!(
                "{n} of {total} epochs, test accuracy {accuracy}, training time {total_s} s, {}",
                if r.stopped { "stopped" } else { "finished" }
            ),
        )
        };
    let rows = run
        .report
        .epochs
        .iter()
        .map(|e| {
            view! {
                <tr
                    data-epoch=e.epoch.to_string()
                    data-train-loss=e.train_loss.to_string()
                    data-test-accuracy=e.test_accuracy.to_string()
                    data-samples-per-s=e.samples_per_s.to_string()
                    data-train-time-s=e.train_time_s.to_string()
                >
                    <td>{e.epoch}</td>
                    <td>{format_number(f64::from(e.train_loss))}</td>
                    <td>{format!("{:.2}%", e.test_accuracy * 100.0)}</td>
                    <td>{format_number(e.train_time_s)}</td>
                    <td>{format_number(e.samples_per_s.round())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div
            id="kept-run"
            data-requested-device=run.requested_device.clone()
            data-adapter=run.report.device.clone()
            data-epochs=run.report.epochs.len().to_string()
        >
            <h3><T zh="最近一次训练" en="The last run" /></h3>
            <p>{summary}</p>
            <p class="muted">
                {tr("设备：", "Device: ")} {device_in_words(&run.requested_device)} " · "
                {tr("适配器：", "Adapter: ")} {run.report.device.clone()} " · "
                {tr("批大小 ", "batch ")} {run.report.config.batch_size} " · "
                {tr("种子 ", "seed ")} {run.report.config.seed}
            </p>
            <div class="table-scroll">
                <table id="kept-run-table">
                    <thead>
                        <tr>
                            <th scope="col"><T zh="轮次" en="Epoch" /></th>
                            <th scope="col"><T zh="损失" en="Loss" /></th>
                            <th scope="col"><T zh="测试准确率" en="Test acc." /></th>
                            <th scope="col"><T zh="用时 (s)" en="Time (s)" /></th>
                            <th scope="col"><T zh="样本/秒" en="Samples/s" /></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </div>
    }
}

/// The device a run asked for, as the trainer's choice names it, in the page's language
/// (tracked).
fn device_in_words(code: &str) -> impl Fn() -> &'static str + Copy + Send + Sync + use<> {
    let (zh, en) = match code {
        "gpu" => ("GPU（WebGPU）", "GPU (WebGPU)"),
        "cpu" => ("CPU（WebAssembly）", "CPU (WebAssembly)"),
        // The only other value `RunRecord::validate` lets through.
        _ => ("自动（优先用 GPU）", "Auto (GPU if available)"),
    };
    tr(zh, en)
}

/// Puts an imported file's content in place; returns what was done, in words.
fn apply(
    kept: Kept,
    inputs: Option<KeptInputs>,
    last_run: Option<RwSignal<Option<RunRecord>>>,
) -> Result<Said, ExportError> {
    match kept {
        Kept::Run(run) => {
            let n = run.report.epochs.len();
            if let Some(slot) = last_run {
                slot.set(Some(run));
            }
            Ok(Said::new(
                format!("已导入一次训练记录（{n} 轮）。"),
                format!("imported a run ({n} epochs)."),
            ))
        }
        Kept::Calculator(state) => {
            let Some(inputs) = inputs else {
                return Ok(Said::new("", ""));
            };
            let missing = inputs.apply(&state)?;
            let n = state.inputs.len();
            Ok(match missing {
                0 => Said::new(
                    format!("已导入 {n} 个输入项。"),
                    format!("imported {n} inputs."),
                ),
                m => Said::new(
                    format!("已导入 {n} 个输入项；文件中缺少的 {m} 项使用默认值。"),
                    format!("imported {n} inputs; the {m} the file lacks use their defaults."),
                ),
            })
        }
    }
}

/// Reads a chosen file as text, refusing one larger than an export can be before reading it.
async fn read_file(file: &web_sys::File) -> Result<String, Said> {
    let size = file.size();
    if size > MAX_FILE_BYTES as f64 {
        return Err(Said::error(&ExportError::TooLarge(size as usize)));
    }
    let text = JsFuture::from(file.text()).await.map_err(|e| {
        log::warn!("could not read the chosen file: {e:?}");
        Said::new("无法读取这个文件。", "The file could not be read.")
    })?;
    text.as_string()
        .ok_or_else(|| Said::new("这个文件不是文本。", "The file is not text."))
}

/// Saves `text` as a download named `name`, made in the page from a Blob: no request is sent.
fn offer_download(name: &str, csv: bool, text: &str, set_message: WriteSignal<Message>) {
    let mime = if csv {
        "text/csv;charset=utf-8"
    } else {
        "application/json"
    };
    match files::download(name, mime, text.as_bytes()) {
        Ok(()) => set_message.set(Message::Ok(Said::new(
            format!("已生成 {name}。"),
            format!("{name} is ready."),
        ))),
        Err(e) => {
            log::warn!("download of {name} failed: {e:?}");
            set_message.set(Message::Error(Said::new(
                "浏览器无法生成下载文件。",
                "The browser could not make the download.",
            )));
        }
    }
}

fn scroll_to(id: &str) {
    let target = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id));
    if let Some(target) = target {
        target.scroll_into_view();
    }
}
