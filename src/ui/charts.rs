//! SVG charts: a thin view over the pure geometry of [`crate::chart`], and the trainer's live
//! charts (loss and test accuracy, throughput).
//!
//! Each chart is a `<figure id>` holding an `<svg role="img" aria-label>` (the label in the
//! page's language), an HTML legend, and the same numbers as a visually hidden table for screen
//! readers. Colours come from CSS variables (`--chart-1` …), so both themes work. Contract for
//! tests: every series is `<g data-series data-points>` with one `<circle data-x data-y>` per
//! point, and every marked point is `<circle data-marker data-x data-y>`.

use leptos::prelude::*;

use crate::chart::{Axis, ChartGeometry, ChartSpec, Series, Side, Style, layout};
use crate::cost::format::format_number;
use crate::train::progress::chunk_losses;
use crate::train::{EpochReport, StepProgress};
use crate::ui::i18n::tr;

/// View-box size of every chart: small enough that its text stays legible on a 360 px screen.
pub const WIDTH: f64 = 400.0;
pub const HEIGHT: f64 = 220.0;

/// A legend entry: the series key it names, and its name in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Legend {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// A chart with its legend and a hidden table of its points.
#[component]
pub fn Chart(
    /// The `<figure>`'s id.
    id: &'static str,
    /// What the chart shows, both languages: the svg's accessible name and the caption.
    title_zh: &'static str,
    title_en: &'static str,
    /// The x axis's name and unit, both languages (the table's first column).
    x_zh: &'static str,
    x_en: &'static str,
    /// One entry per series, in the spec's order.
    legend: Vec<Legend>,
    spec: Signal<ChartSpec>,
    /// Shown in place of the chart when no point can be drawn.
    empty_zh: &'static str,
    empty_en: &'static str,
) -> impl IntoView {
    let geometry = Memo::new(move |_| layout(&spec.get()));
    let label = tr(title_zh, title_en);
    let legend_items = legend.clone();
    view! {
        <figure class="chart" id=id>
            <figcaption class="chart-title">{label}</figcaption>
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=label
                data-empty=move || geometry.with(|g| g.empty.to_string())
            >
                {move || geometry.with(draw)}
            </svg>
            <p class="chart-empty muted" hidden=move || !geometry.with(|g| g.empty)>
                {tr(empty_zh, empty_en)}
            </p>
            <ul class="chart-legend">
                {legend_items
                    .into_iter()
                    .enumerate()
                    .map(|(i, l)| {
                        view! {
                            <li data-series=l.key>
                                <span class=format!("swatch c{}", i % 4 + 1) aria-hidden="true"></span>
                                {tr(l.zh, l.en)}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <DataTable spec=spec legend=legend x_zh=x_zh x_en=x_en title=label />
        </figure>
    }
}

/// The geometry as SVG elements.
fn draw(g: &ChartGeometry) -> impl IntoView + use<> {
    let a = g.area;
    let grid = g
        .y_ticks
        .iter()
        .map(|t| {
            view! {
                <line class="grid" x1=a.left x2=a.right y1=t.pos y2=t.pos />
                <text class="tick" x=a.left - 4.0 y=t.pos + 4.0 text-anchor="end">{t.label.clone()}</text>
            }
        })
        .collect_view();
    let right = g
        .y2_ticks
        .iter()
        .map(|t| {
            view! {
                <text class="tick" x=a.right + 4.0 y=t.pos + 4.0 text-anchor="start">{t.label.clone()}</text>
            }
        })
        .collect_view();
    let bottom = g
        .x_ticks
        .iter()
        .map(|t| {
            view! {
                <line class="tick-mark" x1=t.pos x2=t.pos y1=a.bottom y2=a.bottom + 4.0 />
                <text class="tick" x=t.pos y=a.bottom + 16.0 text-anchor="middle">{t.label.clone()}</text>
            }
        })
        .collect_view();
    let series = g
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let dots = s.style.has_dots() || s.points.len() == 1;
            let circles = s
                .points
                .iter()
                .map(|p| {
                    view! {
                        <circle
                            class="dot"
                            class:hidden-dot=!dots
                            cx=p.px
                            cy=p.py
                            r=if dots { 3.0 } else { 0.0 }
                            data-x=p.x.to_string()
                            data-y=p.y.to_string()
                        />
                    }
                })
                .collect_view();
            view! {
                <g
                    class=format!("series c{}", i % 4 + 1)
                    data-series=s.key
                    data-points=s.points.len().to_string()
                    data-side=if s.side == Side::Right { "right" } else { "left" }
                >
                    <path
                        class="line"
                        class:dashed=s.style == Style::Dashed
                        d=s.path.clone()
                        fill="none"
                    />
                    {circles}
                </g>
            }
        })
        .collect_view();
    let markers = g
        .markers
        .iter()
        .map(|m| {
            view! {
                <circle
                    class="marker"
                    data-marker=m.key
                    cx=m.point.px
                    cy=m.point.py
                    r="5"
                    data-x=m.point.x.to_string()
                    data-y=m.point.y.to_string()
                />
            }
        })
        .collect_view();
    view! {
        <g class="axes">
            {grid}
            <line class="axis" x1=a.left x2=a.right y1=a.bottom y2=a.bottom />
            {right}
            {bottom}
        </g>
        {series}
        <g class="markers">{markers}</g>
    }
}

/// The chart's points as a table, for screen readers (visually hidden): one row per x value,
/// one column per series.
#[component]
fn DataTable(
    spec: Signal<ChartSpec>,
    legend: Vec<Legend>,
    x_zh: &'static str,
    x_en: &'static str,
    title: impl Fn() -> &'static str + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let rows = Memo::new(move |_| spec.with(table_rows));
    let headers = legend
        .into_iter()
        .map(|l| view! { <th scope="col">{tr(l.zh, l.en)}</th> })
        .collect_view();
    view! {
        // A table grows to its content whatever its width: the wrapper is what stays 1 px wide.
        <div class="visually-hidden">
        <table>
            <caption>{title}</caption>
            <thead>
                <tr>
                    <th scope="col">{tr(x_zh, x_en)}</th>
                    {headers}
                </tr>
            </thead>
            <tbody>
                {move || {
                    rows.get()
                        .into_iter()
                        .map(|(x, ys)| {
                            view! {
                                <tr>
                                    <th scope="row">{x}</th>
                                    {ys.into_iter().map(|y| view! { <td>{y}</td> }).collect_view()}
                                </tr>
                            }
                        })
                        .collect_view()
                }}
            </tbody>
        </table>
        </div>
    }
}

/// Rows of the data table: every x that any series has, in order, with each series' y there
/// ("—" where it has none).
fn table_rows(spec: &ChartSpec) -> Vec<(String, Vec<String>)> {
    let mut xs: Vec<f64> = spec
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .filter(|x| x.is_finite())
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    xs.into_iter()
        .map(|x| {
            let ys = spec
                .series
                .iter()
                .map(|s| {
                    s.points
                        .iter()
                        .find(|p| p.0 == x)
                        .map_or_else(|| "—".to_owned(), |p| format_number(p.1))
                })
                .collect();
            (format_number(x), ys)
        })
        .collect()
}

/// The trainer's charts: loss (per chunk of steps, and each epoch's mean) with test accuracy
/// on a right-hand axis, and throughput per epoch. `steps` holds the run's progress reports.
#[component]
pub fn TrainingCharts(
    epochs: RwSignal<Vec<EpochReport>>,
    steps: RwSignal<Vec<StepProgress>>,
) -> impl IntoView {
    let progress_spec = Signal::derive(move || ChartSpec {
        width: WIDTH,
        height: HEIGHT,
        x: Axis::linear().from_zero(),
        y: Axis::linear().from_zero(),
        y2: Some(Axis::linear().percent()),
        series: vec![
            Series {
                key: "chunk-loss",
                points: steps.with(|s| chunk_losses(s)),
                side: Side::Left,
                style: Style::Line,
            },
            Series {
                key: "epoch-loss",
                points: epochs.with(|e| {
                    e.iter()
                        .map(|r| (r.epoch as f64, f64::from(r.train_loss)))
                        .collect()
                }),
                side: Side::Left,
                style: Style::Dots,
            },
            Series {
                key: "test-accuracy",
                points: epochs.with(|e| {
                    e.iter()
                        .map(|r| (r.epoch as f64, f64::from(r.test_accuracy)))
                        .collect()
                }),
                side: Side::Right,
                style: Style::LineAndDots,
            },
        ],
        markers: Vec::new(),
    });
    let throughput_spec = Signal::derive(move || ChartSpec {
        width: WIDTH,
        height: HEIGHT,
        x: Axis::linear(),
        y: Axis::linear().from_zero(),
        y2: None,
        series: vec![Series {
            key: "samples-per-s",
            points: epochs.with(|e| {
                e.iter()
                    .map(|r| (r.epoch as f64, r.samples_per_s))
                    .collect()
            }),
            side: Side::Left,
            style: Style::LineAndDots,
        }],
        markers: Vec::new(),
    });
    let has_data = move || epochs.with(|e| !e.is_empty()) || steps.with(|s| !s.is_empty());
    view! {
        <div class="charts" id="train-charts" hidden=move || !has_data()>
            <Chart
                id="chart-train-progress"
                title_zh="损失（左轴）与测试准确率（右轴），按轮次"
                title_en="Loss (left axis) and test accuracy (right axis) by epoch"
                x_zh="轮次"
                x_en="Epoch"
                legend=vec![
                    Legend { key: "chunk-loss", zh: "每段步数的平均损失", en: "Loss per chunk of steps" },
                    Legend { key: "epoch-loss", zh: "每轮平均损失", en: "Epoch mean loss" },
                    Legend { key: "test-accuracy", zh: "测试准确率", en: "Test accuracy" },
                ]
                spec=progress_spec
                empty_zh="训练开始后这里会出现曲线。"
                empty_en="The curves appear once training starts."
            />
            <Chart
                id="chart-train-throughput"
                title_zh="吞吐量（样本/秒），按轮次"
                title_en="Throughput (samples/s) by epoch"
                x_zh="轮次"
                x_en="Epoch"
                legend=vec![Legend { key: "samples-per-s", zh: "样本/秒", en: "Samples/s" }]
                spec=throughput_spec
                empty_zh="第一轮结束后显示吞吐量。"
                empty_en="Throughput appears after the first epoch."
            />
        </div>
    }
}
