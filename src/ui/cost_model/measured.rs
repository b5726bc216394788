//! "Your run in the cost model": the trainer's measured speed turned into the article's η and
//! E, the MFU it implies against the accelerator chosen in the training section, and what that
//! section's training job would take and cost at the measured speed.

use leptos::prelude::*;

use super::training::{TrainingInputs, TrainingResults};
use super::widgets::{Derivation, Kind, Out, money_format};
use crate::cost::measured::{self, Measured, MeasuredRun, Projection};
use crate::lang::Lang;
use crate::model::TRAIN_FLOPS_PER_SAMPLE;
use crate::train::RunReport;
use crate::ui::i18n::{T, lang};

/// Which epochs of a run the cost model's figures cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpochsUsed {
    /// The run's only epoch, warm-up included.
    OnlyFirst,
    /// Epochs 2 to `last`; the first, with its warm-up, is left out.
    AfterFirst {
        /// The last finished epoch.
        last: usize,
    },
}

impl EpochsUsed {
    /// In words, in `lang`.
    pub fn text(self, lang: Lang) -> String {
        match (self, lang) {
            (Self::OnlyFirst, Lang::Zh) => "第 1 轮（含预热）".to_owned(),
            (Self::OnlyFirst, Lang::En) => "epoch 1 (includes warm-up)".to_owned(),
            (Self::AfterFirst { last: 2 }, Lang::Zh) => {
                "第 2 轮（第 1 轮含预热，未计入）".to_owned()
            }
            (Self::AfterFirst { last: 2 }, Lang::En) => {
                "epoch 2 (epoch 1, with warm-up, left out)".to_owned()
            }
            (Self::AfterFirst { last }, Lang::Zh) => {
                format!("第 2–{last} 轮（第 1 轮含预热，未计入）")
            }
            (Self::AfterFirst { last }, Lang::En) => {
                format!("epochs 2–{last} (epoch 1, with warm-up, left out)")
            }
        }
    }
}

/// A finished run as the cost model takes it, with the words the page shows about it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunForCostModel {
    /// The device in words, e.g. "google swiftshader (BrowserWebGpu) (GPU)".
    pub device: String,
    /// Which epochs the figures cover.
    pub epochs_used: EpochsUsed,
    /// Training samples in those epochs.
    pub samples: usize,
    pub run: MeasuredRun,
}

impl RunForCostModel {
    /// The steady part of a run: the epochs after the first when there are several (the first
    /// carries shader compilation and uploads), else the one epoch. `None` before any epoch.
    pub fn from_report(report: &RunReport) -> Option<Self> {
        let steady = report.steady_epochs();
        let epochs_used = match report.epochs.len() {
            0 => return None,
            1 => EpochsUsed::OnlyFirst,
            last => EpochsUsed::AfterFirst { last },
        };
        let samples: usize = steady.iter().map(|e| e.samples).sum();
        let train_time_s: f64 = steady.iter().map(|e| e.train_time_s).sum();
        Some(Self {
            device: report.device.clone(),
            epochs_used,
            samples,
            run: MeasuredRun {
                total_flops: samples as f64 * TRAIN_FLOPS_PER_SAMPLE as f64,
                train_time_s,
                devices: 1.0,
            },
        })
    }
}

/// The run the trainer last put into the cost model; provided once by the page.
#[derive(Clone, Copy)]
pub struct MeasuredRunCtx(pub RwSignal<Option<RunForCostModel>>);

/// The panel at the top of the cost model. Ids: `#measured-run`, outputs
/// `#measured-achieved-out`, `#measured-eta-out`, `#measured-efficiency-out`,
/// `#measured-mfu-out`, `#measured-days-out`, `#measured-device-hours-out`,
/// `#measured-cost-out`, and the button `#measured-apply-mfu`.
#[component]
pub fn MeasuredPanel(inputs: TrainingInputs, results: TrainingResults) -> impl IntoView {
    let slot = use_context::<MeasuredRunCtx>()
        .map(|c| c.0)
        .unwrap_or_else(|| RwSignal::new(None));
    let figures = Memo::new(move |_| {
        slot.with(|run| run.as_ref().and_then(|r| measured::measured(&r.run).ok()))
    });
    let achieved = move || figures.get().map(|m: Measured| m.achieved_flop_per_s);
    let mfu = Memo::new(move |_| {
        let peak = results.hardware.get().ok()?.peak_flop_per_s;
        measured::measured_mfu(achieved()?, peak).ok()
    });
    let projection = Memo::new(move |_| -> Option<Projection> {
        let flops = results.flops.get().ok()?.total;
        let devices = inputs.gpus.value.get().ok()?;
        let price = inputs.price.value.get().ok()?;
        measured::project(flops, achieved()?, devices, price).ok()
    });
    let apply_mfu = move |_| {
        if let Some(mfu) = mfu.get_untracked() {
            inputs.mfu.text.set(format!("{mfu:.6e}"));
        }
    };
    let about = move || {
        slot.with(|run| {
            run.as_ref().map(|r| {
                let used = r.epochs_used.text(lang());
                let time_s = r.run.train_time_s;
                match lang() {
                    Lang::Zh => format!(
                        "{} · {used} · {} 个样本，用时 {time_s:.2} 秒",
                        r.device, r.samples
                    ),
                    Lang::En => format!(
                        "{} · {used} · {} samples in {time_s:.2} s",
                        r.device, r.samples
                    ),
                }
            })
        })
    };

    view! {
        <section id="measured-run" class="measured" aria-labelledby="measured-title">
            <h3 id="measured-title">
                <T zh="你的实测结果" en="Your measured run" />
            </h3>
            <Show
                when=move || slot.with(Option::is_some)
                fallback=|| {
                    view! {
                        <p id="measured-empty" class="muted">
                            <T
                                zh="在下方训练模型后点“用于成本模型”，这里会算出按你这台设备的速度，大规模训练要花多少时间和钱。"
                                en="Train the model below, then press \"Use this run in the cost \
                                    model\": this panel then shows what your own device implies at \
                                    scale."
                            />
                        </p>
                    }
                }
            >
                <p id="measured-about">{about}</p>
                <Out
                    id="measured-achieved-out"
                    label_zh="实测算力"
                    label_en="Achieved"
                    value=Signal::derive(achieved)
                    kind=Kind::Number
                    unit="FLOP/s"
                />
                <Out
                    id="measured-eta-out"
                    label_zh="资源利用率 η = T / R（T 以秒计，R = 1 台设备）"
                    label_en="η = T / R (T in s, R = 1 device)"
                    value=Signal::derive(move || figures.get().map(|m| m.utilisation))
                    kind=Kind::Number
                />
                <Out
                    id="measured-efficiency-out"
                    label_zh="算法效率 E = R / T"
                    label_en="E = R / T"
                    value=Signal::derive(move || figures.get().map(|m| m.efficiency))
                    kind=Kind::Number
                />
                <Out
                    id="measured-mfu-out"
                    label_zh="MFU（相对下方所选加速器的峰值）"
                    label_en="MFU against the peak of the accelerator chosen below"
                    value=Signal::derive(move || mfu.get())
                    kind=Kind::Percent
                />
                <button
                    id="measured-apply-mfu"
                    type="button"
                    disabled=move || mfu.get().is_none()
                    on:click=apply_mfu
                >
                    <T zh="把这个 MFU 填入训练成本" en="Use this MFU in the training cost" />
                </button>
                <p class="muted">
                    <T
                        zh="若以实测速度完成下方“训练成本”中的任务（设备数与单价取自该部分，假设线性扩展）："
                        en="The training job described below, at the measured speed (device count \
                            and price from that section, perfect scaling assumed):"
                    />
                </p>
                <Out
                    id="measured-days-out"
                    label_zh="实际耗时"
                    label_en="Wall-clock time"
                    value=Signal::derive(move || projection.get().map(|p| p.wall_clock_days))
                    kind=Kind::Number
                    unit_zh="天"
                    unit_en="days"
                />
                <Out
                    id="measured-device-hours-out"
                    label_zh="设备小时"
                    label_en="Device-hours"
                    value=Signal::derive(move || projection.get().map(|p| p.device_hours))
                    kind=Kind::Number
                />
                <Out
                    id="measured-cost-out"
                    label_zh="成本"
                    label_en="Cost"
                    value=Signal::derive(move || projection.get().map(|p| p.cost))
                    kind=Kind::Money
                />
                <Derivation
                    id="measured-steps"
                    steps=Signal::derive(move || {
                        projection.get().map(|p| p.steps(money_format())).unwrap_or_default()
                    })
                />
            </Show>
        </section>
    }
}
