//! The plain-Rust reference of the MLP: forward pass, softmax cross-entropy, backward pass and
//! Adam, written for clarity first and cache-friendly loop order second. The WGSL kernels are
//! tested against these functions, and the CPU trainer runs them.

use super::{Adam, CLASSES, HIDDEN, INPUTS, layout};

/// Activations of one batch, kept for the backward pass.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Activations {
    /// After ReLU, `[batch][HIDDEN]`.
    pub hidden: Vec<f32>,
    /// Before softmax, `[batch][CLASSES]`.
    pub logits: Vec<f32>,
}

/// Loss, accuracy and the gradient of the mean loss with respect to the logits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LossOutput {
    /// Sum over the batch of `−log softmax(z)[label]`, nats.
    pub loss_sum: f32,
    /// Samples whose largest logit (first on ties) is their label.
    pub correct: usize,
    /// `(softmax(z) − onehot(label)) / batch`, `[batch][CLASSES]`.
    pub grad_logits: Vec<f32>,
}

/// Forward pass. `inputs` is `[batch][INPUTS]`, already scaled to [0, 1].
/// `hidden = relu(x·W1 + b1)`, `logits = hidden·W2 + b2`.
pub fn forward(params: &[f32], inputs: &[f32], batch: usize) -> Activations {
    let mut out = Activations::default();
    forward_into(params, inputs, batch, &mut out);
    out
}

/// [`forward`] into buffers that are reused from step to step.
pub fn forward_into(params: &[f32], inputs: &[f32], batch: usize, out: &mut Activations) {
    let w1 = &params[layout::W1..layout::B1];
    let b1 = &params[layout::B1..layout::W2];
    let w2 = &params[layout::W2..layout::B2];
    let b2 = &params[layout::B2..layout::LEN];
    out.hidden.resize(batch * HIDDEN, 0.0);
    out.logits.resize(batch * CLASSES, 0.0);

    for b in 0..batch {
        let x = &inputs[b * INPUTS..(b + 1) * INPUTS];
        let h = &mut out.hidden[b * HIDDEN..(b + 1) * HIDDEN];
        h.copy_from_slice(b1);
        for (i, &xi) in x.iter().enumerate() {
            // Most MNIST pixels are 0: skipping them changes no sum.
            if xi != 0.0 {
                let row = &w1[i * HIDDEN..(i + 1) * HIDDEN];
                for (hj, &w) in h.iter_mut().zip(row) {
                    *hj += xi * w;
                }
            }
        }
        for hj in h.iter_mut() {
            *hj = hj.max(0.0);
        }

        let z = &mut out.logits[b * CLASSES..(b + 1) * CLASSES];
        z.copy_from_slice(b2);
        for (j, &hj) in h.iter().enumerate() {
            let row = &w2[j * CLASSES..(j + 1) * CLASSES];
            for (zk, &w) in z.iter_mut().zip(row) {
                *zk += hj * w;
            }
        }
    }
}

/// Index of the largest logit, the first one on ties.
pub fn predict(logits: &[f32]) -> usize {
    let mut best = 0;
    for (k, &z) in logits.iter().enumerate() {
        if z > logits[best] {
            best = k;
        }
    }
    best
}

/// Softmax cross-entropy of `logits` (`[batch][CLASSES]`) against `labels`, with its gradient
/// for the batch-mean loss. Uses `log Σ exp(z − max z)` so large logits cannot overflow.
pub fn softmax_cross_entropy(logits: &[f32], labels: &[u8]) -> LossOutput {
    let batch = labels.len();
    let inv_batch = 1.0 / batch as f32;
    let mut out = LossOutput {
        grad_logits: vec![0.0; batch * CLASSES],
        ..Default::default()
    };
    for (b, &label) in labels.iter().enumerate() {
        let z = &logits[b * CLASSES..(b + 1) * CLASSES];
        let label = usize::from(label);
        let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = z.iter().map(|&zk| (zk - max).exp()).sum();
        let log_sum = sum.ln();
        out.loss_sum += log_sum - (z[label] - max);
        if predict(z) == label {
            out.correct += 1;
        }
        let g = &mut out.grad_logits[b * CLASSES..(b + 1) * CLASSES];
        for (k, gk) in g.iter_mut().enumerate() {
            let p = ((z[k] - max) - log_sum).exp();
            let target = if k == label { 1.0 } else { 0.0 };
            *gk = (p - target) * inv_batch;
        }
    }
    out
}

/// Backward pass: gradients of the batch-mean loss for every parameter, in the flat layout.
/// `dW2 = hᵀ·dz`, `db2 = Σ dz`, `dh = (dz·W2ᵀ) ⊙ [h > 0]`, `dW1 = xᵀ·dh`, `db1 = Σ dh`.
pub fn backward(
    params: &[f32],
    inputs: &[f32],
    activations: &Activations,
    grad_logits: &[f32],
    batch: usize,
    grads: &mut Vec<f32>,
) {
    let w2 = &params[layout::W2..layout::B2];
    grads.clear();
    grads.resize(layout::LEN, 0.0);
    let (grad_w1, rest) = grads.split_at_mut(layout::B1);
    let (grad_b1, rest) = rest.split_at_mut(HIDDEN);
    let (grad_w2, grad_b2) = rest.split_at_mut(HIDDEN * CLASSES);
    let mut grad_hidden = [0.0f32; HIDDEN];

    for b in 0..batch {
        let x = &inputs[b * INPUTS..(b + 1) * INPUTS];
        let h = &activations.hidden[b * HIDDEN..(b + 1) * HIDDEN];
        let dz = &grad_logits[b * CLASSES..(b + 1) * CLASSES];

        for (g, &d) in grad_b2.iter_mut().zip(dz) {
            *g += d;
        }
        for (j, &hj) in h.iter().enumerate() {
            let row = &mut grad_w2[j * CLASSES..(j + 1) * CLASSES];
            for (g, &d) in row.iter_mut().zip(dz) {
                *g += hj * d;
            }
            grad_hidden[j] = if hj > 0.0 {
                let w_row = &w2[j * CLASSES..(j + 1) * CLASSES];
                w_row.iter().zip(dz).map(|(&w, &d)| w * d).sum()
            } else {
                0.0
            };
        }

        for (g, &d) in grad_b1.iter_mut().zip(&grad_hidden) {
            *g += d;
        }
        for (i, &xi) in x.iter().enumerate() {
            if xi != 0.0 {
                let row = &mut grad_w1[i * HIDDEN..(i + 1) * HIDDEN];
                for (g, &d) in row.iter_mut().zip(&grad_hidden) {
                    *g += xi * d;
                }
            }
        }
    }
}

/// Adam's moment estimates, one of each per parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct AdamState {
    /// First moment (mean of gradients).
    pub m: Vec<f32>,
    /// Second moment (uncentred variance of gradients).
    pub v: Vec<f32>,
    /// Steps taken so far.
    pub step: u64,
}

impl Default for AdamState {
    fn default() -> Self {
        Self {
            m: vec![0.0; layout::LEN],
            v: vec![0.0; layout::LEN],
            step: 0,
        }
    }
}

/// One Adam step with bias correction, in place:
/// `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`,
/// `p ← p − lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + ε)` (Kingma and Ba, 2015, Algorithm 1).
/// The WGSL kernel does the same operations in the same order.
pub fn adam_step(params: &mut [f32], grads: &[f32], state: &mut AdamState, adam: &Adam) {
    state.step += 1;
    let (bc1, bc2) = adam.bias_corrections(state.step);
    let Adam {
        learning_rate,
        beta1,
        beta2,
        epsilon,
    } = *adam;
    for i in 0..params.len() {
        let g = grads[i];
        let m = beta1 * state.m[i] + (1.0 - beta1) * g;
        let v = beta2 * state.v[i] + (1.0 - beta2) * g * g;
        state.m[i] = m;
        state.v[i] = v;
        params[i] -= learning_rate * (m / bc1) / ((v / bc2).sqrt() + epsilon);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::init_params;

    /// Central finite differences in f64 of the batch-mean loss, against `backward`.
    #[test]
    fn gradients_match_finite_differences() {
        let params = init_params(11);
        let batch = 3;
        let mut rng = crate::rng::Rng::new(5);
        let inputs: Vec<f32> = (0..batch * INPUTS)
            .map(|_| {
                if rng.next_f32() < 0.3 {
                    rng.next_f32()
                } else {
                    0.0
                }
            })
            .collect();
        let labels = [3u8, 7, 0];

        let loss_at = |p: &[f32]| -> f64 {
            let acts = forward(p, &inputs, batch);
            f64::from(softmax_cross_entropy(&acts.logits, &labels).loss_sum) / batch as f64
        };
        let acts = forward(&params, &inputs, batch);
        let loss = softmax_cross_entropy(&acts.logits, &labels);
        let mut grads = Vec::new();
        backward(
            &params,
            &inputs,
            &acts,
            &loss.grad_logits,
            batch,
            &mut grads,
        );

        // A few parameters from every tensor, chosen where the gradient is not tiny.
        let mut checked = 0;
        for &start in &[layout::W1, layout::B1, layout::W2, layout::B2] {
            let end = match start {
                layout::W1 => layout::B1,
                layout::B1 => layout::W2,
                layout::W2 => layout::B2,
                _ => layout::LEN,
            };
            let mut picks: Vec<usize> = (start..end).filter(|&i| grads[i].abs() > 1e-3).collect();
            picks.truncate(10);
            for i in picks {
                let numeric = |h: f32| {
                    let mut plus = params.clone();
                    plus[i] += h;
                    let mut minus = params.clone();
                    minus[i] -= h;
                    (loss_at(&plus) - loss_at(&minus)) / (2.0 * f64::from(h))
                };
                let (coarse, fine) = (numeric(1e-2), numeric(5e-3));
                // A ReLU that switches inside ±h bends the loss there; where the two step
                // sizes disagree the estimate is not valid, so that parameter is passed over.
                if (coarse - fine).abs() > 0.01 * fine.abs() + 1e-5 {
                    continue;
                }
                let analytic = f64::from(grads[i]);
                // f32 forward passes: allow 2% relative plus 1e-4 absolute.
                assert!(
                    (fine - analytic).abs() <= 0.02 * analytic.abs() + 1e-4,
                    "param {i}: analytic {analytic}, numeric {fine}"
                );
                checked += 1;
            }
        }
        assert!(
            checked >= 18,
            "only {checked} parameters had usable gradients"
        );
    }

    #[test]
    fn softmax_cross_entropy_of_uniform_logits_is_ln_10() {
        let out = softmax_cross_entropy(&[0.0; CLASSES], &[4]);
        assert!((out.loss_sum - 10f32.ln()).abs() < 1e-6);
        assert!((out.grad_logits[4] - (0.1 - 1.0)).abs() < 1e-6);
        assert!((out.grad_logits[0] - 0.1).abs() < 1e-6);
    }

    #[test]
    fn huge_logits_do_not_overflow() {
        let mut logits = [0.0f32; CLASSES];
        logits[2] = 1e4;
        let out = softmax_cross_entropy(&logits, &[2]);
        assert!(out.loss_sum.is_finite() && out.loss_sum.abs() < 1e-3);
        assert_eq!(out.correct, 1);
    }

    #[test]
    fn first_adam_step_moves_each_parameter_by_about_the_learning_rate() {
        // With bias correction, step 1 gives m̂ = g and v̂ = g², so Δp = −lr·g/(|g| + ε).
        let mut params = vec![1.0f32; layout::LEN];
        let grads: Vec<f32> = (0..layout::LEN)
            .map(|i| if i % 2 == 0 { 0.5 } else { -2.0 })
            .collect();
        let mut state = AdamState::default();
        adam_step(&mut params, &grads, &mut state, &Adam::default());
        assert!((params[0] - (1.0 - 1e-3)).abs() < 1e-6);
        assert!((params[1] - (1.0 + 1e-3)).abs() < 1e-6);
        assert_eq!(state.step, 1);
    }
}
