//! The WGSL kernels, run through wgpu on this machine's adapter (lavapipe's Vulkan device in
//! CI), against the plain-Rust reference of the same MLP on the same real digits.
//!
//! There is no skip: a machine without an adapter fails these tests, with the error that says
//! why (install `mesa-vulkan-drivers`, as `scripts/setup.sh` does).

// Native only: they read files and drive a native wgpu adapter.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use price_war_lab::mnist::Mnist;
use price_war_lab::model::reference::{self, AdamState};
use price_war_lab::model::{Adam, CLASSES, HIDDEN, init_params, layout};
use price_war_lab::rng::Rng;
use price_war_lab::train::cpu::{CpuTrainer, gather_inputs};
use price_war_lab::train::gpu::{GpuTrainer, HeadVariant};
use price_war_lab::train::{TrainConfig, TrainEvent};

fn embedded_data() -> Mnist {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("public/data");
    Mnist::load_dir(&dir).expect("the embedded MNIST files in public/data load")
}

fn gpu_trainer(data: &Mnist, config: TrainConfig) -> GpuTrainer {
    pollster::block_on(GpuTrainer::new(&data.train, &data.test, config)).unwrap_or_else(|e| {
        panic!("no usable GPU adapter ({e}); install mesa-vulkan-drivers (scripts/setup.sh)")
    })
}

/// Asserts `|gpu − cpu| ≤ abs + rel·|cpu|` element by element, naming the worst element.
fn assert_close(what: &str, gpu: &[f32], cpu: &[f32], abs: f32, rel: f32) {
    assert_eq!(gpu.len(), cpu.len(), "{what}: lengths differ");
    let mut worst = (0usize, 0.0f32);
    for (i, (&g, &c)) in gpu.iter().zip(cpu).enumerate() {
        assert!(g.is_finite(), "{what}[{i}] is {g} on the GPU");
        let excess = (g - c).abs() - (abs + rel * c.abs());
        if excess > worst.1 {
            worst = (i, excess);
        }
    }
    let (i, excess) = worst;
    assert!(
        excess <= 0.0,
        "{what}[{i}]: GPU {} vs CPU {} (tolerance {abs} + {rel}·|cpu|)",
        gpu[i],
        cpu[i]
    );
}

/// One step on real digits, with every head variant and a full and a short batch: logits,
/// loss, every gradient and the Adam update.
///
/// Tolerances: both sides compute in f32 but sum in different orders (and the GPU may fuse
/// multiply-adds), so sums of 784 products agree to about 1e-6 relative; we allow 1e-4
/// relative plus a small absolute term for values near zero.
#[test]
fn one_step_on_the_gpu_matches_the_reference() {
    let data = embedded_data();
    for head in HeadVariant::ALL {
        for batch in [64, 37] {
            one_step_matches(&data, head, batch);
        }
    }
}

fn one_step_matches(data: &Mnist, head: HeadVariant, batch: usize) {
    let config = TrainConfig {
        seed: 7,
        ..TrainConfig::default()
    };
    let mut trainer = gpu_trainer(data, config);
    trainer.set_head_variant(head);
    let mut rng = Rng::new(99);
    let mut rows: Vec<u32> = (0..data.train.len() as u32).collect();
    rng.shuffle(&mut rows);
    rows.truncate(batch);

    let trace = pollster::block_on(trainer.trace_step(&rows)).expect("GPU step runs");

    let params = init_params(config.seed);
    let mut inputs = Vec::new();
    gather_inputs(&data.train, &rows, &mut inputs);
    let labels: Vec<u8> = rows.iter().map(|&r| data.train.label(r as usize)).collect();
    let acts = reference::forward(&params, &inputs, batch);
    let loss = reference::softmax_cross_entropy(&acts.logits, &labels);
    let mut grads = Vec::new();
    reference::backward(
        &params,
        &inputs,
        &acts,
        &loss.grad_logits,
        batch,
        &mut grads,
    );

    assert_close(
        &format!("{head:?}, batch {batch}: hidden"),
        &trace.hidden,
        &acts.hidden,
        1e-5,
        1e-4,
    );
    assert_eq!(trace.hidden.len(), batch * HIDDEN);
    assert_close(
        &format!("{head:?}, batch {batch}: logits"),
        &trace.logits,
        &acts.logits,
        1e-5,
        1e-4,
    );
    assert_eq!(trace.logits.len(), batch * CLASSES);
    assert_close(
        &format!("{head:?}, batch {batch}: loss sum"),
        &[trace.loss_sum],
        &[loss.loss_sum],
        1e-4,
        1e-5,
    );
    assert_eq!(
        trace.correct as usize, loss.correct,
        "{head:?}: correct predictions"
    );
    assert_close(
        &format!("{head:?}, batch {batch}: dW1"),
        &trace.grads[layout::W1..layout::B1],
        &grads[..layout::B1],
        1e-7,
        1e-3,
    );
    assert_close(
        &format!("{head:?}, batch {batch}: db1"),
        &trace.grads[layout::B1..layout::W2],
        &grads[layout::B1..layout::W2],
        1e-7,
        1e-3,
    );
    assert_close(
        &format!("{head:?}, batch {batch}: dW2"),
        &trace.grads[layout::W2..layout::B2],
        &grads[layout::W2..layout::B2],
        1e-7,
        1e-3,
    );
    assert_close(
        &format!("{head:?}, batch {batch}: db2"),
        &trace.grads[layout::B2..],
        &grads[layout::B2..],
        1e-7,
        1e-3,
    );

    // Adam on the GPU's own gradients, so this compares the update alone. One step moves a
    // parameter by at most lr = 1e-3; the two sides agree to a few ULPs of that.
    let mut expected = params.clone();
    let mut state = AdamState::default();
    reference::adam_step(&mut expected, &trace.grads, &mut state, &Adam::default());
    assert_close(
        &format!("{head:?}, batch {batch}: params after Adam"),
        &trace.params,
        &expected,
        1e-7,
        1e-6,
    );
    assert_close(
        &format!("{head:?}, batch {batch}: Adam m"),
        &trace.adam_m,
        &state.m,
        1e-10,
        1e-5,
    );
    assert_close(
        &format!("{head:?}, batch {batch}: Adam v"),
        &trace.adam_v,
        &state.v,
        1e-14,
        1e-5,
    );
    let moved = trace
        .params
        .iter()
        .zip(&params)
        .filter(|(a, b)| a != b)
        .count();
    assert!(
        moved > layout::LEN / 10,
        "the Adam step moved only {moved} parameters"
    );
}

/// A whole epoch on each path from the same seed: both learn, to nearly the same accuracy.
#[test]
fn one_epoch_on_gpu_and_cpu_reach_the_same_accuracy() {
    let data = embedded_data();
    let config = TrainConfig {
        epochs: 1,
        seed: 3,
        ..TrainConfig::default()
    };

    let mut gpu = gpu_trainer(&data, config);
    let mut events = Vec::new();
    let gpu_report =
        pollster::block_on(gpu.run(&mut |e| events.push(e), &|| false)).expect("GPU epoch runs");
    let mut cpu = CpuTrainer::new(&data.train, &data.test, config);
    let cpu_report = pollster::block_on(cpu.run(&mut |_| {}, &|| false));

    let gpu_accuracy = gpu_report
        .final_test_accuracy()
        .expect("one epoch reported");
    let cpu_accuracy = cpu_report
        .final_test_accuracy()
        .expect("one epoch reported");
    assert!(
        gpu_accuracy >= 0.85,
        "GPU test accuracy {gpu_accuracy} after one epoch"
    );
    assert!(
        cpu_accuracy >= 0.85,
        "CPU test accuracy {cpu_accuracy} after one epoch"
    );
    // Same batches, same start; only rounding differs, so one epoch ends within a point.
    assert!(
        (gpu_accuracy - cpu_accuracy).abs() <= 0.01,
        "GPU {gpu_accuracy} vs CPU {cpu_accuracy}"
    );
    let gpu_loss = gpu_report.epochs[0].train_loss;
    let cpu_loss = cpu_report.epochs[0].train_loss;
    assert!(
        (gpu_loss - cpu_loss).abs() <= 0.01,
        "train loss GPU {gpu_loss} vs CPU {cpu_loss}"
    );

    assert!(!gpu_report.stopped);
    assert_eq!(gpu_report.epochs[0].samples, data.train.len());
    assert!(gpu_report.epochs[0].samples_per_s > 0.0);
    let progress = events
        .iter()
        .filter(|e| matches!(e, TrainEvent::Step(_)))
        .count();
    assert!(progress >= 2, "only {progress} progress events in an epoch");
    println!(
        "one epoch: GPU '{}' {:.0} samples/s, accuracy {gpu_accuracy:.4}; CPU {:.0} samples/s, \
         accuracy {cpu_accuracy:.4}",
        gpu.adapter_name(),
        gpu_report.epochs[0].samples_per_s,
        cpu_report.epochs[0].samples_per_s
    );
}

/// Stop asked after the first chunk: the run ends cleanly, reports no finished epoch, and the
/// trainer still answers.
#[test]
fn stopping_mid_epoch_is_clean() {
    let data = embedded_data();
    let config = TrainConfig {
        epochs: 2,
        ..TrainConfig::default()
    };
    let mut gpu = gpu_trainer(&data, config);
    let report = pollster::block_on(gpu.run(&mut |_| {}, &|| true)).expect("run stops cleanly");
    assert!(report.stopped);
    assert!(report.epochs.is_empty());
    let params = pollster::block_on(gpu.params()).expect("parameters read back");
    assert!(params.iter().all(|p| p.is_finite()));
    assert_ne!(
        params,
        init_params(config.seed),
        "the first chunk's steps were applied"
    );
}
