//! The export formats: a run and the calculators' state written as JSON and CSV read back
//! unchanged, and malformed files refused with a message that names the problem.

use price_war_lab::export::{CalculatorState, ExportError, Kept, RunRecord, read};
use price_war_lab::train::{EpochReport, RunReport, TrainConfig};

/// A stopped two-of-three-epoch run with awkward figures: floats with no short decimal form,
/// an adapter name that needs CSV quoting, one epoch with GPU time and one without.
fn sample_run() -> RunRecord {
    let epoch = |n: usize, loss: f32, acc: f32, gpu: Option<f64>| EpochReport {
        epoch: n,
        train_loss: loss,
        train_accuracy: acc * 0.99,
        test_accuracy: acc,
        samples: 8000,
        train_time_s: 1.0 / 3.0 * n as f64,
        eval_time_s: 0.1 + 0.2,
        samples_per_s: 8000.0 / (1.0 / 3.0 * n as f64),
        gpu_time_s: gpu,
    };
    RunRecord {
        requested_device: "auto".to_owned(),
        report: RunReport {
            device: "SwiftShader Device (Subzero), \"test\" adapter (WebGPU)".to_owned(),
            config: TrainConfig {
                epochs: 3,
                ..TrainConfig::default()
            },
            train_samples: 8000,
            test_samples: 2000,
            epochs: vec![
                epoch(1, 0.412_345_67, 0.901_2, Some(0.123_456_789)),
                epoch(2, 1.0 / 7.0, 0.935_5, None),
            ],
            stopped: true,
        },
    }
}

fn sample_state() -> CalculatorState {
    CalculatorState {
        inputs: vec![
            ("training-params".into(), "7e10".into()),
            ("training-accelerator".into(), "a100-sxm".into()),
            ("pricewar-price".into(), "1,000.5".into()),
            ("utilisation-t".into(), "１０".into()),
        ],
    }
}

#[test]
fn a_run_round_trips_through_json_and_csv() {
    let run = sample_run();
    for text in [run.to_json(), run.to_csv()] {
        assert_eq!(read(&text), Ok(Kept::Run(run.clone())), "file:\n{text}");
    }
}

#[test]
fn every_float_reads_back_exactly_from_json() {
    // A measured throughput that serde_json's default (fast) float parser read 1 ulp off,
    // found by the browser test of export and import.
    let mut run = sample_run();
    run.report.epochs[0].samples_per_s = 20_314.880_650_076_182;
    assert_eq!(read(&run.to_json()), Ok(Kept::Run(run)));
}

#[test]
fn the_calculator_state_round_trips_through_json_and_csv() {
    let state = sample_state();
    for text in [state.to_json(), state.to_csv()] {
        assert_eq!(
            read(&text),
            Ok(Kept::Calculator(state.clone())),
            "file:\n{text}"
        );
    }
}

#[test]
fn a_spreadsheet_saved_csv_still_reads() {
    let csv = sample_state().to_csv().replace('\n', "\r\n");
    let with_bom = format!("\u{feff}{csv}");
    assert_eq!(read(&with_bom), Ok(Kept::Calculator(sample_state())));
}

#[test]
fn malformed_files_are_refused_with_a_message_naming_the_problem() {
    let run_json = sample_run().to_json();
    let run_csv = sample_run().to_csv();
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "empty"),
        ("{\"format\": \"price-war-lab\",".into(), "not valid JSON"),
        (r#"{"format": "other-app", "kind": "run", "version": 1}"#.into(), "'other-app'"),
        (r#"{"format": "price-war-lab", "kind": "weights", "version": 1}"#.into(), "'weights'"),
        (r#"{"format": "price-war-lab", "kind": "run", "version": 2}"#.into(), "Version 2"),
        (r#"{"format": "price-war-lab", "version": 1}"#.into(), "'kind' is missing"),
        (run_json.replace("\"test_accuracy\": 0.9355", "\"test_accuracy\": 1.5"), "epochs[2].test_accuracy"),
        (run_json.replace("\"test_accuracy\": 0.9355", "\"test_accuracy\": null"), "line 37"),
        (run_json.replace("\"requested_device\": \"auto\"", "\"requested_device\": \"tpu\""), "requested_device"),
        (run_json.replace("\"stopped\": true", "\"stopped\": false"), "'stopped'"),
        (run_csv.replace("\n2,", "\n3,"), "epochs[2].epoch"),
        (run_csv.replace("batch_size,64", "batch_size,sixty-four"), "'batch_size'"),
        (run_csv.replace("test_accuracy,", "accuracy,"), "column test_accuracy"),
        (run_csv.replace("\n2,", "\n2,0.5,"), "CSV line"),
        ("format,price-war-lab\nkind,calculator\nversion,1\n\ninput,value\ntraining-params,1\ntraining-params,2\n".into(), "appears twice"),
        ("format,price-war-lab\nkind,calculator\nversion,1\n\ninput,value\n<script>,1\n".into(), "'<script>'"),
        ("format,price-war-lab\nkind,calculator\nversion,1\n\ninput,value\nserving-gpus,\"".into(), "not closed"),
        ("hello, world\n".into(), "'format' is missing"),
        ("hello, big, world\n".into(), "expected 2 fields"),
        ("a".repeat(2 << 20), "at most 1 MiB"),
    ];
    for (text, expected) in cases {
        let err = read(&text).expect_err(&format!("accepted:\n{}", &text[..text.len().min(300)]));
        let message = err.to_string();
        assert!(
            message.contains(expected),
            "message {message:?} should mention {expected:?}"
        );
        assert!(!err.message_zh().is_empty());
    }
}

#[test]
fn calculator_inputs_are_checked_against_the_page() {
    let state = sample_state();
    let known = [
        "training-params",
        "training-accelerator",
        "pricewar-price",
        "utilisation-t",
        "serving-gpus",
    ];
    let accepts = |key: &str, value: &str| -> Option<bool> {
        known.contains(&key).then(|| !value.contains("bad"))
    };
    assert_eq!(state.check(known, accepts), Ok(vec!["serving-gpus"]));

    let mut unknown = state.clone();
    unknown.inputs.push(("serving-warp".into(), "9".into()));
    assert_eq!(
        unknown.check(known, accepts),
        Err(ExportError::UnknownInput("serving-warp".into()))
    );

    let mut bad = state;
    bad.inputs[0].1 = "bad".into();
    let err = bad.check(known, accepts).unwrap_err();
    assert!(err.to_string().contains("'training-params'"), "{err}");
}
