//! A trained model used on digits that were not in its training set: test digits enlarged as
//! if drawn on the page's pad and prepared again like MNIST, the test digits it gets wrong, and
//! its weights saved to a file and read back. One CPU epoch on the embedded data.

#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use price_war_lab::mnist::drawing::to_mnist;
use price_war_lab::mnist::{IMAGE_SIDE, Mnist};
use price_war_lab::model::predict::{mistakes, probabilities};
use price_war_lab::model::reference::predict;
use price_war_lab::model::weights_file::{decode, encode};
use price_war_lab::train::TrainConfig;
use price_war_lab::train::cpu::{CpuTrainer, accuracy};

/// The pad's canvas is 280 × 280: a test digit drawn on it is the digit enlarged ten times.
const PAD_SIDE: usize = 280;
const ENLARGE: usize = PAD_SIDE / IMAGE_SIDE;
/// Test digits whose probabilities are checked.
const CHECKED: usize = 300;

fn trained() -> (Mnist, Vec<f32>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("public/data");
    let data = Mnist::load_dir(&dir).expect("the embedded MNIST files load");
    let config = TrainConfig {
        epochs: 1,
        ..TrainConfig::default()
    };
    let mut trainer = CpuTrainer::new(&data.train, &data.test, config);
    pollster::block_on(trainer.run(&mut |_| {}, &|| false));
    let params = trainer.params().to_vec();
    (data, params)
}

/// A 28 × 28 image enlarged `ENLARGE` times by repeating pixels, as ink on the pad.
fn on_pad(image: &[u8]) -> Vec<u8> {
    let mut ink = vec![0u8; PAD_SIDE * PAD_SIDE];
    for (i, v) in ink.iter_mut().enumerate() {
        let (x, y) = (i % PAD_SIDE / ENLARGE, i / PAD_SIDE / ENLARGE);
        *v = image[y * IMAGE_SIDE + x];
    }
    ink
}

#[test]
fn a_trained_model_reads_test_digits_redrawn_on_the_pad_and_after_a_save() {
    let (data, params) = trained();
    let test_accuracy = accuracy(&params, &data.test);
    assert!(test_accuracy > 0.85, "one epoch gave {test_accuracy}");

    // MNIST's digits were prepared this way, so preparing one again after enlarging it, as if
    // drawn on the pad, must give back the very same image, and so the same probabilities.
    for i in 0..data.test.len() {
        let original = data.test.image(i);
        let redrawn = to_mnist(&on_pad(original), PAD_SIDE, PAD_SIDE).expect("a digit has ink");
        assert_eq!(
            &redrawn[..],
            original,
            "test digit {i} changed when redrawn"
        );
    }
    for i in 0..CHECKED {
        let p = probabilities(&params, data.test.image(i));
        let sum: f32 = p.iter().sum();
        assert!(
            (sum - 1.0).abs() < 1e-5,
            "digit {i}: probabilities sum to {sum}"
        );
    }

    // The test digits it gets wrong: as many as the accuracy says, each really wrong.
    let (shown, total) = mistakes(&params, &data.test, 12);
    let expected =
        data.test.len() - (f64::from(test_accuracy) * data.test.len() as f64).round() as usize;
    assert_eq!(total, expected);
    assert_eq!(shown.len(), 12.min(total));
    for m in &shown {
        assert_eq!(m.label, data.test.label(m.index));
        assert_ne!(m.predicted, m.label);
        let p = probabilities(&params, data.test.image(m.index));
        assert_eq!(predict(&p), usize::from(m.predicted));
        assert!((p[usize::from(m.predicted)] - m.confidence).abs() < 1e-6);
    }
    assert!(shown.windows(2).all(|w| w[0].confidence >= w[1].confidence));

    // Saved and loaded, the model gives the same probabilities, bit for bit.
    let loaded = decode(&encode(&params).unwrap()).unwrap();
    for i in 0..20 {
        let image = data.test.image(i);
        assert_eq!(probabilities(&params, image), probabilities(&loaded, image));
    }
}
