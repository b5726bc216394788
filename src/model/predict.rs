//! Using a trained model: the ten class probabilities of one image, and the test images it
//! gets wrong.

use super::reference::{self, Activations};
use super::{CLASSES, INPUTS};
use crate::mnist::{Dataset, pixel_value};

/// `softmax(logits)`, computed in `f64` with the largest logit subtracted first, so that the
/// ten `f32` results sum to 1 within a few ULP and large logits cannot overflow.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f64> = logits.iter().map(|&z| f64::from(z - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|&e| (e / sum) as f32).collect()
}

/// The model's probability for each digit 0–9, for one 28 × 28 image of bytes (0 = blank,
/// 255 = ink), with the forward pass of [`reference::forward`].
pub fn probabilities(params: &[f32], image: &[u8]) -> [f32; CLASSES] {
    debug_assert_eq!(image.len(), INPUTS);
    let inputs: Vec<f32> = image.iter().map(|&b| pixel_value(b)).collect();
    let activations = reference::forward(params, &inputs, 1);
    let mut out = [0.0; CLASSES];
    out.copy_from_slice(&softmax(&activations.logits));
    out
}

/// A test image the model classifies wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mistake {
    /// Index in the test set.
    pub index: usize,
    /// The true digit.
    pub label: u8,
    /// The model's answer (largest logit, first on ties, as accuracy counts it).
    pub predicted: u8,
    /// The model's probability for its answer.
    pub confidence: f32,
}

/// Up to `limit` of the images in `data` that `params` gets wrong, the most confident
/// mistakes first (ties by index), and how many it gets wrong in all.
pub fn mistakes(params: &[f32], data: &Dataset, limit: usize) -> (Vec<Mistake>, usize) {
    const CHUNK: usize = 256;
    let mut found = Vec::new();
    let mut inputs = Vec::with_capacity(CHUNK * INPUTS);
    let mut activations = Activations::default();
    let rows: Vec<usize> = (0..data.len()).collect();
    for chunk in rows.chunks(CHUNK) {
        inputs.clear();
        for &row in chunk {
            inputs.extend(data.image(row).iter().map(|&b| pixel_value(b)));
        }
        reference::forward_into(params, &inputs, chunk.len(), &mut activations);
        for (k, &row) in chunk.iter().enumerate() {
            let logits = &activations.logits[k * CLASSES..(k + 1) * CLASSES];
            let predicted = reference::predict(logits);
            let label = data.label(row);
            if predicted != usize::from(label) {
                found.push(Mistake {
                    index: row,
                    label,
                    predicted: predicted as u8,
                    confidence: softmax(logits)[predicted],
                });
            }
        }
    }
    let total = found.len();
    found.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(a.index.cmp(&b.index))
    });
    found.truncate(limit);
    (found, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{init_params, layout};

    #[test]
    fn softmax_sums_to_one_and_keeps_the_order() {
        let p = softmax(&[1.0, 3.0, -2.0, 0.5, 80.0, 79.0, 0.0, 0.0, 0.0, -100.0]);
        let sum: f32 = p.iter().sum();
        assert!((sum - 1.0).abs() < 1e-6, "{sum}");
        assert!(p[4] > p[5] && p[5] > p[1] && p[1] > p[0]);
        assert!(p.iter().all(|v| v.is_finite() && *v >= 0.0));
        let uniform = softmax(&[0.0; CLASSES]);
        assert!(uniform.iter().all(|&v| (v - 0.1).abs() < 1e-7));
    }

    #[test]
    fn probabilities_follow_the_biases_of_a_model_without_weights() {
        // All weights 0: every image gives softmax(b2).
        let mut params = vec![0.0f32; layout::LEN];
        params[layout::B2 + 7] = 2.0;
        let p = probabilities(&params, &[255; INPUTS]);
        let expected = softmax(&params[layout::B2..]);
        assert_eq!(p.to_vec(), expected);
        assert_eq!(reference::predict(&p), 7);
    }

    #[test]
    fn mistakes_are_the_images_whose_answer_differs_from_their_label() {
        // A model that always answers 7 (bias only) gets every image not labelled 7 wrong.
        let mut params = init_params(3);
        params[layout::W1..layout::B2].fill(0.0);
        params[layout::B2..].fill(0.0);
        params[layout::B2 + 7] = 1.0;
        let labels: Vec<u8> = (0..30).map(|i| (i % 10) as u8).collect();
        let data = Dataset::new(vec![0; 30 * INPUTS], labels).unwrap();
        let (found, total) = mistakes(&params, &data, 12);
        assert_eq!(total, 27);
        assert_eq!(found.len(), 12);
        for m in &found {
            assert_eq!(m.predicted, 7);
            assert_ne!(m.label, 7);
            assert_eq!(m.label, data.label(m.index));
        }
        // Equal confidence everywhere: ties keep test-set order.
        assert!(found.windows(2).all(|w| w[0].index < w[1].index));
    }
}
