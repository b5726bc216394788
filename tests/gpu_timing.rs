//! GPU time from timestamp queries, on this machine's adapter (lavapipe in CI, which has them).

// Native only: it drives a native wgpu adapter.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use price_war_lab::mnist::Mnist;
use price_war_lab::train::TrainConfig;
use price_war_lab::train::gpu::GpuTrainer;

/// Each epoch's GPU time is positive and no longer than its wall time: the chunks' compute
/// passes all run between the epoch's start and its last readback. 10% slack for the two
/// clocks (GPU ticks and the host's) not being one.
#[test]
fn epochs_report_gpu_time_within_their_wall_time() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("public/data");
    let data = Mnist::load_dir(&dir).expect("the embedded MNIST files in public/data load");
    let config = TrainConfig {
        epochs: 2,
        ..TrainConfig::default()
    };
    let mut trainer = pollster::block_on(GpuTrainer::new(&data.train, &data.test, config))
        .unwrap_or_else(|e| panic!("no usable GPU adapter ({e}); see scripts/setup.sh"));
    assert!(
        trainer.has_gpu_timer(),
        "the CI adapter ({}) is expected to offer timestamp queries",
        trainer.adapter_name()
    );

    let report = pollster::block_on(trainer.run(&mut |_| {}, &|| false)).expect("training runs");

    assert_eq!(report.epochs.len(), 2);
    for epoch in &report.epochs {
        let gpu_s = epoch
            .gpu_time_s
            .unwrap_or_else(|| panic!("epoch {} has no GPU time", epoch.epoch));
        assert!(gpu_s > 0.0, "epoch {}: GPU time {gpu_s} s", epoch.epoch);
        assert!(
            gpu_s <= epoch.train_time_s * 1.1,
            "epoch {}: GPU time {gpu_s} s exceeds wall time {} s",
            epoch.epoch,
            epoch.train_time_s
        );
    }
}
