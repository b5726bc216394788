//! The cost model's figures as curves: each sweeps one input and recomputes the rest with the
//! model's own formulas, for the page's charts. A value that a formula refuses (an overflow,
//! a price that gives no answer) is left out of its curve, never drawn as NaN.

use super::input::MAX_COUNT;
use super::parallel::{DataParallelInput, data_parallel};
use super::price_war::{PriceCutInput, price_cut};
use super::serving::{ServingInput, serving};
use super::training::{TrainingRunInput, training_run};

/// The smallest power-of-two range that reaches at least `floor` and 4 × `current`, from 1,
/// with `current` itself added in order; capped at [`MAX_COUNT`].
pub fn doubling_counts(current: u32, floor: u32) -> Vec<u32> {
    let top = u64::from(floor)
        .max(4 * u64::from(current))
        .min(u64::from(MAX_COUNT));
    let mut counts: Vec<u32> = std::iter::successors(Some(1u64), |&c| Some(c * 2))
        .take_while(|&c| c <= top)
        .map(|c| c as u32)
        .collect();
    if (1..=MAX_COUNT).contains(&current) && !counts.contains(&current) {
        counts.push(current);
        counts.sort_unstable();
    }
    counts
}

/// Training on one number of GPUs, without and with the cost of the gradient all-reduce.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpuPoint {
    pub gpus: u32,
    /// Wall-clock days, FLOPs ÷ (peak × MFU × GPUs) (the training section's figure).
    pub days: f64,
    /// Days when every step also waits for the all-reduce: days ÷ scaling efficiency.
    pub days_with_allreduce: f64,
    /// Cost of the GPU-hours (the same at any GPU count when scaling is perfect).
    pub cost: f64,
    /// Cost when the GPUs are also paid while they wait: cost ÷ scaling efficiency.
    pub cost_with_allreduce: f64,
    /// Compute time ÷ step time, in (0, 1].
    pub scaling_efficiency: f64,
}

/// [`training_run`] and [`data_parallel`] at each GPU count in `counts`, the other inputs as
/// given; counts where either formula refuses the numbers are left out.
pub fn gpu_sweep(
    run: &TrainingRunInput,
    step: &DataParallelInput,
    counts: &[u32],
) -> Vec<GpuPoint> {
    counts
        .iter()
        .filter_map(|&gpus| {
            let r = training_run(&TrainingRunInput {
                gpu_count: gpus,
                ..*run
            })
            .ok()?;
            let p = data_parallel(&DataParallelInput {
                gpu_count: gpus,
                ..*step
            })
            .ok()?;
            let point = GpuPoint {
                gpus,
                days: r.wall_clock_days,
                days_with_allreduce: r.wall_clock_days / p.scaling_efficiency,
                cost: r.cost,
                cost_with_allreduce: r.cost / p.scaling_efficiency,
                scaling_efficiency: p.scaling_efficiency,
            };
            [point.days_with_allreduce, point.cost_with_allreduce]
                .iter()
                .all(|v| v.is_finite())
                .then_some(point)
        })
        .collect()
}

/// Profit at one price under the price-war section's demand curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PricePoint {
    pub price: f64,
    /// Units sold, Q₀ × (P ÷ P₀)^−|ε|.
    pub volume: f64,
    /// (P − MC) × Q − F.
    pub profit: f64,
}

/// Prices to plot profit at: `samples` evenly spaced from a little below the lowest of the
/// marginal cost and the two prices to twice the highest of the prices (and the markup-rule
/// price, when there is one), so that the break-even points and the peak are in view.
pub fn price_range(input: &PriceCutInput, markup: Option<f64>, samples: usize) -> Vec<f64> {
    let prices = [input.price_before, input.price_after];
    if !prices.iter().all(|p| p.is_finite()) {
        return Vec::new();
    }
    let lowest = prices
        .iter()
        .copied()
        .chain((input.marginal_cost_per_unit > 0.0).then_some(input.marginal_cost_per_unit))
        .fold(f64::INFINITY, f64::min);
    let highest = prices
        .iter()
        .copied()
        .chain(markup.filter(|m| m.is_finite()))
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = (0.8 * lowest, 2.0 * highest);
    if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && hi > lo) || samples < 2 {
        return Vec::new();
    }
    (0..samples)
        .map(|k| lo + (hi - lo) * k as f64 / (samples - 1) as f64)
        .collect()
}

/// [`price_cut`] from today's price to each of `prices`: the profit at each; prices where the
/// formula refuses the numbers are left out.
pub fn price_sweep(input: &PriceCutInput, prices: &[f64]) -> Vec<PricePoint> {
    prices
        .iter()
        .filter_map(|&price| {
            let cut = price_cut(&PriceCutInput {
                price_after: price,
                ..*input
            })
            .ok()?;
            Some(PricePoint {
                price,
                volume: cut.after.volume,
                profit: cut.after.profit,
            })
        })
        .collect()
}

/// Serving at one batch size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchPoint {
    pub batch: u32,
    /// Cost of one million output tokens.
    pub output_cost_per_million_tokens: f64,
    /// Whether weights and KV cache fit in the GPUs' memory at this batch.
    pub fits_in_memory: bool,
}

/// [`serving`] at each batch size in `batches`, the other inputs as given; batch sizes the
/// formula refuses are left out.
pub fn batch_sweep(input: &ServingInput, batches: &[u32]) -> Vec<BatchPoint> {
    batches
        .iter()
        .filter_map(|&batch| {
            let s = serving(&ServingInput {
                batch_size: batch,
                ..*input
            })
            .ok()?;
            Some(BatchPoint {
                batch,
                output_cost_per_million_tokens: s.output_cost_per_million_tokens,
                fits_in_memory: s.fits_in_memory,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::parallel::CommOverlap;

    #[test]
    fn counts_double_and_include_the_current_one() {
        assert_eq!(doubling_counts(1, 8), vec![1, 2, 4, 8]);
        assert_eq!(doubling_counts(3, 8), vec![1, 2, 3, 4, 8]);
        assert_eq!(doubling_counts(100, 8).last(), Some(&256));
        let huge = doubling_counts(MAX_COUNT, 8);
        assert!(huge.len() < 30 && *huge.last().unwrap() == MAX_COUNT);
        assert!(huge.windows(2).all(|w| w[0] < w[1]));
    }

    fn llama_like() -> (TrainingRunInput, DataParallelInput) {
        // The Llama-2-70B-like preset: 70e9 parameters, 2e12 tokens, A100 BF16 312 TFLOP/s,
        // MFU 0.435, $2 per GPU-hour; 4,096 tokens per GPU per step, BF16 gradients, 300 GB/s.
        let run = TrainingRunInput {
            total_flops: 6.0 * 70e9 * 2e12,
            peak_flop_per_s: 312e12,
            mfu: 0.435,
            gpu_count: 1,
            price_per_gpu_hour: 2.0,
        };
        let step = DataParallelInput {
            params: 70e9,
            gradient_bytes_per_param: 2.0,
            tokens_per_gpu_per_step: 4096.0,
            peak_flop_per_s: 312e12,
            mfu: 0.435,
            gpu_count: 1,
            link_bytes_per_s: 300e9,
            overlap: CommOverlap::Sequential,
        };
        (run, step)
    }

    #[test]
    fn more_gpus_shorten_the_run_and_the_all_reduce_costs_extra() {
        let (run, step) = llama_like();
        let points = gpu_sweep(&run, &step, &doubling_counts(2048, 8));
        assert_eq!(points.len(), 14); // 1 … 8192
        // One GPU needs no all-reduce: both curves start together.
        assert_eq!(points[0].scaling_efficiency, 1.0);
        assert_eq!(points[0].days, points[0].days_with_allreduce);
        for w in points.windows(2) {
            assert!(w[1].days < w[0].days && w[1].days_with_allreduce < w[0].days_with_allreduce);
            // Perfect scaling costs the same at any size; the wait costs more as n grows.
            assert!((w[1].cost - w[0].cost).abs() <= 1e-9 * w[0].cost);
            assert!(w[1].cost_with_allreduce >= w[0].cost_with_allreduce);
        }
        // At 2,048 GPUs: the training section's 1,720,320 GPU-hours ≈ $3.44M, and
        // 2(n−1)/n × 140 GB ÷ 300 GB/s ≈ 0.9329 s of all-reduce after 6 × 70e9 × 4,096 ÷
        // (312e12 × 0.435) ≈ 12.6755 s of compute.
        let at = points.iter().find(|p| p.gpus == 2048).unwrap();
        assert!((at.cost / 3_440_000.0 - 1.0).abs() < 0.01, "{}", at.cost);
        let expected_efficiency = 12.6755 / (12.6755 + 0.9329);
        assert!((at.scaling_efficiency - expected_efficiency).abs() < 1e-3);
    }

    #[test]
    fn refused_counts_are_left_out() {
        let (mut run, step) = llama_like();
        run.mfu = 0.0;
        assert!(gpu_sweep(&run, &step, &[1, 2, 4]).is_empty());
    }

    #[test]
    fn profit_peaks_at_the_markup_price() {
        let input = crate::cost::price_war::tests::cut();
        // Markup rule: P = MC ÷ (1 − 1/|ε|) = 12.
        let prices = price_range(&input, Some(12.0), 61);
        assert_eq!(prices.len(), 61);
        assert!((prices[0] - 4.8).abs() < 1e-12 && (prices[60] - 24.0).abs() < 1e-12);
        let points = price_sweep(&input, &prices);
        assert_eq!(points.len(), 61);
        let best = points
            .iter()
            .max_by(|a, b| a.profit.total_cmp(&b.profit))
            .unwrap();
        assert!((best.price - 12.0).abs() < 0.2, "peak at {}", best.price);
        // At P = MC, every unit earns nothing: profit = −F.
        let at_mc = price_sweep(&input, &[6.0])[0];
        assert!((at_mc.profit + 300_000.0).abs() < 1e-6);
        // P₁ = 8: Q = 100,000 × 0.8^−2 = 156,250; profit = 2 × 156,250 − 300,000 = 12,500.
        let at_p1 = price_sweep(&input, &[8.0])[0];
        assert!((at_p1.profit - 12_500.0).abs() < 1e-6);
    }

    #[test]
    fn prices_that_cannot_be_computed_are_left_out() {
        let input = crate::cost::price_war::tests::cut();
        let points = price_sweep(&input, &[f64::NAN, -1.0, 0.0, 8.0]);
        assert_eq!(points.len(), 1);
        assert!(
            price_range(
                &PriceCutInput {
                    price_before: f64::NAN,
                    ..input
                },
                None,
                10
            )
            .is_empty()
        );
    }

    #[test]
    fn serving_cost_falls_with_batch_until_compute_bound() {
        // The serving defaults: 7e9 parameters in BF16, 524,288 KV bytes per token, 2,048
        // tokens of context, one H100 SXM (989e12 FLOP/s BF16, 3.35e12 B/s, 80 GB) at MFU 0.5
        // and $2.50 per GPU-hour.
        let input = ServingInput {
            params: 7e9,
            weight_bytes_per_param: 2.0,
            kv_cache_bytes_per_token: 524_288.0,
            context_tokens: 2048.0,
            batch_size: 16,
            gpu_count: 1,
            peak_flop_per_s: 989e12,
            mfu: 0.5,
            memory_bytes_per_s: 3.35e12,
            memory_bytes: 80e9,
            price_per_gpu_hour: 2.5,
        };
        let points = batch_sweep(&input, &doubling_counts(16, 256));
        assert_eq!(points.len(), 9);
        assert!(
            points[1].output_cost_per_million_tokens < points[0].output_cost_per_million_tokens
        );
        // 14 GB of weights and 1 GiB of KV cache per sequence: 32 fit in 80 GB, 64 do not.
        let fits: Vec<bool> = points.iter().map(|p| p.fits_in_memory).collect();
        assert_eq!(
            fits,
            [true, true, true, true, true, true, false, false, false]
        );
    }
}
