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

use crate::cost::format::group_thousands;
use crate::mnist::idx::MAX_FILE_BYTES;
use crate::mnist::{FILES_PER_SET, FilesError, Mnist, mnist_from_files};
use crate::ui::files;
use crate::ui::i18n::{Lang, T, lang};

/// Where the active data came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// `public/data`: 8,000 training and 2,000 test MNIST digits, fetched on the first run.
    Bundled,
    /// Files the reader picked, by name.
    Files(Vec<String>),
}

/// Why picked files were refused: the message in Chinese, then in English.
pub type Refusal = (String, String);

/// The trainer's data: where it comes from, and the parsed sets once loaded or picked.
#[derive(Clone, Copy)]
pub struct ActiveData {
    /// Bundled or picked.
    pub source: RwSignal<DataSource>,
    /// `None` until the bundled files are fetched, or right after switching back to them.
    pub mnist: RwSignal<Option<Arc<Mnist>>>,
    /// Why the last picked files were refused, in Chinese and in English.
    pub error: RwSignal<Option<Refusal>>,
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
        let Some(files) = files::take_picked(&ev) else {
            return;
        };
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
                Err(refusal) => {
                    log::warn!("picked files refused: {}", refusal.1);
                    active.error.set(Some(refusal));
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
                    .map(|(zh, en)| {
                        view! {
                            <p id="data-error" class="error" role="alert">
                                {move || lang().pick("这些文件不能用：", "These files cannot be used: ")}
                                {move || lang().pick(zh.clone(), en.clone())}
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
async fn read_files(files: Vec<web_sys::File>) -> Result<(Vec<String>, Mnist), Refusal> {
    let refused = |e: FilesError| (e.message(Lang::Zh), e.message(Lang::En));
    // Refused before reading, so that a wrong pick of large files costs nothing.
    if files.len() != FILES_PER_SET {
        return Err(refused(FilesError::Count(files.len())));
    }
    let mut named = Vec::with_capacity(files.len());
    for file in files {
        let name = file.name();
        if file.size() > MAX_FILE_BYTES as f64 {
            let size = file.size();
            return Err((
                format!("“{name}”有 {size} 字节，超过了 IDX 文件 {MAX_FILE_BYTES} 字节的上限。"),
                format!(
                    "'{name}' is {size} bytes, more than the {MAX_FILE_BYTES}-byte limit for an IDX file"
                ),
            ));
        }
        let bytes = files::read_bytes(&file).await.map_err(|e| {
            let why = files::js_message(&e);
            (
                format!("无法读取“{name}”：{why}"),
                format!("could not read '{name}': {why}"),
            )
        })?;
        named.push((name, bytes));
    }
    let mnist = mnist_from_files(&named).map_err(refused)?;
    Ok((named.into_iter().map(|(name, _)| name).collect(), mnist))
}
