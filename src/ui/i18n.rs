//! The page's language in the UI: a signal every text reads, the rule that picks it at load,
//! and the switch in the header.
//!
//! Texts are written in both languages side by side at the place they are shown:
//! `<T zh="训练轮数" en="Epochs"/>` in markup, `tr("…", "…")` for attributes and computed
//! strings, `lang().pick(a, b)` inside any reactive closure. Only the current language is
//! rendered; `<html lang>` and the document title follow it.
//!
//! At load the language comes from `?lang=zh|en` in the URL, else from the reader's last choice
//! (saved in `localStorage`), else from the browser's preferred languages ([`Lang::choose`]).

use leptos::prelude::*;

use crate::ui::url_state::{current_search, merged_query, write_query};

pub use crate::lang::Lang;

/// The `localStorage` key that remembers the reader's choice.
const STORAGE_KEY: &str = "price-war-lab.lang";

/// The query parameter that forces a language, e.g. in a shared or embedded link.
pub const QUERY_KEY: &str = "lang";

/// The current language, provided by [`provide_lang`] at the root.
#[derive(Debug, Clone, Copy)]
pub struct LangCtx(pub RwSignal<Lang>);

/// Chooses the language at load, provides it to the whole page and keeps `<html lang>` and the
/// title in step with it. Call once, in the root component.
pub fn provide_lang() -> RwSignal<Lang> {
    let from_url = query_lang();
    let saved = saved_lang();
    let preferred = browser_languages();
    let chosen = from_url.iter().chain(saved.iter()).map(String::as_str);
    let lang = RwSignal::new(Lang::choose(chosen, preferred.iter().map(String::as_str)));
    provide_context(LangCtx(lang));
    Effect::new(move |_| {
        let lang = lang.get();
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let Some(root) = document.document_element() {
            // Setting an attribute on <html> cannot fail for a valid name; nothing to report.
            let _ = root.set_attribute("lang", lang.tag());
        }
        document.set_title(lang.pick("价格战实验室", "Price War Lab"));
    });
    lang
}

/// The current language (tracked: a closure that calls it re-runs when it changes). Chinese when
/// no [`LangCtx`] is provided.
pub fn lang() -> Lang {
    use_context::<LangCtx>().map_or(Lang::Zh, |c| c.0.get())
}

/// A text in both languages, as a closure that yields the current one (for attributes such as
/// `aria-label`, and for text nodes).
pub fn tr(zh: &'static str, en: &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync {
    let ctx = use_context::<LangCtx>();
    move || ctx.map_or(Lang::Zh, |c| c.0.get()).pick(zh, en)
}

/// A text in both languages; renders the current one.
#[component]
pub fn T(zh: &'static str, en: &'static str) -> impl IntoView {
    tr(zh, en)
}

/// Two buttons, 中文 and English, that switch the page's language and remember the choice.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let Some(LangCtx(current)) = use_context::<LangCtx>() else {
        return ().into_any();
    };
    let choose = move |lang: Lang| {
        current.set(lang);
        save_lang(lang);
        follow_in_url(lang);
    };
    view! {
        <div class="lang-switch" role="group" aria-label=tr("语言", "Language")>
            {Lang::ALL
                .into_iter()
                .map(|lang| {
                    view! {
                        <button
                            type="button"
                            id=format!("lang-{}", lang.code())
                            lang=lang.tag()
                            aria-pressed=move || (current.get() == lang).to_string()
                            on:click=move |_| choose(lang)
                        >
                            {lang.own_name()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
    .into_any()
}

/// A `?lang=` already in the URL takes the reader's new choice, so that a reload or a copied
/// link keeps it (the URL wins over the saved choice at load). A URL without one stays so.
fn follow_in_url(lang: Lang) {
    if query_lang().is_none() {
        return;
    }
    let search = current_search();
    write_query(&merged_query(
        &search,
        &[QUERY_KEY],
        [(QUERY_KEY.to_owned(), lang.code().to_owned())],
    ));
}

/// `?lang=` from the page's URL, when present.
fn query_lang() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(QUERY_KEY)
}

/// The reader's last choice, when storage is available (it is not in some embedded or
/// private contexts, which is fine: the browser's preference is used).
fn saved_lang() -> Option<String> {
    let storage = web_sys::window()?.local_storage().ok()??;
    storage.get_item(STORAGE_KEY).ok()?
}

fn save_lang(lang: Lang) {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let Some(storage) = storage {
        // Storage can be full or forbidden; the choice then lasts for this page only.
        let _ = storage.set_item(STORAGE_KEY, lang.code());
    }
}

/// `navigator.languages`, most preferred first.
fn browser_languages() -> Vec<String> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    window
        .navigator()
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}
