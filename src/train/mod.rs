//! Training the article's MLP: the settings, the figures a run reports, and the trainers.
//!
//! [`cpu::CpuTrainer`] runs the plain-Rust reference; [`gpu::GpuTrainer`] runs the same model
//! through WGSL compute shaders on any wgpu adapter (WebGPU in the browser, Vulkan, Metal or
//! DX12 natively). Both draw batches in the same seeded order and report the same figures.

mod checkpoint;
pub mod cpu;
pub mod gpu;
pub mod progress;

pub use checkpoint::Checkpoint;

use crate::model::{Adam, TRAIN_FLOPS_PER_SAMPLE};
use crate::rng::Rng;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen::JsCast;

/// What to train and how: the article's settings by default (batch 64, 5 epochs, Adam 0.001).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainConfig {
    /// Passes over the training set.
    pub epochs: usize,
    /// Samples per step; the last batch of an epoch may be smaller (nothing is dropped).
    pub batch_size: usize,
    /// Fixes the initial weights and the order of every epoch's batches.
    pub seed: u64,
    pub adam: Adam,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 5,
            batch_size: 64,
            seed: 2024,
            adam: Adam::default(),
        }
    }
}

impl TrainConfig {
    /// Steps in one epoch over `samples` training samples.
    pub fn steps_per_epoch(&self, samples: usize) -> usize {
        samples.div_ceil(self.batch_size.max(1))
    }
}

/// The order in which each epoch visits the training samples: a fresh seeded permutation per
/// epoch, as a shuffling data loader draws it. Every trainer uses this, so the CPU and GPU
/// paths see the same batches for the same seed.
#[derive(Debug, Clone)]
pub struct EpochOrder {
    rng: Rng,
    samples: usize,
}

impl EpochOrder {
    /// Orders for a training set of `samples`, seeded from the run's seed.
    pub fn new(seed: u64, samples: usize) -> Self {
        // A different stream from weight initialisation, which uses `seed` itself.
        Self {
            rng: Rng::new(seed ^ 0x5348_5546_464C_4521),
            samples,
        }
    }

    /// The orders of the epochs after the first `epochs_done`, as the same run would draw
    /// them had it never stopped.
    pub fn after(seed: u64, samples: usize, epochs_done: usize) -> Self {
        let mut orders = Self::new(seed, samples);
        for _ in 0..epochs_done {
            orders.next_epoch();
        }
        orders
    }

    /// The next epoch's permutation of `0..samples`.
    pub fn next_epoch(&mut self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.samples as u32).collect();
        self.rng.shuffle(&mut order);
        order
    }
}

/// Where a run is inside an epoch; sent as training goes, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct StepProgress {
    /// Epoch being trained, counted from 1.
    pub epoch: usize,
    pub epochs: usize,
    /// Steps finished in this epoch.
    pub step: usize,
    pub steps_per_epoch: usize,
    /// Mean loss over the steps finished in this epoch so far.
    pub running_loss: f32,
}

impl StepProgress {
    /// Fraction of the whole run done, in [0, 1].
    pub fn fraction(&self) -> f64 {
        let total = (self.epochs * self.steps_per_epoch).max(1) as f64;
        (((self.epoch - 1) * self.steps_per_epoch + self.step) as f64 / total).clamp(0.0, 1.0)
    }
}

/// The figures of one finished epoch.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpochReport {
    /// Counted from 1.
    pub epoch: usize,
    /// Mean training loss (softmax cross-entropy, nats) over the epoch's steps.
    pub train_loss: f32,
    /// Fraction of training samples classified right while training (before each update).
    pub train_accuracy: f32,
    /// Fraction of the test set classified right after the epoch.
    pub test_accuracy: f32,
    /// Training samples seen in this epoch.
    pub samples: usize,
    /// Wall time of the epoch's training steps, seconds (the test evaluation is not counted).
    pub train_time_s: f64,
    /// Wall time of the test evaluation after the epoch, seconds.
    pub eval_time_s: f64,
    /// Training throughput: `samples / train_time_s`.
    pub samples_per_s: f64,
    /// GPU time of the epoch's training steps from timestamp queries, where the adapter has them.
    pub gpu_time_s: Option<f64>,
}

impl EpochReport {
    /// Achieved training FLOP/s: exact model FLOPs per sample × samples/s.
    pub fn achieved_flops_per_s(&self) -> f64 {
        self.samples_per_s * TRAIN_FLOPS_PER_SAMPLE as f64
    }

    /// Milliseconds per training step at `batch_size`.
    pub fn ms_per_step(&self, batch_size: usize) -> f64 {
        let steps = self.samples.div_ceil(batch_size.max(1)).max(1);
        self.train_time_s * 1e3 / steps as f64
    }
}

/// What a trainer reports while it runs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum TrainEvent {
    Step(StepProgress),
    Epoch(EpochReport),
}

/// A whole run: the device it ran on, its settings and each finished epoch.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunReport {
    /// The device in words, e.g. "SwiftShader Device (Subzero) (WebGPU)" or "CPU (reference)".
    pub device: String,
    pub config: TrainConfig,
    pub train_samples: usize,
    pub test_samples: usize,
    pub epochs: Vec<EpochReport>,
    /// True when the run was stopped before its last epoch finished.
    pub stopped: bool,
}

impl RunReport {
    /// The epochs after the first, which carries one-off warm-up costs (shader compilation,
    /// first uploads); the first alone when there is only one.
    pub fn steady_epochs(&self) -> &[EpochReport] {
        if self.epochs.len() > 1 {
            &self.epochs[1..]
        } else {
            &self.epochs[..]
        }
    }

    /// Training throughput over [`RunReport::steady_epochs`].
    pub fn steady_samples_per_s(&self) -> Option<f64> {
        let steady = self.steady_epochs();
        let samples: usize = steady.iter().map(|e| e.samples).sum();
        let time: f64 = steady.iter().map(|e| e.train_time_s).sum();
        (time > 0.0).then(|| samples as f64 / time)
    }

    /// Test accuracy after the last finished epoch.
    pub fn final_test_accuracy(&self) -> Option<f32> {
        self.epochs.last().map(|e| e.test_accuracy)
    }
}

/// Lets the browser run its event loop (input, rendering) before training goes on: resolves on
/// the next `setTimeout(0)` tick. Natively there is nothing to hand back, so it returns at once.
#[cfg(target_arch = "wasm32")]
pub async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &"setTimeout".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        match set_timeout {
            Some(set_timeout) => {
                let _ = set_timeout.call2(&global, &resolve, &0.into());
            }
            // No timer (an unusual host): go on at once rather than hang.
            None => {
                let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
            }
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Lets the browser run its event loop; natively there is nothing to hand back.
#[cfg(not(target_arch = "wasm32"))]
pub async fn yield_now() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_are_different_permutations() {
        let mut orders = EpochOrder::new(3, 100);
        let a = orders.next_epoch();
        let b = orders.next_epoch();
        assert_ne!(a, b);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn orders_after_some_epochs_go_on_where_the_run_was() {
        let mut whole = EpochOrder::new(3, 100);
        let first_two = [whole.next_epoch(), whole.next_epoch()];
        let mut resumed = EpochOrder::after(3, 100, 2);
        let third = resumed.next_epoch();
        assert_eq!(third, whole.next_epoch());
        assert!(!first_two.contains(&third));
    }

    #[test]
    fn steps_count_the_last_partial_batch() {
        let config = TrainConfig::default();
        assert_eq!(config.steps_per_epoch(8000), 125);
        assert_eq!(config.steps_per_epoch(60_000), 938);
    }
}
