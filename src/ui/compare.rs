//! GPU and CPU side by side: the same settings trained on both, with the article's η = T / R
//! and E = R / T (§4.1) before (CPU) and after (GPU) — the article's "how do I evaluate a cost
//! optimisation?" answered with the reader's own hardware.

use leptos::prelude::*;

use crate::cost::article::{algorithm_efficiency, resource_utilisation};
use crate::lang::Lang;
use crate::train::RunReport;
use crate::ui::i18n::{T, lang};

/// Resources R of one run: one device (one GPU, or the CPU), as the article counts GPUs.
pub const RESOURCES_PER_RUN: f64 = 1.0;

/// Which trainer a comparison row is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareDevice {
    /// WebGPU.
    Gpu,
    /// The WebAssembly CPU trainer.
    Cpu,
}

impl CompareDevice {
    /// The value of `data-device`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gpu => "gpu",
            Self::Cpu => "cpu",
        }
    }

    fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Gpu => lang.pick("GPU（WebGPU）", "GPU (WebGPU)"),
            Self::Cpu => lang.pick("CPU（WebAssembly）", "CPU (WebAssembly)"),
        }
    }
}

/// One finished run, reduced to the comparison's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRow {
    /// The trainer.
    pub device: CompareDevice,
    /// The device in the trainer's words (adapter name, or the CPU).
    pub device_name: String,
    /// Finished epochs.
    pub epochs: usize,
    /// T: training time summed over the finished epochs, seconds (test evaluation excluded,
    /// the first epoch's warm-up included).
    pub train_time_s: f64,
    /// Training samples per second over the whole run: samples / T.
    pub samples_per_s: f64,
    /// Mean training time of one epoch, seconds.
    pub epoch_time_s: f64,
    /// Test accuracy after the last finished epoch, 0–1.
    pub test_accuracy: f32,
}

impl CompareRow {
    /// The row for a run, or `None` when no epoch finished.
    pub fn from_report(device: CompareDevice, report: &RunReport) -> Option<Self> {
        let epochs = report.epochs.len();
        let test_accuracy = report.final_test_accuracy()?;
        let train_time_s: f64 = report.epochs.iter().map(|e| e.train_time_s).sum();
        let samples: usize = report.epochs.iter().map(|e| e.samples).sum();
        if train_time_s <= 0.0 {
            return None;
        }
        Some(Self {
            device,
            device_name: report.device.clone(),
            epochs,
            train_time_s,
            samples_per_s: samples as f64 / train_time_s,
            epoch_time_s: train_time_s / epochs as f64,
            test_accuracy,
        })
    }

    /// η = T / R (article §4.1.1), seconds per device.
    pub fn eta(&self) -> Option<f64> {
        resource_utilisation(self.train_time_s, RESOURCES_PER_RUN).ok()
    }

    /// E = R / T (article §4.1.2), devices per second.
    pub fn efficiency(&self) -> Option<f64> {
        algorithm_efficiency(RESOURCES_PER_RUN, self.train_time_s).ok()
    }
}

/// How many times faster `row` trained than the CPU row: T_cpu / T_row.
fn speedup(row: &CompareRow, rows: &[CompareRow]) -> Option<f64> {
    let cpu = rows.iter().find(|r| r.device == CompareDevice::Cpu)?;
    (row.train_time_s > 0.0).then(|| cpu.train_time_s / row.train_time_s)
}

/// Number formatting shared by the table: a value, or "—" when there is none.
fn fixed(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.digits$}"))
}

/// Small values such as E in devices per second read better in scientific notation.
fn short(value: Option<f64>) -> String {
    match value {
        Some(v) if v != 0.0 && v.abs() < 0.01 => format!("{v:.3e}"),
        other => fixed(other, 4),
    }
}

/// The comparison table: `#compare-table` with one `<tr data-device data-samples-per-s
/// data-test-accuracy data-train-time-s data-eta data-efficiency data-speedup>` per finished
/// run, and a sentence that reads the GPU row against the CPU row.
#[component]
pub fn CompareTable(rows: RwSignal<Vec<CompareRow>>) -> impl IntoView {
    view! {
        <Show when=move || !rows.with(Vec::is_empty)>
            <div class="table-scroll compare">
                <table id="compare-table">
                    <caption>
                        <T
                            zh="GPU 与 CPU 对比（相同设置）。T 为训练时间（秒，含第 1 轮预热，不含测试评估）；R = 1 台设备；η = T / R 与 E = R / T 同原文 §4.1。"
                            en="GPU and CPU, same settings. T = training time (s, first-epoch \
                                warm-up included, test evaluation excluded); R = 1 device; \
                                η = T / R and E = R / T as in the article's §4.1."
                        />
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col"><T zh="设备" en="Device" /></th>
                            <th scope="col"><T zh="样本/秒" en="Samples/s" /></th>
                            <th scope="col"><T zh="每轮用时（秒）" en="Epoch time (s)" /></th>
                            <th scope="col"><T zh="测试准确率" en="Test acc." /></th>
                            <th scope="col"><T zh="T（秒）" en="T (s)" /></th>
                            <th scope="col"><T zh="η = T/R（秒/设备）" en="η = T/R (s per device)" /></th>
                            <th scope="col"><T zh="E = R/T（设备/秒）" en="E = R/T (devices per s)" /></th>
                            <th scope="col"><T zh="相对 CPU 的加速比" en="Speed-up vs CPU" /></th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            let all = rows.get();
                            all.iter().map(|row| compare_row(row, &all)).collect_view()
                        }}
                    </tbody>
                </table>
            </div>
            <p id="compare-summary" class="aside">
                {move || {
                    let lang = lang();
                    rows.with(|r| summary(r, lang))
                }}
            </p>
        </Show>
    }
}

fn compare_row(row: &CompareRow, rows: &[CompareRow]) -> impl IntoView + use<> {
    let speedup = speedup(row, rows);
    let device = row.device;
    view! {
        <tr
            data-device=row.device.as_str()
            data-samples-per-s=row.samples_per_s.to_string()
            data-test-accuracy=row.test_accuracy.to_string()
            data-train-time-s=row.train_time_s.to_string()
            data-eta=row.eta().map(|v| v.to_string()).unwrap_or_default()
            data-efficiency=row.efficiency().map(|v| v.to_string()).unwrap_or_default()
            data-speedup=speedup.map(|v| v.to_string()).unwrap_or_default()
        >
            <th scope="row">
                {move || device.label(lang())}
                <br />
                <span class="device-name">{row.device_name.clone()}</span>
            </th>
            <td>{format!("{:.0}", row.samples_per_s)}</td>
            <td>{format!("{:.2}", row.epoch_time_s)}</td>
            <td>{format!("{:.2}%", row.test_accuracy * 100.0)}</td>
            <td>{format!("{:.2}", row.train_time_s)}</td>
            <td>{fixed(row.eta(), 2)}</td>
            <td>{short(row.efficiency())}</td>
            <td>{speedup.map_or_else(|| "—".to_owned(), |s| format!("{s:.2}×"))}</td>
        </tr>
    }
}

/// The before (CPU) and after (GPU) reading in `lang`, once both rows are there.
fn summary(rows: &[CompareRow], lang: Lang) -> String {
    let find = |device| rows.iter().find(|r| r.device == device);
    let (Some(gpu), Some(cpu)) = (find(CompareDevice::Gpu), find(CompareDevice::Cpu)) else {
        return lang
            .pick(
                "GPU 已训练完，正在用 CPU 训练同样的设置……",
                "The GPU run is done; now the same settings on the CPU…",
            )
            .to_owned();
    };
    let ratio = cpu.train_time_s / gpu.train_time_s;
    let (ct, gt) = (cpu.train_time_s, gpu.train_time_s);
    let (ce, ge) = (fixed(cpu.eta(), 2), fixed(gpu.eta(), 2));
    let (cf, gf) = (short(cpu.efficiency()), short(gpu.efficiency()));
    match lang {
        Lang::Zh => {
            let verdict = if ratio >= 1.0 {
                format!("GPU 快 {ratio:.2} 倍")
            } else {
                format!("GPU 反而更慢，速度只有 CPU 的 {ratio:.2} 倍")
            };
            format!(
                "把 CPU 看作“优化前”、GPU 看作“优化后”：T 从 {ct:.2} 秒变为 {gt:.2} 秒，\
                 η = T/R 从 {ce} 变为 {ge}，E = R/T 从 {cf} 变为 {gf}；{verdict}。两次都只用 1 台\
                 设备（R = 1），所以 η 就是训练时间，E 就是它的倒数。"
            )
        }
        Lang::En => {
            let verdict = if ratio >= 1.0 {
                format!("the GPU is {ratio:.2}× as fast")
            } else {
                format!("the GPU is slower here, at {ratio:.2}× the CPU's speed")
            };
            format!(
                "Taking the CPU as “before” and the GPU as “after”: T goes from {ct:.2} s to \
                 {gt:.2} s, η = T/R from {ce} to {ge}, E = R/T from {cf} to {gf}; {verdict}. Each \
                 run uses one device (R = 1), so η is simply the training time and E its \
                 reciprocal."
            )
        }
    }
}
