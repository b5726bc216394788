//! Properties of the input parsers (`cost::input`, the layer-size and code parsers, and the
//! field parsers the page composes from them) and of the number formats (`cost::format`).
//!
//! What each kind of typed text must give:
//! - a number written in any accepted style (plain, exponent, `× 10ⁿ`, thousands grouped with
//!   `,` ` ` `'` or `.`, decimal comma after such grouping, full-width, currency symbol before
//!   or after, scale word, surrounding spaces) reads as exactly the `f64` nearest its digits;
//! - beyond 10¹⁰⁰ it is `TooLarge`, non-zero below 10⁻¹⁰⁰ `TooSmall`;
//! - a unit word after it (`8 GPUs`, `2.5 USD`, `3元`) is `UnitText` naming that word;
//! - a percent sign is `PercentNotAllowed`, except in a fraction field where `40%` is 0.4;
//! - anything else at all (random Unicode, typed junk, 100 KB pastes) gives an error or a
//!   finite value in range, never a panic, a negative zero or a long message.

use price_war_lab::cost::accelerators::{Precision, find_accelerator, find_link};
use price_war_lab::cost::format::{
    NOT_A_VALUE, format_money, format_money_zh, format_number, format_price, format_price_zh,
    group_thousands, superscript,
};
use price_war_lab::cost::input::{
    InputError, MAX_COUNT, MAX_MAGNITUDE, MIN_MAGNITUDE, parse_count, parse_fraction, parse_number,
    require_non_negative, require_positive,
};
use price_war_lab::cost::training::{mlp_flops, parse_layer_sizes};
use price_war_lab::cost::units::{Currency, PriceUnit};
use price_war_lab::lang::Lang;
use proptest::prelude::*;

use super::{assert_messages, config, mentions_non_number};

// ---- the page's field parsers, as src/ui/cost_model/widgets.rs composes them -------------

/// A field of numbers above 0 (prices per unit, bandwidths).
fn positive(text: &str) -> Result<f64, InputError> {
    parse_number(text).and_then(require_positive)
}

/// A field of 0 or more (fixed costs, prices per GPU-hour).
fn non_negative(text: &str) -> Result<f64, InputError> {
    parse_number(text).and_then(require_non_negative)
}

/// A fraction field in (0, 1] (MFU).
fn fraction(text: &str) -> Result<f64, InputError> {
    parse_fraction(text).and_then(require_positive)
}

/// Checks one parser's answer to any text: a finite value in range, or an error with two
/// short messages.
#[track_caller]
fn assert_sane(text: &str, result: Result<f64, InputError>) {
    match result {
        Ok(v) => {
            assert!(v.is_finite(), "'{text}' gave {v}");
            assert!(
                v == 0.0 || (MIN_MAGNITUDE..=MAX_MAGNITUDE).contains(&v.abs()),
                "'{text}' gave {v:e}, out of range"
            );
            assert!(!(v == 0.0 && v.is_sign_negative()), "'{text}' gave -0");
        }
        Err(e) => assert_messages(&e.to_string(), &e.message_zh()),
    }
}

// ---- generators of typed text ---------------------------------------------------------------

/// Characters people's number fields actually receive: digits of both widths, signs, points,
/// separators, exponents, currency, percent, scale words' first letters, CJK units, spaces.
const TYPED_CHARS: &str = "0123456789０１２３４５６７８９ +-−－.,'’。，．eE×x*^⁰¹²³⁻%％$¥￥€£ \u{a0}\u{202f}\u{3000}mbtk万亿千元GPUsaN";

/// Text typed from [`TYPED_CHARS`], up to 24 characters.
fn typed_junk() -> impl Strategy<Value = String> {
    let chars: Vec<char> = TYPED_CHARS.chars().collect();
    prop::collection::vec(prop::sample::select(chars), 0..24).prop_map(String::from_iter)
}

/// Anything: random Unicode, typed junk, or a long paste (up to 100 KB).
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        3 => typed_junk(),
        1 => (typed_junk(), 1usize..4096).prop_map(|(s, n)| s.repeat(n).chars().take(100_000).collect()),
        1 => (1usize..100_000).prop_map(|n| "9".repeat(n)),
        1 => (1usize..30_000).prop_map(|n| format!("0.{}1", "0".repeat(n))),
    ]
}

/// How a number is written. Every style is one a person uses somewhere.
#[derive(Debug, Clone, Copy)]
enum Style {
    Plain,
    /// `1,234,567.5`
    CommaGroups,
    /// `1 234 567.5` with a space, a no-break space or a narrow no-break space.
    SpaceGroups(char),
    /// `1'234'567.5`, `1’234’567.5`
    ApostropheGroups(char),
    /// `1.234.567,5` (needs at least one group separator to be read as a decimal comma).
    GermanGroups,
    /// `1 234 567,5`
    FrenchGroups,
    /// Full-width digits and signs from a Chinese input method, `。` or `．` as the point.
    FullWidth(char),
}

/// A decimal number as digits: sign, integer digits, fraction digits, power of ten.
#[derive(Debug, Clone)]
struct Digits {
    negative: bool,
    integer: String,
    fraction: String,
    exponent: i32,
}

impl Digits {
    /// The value these digits stand for, as the standard library reads them (correctly
    /// rounded), with `extra` added to the exponent (a scale word's power, a percent's −2).
    fn value(&self, extra: i32) -> f64 {
        let integer = if self.integer.is_empty() {
            "0"
        } else {
            &self.integer
        };
        let fraction = if self.fraction.is_empty() {
            "0"
        } else {
            &self.fraction
        };
        let sign = if self.negative { "-" } else { "" };
        let text = format!("{sign}{integer}.{fraction}e{}", self.exponent + extra);
        let v: f64 = text.parse().unwrap_or(f64::NAN);
        v + 0.0
    }

    fn any_nonzero(&self) -> bool {
        self.integer
            .chars()
            .chain(self.fraction.chars())
            .any(|c| c != '0')
    }
}

fn digits() -> impl Strategy<Value = Digits> {
    (
        any::<bool>(),
        prop_oneof![
            Just(String::new()),
            Just("0".to_string()),
            "[1-9][0-9]{0,14}"
        ],
        prop_oneof![Just(String::new()), "[0-9]{1,8}"],
        prop_oneof![3 => Just(0), 1 => -30i32..=30],
    )
        .prop_filter("a number needs a digit", |(_, i, f, _)| {
            !(i.is_empty() && f.is_empty())
        })
        .prop_map(|(negative, integer, fraction, exponent)| Digits {
            negative,
            integer,
            fraction,
            exponent,
        })
}

fn style() -> impl Strategy<Value = Style> {
    prop_oneof![
        Just(Style::Plain),
        Just(Style::CommaGroups),
        prop::sample::select(vec![' ', '\u{a0}', '\u{202f}']).prop_map(Style::SpaceGroups),
        prop::sample::select(vec!['\'', '’']).prop_map(Style::ApostropheGroups),
        Just(Style::GermanGroups),
        Just(Style::FrenchGroups),
        prop::sample::select(vec!['．', '。']).prop_map(Style::FullWidth),
    ]
}

/// Puts `separator` between groups of three digits, from the right.
fn grouped(integer: &str, separator: char) -> String {
    let mut out = String::new();
    for (i, c) in integer.chars().enumerate() {
        if i > 0 && (integer.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

fn full_width(text: &str, point: char) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => {
                char::from_u32(u32::from(c) - u32::from('0') + u32::from('０')).unwrap_or(c)
            }
            '-' => '－',
            '+' => '＋',
            '.' => point,
            'e' => 'ｅ',
            c => c,
        })
        .collect()
}

/// Writes `d` in `style`, with its exponent as `e`, `× 10ⁿ` or `x10^n` (chosen by `form`).
fn render(d: &Digits, style: Style, form: u8) -> String {
    let (integer, point, grouping) = match style {
        Style::Plain | Style::FullWidth(_) => (d.integer.clone(), '.', None),
        Style::CommaGroups => (grouped(&d.integer, ','), '.', Some(',')),
        Style::SpaceGroups(c) => (grouped(&d.integer, c), '.', Some(c)),
        Style::ApostropheGroups(c) => (grouped(&d.integer, c), '.', Some(c)),
        Style::GermanGroups => (grouped(&d.integer, '.'), ',', Some('.')),
        Style::FrenchGroups => (grouped(&d.integer, ' '), ',', Some(' ')),
    };
    // A decimal comma is only read as one after a group separator, and a single '.' is always
    // a decimal point: where the style cannot say what it means, write the plain form instead.
    let has_group = grouping.is_some_and(|g| integer.contains(g));
    let ambiguous = (point == ',' && !has_group)
        || (grouping == Some('.') && d.fraction.is_empty() && integer.matches('.').count() < 2);
    let (integer, point) = if ambiguous {
        (d.integer.clone(), '.')
    } else {
        (integer, point)
    };
    let mut text = String::new();
    if d.negative {
        text.push('-');
    }
    text.push_str(&integer);
    if !d.fraction.is_empty() {
        text.push(point);
        text.push_str(&d.fraction);
    }
    if d.exponent != 0 {
        match form % 3 {
            0 => text.push_str(&format!("e{}", d.exponent)),
            1 => text.push_str(&format!(" × 10{}", superscript(d.exponent))),
            _ => text.push_str(&format!("x10^{}", d.exponent)),
        }
    }
    match style {
        Style::FullWidth(p) => full_width(&text, p),
        _ => text,
    }
}

// ---- the properties ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_gives_a_number_in_range_or_a_short_message(text in any_text()) {
        assert_sane(&text, parse_number(&text));
        assert_sane(&text, positive(&text));
        assert_sane(&text, non_negative(&text));
        if let Ok(v) = fraction(&text) {
            prop_assert!(v > 0.0 && v <= 1.0, "'{text}' gave the fraction {v}");
        }
        assert_sane(&text, parse_fraction(&text));
        match parse_count(&text) {
            Ok(n) => prop_assert!((1..=MAX_COUNT).contains(&n), "'{text}' gave the count {n}"),
            Err(e) => assert_messages(&e.to_string(), &e.message_zh()),
        }
    }

    #[test]
    fn numbers_in_every_style_read_as_their_digits(
        d in digits(),
        style in style(),
        form in any::<u8>(),
        padding in prop::sample::select(vec!["", " ", "\u{3000}", "\t", "  "]),
    ) {
        let text = format!("{padding}{}{padding}", render(&d, style, form));
        let expected = d.value(0);
        prop_assert_eq!(parse_number(&text), Ok(expected), "'{}' ({:?})", text, style);
    }

    #[test]
    fn currency_symbols_and_scale_words_are_read(
        d in digits(),
        symbol in prop::sample::select(vec!["$", "US$", "¥", "￥", "€", "£"]),
        after in any::<bool>(),
        space in prop::sample::select(vec!["", " "]),
        scale in prop::sample::select(vec![
            ("", 0), ("thousand", 3), ("million", 6), ("Billion", 9), ("trillion", 12),
            ("千", 3), ("万", 4), ("亿", 8), ("万亿", 12),
        ]),
    ) {
        // "5US$" would read "US" as a unit word; only the symbols are written after.
        let after = after && symbol != "US$";
        let number = render(&Digits { exponent: 0, ..d.clone() }, Style::CommaGroups, 0);
        let scaled = if scale.0.is_empty() { number } else { format!("{number}{space}{}", scale.0) };
        let text = if after && scale.0.is_empty() {
            format!("{scaled}{space}{symbol}")
        } else {
            format!("{symbol}{space}{scaled}")
        };
        let expected = Digits { exponent: 0, ..d }.value(scale.1);
        prop_assert_eq!(parse_number(&text), Ok(expected), "'{}'", text);
    }

    #[test]
    fn extreme_magnitudes_are_refused_by_name(d in digits(), exponent in -400i32..=400) {
        let d = Digits { exponent, ..d };
        let text = render(&d, Style::Plain, 0);
        let expected = d.value(0);
        let result = parse_number(&text);
        if !d.any_nonzero() {
            prop_assert_eq!(result, Ok(0.0), "'{}'", text);
        } else if !expected.is_finite() || expected.abs() > MAX_MAGNITUDE {
            prop_assert!(matches!(result, Err(InputError::TooLarge(_))), "'{text}': {result:?}");
        } else if expected.abs() < MIN_MAGNITUDE {
            prop_assert!(matches!(result, Err(InputError::TooSmall(_))), "'{text}': {result:?}");
        } else {
            prop_assert_eq!(result, Ok(expected), "'{}'", text);
        }
    }

    #[test]
    fn unit_words_are_refused_naming_the_word(
        d in digits(),
        space in prop::sample::select(vec!["", " ", "  "]),
        unit in prop::sample::select(vec![
            "GPUs", "GPU", "USD", "usd", "CNY", "RMB", "tokens", "GB", "TB/s", "hours", "h",
            "B", "K", "M", "元", "美元", "块", "个", "卡", "GPUs/node",
        ]),
    ) {
        let text = format!(
            "{}{space}{unit}",
            render(&Digits { exponent: 0, ..d }, Style::Plain, 0),
        );
        let result = parse_number(&text);
        prop_assert!(
            matches!(&result, Err(InputError::UnitText { unit: named, .. }) if named == unit),
            "'{text}' gave {result:?}"
        );
        if let Err(e) = result {
            prop_assert!(e.to_string().contains(&format!("'{unit}'")), "{}", e);
            prop_assert!(e.message_zh().contains(&format!("“{unit}”")), "{}", e.message_zh());
        }
    }

    #[test]
    fn percentages_are_fractions_only_in_fraction_fields(
        whole in 0u32..=100,
        hundredths in 0u32..100,
        space in prop::sample::select(vec!["", " "]),
        sign in prop::sample::select(vec!["%", "％"]),
    ) {
        let number = if hundredths == 0 { format!("{whole}") } else { format!("{whole}.{hundredths:02}") };
        let text = format!("{number}{space}{sign}");
        prop_assert!(
            matches!(parse_number(&text), Err(InputError::PercentNotAllowed(_))),
            "'{}'",
            text,
        );
        let value: f64 = format!("{number}e-2").parse().unwrap_or(f64::NAN);
        if value <= 1.0 {
            prop_assert_eq!(parse_fraction(&text), Ok(value), "'{}'", text);
        } else {
            prop_assert!(
                matches!(parse_fraction(&text), Err(InputError::NotAFraction { .. })),
                "'{}'",
                text,
            );
        }
        // Without the sign, a number above 1 is refused with a hint, never read as 4,000%.
        if number.parse::<f64>().is_ok_and(|v| v > 1.0) {
            prop_assert!(
                matches!(parse_fraction(&number), Err(InputError::NotAFraction { .. })),
                "'{number}'"
            );
        }
    }

    #[test]
    fn counts_are_whole_numbers_up_to_ten_million(n in any::<u32>(), grouping in any::<bool>()) {
        let text = if grouping { grouped(&n.to_string(), ',') } else { n.to_string() };
        let result = parse_count(&text);
        if (1..=MAX_COUNT).contains(&n) {
            prop_assert_eq!(result, Ok(n), "'{}'", text);
        } else {
            prop_assert!(
                matches!(result, Err(InputError::NotACount { .. })),
                "'{text}': {result:?}",
            );
        }
        let half = format!("{n}.5");
        prop_assert!(parse_count(&half).is_err(), "'{}' is not a whole number", half);
    }

    #[test]
    fn layer_sizes_read_back_in_every_notation(
        sizes in prop::collection::vec(1u32..=MAX_COUNT, 2..8),
        separator in prop::sample::select(vec![", ", ",", "，", " → ", "→", "-", " - ", "x", "×", " ", " > "]),
    ) {
        let text = sizes.iter().map(u32::to_string).collect::<Vec<_>>().join(separator);
        let expected: Vec<u64> = sizes.iter().map(|&s| u64::from(s)).collect();
        prop_assert_eq!(parse_layer_sizes(&text), Ok(expected), "'{}'", text);
    }

    #[test]
    fn any_layer_text_is_read_or_refused(text in any_text()) {
        match parse_layer_sizes(&text) {
            Ok(sizes) => {
                prop_assert!(sizes.len() >= 2, "'{text}' gave {sizes:?}");
                prop_assert!(
                    sizes.iter().all(|&s| (1..=u64::from(MAX_COUNT)).contains(&s)),
                    "{sizes:?}",
                );
                // The widths a reader can type always give FLOPs or a clear error.
                if let Err(e) = mlp_flops(&sizes) {
                    assert_messages(&e.message_en(), &e.message_zh());
                }
            }
            Err(e) => assert_messages(&e.message_en(), &e.message_zh()),
        }
    }

    #[test]
    fn codes_from_a_url_are_read_or_refused(text in any_text()) {
        // Selects take their value from the URL through these; none may panic, and a match
        // must be the item whose code it is.
        if let Some(c) = Currency::from_code(&text) {
            prop_assert!(c.code().eq_ignore_ascii_case(text.trim()));
        }
        if let Some(u) = PriceUnit::from_code(&text) {
            prop_assert!(u.code().eq_ignore_ascii_case(text.trim()));
        }
        if let Some(p) = Precision::from_code(&text) {
            prop_assert!(p.code().eq_ignore_ascii_case(text.trim()));
        }
        if let Some(a) = find_accelerator(&text) {
            prop_assert_eq!(a.id, text.as_str());
        }
        if let Some(l) = find_link(&text) {
            prop_assert_eq!(l.id, text.as_str());
        }
        let _ = Lang::from_tag(&text);
    }

    #[test]
    fn format_number_never_writes_nan_and_reads_back(x in super::any_value()) {
        let shown = format_number(x);
        prop_assert!(!shown.is_empty());
        prop_assert!(!mentions_non_number(&shown), "{x:e} shown as '{shown}'");
        if !x.is_finite() {
            prop_assert_eq!(shown, NOT_A_VALUE);
        } else if x == 0.0 || (MIN_MAGNITUDE..=MAX_MAGNITUDE).contains(&x.abs()) {
            // Three significant digits: the value read back is within half a unit of the
            // third digit, 0.5% of the value.
            let back = parse_number(&shown);
            prop_assert!(
                back.as_ref().is_ok_and(|b| (b - x).abs() <= 5e-3 * x.abs()),
                "{x:e} shown as '{shown}' reads back as {back:?}"
            );
        }
    }

    #[test]
    fn money_is_written_with_its_symbol_and_reads_back(
        x in super::any_value(),
        currency in prop::sample::select(Currency::ALL.to_vec()),
        unit in prop::sample::select(PriceUnit::ALL.to_vec()),
    ) {
        for shown in [format_money(x, currency), format_money_zh(x, currency)] {
            prop_assert!(!mentions_non_number(&shown), "{x:e} shown as '{shown}'");
            if !x.is_finite() {
                prop_assert_eq!(shown.as_str(), NOT_A_VALUE);
                continue;
            }
            prop_assert!(shown.contains(currency.symbol()), "'{shown}'");
            if (1e-100..=1e100).contains(&x.abs()) {
                // Two decimals below a million (an absolute 0.005), else three significant
                // digits (0.5%).
                let back = parse_number(&shown);
                let tolerance = (5e-3 * x.abs()).max(0.005 + 1e-9);
                prop_assert!(
                    back.as_ref().is_ok_and(|b| (b - x).abs() <= tolerance),
                    "{x:e} shown as '{shown}' reads back as {back:?}"
                );
            }
        }
        prop_assert!(format_price(x, unit, currency).ends_with(unit.label_en()));
        prop_assert!(format_price_zh(x, unit, currency).ends_with(unit.label_zh()));
    }

    #[test]
    fn digit_helpers_round_trip(
        digits in "[0-9]{1,40}",
        fraction in "[0-9]{0,6}",
        exponent in any::<i32>(),
    ) {
        let text = if fraction.is_empty() { digits.clone() } else { format!("{digits}.{fraction}") };
        prop_assert_eq!(group_thousands(&text).replace(',', ""), text);
        let back: String = superscript(exponent)
            .chars()
            .map(|c| match c {
                '⁻' => '-',
                '⁰' => '0', '¹' => '1', '²' => '2', '³' => '3', '⁴' => '4',
                '⁵' => '5', '⁶' => '6', '⁷' => '7', '⁸' => '8', '⁹' => '9',
                other => other,
            })
            .collect();
        prop_assert_eq!(back, exponent.to_string());
    }
}
