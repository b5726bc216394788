//! The GPU trainer: the MLP's forward pass, loss, backward pass and Adam as WGSL compute
//! shaders, driven through wgpu on any adapter (WebGPU in the browser; Vulkan, Metal or DX12
//! natively).
//!
//! Both datasets are uploaded once as bytes and stay on the GPU; each epoch uploads only its
//! shuffled order and its per-step settings. Steps are encoded many to a command buffer, and
//! nothing is read back inside an epoch but a 16-byte running summary per chunk of steps (and,
//! where the adapter has timestamp queries, the chunk's start and end on the GPU's clock).

mod limits;
mod profile;
mod readback;
mod setup;

use super::{
    Checkpoint, EpochOrder, EpochReport, RunReport, StepProgress, TrainConfig, TrainEvent,
};
use crate::mnist::Dataset;
use crate::model::reference::AdamState;
use crate::model::{Adam, CLASSES, HIDDEN, INPUTS, layout};
pub use limits::{BufferPlan, BufferSpec, KERNELS, KernelShape, RunNeeds, Shortfall};
pub use profile::KernelPlan;
use readback::{LostSignal, map_read, read_f32, wait_for_queue};
use setup::{
    GpuDevice, Pipelines, bind_group_layout, buffer_entry, create_pipelines, label_words,
    request_device,
};
pub use setup::{SHADER_MODULE_LABEL, shader_source};

// Largest batch the kernels' buffers and workgroup memory are sized for; also the number of
/// test samples evaluated per dispatch.
pub const MAX_BATCH: usize = 256;
/// Steps encoded into one command buffer between two progress reports.
const STEPS_PER_CHUNK: usize = 16;
/// Stride of the per-step settings in the uniform buffer: WebGPU's default (and largest)
/// `minUniformBufferOffsetAlignment`.
pub(super) const STEP_STRIDE: u64 = 256;
/// Words (four pixel bytes each) per 28 × 28 image.
pub(super) const WORDS_PER_IMAGE: usize = INPUTS / 4;

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
    /// The run needs more than the adapter's limits allow; found before anything was created.
    #[error("this GPU's limits are too small for this run: {}", join_shortfalls(.0))]
    DoesNotFit(Vec<Shortfall>),
    /// Creating the run's buffers ran out of GPU memory (caught with an error scope).
    #[error(
        "the GPU ran out of memory creating the training buffers ({:.1} MB in all): close other \
         tabs or programs that use the GPU, or train on the CPU",
        *total_bytes as f64 / 1e6
    )]
    OutOfMemory { total_bytes: u64 },
    #[error("invalid training settings: {0}")]
    Config(String),
}

fn join_shortfalls(short: &[Shortfall]) -> String {
    short
        .iter()
        .map(Shortfall::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The per-step settings, as the kernels' `Step` struct (see `kernels/common.wgsl`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, bytemuck::Pod, bytemuck::Zeroable)]
pub(super) struct StepUniform {
    batch_start: u32,
    batch_size: u32,
    _pad0: [u32; 2],
    inv_batch: f32,
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    bias_correction1: f32,
    bias_correction2: f32,
    _pad1: f32,
}

impl StepUniform {
    /// The settings of a training step on `batch` rows from `batch_start` on, as Adam step
    /// `adam_step` (counted from 1).
    fn training(adam: &Adam, batch_start: usize, batch: usize, adam_step: u64) -> StepUniform {
        let (bias_correction1, bias_correction2) = adam.bias_corrections(adam_step);
        StepUniform {
            batch_start: batch_start as u32,
            batch_size: batch as u32,
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
}

/// The epoch's running figures, as the kernels' `Summary` struct.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub(super) struct Summary {
    loss_sum: f32,
    correct: u32,
    eval_correct: u32,
    samples: u32,
}

/// Bytes of a chunk's readback: the [`Summary`], then the chunk's two GPU timestamps (`u64`).
pub(super) const CHUNK_READBACK_BYTES: u64 = size_of::<Summary>() as u64 + TIMESTAMPS_BYTES;
/// Two resolved timestamp queries: the start and the end of a chunk's compute pass.
const TIMESTAMPS_BYTES: u64 = 2 * size_of::<u64>() as u64;

/// Offsets into the activations buffer, in `f32`s.
pub(super) const LOGITS_OFFSET: usize = MAX_BATCH * HIDDEN;
pub(super) const GRAD_HIDDEN_OFFSET: usize = LOGITS_OFFSET + MAX_BATCH * CLASSES;
pub(super) const GRAD_LOGITS_OFFSET: usize = GRAD_HIDDEN_OFFSET + MAX_BATCH * HIDDEN;
pub(super) const ACTIVATIONS_LEN: usize = GRAD_LOGITS_OFFSET + MAX_BATCH * CLASSES;

/// How a step computes the small end of the network (logits, loss, dz, dW2, db2, dhidden).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadVariant {
    /// One dispatch of one workgroup that sees the whole batch (`train_head`): no global
    /// round trips, but one core does it all.
    SingleWorkgroup,
    /// Three dispatches spread over many workgroups (`head_logits`, `head_softmax`,
    /// `head_grads`): the default, see [`HeadVariant::DEFAULT`].
    Parallel,
}

impl HeadVariant {
    /// Every variant, for tests that compare each with the reference.
    pub const ALL: [HeadVariant; 2] = [HeadVariant::SingleWorkgroup, HeadVariant::Parallel];

    /// The variant every adapter gets unless told otherwise. With the other kernels made
    /// leaner, the parallel head measured 15% faster on SwiftShader (7,937 against 6,922
    /// samples/s over a whole run) and within run-to-run noise of the single workgroup on
    /// lavapipe (docs/BENCHMARKS.md); on hardware GPUs, which leave all but one core idle
    /// during the single workgroup, it is reasoned to win by more, but not yet measured.
    pub const DEFAULT: HeadVariant = HeadVariant::Parallel;
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

/// Times each chunk of training steps on the GPU's own clock: a timestamp at the start and
/// the end of the chunk's compute pass, resolved once per chunk and read back with its summary.
struct ChunkTimer {
    queries: wgpu::QuerySet,
    resolved: wgpu::Buffer,
    /// Nanoseconds per timestamp tick.
    period_ns: f64,
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
    /// A second summary copy, so one chunk can run while the previous one is read.
    chunk_readback: wgpu::Buffer,
    /// Both datasets' images and labels and the test order, held here so that dropping the
    /// trainer frees them.
    dataset_buffers: [wgpu::Buffer; 5],
    /// Where each epoch's end copies the weights and Adam moments, for [`Checkpoint`]s.
    checkpoint_readback: wgpu::Buffer,
    /// `None` where the adapter has no timestamp queries.
    timer: Option<ChunkTimer>,
    head: HeadVariant,
    config: TrainConfig,
    epoch_order: EpochOrder,
    train_len: usize,
    test_len: usize,
    adam_steps: u64,
    /// The state after the last finished epoch (or the start), to continue from elsewhere.
    checkpoint: Checkpoint,
}

impl GpuTrainer {
    /// Finds an adapter, checks that the run fits its limits, creates a device, uploads both
    /// datasets and the seeded initial weights, and builds every pipeline.
    pub async fn new(
        train: &Dataset,
        test: &Dataset,
        config: TrainConfig,
    ) -> Result<GpuTrainer, GpuError> {
        Self::resume(train, test, config, Checkpoint::start(&config)).await
    }

    /// As [`GpuTrainer::new`], starting from the given parameters (flat layout) with fresh
    /// Adam moments.
    pub async fn with_params(
        train: &Dataset,
        test: &Dataset,
        config: TrainConfig,
        params: &[f32],
    ) -> Result<GpuTrainer, GpuError> {
        Self::resume(
            train,
            test,
            config,
            Checkpoint::from_params(params.to_vec()),
        )
        .await
    }

    /// As [`GpuTrainer::new`], continuing a run from `checkpoint` (taken on this or any other
    /// trainer): its next epoch is `checkpoint.next_epoch()`, with the batch order, weights and
    /// Adam state the run would have had there.
    ///
    /// What the run needs (buffer sizes, bindings, workgroups) is checked against the
    /// adapter's limits before a device is made ([`GpuError::DoesNotFit`]), and running out of
    /// GPU memory while creating the buffers is caught ([`GpuError::OutOfMemory`]), so neither
    /// raises an uncaptured error.
    pub async fn resume(
        train: &Dataset,
        test: &Dataset,
        config: TrainConfig,
        checkpoint: Checkpoint,
    ) -> Result<GpuTrainer, GpuError> {
        validate(&config, train, test, &checkpoint)?;
        let needs = RunNeeds::new(train.len(), test.len(), config.batch_size);
        let GpuDevice {
            device,
            queue,
            adapter_name,
            timestamps,
        } = request_device(&needs).await?;
        let lost = LostSignal::watch(&device);

        // Every buffer first, inside error scopes, so that running out of memory is an answer
        // rather than an uncaptured error; the data goes in only once they all exist.
        let plan = &needs.buffers;
        let invalid = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let out_of_memory = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let train_images = plan.train_images.create(&device);
        let train_labels = plan.train_labels.create(&device);
        let test_images = plan.test_images.create(&device);
        let test_labels = plan.test_labels.create(&device);
        let order = plan.order.create(&device);
        let test_order = plan.test_order.create(&device);
        let state = plan.state.create(&device);
        let activations = plan.activations.create(&device);
        let summary = plan.summary.create(&device);
        let summary_readback = plan.summary_readback.create(&device);
        let chunk_readback = plan.chunk_readback.create(&device);
        let steps = plan.steps.create(&device);
        let checkpoint_readback = plan.checkpoint_readback.create(&device);
        let out_of_memory = out_of_memory.pop().await;
        let invalid = invalid.pop().await;
        if let Some(error) = out_of_memory {
            log::warn!("creating the buffers: {error}");
            device.destroy();
            return Err(lost.explain(GpuError::OutOfMemory {
                total_bytes: plan.total_bytes(),
            }));
        }
        if let Some(error) = invalid {
            device.destroy();
            return Err(lost.explain(GpuError::Execution(error.to_string())));
        }

        queue.write_buffer(&train_images, 0, train.images());
        queue.write_buffer(&train_labels, 0, bytemuck::cast_slice(&label_words(train)));
        queue.write_buffer(&test_images, 0, test.images());
        queue.write_buffer(&test_labels, 0, bytemuck::cast_slice(&label_words(test)));
        let test_rows: Vec<u32> = (0..test.len() as u32).collect();
        queue.write_buffer(&test_order, 0, bytemuck::cast_slice(&test_rows));
        let len = layout::LEN;
        let mut initial_state = vec![0.0f32; 4 * len];
        initial_state[..len].copy_from_slice(&checkpoint.params);
        initial_state[2 * len..3 * len].copy_from_slice(&checkpoint.adam.m);
        initial_state[3 * len..].copy_from_slice(&checkpoint.adam.v);
        queue.write_buffer(&state, 0, bytemuck::cast_slice(&initial_state));
        drop(initial_state);
        let step_capacity = (plan.steps.bytes / STEP_STRIDE) as usize;

        let timer = timestamps.then(|| ChunkTimer {
            queries: device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("chunk_timestamps"),
                ty: wgpu::QueryType::Timestamp,
                count: 2,
            }),
            resolved: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("chunk_timestamps_resolved"),
                size: TIMESTAMPS_BYTES,
                usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            }),
            period_ns: f64::from(queue.get_timestamp_period()),
        });

        let errors = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let layout = bind_group_layout(&device);
        let pipelines = match create_pipelines(&device, &layout).await {
            Ok(pipelines) => pipelines,
            Err(error) => {
                drop(errors);
                device.destroy();
                return Err(lost.explain(error));
            }
        };
        let bind_group = |label, images: &wgpu::Buffer, labels: &wgpu::Buffer, order| {
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(label),
                layout: &layout,
                entries: &[
                    buffer_entry(0, images),
                    buffer_entry(1, labels),
                    buffer_entry(2, order),
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
        let train_bind_group = bind_group("train_bind_group", &train_images, &train_labels, &order);
        let test_bind_group =
            bind_group("test_bind_group", &test_images, &test_labels, &test_order);
        if let Some(error) = errors.pop().await {
            device.destroy();
            return Err(lost.explain(GpuError::Shader(error.to_string())));
        }
        if let Some(reason) = lost.reason() {
            return Err(GpuError::DeviceLost(reason));
        }
        // wgpu 30 has no asynchronous pipeline creation (on the web it calls the synchronous
        // `createComputePipeline`; `createComputePipelineAsync` is not reachable through it), so
        // the pipelines are created once, here, and the browser may still be compiling them
        // after the call returns. Waiting for the queue to drain makes that work (and the
        // uploads) finish before the first timed step.
        wait_for_queue(&device, &queue, &lost).await?;
        log::info!(
            "GPU trainer ready on '{adapter_name}': {} train and {} test images resident, \
             {:.1} MB of buffers, head {:?}, starting at epoch {}",
            train.len(),
            test.len(),
            plan.total_bytes() as f64 / 1e6,
            HeadVariant::DEFAULT,
            checkpoint.next_epoch()
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
            chunk_readback,
            checkpoint_readback,
            dataset_buffers: [
                train_images,
                train_labels,
                test_images,
                test_labels,
                test_order,
            ],
            timer,
            head: HeadVariant::DEFAULT,
            config,
            epoch_order: EpochOrder::after(config.seed, train.len(), checkpoint.epochs_done),
            train_len: train.len(),
            test_len: test.len(),
            adam_steps: checkpoint.adam.step,
            checkpoint,
        })
    }

    /// The adapter's name as the driver or browser reports it.
    pub fn adapter_name(&self) -> &str {
        &self.adapter_name
    }

    /// How steps compute the network's small end.
    pub fn head_variant(&self) -> HeadVariant {
        self.head
    }

    /// Uses `head` for the steps from now on (tests run each variant; the default suits the
    /// adapter).
    pub fn set_head_variant(&mut self, head: HeadVariant) {
        self.head = head;
    }

    /// True when the adapter has timestamp queries, so epochs report their GPU time.
    pub fn has_gpu_timer(&self) -> bool {
        self.timer.is_some()
    }

    /// Why the device was lost, once it has been (see [`GpuError::DeviceLost`]).
    pub fn lost_reason(&self) -> Option<String> {
        self.lost.reason()
    }

    /// The state after the last finished epoch, or the starting point before the first: read
    /// back at the end of every epoch, so it survives the device being lost.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// Trains from the checkpoint's next epoch to `config.epochs`, reporting progress a few
    /// times per epoch and each finished epoch, after which it reads the weights and Adam
    /// moments back into [`GpuTrainer::checkpoint`]. `should_stop` is checked between chunks of
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

        for epoch in self.checkpoint.next_epoch()..=self.config.epochs {
            let order = self.epoch_order.next_epoch();
            self.queue
                .write_buffer(&self.order, 0, bytemuck::cast_slice(&order));
            self.write_epoch_steps(steps_per_epoch);
            let errors = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
            let started = web_time::Instant::now();

            // Chunk k+1 is submitted before chunk k's summary is read, so the GPU keeps
            // working while the page handles a progress report.
            let chunks: Vec<(usize, usize)> = (0..steps_per_epoch)
                .step_by(STEPS_PER_CHUNK)
                .map(|first| (first, STEPS_PER_CHUNK.min(steps_per_epoch - first)))
                .collect();
            let mut summary = Summary::default();
            // Sum of the chunks' GPU times, ns; `None` once a chunk gave no usable time.
            let mut gpu_time_ns = self.timer.as_ref().map(|_| 0.0);
            self.submit_chunk(chunks[0], self.chunk_buffer(0));
            for (index, &(first, count)) in chunks.iter().enumerate() {
                if let Some(&next) = chunks.get(index + 1) {
                    self.submit_chunk(next, self.chunk_buffer(index + 1));
                }
                let chunk = self.read_chunk(self.chunk_buffer(index)).await?;
                summary = chunk.summary;
                gpu_time_ns = gpu_time_ns
                    .zip(self.chunk_gpu_time_ns(&chunk))
                    .map(|(a, b)| a + b);
                on_event(TrainEvent::Step(StepProgress {
                    epoch,
                    epochs: self.config.epochs,
                    step: first + count,
                    steps_per_epoch,
                    running_loss: summary.loss_sum / summary.samples.max(1) as f32,
                }));
                if should_stop() {
                    // The chunk already submitted after this one still runs: its steps are
                    // whole, so the weights stay consistent.
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
            self.checkpoint = self.read_checkpoint(epoch).await?;
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
                gpu_time_s: gpu_time_ns.map(|ns| ns * 1e-9),
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

        let activations = read_f32(
            &self.device,
            &self.queue,
            &self.lost,
            &self.activations,
            None,
        )
        .await?;
        let state = read_f32(&self.device, &self.queue, &self.lost, &self.state, None).await?;
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

    /// The current parameters, flat layout. After a finished epoch with no step since, they are
    /// the checkpoint's, already read back; otherwise (a run stopped mid-epoch, a traced step)
    /// only the parameters are read back, into a vector of exactly their length (a page that
    /// keeps them holds no more than it needs).
    pub async fn params(&self) -> Result<Vec<f32>, GpuError> {
        if self.adam_steps == self.checkpoint.adam.step {
            return Ok(self.checkpoint.params.clone());
        }
        let floats = Some(layout::LEN);
        read_f32(&self.device, &self.queue, &self.lost, &self.state, floats).await
    }

    /// Copies the weights and Adam moments out after epoch `epochs_done`: one copy and one
    /// read of `3 × layout::LEN` floats per epoch, never inside one.
    async fn read_checkpoint(&self, epochs_done: usize) -> Result<Checkpoint, GpuError> {
        let len = (layout::LEN * 4) as u64;
        let mut encoder = self.encoder("checkpoint");
        encoder.copy_buffer_to_buffer(&self.state, 0, &self.checkpoint_readback, 0, len);
        encoder.copy_buffer_to_buffer(
            &self.state,
            2 * len,
            &self.checkpoint_readback,
            len,
            2 * len,
        );
        self.queue.submit([encoder.finish()]);
        let bytes = map_read(&self.device, &self.lost, &self.checkpoint_readback).await?;
        let floats: Vec<f32> = bytemuck::pod_collect_to_vec(&bytes);
        let (params, moments) = floats.split_at(layout::LEN);
        let (m, v) = moments.split_at(layout::LEN);
        Ok(Checkpoint {
            epochs_done,
            params: params.to_vec(),
            adam: AdamState {
                m: m.to_vec(),
                v: v.to_vec(),
                step: self.adam_steps,
            },
        })
    }

    fn encoder(&self, label: &str) -> wgpu::CommandEncoder {
        self.device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) })
    }

    fn train_uniform(&self, batch_start: usize, batch: usize, adam_step: u64) -> StepUniform {
        StepUniform::training(&self.config.adam, batch_start, batch, adam_step)
    }

    /// Writes the settings of every training step and evaluation chunk of the next epoch.
    fn write_epoch_steps(&mut self, steps_per_epoch: usize) {
        let eval_chunks = self.test_len.div_ceil(MAX_BATCH);
        let mut bytes = vec![0u8; self.step_capacity * STEP_STRIDE as usize];
        let mut put = |slot: usize, uniform: StepUniform| {
            let at = slot * STEP_STRIDE as usize;
            bytes[at..at + size_of::<StepUniform>()].copy_from_slice(bytemuck::bytes_of(&uniform));
        };
        for step in 0..steps_per_epoch {
            let (start, batch) = self.batch_of(step);
            let uniform = self.train_uniform(start, batch, self.adam_steps + step as u64 + 1);
            put(step, uniform);
        }
        for chunk in 0..eval_chunks {
            let start = chunk * MAX_BATCH;
            let rows = MAX_BATCH.min(self.test_len - start);
            let uniform = StepUniform {
                batch_start: start as u32,
                batch_size: rows as u32,
                inv_batch: 1.0 / rows as f32,
                ..StepUniform::default()
            };
            put(steps_per_epoch + chunk, uniform);
        }
        self.adam_steps += steps_per_epoch as u64;
        self.queue.write_buffer(&self.steps, 0, &bytes);
    }

    fn encode_train_steps(&self, encoder: &mut wgpu::CommandEncoder, first: usize, count: usize) {
        let timestamp_writes = self
            .timer
            .as_ref()
            .map(|timer| wgpu::ComputePassTimestampWrites {
                query_set: &timer.queries,
                beginning_of_pass_write_index: Some(0),
                end_of_pass_write_index: Some(1),
            });
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("train_steps"),
            timestamp_writes,
        });
        for step in first..first + count {
            let (_, batch) = self.batch_of(step);
            self.encode_one_step(&mut pass, step, batch);
        }
    }

    /// One training step's dispatches (see [`train_step_dispatches`]).
    fn encode_one_step(&self, pass: &mut wgpu::ComputePass<'_>, slot: usize, batch: usize) {
        let offset = (slot as u64 * STEP_STRIDE) as u32;
        pass.set_bind_group(0, &self.train_bind_group, &[offset]);
        for dispatch in train_step_dispatches(self.head, batch) {
            pass.set_pipeline(self.pipelines.of(dispatch.kernel));
            pass.dispatch_workgroups(dispatch.workgroups, 1, 1);
        }
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
                pass.set_pipeline(self.pipelines.of(Kernel::ForwardHidden));
                pass.dispatch_workgroups(forward_workgroups(rows), 1, 1);
                pass.set_pipeline(self.pipelines.of(Kernel::EvalHead));
                pass.dispatch_workgroups(1, 1, 1);
            }
        }
        let summary = self.submit_and_read_summary(encoder).await?;
        if let Some(error) = errors.pop().await {
            return Err(self.lost.explain(GpuError::Execution(error.to_string())));
        }
        Ok(summary.eval_correct)
    }

    /// First position in the epoch's order and number of rows of training step `step`; the
    /// last batch of an epoch may be short.
    fn batch_of(&self, step: usize) -> (usize, usize) {
        let start = step * self.config.batch_size;
        (start, self.config.batch_size.min(self.train_len - start))
    }

    /// One of the two buffers that chunks copy their running summary into, by chunk index.
    fn chunk_buffer(&self, index: usize) -> &wgpu::Buffer {
        if index.is_multiple_of(2) {
            &self.summary_readback
        } else {
            &self.chunk_readback
        }
    }

    /// Encodes and submits the training steps `first..first + count`, then a copy of the
    /// running summary into `readback`. The epoch's first chunk clears the summary.
    fn submit_chunk(&self, (first, count): (usize, usize), readback: &wgpu::Buffer) {
        let mut encoder = self.encoder("train_chunk");
        if first == 0 {
            encoder.clear_buffer(&self.summary, 0, None);
        }
        self.encode_train_steps(&mut encoder, first, count);
        if let Some(timer) = &self.timer {
            // Queue order keeps this chunk's resolve and copy before the next chunk's writes.
            encoder.resolve_query_set(&timer.queries, 0..2, &timer.resolved, 0);
            let at = size_of::<Summary>() as u64;
            encoder.copy_buffer_to_buffer(&timer.resolved, 0, readback, at, TIMESTAMPS_BYTES);
        }
        self.submit_with_summary(encoder, readback);
    }

    /// Submits `encoder`'s work followed by a copy of the running summary into `readback`.
    fn submit_with_summary(&self, mut encoder: wgpu::CommandEncoder, readback: &wgpu::Buffer) {
        let size = size_of::<Summary>() as u64;
        encoder.copy_buffer_to_buffer(&self.summary, 0, readback, 0, size);
        self.queue.submit([encoder.finish()]);
    }

    /// Waits for the summary copied into `readback` and reads it.
    async fn read_summary(&self, readback: &wgpu::Buffer) -> Result<Summary, GpuError> {
        Ok(self.read_chunk(readback).await?.summary)
    }

    /// Waits for a chunk's readback and reads its summary and timestamps (zero when the chunk
    /// wrote none).
    async fn read_chunk(&self, readback: &wgpu::Buffer) -> Result<ChunkReadback, GpuError> {
        let bytes = map_read(&self.device, &self.lost, readback).await?;
        let summary_bytes = size_of::<Summary>();
        let ticks: [u64; 2] = bytemuck::pod_read_unaligned(&bytes[summary_bytes..]);
        Ok(ChunkReadback {
            summary: bytemuck::pod_read_unaligned(&bytes[..summary_bytes]),
            start_ticks: ticks[0],
            end_ticks: ticks[1],
        })
    }

    /// A chunk's GPU time in nanoseconds, or `None` when there is no timer or its timestamps
    /// run backwards (some drivers reset or reorder them; such a time would be a lie).
    fn chunk_gpu_time_ns(&self, chunk: &ChunkReadback) -> Option<f64> {
        let timer = self.timer.as_ref()?;
        if chunk.end_ticks < chunk.start_ticks {
            log::warn!(
                "GPU timestamps ran backwards ({} then {}): no GPU time for this epoch",
                chunk.start_ticks,
                chunk.end_ticks
            );
            return None;
        }
        Some((chunk.end_ticks - chunk.start_ticks) as f64 * timer.period_ns)
    }

    async fn submit_and_read_summary(
        &self,
        encoder: wgpu::CommandEncoder,
    ) -> Result<Summary, GpuError> {
        self.submit_with_summary(encoder, &self.summary_readback);
        self.read_summary(&self.summary_readback).await
    }
}

/// What one chunk's readback holds.
struct ChunkReadback {
    summary: Summary,
    /// The chunk's compute pass began and ended at these GPU clock ticks.
    start_ticks: u64,
    end_ticks: u64,
}

/// A kernel entry point of the trainer's shader module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kernel {
    ForwardHidden,
    TrainHead,
    HeadLogits,
    HeadSoftmax,
    HeadGrads,
    GradW1,
    Adam,
    EvalHead,
}

impl Kernel {
    /// Every kernel, in declaration order (`Kernel::ALL[k as usize] == k`).
    pub const ALL: [Kernel; 8] = [
        Kernel::ForwardHidden,
        Kernel::TrainHead,
        Kernel::HeadLogits,
        Kernel::HeadSoftmax,
        Kernel::HeadGrads,
        Kernel::GradW1,
        Kernel::Adam,
        Kernel::EvalHead,
    ];

    pub fn entry_point(self) -> &'static str {
        match self {
            Kernel::ForwardHidden => "forward_hidden",
            Kernel::TrainHead => "train_head",
            Kernel::HeadLogits => "head_logits",
            Kernel::HeadSoftmax => "head_softmax",
            Kernel::HeadGrads => "head_grads",
            Kernel::GradW1 => "grad_w1",
            Kernel::Adam => "adam",
            Kernel::EvalHead => "eval_head",
        }
    }
}

/// One dispatch of a training step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dispatch {
    pub kernel: Kernel,
    pub workgroups: u32,
}

/// A training step on `batch` samples, dispatch by dispatch, exactly as the trainer encodes
/// it: forward, the head (loss and the small gradients), dW1, Adam. `train --kernels` prints
/// it for the per-kernel benchmark (`bench/kernels.mjs`).
pub fn train_step_dispatches(head: HeadVariant, batch: usize) -> Vec<Dispatch> {
    let dispatch = |kernel, workgroups| Dispatch { kernel, workgroups };
    let mut step = vec![dispatch(Kernel::ForwardHidden, forward_workgroups(batch))];
    match head {
        HeadVariant::SingleWorkgroup => step.push(dispatch(Kernel::TrainHead, 1)),
        HeadVariant::Parallel => step.extend([
            dispatch(Kernel::HeadLogits, head_logits_workgroups(batch)),
            dispatch(Kernel::HeadSoftmax, 1),
            dispatch(Kernel::HeadGrads, head_grads_workgroups(batch)),
        ]),
    }
    step.extend([
        dispatch(Kernel::GradW1, grad_w1_workgroups()),
        dispatch(Kernel::Adam, adam_workgroups()),
    ]);
    step
}

/// Workgroups of 64 threads for the forward kernel: 32 hidden blocks × ⌈batch / 8⌉.
fn forward_workgroups(batch: usize) -> u32 {
    ((HIDDEN / 4) * batch.div_ceil(8)).div_ceil(64) as u32
}

/// Workgroups of 64 threads for the parallel head's logits: one thread per (sample, class).
fn head_logits_workgroups(batch: usize) -> u32 {
    (batch * CLASSES).div_ceil(64) as u32
}

/// Threads of the parallel head's gradients that compute dW2 and db2, one row each (HIDDEN
/// rows of W2, then b2), rounded up to whole workgroups of 64; the dhidden threads follow.
pub(super) const HEAD_GRADS_W2_THREADS: usize = (HIDDEN + 1).div_ceil(64) * 64;

/// Workgroups of 64 threads for the parallel head's gradients: [`HEAD_GRADS_W2_THREADS`],
/// then one thread per output of dhidden.
fn head_grads_workgroups(batch: usize) -> u32 {
    (HEAD_GRADS_W2_THREADS + batch * HIDDEN).div_ceil(64) as u32
}

/// Workgroups of 64 threads for dW1: one thread per 4 pixel words × 8 hidden units.
fn grad_w1_workgroups() -> u32 {
    ((WORDS_PER_IMAGE / 4) * (HIDDEN / 8)).div_ceil(64) as u32
}

/// Workgroups of 64 threads for Adam: one thread per four parameters.
fn adam_workgroups() -> u32 {
    layout::LEN.div_ceil(4).div_ceil(64) as u32
}

/// A trainer's device is released when the trainer goes: in the browser, wgpu leaves buffers
/// and devices to the garbage collector, which may keep tens of megabytes of GPU memory per
/// run alive long after it ended.
impl Drop for GpuTrainer {
    fn drop(&mut self) {
        for buffer in [
            &self.order,
            &self.state,
            &self.activations,
            &self.summary,
            &self.summary_readback,
            &self.chunk_readback,
            &self.steps,
            &self.checkpoint_readback,
        ]
        .into_iter()
        .chain(&self.dataset_buffers)
        {
            buffer.destroy();
        }
        if let Some(timer) = &self.timer {
            timer.resolved.destroy();
            timer.queries.destroy();
        }
        self.device.destroy();
    }
}

/// The kernels run batches of 1 to [`MAX_BATCH`] samples.
fn check_batch_size(batch_size: usize) -> Result<(), GpuError> {
    if batch_size == 0 || batch_size > MAX_BATCH {
        return Err(GpuError::Config(format!(
            "batch size {batch_size} is outside 1 to {MAX_BATCH}"
        )));
    }
    Ok(())
}

fn validate(
    config: &TrainConfig,
    train: &Dataset,
    test: &Dataset,
    checkpoint: &Checkpoint,
) -> Result<(), GpuError> {
    check_batch_size(config.batch_size)?;
    if train.is_empty() || test.is_empty() {
        return Err(GpuError::Config(
            "the training and test sets must not be empty".into(),
        ));
    }
    checkpoint.check().map_err(GpuError::Config)
}

// Native only: it destroys a real device of this machine.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn every_kernel_is_declared_and_every_step_dispatches_declared_kernels() {
        for (index, kernel) in Kernel::ALL.into_iter().enumerate() {
            assert_eq!(kernel as usize, index, "{kernel:?}");
        }
        let mut declared: Vec<Kernel> = KERNELS.iter().map(|k| k.kernel).collect();
        declared.sort_unstable();
        assert_eq!(declared, Kernel::ALL);
        for head in HeadVariant::ALL {
            let step = train_step_dispatches(head, 64);
            assert_eq!(step.first().map(|d| d.kernel), Some(Kernel::ForwardHidden));
            assert_eq!(step.last().map(|d| d.kernel), Some(Kernel::Adam));
            assert!(step.iter().all(|d| d.workgroups > 0));
        }
    }

    /// A device destroyed under a trainer (as a driver reset or a crashed GPU process would
    /// lose it) ends the run with `DeviceLost`, naming the reason, rather than a generic
    /// readback error or a wait that never ends. Runs on this machine's adapter (lavapipe).
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
}
