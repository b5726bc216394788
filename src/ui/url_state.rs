//! The cost model's inputs in the page's query string, so a copied link reproduces the page.
//!
//! Each input registers under its element id (`training-params`, `serving-price-unit`): its
//! initial text comes from the URL when the value there is valid, otherwise from its default,
//! and then every change is written back with `history.replaceState` (no reload, no new
//! history entry). A value that is malformed, too long or out of its field's range falls back to
//! the default, and the parameter's *name* is listed in a notice; a value from the URL is only
//! ever set as an input's text, never inserted as markup.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::cost::input::InputError;
use crate::lang::Lang;
use crate::ui::field::NumberInput;
use crate::ui::i18n::{T, lang};

/// Longest value accepted from the URL, in characters; no valid input needs more.
pub const MAX_VALUE_CHARS: usize = 100;

/// Key prefixes of the cost model's inputs.
pub const COST_MODEL_PREFIXES: &[&str] = &["training-", "serving-", "pricewar-", "costmodel-"];

/// Key prefixes of the article formulas' inputs (one per card).
pub const FORMULA_PREFIXES: &[&str] = &[
    "utilisation-",
    "efficiency-",
    "customisation-",
    "professional-",
    "tech-innovation-",
    "product-innovation-",
];

/// How a parameter's text is checked before it is taken from the URL (or an imported file).
#[derive(Clone, Copy)]
pub enum Check {
    /// A number field: its own parser must accept the text.
    Number(fn(&str) -> Result<f64, InputError>),
    /// A select or a free-text field: the predicate must hold.
    Text(fn(&str) -> bool),
}

impl Check {
    /// Whether the field takes `text`.
    pub fn accepts(self, text: &str) -> bool {
        match self {
            Check::Number(parse) => parse(text).is_ok(),
            Check::Text(valid) => valid(text),
        }
    }
}

/// One registered input: its query key (= element id), its text and its default text.
#[derive(Clone)]
pub struct Param {
    /// Query key, also the input's element id.
    pub key: &'static str,
    /// The input's text (a number as typed, or a select's option value).
    pub text: RwSignal<String>,
    /// The text a preset or a bad URL value resets it to.
    pub default: String,
    /// What the field accepts.
    pub check: Check,
}

/// The query string as read at load, and the inputs registered so far.
pub struct UrlState {
    /// Decoded `(key, value)` pairs; `None` for a value that is not valid percent-encoded UTF-8.
    query: Vec<(String, Option<String>)>,
    /// The key prefixes this group of inputs owns; other query parameters are left as they are.
    prefixes: &'static [&'static str],
    /// Whether the URL carries any parameter of this group (a shared link): only then is a
    /// missing parameter worth a notice.
    shared_link: bool,
    params: Vec<Param>,
    notices: Notices,
}

/// Parameters that fell back to their defaults when the page loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notices {
    /// Present in the URL but malformed, too long or out of the field's range.
    pub invalid: Vec<&'static str>,
    /// Absent from a URL that carries other cost-model parameters.
    pub missing: Vec<&'static str>,
}

impl UrlState {
    /// Reads the page's current query string (`location.search`).
    pub fn from_location() -> Self {
        Self::from_query(&current_search())
    }

    /// Reads the page's current query string for the group of inputs whose keys start with one
    /// of `prefixes` (several groups share the URL; each writes only its own keys).
    pub fn from_location_for(prefixes: &'static [&'static str]) -> Self {
        Self::from_query_for(&current_search(), prefixes)
    }

    /// Reads a query string such as `?training-params=7e10&serving-gpus=4`.
    pub fn from_query(search: &str) -> Self {
        Self::from_query_for(search, COST_MODEL_PREFIXES)
    }

    /// [`UrlState::from_query`] for the group of inputs whose keys start with `prefixes`.
    pub fn from_query_for(search: &str, prefixes: &'static [&'static str]) -> Self {
        let query = parse_query(search);
        let shared_link = query.iter().any(|(k, _)| is_own(prefixes, k));
        Self {
            query,
            prefixes,
            shared_link,
            params: Vec::new(),
            notices: Notices::default(),
        }
    }

    /// A number field registered under `key`, read with `parse`.
    pub fn number(
        &mut self,
        key: &'static str,
        default: &str,
        parse: fn(&str) -> Result<f64, InputError>,
    ) -> NumberInput {
        let text = self.initial(key, default, Check::Number(parse));
        let input = NumberInput::with_parser(&text, parse);
        self.params.push(Param {
            key,
            text: input.text,
            default: default.to_owned(),
            check: Check::Number(parse),
        });
        input
    }

    /// A select or text field registered under `key`, accepted from the URL when `valid` holds.
    pub fn text(
        &mut self,
        key: &'static str,
        default: &str,
        valid: fn(&str) -> bool,
    ) -> RwSignal<String> {
        let text = RwSignal::new(self.initial(key, default, Check::Text(valid)));
        self.params.push(Param {
            key,
            text,
            default: default.to_owned(),
            check: Check::Text(valid),
        });
        text
    }

    fn initial(&mut self, key: &'static str, default: &str, check: Check) -> String {
        match self.query.iter().rev().find(|(k, _)| k == key) {
            Some((_, Some(value)))
                if value.chars().count() <= MAX_VALUE_CHARS && check.accepts(value) =>
            {
                value.clone()
            }
            Some(_) => {
                log::warn!("URL parameter {key} is not valid; using its default");
                self.notices.invalid.push(key);
                default.to_owned()
            }
            None => {
                if self.shared_link {
                    self.notices.missing.push(key);
                }
                default.to_owned()
            }
        }
    }

    /// Finishes registration: starts writing every change to the URL and returns the
    /// registered inputs (for presets) and the names of parameters that fell back to defaults.
    /// Every other parameter in the URL at the time of writing (another group's inputs, `lang`,
    /// `embed`) is kept as it is then.
    pub fn sync(self) -> (Arc<Vec<Param>>, Notices) {
        let params = Arc::new(self.params);
        let prefixes = self.prefixes;
        let watched = Arc::clone(&params);
        Effect::new(move |_| {
            let own: Vec<(String, String)> = watched
                .iter()
                .map(|p| (p.key.to_owned(), p.text.get()))
                .collect();
            write_query(&merged_query(&current_search(), prefixes, own));
        });
        (params, self.notices)
    }
}

/// Sets every registered input to its default, then applies `overrides` (`(key, text)`).
pub fn apply_preset(params: &[Param], overrides: &[(&str, &str)]) {
    for p in params {
        let text = overrides
            .iter()
            .rev()
            .find(|(k, _)| *k == p.key)
            .map_or_else(|| p.default.clone(), |(_, v)| (*v).to_owned());
        p.text.set(text);
    }
}

/// Replaces the page's query string in place, keeping the path and the fragment.
pub(crate) fn write_query(query: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let search = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    if location.search().ok().as_deref() == Some(search.as_str()) {
        return;
    }
    let path = location.pathname().unwrap_or_default();
    let hash = location.hash().unwrap_or_default();
    let url = format!("{path}{search}{hash}");
    let replaced = window
        .history()
        .and_then(|h| h.replace_state_with_url(&JsValue::NULL, "", Some(&url)));
    if let Err(e) = replaced {
        log::warn!("could not update the page URL: {e:?}");
    }
}

fn is_own(prefixes: &[&str], key: &str) -> bool {
    prefixes.iter().any(|p| key.starts_with(p))
}

/// The page's query string now (`?a=1&b=2`, or empty).
pub(crate) fn current_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The query string `search` with the group `prefixes` replaced by `own`: the other parameters
/// stay where they are (those that do not decode are dropped), the group's follow them.
pub fn merged_query(
    search: &str,
    prefixes: &[&str],
    own: impl IntoIterator<Item = (String, String)>,
) -> String {
    let others = parse_query(search)
        .into_iter()
        .filter(|(k, _)| !is_own(prefixes, k))
        .filter_map(|(k, v)| v.map(|v| (k, v)));
    build_query(others.chain(own))
}

/// Splits `?a=1&b=x%20y` into decoded pairs. `+` is a space; a value that is not valid
/// percent-encoded UTF-8 decodes to `None`.
pub fn parse_query(search: &str) -> Vec<(String, Option<String>)> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|piece| !piece.is_empty())
        .filter_map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            let key = percent_decode(key)?;
            Some((key, percent_decode(value)))
        })
        .collect()
}

/// Joins pairs into `a=1&b=x%20y`, percent-encoding everything but unreserved characters.
pub fn build_query(pairs: impl IntoIterator<Item = (String, String)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{}={}", percent_encode(&k), percent_encode(&v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes the UTF-8 bytes of `text`, leaving `A–Z a–z 0–9 - . _ ~` as they are.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes and `+`; `None` for a broken escape or bytes that are not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The notice naming the parameters that fell back to their defaults: invalid ones one by one,
/// missing ones as a count with their names folded away. Only the parameters' own names are
/// shown, never a value from the URL. Its elements' ids start with `group`: `<group>-url-notice`,
/// `<group>-url-invalid`, `<group>-url-missing`.
#[component]
pub fn UrlNotice(group: &'static str, notices: Notices) -> impl IntoView {
    let Notices { invalid, missing } = notices;
    let invalid_view = (!invalid.is_empty()).then(|| {
        view! {
            <p id=format!("{group}-url-invalid")>
                <T
                    zh="链接中以下参数无效，已改用默认值："
                    en="These link parameters are invalid and use their defaults: "
                />
                <code>{invalid.join(", ")}</code>
            </p>
        }
    });
    let missing_view = (!missing.is_empty()).then(|| {
        let count = missing.len();
        let summary = move || match lang() {
            Lang::Zh => format!("链接缺少 {count} 个参数，已使用默认值。"),
            Lang::En => format!("The link lacks {count} parameters; they use their defaults."),
        };
        view! {
            <details id=format!("{group}-url-missing")>
                <summary>{summary}</summary>
                <code>{missing.join(", ")}</code>
            </details>
        }
    });
    (invalid_view.is_some() || missing_view.is_some()).then(|| {
        view! {
            <div id=format!("{group}-url-notice") class="url-notice" role="status">
                {invalid_view}
                {missing_view}
            </div>
        }
    })
}
