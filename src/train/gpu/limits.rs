//! What a run needs from the adapter — buffer sizes for its data and parameters, bindings per
//! stage, workgroup sizes and workgroup memory — checked against the adapter's limits before
//! anything is created, and the limits to ask the device for: WebGPU's defaults, raised only
//! where the run needs more.

use std::fmt;

use super::{
    ACTIVATIONS_LEN, CHUNK_READBACK_BYTES, Kernel, MAX_BATCH, STEP_STRIDE, StepUniform, Summary,
    adam_workgroups, forward_workgroups, grad_w1_workgroups, head_grads_workgroups,
    head_logits_workgroups,
};
use crate::model::{CLASSES, INPUTS, layout};

/// One GPU buffer of a run: its label (as the browser's messages name it), what it holds in
/// words, its size and how it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferSpec {
    pub label: &'static str,
    /// What the buffer holds, for messages: "the training images".
    pub what: &'static str,
    pub bytes: u64,
    pub usage: wgpu::BufferUsages,
}

impl BufferSpec {
    fn new(label: &'static str, what: &'static str, bytes: u64, usage: wgpu::BufferUsages) -> Self {
        Self {
            label,
            what,
            bytes,
            usage,
        }
    }

    /// Whether the kernels bind the whole buffer as storage.
    fn is_storage(&self) -> bool {
        self.usage.contains(wgpu::BufferUsages::STORAGE)
    }

    /// Creates the buffer, unmapped; the data goes in with `Queue::write_buffer`.
    pub(super) fn create(&self, device: &wgpu::Device) -> wgpu::Buffer {
        device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(self.label),
            size: self.bytes,
            usage: self.usage,
            mapped_at_creation: false,
        })
    }
}

/// Every buffer a run creates, sized from the number of samples; [`super::GpuTrainer`] creates
/// exactly these, so the check and the creation cannot disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BufferPlan {
    /// `[train samples][INPUTS]` pixel bytes.
    pub train_images: BufferSpec,
    /// `[train samples]` labels, one per `u32`.
    pub train_labels: BufferSpec,
    pub test_images: BufferSpec,
    pub test_labels: BufferSpec,
    /// The epoch's shuffled order, `[train samples]` `u32`s.
    pub order: BufferSpec,
    /// `0, 1, 2, …`, `[test samples]` `u32`s: the order in which evaluation reads the test set.
    pub test_order: BufferSpec,
    /// `[params | grads | adam_m | adam_v]`, `layout::LEN` `f32`s each.
    pub state: BufferSpec,
    pub activations: BufferSpec,
    pub summary: BufferSpec,
    pub summary_readback: BufferSpec,
    pub chunk_readback: BufferSpec,
    /// One [`StepUniform`] every [`STEP_STRIDE`] bytes: an epoch's steps and its evaluation.
    pub steps: BufferSpec,
    /// `[params | adam_m | adam_v]`, copied out at the end of each epoch.
    pub checkpoint_readback: BufferSpec,
}

impl BufferPlan {
    /// The buffers of a run on `train_samples` and `test_samples` images with batches of
    /// `batch_size` (at least 1).
    pub fn new(train_samples: usize, test_samples: usize, batch_size: usize) -> Self {
        use wgpu::BufferUsages as U;
        let words = |n: usize| (n.max(1) * 4) as u64;
        let params_bytes = words(layout::LEN);
        let step_slots =
            train_samples.div_ceil(batch_size.max(1)) + steps_to_evaluate(test_samples);
        Self {
            train_images: BufferSpec::new(
                "train_images",
                "the training images",
                (train_samples.max(1) * INPUTS) as u64,
                U::STORAGE | U::COPY_DST,
            ),
            train_labels: BufferSpec::new(
                "train_labels",
                "the training labels",
                words(train_samples),
                U::STORAGE | U::COPY_DST,
            ),
            test_images: BufferSpec::new(
                "test_images",
                "the test images",
                (test_samples.max(1) * INPUTS) as u64,
                U::STORAGE | U::COPY_DST,
            ),
            test_labels: BufferSpec::new(
                "test_labels",
                "the test labels",
                words(test_samples),
                U::STORAGE | U::COPY_DST,
            ),
            order: BufferSpec::new(
                "batch_order",
                "the epoch's sample order",
                words(train_samples),
                U::STORAGE | U::COPY_DST,
            ),
            test_order: BufferSpec::new(
                "test_order",
                "the test set's order",
                words(test_samples),
                U::STORAGE | U::COPY_DST,
            ),
            state: BufferSpec::new(
                "params_grads_adam_moments",
                "the weights, gradients and Adam moments",
                4 * params_bytes,
                U::STORAGE | U::COPY_SRC | U::COPY_DST,
            ),
            activations: BufferSpec::new(
                "activations",
                "the activations",
                words(ACTIVATIONS_LEN),
                U::STORAGE | U::COPY_SRC,
            ),
            summary: BufferSpec::new(
                "epoch_summary",
                "the epoch's running figures",
                size_of::<Summary>() as u64,
                U::STORAGE | U::COPY_SRC | U::COPY_DST,
            ),
            summary_readback: BufferSpec::new(
                "summary_readback",
                "a copy of the running figures",
                CHUNK_READBACK_BYTES,
                U::MAP_READ | U::COPY_DST,
            ),
            chunk_readback: BufferSpec::new(
                "chunk_readback",
                "a copy of the running figures",
                CHUNK_READBACK_BYTES,
                U::MAP_READ | U::COPY_DST,
            ),
            steps: BufferSpec::new(
                "step_settings",
                "the per-step settings",
                step_slots as u64 * STEP_STRIDE,
                U::UNIFORM | U::COPY_DST,
            ),
            checkpoint_readback: BufferSpec::new(
                "checkpoint_readback",
                "the end-of-epoch copy of the weights",
                3 * params_bytes,
                U::MAP_READ | U::COPY_DST,
            ),
        }
    }

    /// Every buffer of the plan.
    pub fn all(&self) -> [&BufferSpec; 13] {
        [
            &self.train_images,
            &self.train_labels,
            &self.test_images,
            &self.test_labels,
            &self.order,
            &self.test_order,
            &self.state,
            &self.activations,
            &self.summary,
            &self.summary_readback,
            &self.chunk_readback,
            &self.steps,
            &self.checkpoint_readback,
        ]
    }

    /// Bytes of GPU memory the run's buffers take together.
    pub fn total_bytes(&self) -> u64 {
        self.all().iter().map(|b| b.bytes).sum()
    }
}

/// Evaluation chunks of at most [`MAX_BATCH`] test samples.
pub(super) fn steps_to_evaluate(test_samples: usize) -> usize {
    test_samples.div_ceil(MAX_BATCH)
}

/// A kernel entry point's shape as its WGSL declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelShape {
    pub kernel: Kernel,
    /// `@workgroup_size(x)`; every kernel is one-dimensional.
    pub workgroup_size_x: u32,
    /// Bytes of `var<workgroup>` memory the entry point uses.
    pub workgroup_storage_bytes: u32,
}

/// Workgroup memory of the training head: `grad_logits` `[MAX_BATCH][CLASSES]` `f32`s, and
/// `partial_loss` and `partial_correct`, one word per thread each.
const TRAIN_HEAD_STORAGE_BYTES: u32 = ((MAX_BATCH * CLASSES + 2 * HEAD_THREADS) * 4) as u32;
/// Workgroup memory of the evaluation head: `partial_correct` alone.
const EVAL_HEAD_STORAGE_BYTES: u32 = (HEAD_THREADS * 4) as u32;
/// Workgroup memory of the parallel head's softmax: `partial_loss` and `partial_correct`.
const SOFTMAX_STORAGE_BYTES: u32 = (2 * HEAD_THREADS * 4) as u32;
/// `HEAD_THREADS` in `kernels/head.wgsl`.
const HEAD_THREADS: usize = 64;

/// Every kernel entry point of the trainer, both head variants included; a native test reads
/// the WGSL to keep this true.
pub const KERNELS: [KernelShape; 8] = [
    KernelShape {
        kernel: Kernel::ForwardHidden,
        workgroup_size_x: 64,
        workgroup_storage_bytes: 0,
    },
    KernelShape {
        kernel: Kernel::TrainHead,
        workgroup_size_x: HEAD_THREADS as u32,
        workgroup_storage_bytes: TRAIN_HEAD_STORAGE_BYTES,
    },
    KernelShape {
        kernel: Kernel::GradW1,
        workgroup_size_x: 64,
        workgroup_storage_bytes: 0,
    },
    KernelShape {
        kernel: Kernel::Adam,
        workgroup_size_x: 64,
        workgroup_storage_bytes: 0,
    },
    KernelShape {
        kernel: Kernel::EvalHead,
        workgroup_size_x: HEAD_THREADS as u32,
        workgroup_storage_bytes: EVAL_HEAD_STORAGE_BYTES,
    },
    KernelShape {
        kernel: Kernel::HeadLogits,
        workgroup_size_x: 64,
        workgroup_storage_bytes: 0,
    },
    KernelShape {
        kernel: Kernel::HeadSoftmax,
        workgroup_size_x: HEAD_THREADS as u32,
        workgroup_storage_bytes: SOFTMAX_STORAGE_BYTES,
    },
    KernelShape {
        kernel: Kernel::HeadGrads,
        workgroup_size_x: 64,
        workgroup_storage_bytes: 0,
    },
];

/// Storage buffers the one bind group layout gives every kernel (bindings 0–5).
const STORAGE_BUFFERS_PER_STAGE: u32 = 6;
/// The per-step settings (binding 6), bound with a dynamic offset.
const UNIFORM_BUFFERS_PER_STAGE: u32 = 1;
const BINDINGS_PER_GROUP: u32 = STORAGE_BUFFERS_PER_STAGE + UNIFORM_BUFFERS_PER_STAGE;

/// One limit a run needs more of than the adapter has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    /// WebGPU's name of the limit, e.g. `maxStorageBufferBindingSize`.
    pub limit: &'static str,
    /// What needs it, in words: "the training images".
    pub what: String,
    /// What the run needs, in the limit's unit.
    pub needed: u64,
    /// What the adapter allows.
    pub available: u64,
}

impl fmt::Display for Shortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.limit == "minUniformBufferOffsetAlignment" {
            write!(
                f,
                "{} needs an offset alignment of {} bytes, the adapter's is {} ({})",
                self.what, self.needed, self.available, self.limit
            )
        } else {
            write!(
                f,
                "{} need {}, the adapter allows {} ({})",
                self.what,
                grouped(self.needed),
                grouped(self.available),
                self.limit
            )
        }
    }
}

/// A whole number with thin thousands separators: 6 272 000.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(digit);
    }
    out
}

/// Everything a run needs from the adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunNeeds {
    pub buffers: BufferPlan,
    /// Most workgroups any dispatch asks for in one dimension.
    pub workgroups_per_dimension: u32,
}

impl RunNeeds {
    /// The needs of a run on `train_samples` and `test_samples` images with batches of
    /// `batch_size` (1 to [`MAX_BATCH`]).
    pub fn new(train_samples: usize, test_samples: usize, batch_size: usize) -> Self {
        let workgroups_per_dimension = [
            forward_workgroups(MAX_BATCH),
            head_logits_workgroups(MAX_BATCH),
            head_grads_workgroups(MAX_BATCH),
            grad_w1_workgroups(),
            adam_workgroups(),
            1,
        ]
        .into_iter()
        .max()
        .unwrap_or(1);
        Self {
            buffers: BufferPlan::new(train_samples, test_samples, batch_size),
            workgroups_per_dimension,
        }
    }

    /// Checks every need against `adapter`'s limits. When the run fits, returns the limits to
    /// request: WebGPU's defaults (lowered to the adapter's where it has less, which a native
    /// downlevel adapter may), raised only where the run needs more. Otherwise returns every
    /// limit that falls short.
    pub fn check(&self, adapter: &wgpu::Limits) -> Result<wgpu::Limits, Vec<Shortfall>> {
        let mut short = Vec::new();
        let mut at_most = |limit: &'static str, what: String, needed: u64, available: u64| {
            if needed > available {
                short.push(Shortfall {
                    limit,
                    what,
                    needed,
                    available,
                });
            }
        };

        let largest = |storage_only: bool| {
            self.buffers
                .all()
                .into_iter()
                .filter(|b| !storage_only || b.is_storage())
                .max_by_key(|b| b.bytes)
                .copied()
        };
        let (largest_buffer, largest_storage) = (largest(false), largest(true));
        if let Some(buffer) = largest_buffer {
            at_most(
                "maxBufferSize",
                format!("{} (bytes in one buffer)", buffer.what),
                buffer.bytes,
                adapter.max_buffer_size,
            );
        }
        if let Some(buffer) = largest_storage {
            at_most(
                "maxStorageBufferBindingSize",
                format!("{} (bytes in one storage binding)", buffer.what),
                buffer.bytes,
                adapter.max_storage_buffer_binding_size,
            );
        }
        let step_bytes = size_of::<StepUniform>() as u64;
        at_most(
            "maxUniformBufferBindingSize",
            "the per-step settings (bytes in one uniform binding)".to_owned(),
            step_bytes,
            adapter.max_uniform_buffer_binding_size,
        );
        let counts = [
            (
                "maxStorageBuffersPerShaderStage",
                "the kernels (storage buffers per stage)",
                STORAGE_BUFFERS_PER_STAGE,
                adapter.max_storage_buffers_per_shader_stage,
            ),
            (
                "maxUniformBuffersPerShaderStage",
                "the kernels (uniform buffers per stage)",
                UNIFORM_BUFFERS_PER_STAGE,
                adapter.max_uniform_buffers_per_shader_stage,
            ),
            (
                "maxDynamicUniformBuffersPerPipelineLayout",
                "the kernels (dynamic uniform buffers)",
                UNIFORM_BUFFERS_PER_STAGE,
                adapter.max_dynamic_uniform_buffers_per_pipeline_layout,
            ),
            (
                "maxBindingsPerBindGroup",
                "the kernels (bindings in one group)",
                BINDINGS_PER_GROUP,
                adapter.max_bindings_per_bind_group,
            ),
            (
                "maxBindGroups",
                "the kernels (bind groups)",
                1,
                adapter.max_bind_groups,
            ),
            (
                "maxComputeWorkgroupsPerDimension",
                "the largest dispatch (workgroups)",
                self.workgroups_per_dimension,
                adapter.max_compute_workgroups_per_dimension,
            ),
        ];
        for (limit, what, needed, available) in counts {
            at_most(limit, what.to_owned(), needed.into(), available.into());
        }
        for kernel in KERNELS {
            let what =
                |unit: &str| format!("the kernel '{}' ({unit})", kernel.kernel.entry_point());
            at_most(
                "maxComputeWorkgroupSizeX",
                what("threads along x"),
                kernel.workgroup_size_x.into(),
                adapter.max_compute_workgroup_size_x.into(),
            );
            at_most(
                "maxComputeInvocationsPerWorkgroup",
                what("threads per workgroup"),
                kernel.workgroup_size_x.into(),
                adapter.max_compute_invocations_per_workgroup.into(),
            );
            at_most(
                "maxComputeWorkgroupStorageSize",
                what("bytes of workgroup memory"),
                kernel.workgroup_storage_bytes.into(),
                adapter.max_compute_workgroup_storage_size.into(),
            );
        }
        // Alignments are powers of two, so a stride that is at least the alignment is a
        // multiple of it.
        let alignment = u64::from(adapter.min_uniform_buffer_offset_alignment);
        if STEP_STRIDE < alignment || !STEP_STRIDE.is_multiple_of(alignment.max(1)) {
            short.push(Shortfall {
                limit: "minUniformBufferOffsetAlignment",
                what: "the per-step settings".to_owned(),
                needed: STEP_STRIDE,
                available: alignment,
            });
        }
        if !short.is_empty() {
            return Err(short);
        }

        let mut request = wgpu::Limits::default().or_worse_values_from(adapter);
        if let Some(buffer) = largest_buffer {
            request.max_buffer_size = request.max_buffer_size.max(buffer.bytes);
        }
        if let Some(buffer) = largest_storage {
            request.max_storage_buffer_binding_size =
                request.max_storage_buffer_binding_size.max(buffer.bytes);
        }
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded digits: 8,000 training and 2,000 test images, batch 64.
    fn embedded() -> RunNeeds {
        RunNeeds::new(8_000, 2_000, 64)
    }

    #[test]
    fn the_embedded_digits_fit_the_webgpu_defaults_and_request_no_more() {
        let request = embedded()
            .check(&wgpu::Limits::default())
            .expect("fits the defaults");
        assert_eq!(request, wgpu::Limits::default());
        // Full MNIST or Fashion-MNIST: 60,000 training images, 47,040,000 bytes, under the
        // 128 MiB default binding.
        let full = RunNeeds::new(60_000, 10_000, 64);
        assert_eq!(
            full.check(&wgpu::Limits::default()),
            Ok(wgpu::Limits::default())
        );
    }

    #[test]
    fn small_buffer_limits_are_named_with_what_needs_them() {
        let adapter = wgpu::Limits {
            max_storage_buffer_binding_size: 1 << 20,
            max_buffer_size: 1 << 20,
            ..wgpu::Limits::default()
        };
        let short = embedded()
            .check(&adapter)
            .expect_err("8,000 images need 6.3 MB");
        let limits: Vec<_> = short.iter().map(|s| s.limit).collect();
        assert_eq!(limits, ["maxBufferSize", "maxStorageBufferBindingSize"]);
        assert_eq!(short[0].needed, 8_000 * 784);
        assert_eq!(short[0].available, 1 << 20);
        let text = short[1].to_string();
        assert!(text.contains("the training images"), "{text}");
        assert!(text.contains("6\u{202f}272\u{202f}000"), "{text}");
        assert!(text.contains("1\u{202f}048\u{202f}576"), "{text}");
    }

    #[test]
    fn a_dataset_larger_than_the_defaults_requests_just_enough() {
        // 200,000 images are 156.8 MB, over the default 128 MiB binding and under 256 MiB.
        let needs = RunNeeds::new(200_000, 10_000, 64);
        let images = 200_000 * 784;
        let roomy = wgpu::Limits {
            max_storage_buffer_binding_size: 1 << 30,
            max_buffer_size: 1 << 30,
            ..wgpu::Limits::default()
        };
        let request = needs.check(&roomy).expect("fits a roomy adapter");
        assert_eq!(request.max_storage_buffer_binding_size, images);
        assert_eq!(
            request.max_buffer_size,
            wgpu::Limits::default().max_buffer_size
        );

        let short = needs
            .check(&wgpu::Limits::default())
            .expect_err("over the default binding size");
        assert_eq!(short.len(), 1);
        assert_eq!(short[0].limit, "maxStorageBufferBindingSize");
    }

    #[test]
    fn kernel_and_binding_limits_are_checked() {
        let adapter = wgpu::Limits {
            max_compute_workgroup_storage_size: 4096,
            max_compute_invocations_per_workgroup: 32,
            max_compute_workgroup_size_x: 32,
            max_storage_buffers_per_shader_stage: 4,
            min_uniform_buffer_offset_alignment: 512,
            ..wgpu::Limits::default()
        };
        let short = embedded().check(&adapter).expect_err("too small");
        let named = |limit: &str| short.iter().filter(|s| s.limit == limit).count();
        assert_eq!(
            named("maxComputeWorkgroupStorageSize"),
            1,
            "the training head"
        );
        // Every kernel runs 64 threads per workgroup.
        assert_eq!(named("maxComputeWorkgroupSizeX"), KERNELS.len());
        assert_eq!(named("maxComputeInvocationsPerWorkgroup"), KERNELS.len());
        assert_eq!(named("maxStorageBuffersPerShaderStage"), 1);
        assert_eq!(named("minUniformBufferOffsetAlignment"), 1);
    }

    #[test]
    fn an_adapter_below_the_defaults_where_the_run_does_not_care_is_asked_for_no_more() {
        // A native downlevel adapter can have less than WebGPU's defaults in limits that
        // matter only to graphics; requesting the defaults there would be refused.
        let adapter = wgpu::Limits {
            max_texture_dimension_2d: 4096,
            max_vertex_buffers: 4,
            max_color_attachments: 4,
            ..wgpu::Limits::default()
        };
        let request = embedded().check(&adapter).expect("fits");
        assert!(request.check_limits(&adapter), "{request:?}");
        assert_eq!(request.max_texture_dimension_2d, 4096);
    }

    #[test]
    fn the_plan_adds_up() {
        let plan = embedded().buffers;
        assert_eq!(plan.train_images.bytes, 6_272_000);
        assert_eq!(plan.state.bytes, 16 * layout::LEN as u64);
        // 125 training steps and 8 evaluation chunks, 256 bytes each.
        assert_eq!(plan.steps.bytes, 133 * 256);
        assert_eq!(
            plan.total_bytes(),
            plan.all().iter().map(|b| b.bytes).sum::<u64>()
        );
    }

    /// The table above against the WGSL itself, read by naga: the workgroup size of every
    /// entry point and the bytes of workgroup memory it uses.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_kernel_table_matches_the_wgsl() {
        let module = naga::front::wgsl::parse_str(&super::super::shader_source()).expect("parses");
        let info = naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::empty(),
        )
        .validate(&module)
        .expect("validates");
        assert_eq!(module.entry_points.len(), KERNELS.len());
        for (index, entry) in module.entry_points.iter().enumerate() {
            let shape = KERNELS
                .iter()
                .find(|k| k.kernel.entry_point() == entry.name)
                .unwrap_or_else(|| panic!("entry point '{}' is not in KERNELS", entry.name));
            assert_eq!(
                entry.workgroup_size,
                [shape.workgroup_size_x, 1, 1],
                "{}",
                entry.name
            );
            let uses = info.get_entry_point(index);
            let storage: u32 = module
                .global_variables
                .iter()
                .filter(|(handle, var)| {
                    var.space == naga::AddressSpace::WorkGroup && !uses[*handle].is_empty()
                })
                .map(|(_, var)| module.types[var.ty].inner.size(module.to_ctx()))
                .sum();
            assert_eq!(storage, shape.workgroup_storage_bytes, "{}", entry.name);
        }
    }
}
