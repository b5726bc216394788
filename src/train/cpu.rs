//! The CPU trainer: the plain-Rust reference of `model::reference`, batch by batch, in the
//! same seeded order and with the same reports as the GPU trainer.

use super::{
    Checkpoint, EpochOrder, EpochReport, RunReport, StepProgress, TrainConfig, TrainEvent,
};
use crate::mnist::{Dataset, pixel_value};
use crate::model::reference::{self, Activations, AdamState};
use crate::model::{CLASSES, INPUTS};

/// The CPU trainer's device in words, as every report and the page name it.
#[cfg(target_arch = "wasm32")]
pub const DEVICE_NAME: &str = "CPU (Rust reference, WebAssembly SIMD)";
/// The CPU trainer's device in words, as every report and the page name it.
#[cfg(not(target_arch = "wasm32"))]
pub const DEVICE_NAME: &str = "CPU (Rust reference)";

/// Steps between two progress reports (and two checks of `should_stop`).
const STEPS_PER_REPORT: usize = 16;
/// Longest stretch of work before the browser gets its main thread back.
const YIELD_EVERY: std::time::Duration = std::time::Duration::from_millis(40);

/// Trains the MLP on the CPU with the reference implementation.
pub struct CpuTrainer<'a> {
    train: &'a Dataset,
    test: &'a Dataset,
    config: TrainConfig,
    params: Vec<f32>,
    adam: AdamState,
    epoch_order: EpochOrder,
    /// The state after the last finished epoch (or the start), to continue from.
    checkpoint: Checkpoint,
    inputs: Vec<f32>,
    batch_labels: Vec<u8>,
    activations: Activations,
    grads: Vec<f32>,
}

impl<'a> CpuTrainer<'a> {
    /// A trainer at the seeded initial weights.
    pub fn new(train: &'a Dataset, test: &'a Dataset, config: TrainConfig) -> Self {
        Self::resume(train, test, config, Checkpoint::start(&config))
    }

    /// A trainer starting from the given parameters (flat layout, `layout::LEN` long), with
    /// fresh Adam moments.
    pub fn with_params(
        train: &'a Dataset,
        test: &'a Dataset,
        config: TrainConfig,
        params: Vec<f32>,
    ) -> Self {
        Self::resume(train, test, config, Checkpoint::from_params(params))
    }

    /// A trainer that continues a run from `checkpoint`: its next epoch is
    /// `checkpoint.next_epoch()`, with the batch order, weights and Adam state the run would
    /// have had there. Panics when the checkpoint's vectors are not the model's length (a
    /// checkpoint from [`Checkpoint::start`] or a trainer always is).
    pub fn resume(
        train: &'a Dataset,
        test: &'a Dataset,
        config: TrainConfig,
        checkpoint: Checkpoint,
    ) -> Self {
        if let Err(problem) = checkpoint.check() {
            panic!("CpuTrainer::resume: {problem}");
        }
        Self {
            train,
            test,
            config,
            params: checkpoint.params.clone(),
            adam: checkpoint.adam.clone(),
            epoch_order: EpochOrder::after(config.seed, train.len(), checkpoint.epochs_done),
            checkpoint,
            inputs: Vec::new(),
            batch_labels: Vec::new(),
            activations: Activations::default(),
            grads: Vec::new(),
        }
    }

    /// The current parameters, flat layout.
    pub fn params(&self) -> &[f32] {
        &self.params
    }

    /// The state after the last finished epoch, or the starting point before the first.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// Trains from the checkpoint's next epoch to `config.epochs`, reporting as the GPU
    /// trainer does. In the browser it hands control back to the page every few tens of
    /// milliseconds, so the page stays responsive on the main thread; natively it never waits
    /// (drive it with `block_on`).
    pub async fn run(
        &mut self,
        on_event: &mut dyn FnMut(TrainEvent),
        should_stop: &dyn Fn() -> bool,
    ) -> RunReport {
        let mut report = RunReport {
            device: DEVICE_NAME.to_string(),
            config: self.config,
            train_samples: self.train.len(),
            test_samples: self.test.len(),
            epochs: Vec::new(),
            stopped: false,
        };
        let batch_size = self.config.batch_size.max(1);
        let mut last_yield = web_time::Instant::now();
        let steps_per_epoch = self.config.steps_per_epoch(self.train.len());

        for epoch in self.checkpoint.next_epoch()..=self.config.epochs {
            let order = self.epoch_order.next_epoch();
            let started = web_time::Instant::now();
            let (mut loss_sum, mut correct, mut samples) = (0.0f64, 0usize, 0usize);
            for (step, rows) in order.chunks(batch_size).enumerate() {
                let (loss, right) = self.step(rows);
                loss_sum += f64::from(loss);
                correct += right;
                samples += rows.len();
                let done = step + 1;
                if done % STEPS_PER_REPORT == 0 || done == steps_per_epoch {
                    on_event(TrainEvent::Step(StepProgress {
                        epoch,
                        epochs: self.config.epochs,
                        step: done,
                        steps_per_epoch,
                        running_loss: (loss_sum / samples as f64) as f32,
                    }));
                    if should_stop() {
                        report.stopped = true;
                        return report;
                    }
                }
                if last_yield.elapsed() >= YIELD_EVERY {
                    super::yield_now().await;
                    last_yield = web_time::Instant::now();
                }
            }
            let train_time_s = started.elapsed().as_secs_f64();

            let eval_started = web_time::Instant::now();
            let test_accuracy = accuracy(&self.params, self.test);
            let epoch_report = EpochReport {
                epoch,
                train_loss: (loss_sum / samples.max(1) as f64) as f32,
                train_accuracy: correct as f32 / samples.max(1) as f32,
                test_accuracy,
                samples,
                train_time_s,
                eval_time_s: eval_started.elapsed().as_secs_f64(),
                samples_per_s: samples as f64 / train_time_s.max(1e-9),
                gpu_time_s: None,
            };
            self.checkpoint = Checkpoint {
                epochs_done: epoch,
                params: self.params.clone(),
                adam: self.adam.clone(),
            };
            on_event(TrainEvent::Epoch(epoch_report));
            report.epochs.push(epoch_report);
        }
        report
    }

    /// One step on the given training rows; returns the batch's loss sum and correct count.
    pub fn step(&mut self, rows: &[u32]) -> (f32, usize) {
        let batch = rows.len();
        gather_inputs(self.train, rows, &mut self.inputs);
        self.batch_labels.clear();
        self.batch_labels
            .extend(rows.iter().map(|&r| self.train.label(r as usize)));

        reference::forward_into(&self.params, &self.inputs, batch, &mut self.activations);
        let loss = reference::softmax_cross_entropy(&self.activations.logits, &self.batch_labels);
        reference::backward(
            &self.params,
            &self.inputs,
            &self.activations,
            &loss.grad_logits,
            batch,
            &mut self.grads,
        );
        reference::adam_step(
            &mut self.params,
            &self.grads,
            &mut self.adam,
            &self.config.adam,
        );
        (loss.loss_sum, loss.correct)
    }
}

/// The scaled inputs of the given rows, `[rows][INPUTS]`.
pub fn gather_inputs(data: &Dataset, rows: &[u32], inputs: &mut Vec<f32>) {
    inputs.clear();
    inputs.reserve(rows.len() * INPUTS);
    for &row in rows {
        inputs.extend(
            data.image(row as usize)
                .iter()
                .map(|&byte| pixel_value(byte)),
        );
    }
}

/// Fraction of `data` that `params` classifies right.
pub fn accuracy(params: &[f32], data: &Dataset) -> f32 {
    const CHUNK: usize = 256;
    let mut inputs = Vec::new();
    let mut activations = Activations::default();
    let mut correct = 0usize;
    let rows: Vec<u32> = (0..data.len() as u32).collect();
    for chunk in rows.chunks(CHUNK) {
        gather_inputs(data, chunk, &mut inputs);
        reference::forward_into(params, &inputs, chunk.len(), &mut activations);
        for (b, &row) in chunk.iter().enumerate() {
            let logits = &activations.logits[b * CLASSES..(b + 1) * CLASSES];
            if reference::predict(logits) == usize::from(data.label(row as usize)) {
                correct += 1;
            }
        }
    }
    correct as f32 / data.len().max(1) as f32
}
