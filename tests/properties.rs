//! Property-based tests of every cost formula and every input parser: whatever numbers or text
//! arrive, nothing panics, and every result is either finite and right (the relations that
//! must hold between a formula's outputs, within a stated tolerance) or an error whose message
//! exists in both languages, says no "NaN" or "inf" and stays short.
//!
//! Each property runs [`CASES`] cases from a fixed seed, so a run is quick, prints nothing and
//! fails the same way every time; a failure prints the smallest input proptest could shrink it
//! to. The text generators imitate what people type and paste (see `input.rs`).

#![cfg(not(target_arch = "wasm32"))]

#[path = "properties/formulas.rs"]
mod formulas;
#[path = "properties/input.rs"]
mod input;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// Cases per property: 32 properties × 512 cases take about two seconds in a test build.
pub const CASES: u32 = 512;

/// The seed every property starts from; change it to explore other cases.
const SEED: u64 = 0x7072_6963_6577_6172; // "pricewar"

/// The configuration of every property: [`CASES`] cases from [`SEED`], and no regression
/// files written (a failure is reported in the test output instead).
pub fn config() -> Config {
    Config {
        cases: CASES,
        rng_seed: RngSeed::Fixed(SEED),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Relative tolerance of every relation between outputs. Each side of a relation is a handful
/// of correctly rounded operations (at most about 8 × 2⁻⁵³ ≈ 10⁻¹⁵ apart); 10⁻¹² leaves room
/// for the few chained ones without hiding a wrong formula, which is off by far more.
pub const REL: f64 = 1e-12;

/// Whether `a` and `b` agree within [`REL`] of the larger.
pub fn close(a: f64, b: f64) -> bool {
    a.is_finite() && b.is_finite() && (a - b).abs() <= REL * a.abs().max(b.abs())
}

/// Asserts [`close`], naming the relation.
#[track_caller]
pub fn assert_close(relation: &str, a: f64, b: f64) {
    assert!(close(a, b), "{relation}: {a:e} vs {b:e}");
}

/// True when every value is a normal `f64`: not 0, not subnormal. Subnormal values keep fewer
/// significant bits by design (IEEE 754), and a result below the smallest `f64` rounds to 0
/// (0 is then the correctly rounded answer, but no relation can be checked through it), so
/// relations are only checked where every value involved is normal.
pub fn normal(values: &[f64]) -> bool {
    values.iter().all(|x| x.is_normal())
}

/// Whether `text` contains the word NaN or inf/infinity in any case: what a number that is not
/// one prints as in Rust or JavaScript.
pub fn mentions_non_number(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| ["nan", "inf", "infinity"].contains(&w.to_lowercase().as_str()))
}

/// Checks the two messages of an error: present, different, short, and without NaN or inf.
#[track_caller]
pub fn assert_messages(en: &str, zh: &str) {
    assert!(
        !en.trim().is_empty() && !zh.trim().is_empty(),
        "empty message"
    );
    assert_ne!(en, zh, "the Chinese message is the English one");
    for message in [en, zh] {
        assert!(
            message.chars().count() <= 300,
            "message of {} characters: {message}",
            message.chars().count()
        );
        assert!(
            !mentions_non_number(message),
            "message says NaN or inf: {message}"
        );
    }
}

/// Any `f64`: NaN, ±∞, ±0, subnormals, the extremes, and every magnitude in between.
pub fn any_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(vec![
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            1.0,
            -1.0,
            1e100,
            1e-100,
        ]),
        any::<f64>(),
        (-330i32..=310, 1.0f64..10.0, any::<bool>()).prop_map(|(e, m, negative)| {
            let x = m * 10f64.powi(e);
            if negative { -x } else { x }
        }),
    ]
}

/// A positive value between 10^`low` and 10^`high`, spread evenly over the powers of ten.
pub fn magnitude(low: f64, high: f64) -> impl Strategy<Value = f64> {
    (low..high).prop_map(|e| 10f64.powf(e))
}

/// A fraction in (0, 1], as an MFU or a share.
pub fn share() -> impl Strategy<Value = f64> {
    prop_oneof![Just(1.0), 0.001f64..=1.0]
}

/// A count of GPUs or sequences: mostly small, sometimes at the 10,000,000 limit.
pub fn gpus() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 1u32..=1024, 1 => 1u32..=10_000_000]
}

/// Any `u32`, with 0 and the limits often.
pub fn any_count() -> impl Strategy<Value = u32> {
    prop_oneof![
        prop::sample::select(vec![0, 1, 10_000_000, 10_000_001, u32::MAX]),
        any::<u32>(),
    ]
}
