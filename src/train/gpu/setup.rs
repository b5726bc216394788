//! Setting the GPU up: the adapter and device, the WGSL source with its generated constants,
//! the bind group layout and pipelines, and the one-off uploads of the datasets.

use std::borrow::Cow;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::JsCast;

use super::limits::RunNeeds;
use super::{
    GRAD_HIDDEN_OFFSET, GRAD_LOGITS_OFFSET, GpuError, HEAD_GRADS_W2_THREADS, Kernel, LOGITS_OFFSET,
    MAX_BATCH, StepUniform, WORDS_PER_IMAGE,
};
use crate::mnist::Dataset;
use crate::model::{CLASSES, HIDDEN, INPUTS, layout};

/// The label of the one shader module that holds every kernel, as compiler messages name it.
pub const SHADER_MODULE_LABEL: &str = "trainer_kernels";

/// The WGSL source of every kernel, behind constants generated from the Rust layout so the
/// two can never disagree.
pub fn shader_source() -> String {
    let constants = format!(
        "const INPUTS: u32 = {INPUTS}u;\n\
         const HIDDEN: u32 = {HIDDEN}u;\n\
         const CLASSES: u32 = {CLASSES}u;\n\
         const WORDS_PER_IMAGE: u32 = {WORDS_PER_IMAGE}u;\n\
         const W1_LEN: u32 = {w1_len}u;\n\
         const W2_OFFSET: u32 = {w2}u;\n\
         const W2_LEN: u32 = {w2_len}u;\n\
         const B2_OFFSET: u32 = {b2}u;\n\
         const PARAMS_LEN: u32 = {len}u;\n\
         const GRADS_OFFSET: u32 = {len}u;\n\
         const ADAM_M_OFFSET: u32 = {m}u;\n\
         const ADAM_V_OFFSET: u32 = {v}u;\n\
         const LOGITS_OFFSET: u32 = {LOGITS_OFFSET}u;\n\
         const GRAD_HIDDEN_OFFSET: u32 = {GRAD_HIDDEN_OFFSET}u;\n\
         const GRAD_LOGITS_OFFSET: u32 = {GRAD_LOGITS_OFFSET}u;\n\
         const MAX_BATCH_LOGITS: u32 = {max_logits}u;\n\
         const HEAD_GRADS_W2_THREADS: u32 = {w2_threads}u;\n",
        w1_len = layout::B1,
        w2 = layout::W2,
        w2_len = HIDDEN * CLASSES,
        b2 = layout::B2,
        len = layout::LEN,
        m = 2 * layout::LEN,
        v = 3 * layout::LEN,
        max_logits = MAX_BATCH * CLASSES,
        w2_threads = HEAD_GRADS_W2_THREADS,
    );
    [
        constants.as_str(),
        include_str!("../kernels/common.wgsl"),
        include_str!("../kernels/forward_hidden.wgsl"),
        include_str!("../kernels/head.wgsl"),
        include_str!("../kernels/head_parallel.wgsl"),
        include_str!("../kernels/grad_w1.wgsl"),
        include_str!("../kernels/adam.wgsl"),
    ]
    .join("\n")
}

/// One compute pipeline per kernel, in the order of [`Kernel::ALL`].
pub(super) struct Pipelines([wgpu::ComputePipeline; Kernel::ALL.len()]);

impl Pipelines {
    pub(super) fn of(&self, kernel: Kernel) -> &wgpu::ComputePipeline {
        &self.0[kernel as usize]
    }
}

/// A device and what it was granted.
pub(super) struct GpuDevice {
    pub(super) device: wgpu::Device,
    pub(super) queue: wgpu::Queue,
    pub(super) adapter_name: String,
    /// The device measures GPU time with timestamp queries ([`wgpu::Features::TIMESTAMP_QUERY`]).
    pub(super) timestamps: bool,
}

/// Finds the adapter, checks `needs` against its limits before anything is created, and
/// creates a device with only the limits the run needs above WebGPU's defaults, and timestamp
/// queries when the adapter offers them.
pub(super) async fn request_device(needs: &RunNeeds) -> Result<GpuDevice, GpuError> {
    #[cfg(target_arch = "wasm32")]
    {
        let has_gpu = web_sys_gpu_present();
        if !has_gpu {
            return Err(GpuError::NoWebGpu);
        }
    }
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
    let adapter = instance
        .request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        })
        .await
        .map_err(|error| GpuError::NoAdapter(error.to_string()))?;
    let info = adapter.get_info();
    let name = info.name.trim().to_owned();
    #[cfg(target_arch = "wasm32")]
    let name = if name.is_empty() {
        web_adapter_name().await
    } else {
        name
    };
    let adapter_name = if name.is_empty() {
        format!("unnamed {:?} adapter", info.backend)
    } else {
        format!("{name} ({:?})", info.backend)
    };
    log::info!(
        "adapter: {adapter_name}, type {:?}, driver '{}'",
        info.device_type,
        info.driver
    );

    let required_features = adapter.features() & wgpu::Features::TIMESTAMP_QUERY;
    let required_limits = needs.check(&adapter.limits()).map_err(|short| {
        log::warn!("the run does not fit '{adapter_name}': {short:?}");
        GpuError::DoesNotFit(short)
    })?;
    let (device, queue) = adapter
        .request_device(&wgpu::DeviceDescriptor {
            label: Some("price-war-lab trainer"),
            required_features,
            required_limits,
            ..Default::default()
        })
        .await
        .map_err(|error| GpuError::DeviceRefused(error.to_string()))?;
    let timestamps = device.features().contains(wgpu::Features::TIMESTAMP_QUERY);
    log::info!(
        "GPU timestamp queries: {}",
        if timestamps { "yes" } else { "no" }
    );
    Ok(GpuDevice {
        device,
        queue,
        adapter_name,
        timestamps,
    })
}

#[cfg(target_arch = "wasm32")]
fn web_sys_gpu_present() -> bool {
    let global = js_sys::global();
    let navigator = js_sys::Reflect::get(&global, &"navigator".into()).unwrap_or_default();
    if navigator.is_undefined() {
        return false;
    }
    js_sys::Reflect::get(&navigator, &"gpu".into()).is_ok_and(|gpu| !gpu.is_undefined())
}

/// The browser's words for its adapter when wgpu has no name for it: Chrome leaves
/// `GPUAdapterInfo.description` empty and fills `vendor` and `architecture` (for example
/// "google" and "swiftshader"). Asks `navigator.gpu` for an adapter of its own to read them.
#[cfg(target_arch = "wasm32")]
async fn web_adapter_name() -> String {
    use js_sys::Reflect;

    let get = |value: &wasm_bindgen::JsValue, key: &str| {
        Reflect::get(value, &key.into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED)
    };
    let gpu = get(&get(&js_sys::global(), "navigator"), "gpu");
    let Ok(request) = Reflect::get(&gpu, &"requestAdapter".into())
        .and_then(|f| f.dyn_into::<js_sys::Function>())
        .and_then(|f| f.call0(&gpu))
    else {
        return String::new();
    };
    let Ok(adapter) = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(request)).await
    else {
        return String::new();
    };
    if adapter.is_null() || adapter.is_undefined() {
        return String::new();
    }
    let info = get(&adapter, "info");
    let words: Vec<String> = ["vendor", "architecture", "description"]
        .iter()
        .filter_map(|key| get(&info, key).as_string())
        .map(|word| word.trim().to_owned())
        .filter(|word| !word.is_empty())
        .collect();
    words.join(" ")
}

pub(super) fn bind_group_layout(device: &wgpu::Device) -> wgpu::BindGroupLayout {
    let storage = |binding, read_only| wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    };
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("trainer_layout"),
        entries: &[
            storage(0, true),
            storage(1, true),
            storage(2, true),
            storage(3, false),
            storage(4, false),
            storage(5, false),
            wgpu::BindGroupLayoutEntry {
                binding: 6,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: true,
                    min_binding_size: wgpu::BufferSize::new(size_of::<StepUniform>() as u64),
                },
                count: None,
            },
        ],
    })
}

pub(super) async fn create_pipelines(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
) -> Result<Pipelines, GpuError> {
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(SHADER_MODULE_LABEL),
        source: wgpu::ShaderSource::Wgsl(Cow::Owned(shader_source())),
    });
    let info = module.get_compilation_info().await;
    let errors: Vec<String> = info
        .messages
        .iter()
        .filter(|m| m.message_type == wgpu::CompilationMessageType::Error)
        .map(|m| match &m.location {
            Some(at) => format!("line {}: {}", at.line_number, m.message),
            None => m.message.clone(),
        })
        .collect();
    if !errors.is_empty() {
        return Err(GpuError::Shader(format!(
            "shader module '{SHADER_MODULE_LABEL}': {}",
            errors.join("; ")
        )));
    }

    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("trainer_pipeline_layout"),
        bind_group_layouts: &[Some(layout)],
        immediate_size: 0,
    });
    let pipeline = |entry_point: &str| {
        device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(entry_point),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some(entry_point),
            compilation_options: Default::default(),
            cache: None,
        })
    };
    Ok(Pipelines(
        Kernel::ALL.map(|kernel| pipeline(kernel.entry_point())),
    ))
}

pub(super) fn buffer_entry(binding: u32, buffer: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: buffer.as_entire_binding(),
    }
}

/// The labels of `data` as the kernels read them, one per `u32`.
pub(super) fn label_words(data: &Dataset) -> Vec<u32> {
    data.labels().iter().map(|&l| u32::from(l)).collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn kernels_parse_and_validate_with_naga() {
        // The same front end wgpu uses natively; the browser's compiler is checked by the
        // browser test.
        let source = shader_source();
        let module = naga::front::wgsl::parse_str(&source).expect("WGSL parses");
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::empty(),
        )
        .validate(&module)
        .expect("WGSL validates");
    }
}
