//! Embed mode: `?embed=<part>` shows one part of the page alone, without the header, footer or
//! the other sections, and tells the parent page its height ([`report_height`]). The full page
//! offers the `<iframe>` snippet for the current state ([`EmbedPanel`]).
//!
//! Ids: `#embed-notice` (an unknown `?embed=` value), `#embed-part` (the part `<select>`),
//! `#embed-snippet` (the snippet's `<textarea>`), `#embed-copy` and `#embed-copy-status`
//! (`data-state` = idle | copied | selected).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::JsFuture;

pub use crate::embed::Part;
use crate::embed::{HEIGHT_MESSAGE, QUERY_KEY, snippet};
use crate::ui::i18n::{QUERY_KEY as LANG_KEY, T, lang};
use crate::ui::keep::KeptInputs;
use crate::ui::url_state::{COST_MODEL_PREFIXES, FORMULA_PREFIXES, build_query};

/// What `?embed=` asked for, provided once by the page.
#[derive(Debug, Clone, Default)]
pub struct EmbedCtx {
    /// The part shown alone, or `None` for the whole page.
    pub part: Option<Part>,
    /// A value of `?embed=` that names no part; the whole page is shown with a notice.
    pub unknown: Option<String>,
}

/// Reads `?embed=` and provides it to the page.
pub fn provide_embed() -> EmbedCtx {
    let value = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok())
        .and_then(|p| p.get(QUERY_KEY));
    let ctx = match value {
        None => EmbedCtx::default(),
        Some(code) => match Part::from_code(&code) {
            Some(part) => EmbedCtx {
                part: Some(part),
                unknown: None,
            },
            None => {
                log::warn!("?{QUERY_KEY}= names no part of the page; showing the whole page");
                EmbedCtx {
                    part: None,
                    unknown: Some(code),
                }
            }
        },
    };
    provide_context(ctx.clone());
    ctx
}

/// The part shown alone, when the page is embedded.
pub fn embedded() -> Option<Part> {
    use_context::<EmbedCtx>().and_then(|c| c.part)
}

/// Whether `part` is on the page: always on the whole page; when embedded, only the part itself
/// (and the cost model's cards inside the whole cost model).
pub fn shows(part: Part) -> bool {
    match embedded() {
        None => true,
        Some(shown) => {
            shown == part
                || (shown == Part::CostModel
                    && matches!(
                        part,
                        Part::TrainingCost | Part::ServingCost | Part::PriceWar
                    ))
        }
    }
}

/// Posts `{type: "price-war-lab:height", height}` to the parent page now and whenever the
/// page's height changes (a `ResizeObserver` on `<html>`). Does nothing outside an iframe.
pub fn report_height() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let parent = match window.parent() {
        Ok(Some(parent)) if parent != window => parent,
        _ => return,
    };
    let Some(root) = window.document().and_then(|d| d.document_element()) else {
        return;
    };
    let measured = root.clone();
    let post = Closure::<dyn FnMut()>::new(move || {
        let height = measured.get_bounding_client_rect().height().ceil();
        let message = js_sys::Object::new();
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&message, &"type".into(), &HEIGHT_MESSAGE.into());
        let _ = js_sys::Reflect::set(&message, &"height".into(), &height.into());
        // The height is no secret, and the host's origin is not known here: any parent may read it.
        if let Err(e) = parent.post_message(&message, "*") {
            log::warn!("could not post the height to the parent page: {e:?}");
        }
    });
    match web_sys::ResizeObserver::new(post.as_ref().unchecked_ref()) {
        // The observer reports the first size at once, then every change.
        Ok(observer) => observer.observe(&root),
        Err(e) => log::warn!("no ResizeObserver, so the parent page is not told the height: {e:?}"),
    }
    // The observer calls this for as long as the page lives.
    post.forget();
}

/// The notice for an `?embed=` value that names no part. The value itself is not shown.
#[component]
pub fn EmbedNotice() -> impl IntoView {
    let unknown = use_context::<EmbedCtx>().and_then(|c| c.unknown);
    unknown.map(|_| {
        let codes = Part::ALL.map(Part::code).join(", ");
        view! {
            <p id="embed-notice" class="url-notice" role="status">
                <T
                    zh="链接中的 embed 参数不是本页的任何部分，因此显示整页。可用的值："
                    en="The link's embed parameter names no part of this page, so the whole page is shown. Parts: "
                />
                <code>{codes}</code>
            </p>
        }
    })
}

/// "Embed a part of this page": pick the part, see the `<iframe>` snippet for the current
/// state with the page's absolute URL, and copy it.
#[component]
pub fn EmbedPanel() -> impl IntoView {
    let (part, set_part) = signal(Part::PriceWar);
    let (copy_state, set_copy_state) = signal("idle");
    let inputs = use_context::<KeptInputs>();
    let text = Memo::new(move |_| {
        let part = part.get();
        let lang = lang();
        let mut pairs = vec![
            (QUERY_KEY.to_owned(), part.code().to_owned()),
            (LANG_KEY.to_owned(), lang.code().to_owned()),
        ];
        // The part's own inputs: the cost model's for its cards, the formulas' for theirs.
        let prefixes = match part {
            Part::Formulas => FORMULA_PREFIXES,
            p if p.uses_cost_model() => COST_MODEL_PREFIXES,
            _ => &[],
        };
        if let Some(inputs) = inputs {
            pairs.extend(
                inputs
                    .url_pairs()
                    .into_iter()
                    .filter(|(k, _)| prefixes.iter().any(|p| k.starts_with(p))),
            );
        }
        let (zh, en) = part.names();
        let title = format!(
            "{} · {}",
            lang.pick("价格战实验室", "Price War Lab"),
            lang.pick(zh, en)
        );
        let (origin, path) = page_origin_and_path();
        snippet(
            &format!("{origin}{path}?{}", build_query(pairs)),
            &origin,
            &title,
        )
    });
    Effect::new(move |_| {
        text.track();
        set_copy_state.set("idle");
    });

    let copy = move |_| {
        let snippet = text.get_untracked();
        spawn_local(async move {
            let copied = match web_sys::window().map(|w| w.navigator().clipboard()) {
                Some(clipboard) => JsFuture::from(clipboard.write_text(&snippet)).await.is_ok(),
                None => false,
            };
            if copied {
                set_copy_state.set("copied");
            } else {
                // No clipboard access (an old browser, or permission refused): select the text so
                // that Ctrl+C or the context menu copies it.
                log::info!("clipboard refused; selecting the snippet instead");
                select_snippet();
                set_copy_state.set("selected");
            }
        });
    };
    let status = move || {
        match copy_state.get() {
        "copied" => lang().pick("已复制到剪贴板。", "Copied to the clipboard."),
        "selected" => lang().pick(
            "无法写入剪贴板，已选中代码，请按 Ctrl+C（或 ⌘C）复制。",
            "The clipboard is not available: the code is selected, press Ctrl+C (or ⌘C) to copy it.",
        ),
        _ => "",
    }
    };

    view! {
        <details id="embed" class="embed-panel">
            <summary>
                <T zh="把本页的一部分嵌入你的网页" en="Embed a part of this page in yours" />
            </summary>
            <p class="muted">
                <T
                    zh="选择一个部分，把下面的代码粘贴到博客或网页中。链接带有当前的全部输入；后面几行脚本让 iframe 随内容调整高度，不出现滚动条。"
                    en="Pick a part and paste the code below into a blog post or page. The link carries every current input; the few lines of script fit the iframe's height to its content, so it never shows a scroll bar."
                />
            </p>
            <div class="field">
                <label for="embed-part">
                    <T zh="要嵌入的部分" en="Part to embed" />
                </label>
                <select
                    id="embed-part"
                    on:change=move |ev| {
                        if let Some(p) = Part::from_code(&event_target_value(&ev)) {
                            set_part.set(p);
                        }
                    }
                >
                    {Part::ALL
                        .into_iter()
                        .map(|p| {
                            let (zh, en) = p.names();
                            view! {
                                <option value=p.code() selected=move || part.get() == p>
                                    {move || lang().pick(zh, en)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <label for="embed-snippet" class="visually-hidden">
                <T zh="嵌入代码" en="Embed code" />
            </label>
            <textarea
                id="embed-snippet"
                readonly=true
                rows="12"
                spellcheck="false"
                prop:value=move || text.get()
            ></textarea>
            <div class="buttons">
                <button id="embed-copy" type="button" on:click=copy>
                    <T zh="复制代码" en="Copy the code" />
                </button>
                <span id="embed-copy-status" role="status" data-state=move || copy_state.get()>
                    {status}
                </span>
            </div>
            <p class="muted">
                <T
                    zh="嵌入的页面在加载时和每次高度变化时向父页面发送 {type: \"price-war-lab:height\", height}（CSS 像素）。"
                    en="The embedded page posts {type: \"price-war-lab:height\", height} (CSS pixels) to its parent on load and on every change of height."
                />
            </p>
        </details>
    }
}

/// The page's origin and path, e.g. `("https://example.org", "/tools/pricewar/")`.
fn page_origin_and_path() -> (String, String) {
    let location = web_sys::window().map(|w| w.location());
    let origin = location
        .as_ref()
        .and_then(|l| l.origin().ok())
        .unwrap_or_default();
    let path = location
        .as_ref()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_else(|| "/".to_owned());
    (origin, path)
}

fn select_snippet() {
    let area = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("embed-snippet"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok());
    if let Some(area) = area {
        // Focus first so that the selection shows and Ctrl+C applies to it.
        let _ = area.focus();
        area.select();
    }
}
