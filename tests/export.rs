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
        (run_csv.replace("test_accuracy,", "accuracy,"), "header must be epoch,train_loss"),
        (run_csv.replace("\n2,", "\n2,0.5,"), "CSV line"),
        ("format,price-war-lab\nkind,calculator\nversion,1\n\ninput,value\ntraining-params,1\ntraining-params,2\n".into(), "appears twice"),
        ("format,price-war-lab\nkind,calculator\nversion,1\n\ninput,value\n<script>,1\n".into(), "'<script>'"),
        ("format,price-war-lab\nkind,calculator\nversion,1\n\ninput,value\nserving-gpus,\"".into(), "not closed"),
        ("hello, world\n".into(), "not a Price War Lab export"),
        ("hello, big, world\n".into(), "not a Price War Lab export"),
        ("format,price-war-lab\nkind, big, run\n".into(), "expected 2 fields"),
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

/// `read` refusing `text`, with a message (English) that contains every one of `expected`.
fn refused(text: &str, expected: &[&str]) -> ExportError {
    let err = read(text).expect_err(&format!("accepted:\n{}", &text[..text.len().min(300)]));
    let message = err.to_string();
    for part in expected {
        assert!(
            message.contains(part),
            "message {message:?} should mention {part:?}"
        );
    }
    err
}

#[test]
fn implausible_times_and_throughputs_are_refused() {
    // Found by the break-it pass: train_time_s 1e308 was kept, and the page showed
    // "training time inf s" and an MFU of 3.96 × 10⁻³¹¹ %.
    let run = sample_run();
    let json = run.to_json();
    let time = run.report.epochs[0].train_time_s.to_string();
    assert!(json.contains(&time), "the JSON writes {time} as it is");
    refused(
        &json.replacen(&time, "1e308", 1),
        &["epochs[1].train_time_s", "'1e308'", "10,000,000 s"],
    );
    let csv = run.to_csv();
    refused(
        &csv.replacen(&time, "1e308", 1),
        &["epochs[1].train_time_s", "'1e308'", "10,000,000 s"],
    );

    let mut slow = run.clone();
    slow.report.epochs[1].train_time_s = 1.0e7 + 1.0;
    refused(&slow.to_json(), &["epochs[2].train_time_s"]);
    let mut fast = run.clone();
    fast.report.epochs[0].samples_per_s = 2.0e9;
    refused(
        &fast.to_json(),
        &["epochs[1].samples_per_s", "1,000,000,000 samples/s"],
    );
    let mut eval = run.clone();
    eval.report.epochs[0].eval_time_s = 1.0e300;
    refused(&eval.to_csv(), &["epochs[1].eval_time_s"]);
    let mut gpu = run;
    gpu.report.epochs[0].gpu_time_s = Some(1.0e300);
    refused(&gpu.to_json(), &["epochs[1].gpu_time_s"]);
}

#[test]
fn a_run_that_took_no_time_is_refused() {
    // Found by the break-it pass: all times 0 were kept, and the cost model then showed "—".
    for field in ["train_time_s", "samples_per_s"] {
        let mut run = sample_run();
        for e in &mut run.report.epochs {
            if field == "train_time_s" {
                e.train_time_s = 0.0;
            } else {
                e.samples_per_s = 0.0;
            }
        }
        for text in [run.to_json(), run.to_csv()] {
            refused(&text, &[&format!("epochs[1].{field}"), "more than 0"]);
        }
    }
}

#[test]
fn a_run_with_no_finished_epoch_is_refused() {
    // Found by the break-it pass: `"stopped": true, "epochs": []` was kept, with the "use in
    // the cost model" button on and "training time -0.00 s".
    let mut run = sample_run();
    run.report.epochs.clear();
    for text in [run.to_json(), run.to_csv()] {
        let err = refused(&text, &["nothing to keep"]);
        assert_eq!(err, ExportError::NoEpochs);
    }
}

#[test]
fn a_file_that_is_not_an_export_is_told_apart_from_a_broken_csv() {
    // Found by the break-it pass: these were all reported as "CSV line 1: …".
    let array = r#"[{"format": "price-war-lab", "kind": "run", "version": 1}]"#;
    refused(array, &["not a Price War Lab export", "JSON array"]);
    refused(
        &"[".repeat(10_000),
        &["not a Price War Lab export", "JSON array"],
    );
    refused(
        "PK\u{3}\u{4}\0\0binary",
        &["not a Price War Lab export", "not text"],
    );
    refused("\u{fffd}\u{fffd}PNG", &["not text"]);
    refused(
        "name,price\nH100,2\n",
        &["not a Price War Lab export", "format,price-war-lab"],
    );
}

#[test]
fn a_csv_table_with_its_columns_in_another_order_is_refused() {
    // Found by the break-it pass: a header reversed to "value,input" read the values as
    // names and said "The input '1000' appears twice".
    let reversed = "format,price-war-lab\nkind,calculator\nversion,1\n\nvalue,input\n\
                    training-params,1000\nserving-gpus,1000\n";
    refused(reversed, &["CSV line 5", "header must be input,value"]);
    let no_table = "format,price-war-lab\nkind,calculator\nversion,1\n";
    assert_eq!(read(no_table), Err(ExportError::NoTable));
    let run_csv = sample_run().to_csv();
    let swapped = run_csv.replace("train_loss,train_accuracy", "train_accuracy,train_loss");
    refused(
        &swapped,
        &["header must be epoch,train_loss,train_accuracy"],
    );
}

/// ASCII words in a Chinese message outside its quoted parts (“…”, which hold the file's own
/// names and values), less the names a Chinese reader also sees in the file.
fn english_words(message: &str) -> Vec<String> {
    // The file's own words, which a Chinese reader sees in the file too.
    const NAMES: [&str; 11] = [
        "JSON",
        "CSV",
        "MiB",
        "format",
        "kind",
        "version",
        "run",
        "calculator",
        "auto",
        "gpu",
        "cpu",
    ];
    let mut outside = String::new();
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '“' => quoted = true,
            '”' => quoted = false,
            _ if !quoted => outside.push(c),
            _ => {}
        }
    }
    outside
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() > 1 && !NAMES.contains(w))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_error_reads_in_chinese() {
    // Found by the break-it pass: the Chinese page showed "（a finite number, 0 or more）",
    // "缺少“column gpu_time_s”" and "CSV 第 1 行有误：expected 2 fields (name, value), found 1".
    let run_json = sample_run().to_json();
    let run_csv = sample_run().to_csv();
    let calculator = "format,price-war-lab\nkind,calculator\nversion,1\n\ninput,value\n";
    let mut no_epochs = sample_run();
    no_epochs.report.epochs.clear();
    let files: Vec<String> =
        vec![
        String::new(),
        "a".repeat(2 << 20),
        "[1]".into(),
        "\0".into(),
        "hello, world".into(),
        "{\"format\": \"price-war-lab\",".into(),
        "{\"format\": \"price-war-lab\", \"kind\": \"run\", \"version\": 1 x}".into(),
        run_json.replace("\"test_accuracy\": 0.9355", "\"test_accuracy\": null"),
        run_json.replace("\"adapter\"", "\"adapt\""),
        r#"{"format": "other-app", "kind": "run", "version": 1}"#.into(),
        r#"{"format": "price-war-lab", "kind": "weights", "version": 1}"#.into(),
        r#"{"format": "price-war-lab", "kind": "run", "version": 2}"#.into(),
        r#"{"format": "price-war-lab", "version": 1}"#.into(),
        run_json.replace("\"requested_device\": \"auto\"", "\"requested_device\": \"tpu\""),
        run_json.replace("\"stopped\": true", "\"stopped\": false"),
        run_json.replace("\"batch_size\": 64", "\"batch_size\": 0"),
        run_json.replace("\"beta1\": 0.9", "\"beta1\": -0.9"),
        run_json.replace("\"epochs\": 3", "\"epochs\": 1"),
        run_csv.replace("\n2,", "\n3,"),
        run_csv.replace("\n2,", "\n2,0.5,"),
        run_csv.replace("batch_size,64", "batch_size,sixty-four"),
        run_csv.replace("test_accuracy,", "accuracy,"),
        run_csv.replace(",0.9355,", ",1.5,"),
        run_csv.replace(",0.9355,", ",-1,"),
        run_csv.replacen(",0.3333333333333333,", ",0,", 1),
        no_epochs.to_json(),
        "format,price-war-lab\nkind,a\"b\n".into(),
        "format,\"price-war-lab\n".into(),
        "format,price-war-lab\nkind,calculator\n".into(),
        "format,price-war-lab\nkind\n".into(),
        format!("{calculator}training-params,1\ntraining-params,2\n"),
        format!("{calculator}<script>,1\n"),
        format!("{calculator}serving-gpus,{}\n", "9".repeat(101)),
        "format,price-war-lab\nkind,calculator\nversion,1\n\nvalue,input\n".into(),
        r#"{"format": "price-war-lab", "kind": "calculator", "version": 1, "inputs": {"a": []}}"#
            .into(),
    ];
    let mut errors: Vec<ExportError> = files.iter().filter_map(|f| read(f).err()).collect();
    assert_eq!(errors.len(), files.len(), "every file above is refused");
    let known = ["training-params"];
    let page = |key: &str, value: &str| known.contains(&key).then(|| value != "bad");
    let state = |key: &str, value: &str| CalculatorState {
        inputs: vec![(key.into(), value.into())],
    };
    errors.extend(state("training-params", "bad").check(known, page).err());
    errors.extend(state("serving-warp", "1").check(known, page).err());
    assert_eq!(errors.len(), files.len() + 2);
    for err in errors {
        let zh = err.message_zh();
        let english = english_words(&zh);
        assert!(
            english.is_empty(),
            "{zh:?} (for {err}) has English words {english:?}"
        );
    }
}
