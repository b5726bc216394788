//! The GPU trainer: the MLP's forward pass, loss, backward pass and Adam as WGSL compute
//! shaders, driven through wgpu on any adapter (WebGPU in the browser; Vulkan, Metal or DX12
//! natively).
//!
//! Both datasets are uploaded once as bytes and stay on the GPU; each epoch uploads only its
//! shuffled order and its per-step settings. Steps are encoded many to a command buffer, and
//! nothing is read back inside an epoch but a 16-byte running summary per chunk of steps.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::JsCast;
use wgpu::util::DeviceExt;

use super::{EpochOrder, EpochReport, RunReport, StepProgress, TrainConfig, TrainEvent};
use crate::mnist::{Dataset, PIXEL_SCALE};
use crate::model::{CLASSES, HIDDEN, INPUTS, init_params, layout};

/// Largest batch the kernels' buffers and workgroup memory are sized for; also the number of
/// test samples evaluated per dispatch.
pub const MAX_BATCH: usize = 256;
/// Steps encoded into one command buffer between two progress reports.
const STEPS_PER_CHUNK: usize = 16;
/// Stride of the per-step settings in the uniform buffer: WebGPU's default (and largest)
/// `minUniformBufferOffsetAlignment`.
const STEP_STRIDE: u64 = 256;
/// Words (four pixel bytes each) per 28 × 28 image.
const WORDS_PER_IMAGE: usize = INPUTS / 4;

/// What can go wrong on the GPU path, in words a reader can act on.
#[derive(Debug, thiserror::Error)]
pub enum GpuError {
    #[error(
        "this browser has no WebGPU (navigator.gpu is missing): try a recent Chrome or Edge, or \
         Firefox or Safari with WebGPU enabled; the CPU trainer still works"
    )]
    NoWebGpu,
    #[error("no GPU adapter was found ({0}); the CPU trainer still works")]
    NoAdapter(String),
    #[error("the GPU adapter refused to create a device: {0}")]
    DeviceRefused(String),
    /// The message names the shader module (its label, [`SHADER_MODULE_LABEL`]) and the
    /// compiler's first messages.
    #[error("the training shaders failed to compile or validate: {0}")]
    Shader(String),
    /// The browser or driver lost the GPU device (a driver reset, the GPU process crashing,
    /// `destroy()`, a tab in the background for long); the text is the reason it gave.
    #[error("the GPU device was lost: {0}")]
    DeviceLost(String),
    #[error("the GPU reported an error while training: {0}")]
    Execution(String),
    #[error("reading results back from the GPU failed: {0}")]
    Readback(String),
    #[error(
        "the {what} needs {needed_bytes} bytes in one GPU buffer, more than this adapter \
         allows ({limit_bytes})"
    )]
    TooLarge {
        what: &'static str,
        needed_bytes: u64,
        limit_bytes: u64,
    },
    #[error("invalid training settings: {0}")]
    Config(String),
}

/// Turns of the event loop a failed buffer map waits for the device-lost callback (each is a
/// `setTimeout(0)`, a few milliseconds, in the browser; nothing natively).
const LOST_GRACE_TURNS: usize = 10;

/// The label of the one shader module that holds every kernel, as compiler messages name it.
pub const SHADER_MODULE_LABEL: &str = "trainer_kernels";

/// Set once when the device is lost (wgpu's device-lost callback), and waited on beside every
/// buffer map, so that a lost device ends a run with [`GpuError::DeviceLost`] instead of
/// leaving it waiting on a map that never finishes.
#[derive(Clone, Default)]
struct LostSignal {
    inner: Arc<Mutex<LostState>>,
}

#[derive(Default)]
struct LostState {
    reason: Option<String>,
    wakers: Vec<Waker>,
}

impl LostSignal {
    /// A signal wired to `device`'s device-lost callback.
    fn watch(device: &wgpu::Device) -> Self {
        let signal = Self::default();
        let setter = signal.clone();
        device.set_device_lost_callback(move |reason, message| {
            let words = match (reason, message.trim()) {
                (wgpu::DeviceLostReason::Destroyed, "") => "the device was destroyed".to_owned(),
                (wgpu::DeviceLostReason::Destroyed, text) => format!("destroyed: {text}"),
                (_, "") => "no reason given".to_owned(),
                (_, text) => text.to_owned(),
            };
            // Dropping the trainer destroys its device on purpose: not worth a warning.
            if reason == wgpu::DeviceLostReason::Destroyed {
                log::info!("GPU device lost: {words}");
            } else {
                log::warn!("GPU device lost: {words}");
            }
            setter.set(words);
        });
        signal
    }

    fn set(&self, reason: String) {
        // A poisoned lock only means another thread panicked mid-update; the data is plain.
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        state.reason.get_or_insert(reason);
        for waker in state.wakers.drain(..) {
            waker.wake();
        }
    }

    fn reason(&self) -> Option<String> {
        let state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        state.reason.clone()
    }

    /// Ready with the reason once the device is lost; otherwise registers the waker.
    fn poll_lost(&self, cx: &mut Context<'_>) -> Poll<String> {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match &state.reason {
            Some(reason) => Poll::Ready(reason.clone()),
            None => {
                if !state.wakers.iter().any(|w| w.will_wake(cx.waker())) {
                    state.wakers.push(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }

    /// `error` as [`GpuError::DeviceLost`] when the device is lost by now.
    fn explain(&self, error: GpuError) -> GpuError {
        match self.reason() {
            Some(reason) => GpuError::DeviceLost(reason),
            None => error,
        }
    }
}

/// The per-step settings, as the kernels' `Step` struct (see `kernels/common.wgsl`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct StepUniform {
    batch_start: u32,
    batch_size: u32,
    gather: u32,
    _pad0: u32,
    inv_batch: f32,
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    bias_correction1: f32,
    bias_correction2: f32,
    _pad1: f32,
}

/// The epoch's running figures, as the kernels' `Summary` struct.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
struct Summary {
    loss_sum: f32,
    correct: u32,
    eval_correct: u32,
    samples: u32,
}

/// Offsets into the activations buffer, in `f32`s.
const LOGITS_OFFSET: usize = MAX_BATCH * HIDDEN;
const GRAD_HIDDEN_OFFSET: usize = LOGITS_OFFSET + MAX_BATCH * CLASSES;
const ACTIVATIONS_LEN: usize = GRAD_HIDDEN_OFFSET + MAX_BATCH * HIDDEN;

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
         const MAX_BATCH_LOGITS: u32 = {max_logits}u;\n\
         const PIXEL_SCALE: f32 = {pixel_scale};\n",
        w1_len = layout::B1,
        w2 = layout::W2,
        w2_len = HIDDEN * CLASSES,
        b2 = layout::B2,
        len = layout::LEN,
        m = 2 * layout::LEN,
        v = 3 * layout::LEN,
        max_logits = MAX_BATCH * CLASSES,
        pixel_scale = wgsl_hex_float(PIXEL_SCALE),
    );
    [
        constants.as_str(),
        include_str!("kernels/common.wgsl"),
        include_str!("kernels/forward_hidden.wgsl"),
        include_str!("kernels/head.wgsl"),
        include_str!("kernels/grad_w1.wgsl"),
        include_str!("kernels/adam.wgsl"),
    ]
    .join("\n")
}

/// A normal `f32` as an exact WGSL hexadecimal float literal, so the shader's constant has the
/// very bits of the Rust one (a decimal literal would be rounded by the shader compiler).
fn wgsl_hex_float(x: f32) -> String {
    assert!(
        x.is_normal(),
        "only normal numbers are written as hex floats"
    );
    let bits = x.to_bits();
    let sign = if bits >> 31 == 1 { "-" } else { "" };
    let exponent = ((bits >> 23) & 0xff) as i32 - 127;
    let mantissa = (bits & 0x7f_ffff) << 1;
    format!("{sign}0x1.{mantissa:06x}p{exponent}f")
}

struct Pipelines {
    forward_hidden: wgpu::ComputePipeline,
    train_head: wgpu::ComputePipeline,
    grad_w1: wgpu::ComputePipeline,
    adam: wgpu::ComputePipeline,
    eval_head: wgpu::ComputePipeline,
}

/// Everything one batch's step leaves on the GPU, read back for tests.
#[derive(Debug, Clone, PartialEq)]
pub struct StepTrace {
    /// `[batch][HIDDEN]`, after ReLU.
    pub hidden: Vec<f32>,
    /// `[batch][CLASSES]`.
    pub logits: Vec<f32>,
    /// Sum of the batch's losses, nats.
    pub loss_sum: f32,
    pub correct: u32,
    /// Gradients of the batch-mean loss, flat layout.
    pub grads: Vec<f32>,
    /// Parameters after the Adam step, flat layout.
    pub params: Vec<f32>,
    /// Adam's moments after the step.
    pub adam_m: Vec<f32>,
    pub adam_v: Vec<f32>,
}

/// Trains the MLP on one wgpu adapter, with both datasets resident on the GPU.
pub struct GpuTrainer {
    device: wgpu::Device,
    queue: wgpu::Queue,
    lost: LostSignal,
    adapter_name: String,
    pipelines: Pipelines,
    train_bind_group: wgpu::BindGroup,
    test_bind_group: wgpu::BindGroup,
    steps: wgpu::Buffer,
    step_capacity: usize,
    order: wgpu::Buffer,
    state: wgpu::Buffer,
    activations: wgpu::Buffer,
    summary: wgpu::Buffer,
    summary_readback: wgpu::Buffer,
    config: TrainConfig,
    epoch_order: EpochOrder,
    train_len: usize,
    test_len: usize,
    adam_steps: u64,
}

impl GpuTrainer {
    /// Finds an adapter, creates a device within WebGPU's default limits, uploads both
    /// datasets and the seeded initial weights, and builds every pipeline.
    pub async fn new(
        train: &Dataset,
        test: &Dataset,
        config: TrainConfig,
    ) -> Result<GpuTrainer, GpuError> {
        Self::with_params(train, test, config, &init_params(config.seed)).await
    }

    /// As [`GpuTrainer::new`], starting from the given parameters (flat layout).
    pub async fn with_params(
        train: &Dataset,
        test: &Dataset,
        config: TrainConfig,
        params: &[f32],
    ) -> Result<GpuTrainer, GpuError> {
        validate(&config, train, test, params)?;
        let (device, queue, adapter_name) = request_device().await?;
        let lost = LostSignal::watch(&device);

        let train_images = upload_images(&device, "train_images", train)?;
        let train_labels = upload_labels(&device, "train_labels", train);
        let test_images = upload_images(&device, "test_images", test)?;
        let test_labels = upload_labels(&device, "test_labels", test);
        let order = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("batch_order"),
            size: (train.len().max(1) * 4) as u64,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut initial_state = vec![0.0f32; 4 * layout::LEN];
        initial_state[..layout::LEN].copy_from_slice(params);
        let state = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("params_grads_adam_moments"),
            contents: bytemuck::cast_slice(&initial_state),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST,
        });
        let activations = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("activations"),
            size: (ACTIVATIONS_LEN * 4) as u64,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let summary = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("epoch_summary"),
            size: size_of::<Summary>() as u64,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let summary_readback = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("summary_readback"),
            size: size_of::<Summary>() as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let step_capacity = config.steps_per_epoch(train.len()) + test.len().div_ceil(MAX_BATCH);
        let steps = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("step_settings"),
            size: step_capacity as u64 * STEP_STRIDE,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });

        let errors = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let layout = bind_group_layout(&device);
        let pipelines = create_pipelines(&device, &layout)
            .await
            .map_err(|e| lost.explain(e))?;
        let bind_group = |label, images: &wgpu::Buffer, labels: &wgpu::Buffer| {
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(label),
                layout: &layout,
                entries: &[
                    buffer_entry(0, images),
                    buffer_entry(1, labels),
                    buffer_entry(2, &order),
                    buffer_entry(3, &state),
                    buffer_entry(4, &activations),
                    buffer_entry(5, &summary),
                    wgpu::BindGroupEntry {
                        binding: 6,
                        resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                            buffer: &steps,
                            offset: 0,
                            size: wgpu::BufferSize::new(size_of::<StepUniform>() as u64),
                        }),
                    },
                ],
            })
        };
        let train_bind_group = bind_group("train_bind_group", &train_images, &train_labels);
        let test_bind_group = bind_group("test_bind_group", &test_images, &test_labels);
        if let Some(error) = errors.pop().await {
            return Err(lost.explain(GpuError::Shader(error.to_string())));
        }
        if let Some(reason) = lost.reason() {
            return Err(GpuError::DeviceLost(reason));
        }
        log::info!(
            "GPU trainer ready on '{adapter_name}': {} train and {} test images resident",
            train.len(),
            test.len()
        );

        Ok(GpuTrainer {
            device,
            queue,
            lost,
            adapter_name,
            pipelines,
            train_bind_group,
            test_bind_group,
            steps,
            step_capacity,
            order,
            state,
            activations,
            summary,
            summary_readback,
            config,
            epoch_order: EpochOrder::new(config.seed, train.len()),
            train_len: train.len(),
            test_len: test.len(),
            adam_steps: 0,
        })
    }

    /// The adapter's name as the driver or browser reports it.
    pub fn adapter_name(&self) -> &str {
        &self.adapter_name
    }

    /// Why the device was lost, once it has been (see [`GpuError::DeviceLost`]).
    pub fn lost_reason(&self) -> Option<String> {
        self.lost.reason()
    }

    /// Trains `config.epochs` epochs from where the trainer stands, reporting progress a few
    /// times per epoch and each finished epoch. `should_stop` is checked between chunks of
    /// steps; a stopped run keeps the weights of its last finished step.
    pub async fn run(
        &mut self,
        on_event: &mut dyn FnMut(TrainEvent),
        should_stop: &dyn Fn() -> bool,
    ) -> Result<RunReport, GpuError> {
        let mut report = RunReport {
            device: format!("{} (GPU)", self.adapter_name),
            config: self.config,
            train_samples: self.train_len,
            test_samples: self.test_len,
            epochs: Vec::new(),
            stopped: false,
        };
        let steps_per_epoch = self.config.steps_per_epoch(self.train_len);

        for epoch in 1..=self.config.epochs {
            let order = self.epoch_order.next_epoch();
            self.queue
                .write_buffer(&self.order, 0, bytemuck::cast_slice(&order));
            self.write_epoch_steps(steps_per_epoch);
            let errors = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
            let started = web_time::Instant::now();

            let mut summary = Summary::default();
            let mut step = 0;
            while step < steps_per_epoch {
                let count = STEPS_PER_CHUNK.min(steps_per_epoch - step);
                let mut encoder = self.encoder("train_chunk");
                if step == 0 {
                    encoder.clear_buffer(&self.summary, 0, None);
                }
                self.encode_train_steps(&mut encoder, step, count);
                summary = self.submit_and_read_summary(encoder).await?;
                step += count;
                on_event(TrainEvent::Step(StepProgress {
                    epoch,
                    epochs: self.config.epochs,
                    step,
                    steps_per_epoch,
                    running_loss: summary.loss_sum / summary.samples.max(1) as f32,
                }));
                if should_stop() {
                    report.stopped = true;
                    break;
                }
            }
            let train_time_s = started.elapsed().as_secs_f64();
            if let Some(error) = errors.pop().await {
                return Err(self.lost.explain(GpuError::Execution(error.to_string())));
            }
            if report.stopped {
                break;
            }

            let eval_started = web_time::Instant::now();
            let eval_correct = self.evaluate(steps_per_epoch).await?;
            let samples = summary.samples as usize;
            let epoch_report = EpochReport {
                epoch,
                train_loss: summary.loss_sum / samples.max(1) as f32,
                train_accuracy: summary.correct as f32 / samples.max(1) as f32,
                test_accuracy: eval_correct as f32 / self.test_len.max(1) as f32,
                samples,
                train_time_s,
                eval_time_s: eval_started.elapsed().as_secs_f64(),
                samples_per_s: samples as f64 / train_time_s.max(1e-9),
                gpu_time_s: None,
            };
            log::info!(
                "epoch {epoch}: loss {:.4}, test accuracy {:.4}, {:.0} samples/s",
                epoch_report.train_loss,
                epoch_report.test_accuracy,
                epoch_report.samples_per_s
            );
            on_event(TrainEvent::Epoch(epoch_report));
            report.epochs.push(epoch_report);
        }
        Ok(report)
    }

    /// Runs one training step on the given training-set rows (at most [`MAX_BATCH`]) as Adam
    /// step `adam_steps + 1`, and reads back everything it computed. For tests that compare
    /// the kernels with the CPU reference.
    pub async fn trace_step(&mut self, rows: &[u32]) -> Result<StepTrace, GpuError> {
        if rows.is_empty() || rows.len() > MAX_BATCH {
            return Err(GpuError::Config(format!(
                "a traced batch needs 1 to {MAX_BATCH} rows"
            )));
        }
        if let Some(&bad) = rows.iter().find(|&&row| row as usize >= self.train_len) {
            return Err(GpuError::Config(format!(
                "row {bad} is past the training set"
            )));
        }
        let batch = rows.len();
        self.queue
            .write_buffer(&self.order, 0, bytemuck::cast_slice(rows));
        self.adam_steps += 1;
        let uniform = self.train_uniform(0, batch, self.adam_steps);
        self.queue
            .write_buffer(&self.steps, 0, bytemuck::bytes_of(&uniform));

        let errors = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let mut encoder = self.encoder("trace_step");
        encoder.clear_buffer(&self.summary, 0, None);
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("trace_step"),
                timestamp_writes: None,
            });
            self.encode_one_step(&mut pass, 0, batch);
        }
        let summary = self.submit_and_read_summary(encoder).await?;
        if let Some(error) = errors.pop().await {
            return Err(self.lost.explain(GpuError::Execution(error.to_string())));
        }

        let activations =
            read_f32(&self.device, &self.queue, &self.lost, &self.activations).await?;
        let state = read_f32(&self.device, &self.queue, &self.lost, &self.state).await?;
        let len = layout::LEN;
        Ok(StepTrace {
            hidden: activations[..batch * HIDDEN].to_vec(),
            logits: activations[LOGITS_OFFSET..LOGITS_OFFSET + batch * CLASSES].to_vec(),
            loss_sum: summary.loss_sum,
            correct: summary.correct,
            params: state[..len].to_vec(),
            grads: state[len..2 * len].to_vec(),
            adam_m: state[2 * len..3 * len].to_vec(),
            adam_v: state[3 * len..].to_vec(),
        })
    }

    /// The current parameters, flat layout.
    pub async fn params(&self) -> Result<Vec<f32>, GpuError> {
        let mut state = read_f32(&self.device, &self.queue, &self.lost, &self.state).await?;
        state.truncate(layout::LEN);
        Ok(state)
    }

    fn encoder(&self, label: &str) -> wgpu::CommandEncoder {
        self.device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) })
    }

    fn train_uniform(&self, batch_start: usize, batch: usize, adam_step: u64) -> StepUniform {
        let adam = self.config.adam;
        let (bias_correction1, bias_correction2) = adam.bias_corrections(adam_step);
        StepUniform {
            batch_start: batch_start as u32,
            batch_size: batch as u32,
            gather: 1,
            inv_batch: 1.0 / batch as f32,
            learning_rate: adam.learning_rate,
            beta1: adam.beta1,
            beta2: adam.beta2,
            epsilon: adam.epsilon,
            bias_correction1,
            bias_correction2,
            ..StepUniform::default()
        }
    }

    /// Writes the settings of every training step and evaluation chunk of the next epoch.
    fn write_epoch_steps(&mut self, steps_per_epoch: usize) {
        let batch_size = self.config.batch_size;
        let eval_chunks = self.test_len.div_ceil(MAX_BATCH);
        let mut bytes = vec![0u8; self.step_capacity * STEP_STRIDE as usize];
        let mut put = |slot: usize, uniform: StepUniform| {
            let at = slot * STEP_STRIDE as usize;
            bytes[at..at + size_of::<StepUniform>()].copy_from_slice(bytemuck::bytes_of(&uniform));
        };
        for step in 0..steps_per_epoch {
            let start = step * batch_size;
            let batch = batch_size.min(self.train_len - start);
            let uniform = self.train_uniform(start, batch, self.adam_steps + step as u64 + 1);
            put(step, uniform);
        }
        for chunk in 0..eval_chunks {
            let start = chunk * MAX_BATCH;
            let rows = MAX_BATCH.min(self.test_len - start);
            let uniform = StepUniform {
                batch_start: start as u32,
                batch_size: rows as u32,
                gather: 0,
                inv_batch: 1.0 / rows as f32,
                ..StepUniform::default()
            };
            put(steps_per_epoch + chunk, uniform);
        }
        self.adam_steps += steps_per_epoch as u64;
        self.queue.write_buffer(&self.steps, 0, &bytes);
    }

    fn encode_train_steps(&self, encoder: &mut wgpu::CommandEncoder, first: usize, count: usize) {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("train_steps"),
            timestamp_writes: None,
        });
        for step in first..first + count {
            let start = step * self.config.batch_size;
            let batch = self.config.batch_size.min(self.train_len - start);
            self.encode_one_step(&mut pass, step, batch);
        }
    }

    /// Forward, head (loss and small gradients), dW1, Adam: four dispatches per step.
    fn encode_one_step(&self, pass: &mut wgpu::ComputePass<'_>, slot: usize, batch: usize) {
        let offset = (slot as u64 * STEP_STRIDE) as u32;
        pass.set_bind_group(0, &self.train_bind_group, &[offset]);
        pass.set_pipeline(&self.pipelines.forward_hidden);
        pass.dispatch_workgroups(forward_workgroups(batch), 1, 1);
        pass.set_pipeline(&self.pipelines.train_head);
        pass.dispatch_workgroups(1, 1, 1);
        pass.set_pipeline(&self.pipelines.grad_w1);
        pass.dispatch_workgroups(
            ((WORDS_PER_IMAGE / 2) * (HIDDEN / 4)).div_ceil(64) as u32,
            1,
            1,
        );
        pass.set_pipeline(&self.pipelines.adam);
        pass.dispatch_workgroups(layout::LEN.div_ceil(256) as u32, 1, 1);
    }

    /// Counts the test samples the current weights classify right.
    async fn evaluate(&self, first_slot: usize) -> Result<u32, GpuError> {
        let errors = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let mut encoder = self.encoder("evaluate");
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("evaluate"),
                timestamp_writes: None,
            });
            for chunk in 0..self.test_len.div_ceil(MAX_BATCH) {
                let rows = MAX_BATCH.min(self.test_len - chunk * MAX_BATCH);
                let offset = ((first_slot + chunk) as u64 * STEP_STRIDE) as u32;
                pass.set_bind_group(0, &self.test_bind_group, &[offset]);
                pass.set_pipeline(&self.pipelines.forward_hidden);
                pass.dispatch_workgroups(forward_workgroups(rows), 1, 1);
                pass.set_pipeline(&self.pipelines.eval_head);
                pass.dispatch_workgroups(1, 1, 1);
            }
        }
        let summary = self.submit_and_read_summary(encoder).await?;
        if let Some(error) = errors.pop().await {
            return Err(self.lost.explain(GpuError::Execution(error.to_string())));
        }
        Ok(summary.eval_correct)
    }

    async fn submit_and_read_summary(
        &self,
        mut encoder: wgpu::CommandEncoder,
    ) -> Result<Summary, GpuError> {
        let size = size_of::<Summary>() as u64;
        encoder.copy_buffer_to_buffer(&self.summary, 0, &self.summary_readback, 0, size);
        self.queue.submit([encoder.finish()]);
        let bytes = map_read(&self.device, &self.lost, &self.summary_readback).await?;
        Ok(bytemuck::pod_read_unaligned(&bytes))
    }
}

/// Workgroups of 64 threads for the forward kernel: 32 hidden blocks × ⌈batch / 8⌉.
fn forward_workgroups(batch: usize) -> u32 {
    ((HIDDEN / 4) * batch.div_ceil(8)).div_ceil(64) as u32
}

fn validate(
    config: &TrainConfig,
    train: &Dataset,
    test: &Dataset,
    params: &[f32],
) -> Result<(), GpuError> {
    if config.batch_size == 0 || config.batch_size > MAX_BATCH {
        return Err(GpuError::Config(format!(
            "batch size {} is outside 1 to {MAX_BATCH}",
            config.batch_size
        )));
    }
    if train.is_empty() || test.is_empty() {
        return Err(GpuError::Config(
            "the training and test sets must not be empty".into(),
        ));
    }
    if params.len() != layout::LEN {
        return Err(GpuError::Config(format!(
            "expected {} parameters, got {}",
            layout::LEN,
            params.len()
        )));
    }
    Ok(())
}

async fn request_device() -> Result<(wgpu::Device, wgpu::Queue, String), GpuError> {
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

    let (device, queue) = adapter
        .request_device(&wgpu::DeviceDescriptor {
            label: Some("price-war-lab trainer"),
            required_features: wgpu::Features::empty(),
            required_limits: wgpu::Limits::default(),
            ..Default::default()
        })
        .await
        .map_err(|error| GpuError::DeviceRefused(error.to_string()))?;
    Ok((device, queue, adapter_name))
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

fn bind_group_layout(device: &wgpu::Device) -> wgpu::BindGroupLayout {
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

async fn create_pipelines(
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
    Ok(Pipelines {
        forward_hidden: pipeline("forward_hidden"),
        train_head: pipeline("train_head"),
        grad_w1: pipeline("grad_w1"),
        adam: pipeline("adam"),
        eval_head: pipeline("eval_head"),
    })
}

fn buffer_entry(binding: u32, buffer: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: buffer.as_entire_binding(),
    }
}

fn upload_images(
    device: &wgpu::Device,
    label: &'static str,
    data: &Dataset,
) -> Result<wgpu::Buffer, GpuError> {
    let bytes = data.images();
    let limits = device.limits();
    let limit = limits
        .max_storage_buffer_binding_size
        .min(limits.max_buffer_size);
    if bytes.len() as u64 > limit {
        return Err(GpuError::TooLarge {
            what: label,
            needed_bytes: bytes.len() as u64,
            limit_bytes: limit,
        });
    }
    Ok(
        device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(label),
            contents: bytes,
            usage: wgpu::BufferUsages::STORAGE,
        }),
    )
}

fn upload_labels(device: &wgpu::Device, label: &'static str, data: &Dataset) -> wgpu::Buffer {
    let words: Vec<u32> = data.labels().iter().map(|&l| u32::from(l)).collect();
    device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some(label),
        contents: bytemuck::cast_slice(&words),
        usage: wgpu::BufferUsages::STORAGE,
    })
}

/// Copies a whole storage buffer into a fresh mappable one and reads it as `f32`s.
async fn read_f32(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    lost: &LostSignal,
    source: &wgpu::Buffer,
) -> Result<Vec<f32>, GpuError> {
    let staging = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback"),
        size: source.size(),
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
        label: Some("readback"),
    });
    encoder.copy_buffer_to_buffer(source, 0, &staging, 0, source.size());
    queue.submit([encoder.finish()]);
    let bytes = map_read(device, lost, &staging).await?;
    Ok(bytemuck::pod_collect_to_vec(&bytes))
}

/// Maps a `MAP_READ` buffer, copies its bytes out and unmaps it. Natively this blocks on the
/// device; in the browser it yields to the event loop until the GPU is done. A lost device
/// ends the wait with [`GpuError::DeviceLost`].
async fn map_read(
    device: &wgpu::Device,
    lost: &LostSignal,
    buffer: &wgpu::Buffer,
) -> Result<Vec<u8>, GpuError> {
    if let Some(reason) = lost.reason() {
        return Err(GpuError::DeviceLost(reason));
    }
    let (sender, mut receiver) = futures_channel::oneshot::channel();
    buffer.map_async(wgpu::MapMode::Read, .., move |result| {
        let _ = sender.send(result);
    });
    #[cfg(not(target_arch = "wasm32"))]
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|error| lost.explain(GpuError::Readback(error.to_string())))?;
    #[cfg(target_arch = "wasm32")]
    let _ = device;
    // Whichever comes first: the map's answer, or the device-lost callback.
    let mapped = std::future::poll_fn(|cx| {
        if let Poll::Ready(result) = Pin::new(&mut receiver).poll(cx) {
            return Poll::Ready(Ok(result));
        }
        lost.poll_lost(cx).map(Err)
    })
    .await;
    let failure = match mapped {
        Err(reason) => return Err(GpuError::DeviceLost(reason)),
        Ok(Ok(Ok(()))) => None,
        Ok(Err(_canceled)) => Some("the map was dropped before it finished".to_owned()),
        Ok(Ok(Err(error))) => Some(error.to_string()),
    };
    if let Some(failure) = failure {
        // Browsers reject a pending map before they settle `device.lost`: give the lost
        // callback a few turns of the event loop, so a lost device is reported as such.
        for _ in 0..LOST_GRACE_TURNS {
            if lost.reason().is_some() {
                break;
            }
            super::yield_now().await;
        }
        return Err(lost.explain(GpuError::Readback(failure)));
    }
    let bytes = buffer
        .get_mapped_range(..)
        .map_err(|error| GpuError::Readback(error.to_string()))?
        .to_vec();
    buffer.unmap();
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixel_scale_is_written_exactly() {
        // 1/255 as f32 is 0x3B808081: mantissa 0x008081, exponent −8.
        assert_eq!(wgsl_hex_float(PIXEL_SCALE), "0x1.010102p-8f");
        assert_eq!(wgsl_hex_float(-1.5), "-0x1.800000p0f");
    }

    /// A device destroyed under a trainer (as a driver reset or a crashed GPU process would
    /// lose it) ends the run with `DeviceLost`, naming the reason, rather than a generic
    /// readback error or a wait that never ends. Runs on this machine's adapter (lavapipe).
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn a_lost_device_ends_the_run_with_device_lost() {
        let images: Vec<u8> = (0..8 * INPUTS).map(|i| (i % 251) as u8).collect();
        let labels: Vec<u8> = (0..8).map(|i| i as u8 % 10).collect();
        let data = Dataset::new(images, labels).expect("a valid tiny dataset");
        let config = TrainConfig {
            epochs: 1,
            batch_size: 4,
            ..TrainConfig::default()
        };
        let mut trainer = pollster::block_on(GpuTrainer::new(&data, &data, config))
            .unwrap_or_else(|e| panic!("no usable GPU adapter ({e}); see scripts/setup.sh"));
        assert_eq!(trainer.lost_reason(), None);
        trainer.device.destroy();
        let result = pollster::block_on(trainer.run(&mut |_| {}, &|| false));
        match result {
            Err(GpuError::DeviceLost(reason)) => assert!(!reason.is_empty()),
            other => panic!("expected DeviceLost, got {other:?}"),
        }
        assert!(trainer.lost_reason().is_some());
    }

    #[cfg(not(target_arch = "wasm32"))]
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
