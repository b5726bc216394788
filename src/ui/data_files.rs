//! Which data the trainer uses: the MNIST subset bundled with the page, or four IDX files the
//! reader picks (Fashion-MNIST, the full MNIST), read in the browser and parsed by
//! [`crate::mnist::mnist_from_files`]. Nothing is uploaded anywhere.
//!
//! Ids: `#data-files` (`<input type=file multiple>`), `#data-bundled` (back to the bundled
//! set), `#data-active` (`data-source` = bundled | files, `data-train-samples`,
//! `data-test-samples` once known), `#data-error` (why the picked files were refused).

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::cost::format::group_thousands;
use crate::mnist::idx::MAX_FILE_BYTES;
use crate::mnist::{FILES_PER_SET, FilesError, Mnist, mnist_from_files};
use crate::ui::i18n::{T, lang};
use crate::ui::trainer::js_message;

/// Where the active data came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// `public/data`: 8,000 training and 2,000 test MNIST digits, fetched on the first run.
    Bundled,
    /// Files the reader picked, by name.
    Files(Vec<String>),
}

/// The trainer's data: where it comes from, and the parsed sets once loaded or picked.
#[derive(Clone, Copy)]
pub struct ActiveData {
    /// Bundled or picked.
    pub source: RwSignal<DataSource>,
    /// `None` until the bundled files are fetched, or right after switching back to them.
    pub mnist: RwSignal<Option<Arc<Mnist>>>,
    /// Why the last picked files were refused.
    pub error: RwSignal<Option<String>>,
    /// True while picked files are being read and parsed.
    pub reading: RwSignal<bool>,
}

impl ActiveData {
    /// The bundled data, not loaded yet.
    pub fn new() -> Self {
        Self {
            source: RwSignal::new(DataSource::Bundled),
            mnist: RwSignal::new(None),
            error: RwSignal::new(None),
            reading: RwSignal::new(false),
        }
    }
}

impl Default for ActiveData {
    fn default() -> Self {
        Self::new()
    }
}

/// The file input, the active data set with its sizes, and any error about picked files.
/// `busy` disables the controls while a run uses the data.
#[component]
pub fn DataFiles(active: ActiveData, busy: Signal<bool>) -> impl IntoView {
    let on_pick = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(list) = input.files() else {
            return;
        };
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        // Picking the same files again must fire `change` again.
        input.set_value("");
        active.reading.set(true);
        active.error.set(None);
        spawn_local(async move {
            match read_files(files).await {
                Ok((names, mnist)) => {
                    log::info!(
                        "picked data: {} training, {} test images from {names:?}",
                        mnist.train.len(),
                        mnist.test.len()
                    );
                    active.mnist.set(Some(Arc::new(mnist)));
                    active.source.set(DataSource::Files(names));
                }
                Err(message) => {
                    log::warn!("picked files refused: {message}");
                    active.error.set(Some(message));
                }
            }
            active.reading.set(false);
        });
    };
    let use_bundled = move |_| {
        active.mnist.set(None);
        active.source.set(DataSource::Bundled);
        active.error.set(None);
    };
    let sizes = move || {
        active
            .mnist
            .with(|m| m.as_ref().map(|m| (m.train.len(), m.test.len())))
    };

    view! {
        <div class="data-files">
            <div class="field">
                <label for="data-files">
                    <T
                        zh="换成自己的数据：一次选中四个 IDX 文件（可为 .gz）"
                        en="Use your own data: pick the four IDX files at once (.gz or not)"
                    />
                </label>
                <input
                    id="data-files"
                    type="file"
                    multiple=true
                    on:change=on_pick
                    disabled=move || busy.get() || active.reading.get()
                />
            </div>
            <button
                id="data-bundled"
                type="button"
                on:click=use_bundled
                disabled=move || {
                    busy.get() || active.source.with(|s| *s == DataSource::Bundled)
                }
            >
                <T zh="改回页面自带的 MNIST" en="Back to the bundled MNIST" />
            </button>
            <p
                id="data-active"
                class="note"
                data-source=move || {
                    active
                        .source
                        .with(|s| if *s == DataSource::Bundled { "bundled" } else { "files" })
                }
                data-train-samples=move || sizes().map(|(train, _)| train.to_string())
                data-test-samples=move || sizes().map(|(_, test)| test.to_string())
            >
                {move || active_text(&active.source.get(), sizes(), active.reading.get())}
            </p>
            {move || {
                active
                    .error
                    .get()
                    .map(|message| {
                        view! {
                            <p id="data-error" class="error" role="alert">
                                {lang().pick("这些文件不能用：", "These files cannot be used: ")}
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// The line that names the active data and its sizes.
fn active_text(source: &DataSource, sizes: Option<(usize, usize)>, reading: bool) -> String {
    let lang = lang();
    if reading {
        return lang
            .pick("正在读取所选文件…", "Reading the picked files…")
            .to_owned();
    }
    let count = |n: usize| group_thousands(&n.to_string());
    let what = match source {
        DataSource::Bundled => lang
            .pick(
                "页面自带的 MNIST 子集",
                "the MNIST subset bundled with the page",
            )
            .to_owned(),
        DataSource::Files(names) => {
            format!(
                "{}{}",
                lang.pick("你的文件：", "your files: "),
                names.join(", ")
            )
        }
    };
    match sizes {
        Some((train, test)) => lang
            .pick(
                "数据：{what}，训练集 {train} 张，测试集 {test} 张。",
                "Data: {what}, {train} training and {test} test images.",
            )
            .replace("{what}", &what)
            .replace("{train}", &count(train))
            .replace("{test}", &count(test)),
        None => lang
            .pick(
                "数据：{what}（首次训练时加载）。",
                "Data: {what} (loaded on the first run).",
            )
            .replace("{what}", &what),
    }
}

/// Reads the picked files and parses them into a training and a test set.
async fn read_files(files: Vec<web_sys::File>) -> Result<(Vec<String>, Mnist), String> {
    // Refused before reading, so that a wrong pick of large files costs nothing.
    if files.len() != FILES_PER_SET {
        return Err(FilesError::Count(files.len()).to_string());
    }
    let mut named = Vec::with_capacity(files.len());
    for file in files {
        let name = file.name();
        if file.size() > MAX_FILE_BYTES as f64 {
            return Err(format!(
                "'{name}' is {} bytes, more than the {MAX_FILE_BYTES}-byte limit for an IDX file",
                file.size()
            ));
        }
        let buffer = JsFuture::from(file.array_buffer())
            .await
            .map_err(|e| format!("could not read '{name}': {}", js_message(&e)))?;
        named.push((name, js_sys::Uint8Array::new(&buffer).to_vec()));
    }
    let mnist = mnist_from_files(&named).map_err(|e| e.to_string())?;
    Ok((named.into_iter().map(|(name, _)| name).collect(), mnist))
}
