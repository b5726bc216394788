//! Pieces every cost-model section uses: field parsers, select and text fields, result lines
//! with `data-value`, the error beside a result, and the "how this was computed" list.

use leptos::prelude::*;

use crate::cost::error::CostError;
use crate::cost::format::{MoneyFormat, NOT_A_VALUE, Step, format_number};
use crate::cost::input::{
    InputError, parse_count, parse_fraction, parse_number, require_non_negative, require_positive,
};
use crate::cost::units::Currency;
use crate::ui::i18n::{T, lang};

/// A section's result: a value, or `Err(None)` when an input is not valid (its field says why),
/// or `Err(Some(_))` when the formula refuses the numbers (the message sits beside the result).
pub type Outcome<T> = Result<T, Option<CostError>>;

/// A number greater than 0 (prices per unit, counts of tokens, bandwidths).
pub fn positive(text: &str) -> Result<f64, InputError> {
    parse_number(text).and_then(require_positive)
}

/// A number of 0 or more (fixed costs, prices per GPU-hour).
pub fn non_negative(text: &str) -> Result<f64, InputError> {
    parse_number(text).and_then(require_non_negative)
}

/// A fraction in (0, 1], typed as `0.4` or `40%` (MFU).
pub fn fraction(text: &str) -> Result<f64, InputError> {
    parse_fraction(text).and_then(require_positive)
}

/// A whole number from 1 to 10,000,000 (GPUs, batch size, layers).
pub fn count(text: &str) -> Result<f64, InputError> {
    parse_count(text).map(f64::from)
}

/// Any finite number (an elasticity, whose sign is ignored by the formulas).
pub fn any_number(text: &str) -> Result<f64, InputError> {
    parse_number(text)
}

/// The page's currency, provided by the cost model to every result line.
#[derive(Clone, Copy)]
pub struct CurrencyCtx(pub Memo<Currency>);

/// The currency in context, US dollars when none is provided.
pub fn currency() -> Currency {
    use_context::<CurrencyCtx>().map_or(Currency::Usd, |c| c.0.get())
}

/// How money is written now: the page's currency, in the page's language (tracked).
pub fn money_format() -> MoneyFormat {
    MoneyFormat {
        currency: currency(),
        lang: lang(),
    }
}

/// How a result line writes its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// [`format_number`] followed by the unit.
    Number,
    /// Money in the page's currency and language ([`MoneyFormat::amount`]), followed by the
    /// unit (e.g. "/ 1M tokens").
    Money,
    /// The value × 100 with a percent sign.
    Percent,
}

fn show(kind: Kind, value: f64) -> String {
    match kind {
        Kind::Number => format_number(value),
        Kind::Money => money_format().amount(value),
        Kind::Percent => format!("{}%", format_number(value * 100.0)),
    }
}

/// One labelled result: `<output id data-value>` with the formatted number, or "—" and no
/// `data-value` when it cannot be computed.
#[component]
pub fn Out(
    /// The `<output>`'s id, `<section>-<name>-out`.
    id: &'static str,
    label_zh: &'static str,
    label_en: &'static str,
    /// The raw value, `None` when not computable.
    value: Signal<Option<f64>>,
    kind: Kind,
    /// Unit shown after the number, the same in both languages ("FLOP/s"); may be empty.
    #[prop(optional)]
    unit: &'static str,
    /// The unit in Chinese, when it differs from `unit`.
    #[prop(optional)]
    unit_zh: Option<&'static str>,
    /// The unit in English, when it differs from `unit`.
    #[prop(optional)]
    unit_en: Option<&'static str>,
) -> impl IntoView {
    let unit = move || lang().pick(unit_zh.unwrap_or(unit), unit_en.unwrap_or(unit));
    view! {
        <p class="result">
            <span class="result-label">
                <T zh=label_zh en=label_en />
            </span>
            " "
            <output id=id data-value=move || value.get().map(|v| v.to_string())>
                {move || value.get().map_or_else(|| NOT_A_VALUE.to_string(), |v| show(kind, v))}
            </output>
            " "
            <span class="unit">{unit}</span>
        </p>
    }
}

/// A formula's refusal (price not above marginal cost, an overflow), in the page's language.
#[component]
pub fn ErrorLine(id: &'static str, error: Signal<Option<CostError>>) -> impl IntoView {
    view! {
        <p class="formula-error" id=id role="alert">
            {move || error.get().map(|e| e.message(lang()))}
        </p>
    }
}

/// The error of an outcome, for [`ErrorLine`].
pub fn error_of<T: Clone + Send + Sync + 'static>(
    outcome: Memo<Outcome<T>>,
) -> Signal<Option<CostError>>
where
    Outcome<T>: PartialEq,
{
    Signal::derive(move || outcome.with(|o| o.as_ref().err().cloned().flatten()))
}

/// One option of a [`SelectField`]: its value (as stored in the URL) and its label in each
/// language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The option's value, as stored in the URL.
    pub value: String,
    /// The label in Chinese.
    pub zh: String,
    /// The label in English.
    pub en: String,
}

impl Choice {
    /// An option labelled in both languages.
    pub fn new(value: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// An option whose label reads the same in both languages (a product name, a code).
    pub fn same(value: impl Into<String>, label: impl Into<String>) -> Self {
        let label = label.into();
        Self::new(value, label.clone(), label)
    }
}

/// A labelled `<select>` over `choices`; `note` is shown beside it (e.g. the row's source).
#[component]
pub fn SelectField(
    id: &'static str,
    label_zh: &'static str,
    label_en: &'static str,
    choices: Vec<Choice>,
    value: RwSignal<String>,
    /// Text shown under the select, may change with the selection.
    #[prop(optional, into)]
    note: Option<Signal<String>>,
) -> impl IntoView {
    let note_id = format!("{id}-note");
    view! {
        <div class="field">
            <label for=id>
                <T zh=label_zh en=label_en />
            </label>
            <select
                id=id
                aria-describedby=note_id.clone()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {choices
                    .into_iter()
                    .map(|Choice { value: v, zh, en }| {
                        let selected_value = v.clone();
                        view! {
                            <option
                                value=v
                                prop:selected=move || value.with(|s| *s == selected_value)
                            >
                                {move || lang().pick(zh.as_str(), en.as_str()).to_owned()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <p class="field-note" id=note_id>
                {move || note.map(|n| n.get())}
            </p>
        </div>
    }
}

/// A labelled free-text field with its own parser's error beside it (the MLP's layer sizes).
#[component]
pub fn TextField(
    id: &'static str,
    label_zh: &'static str,
    label_en: &'static str,
    text: RwSignal<String>,
    /// Why the text is not usable, `None` when it is.
    error: Signal<Option<CostError>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>
                <T zh=label_zh en=label_en />
            </label>
            <input
                id=id
                type="text"
                autocomplete="off"
                spellcheck="false"
                aria-describedby=error_id.clone()
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            />
            <p class="field-error" id=error_id role="alert">
                {move || error.get().map(|e| e.message(lang()))}
            </p>
        </div>
    }
}

/// The section's formula, written once above its fields: `text` when it reads the same in both
/// languages, else `zh` and `en`.
#[component]
pub fn Formula(
    #[prop(optional)] text: &'static str,
    #[prop(optional)] zh: Option<&'static str>,
    #[prop(optional)] en: Option<&'static str>,
) -> impl IntoView {
    let shown = move || lang().pick(zh.unwrap_or(text), en.unwrap_or(text));
    view! { <p class="formula">{shown}</p> }
}

/// "How this was computed": every [`Step`] of the section's results, in the page's language.
/// Empty (with a short line saying why) while an input is invalid.
#[component]
pub fn Derivation(id: &'static str, steps: Signal<Vec<Step>>) -> impl IntoView {
    view! {
        <details class="derivation" id=id open>
            <summary>
                <T zh="计算过程" en="How this was computed" />
            </summary>
            <ol>
                {move || {
                    let steps = steps.get();
                    if steps.is_empty() {
                        return view! {
                            <li class="muted">
                                <T zh="所有输入有效后显示。" en="Shown once every input is valid." />
                            </li>
                        }
                            .into_any();
                    }
                    let lang = lang();
                    steps
                        .into_iter()
                        .map(|s| view! { <li>{s.text_in(lang)}</li> })
                        .collect_view()
                        .into_any()
                }}
            </ol>
        </details>
    }
}
