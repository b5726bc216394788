//! The article's MLP: 784 → 128 (ReLU) → 10, softmax cross-entropy on the logits, Adam.
//!
//! All parameters live in one flat `f32` array, `[W1 | b1 | W2 | b2]`, so that one Adam
//! dispatch (or one loop) updates every parameter, and the GPU and CPU paths share a layout.
//! Weights are stored `[inputs][outputs]` row-major: `W1[i * HIDDEN + j]` joins pixel `i` to
//! hidden unit `j`.

pub mod predict;
pub mod reference;
pub mod weights_file;

use crate::rng::Rng;

/// Pixels per image (28 × 28): the model reads an MNIST image as it is stored.
pub const INPUTS: usize = crate::mnist::IMAGE_BYTES;
/// Hidden units.
pub const HIDDEN: usize = 128;
/// Classes (digits 0–9).
pub const CLASSES: usize = crate::mnist::DIGITS;

/// Where each tensor starts in the flat parameter array, and how long it is.
pub mod layout {
    use super::{CLASSES, HIDDEN, INPUTS};

    /// `W1`, `[INPUTS][HIDDEN]`.
    pub const W1: usize = 0;
    /// `b1`, `[HIDDEN]`.
    pub const B1: usize = W1 + INPUTS * HIDDEN;
    /// `W2`, `[HIDDEN][CLASSES]`.
    pub const W2: usize = B1 + HIDDEN;
    /// `b2`, `[CLASSES]`.
    pub const B2: usize = W2 + HIDDEN * CLASSES;
    /// Total number of parameters: 101,770.
    pub const LEN: usize = B2 + CLASSES;
}

/// Adam's hyper-parameters (Kingma and Ba, 2015), defaults as in PyTorch's `optim.Adam`
/// and the article's `lr=0.001`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Adam {
    pub learning_rate: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub epsilon: f32,
}

impl Default for Adam {
    fn default() -> Self {
        Self {
            learning_rate: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        }
    }
}

impl Adam {
    /// Bias corrections `(1 − β1^t, 1 − β2^t)` for step `t` (counted from 1), computed in
    /// `f64` so that every path uses the same rounded values.
    pub fn bias_corrections(&self, step: u64) -> (f32, f32) {
        let t = step.min(i32::MAX as u64) as i32;
        let bc1 = 1.0 - f64::from(self.beta1).powi(t);
        let bc2 = 1.0 - f64::from(self.beta2).powi(t);
        (bc1 as f32, bc2 as f32)
    }
}

/// Initial parameters as PyTorch's `nn.Linear` draws them: every weight and bias uniform in
/// ±1/√fan_in (Kaiming-uniform with a = √5), from `seed`.
pub fn init_params(seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let mut params = vec![0.0f32; layout::LEN];
    let bound_1 = 1.0 / (INPUTS as f32).sqrt();
    let bound_2 = 1.0 / (HIDDEN as f32).sqrt();
    for p in &mut params[layout::W1..layout::W2] {
        *p = rng.uniform(bound_1);
    }
    for p in &mut params[layout::W2..layout::LEN] {
        *p = rng.uniform(bound_2);
    }
    params
}

/// FLOPs of one forward pass for one sample, counting a multiply-add as 2: the two matrix
/// products, 2·(784·128 + 128·10) = 203,264 (bias, ReLU and softmax are left out, as usual).
pub const FORWARD_FLOPS_PER_SAMPLE: u64 = 2 * (INPUTS * HIDDEN + HIDDEN * CLASSES) as u64;

/// FLOPs of one training step for one sample: forward, plus the backward products
/// `dW2 = hᵀ·dz`, `dh = dz·W2ᵀ` and `dW1 = xᵀ·dh` (the input gradient is never needed),
/// 2·(128·10 + 128·10 + 784·128) = 205,824. Adam's per-parameter work is per step, not per
/// sample, and is left out.
pub const BACKWARD_FLOPS_PER_SAMPLE: u64 = 2 * (2 * HIDDEN * CLASSES + INPUTS * HIDDEN) as u64;

/// Forward plus backward FLOPs per training sample: 409,088.
pub const TRAIN_FLOPS_PER_SAMPLE: u64 = FORWARD_FLOPS_PER_SAMPLE + BACKWARD_FLOPS_PER_SAMPLE;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_counts_every_parameter_once() {
        // 784·128 + 128 + 128·10 + 10, as PyTorch counts the article's nn.Sequential.
        assert_eq!(layout::LEN, 101_770);
    }

    #[test]
    fn init_is_seeded_and_bounded() {
        let a = init_params(1);
        assert_eq!(a, init_params(1));
        assert_ne!(a, init_params(2));
        let bound_1 = 1.0 / 28.0;
        assert!(a[layout::W1..layout::W2].iter().all(|w| w.abs() <= bound_1));
        let bound_2 = 1.0 / (128f32).sqrt();
        assert!(a[layout::W2..].iter().all(|w| w.abs() <= bound_2));
    }

    #[test]
    fn bias_corrections_at_first_step() {
        let (bc1, bc2) = Adam::default().bias_corrections(1);
        assert!((bc1 - 0.1).abs() < 1e-6);
        assert!((bc2 - 0.001).abs() < 1e-7);
    }
}
