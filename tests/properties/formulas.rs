//! Properties of every cost formula (`cost::{article, training, parallel, serving, price_war,
//! measured}`). Each property draws either realistic inputs, which must give a result, or any
//! `f64` at all (NaN, ±∞, ±0, subnormals, 10³⁰⁸), which must give a finite result or an error.
//! Every result is checked against relations that must hold between its outputs (break-even
//! volume × margin = fixed cost, tokens/s × step time = batch, …) within [`REL`], and every
//! "how this was computed" line is checked for NaN and inf.

use price_war_lab::cost::article::{self, FormulaError};
use price_war_lab::cost::error::CostError;
use price_war_lab::cost::format::{MoneyFormat, Step};
use price_war_lab::cost::measured::{MeasuredRun, measured, measured_mfu, project};
use price_war_lab::cost::parallel::{
    CommOverlap, DataParallelInput, MemoryCheckInput, data_parallel, memory_check,
};
use price_war_lab::cost::price_war::{
    PriceCutInput, bertrand_floor, break_even, contribution_margin, markup_price, price_cut,
};
use price_war_lab::cost::serving::{
    Bound, GrossMarginInput, ServingInput, cost_for_tokens, gross_margin, kv_cache_bytes_per_token,
    serving,
};
use price_war_lab::cost::training::{
    TrainingRunInput, implied_mfu, mlp_flops, training_flops, training_run,
};
use price_war_lab::cost::units::{Currency, PriceUnit};
use price_war_lab::lang::Lang;
use proptest::prelude::*;

use super::{
    REL, any_count, any_value, assert_close, assert_messages, config, gpus, magnitude,
    mentions_non_number, normal, share,
};

// ---- shared checks ------------------------------------------------------------------------

/// Every line of "how this was computed" reads in both languages without NaN or inf.
#[track_caller]
fn assert_steps(steps: &[Step]) {
    assert!(!steps.is_empty(), "a result without its derivation");
    for step in steps {
        for text in [step.text_en(), step.text_zh()] {
            assert!(
                !mentions_non_number(&text),
                "derivation says NaN or inf: {text}"
            );
        }
    }
}

/// A formula's refusal: both messages fine, and an input error names one of `fields`.
#[track_caller]
fn assert_refusal(error: &CostError, fields: &[&str]) {
    assert_messages(&error.message_en(), &error.message_zh());
    if let Some(field) = error.field() {
        assert!(
            fields.contains(&field),
            "error names '{field}', not an input: {error}"
        );
    }
}

/// An article formula's refusal: both messages fine, and the reason true of the inputs.
#[track_caller]
fn assert_article_refusal(error: &FormulaError, inputs: &[f64]) {
    assert_messages(&error.to_string(), &error.message_zh());
    let holds = match error {
        FormulaError::ZeroDivisor(_) => inputs.contains(&0.0),
        FormulaError::Negative { value, .. } => *value < 0.0 && inputs.contains(value),
        FormulaError::NotFiniteInput(_) => inputs.iter().any(|x| !x.is_finite()),
        FormulaError::NotFiniteResult => inputs.iter().all(|x| x.is_finite()),
    };
    assert!(holds, "{error:?} for inputs {inputs:?}");
}

/// `realistic` inputs (flag `true`, must be accepted) three times in four, else any values.
fn either<T: std::fmt::Debug>(
    realistic: impl Strategy<Value = T>,
    wild: impl Strategy<Value = T>,
) -> impl Strategy<Value = (bool, T)> {
    prop_oneof![
        3 => realistic.prop_map(|t| (true, t)),
        1 => wild.prop_map(|t| (false, t)),
    ]
}

/// Whether every value is finite.
fn finite(values: &[f64]) -> bool {
    values.iter().all(|x| x.is_finite())
}

proptest! {
    #![proptest_config(config())]

    // ---- the article's six formulas (§4) ----------------------------------------------------

    #[test]
    fn article_formulas_are_finite_and_consistent(
        (realistic, (t, r, k, c, s, revenue)) in either(
            (
                magnitude(-3.0, 6.0),
                magnitude(0.0, 7.0),
                1.0f64..100.0,
                0.0f64..1e9,
                0.0f64..=1.0,
                -1e9f64..1e9,
            ),
            (any_value(), any_value(), any_value(), any_value(), any_value(), any_value()),
        ),
    ) {
        let eta = article::resource_utilisation(t, r);
        let e = article::algorithm_efficiency(r, t);
        let faster = article::resource_utilisation_faster(t, r, k);
        let shorter = article::resource_utilisation_shorter_time(t, r, k);
        let custom = article::customisation_value(c, s);
        let professional = article::professional_value(c, s);
        let innovation = article::tech_innovation_value(revenue, c);
        let product = article::product_innovation_value(revenue, c);

        for (result, inputs) in [
            (&eta, vec![t, r]),
            (&e, vec![r, t]),
            (&faster, vec![t, r, k]),
            (&shorter, vec![t, r, k]),
            (&custom, vec![c, s]),
            (&professional, vec![c, s]),
            (&innovation, vec![revenue, c]),
            (&product, vec![revenue, c]),
        ] {
            match result {
                Ok(v) => prop_assert!(v.is_finite() && !(*v == 0.0 && v.is_sign_negative()), "{v}"),
                Err(error) => assert_article_refusal(error, &inputs),
            }
            prop_assert!(!realistic || result.is_ok(), "{result:?} for {inputs:?}");
        }
        prop_assert_eq!(&custom, &professional);
        prop_assert_eq!(&innovation, &product);
        if let (Ok(eta), Ok(e)) = (eta, e)
            && eta > 0.0
            && normal(&[t, r, eta, e])
        {
            // η = T/R and E = R/T are reciprocals: the article's own oddity, exactly.
            assert_close("η × E = 1", eta * e, 1.0);
            assert_close("η × R = T", eta * r, t);
        }
        if let (Ok(eta), Ok(shorter)) = (eta, shorter)
            && normal(&[eta, shorter, k])
        {
            assert_close("η′ × speed-up = η", shorter * k, eta);
        }
        if let Ok(v) = custom {
            prop_assert!(v >= 0.0);
            if s > 0.0 && normal(&[v, s, c]) {
                assert_close("V ÷ S = C", v / s, c);
            }
        }
        if let Ok(v) = innovation {
            prop_assert!((v + c - revenue).abs() <= REL * revenue.abs().max(c));
        }
    }

    // ---- training ---------------------------------------------------------------------------

    #[test]
    fn training_flops_are_six_n_d(
        (realistic, (n, d)) in either(
            (magnitude(3.0, 13.0), magnitude(3.0, 14.0)),
            (any_value(), any_value()),
        ),
    ) {
        match training_flops(n, d) {
            Ok(f) => {
                prop_assert!(finite(&[f.forward_flops, f.backward_flops, f.total_flops]));
                prop_assert_eq!(f.backward_flops, 2.0 * f.forward_flops);
                prop_assert_eq!(f.forward_flops + f.backward_flops, f.total_flops);
                if normal(&[n, d, f.total_flops]) {
                    assert_close("total = 6·N·D", f.total_flops, 6.0 * n * d);
                }
                assert_steps(&f.steps());
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(&error, &["params", "tokens"]);
            }
        }
    }

    #[test]
    fn mlp_flops_are_counted_exactly_or_refused(
        (realistic, sizes) in either(
            prop::collection::vec(1u64..=4096, 2..6),
            prop::collection::vec(prop_oneof![0u64..=3, any::<u64>(), 1u64..=10_000_000], 0..6),
        ),
        samples in magnitude(0.0, 6.0),
        epochs in 1.0f64..100.0,
    ) {
        // The same counts in 128 bits, checked: `None` where even those overflow.
        let pairs: Vec<(u128, u128)> =
            sizes.windows(2).map(|w| (u128::from(w[0]), u128::from(w[1]))).collect();
        fn sum(mut terms: impl Iterator<Item = Option<u128>>) -> Option<u128> {
            terms.try_fold(0u128, |acc, t| acc.checked_add(t?))
        }
        let flops = |(i, o): &(u128, u128)| i.checked_mul(*o)?.checked_mul(2);
        let params = sum(pairs.iter().map(|(i, o)| i.checked_mul(*o)?.checked_add(*o)));
        let forward = sum(pairs.iter().map(flops));
        let input_gradients = sum(pairs.iter().skip(1).map(flops));
        let backward = forward.zip(input_gradients).and_then(|(f, g)| f.checked_add(g));
        let train = forward.zip(backward).and_then(|(f, b)| f.checked_add(b));
        let fits = [params, forward, backward, train]
            .iter()
            .all(|v| v.is_some_and(|v| v <= u128::from(u64::MAX)));

        match mlp_flops(&sizes) {
            Ok(m) => {
                prop_assert_eq!(Some(u128::from(m.params)), params);
                prop_assert_eq!(Some(u128::from(m.forward_flops_per_sample)), forward);
                prop_assert_eq!(Some(u128::from(m.backward_flops_per_sample)), backward);
                prop_assert_eq!(Some(u128::from(m.train_flops_per_sample)), train);
                assert_steps(&m.steps());
                match m.training_flops(samples, epochs) {
                    Ok(total) => assert_close(
                        "run FLOPs = per sample × samples × epochs",
                        total,
                        m.train_flops_per_sample as f64 * samples * epochs,
                    ),
                    Err(error) => {
                        prop_assert!(!realistic, "{error}");
                        assert_refusal(&error, &["samples_per_epoch", "epochs"]);
                    }
                }
            }
            Err(CostError::InvalidLayers) => {
                prop_assert!(sizes.len() < 2 || sizes.contains(&0), "{sizes:?} refused");
            }
            Err(error @ CostError::OutOfRange { .. }) => {
                prop_assert!(!fits, "{sizes:?} fit in 64 bits but gave {error}");
                assert_refusal(&error, &[]);
            }
            Err(error) => prop_assert!(false, "{sizes:?}: unexpected {error:?}"),
        }
    }

    #[test]
    fn training_run_hours_days_and_cost_agree(
        (realistic, (flops, peak, mfu, gpu_count, price)) in either(
            (magnitude(15.0, 26.0), magnitude(12.0, 16.0), share(), gpus(), 0.0f64..100.0),
            (any_value(), any_value(), any_value(), any_count(), any_value()),
        ),
    ) {
        let input = TrainingRunInput {
            total_flops: flops,
            peak_flop_per_s: peak,
            mfu,
            gpu_count,
            price_per_gpu_hour: price,
        };
        match training_run(&input) {
            Ok(run) => {
                prop_assert!(finite(&[run.gpu_hours, run.wall_clock_s, run.wall_clock_days, run.cost]));
                if normal(&[
                    flops,
                    peak,
                    mfu,
                    run.gpu_hours,
                    run.wall_clock_s,
                    run.wall_clock_days,
                ]) {
                    assert_close(
                        "achieved FLOP/s = peak × MFU",
                        run.achieved_flop_per_s_per_gpu,
                        peak * mfu,
                    );
                    assert_close(
                        "GPU-hours × 3600 = FLOPs ÷ achieved FLOP/s",
                        run.gpu_hours * 3600.0,
                        flops / run.achieved_flop_per_s_per_gpu,
                    );
                    assert_close(
                        "wall-clock × GPUs = GPU-hours × 3600",
                        run.wall_clock_s * f64::from(gpu_count),
                        run.gpu_hours * 3600.0,
                    );
                    assert_close(
                        "days × 86400 = seconds",
                        run.wall_clock_days * 86_400.0,
                        run.wall_clock_s,
                    );
                }
                prop_assert_eq!(run.cost, run.gpu_hours * price);
                assert_steps(&run.steps(MoneyFormat::en(Currency::Usd)));
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(
                    &error,
                    &["total_flops", "peak_flop_per_s", "mfu", "gpu_count", "price_per_gpu_hour"],
                );
            }
        }
    }

    #[test]
    fn implied_mfu_inverts_the_training_run(
        (realistic, (mfu, peak, hours)) in either(
            (share(), magnitude(12.0, 16.0), magnitude(0.0, 8.0)),
            (any_value(), any_value(), any_value()),
        ),
        flops_if_wild in any_value(),
    ) {
        let flops = if realistic { mfu * peak * hours * 3600.0 } else { flops_if_wild };
        match implied_mfu(flops, peak, hours) {
            Ok(implied) => {
                // 0 only when the true MFU is below the smallest f64 (inputs no field accepts).
                prop_assert!(implied.mfu >= 0.0 && implied.mfu <= 1.0, "MFU {}", implied.mfu);
                if realistic {
                    assert_close("implied MFU = the MFU that made the FLOPs", implied.mfu, mfu);
                }
                // The run at that MFU takes the hours it was derived from.
                let input = TrainingRunInput {
                    total_flops: flops,
                    peak_flop_per_s: peak,
                    mfu: implied.mfu,
                    gpu_count: 1,
                    price_per_gpu_hour: 0.0,
                };
                if let Ok(run) = training_run(&input)
                    && normal(&[flops, peak, hours, implied.mfu, run.gpu_hours])
                {
                    assert_close("run hours = reported hours", run.gpu_hours, hours);
                }
                assert_steps(&implied.steps());
            }
            Err(CostError::ImpossibleMfu { mfu: claimed }) => {
                prop_assert!(!realistic && claimed > 1.0, "MFU {claimed} refused");
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(&error, &["total_flops", "peak_flop_per_s", "gpu_hours"]);
            }
        }
    }

    // ---- data parallelism and memory ----------------------------------------------------------

    #[test]
    fn data_parallel_step_is_bounded_by_its_parts(
        (realistic, (params, bytes, tokens, peak, mfu, gpu_count, link)) in either(
            (
                magnitude(6.0, 12.0),
                prop::sample::select(vec![2.0, 4.0]),
                magnitude(3.0, 7.0),
                magnitude(12.0, 16.0),
                share(),
                gpus(),
                magnitude(9.0, 12.0),
            ),
            (
                any_value(),
                any_value(),
                any_value(),
                any_value(),
                any_value(),
                any_count(),
                any_value(),
            ),
        ),
        sequential in any::<bool>(),
    ) {
        let overlap = if sequential { CommOverlap::Sequential } else { CommOverlap::Overlapped };
        let input = DataParallelInput {
            params, gradient_bytes_per_param: bytes, tokens_per_gpu_per_step: tokens,
            peak_flop_per_s: peak, mfu, gpu_count, link_bytes_per_s: link, overlap,
        };
        match data_parallel(&input) {
            Ok(dp) => {
                let n = f64::from(gpu_count);
                prop_assert!(
                    dp.scaling_efficiency > 0.0 && dp.scaling_efficiency <= 1.0,
                    "{}",
                    dp.scaling_efficiency,
                );
                prop_assert!(dp.speedup <= n && dp.speedup > 0.0);
                prop_assert!(dp.step_s >= dp.compute_s_per_step && dp.step_s >= dp.allreduce_s);
                match overlap {
                    CommOverlap::Overlapped => prop_assert_eq!(
                        dp.step_s,
                        dp.compute_s_per_step.max(dp.allreduce_s),
                    ),
                    CommOverlap::Sequential => prop_assert_eq!(
                        dp.step_s,
                        dp.compute_s_per_step + dp.allreduce_s,
                    ),
                }
                if gpu_count == 1 {
                    prop_assert_eq!(dp.allreduce_s, 0.0);
                    prop_assert_eq!(dp.scaling_efficiency, 1.0);
                }
                if normal(&[params, tokens, peak, mfu, dp.compute_s_per_step]) {
                    assert_close(
                        "compute = 6·N·tokens ÷ (peak × MFU)",
                        dp.compute_s_per_step * (peak * mfu),
                        6.0 * params * tokens,
                    );
                }
                if gpu_count > 1 && normal(&[
                    params,
                    bytes,
                    link,
                    dp.gradient_bytes,
                    dp.allreduce_s,
                ]) {
                    assert_close(
                        "all-reduce = 2(n−1)/n × N × bytes ÷ link",
                        dp.allreduce_s * link,
                        2.0 * (n - 1.0) / n * dp.gradient_bytes,
                    );
                }
                assert_steps(&dp.steps());
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(
                    &error,
                    &[
                        "params",
                        "gradient_bytes_per_param",
                        "tokens_per_gpu_per_step",
                        "peak_flop_per_s",
                        "mfu",
                        "gpu_count",
                        "link_bytes_per_s",
                    ],
                );
            }
        }
    }

    #[test]
    fn memory_check_fits_agree(
        (realistic, (params, bytes, memory, gpu_count)) in either(
            (magnitude(6.0, 13.0), 2.0f64..20.0, magnitude(9.0, 11.3), gpus()),
            (any_value(), any_value(), any_value(), any_count()),
        ),
    ) {
        let input = MemoryCheckInput {
            params,
            bytes_per_param: bytes,
            gpu_memory_bytes: memory,
            gpu_count,
        };
        match memory_check(&input) {
            Ok(m) => {
                prop_assert!(
                    !m.fits_replicated || m.fits_sharded,
                    "fits on one GPU but not on all",
                );
                prop_assert!(m.min_gpus_sharded >= 1.0 && m.min_gpus_sharded.fract() == 0.0);
                if normal(&[params, bytes, memory, m.required_bytes, m.sharded_bytes_per_gpu]) {
                    assert_close("required = N × bytes", m.required_bytes, params * bytes);
                    assert_close(
                        "sharded × GPUs = required",
                        m.sharded_bytes_per_gpu * f64::from(gpu_count),
                        m.required_bytes,
                    );
                    // The fewest GPUs hold the state, and one fewer would not.
                    prop_assert!(m.min_gpus_sharded * memory >= m.required_bytes * (1.0 - REL));
                    prop_assert!((m.min_gpus_sharded - 1.0) * memory < m.required_bytes * (1.0 + REL));
                }
                assert_steps(&m.steps());
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(
                    &error,
                    &["params", "bytes_per_param", "gpu_memory_bytes", "gpu_count"],
                );
            }
        }
    }

    // ---- serving ------------------------------------------------------------------------------

    #[test]
    fn kv_cache_is_two_l_h_d_b(
        (realistic, (layers, heads, dim, bytes)) in either(
            (1u32..=200, 1u32..=128, 1u32..=512, prop::sample::select(vec![0.5, 1.0, 2.0, 4.0])),
            (any_count(), any_count(), any_count(), any_value()),
        ),
    ) {
        match kv_cache_bytes_per_token(layers, heads, dim, bytes) {
            Ok(v) => assert_close(
                "KV = 2·L·H·D·b",
                v,
                2.0 * f64::from(layers) * f64::from(heads) * f64::from(dim) * bytes,
            ),
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(&error, &["layers", "kv_heads", "head_dim", "bytes_per_value"]);
            }
        }
    }

    #[test]
    fn serving_throughput_and_cost_agree(
        (realistic, (params, weight_bytes, kv, context, batch, gpu_count, peak, mfu, bandwidth, memory, price)) in either(
            (
                magnitude(8.0, 12.0), prop::sample::select(vec![0.5, 1.0, 2.0, 4.0]), 0.0f64..1e6, 0.0f64..1e6,
                1u32..=1024, 1u32..=64, magnitude(13.0, 16.0), share(), magnitude(11.0, 13.0), magnitude(10.0, 11.3), 0.0f64..100.0,
            ),
            (
                any_value(), any_value(), any_value(), any_value(), any_count(), any_count(),
                any_value(), any_value(), any_value(), any_value(), any_value(),
            ),
        ),
    ) {
        let input = ServingInput {
            params, weight_bytes_per_param: weight_bytes, kv_cache_bytes_per_token: kv, context_tokens: context,
            batch_size: batch, gpu_count, peak_flop_per_s: peak, mfu, memory_bytes_per_s: bandwidth,
            memory_bytes: memory, price_per_gpu_hour: price,
        };
        match serving(&input) {
            Ok(s) => {
                let (b, n) = (f64::from(batch), f64::from(gpu_count));
                prop_assert_eq!(s.step_s, s.compute_s_per_step.max(s.memory_s_per_step));
                prop_assert_eq!(
                    s.bound == Bound::Compute,
                    s.compute_s_per_step >= s.memory_s_per_step,
                );
                prop_assert!(s.tokens_per_s_per_gpu > 0.0 && finite(&[s.output_cost_per_million_tokens, s.input_cost_per_million_tokens]));
                prop_assert_eq!(s.fits_in_memory, s.memory_needed_bytes <= memory * n);
                if normal(&[
                    s.step_s,
                    s.tokens_per_s,
                    s.tokens_per_s_per_gpu,
                    s.output_cost_per_million_tokens,
                    s.input_cost_per_million_tokens,
                    price,
                    params,
                    peak,
                    mfu,
                ]) {
                    assert_close("tokens/s × step = batch", s.tokens_per_s * s.step_s, b);
                    assert_close(
                        "per GPU × GPUs = tokens/s",
                        s.tokens_per_s_per_gpu * n,
                        s.tokens_per_s,
                    );
                    assert_close(
                        "output cost × tokens/s/GPU × 3600 ÷ 10⁶ = price per GPU-hour",
                        s.output_cost_per_million_tokens * s.tokens_per_s_per_gpu * 3600.0 / 1e6,
                        price,
                    );
                    assert_close(
                        "input cost × peak × MFU × 3600 = price × 2N × 10⁶",
                        s.input_cost_per_million_tokens * peak * mfu * 3600.0,
                        price * 2.0 * params * 1e6,
                    );
                }
                assert_steps(&s.steps(MoneyFormat { currency: Currency::Cny, lang: Lang::Zh }));
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(&error, &[
                    "params", "weight_bytes_per_param", "kv_cache_bytes_per_token", "context_tokens", "batch_size",
                    "gpu_count", "peak_flop_per_s", "mfu", "memory_bytes_per_s", "memory_bytes", "price_per_gpu_hour",
                ]);
            }
        }
    }

    #[test]
    fn token_cost_is_price_times_tokens(
        (realistic, (price, tokens)) in either(
            (0.0f64..100.0, 0.0f64..1e12),
            (any_value(), any_value()),
        ),
        unit in prop::sample::select(PriceUnit::ALL.to_vec()),
    ) {
        match cost_for_tokens(price, unit, tokens) {
            Ok(t) => {
                prop_assert!(t.cost.is_finite() && t.cost >= 0.0);
                if normal(&[price, tokens, t.cost]) {
                    assert_close(
                        "cost × tokens per unit = price × tokens",
                        t.cost * f64::from(unit.tokens()),
                        price * tokens,
                    );
                }
                assert_steps(&t.steps(MoneyFormat::en(Currency::Eur)));
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(&error, &["price", "tokens"]);
            }
        }
    }

    #[test]
    fn gross_margin_is_profit_over_revenue(
        (realistic, (input_price, output_price, input_cost, output_cost, input_tokens, output_tokens)) in either(
            (
                0.01f64..100.0,
                0.01f64..100.0,
                0.0f64..100.0,
                0.0f64..100.0,
                1.0f64..1e6,
                1.0f64..1e6,
            ),
            (any_value(), any_value(), any_value(), any_value(), any_value(), any_value()),
        ),
        unit in prop::sample::select(PriceUnit::ALL.to_vec()),
    ) {
        let input = GrossMarginInput {
            input_price, output_price, price_unit: unit,
            input_cost_per_million_tokens: input_cost, output_cost_per_million_tokens: output_cost,
            input_tokens, output_tokens,
        };
        match gross_margin(&input) {
            Ok(g) => {
                prop_assert!(g.revenue > 0.0 && g.gross_margin <= 1.0, "{g:?}");
                prop_assert_eq!(g.gross_profit, g.revenue - g.cost);
                if normal(&[g.revenue, g.cost, g.gross_profit, g.gross_margin]) {
                    assert_close(
                        "margin × revenue = profit",
                        g.gross_margin * g.revenue,
                        g.gross_profit,
                    );
                }
                assert_steps(&g.steps(MoneyFormat::en(Currency::Usd)));
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(&error, &[
                    "input_price", "output_price", "input_cost_per_million_tokens",
                    "output_cost_per_million_tokens", "input_tokens", "output_tokens",
                ]);
            }
        }
    }

    // ---- price war ----------------------------------------------------------------------------

    #[test]
    fn contribution_margin_is_price_minus_cost(
        (realistic, (price, marginal_cost)) in either(
            (0.01f64..1e4, 0.0f64..1e4),
            (any_value(), any_value()),
        ),
    ) {
        match contribution_margin(price, marginal_cost) {
            Ok(m) => {
                prop_assert_eq!(m.margin_per_unit, price - marginal_cost);
                prop_assert!(m.margin_ratio <= 1.0);
                if normal(&[price, m.margin_per_unit, m.margin_ratio]) {
                    assert_close(
                        "ratio × price = margin",
                        m.margin_ratio * price,
                        m.margin_per_unit,
                    );
                }
                assert_steps(&m.steps(MoneyFormat::en(Currency::Usd)));
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(&error, &["price_per_unit", "marginal_cost_per_unit"]);
            }
        }
    }

    #[test]
    fn break_even_volume_times_margin_is_the_fixed_cost(
        (realistic, (fixed, marginal_cost, margin)) in either(
            (0.0f64..1e12, 0.0f64..1e3, magnitude(-3.0, 3.0)),
            (any_value(), any_value(), any_value()),
        ),
        price_if_wild in any_value(),
    ) {
        let price = if realistic { marginal_cost + margin } else { price_if_wild };
        match break_even(fixed, price, marginal_cost) {
            Ok(b) => {
                prop_assert!(b.break_even_units >= 0.0 && b.margin_per_unit > 0.0);
                prop_assert_eq!(b.break_even_revenue, b.break_even_units * price);
                if normal(&[fixed, price, marginal_cost, b.margin_per_unit, b.break_even_units]) && fixed > 0.0 {
                    assert_close(
                        "break-even volume × margin = fixed cost",
                        b.break_even_units * b.margin_per_unit,
                        fixed,
                    );
                    // At that volume, profit is zero to within rounding of revenue and costs.
                    let profit = (price - marginal_cost) * b.break_even_units - fixed;
                    prop_assert!(
                        profit.abs() <= 4.0 * REL * (fixed + b.break_even_revenue),
                        "profit {profit}",
                    );
                }
                assert_steps(&b.steps(MoneyFormat { currency: Currency::Cny, lang: Lang::Zh }));
            }
            Err(CostError::PriceNotAboveMarginalCost { price: p, marginal_cost: mc }) => {
                prop_assert!(!realistic && p <= mc, "{p} > {mc} refused");
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(&error, &["fixed_cost", "price_per_unit", "marginal_cost_per_unit"]);
            }
        }
    }

    #[test]
    fn price_cut_follows_constant_elasticity(
        (realistic, (price_before, price_after, volume, marginal_cost, fixed, elasticity)) in either(
            (
                magnitude(-2.0, 3.0),
                magnitude(-2.0, 3.0),
                magnitude(0.0, 9.0),
                0.0f64..1e3,
                0.0f64..1e9,
                -5.0f64..5.0,
            ),
            (any_value(), any_value(), any_value(), any_value(), any_value(), any_value()),
        ),
    ) {
        let input = PriceCutInput {
            price_before,
            price_after,
            volume_before: volume,
            marginal_cost_per_unit: marginal_cost,
            fixed_cost: fixed,
            elasticity,
        };
        match price_cut(&input) {
            Ok(c) => {
                prop_assert!(c.input.elasticity <= 0.0, "ε stored as −|ε|");
                prop_assert!(finite(&[c.after.volume, c.after.revenue, c.after.profit, c.volume_change, c.revenue_change, c.profit_change]));
                prop_assert_eq!(c.profit_change, c.after.profit - c.before.profit);
                if elasticity == 0.0 {
                    prop_assert_eq!(c.after.volume, volume);
                }
                if price_after < price_before {
                    prop_assert!(c.after.volume >= volume, "a cut lowered demand");
                } else if price_after > price_before {
                    prop_assert!(c.after.volume <= volume, "a rise raised demand");
                }
                if normal(&[price_before, price_after, volume, c.after.volume, c.after.revenue]) {
                    assert_close(
                        "Q₁ = Q₀ × (P₁ ÷ P₀)^−|ε|",
                        c.after.volume,
                        volume * (price_after / price_before).powf(-elasticity.abs()),
                    );
                    assert_close("revenue = P × Q", c.after.revenue, price_after * c.after.volume);
                }
                assert_steps(&c.steps(MoneyFormat::en(Currency::Usd)));
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(
                    &error,
                    &[
                        "price_before",
                        "price_after",
                        "volume_before",
                        "marginal_cost_per_unit",
                        "fixed_cost",
                        "elasticity",
                    ],
                );
            }
        }
    }

    #[test]
    fn bertrand_floor_prices_at_marginal_cost(
        (realistic, (marginal_cost, fixed)) in either(
            (0.0f64..1e3, 0.0f64..1e12),
            (any_value(), any_value()),
        ),
    ) {
        match bertrand_floor(marginal_cost, fixed) {
            Ok(f) => {
                prop_assert_eq!(f.price, marginal_cost);
                prop_assert_eq!(f.margin_per_unit, 0.0);
                prop_assert_eq!(f.profit, -fixed);
                assert_steps(&f.steps(MoneyFormat::en(Currency::Usd)));
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(&error, &["marginal_cost_per_unit", "fixed_cost"]);
            }
        }
    }

    #[test]
    fn markup_price_obeys_the_lerner_rule(
        (realistic, (marginal_cost, elasticity)) in either(
            (0.0f64..1e3, prop_oneof![-20.0f64..-1.01, 1.01f64..20.0]),
            (any_value(), any_value()),
        ),
    ) {
        match markup_price(marginal_cost, elasticity) {
            Ok(m) => {
                let magnitude = elasticity.abs();
                prop_assert!(magnitude > 1.0);
                prop_assert_eq!(m.lerner_index, 1.0 / magnitude);
                prop_assert!(m.price >= marginal_cost);
                if normal(&[marginal_cost, m.price, m.markup_factor]) && m.lerner_index > 1e-3 {
                    assert_close(
                        "P × (1 − 1/|ε|) = MC",
                        m.price * (1.0 - 1.0 / magnitude),
                        marginal_cost,
                    );
                    if marginal_cost > 0.0 {
                        // The Lerner index: the margin's share of the price is 1/|ε|.
                        assert_close(
                            "(P − MC) ÷ P = 1/|ε|",
                            (m.price - marginal_cost) / m.price,
                            m.lerner_index,
                        );
                    }
                }
                assert_steps(&m.steps(MoneyFormat::en(Currency::Usd)));
            }
            Err(CostError::InelasticDemand { elasticity: e }) => {
                prop_assert!(!realistic && e.abs() <= 1.0, "|ε| = {} refused", e.abs());
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(&error, &["marginal_cost_per_unit", "elasticity"]);
            }
        }
    }

    // ---- a measured run -------------------------------------------------------------------------

    #[test]
    fn measured_run_speed_and_article_ratios_agree(
        (realistic, (flops, time, devices)) in either(
            (magnitude(6.0, 20.0), magnitude(-3.0, 6.0), 1.0f64..1e4),
            (any_value(), any_value(), any_value()),
        ),
    ) {
        let run = MeasuredRun { total_flops: flops, train_time_s: time, devices };
        match measured(&run) {
            Ok(m) => {
                if normal(&[
                    flops,
                    time,
                    devices,
                    m.achieved_flop_per_s,
                    m.utilisation,
                    m.efficiency,
                ]) {
                    assert_close(
                        "achieved × time × devices = FLOPs",
                        m.achieved_flop_per_s * time * devices,
                        flops,
                    );
                    assert_close("η × E = 1", m.utilisation * m.efficiency, 1.0);
                }
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(&error, &["total_flops", "train_time_s", "devices"]);
            }
        }
    }

    #[test]
    fn measured_mfu_is_a_fraction_of_the_peak(
        (realistic, (share_of_peak, peak)) in either(
            (share(), magnitude(9.0, 16.0)),
            (any_value(), any_value()),
        ),
        achieved_if_wild in any_value(),
    ) {
        let achieved = if realistic { share_of_peak * peak } else { achieved_if_wild };
        match measured_mfu(achieved, peak) {
            Ok(mfu) => {
                prop_assert!(mfu > 0.0 && mfu <= 1.0);
                prop_assert_eq!(mfu, achieved / peak);
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                prop_assert!(
                    !(achieved > 0.0 && achieved <= peak && finite(&[achieved, peak]) && achieved / peak > 0.0),
                    "{error}",
                );
                assert_refusal(&error, &["achieved_flop_per_s", "peak_flop_per_s", "mfu"]);
            }
        }
    }

    #[test]
    fn projection_time_hours_and_cost_agree(
        (realistic, (flops, achieved, devices, price)) in either(
            (magnitude(15.0, 26.0), magnitude(9.0, 15.0), 1.0f64..1e5, 0.0f64..100.0),
            (any_value(), any_value(), any_value(), any_value()),
        ),
    ) {
        match project(flops, achieved, devices, price) {
            Ok(p) => {
                prop_assert!(finite(&[p.wall_clock_s, p.wall_clock_days, p.device_hours, p.cost]));
                prop_assert_eq!(p.cost, p.device_hours * price);
                if normal(&[
                    flops,
                    achieved,
                    devices,
                    p.wall_clock_s,
                    p.device_hours,
                    p.wall_clock_days,
                ]) {
                    assert_close(
                        "time × speed × devices = FLOPs",
                        p.wall_clock_s * achieved * devices,
                        flops,
                    );
                    assert_close(
                        "device-hours = hours × devices",
                        p.device_hours,
                        p.wall_clock_s / 3600.0 * devices,
                    );
                    assert_close(
                        "days × 86400 = seconds",
                        p.wall_clock_days * 86_400.0,
                        p.wall_clock_s,
                    );
                }
                assert_steps(&p.steps(MoneyFormat::en(Currency::Usd)));
            }
            Err(error) => {
                prop_assert!(!realistic, "{error}");
                assert_refusal(
                    &error,
                    &["total_flops", "achieved_flop_per_s", "devices", "price_per_device_hour"],
                );
            }
        }
    }
}
