//! Files in and out of the page, made and read in the browser (nothing is uploaded): a download
//! from bytes through a Blob URL, the files a reader picked in an `<input type="file">`, their
//! bytes, and a JavaScript error as words.

use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How long a download's Blob URL lives: some browsers read the Blob after the click returns.
const REVOKE_AFTER_MS: i32 = 10_000;

/// Offers `bytes` as a download named `name`, of type `mime`, through a Blob URL.
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    spawn_local(async move {
        let wait = js_sys::Promise::new(&mut |resolve, _reject| {
            if let Some(window) = web_sys::window() {
                // Without a timer the URL is freed with the page instead; nothing to report.
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                    &resolve,
                    REVOKE_AFTER_MS,
                );
            }
        });
        let _ = JsFuture::from(wait).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(())
}

/// The files picked in the `<input type="file">` that fired `event` (`None` when it is not
/// one), in the order the browser lists them. The input is emptied, so that picking the same
/// files again fires `change` again.
pub fn take_picked(event: &web_sys::Event) -> Option<Vec<web_sys::File>> {
    let input = event
        .target()?
        .dyn_into::<web_sys::HtmlInputElement>()
        .ok()?;
    let picked = input.files().map_or_else(Vec::new, |list| {
        (0..list.length()).filter_map(|i| list.get(i)).collect()
    });
    input.set_value("");
    Some(picked)
}

/// A picked file's bytes.
pub async fn read_bytes(file: &web_sys::File) -> Result<Vec<u8>, JsValue> {
    let buffer = JsFuture::from(file.array_buffer()).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A JavaScript exception as words.
pub fn js_message(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}
