//! Pieces every cost-model section uses: field parsers, select and text fields, result lines
//! with `data-value`, the error beside a result, and the "how this was computed" list.

use leptos::prelude::*;

use crate::cost::error::CostError;
use crate::cost::format::{NOT_A_VALUE, Step, format_money, format_number};
use crate::cost::input::{
    InputError, parse_count, parse_fraction, parse_number, require_non_negative, require_positive,
};
use crate::cost::units::Currency;

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

/// How a result line writes its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// [`format_number`] followed by the unit.
    Number,
    /// [`format_money`] in the page's currency, followed by the unit (e.g. "per 1M tokens").
    Money,
    /// The value × 100 with a percent sign.
    Percent,
}

fn show(kind: Kind, value: f64) -> String {
    match kind {
        Kind::Number => format_number(value),
        Kind::Money => format_money(value, currency()),
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
    /// Unit shown after the number; may be empty.
    #[prop(optional)]
    unit: &'static str,
) -> impl IntoView {
    view! {
        <p class="result">
            <span class="result-label">
                <span lang="zh-CN">{label_zh}</span>
                " "
                <span class="en" lang="en">{label_en}</span>
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

/// A formula's refusal (price not above marginal cost, an overflow), shown in both languages.
#[component]
pub fn ErrorLine(id: &'static str, error: Signal<Option<CostError>>) -> impl IntoView {
    view! {
        <p class="formula-error" id=id role="alert">
            {move || {
                error
                    .get()
                    .map(|e| {
                        view! {
                            <span lang="zh-CN">{e.message_zh()}</span>
                            " "
                            <span class="en" lang="en">{e.message_en()}</span>
                        }
                    })
            }}
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

/// One option of a [`SelectField`]: its value (as stored in the URL) and its label.
pub type Choice = (String, String);

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
                <span lang="zh-CN">{label_zh}</span>
                " "
                <span class="en" lang="en">{label_en}</span>
            </label>
            <select
                id=id
                aria-describedby=note_id.clone()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {choices
                    .into_iter()
                    .map(|(v, label)| {
                        let selected_value = v.clone();
                        view! {
                            <option
                                value=v
                                prop:selected=move || value.with(|s| *s == selected_value)
                            >
                                {label}
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
                <span lang="zh-CN">{label_zh}</span>
                " "
                <span class="en" lang="en">{label_en}</span>
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
                {move || {
                    error
                        .get()
                        .map(|e| {
                            view! {
                                <span lang="zh-CN">{e.message_zh()}</span>
                                " "
                                <span class="en" lang="en">{e.message_en()}</span>
                            }
                        })
                }}
            </p>
        </div>
    }
}

/// The section's formula, written once above its fields.
#[component]
pub fn Formula(text: &'static str) -> impl IntoView {
    view! { <p class="formula">{text}</p> }
}

/// "How this was computed": every [`Step`] of the section's results, Chinese then English.
/// Empty (with a short line saying why) while an input is invalid.
#[component]
pub fn Derivation(id: &'static str, steps: Signal<Vec<Step>>) -> impl IntoView {
    view! {
        <details class="derivation" id=id open>
            <summary>
                "计算过程 " <span class="en" lang="en">"How this was computed"</span>
            </summary>
            <ol>
                {move || {
                    let steps = steps.get();
                    if steps.is_empty() {
                        return view! {
                            <li class="muted">
                                "输入有误时不显示。 "
                                <span class="en" lang="en">"Shown once every input is valid."</span>
                            </li>
                        }
                            .into_any();
                    }
                    steps
                        .into_iter()
                        .map(|s| {
                            view! {
                                <li>
                                    <span lang="zh-CN">{s.text_zh()}</span>
                                    <br />
                                    <span class="en" lang="en">{s.text_en()}</span>
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </ol>
        </details>
    }
}
