//! Golden values the cost model must reproduce, each with its source. Floats are compared with
//! the relative tolerance stated next to each check.

use price_war_lab::cost::accelerators::{Precision, find_accelerator};
use price_war_lab::cost::format::{format_money, format_number};
use price_war_lab::cost::input::parse_number;
use price_war_lab::cost::price_war::{break_even, markup_price};
use price_war_lab::cost::serving::cost_for_tokens;
use price_war_lab::cost::training::{
    TrainingRunInput, implied_mfu, mlp_flops, training_flops, training_run,
};
use price_war_lab::cost::units::{Currency, PriceUnit};
use price_war_lab::model;

/// Relative difference |a − b| ÷ |b|.
fn rel_diff(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

#[test]
fn gpt3_training_flops() {
    // GPT-3 175B trained on 300B tokens: Brown et al., "Language Models are Few-Shot Learners"
    // (2020), table 2.2 (300B tokens) and appendix D / table D.1, which reports 3.14e23
    // training FLOPs.
    let flops = training_flops(175e9, 300e9).expect("GPT-3's size and tokens are valid inputs");

    // 6 × 175e9 × 300e9 = 3.15e23, exact up to float rounding (tolerance 1e-12).
    assert!(
        rel_diff(flops.total_flops, 3.15e23) < 1e-12,
        "{}",
        flops.total_flops
    );
    // Within 0.5% of the paper's 3.14e23 (the rule leaves out attention FLOPs).
    assert!(rel_diff(flops.total_flops, 3.14e23) < 0.005);
    assert_eq!(format_number(flops.total_flops), "3.15 × 10²³");
}

#[test]
fn llama2_70b_implied_mfu_and_back() {
    // Llama 2 70B: 2.0T training tokens (Touvron et al., "Llama 2: Open Foundation and
    // Fine-Tuned Chat Models" (2023), table 1) and 1,720,320 A100-80GB GPU-hours (same paper,
    // table 2). A100 dense BF16 peak 312 TFLOPS (NVIDIA A100 datasheet).
    let params = 70e9;
    let tokens = 2e12;
    let reported_gpu_hours = 1_720_320.0;
    let a100 = find_accelerator("a100-sxm").expect("A100 is in the table");
    let peak = a100
        .peak_flop_per_s(Precision::Bf16)
        .expect("A100 has a BF16 peak");
    assert_eq!(peak, 312e12);

    let flops = training_flops(params, tokens)
        .expect("valid inputs")
        .total_flops;
    let mfu = implied_mfu(flops, peak, reported_gpu_hours)
        .expect("a plausible MFU")
        .mfu;
    // 8.4e23 ÷ (312e12 × 1,720,320 × 3600) = 0.43472…; the issue quotes ≈ 43.5% (±0.05 points).
    assert!((mfu - 0.435).abs() < 0.0005, "implied MFU {mfu}");

    // Working back from that MFU gives the same GPU-hours (tolerance 1e-9: two divisions).
    let run = training_run(&TrainingRunInput {
        total_flops: flops,
        peak_flop_per_s: peak,
        mfu,
        gpu_count: 2048,
        price_per_gpu_hour: 1.0,
    })
    .expect("valid inputs");
    assert!(
        rel_diff(run.gpu_hours, reported_gpu_hours) < 1e-9,
        "{}",
        run.gpu_hours
    );
}

#[test]
fn break_even_volume() {
    // Issue 3's worked example, by hand: fixed cost 300,000 ÷ (price 10 − marginal cost 6)
    // = 75,000 units (exact in binary floating point, tolerance 0).
    let b = break_even(300_000.0, 10.0, 6.0).expect("price above marginal cost");
    assert_eq!(b.break_even_units, 75_000.0);
}

#[test]
fn markup_rule_price() {
    // Issue 3's worked example of the markup (Lerner) rule P = MC ÷ (1 − 1/|ε|)
    // (Tirole, "The Theory of Industrial Organization" (1988), §1.1): MC 4, ε −2 → 4 ÷ ½ = 8,
    // exact in binary floating point (tolerance 0).
    let m = markup_price(4.0, -2.0).expect("elastic demand");
    assert_eq!(m.price, 8.0);
}

#[test]
fn token_price_over_two_million_tokens() {
    // Issue 3: $0.15 per 1M tokens (OpenAI's published GPT-4o mini input price, July 2024)
    // over 2,000,000 tokens costs $0.30 (tolerance 1e-12).
    let c = cost_for_tokens(0.15, PriceUnit::PerMillionTokens, 2_000_000.0).expect("valid inputs");
    assert!(rel_diff(c.cost, 0.30) < 1e-12, "{}", c.cost);
    assert_eq!(format_money(c.cost, Currency::Usd), "$0.30");

    // The same price typed per 1K tokens or per token gives the same cost.
    for unit in [PriceUnit::PerThousandTokens, PriceUnit::PerToken] {
        let price = PriceUnit::PerMillionTokens.convert(0.15, unit);
        let c = cost_for_tokens(price, unit, 2_000_000.0).expect("valid inputs");
        assert!(rel_diff(c.cost, 0.30) < 1e-12, "{unit:?}: {}", c.cost);
    }
}

#[test]
fn article_mlp_flops() {
    // The article's MLP 784 → 128 → 10, counted by hand in src/model/mod.rs:
    // forward 2·(784·128 + 128·10) = 203,264 and forward + backward 409,088 FLOPs per sample.
    let m = mlp_flops(&[784, 128, 10]).expect("valid layers");
    assert_eq!(m.forward_flops_per_sample, 203_264);
    assert_eq!(m.train_flops_per_sample, 409_088);
    assert_eq!(m.forward_flops_per_sample, model::FORWARD_FLOPS_PER_SAMPLE);
    assert_eq!(m.train_flops_per_sample, model::TRAIN_FLOPS_PER_SAMPLE);
}

#[test]
fn typed_inputs_reach_the_formulas() {
    // What a reader types for the GPT-3 example, in several styles, reaches the same result.
    let params = [
        "175e9",
        "175,000,000,000",
        "１７５ｅ９",
        "175 billion",
        "1.75 × 10¹¹",
    ];
    for text in params {
        let n = parse_number(text).unwrap_or_else(|e| panic!("'{text}': {e}"));
        let flops = training_flops(n, 300e9).expect("valid inputs").total_flops;
        assert!(rel_diff(flops, 3.15e23) < 1e-12, "'{text}' gave {flops}");
    }
}
