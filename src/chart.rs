//! Chart geometry: where the axes, ticks, lines and marked points of a small line chart go,
//! as pure functions of the data, so that the page's SVG charts are tested natively.
//!
//! A chart has an x axis, a left y axis and optionally a right one, each linear or base-10
//! logarithmic. Ticks are "nice" numbers (1, 2 or 5 × 10ᵏ on a linear axis, powers of ten on a
//! log axis) and the axis range is widened to the outer ticks. Points that cannot be drawn (NaN,
//! ±∞, or ≤ 0 on a log axis) are left out, never drawn. Positions are in SVG user units of a
//! `width × height` view box; the UI (`ui::charts`) turns a [`ChartGeometry`] into `<svg>`
//! elements and writes the legend and units as HTML beside it.

/// How an axis maps values to positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Equal steps of value are equal steps of length.
    Linear,
    /// Equal ratios of value are equal steps of length (base 10); values ≤ 0 are left out.
    Log,
}

/// How tick labels are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickFormat {
    /// Plain numbers, with SI suffixes from 10,000 on (20k, 1.5M, 3G, 2T).
    Number,
    /// A fraction written as a percentage (0.25 → 25%).
    Percent,
}

/// One axis: its scale, how its labels read, and whether its range must include zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Axis {
    pub scale: Scale,
    pub format: TickFormat,
    /// Stretch a linear range to 0 (a bar's or a cost's natural baseline).
    pub include_zero: bool,
}

impl Axis {
    /// A linear axis of plain numbers.
    pub const fn linear() -> Self {
        Self {
            scale: Scale::Linear,
            format: TickFormat::Number,
            include_zero: false,
        }
    }

    /// A log axis of plain numbers.
    pub const fn log() -> Self {
        Self {
            scale: Scale::Log,
            format: TickFormat::Number,
            include_zero: false,
        }
    }

    /// The same axis with its range stretched to include zero.
    pub const fn from_zero(self) -> Self {
        Self {
            include_zero: true,
            ..self
        }
    }

    /// The same axis with percentage labels.
    pub const fn percent(self) -> Self {
        Self {
            format: TickFormat::Percent,
            ..self
        }
    }
}

/// Which y axis a series or marker is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Side {
    #[default]
    Left,
    Right,
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// A line through the points.
    #[default]
    Line,
    /// A dashed line through the points.
    Dashed,
    /// A line with a dot on every point.
    LineAndDots,
    /// Dots only.
    Dots,
}

impl Style {
    /// Whether the series has a line.
    pub fn has_line(self) -> bool {
        !matches!(self, Style::Dots)
    }

    /// Whether every point gets a dot.
    pub fn has_dots(self) -> bool {
        matches!(self, Style::Dots | Style::LineAndDots)
    }
}

/// A named set of `(x, y)` points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// A stable name for styling and tests (`data-series`), e.g. `"test-accuracy"`.
    pub key: &'static str,
    pub points: Vec<(f64, f64)>,
    pub side: Side,
    pub style: Style,
}

/// A point to highlight, such as the value of the current input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Marker {
    /// A stable name (`data-marker`), e.g. `"current"`.
    pub key: &'static str,
    pub x: f64,
    pub y: f64,
    pub side: Side,
}

/// Everything a chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    /// View-box width and height, SVG user units.
    pub width: f64,
    pub height: f64,
    pub x: Axis,
    pub y: Axis,
    /// The right axis, for series on [`Side::Right`]; `None` draws none.
    pub y2: Option<Axis>,
    pub series: Vec<Series>,
    pub markers: Vec<Marker>,
}

/// A tick: its value, its position along the axis (x or y, view-box units) and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub pos: f64,
    pub label: String,
}

/// The rectangle the data is drawn in, view-box units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlotArea {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

/// A point that is drawn: its value and its position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedPoint {
    pub x: f64,
    pub y: f64,
    pub px: f64,
    pub py: f64,
}

/// A series as drawn: an SVG path (`M x y L x y …`, empty without a line or with fewer than
/// two points) and its placed points.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesGeometry {
    pub key: &'static str,
    pub style: Style,
    pub side: Side,
    pub path: String,
    pub points: Vec<PlacedPoint>,
}

/// A marker as drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarkerGeometry {
    pub key: &'static str,
    pub side: Side,
    pub point: PlacedPoint,
}

/// Where everything goes.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartGeometry {
    pub width: f64,
    pub height: f64,
    pub area: PlotArea,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    /// Empty when the chart has no right axis.
    pub y2_ticks: Vec<Tick>,
    pub series: Vec<SeriesGeometry>,
    pub markers: Vec<MarkerGeometry>,
    /// True when no point at all could be drawn.
    pub empty: bool,
}

/// Room for the left tick labels, view-box units.
const MARGIN_LEFT: f64 = 46.0;
/// Room for the right tick labels when there is a right axis.
const MARGIN_RIGHT_AXIS: f64 = 46.0;
const MARGIN_RIGHT: f64 = 16.0;
const MARGIN_TOP: f64 = 10.0;
/// Room for the x tick labels.
const MARGIN_BOTTOM: f64 = 24.0;
/// About this many ticks on a linear axis.
const LINEAR_TICKS: f64 = 5.0;
/// At most this many labelled decades on a log axis.
const MAX_LOG_TICKS: usize = 7;

/// Width of one character of a tick label, view-box units (labels are 11 px; digits are about
/// 0.55 em, so this leaves a little to spare).
const TICK_CHAR_WIDTH: f64 = 6.5;
/// Gap between a y tick label and its axis (as drawn by the page).
const TICK_GAP: f64 = 4.0;

/// Lays a chart out. The margins are wide enough for the usual labels; where a label is longer
/// (a value like `-2.5e104`), the plot area gives way so that no label leaves the chart.
pub fn layout(spec: &ChartSpec) -> ChartGeometry {
    let margins = Margins {
        left: MARGIN_LEFT,
        right: if spec.y2.is_some() {
            MARGIN_RIGHT_AXIS
        } else {
            MARGIN_RIGHT
        },
    };
    let first = layout_within(spec, margins);
    let room = |ticks: &[Tick]| {
        let chars = ticks.iter().map(|t| t.label.chars().count()).max();
        chars.map_or(0.0, |n| TICK_GAP + n as f64 * TICK_CHAR_WIDTH)
    };
    // The last x label is centred on its tick, at the right end of the area.
    let x_overhang = first.x_ticks.last().map_or(0.0, |t| {
        t.label.chars().count() as f64 * TICK_CHAR_WIDTH / 2.0
    });
    let needed = Margins {
        left: margins.left.max(room(&first.y_ticks)),
        right: margins.right.max(room(&first.y2_ticks)).max(x_overhang),
    };
    if needed == margins {
        first
    } else {
        // Tick labels depend on the values only, not on the area, so they stay as they were.
        layout_within(spec, needed)
    }
}

/// The room left and right of the plot area, view-box units.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Margins {
    left: f64,
    right: f64,
}

fn layout_within(spec: &ChartSpec, margins: Margins) -> ChartGeometry {
    let area = PlotArea {
        left: margins.left,
        top: MARGIN_TOP,
        right: spec.width - margins.right,
        bottom: spec.height - MARGIN_BOTTOM,
    };
    let y2 = spec.y2.unwrap_or(spec.y);
    let axis_of = |side: Side| if side == Side::Left { spec.y } else { y2 };

    // Only the points each axis can show take part in its range.
    let drawable = |x: f64, y: f64, side: Side| {
        spec.x.can_show(x) && axis_of(side).can_show(y) && (side == Side::Left || spec.y2.is_some())
    };
    let mut xs = Vec::new();
    let mut ys = [Vec::new(), Vec::new()];
    let mut add = |x: f64, y: f64, side: Side| {
        if drawable(x, y, side) {
            xs.push(x);
            ys[side as usize].push(y);
        }
    };
    for s in &spec.series {
        s.points.iter().for_each(|&(x, y)| add(x, y, s.side));
    }
    for m in &spec.markers {
        add(m.x, m.y, m.side);
    }
    let empty = xs.is_empty();

    let x_range = AxisRange::new(spec.x, &xs, area.left, area.right);
    let y_range = AxisRange::new(spec.y, &ys[0], area.bottom, area.top);
    let y2_range = spec
        .y2
        .map(|axis| AxisRange::new(axis, &ys[1], area.bottom, area.top));
    let range_of = |side: Side| match (side, &y2_range) {
        (Side::Right, Some(r)) => r,
        _ => &y_range,
    };
    let place = |x: f64, y: f64, side: Side| PlacedPoint {
        x,
        y,
        px: round1(x_range.position(x)),
        py: round1(range_of(side).position(y)),
    };

    let series = spec
        .series
        .iter()
        .map(|s| {
            let points: Vec<PlacedPoint> = s
                .points
                .iter()
                .filter(|&&(x, y)| drawable(x, y, s.side))
                .map(|&(x, y)| place(x, y, s.side))
                .collect();
            SeriesGeometry {
                key: s.key,
                style: s.style,
                side: s.side,
                path: if s.style.has_line() {
                    path_through(&points)
                } else {
                    String::new()
                },
                points,
            }
        })
        .collect();
    let markers = spec
        .markers
        .iter()
        .filter(|m| drawable(m.x, m.y, m.side))
        .map(|m| MarkerGeometry {
            key: m.key,
            side: m.side,
            point: place(m.x, m.y, m.side),
        })
        .collect();

    ChartGeometry {
        width: spec.width,
        height: spec.height,
        area,
        x_ticks: x_range.ticks,
        y_ticks: y_range.ticks,
        y2_ticks: y2_range.map(|r| r.ticks).unwrap_or_default(),
        series,
        markers,
        empty,
    }
}

impl Axis {
    /// Whether a value can be placed on this axis.
    fn can_show(&self, value: f64) -> bool {
        value.is_finite() && (self.scale == Scale::Linear || value > 0.0)
    }
}

/// An axis's range after widening to nice ticks, and the pixel span it maps to.
struct AxisRange {
    scale: Scale,
    /// The range in axis units: values for linear, log10(values) for log.
    lo: f64,
    hi: f64,
    /// Positions of `lo` and `hi`.
    from: f64,
    to: f64,
    ticks: Vec<Tick>,
}

impl AxisRange {
    fn new(axis: Axis, values: &[f64], from: f64, to: f64) -> Self {
        let (mut min, mut max) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let mut range = match axis.scale {
            Scale::Linear => {
                if min > max {
                    (min, max) = (0.0, 1.0);
                }
                if axis.include_zero {
                    (min, max) = (min.min(0.0), max.max(0.0));
                }
                let (lo, hi, values) = linear_ticks(min, max);
                let ticks = values.iter().map(|&v| (v, v)).collect::<Vec<_>>();
                (lo, hi, ticks)
            }
            Scale::Log => {
                if min > max {
                    (min, max) = (1.0, 10.0);
                }
                let (lo, hi, values) = log_ticks(min, max);
                let ticks = values.iter().map(|&v| (v.log10(), v)).collect::<Vec<_>>();
                (lo, hi, ticks)
            }
        };
        let ticks = std::mem::take(&mut range.2);
        let mut this = Self {
            scale: axis.scale,
            lo: range.0,
            hi: range.1,
            from,
            to,
            ticks: Vec::new(),
        };
        let step = linear_step_of(&ticks);
        this.ticks = ticks
            .into_iter()
            .map(|(at, value)| Tick {
                value,
                pos: round1(this.position_of_unit(at)),
                label: tick_label(value, step, axis.format),
            })
            .collect();
        this
    }

    /// Position of a value.
    fn position(&self, value: f64) -> f64 {
        let unit = match self.scale {
            Scale::Linear => value,
            Scale::Log => value.log10(),
        };
        self.position_of_unit(unit)
    }

    fn position_of_unit(&self, unit: f64) -> f64 {
        let span = self.hi - self.lo;
        let t = if span > 0.0 {
            (unit - self.lo) / span
        } else {
            0.5
        };
        self.from + t * (self.to - self.from)
    }
}

/// The spacing of evenly spaced ticks (for label decimals); 0 for log ticks.
fn linear_step_of(ticks: &[(f64, f64)]) -> f64 {
    match ticks {
        [(a, va), (b, vb), ..] if a != va || b != vb => 0.0,
        [(a, _), (b, _), ..] => (b - a).abs(),
        _ => 0.0,
    }
}

/// A "nice" step near `rough`: 1, 2 or 5 × 10ᵏ, whichever is nearest.
pub fn nice_step(rough: f64) -> f64 {
    if !(rough.is_finite() && rough > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(rough.log10().floor());
    let fraction = rough / power;
    let nice = if fraction < 1.5 {
        1.0
    } else if fraction < 3.0 {
        2.0
    } else if fraction < 7.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// Ticks of a linear axis covering `[min, max]`: the widened range and the tick values.
pub fn linear_ticks(min: f64, max: f64) -> (f64, f64, Vec<f64>) {
    let (min, max) = if max > min {
        (min, max)
    } else {
        // One value: a range around it that still shows it with ticks.
        let half = if min == 0.0 { 1.0 } else { min.abs() * 0.5 };
        (min - half, min + half)
    };
    let step = nice_step((max - min) / (LINEAR_TICKS - 1.0));
    let first = (min / step).floor();
    let last = (max / step).ceil();
    let count = (last - first) as usize + 1;
    let values = (0..count)
        .map(|i| snap((first + i as f64) * step, step))
        .collect::<Vec<_>>();
    (first * step, last * step, values)
}

/// Ticks of a log axis covering `[min, max]` (both > 0): the widened range in log10 units and
/// the tick values, powers of ten (with 2 and 5 between them when the range spans at most one
/// decade, and only every other decade, or fewer, when it spans many).
pub fn log_ticks(min: f64, max: f64) -> (f64, f64, Vec<f64>) {
    let lo = min.log10().floor();
    let mut hi = max.log10().ceil();
    if hi <= lo {
        hi = lo + 1.0;
    }
    let decades = (hi - lo) as usize;
    let mut values = Vec::new();
    if decades <= 1 {
        for d in 0..=decades {
            let base = 10f64.powf(lo + d as f64);
            values.push(base);
            if d < decades {
                values.extend([2.0 * base, 5.0 * base]);
            }
        }
    } else {
        let every = decades.div_ceil(MAX_LOG_TICKS - 1);
        // A whole number of tick steps, so both ends of the axis carry a tick.
        let steps = decades.div_ceil(every);
        hi = lo + (steps * every) as f64;
        values.extend((0..=steps).map(|k| 10f64.powf(lo + (k * every) as f64)));
    }
    (lo, hi, values)
}

/// Removes the float noise of `k × step` (0.30000000000000004 → 0.3).
fn snap(value: f64, step: f64) -> f64 {
    let decimals = decimals_for(step);
    let scale = 10f64.powi(decimals as i32);
    let snapped = (value * scale).round() / scale;
    if snapped == 0.0 { 0.0 } else { snapped }
}

/// Decimals needed to write multiples of `step` exactly (0 for steps ≥ 1).
fn decimals_for(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) || step >= 1.0 {
        return 0;
    }
    let mut decimals = 0;
    let mut s = step;
    while decimals < 12 && (s - s.round()).abs() > 1e-9 * s.max(1.0) {
        s *= 10.0;
        decimals += 1;
    }
    decimals
}

/// A tick's label. `step` is the linear tick spacing (0 on a log axis).
pub fn tick_label(value: f64, step: f64, format: TickFormat) -> String {
    match format {
        TickFormat::Percent => {
            let step = if step > 0.0 {
                step * 100.0
            } else {
                value * 100.0
            };
            format!("{}%", plain(value * 100.0, step))
        }
        TickFormat::Number => {
            let magnitude = value.abs();
            if magnitude > 0.0 && magnitude < SMALLEST_PLAIN {
                return scientific(value, step);
            }
            if magnitude == 0.0 && step > 0.0 && step < SMALLEST_PLAIN {
                return "0".to_owned();
            }
            if magnitude >= LARGEST_SI {
                return scientific(value, step);
            }
            let si = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e4, "k")];
            for (unit, suffix) in si {
                if magnitude >= unit {
                    let divisor = if suffix == "k" { 1e3 } else { unit };
                    let step = if step > 0.0 {
                        step / divisor
                    } else {
                        value / divisor
                    };
                    return format!("{}{suffix}", plain(value / divisor, step));
                }
            }
            plain(value, if step > 0.0 { step } else { value })
        }
    }
}

/// Below this, a tick reads as `2.5e-7` rather than a row of zeros.
const SMALLEST_PLAIN: f64 = 1e-3;
/// From here on a tick reads as `2.5e18` rather than `2500000T`, which would run off the chart.
const LARGEST_SI: f64 = 1e15;

/// `value` as `m·10ᵉ` written `me±e`, with as many decimals in `m` as `step` needs (at most 2).
fn scientific(value: f64, step: f64) -> String {
    let exponent = value.abs().log10().floor();
    let scale = 10f64.powf(exponent);
    let step = if step > 0.0 { step / scale } else { 1.0 };
    let decimals = decimals_for(step).min(2);
    let mantissa = value / scale;
    format!("{mantissa:.decimals$}e{exponent}")
}

/// `value` with as many decimals as multiples of `step` need, at most 6.
fn plain(value: f64, step: f64) -> String {
    let decimals = decimals_for(step.abs()).min(6);
    let text = format!("{value:.decimals$}");
    if text.starts_with('-') && text.trim_start_matches(['-', '0', '.']).is_empty() {
        text[1..].to_owned()
    } else {
        text
    }
}

/// An SVG path through the points, or an empty string for fewer than two.
fn path_through(points: &[PlacedPoint]) -> String {
    if points.len() < 2 {
        return String::new();
    }
    let mut path = String::with_capacity(points.len() * 14);
    for (i, p) in points.iter().enumerate() {
        let command = if i == 0 { 'M' } else { 'L' };
        path.push_str(&format!("{command}{} {}", p.px, p.py));
    }
    path
}

/// A position rounded to 0.1 unit, enough for a screen and shorter to write.
fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(x: Axis, y: Axis, points: Vec<(f64, f64)>) -> ChartSpec {
        ChartSpec {
            width: 400.0,
            height: 240.0,
            x,
            y,
            y2: None,
            series: vec![Series {
                key: "s",
                points,
                side: Side::Left,
                style: Style::LineAndDots,
            }],
            markers: Vec::new(),
        }
    }

    fn values(ticks: &[Tick]) -> Vec<f64> {
        ticks.iter().map(|t| t.value).collect()
    }

    fn labels(ticks: &[Tick]) -> Vec<&str> {
        ticks.iter().map(|t| t.label.as_str()).collect()
    }

    #[test]
    fn long_tick_labels_push_the_plot_area_in_so_that_they_stay_on_the_chart() {
        let usual = layout(&spec(
            Axis::linear(),
            Axis::linear(),
            vec![(0.0, 0.0), (10.0, 500.0)],
        ));
        assert_eq!(usual.area.left, MARGIN_LEFT);
        assert_eq!(usual.area.right, 400.0 - MARGIN_RIGHT);

        let huge = layout(&spec(
            Axis::linear(),
            Axis::linear(),
            vec![(0.0, -2.5e104), (2e99, 1e103)],
        ));
        let width = |t: &Tick| t.label.chars().count() as f64 * TICK_CHAR_WIDTH;
        for t in &huge.y_ticks {
            assert!(
                huge.area.left - TICK_GAP - width(t) >= 0.0,
                "{t:?} leaves the chart"
            );
        }
        let last = huge.x_ticks.last().expect("x ticks");
        assert!(
            last.pos + width(last) / 2.0 <= 400.0,
            "{last:?} leaves the chart"
        );
        assert!(huge.area.left > MARGIN_LEFT);
    }

    #[test]
    fn nice_steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(0.23), 0.2);
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(1.7), 2.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(nice_step(2400.0), 2000.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
    }

    #[test]
    fn linear_ticks_cover_the_data_with_round_numbers() {
        let (lo, hi, ticks) = linear_ticks(3.0, 97.0);
        assert_eq!((lo, hi), (0.0, 100.0));
        assert_eq!(ticks, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);

        let (_, _, ticks) = linear_ticks(0.0, 0.3);
        // 0.1 × 3 is 0.30000000000000004 in floating point; the tick must read 0.3.
        assert_eq!(ticks, vec![0.0, 0.1, 0.2, 0.3]);

        let (lo, hi, _) = linear_ticks(-310.0, 120.0);
        assert!(lo <= -310.0 && hi >= 120.0);
    }

    #[test]
    fn one_value_still_gets_a_range_around_it() {
        let (lo, hi, ticks) = linear_ticks(5.0, 5.0);
        assert!(lo < 5.0 && hi > 5.0, "{lo}..{hi}");
        assert!(ticks.len() >= 2);
        let (lo, hi, _) = linear_ticks(0.0, 0.0);
        assert!(lo < 0.0 && hi > 0.0);
    }

    #[test]
    fn log_ticks_are_decades_or_one_two_five() {
        let (lo, hi, ticks) = log_ticks(1.0, 1000.0);
        assert_eq!((lo, hi), (0.0, 3.0));
        assert_eq!(ticks, vec![1.0, 10.0, 100.0, 1000.0]);

        let (_, _, ticks) = log_ticks(2.0, 8.0);
        assert_eq!(ticks, vec![1.0, 2.0, 5.0, 10.0]);

        // 1 to 1e12: twelve decades, labelled every other one, both ends included.
        let (lo, hi, ticks) = log_ticks(1.0, 1e12);
        assert_eq!(lo, 0.0);
        assert!(ticks.len() <= MAX_LOG_TICKS, "{ticks:?}");
        assert_eq!(ticks.first(), Some(&1.0));
        assert_eq!(ticks.last().map(|t| t.log10()), Some(hi));
    }

    #[test]
    fn labels_read_as_people_write_numbers() {
        assert_eq!(tick_label(0.3, 0.1, TickFormat::Number), "0.3");
        assert_eq!(tick_label(2000.0, 1000.0, TickFormat::Number), "2000");
        assert_eq!(tick_label(20_000.0, 10_000.0, TickFormat::Number), "20k");
        assert_eq!(
            tick_label(1_500_000.0, 500_000.0, TickFormat::Number),
            "1.5M"
        );
        assert_eq!(tick_label(3e9, 0.0, TickFormat::Number), "3G");
        assert_eq!(tick_label(-2e12, 1e12, TickFormat::Number), "-2T");
        assert_eq!(tick_label(999e12, 1e12, TickFormat::Number), "999T");
        assert_eq!(tick_label(2.5e18, 5e17, TickFormat::Number), "2.5e18");
        assert_eq!(tick_label(-3e200, 0.0, TickFormat::Number), "-3e200");
        // However large the value, the label stays short enough for the axis.
        for exponent in 12..=300 {
            let value = 7.0 * 10f64.powi(exponent);
            let label = tick_label(value, value / 7.0, TickFormat::Number);
            assert!(label.len() <= 8, "{value}: {label}");
        }
        assert_eq!(tick_label(0.01, 0.0, TickFormat::Number), "0.01");
        assert_eq!(tick_label(0.25, 0.05, TickFormat::Percent), "25%");
        assert_eq!(tick_label(0.975, 0.005, TickFormat::Percent), "97.5%");
        assert_eq!(tick_label(-0.0, 0.5, TickFormat::Number), "0.0");
        assert_eq!(tick_label(-0.0, 1.0, TickFormat::Number), "0");
        // The MNIST run's days and dollars are tiny: no row of zeros.
        assert_eq!(tick_label(1e-8, 0.0, TickFormat::Number), "1e-8");
        assert_eq!(tick_label(6e-7, 2e-7, TickFormat::Number), "6e-7");
        assert_eq!(tick_label(2.5e-7, 5e-8, TickFormat::Number), "2.5e-7");
        assert_eq!(tick_label(0.0, 2e-7, TickFormat::Number), "0");
    }

    #[test]
    fn points_land_inside_the_plot_area_in_order() {
        let g = layout(&spec(
            Axis::linear(),
            Axis::linear(),
            vec![(1.0, 0.5), (2.0, 0.3), (3.0, 0.2)],
        ));
        assert!(!g.empty);
        let s = &g.series[0];
        assert_eq!(s.points.len(), 3);
        for p in &s.points {
            assert!(p.px >= g.area.left && p.px <= g.area.right, "{p:?}");
            assert!(p.py >= g.area.top && p.py <= g.area.bottom, "{p:?}");
        }
        // x grows to the right; a smaller y is lower on screen (a larger py).
        assert!(s.points[0].px < s.points[1].px && s.points[1].px < s.points[2].px);
        assert!(s.points[0].py < s.points[1].py && s.points[1].py < s.points[2].py);
        assert!(s.path.starts_with('M') && s.path.matches('L').count() == 2);
        // Ticks sit on the axis span, from the bottom up.
        assert_eq!(g.y_ticks.first().map(|t| t.pos), Some(g.area.bottom));
        assert_eq!(g.y_ticks.last().map(|t| t.pos), Some(g.area.top));
    }

    #[test]
    fn points_that_cannot_be_drawn_are_left_out() {
        let g = layout(&spec(
            Axis::log(),
            Axis::linear(),
            vec![
                (1.0, 1.0),
                (f64::NAN, 2.0),
                (2.0, f64::INFINITY),
                (0.0, 3.0),
                (-4.0, 3.0),
                (8.0, 4.0),
            ],
        ));
        let kept: Vec<(f64, f64)> = g.series[0].points.iter().map(|p| (p.x, p.y)).collect();
        assert_eq!(kept, vec![(1.0, 1.0), (8.0, 4.0)]);
        assert!(!g.series[0].path.contains("NaN") && !g.series[0].path.contains("inf"));
        for t in g.x_ticks.iter().chain(&g.y_ticks) {
            assert!(t.pos.is_finite() && t.value.is_finite(), "{t:?}");
        }
    }

    #[test]
    fn a_chart_with_nothing_to_draw_says_so_and_still_has_finite_ticks() {
        let g = layout(&spec(Axis::log(), Axis::log(), vec![(f64::NAN, 1.0)]));
        assert!(g.empty);
        assert!(g.series[0].points.is_empty() && g.series[0].path.is_empty());
        assert!(g.x_ticks.iter().all(|t| t.pos.is_finite()));
    }

    #[test]
    fn a_marker_is_placed_like_a_point_and_moves_with_its_value() {
        let mut s = spec(
            Axis::log(),
            Axis::log(),
            vec![(1.0, 100.0), (10.0, 10.0), (100.0, 1.0)],
        );
        s.markers.push(Marker {
            key: "current",
            x: 10.0,
            y: 10.0,
            side: Side::Left,
        });
        let g = layout(&s);
        let marker = g.markers[0].point;
        assert_eq!((marker.px, marker.py), {
            let p = g.series[0].points[1];
            (p.px, p.py)
        });
        s.markers[0].x = 100.0;
        s.markers[0].y = 1.0;
        assert!(layout(&s).markers[0].point.px > marker.px);
    }

    #[test]
    fn the_right_axis_has_its_own_range() {
        let mut s = spec(
            Axis::linear(),
            Axis::linear().from_zero(),
            vec![(1.0, 2.0), (2.0, 1.0)],
        );
        s.y2 = Some(Axis::linear().percent());
        s.series.push(Series {
            key: "accuracy",
            points: vec![(1.0, 0.9), (2.0, 0.95)],
            side: Side::Right,
            style: Style::LineAndDots,
        });
        let g = layout(&s);
        assert_eq!(g.y_ticks.first().map(|t| t.value), Some(0.0));
        assert!(labels(&g.y2_ticks).iter().all(|l| l.ends_with('%')));
        assert!(
            values(&g.y2_ticks)
                .iter()
                .all(|&v| (0.8..=1.0).contains(&v))
        );
        assert!(g.area.right <= 400.0 - MARGIN_RIGHT_AXIS);
        // Each series fills its own axis: both span the plot's height.
        let right = &g.series[1].points;
        assert!(right[1].py < right[0].py);
    }
}
