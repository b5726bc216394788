//! A labelled number field that keeps the text as typed and shows why it is not a number.

use leptos::prelude::*;

use crate::cost::input::{InputError, parse_number};
use crate::ui::i18n::{T, lang};

/// One number input's state: the raw text (kept as typed, so "1." stays "1.") and the number
/// it reads as, or why it does not. Both are signals, so outputs follow every keystroke.
#[derive(Debug, Clone, Copy)]
pub struct NumberInput {
    /// The text in the box, exactly as typed.
    pub text: RwSignal<String>,
    /// The text as read by the field's parser.
    pub value: Memo<Result<f64, InputError>>,
}

impl NumberInput {
    /// A field prefilled with `initial`, read with [`parse_number`].
    pub fn new(initial: &str) -> Self {
        Self::with_parser(initial, parse_number)
    }

    /// A field prefilled with `initial`, read with `parse` (e.g. a whole-number parser).
    pub fn with_parser(initial: &str, parse: fn(&str) -> Result<f64, InputError>) -> Self {
        let text = RwSignal::new(initial.to_owned());
        let value = Memo::new(move |_| text.with(|t| parse(t)));
        Self { text, value }
    }
}

/// A `<label>` tied to its `<input>` by `id`, with the error beside it when the text is not a
/// number, both in the page's language. The error element is referenced by `aria-describedby` and is a live `role="alert"`.
#[component]
pub fn NumberField(
    /// The input's element id; the error element is `<id>-error`.
    #[prop(into)]
    id: String,
    /// Chinese label, with the symbol and unit, e.g. "训练时间 T（天）".
    label_zh: &'static str,
    /// English label, e.g. "Training time T (days)".
    label_en: &'static str,
    /// The field's state.
    input: NumberInput,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let error = move || input.value.with(|v| v.as_ref().err().cloned());

    view! {
        <div class="field">
            <label for=id.clone()>
                <T zh=label_zh en=label_en />
            </label>
            <input
                id=id
                type="text"
                inputmode="decimal"
                autocomplete="off"
                spellcheck="false"
                aria-describedby=error_id.clone()
                aria-invalid=move || if error().is_some() { "true" } else { "false" }
                prop:value=move || input.text.get()
                on:input=move |ev| input.text.set(event_target_value(&ev))
            />
            <p class="field-error" id=error_id role="alert">
                {move || error().map(|e| e.message(lang()))}
            </p>
        </div>
    }
}
