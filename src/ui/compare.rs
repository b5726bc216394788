//! GPU and CPU side by side: the same settings trained on both, with the article's η = T / R
//! and E = R / T (§4.1) before (CPU) and after (GPU) — the article's "how do I evaluate a cost
//! optimisation?" answered with the reader's own hardware.

use leptos::prelude::*;

use crate::cost::article::{algorithm_efficiency, resource_utilisation};
use crate::train::RunReport;

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

    fn label(self) -> &'static str {
        match self {
            Self::Gpu => "GPU（WebGPU）",
            Self::Cpu => "CPU（WebAssembly）",
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
                        "GPU 与 CPU 对比（相同设置）"
                        <span class="en" lang="en">
                            " GPU and CPU, same settings. T = training time (s, first-epoch \
                             warm-up included, test evaluation excluded); R = 1 device; η = T / R \
                             and E = R / T as in the article's §4.1."
                        </span>
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">"设备" <br /> <span class="en">"Device"</span></th>
                            <th scope="col">"样本/秒" <br /> <span class="en">"Samples/s"</span></th>
                            <th scope="col">"每轮用时 (s)" <br /> <span class="en">"Epoch time"</span></th>
                            <th scope="col">"测试准确率" <br /> <span class="en">"Test acc."</span></th>
                            <th scope="col">"T (s)"</th>
                            <th scope="col">"η = T/R" <br /> <span class="en">"s per device"</span></th>
                            <th scope="col">"E = R/T" <br /> <span class="en">"devices per s"</span></th>
                            <th scope="col">"加速比" <br /> <span class="en">"Speed-up vs CPU"</span></th>
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
            <p id="compare-summary" class="aside">{move || rows.with(|r| summary(r))}</p>
        </Show>
    }
}

fn compare_row(row: &CompareRow, rows: &[CompareRow]) -> impl IntoView + use<> {
    let speedup = speedup(row, rows);
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
                {row.device.label()} <br /> <span class="en">{row.device_name.clone()}</span>
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

/// The before (CPU) and after (GPU) reading, once both rows are there.
fn summary(rows: &[CompareRow]) -> String {
    let find = |device| rows.iter().find(|r| r.device == device);
    let (Some(gpu), Some(cpu)) = (find(CompareDevice::Gpu), find(CompareDevice::Cpu)) else {
        return "GPU 已完成，正在用 CPU 训练同样的设置… · The GPU run is done; now the same \
                settings on the CPU…"
            .to_owned();
    };
    let ratio = cpu.train_time_s / gpu.train_time_s;
    let verdict_zh = if ratio >= 1.0 {
        format!("GPU 快 {ratio:.2} 倍")
    } else {
        format!("GPU 反而慢，只有 CPU 的 {ratio:.2} 倍速度")
    };
    let verdict_en = if ratio >= 1.0 {
        format!("the GPU is {ratio:.2}× as fast")
    } else {
        format!("the GPU is slower here, at {ratio:.2}× the CPU's speed")
    };
    format!(
        "以 CPU 为“优化前”、GPU 为“优化后”：T 从 {ct:.2} s 变为 {gt:.2} s，η = T/R 从 {ce} 变为 {ge}，\
         E = R/T 从 {cf} 变为 {gf}；{verdict_zh}。两者都只用 1 个设备（R = 1），所以 η 就是训练时间，\
         E 就是它的倒数。· Taking the CPU as “before” and the GPU as “after”: T goes from {ct:.2} s \
         to {gt:.2} s, η = T/R from {ce} to {ge}, E = R/T from {cf} to {gf}; {verdict_en}. Each \
         run uses one device (R = 1), so η is simply the training time and E its reciprocal.",
        ct = cpu.train_time_s,
        gt = gpu.train_time_s,
        ce = fixed(cpu.eta(), 2),
        ge = fixed(gpu.eta(), 2),
        cf = short(cpu.efficiency()),
        gf = short(gpu.efficiency()),
    )
}
