//! Continuing a run from the checkpoint of a finished epoch — what the page offers when the
//! GPU device is lost mid-run — gives the run that never stopped: on the CPU, on a new GPU
//! device, and across the two. GPU parts run on this machine's adapter (lavapipe in CI) and
//! fail, not skip, without one.

// Native only: they read files and drive a native wgpu adapter.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use price_war_lab::mnist::{Dataset, IMAGE_BYTES, Mnist};
use price_war_lab::train::cpu::CpuTrainer;
use price_war_lab::train::gpu::GpuTrainer;
use price_war_lab::train::{Checkpoint, RunReport, TrainConfig};

/// The first 2,000 training and 500 test digits of the embedded set: three epochs of 32 steps
/// each keep the test quick and still learn.
fn digits() -> Mnist {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("public/data");
    let all = Mnist::load_dir(&dir).expect("the embedded MNIST files in public/data load");
    let first = |data: &Dataset, n: usize| {
        Dataset::new(
            data.images()[..n * IMAGE_BYTES].to_vec(),
            data.labels()[..n].to_vec(),
        )
        .expect("a prefix of a dataset is a dataset")
    };
    Mnist {
        train: first(&all.train, 2_000),
        test: first(&all.test, 500),
    }
}

fn config() -> TrainConfig {
    TrainConfig {
        epochs: 3,
        seed: 17,
        ..TrainConfig::default()
    }
}

fn cpu_run(data: &Mnist, config: TrainConfig, from: Checkpoint) -> (RunReport, Checkpoint) {
    let mut trainer = CpuTrainer::resume(&data.train, &data.test, config, from);
    let report = pollster::block_on(trainer.run(&mut |_| {}, &|| false));
    (report, trainer.checkpoint().clone())
}

fn gpu_run(data: &Mnist, config: TrainConfig, from: Checkpoint) -> (RunReport, Checkpoint) {
    let mut trainer = pollster::block_on(GpuTrainer::resume(&data.train, &data.test, config, from))
        .unwrap_or_else(|e| {
            panic!("no usable GPU adapter ({e}); install mesa-vulkan-drivers (scripts/setup.sh)")
        });
    let report = pollster::block_on(trainer.run(&mut |_| {}, &|| false)).expect("GPU run");
    (report, trainer.checkpoint().clone())
}

/// The largest `|a − b|` over two vectors.
fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Epoch numbers of a report.
fn epochs_of(report: &RunReport) -> Vec<usize> {
    report.epochs.iter().map(|e| e.epoch).collect()
}

/// On the CPU the arithmetic is the same, in the same order, so a resumed run is not close to
/// the uninterrupted one but equal to it, bit for bit (tolerance: zero).
#[test]
fn cpu_resumed_after_epoch_one_equals_the_uninterrupted_cpu_run() {
    let data = digits();
    let (whole, whole_end) = cpu_run(&data, config(), Checkpoint::start(&config()));

    let one_epoch = TrainConfig {
        epochs: 1,
        ..config()
    };
    let (first, after_one) = cpu_run(&data, one_epoch, Checkpoint::start(&config()));
    assert_eq!(epochs_of(&first), [1]);
    assert_eq!(after_one.epochs_done, 1);
    assert_eq!(after_one.adam.step, 32, "2,000 samples in batches of 64");

    let (rest, resumed_end) = cpu_run(&data, config(), after_one);
    assert_eq!(epochs_of(&rest), [2, 3]);
    assert_eq!(resumed_end, whole_end);
    assert_eq!(rest.epochs[1].train_loss, whole.epochs[2].train_loss);
    assert_eq!(rest.epochs[1].test_accuracy, whole.epochs[2].test_accuracy);
}

/// The page's "continue on the CPU": the GPU's checkpoint after epoch 1, finished on the CPU,
/// lands where the CPU reference run lands. The two paths round differently (sums in another
/// order, fused multiply-adds), so the weights agree to a tolerance: 1e-4 absolute after 96
/// Adam steps (measured on lavapipe: 9e-7); test accuracy within a point.
#[test]
fn gpu_checkpoint_finished_on_the_cpu_matches_the_cpu_reference() {
    let data = digits();
    let (reference, reference_end) = cpu_run(&data, config(), Checkpoint::start(&config()));

    let one_epoch = TrainConfig {
        epochs: 1,
        ..config()
    };
    let (first, after_one) = gpu_run(&data, one_epoch, Checkpoint::start(&config()));
    assert_eq!(epochs_of(&first), [1]);
    assert_eq!(after_one.epochs_done, 1);
    assert_eq!(after_one.adam.step, 32);
    assert!(
        after_one.adam.v.iter().any(|&v| v > 0.0),
        "moments were read back"
    );

    let (rest, resumed_end) = cpu_run(&data, config(), after_one);
    assert_eq!(epochs_of(&rest), [2, 3]);
    let params = max_difference(&resumed_end.params, &reference_end.params);
    let moments = max_difference(&resumed_end.adam.m, &reference_end.adam.m);
    println!(
        "GPU→CPU vs CPU after 3 epochs: weights differ by at most {params:e}, m by {moments:e}"
    );
    assert!(params <= 1e-4, "weights differ by {params}");
    assert_eq!(resumed_end.adam.step, reference_end.adam.step);
    let (resumed, whole) = (
        rest.epochs[1].test_accuracy,
        reference.epochs[2].test_accuracy,
    );
    assert!(
        (resumed - whole).abs() <= 0.01,
        "test accuracy {resumed} vs {whole}"
    );
    assert!(
        resumed >= 0.85,
        "three epochs on 2,000 digits reach {resumed}"
    );
}

/// The page's "continue on a new GPU device": a second trainer, with a device of its own,
/// resumed from the first one's checkpoint, ends where one uninterrupted GPU run ends. Same
/// kernels and same inputs, so only a driver that schedules reductions differently could
/// make them differ: tolerance 1e-5 absolute on the weights (measured on lavapipe: 0).
#[test]
fn gpu_resumed_on_a_new_device_matches_the_uninterrupted_gpu_run() {
    let data = digits();
    let (whole, whole_end) = gpu_run(&data, config(), Checkpoint::start(&config()));

    let one_epoch = TrainConfig {
        epochs: 1,
        ..config()
    };
    let (_, after_one) = gpu_run(&data, one_epoch, Checkpoint::start(&config()));
    let (rest, resumed_end) = gpu_run(&data, config(), after_one);
    assert_eq!(epochs_of(&rest), [2, 3]);
    let params = max_difference(&resumed_end.params, &whole_end.params);
    println!("GPU→GPU vs GPU after 3 epochs: weights differ by at most {params:e}");
    assert!(params <= 1e-5, "weights differ by {params}");
    let (resumed, uninterrupted) = (rest.epochs[1].test_accuracy, whole.epochs[2].test_accuracy);
    assert!(
        (resumed - uninterrupted).abs() <= 0.002,
        "test accuracy {resumed} vs {uninterrupted}"
    );
}

/// A checkpoint whose vectors are not the model's length is refused before any device is
/// made, with the reason.
#[test]
fn a_malformed_checkpoint_is_refused_by_the_gpu_trainer() {
    let data = digits();
    let mut bad = Checkpoint::start(&config());
    bad.params.truncate(10);
    let error = match pollster::block_on(GpuTrainer::resume(&data.train, &data.test, config(), bad))
    {
        Ok(_) => panic!("a 10-parameter checkpoint was accepted"),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("parameters"), "{error}");
}
