//! Why WebGPU can or cannot train here, found as soon as the page opens.
//!
//! [`probe`] walks the same road the GPU trainer takes — `navigator.gpu`, an adapter, a device,
//! the training shader module — through plain JavaScript calls (`Reflect`), so that a missing
//! API is a finding rather than an exception. The trainer panel shows the result as
//! `#webgpu-status[data-diagnosis]` and uses it to pick the device when the reader presses Train.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::lang::Lang;
use crate::train::gpu::{GpuError, SHADER_MODULE_LABEL, shader_source};

/// Longest compiler message shown to the reader, in characters; the rest is cut with "…".
const MAX_DETAIL_CHARS: usize = 300;

/// What the probe (or a failed GPU run) found out about WebGPU on this page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnosis {
    /// The probe has not finished yet.
    Probing,
    /// WebGPU works: an adapter gave a device and the training shaders compile on it.
    Ok {
        /// The adapter in the browser's words (vendor, architecture, description).
        adapter: String,
    },
    /// `navigator.gpu` is absent in a secure context: a browser without WebGPU, or with it
    /// behind a flag.
    NoApi,
    /// `navigator.gpu` is absent because the page is not a secure context (plain http from a
    /// network address); browsers only offer WebGPU to https and localhost pages.
    Insecure,
    /// `requestAdapter()` gave no adapter (null, or it threw); the text is the browser's reason
    /// when it gave one.
    NoAdapter(Option<String>),
    /// The adapter refused to create a device; the text is the browser's reason.
    DeviceRefused(String),
    /// The training shader module failed to compile.
    ShaderError {
        /// The module's label.
        module: String,
        /// The compiler's first error message, with its line when known.
        message: String,
    },
    /// The GPU device was lost; the text is the reason the browser gave.
    DeviceLost(String),
}

impl Diagnosis {
    /// The value of `data-diagnosis`: probing | ok | no-api | insecure | no-adapter |
    /// device-refused | shader-error | device-lost.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Probing => "probing",
            Self::Ok { .. } => "ok",
            Self::NoApi => "no-api",
            Self::Insecure => "insecure",
            Self::NoAdapter(_) => "no-adapter",
            Self::DeviceRefused(_) => "device-refused",
            Self::ShaderError { .. } => "shader-error",
            Self::DeviceLost(_) => "device-lost",
        }
    }

    /// True when the probe has found a reason the GPU cannot train here.
    pub fn is_failure(&self) -> bool {
        !matches!(self, Self::Probing | Self::Ok { .. })
    }

    /// The finding in plain words, in `lang`, with what the reader can do.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.message_zh(),
            Lang::En => self.message_en(),
        }
    }

    fn message_zh(&self) -> String {
        const CPU: &str = "CPU 训练（WebAssembly）仍可照常使用。";
        match self {
            Self::Probing => "正在检查 WebGPU 是否可用……".to_owned(),
            Self::Ok { adapter } => {
                format!("WebGPU 可用，适配器：{adapter}。选“自动”时用 GPU 训练，也可以改选 CPU。")
            }
            Self::NoApi => format!(
                "此浏览器没有提供 WebGPU（不存在 navigator.gpu）。请换用支持 WebGPU 的浏览器（如新版 \
                 Chrome、Edge 或 Safari），或在浏览器里开启 WebGPU（Linux 上的 Chrome：\
                 chrome://flags/#enable-unsafe-webgpu；Firefox：about:config 中的 \
                 dom.webgpu.enabled）。{CPU}"
            ),
            Self::Insecure => format!(
                "本页不是安全上下文（用普通 http 从网络地址打开），浏览器因此不提供 WebGPU。请改用 \
                 https 或 http://localhost 打开本页。{CPU}"
            ),
            Self::NoAdapter(reason) => {
                let why = reason
                    .as_deref()
                    .map(|r| format!("（{r}）"))
                    .unwrap_or_default();
                format!(
                    "浏览器支持 WebGPU，却没有给出 GPU 适配器{why}：GPU 或驱动可能被浏览器列入黑名单、\
                     驱动版本过旧，或被系统策略禁用；Linux 上的 Chrome 还需开启 \
                     chrome://flags/#enable-unsafe-webgpu。可以更新显卡驱动、换个浏览器，或在 \
                     chrome://gpu 查看原因。{CPU}"
                )
            }
            Self::DeviceRefused(reason) => format!(
                "GPU 适配器拒绝创建设备：{reason}。请关闭其他占用 GPU 的标签页后重新载入本页。{CPU}"
            ),
            Self::ShaderError { module, message } => format!(
                "训练着色器模块“{module}”编译失败：{message}。这是本页或浏览器着色器编译器的问题，\
                 请换个浏览器试试，并报告此问题。{CPU}"
            ),
            Self::DeviceLost(reason) => format!(
                "GPU 设备丢失：{reason}。通常是显卡驱动重置或浏览器的 GPU 进程崩溃；重新载入本页即可\
                 再试 GPU。{CPU}"
            ),
        }
    }

    fn message_en(&self) -> String {
        const CPU: &str = "The CPU trainer (WebAssembly) still works.";
        match self {
            Self::Probing => "Checking whether WebGPU works here…".to_owned(),
            Self::Ok { adapter } => format!(
                "WebGPU works here on the adapter “{adapter}”: Auto trains on the GPU, and the \
                 CPU trainer is there too."
            ),
            Self::NoApi => format!(
                "This browser does not offer WebGPU (navigator.gpu is missing). Use a browser \
                 that has it (a recent Chrome, Edge or Safari), or turn it on (Chrome on Linux: \
                 chrome://flags/#enable-unsafe-webgpu; Firefox: dom.webgpu.enabled in \
                 about:config). {CPU}"
            ),
            Self::Insecure => format!(
                "This page is not a secure context (it was opened over plain http from a network \
                 address), and browsers only offer WebGPU to secure pages. Open it over https, \
                 or from localhost. {CPU}"
            ),
            Self::NoAdapter(reason) => {
                let why = reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default();
                format!(
                    "The browser has WebGPU but gave no GPU adapter{why}: the GPU or its driver \
                     may be blocklisted or too old, or a policy turns it off; Chrome on Linux \
                     also needs chrome://flags/#enable-unsafe-webgpu. Update the graphics \
                     driver, try another browser, or see chrome://gpu for the reason. {CPU}"
                )
            }
            Self::DeviceRefused(reason) => format!(
                "The GPU adapter refused to create a device: {reason}. Close other tabs that use \
                 the GPU and reload this page. {CPU}"
            ),
            Self::ShaderError { module, message } => format!(
                "The training shader module “{module}” failed to compile: {message}. This is a \
                 fault of this page or of the browser's shader compiler: try another browser, \
                 and please report it. {CPU}"
            ),
            Self::DeviceLost(reason) => format!(
                "The GPU device was lost: {reason}. This usually means the graphics driver reset \
                 or the browser's GPU process crashed; reload the page to try the GPU again. {CPU}"
            ),
        }
    }

    /// The finding in a few words, in `lang`, for the notes that say why a run is on the CPU
    /// or why the comparison cannot run. Details from the browser stay in its own words.
    pub fn reason(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.reason_zh(),
            Lang::En => self.reason_en(),
        }
    }

    fn reason_zh(&self) -> String {
        match self {
            Self::Probing => "仍在检查 WebGPU".to_owned(),
            Self::Ok { adapter } => format!("WebGPU 可在 {adapter} 上使用"),
            Self::NoApi => "此浏览器没有提供 WebGPU（不存在 navigator.gpu）".to_owned(),
            Self::Insecure => {
                "本页不是安全上下文，浏览器不提供 WebGPU（请用 https 或 localhost 打开）".to_owned()
            }
            Self::NoAdapter(None) => "浏览器没有给出 GPU 适配器".to_owned(),
            Self::NoAdapter(Some(reason)) => format!("浏览器没有给出 GPU 适配器（{reason}）"),
            Self::DeviceRefused(reason) => format!("GPU 适配器拒绝创建设备：{reason}"),
            Self::ShaderError { module, message } => {
                format!("着色器模块“{module}”编译失败：{message}")
            }
            Self::DeviceLost(reason) => format!("GPU 设备丢失：{reason}"),
        }
    }

    fn reason_en(&self) -> String {
        match self {
            Self::Probing => "WebGPU is still being checked".to_owned(),
            Self::Ok { adapter } => format!("WebGPU works on {adapter}"),
            Self::NoApi => {
                "this browser does not offer WebGPU (navigator.gpu is missing)".to_owned()
            }
            Self::Insecure => {
                "this page is not a secure context, so WebGPU is hidden (use https or localhost)"
                    .to_owned()
            }
            Self::NoAdapter(None) => "the browser gave no GPU adapter".to_owned(),
            Self::NoAdapter(Some(reason)) => format!("the browser gave no GPU adapter ({reason})"),
            Self::DeviceRefused(reason) => format!("the GPU adapter refused a device: {reason}"),
            Self::ShaderError { module, message } => {
                format!("the shader module '{module}' failed to compile: {message}")
            }
            Self::DeviceLost(reason) => format!("the GPU device was lost: {reason}"),
        }
    }

    /// The diagnosis a failed GPU run implies, for errors that say something about WebGPU on
    /// this page; `None` for the others (training settings, buffer sizes, a failed readback).
    pub fn from_gpu_error(error: &GpuError) -> Option<Self> {
        match error {
            GpuError::NoWebGpu if !is_secure_context() => Some(Self::Insecure),
            GpuError::NoWebGpu => Some(Self::NoApi),
            GpuError::NoAdapter(reason) => Some(Self::NoAdapter(Some(reason.clone()))),
            GpuError::DeviceRefused(reason) => Some(Self::DeviceRefused(reason.clone())),
            GpuError::Shader(message) => Some(Self::ShaderError {
                module: SHADER_MODULE_LABEL.to_owned(),
                message: shorten(message),
            }),
            GpuError::DeviceLost(reason) => Some(Self::DeviceLost(reason.clone())),
            GpuError::Execution(_)
            | GpuError::Readback(_)
            | GpuError::TooLarge { .. }
            | GpuError::Config(_) => None,
        }
    }
}

/// Finds out whether WebGPU can train on this page: the API, an adapter, a device and the
/// training shader module, in that order, stopping at the first thing that fails. The device
/// it makes is destroyed before it returns. Never throws; each failure is a [`Diagnosis`].
pub async fn probe() -> Diagnosis {
    let global = js_sys::global();
    let gpu = get(&get(&global, "navigator"), "gpu");
    if gpu.is_undefined() || gpu.is_null() {
        return if is_secure_context() {
            Diagnosis::NoApi
        } else {
            Diagnosis::Insecure
        };
    }

    let options = Object::new();
    let _ = Reflect::set(
        &options,
        &"powerPreference".into(),
        &"high-performance".into(),
    );
    let adapter = match call_async(&gpu, "requestAdapter", &[options.into()]).await {
        Ok(adapter) if adapter.is_null() || adapter.is_undefined() => {
            return Diagnosis::NoAdapter(None);
        }
        Ok(adapter) => adapter,
        Err(error) => return Diagnosis::NoAdapter(Some(js_message(&error))),
    };
    let adapter_name = describe_adapter(&adapter);

    let device = match call_async(&adapter, "requestDevice", &[]).await {
        Ok(device) if device.is_null() || device.is_undefined() => {
            return Diagnosis::DeviceRefused("requestDevice gave no device".to_owned());
        }
        Ok(device) => device,
        Err(error) => return Diagnosis::DeviceRefused(js_message(&error)),
    };
    let lost = watch_lost(&device);
    let finding = check_shader(&device).await;
    // A loss before we destroyed the device ourselves is the finding that matters most.
    let lost_reason = lost.borrow().clone();
    let _ = call(&device, "destroy", &[]);
    if let Some(reason) = lost_reason {
        return Diagnosis::DeviceLost(reason);
    }
    match finding {
        Some(error) => error,
        None => Diagnosis::Ok {
            adapter: adapter_name,
        },
    }
}

/// Compiles the training shader module on `device` and reads its compilation messages, inside
/// a validation error scope so that a bad module raises no uncaptured error. `None` when it
/// compiles.
async fn check_shader(device: &JsValue) -> Option<Diagnosis> {
    let shader_failed = |message: String| Diagnosis::ShaderError {
        module: SHADER_MODULE_LABEL.to_owned(),
        message: shorten(&message),
    };
    let _ = call(device, "pushErrorScope", &["validation".into()]);
    let descriptor = Object::new();
    let _ = Reflect::set(&descriptor, &"label".into(), &SHADER_MODULE_LABEL.into());
    let _ = Reflect::set(&descriptor, &"code".into(), &shader_source().into());
    let module = call(device, "createShaderModule", &[descriptor.into()]);
    let compiler_error = match &module {
        Ok(module) => match call_async(module, "getCompilationInfo", &[]).await {
            Ok(info) => first_error(&info),
            Err(error) => Some(js_message(&error)),
        },
        Err(error) => Some(js_message(error)),
    };
    let scope_error = match call_async(device, "popErrorScope", &[]).await {
        Ok(error) if !error.is_null() && !error.is_undefined() => {
            Some(get(&error, "message").as_string().unwrap_or_default())
        }
        _ => None,
    };
    compiler_error
        .or(scope_error.filter(|m| !m.is_empty()))
        .map(shader_failed)
}

/// The first error of a `GPUCompilationInfo`, with its line, as "line N: message".
fn first_error(info: &JsValue) -> Option<String> {
    let messages = get(info, "messages");
    let messages = Array::from(&messages);
    messages.iter().find_map(|message| {
        if get(&message, "type").as_string().as_deref() != Some("error") {
            return None;
        }
        let text = get(&message, "message").as_string().unwrap_or_default();
        Some(match get(&message, "lineNum").as_f64() {
            Some(line) if line > 0.0 => format!("line {line}: {text}"),
            _ => text,
        })
    })
}

/// Records the reason once the device's `lost` promise settles.
fn watch_lost(device: &JsValue) -> Rc<RefCell<Option<String>>> {
    let reason = Rc::new(RefCell::new(None));
    let lost = get(device, "lost");
    if let Ok(lost) = lost.dyn_into::<Promise>() {
        let slot = Rc::clone(&reason);
        let on_lost = Closure::once(move |info: JsValue| {
            let kind = get(&info, "reason").as_string().unwrap_or_default();
            let text = get(&info, "message").as_string().unwrap_or_default();
            let words = match (kind.as_str(), text.trim()) {
                ("", "") => "no reason given".to_owned(),
                (kind, "") => kind.to_owned(),
                ("" | "unknown", text) => text.to_owned(),
                (kind, text) => format!("{kind}: {text}"),
            };
            *slot.borrow_mut() = Some(words);
        });
        let _ = lost.then(&on_lost);
        // The promise holds the closure from now on; it runs at most once.
        on_lost.forget();
    }
    reason
}

/// The adapter in the browser's words: `GPUAdapterInfo`'s vendor, architecture and description.
fn describe_adapter(adapter: &JsValue) -> String {
    let info = get(adapter, "info");
    let words: Vec<String> = ["vendor", "architecture", "description"]
        .iter()
        .filter_map(|key| get(&info, key).as_string())
        .map(|word| word.trim().to_owned())
        .filter(|word| !word.is_empty())
        .collect();
    if words.is_empty() {
        "unnamed adapter".to_owned()
    } else {
        words.join(" ")
    }
}

/// `globalThis.isSecureContext`, taken as true where the property is missing (old browsers
/// without it also lack WebGPU, and then the finding is [`Diagnosis::NoApi`]).
fn is_secure_context() -> bool {
    get(&js_sys::global(), "isSecureContext")
        .as_bool()
        .unwrap_or(true)
}

/// `value[key]`, or `undefined` when the lookup throws or `value` is not an object.
fn get(value: &JsValue, key: &str) -> JsValue {
    if !value.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Calls `target[method](...args)`; an absent method is an error, not an exception.
fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let function = get(target, method)
        .dyn_into::<Function>()
        .map_err(|_| JsValue::from_str(&format!("{method} is not a function here")))?;
    let args: Array = args.iter().collect();
    Reflect::apply(&function, target, &args)
}

/// Calls a method that returns a promise and waits for it.
async fn call_async(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let result = call(target, method, args)?;
    JsFuture::from(Promise::resolve(&result)).await
}

/// A JavaScript exception or rejection as words.
fn js_message(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        let name = String::from(error.name());
        let message = String::from(error.message());
        return if name.is_empty() || name == "Error" {
            message
        } else {
            format!("{name}: {message}")
        };
    }
    value
        .as_string()
        .or_else(|| get(value, "message").as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

/// At most [`MAX_DETAIL_CHARS`] characters of a compiler message.
fn shorten(message: &str) -> String {
    let message = message.trim();
    match message.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message.to_owned(),
    }
}
