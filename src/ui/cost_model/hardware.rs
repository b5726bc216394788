//! The accelerator and precision selects shared by the training and serving sections, with the
//! "custom" row's own fields, each table row's source, and a note when the table has no peak
//! figure for the chosen precision.

use leptos::prelude::*;

use crate::cost::accelerators::{ACCELERATORS, CUSTOM_ID, Precision, find_accelerator};
use crate::cost::format::format_number;
use crate::cost::units::BYTES_PER_GB;
use crate::lang::Lang;
use crate::ui::cost_model::widgets::{Choice, Outcome, SelectField, positive};
use crate::ui::field::{NumberField, NumberInput};
use crate::ui::i18n::lang;
use crate::ui::url_state::UrlState;

/// FLOP/s in one TFLOP/s, for the custom row's peak field.
const FLOP_PER_TFLOP: f64 = 1e12;

/// Query keys (= element ids) of one section's hardware fields.
pub struct HardwareKeys {
    /// Accelerator select.
    pub accelerator: &'static str,
    /// Precision select.
    pub precision: &'static str,
    /// Custom peak, TFLOP/s.
    pub peak: &'static str,
    /// Custom memory, GB.
    pub memory: &'static str,
    /// Custom memory bandwidth, GB/s.
    pub bandwidth: &'static str,
}

/// One section's hardware inputs.
#[derive(Clone, Copy)]
pub struct HardwareInputs {
    /// Accelerator id from [`ACCELERATORS`], or [`CUSTOM_ID`].
    pub accelerator: RwSignal<String>,
    /// Precision code (`fp32`, `tf32`, `bf16`, `fp8`).
    pub precision: RwSignal<String>,
    /// Custom accelerator's dense peak, TFLOP/s.
    pub custom_peak_tflops: NumberInput,
    /// Custom accelerator's memory, GB.
    pub custom_memory_gb: NumberInput,
    /// Custom accelerator's memory bandwidth, GB/s.
    pub custom_bandwidth_gbs: NumberInput,
}

/// The figures a formula needs from the chosen accelerator at the chosen precision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hardware {
    /// Dense peak FLOP/s at the chosen precision.
    pub peak_flop_per_s: f64,
    /// Memory of one accelerator, bytes.
    pub memory_bytes: f64,
    /// Memory bandwidth, bytes per second.
    pub memory_bytes_per_s: f64,
}

fn valid_accelerator(id: &str) -> bool {
    id == CUSTOM_ID || find_accelerator(id).is_some()
}

fn valid_precision(code: &str) -> bool {
    Precision::ALL.iter().any(|p| p.code() == code)
}

impl HardwareInputs {
    /// Registers the fields under `keys`, with the given default accelerator and precision.
    pub fn new(
        url: &mut UrlState,
        keys: &HardwareKeys,
        accelerator: &str,
        precision: &str,
    ) -> Self {
        Self {
            accelerator: url.text(keys.accelerator, accelerator, valid_accelerator),
            precision: url.text(keys.precision, precision, valid_precision),
            custom_peak_tflops: url.number(keys.peak, "100", positive),
            custom_memory_gb: url.number(keys.memory, "80", positive),
            custom_bandwidth_gbs: url.number(keys.bandwidth, "2000", positive),
        }
    }

    /// The chosen figures; `Err(None)` when a custom field is invalid or the table has no peak
    /// for the precision (the note beside the precision select says so).
    pub fn resolve(self) -> Memo<Outcome<Hardware>> {
        Memo::new(move |_| {
            let precision = Precision::from_code(&self.precision.get()).unwrap_or_default();
            let id = self.accelerator.get();
            if id == CUSTOM_ID {
                let (Ok(peak), Ok(memory), Ok(bandwidth)) = (
                    self.custom_peak_tflops.value.get(),
                    self.custom_memory_gb.value.get(),
                    self.custom_bandwidth_gbs.value.get(),
                ) else {
                    return Err(None);
                };
                return Ok(Hardware {
                    peak_flop_per_s: peak * FLOP_PER_TFLOP,
                    memory_bytes: memory * BYTES_PER_GB,
                    memory_bytes_per_s: bandwidth * BYTES_PER_GB,
                });
            }
            let a = find_accelerator(&id).ok_or(None)?;
            Ok(Hardware {
                peak_flop_per_s: a.peak_flop_per_s(precision).ok_or(None)?,
                memory_bytes: a.memory_bytes,
                memory_bytes_per_s: a.memory_bytes_per_s,
            })
        })
    }
}

fn accelerator_choices() -> Vec<Choice> {
    ACCELERATORS
        .iter()
        .map(|a| Choice::same(a.id, a.name))
        .chain([Choice::new(CUSTOM_ID, "自定义", "Custom")])
        .collect()
}

fn precision_choices() -> Vec<Choice> {
    Precision::ALL
        .iter()
        .map(|p| Choice::same(p.code(), p.label()))
        .collect()
}

/// The accelerator's figures and source, written under its select in `lang`. The source is a
/// document's title and stays as published.
fn accelerator_note(id: &str, lang: Lang) -> String {
    match find_accelerator(id) {
        Some(a) => format!(
            "FP32 {} TFLOP/s · BF16 {} TFLOP/s · {} GB · {} GB/s — {}{}",
            format_number(a.fp32_flop_per_s / FLOP_PER_TFLOP),
            a.bf16_flop_per_s
                .map_or_else(|| "—".to_owned(), |v| format_number(v / FLOP_PER_TFLOP)),
            format_number(a.memory_bytes / BYTES_PER_GB),
            format_number(a.memory_bytes_per_s / BYTES_PER_GB),
            lang.pick("来源：", "Source: "),
            a.source
        ),
        None => lang
            .pick(
                "自定义：请在下方填写峰值算力、显存与带宽。",
                "Custom: enter the peak, memory and bandwidth below.",
            )
            .to_owned(),
    }
}

/// Says when the table has no peak figure for the chosen precision on this accelerator.
fn precision_note(id: &str, code: &str, lang: Lang) -> String {
    let precision = Precision::from_code(code).unwrap_or_default();
    let name = find_accelerator(id).map(|a| (a.name, a.peak_flop_per_s(precision)));
    match (name, lang) {
        (Some((_, Some(peak))), _) => format!(
            "{}{} TFLOP/s",
            lang.pick("峰值算力：", "Peak: "),
            format_number(peak / FLOP_PER_TFLOP)
        ),
        (Some((name, None)), Lang::Zh) => format!(
            "表中没有 {name} 在 {} 下的峰值数据，请换一种精度。",
            precision.label()
        ),
        (Some((name, None)), Lang::En) => format!(
            "The table has no {} figure for {name}: choose another precision.",
            precision.label()
        ),
        (None, _) => lang
            .pick(
                "自定义加速器的各种精度都用同一个峰值。",
                "A custom accelerator uses one peak for every precision.",
            )
            .to_owned(),
    }
}

/// The accelerator and precision selects, and the custom row's fields when "custom" is chosen.
#[component]
pub fn HardwareFields(keys: HardwareKeys, inputs: HardwareInputs) -> impl IntoView {
    let HardwareInputs {
        accelerator,
        precision,
        custom_peak_tflops,
        custom_memory_gb,
        custom_bandwidth_gbs,
    } = inputs;
    let is_custom = move || accelerator.with(|a| a == CUSTOM_ID);
    let acc_note = Signal::derive(move || accelerator.with(|a| accelerator_note(a, lang())));
    let prec_note =
        Signal::derive(move || precision_note(&accelerator.get(), &precision.get(), lang()));
    let HardwareKeys {
        accelerator: acc_key,
        precision: prec_key,
        peak,
        memory,
        bandwidth,
    } = keys;

    view! {
        <SelectField
            id=acc_key
            label_zh="加速器"
            label_en="Accelerator"
            choices=accelerator_choices()
            value=accelerator
            note=acc_note
        />
        <SelectField
            id=prec_key
            label_zh="精度"
            label_en="Precision"
            choices=precision_choices()
            value=precision
            note=prec_note
        />
        <Show when=is_custom>
            <NumberField
                id=peak
                label_zh="自定义峰值算力（TFLOP/s）"
                label_en="Custom peak (TFLOP/s)"
                input=custom_peak_tflops
            />
            <NumberField
                id=memory
                label_zh="自定义显存（GB）"
                label_en="Custom memory (GB)"
                input=custom_memory_gb
            />
            <NumberField
                id=bandwidth
                label_zh="自定义显存带宽（GB/s）"
                label_en="Custom memory bandwidth (GB/s)"
                input=custom_bandwidth_gbs
            />
        </Show>
    }
}
