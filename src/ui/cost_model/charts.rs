//! The cost model's curves: training days and cost against GPU count (with the all-reduce's
//! scaling efficiency), profit against price under the chosen elasticity, and serving cost per
//! 1M output tokens against batch size. Each recomputes with the model's own formulas
//! ([`crate::cost::curves`]) whenever an input changes, and marks the current input's point.

use leptos::prelude::*;

use crate::chart::{Axis, ChartSpec, Marker, Series, Side, Style};
use crate::cost::curves::{batch_sweep, doubling_counts, gpu_sweep, price_range, price_sweep};
use crate::cost::parallel::DataParallel;
use crate::cost::price_war::{MarkupPrice, PriceCut};
use crate::cost::serving::Serving;
use crate::cost::training::TrainingRun;
use crate::ui::charts::{Chart, HEIGHT, Legend, WIDTH};
use crate::ui::cost_model::widgets::Outcome;

/// What every cost-model chart says instead of a plot while an input it needs is invalid
/// (Chinese, English).
const INVALID_INPUTS: (&str, &str) = (
    "输入有误，无法绘图。",
    "Nothing to draw until the inputs above are valid.",
);

/// GPU counts are shown from 1 to at least this many.
const MIN_GPU_RANGE: u32 = 64;
/// Batch sizes are shown from 1 to at least this many.
const MIN_BATCH_RANGE: u32 = 256;
/// Prices at which profit is computed.
const PRICE_SAMPLES: usize = 81;

fn spec(
    x: Axis,
    y: Axis,
    y2: Option<Axis>,
    series: Vec<Series>,
    markers: Vec<Marker>,
) -> ChartSpec {
    ChartSpec {
        width: WIDTH,
        height: HEIGHT,
        x,
        y,
        y2,
        series,
        markers,
    }
}

fn series(key: &'static str, points: Vec<(f64, f64)>, side: Side, style: Style) -> Series {
    Series {
        key,
        points,
        side,
        style,
    }
}

/// Days (with scaling efficiency on the right) and cost against GPU count.
#[component]
pub fn GpuCharts(
    run: Memo<Outcome<TrainingRun>>,
    parallel: Memo<Outcome<DataParallel>>,
) -> impl IntoView {
    let points = Memo::new(move |_| {
        let (Ok(r), Ok(p)) = (run.get(), parallel.get()) else {
            return (Vec::new(), None);
        };
        let current = r.input.gpu_count;
        let points = gpu_sweep(&r.input, &p.input, &doubling_counts(current, MIN_GPU_RANGE));
        (points, Some(current))
    });
    let current_point = move || {
        points.with(|(all, current)| {
            let current = (*current)?;
            all.iter().find(|p| p.gpus == current).copied()
        })
    };
    let xy = move |f: fn(&crate::cost::curves::GpuPoint) -> f64| {
        points.with(|(all, _)| all.iter().map(|p| (f64::from(p.gpus), f(p))).collect())
    };
    let days = Signal::derive(move || {
        spec(
            Axis::log(),
            Axis::log(),
            Some(Axis::linear().from_zero().percent()),
            vec![
                series("days", xy(|p| p.days), Side::Left, Style::Line),
                series(
                    "days-with-allreduce",
                    xy(|p| p.days_with_allreduce),
                    Side::Left,
                    Style::Dashed,
                ),
                series(
                    "scaling-efficiency",
                    xy(|p| p.scaling_efficiency),
                    Side::Right,
                    Style::Line,
                ),
            ],
            current_point()
                .map(|p| Marker {
                    key: "current",
                    x: f64::from(p.gpus),
                    y: p.days_with_allreduce,
                    side: Side::Left,
                })
                .into_iter()
                .collect(),
        )
    });
    let cost = Signal::derive(move || {
        spec(
            Axis::log(),
            Axis::linear().from_zero(),
            None,
            vec![
                series("cost", xy(|p| p.cost), Side::Left, Style::Line),
                series(
                    "cost-with-allreduce",
                    xy(|p| p.cost_with_allreduce),
                    Side::Left,
                    Style::Dashed,
                ),
            ],
            current_point()
                .map(|p| Marker {
                    key: "current",
                    x: f64::from(p.gpus),
                    y: p.cost_with_allreduce,
                    side: Side::Left,
                })
                .into_iter()
                .collect(),
        )
    });
    view! {
        <div class="charts">
            <Chart
                id="chart-training-days"
                title_zh="训练天数与扩展效率随 GPU 数的变化（对数坐标）"
                title_en="Training days and scaling efficiency against GPU count (log scales)"
                x_zh="GPU 数"
                x_en="GPUs"
                legend=vec![
                    Legend { key: "days", zh: "天数（理想扩展）", en: "Days, perfect scaling" },
                    Legend { key: "days-with-allreduce", zh: "天数（含 all-reduce 等待）", en: "Days, waiting for the all-reduce" },
                    Legend { key: "scaling-efficiency", zh: "扩展效率（右轴）", en: "Scaling efficiency (right axis)" },
                ]
                spec=days
                empty_zh=INVALID_INPUTS.0
                empty_en=INVALID_INPUTS.1
            />
            <Chart
                id="chart-training-cost"
                title_zh="训练成本随 GPU 数的变化"
                title_en="Training cost against GPU count"
                x_zh="GPU 数"
                x_en="GPUs"
                legend=vec![
                    Legend { key: "cost", zh: "成本（理想扩展）", en: "Cost, perfect scaling" },
                    Legend { key: "cost-with-allreduce", zh: "成本（含等待时间）", en: "Cost, paying for the wait" },
                ]
                spec=cost
                empty_zh=INVALID_INPUTS.0
                empty_en=INVALID_INPUTS.1
            />
        </div>
    }
}

/// Profit against price under constant-elasticity demand, marking today's price P₀, the new
/// price P₁ and the markup-rule price.
#[component]
pub fn ProfitChart(
    cut: Memo<Outcome<PriceCut>>,
    markup: Memo<Outcome<MarkupPrice>>,
) -> impl IntoView {
    let chart = Signal::derive(move || {
        let Ok(c) = cut.get() else {
            return spec(Axis::linear(), Axis::linear(), None, Vec::new(), Vec::new());
        };
        let markup_price = markup.with(|m| m.as_ref().ok().map(|m| m.price));
        let points = price_sweep(
            &c.input,
            &price_range(&c.input, markup_price, PRICE_SAMPLES),
        );
        let mut markers = vec![
            Marker {
                key: "current",
                x: c.after.price,
                y: c.after.profit,
                side: Side::Left,
            },
            Marker {
                key: "before",
                x: c.before.price,
                y: c.before.profit,
                side: Side::Left,
            },
        ];
        if let Some(p) = markup_price.and_then(|p| price_sweep(&c.input, &[p]).first().copied()) {
            markers.push(Marker {
                key: "markup",
                x: p.price,
                y: p.profit,
                side: Side::Left,
            });
        }
        spec(
            Axis::linear(),
            Axis::linear().from_zero(),
            None,
            vec![series(
                "profit",
                points.iter().map(|p| (p.price, p.profit)).collect(),
                Side::Left,
                Style::Line,
            )],
            markers,
        )
    });
    view! {
        <Chart
            id="chart-pricewar-profit"
            title_zh="利润随价格的变化（按上面填的弹性；大圆点为 P₁，小圆点为 P₀ 和加成定价）"
            title_en="Profit against price at the elasticity above (large dot: P₁; small dots: P₀ and the markup-rule price)"
            x_zh="价格"
            x_en="Price"
            legend=vec![Legend { key: "profit", zh: "每期利润", en: "Profit per period" }]
            spec=chart
            empty_zh=INVALID_INPUTS.0
            empty_en=INVALID_INPUTS.1
        />
    }
}

/// Cost per 1M output tokens against batch size, dashed where weights and KV cache no longer
/// fit in the GPUs' memory.
#[component]
pub fn BatchChart(serving: Memo<Outcome<Serving>>) -> impl IntoView {
    let chart = Signal::derive(move || {
        let Ok(s) = serving.get() else {
            return spec(Axis::log(), Axis::log(), None, Vec::new(), Vec::new());
        };
        let current = s.input.batch_size;
        let points = batch_sweep(&s.input, &doubling_counts(current, MIN_BATCH_RANGE));
        let xy = |fits: bool| {
            points
                .iter()
                .filter(|p| p.fits_in_memory == fits)
                .map(|p| (f64::from(p.batch), p.output_cost_per_million_tokens))
                .collect()
        };
        spec(
            Axis::log(),
            Axis::log(),
            None,
            vec![
                series("fits", xy(true), Side::Left, Style::LineAndDots),
                series("does-not-fit", xy(false), Side::Left, Style::Dots),
            ],
            vec![Marker {
                key: "current",
                x: f64::from(current),
                y: s.output_cost_per_million_tokens,
                side: Side::Left,
            }],
        )
    });
    view! {
        <Chart
            id="chart-serving-batch"
            title_zh="每百万输出 token 成本随批大小的变化（对数坐标）"
            title_en="Cost per 1M output tokens against batch size (log scales)"
            x_zh="批大小"
            x_en="Batch size"
            legend=vec![
                Legend { key: "fits", zh: "显存放得下", en: "Fits in GPU memory" },
                Legend { key: "does-not-fit", zh: "显存放不下", en: "Does not fit in GPU memory" },
            ]
            spec=chart
            empty_zh=INVALID_INPUTS.0
            empty_en=INVALID_INPUTS.1
        />
    }
}
