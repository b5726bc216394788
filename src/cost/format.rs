//! How every number on the page is written: about three significant digits, thousands
//! separators, powers of ten with superscripts instead of 25-digit numbers, money with its
//! symbol, and never `NaN` or `inf` (non-finite values show as "—").
//!
//! Also [`Step`], one line of "how this number was derived", which every result can list.

use super::units::{Currency, PriceUnit};
use crate::lang::Lang;

/// What a non-finite value shows as, so no output ever reads `NaN` or `inf`.
pub const NOT_A_VALUE: &str = "—";

/// Writes a number with about three significant digits.
///
/// - 10⁻³ ≤ |x| < 10⁶: plain, thousands separated, integer digits kept: `12,345`, `3.14`,
///   `0.0123`, `250`.
/// - otherwise: `6.3 × 10²⁴`, `1.5 × 10⁻⁷` (mantissa to three significant digits, trailing zeros
///   dropped).
/// - 0 (and -0) is `0`; NaN and ±∞ are "—".
pub fn format_number(x: f64) -> String {
    if !x.is_finite() {
        return NOT_A_VALUE.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    let (mantissa, exponent) = three_significant(a);
    if !(-3..6).contains(&exponent) {
        return format!("{sign}{}", scientific(&mantissa, exponent));
    }
    format!("{sign}{}", plain(a, exponent, 0))
}

/// Writes an amount of money with its currency symbol.
///
/// - |x| < 1: three significant digits, at least two decimals: `$0.30`, `$0.0123`; below 10⁻⁶
///   as a power of ten: `$1.5 × 10⁻⁷`.
/// - 1 ≤ |x| < 10⁶: two decimals, thousands separated: `$1,234.56`.
/// - 10⁶ ≤ |x| < 10¹⁵: three significant digits and a word: `$3.2 million`, `$4.1 billion`,
///   `$1.5 trillion`.
/// - beyond: `$1.2 × 10¹⁵`.
/// - negative amounts put the sign first (`-$5.00`); non-finite values are "—".
pub fn format_money(x: f64, currency: Currency) -> String {
    money(
        x,
        currency,
        &[(6, "million"), (9, "billion"), (12, "trillion")],
        15,
    )
}

/// [`format_money`] as Chinese writes large amounts: with 万 (10⁴), 亿 (10⁸) and 万亿 (10¹²)
/// from 10⁶ up: `$320 万`, `¥41 亿`, `$1.5 万亿`; beyond 10¹⁶ as a power of ten. Smaller amounts
/// are written as in English.
pub fn format_money_zh(x: f64, currency: Currency) -> String {
    money(x, currency, &[(4, "万"), (8, "亿"), (12, "万亿")], 16)
}

/// Writes a token price with its unit, so the unit is never lost: `$0.15 per 1M tokens`,
/// `$1.5 × 10⁻⁷ per token`.
pub fn format_price(price: f64, unit: PriceUnit, currency: Currency) -> String {
    format!("{} {}", format_money(price, currency), unit.label_en())
}

/// [`format_price`] in Chinese: `$0.15/百万 tokens`, `¥0.002/千 tokens`.
pub fn format_price_zh(price: f64, unit: PriceUnit, currency: Currency) -> String {
    format!("{}{}", format_money_zh(price, currency), unit.label_zh())
}

/// How amounts are written on the page: the currency's symbol, and the words for large amounts
/// of the page's language (million / billion, or 万 / 亿).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoneyFormat {
    /// The currency whose symbol is written.
    pub currency: Currency,
    /// The language whose words are used.
    pub lang: Lang,
}

impl MoneyFormat {
    /// English words with `currency`'s symbol.
    pub fn en(currency: Currency) -> Self {
        Self {
            currency,
            lang: Lang::En,
        }
    }

    /// An amount: [`format_money`] in English, [`format_money_zh`] in Chinese.
    pub fn amount(self, x: f64) -> String {
        match self.lang {
            Lang::Zh => format_money_zh(x, self.currency),
            Lang::En => format_money(x, self.currency),
        }
    }

    /// A token price with its unit: [`format_price`] or [`format_price_zh`].
    pub fn price(self, price: f64, unit: PriceUnit) -> String {
        match self.lang {
            Lang::Zh => format_price_zh(price, unit, self.currency),
            Lang::En => format_price(price, unit, self.currency),
        }
    }
}

/// Writes a power of ten's exponent in superscript digits: `24` → `²⁴`, `-7` → `⁻⁷`.
pub fn superscript(exponent: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut out = String::new();
    if exponent < 0 {
        out.push('⁻');
    }
    for c in exponent.unsigned_abs().to_string().chars() {
        let digit = c.to_digit(10).map_or(0, |d| d as usize);
        out.push(DIGITS[digit]);
    }
    out
}

/// Puts `,` between groups of three digits of a plain decimal string (`1234567.5` →
/// `1,234,567.5`). The string must be digits with at most one `.`.
pub fn group_thousands(digits: &str) -> String {
    let (integer, fraction) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let mut out = String::with_capacity(digits.len() + integer.len() / 3);
    for (i, c) in integer.chars().enumerate() {
        if i > 0 && (integer.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// One line of how a result was derived: the quantity, its formula, the formula with the
/// inputs substituted, and the result with its unit. The UI lists these under each output.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The quantity's name in English: "Training FLOPs".
    pub label_en: &'static str,
    /// The quantity's name in Chinese: "训练计算量".
    pub label_zh: &'static str,
    /// The formula in symbols, with English words where symbols run out: "6 · N · D",
    /// "GPU-hours × price per GPU-hour".
    pub formula: &'static str,
    /// The same formula with Chinese words: "GPU 小时 × 每 GPU 小时价格".
    pub formula_zh: &'static str,
    /// The formula with the inputs' values: "6 × 7 × 10¹⁰ × 2 × 10¹²".
    pub substituted: String,
    /// The result, formatted (money includes its symbol): "8.4 × 10²³".
    pub result: String,
    /// The result's unit in English ("FLOPs", "GPU-hours"); empty for money and pure numbers.
    pub unit_en: &'static str,
    /// The result's unit in Chinese ("FLOPs", "GPU 小时").
    pub unit_zh: &'static str,
}

impl Step {
    /// The whole line in English: "Training FLOPs: 6 · N · D = 6 × … = 8.4 × 10²³ FLOPs".
    pub fn text_en(&self) -> String {
        self.text(self.label_en, self.formula, self.unit_en, ": ")
    }

    /// The whole line in Chinese: "训练计算量：6 · N · D = 6 × … = 8.4 × 10²³ FLOPs".
    pub fn text_zh(&self) -> String {
        self.text(self.label_zh, self.formula_zh, self.unit_zh, "：")
    }

    /// The whole line in `lang`.
    pub fn text_in(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.text_zh(),
            Lang::En => self.text_en(),
        }
    }

    fn text(&self, label: &str, formula: &str, unit: &str, colon: &str) -> String {
        let unit = if unit.is_empty() {
            String::new()
        } else {
            format!(" {unit}")
        };
        format!(
            "{label}{colon}{formula} = {} = {}{unit}",
            self.substituted, self.result
        )
    }
}

/// Rounds a positive finite value to three significant digits: the digits with a point after
/// the first ("3.15") and the power of ten, with carries handled ("9.996" → "1.00", +1).
fn three_significant(a: f64) -> (String, i32) {
    let s = format!("{a:.2e}");
    match s.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse().unwrap_or(0)),
        None => (s, 0),
    }
}

/// Drops trailing zeros after a decimal point, and the point itself if nothing follows, but
/// keeps at least `min_decimals` decimals.
fn trim_decimals(s: &str, min_decimals: usize) -> String {
    let Some((integer, fraction)) = s.split_once('.') else {
        return s.to_string();
    };
    let keep = fraction
        .trim_end_matches('0')
        .len()
        .max(min_decimals)
        .min(fraction.len());
    if keep == 0 {
        integer.to_string()
    } else {
        format!("{integer}.{}", &fraction[..keep])
    }
}

/// `6.30` and 24 → `6.3 × 10²⁴`.
fn scientific(mantissa: &str, exponent: i32) -> String {
    format!(
        "{} × 10{}",
        trim_decimals(mantissa, 0),
        superscript(exponent)
    )
}

/// A positive value with three significant digits (all integer digits kept), grouped.
fn plain(a: f64, exponent: i32, min_decimals: usize) -> String {
    let decimals = usize::try_from(2 - exponent).unwrap_or(0);
    group_thousands(&trim_decimals(&format!("{a:.decimals$}"), min_decimals))
}

/// The mantissa "3.15" shifted right by `shift` places (0..=3): 1 → "31.5", 2 → "315", 3 →
/// "3150"; trailing zeros after the point dropped.
fn shift_point(mantissa: &str, shift: usize) -> String {
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = format!("{digits:0<width$}", width = shift + 1);
    let (integer, fraction) = digits.split_at(shift + 1);
    group_thousands(&trim_decimals(&format!("{integer}.{fraction}"), 0))
}

fn money(x: f64, currency: Currency, words: &[(i32, &str)], scientific_from: i32) -> String {
    if !x.is_finite() {
        return NOT_A_VALUE.to_string();
    }
    let symbol = currency.symbol();
    if x == 0.0 {
        return format!("{symbol}0.00");
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    let (mantissa, exponent) = three_significant(a);
    let body = if a < 1.0 {
        if exponent < -6 {
            scientific(&mantissa, exponent)
        } else {
            plain(a, exponent, 2)
        }
    } else if a < 1e6 {
        group_thousands(&format!("{a:.2}"))
    } else if exponent >= scientific_from {
        scientific(&mantissa, exponent)
    } else {
        // The largest word whose power fits; the 10⁶ threshold guarantees one does.
        let (power, word) = words
            .iter()
            .rev()
            .find(|(p, _)| *p <= exponent)
            .copied()
            .unwrap_or((0, ""));
        let shift = usize::try_from(exponent - power).unwrap_or(0);
        format!("{} {word}", shift_point(&mantissa, shift))
    };
    format!("{sign}{symbol}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_numbers_keep_three_significant_digits() {
        assert_eq!(format_number(12_345.0), "12,345");
        assert_eq!(format_number(999_499.0), "999,499");
        assert_eq!(format_number(250.0), "250");
        assert_eq!(format_number(1.23456), "1.23");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(1.0), "1");
        assert_eq!(format_number(42.26), "42.3");
        assert_eq!(format_number(0.0123), "0.0123");
        assert_eq!(format_number(0.001), "0.001");
        assert_eq!(format_number(0.435), "0.435");
        assert_eq!(format_number(-1234.4), "-1,234");
        assert_eq!(
            format_number(9.996),
            "10",
            "rounding carries into the next digit"
        );
    }

    #[test]
    fn large_and_small_numbers_use_powers_of_ten() {
        assert_eq!(format_number(6.3e24), "6.3 × 10²⁴");
        assert_eq!(format_number(3.15e23), "3.15 × 10²³");
        assert_eq!(format_number(1.5e-7), "1.5 × 10⁻⁷");
        assert_eq!(format_number(1e6), "1 × 10⁶");
        assert_eq!(format_number(1_720_320.0), "1.72 × 10⁶");
        assert_eq!(format_number(0.000_999), "9.99 × 10⁻⁴");
        assert_eq!(format_number(-2e30), "-2 × 10³⁰");
        assert_eq!(
            format_number(9.999e24),
            "1 × 10²⁵",
            "mantissa carry moves the exponent"
        );
        assert_eq!(format_number(f64::MAX), "1.8 × 10³⁰⁸");
        assert_eq!(format_number(5e-324), "4.94 × 10⁻³²⁴");
    }

    #[test]
    fn zero_and_non_finite() {
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(-0.0), "0", "no negative zero");
        assert_eq!(format_number(f64::NAN), "—");
        assert_eq!(format_number(f64::INFINITY), "—");
        assert_eq!(format_number(f64::NEG_INFINITY), "—");
        assert_eq!(format_money(f64::NAN, Currency::Usd), "—");
        assert_eq!(format_money_zh(f64::INFINITY, Currency::Cny), "—");
    }

    #[test]
    fn money_styles() {
        use Currency::*;
        assert_eq!(format_money(1234.56, Usd), "$1,234.56");
        assert_eq!(format_money(1234.567, Cny), "¥1,234.57");
        assert_eq!(format_money(2.5, Eur), "€2.50");
        assert_eq!(format_money(0.3, Usd), "$0.30");
        assert_eq!(format_money(0.15, Usd), "$0.15");
        assert_eq!(format_money(0.0123, Usd), "$0.0123");
        assert_eq!(format_money(0.000_15, Usd), "$0.00015");
        assert_eq!(format_money(1.5e-7, Usd), "$1.5 × 10⁻⁷");
        assert_eq!(format_money(0.0, Usd), "$0.00");
        assert_eq!(format_money(-5.0, Usd), "-$5.00");
        assert_eq!(format_money(300_000.0, Usd), "$300,000.00");
        assert_eq!(format_money(3_200_000.0, Usd), "$3.2 million");
        assert_eq!(format_money(31_500_000.0, Usd), "$31.5 million");
        assert_eq!(format_money(4.1e9, Usd), "$4.1 billion");
        assert_eq!(format_money(999_999_999.0, Usd), "$1 billion");
        assert_eq!(format_money(1.5e12, Usd), "$1.5 trillion");
        assert_eq!(format_money(1.2e15, Usd), "$1.2 × 10¹⁵");
        assert_eq!(format_money(-4.1e9, Cny), "-¥4.1 billion");
    }

    #[test]
    fn chinese_money_uses_wan_and_yi() {
        use Currency::*;
        assert_eq!(format_money_zh(1234.56, Cny), "¥1,234.56");
        assert_eq!(format_money_zh(3_200_000.0, Usd), "$320 万");
        assert_eq!(format_money_zh(4.1e9, Cny), "¥41 亿");
        assert_eq!(format_money_zh(3.2e11, Cny), "¥3,200 亿");
        assert_eq!(format_money_zh(1.5e12, Usd), "$1.5 万亿");
        assert_eq!(format_money_zh(2e16, Usd), "$2 × 10¹⁶");
    }

    #[test]
    fn prices_always_carry_their_unit() {
        use Currency::*;
        use PriceUnit::*;
        assert_eq!(
            format_price(0.15, PerMillionTokens, Usd),
            "$0.15 per 1M tokens"
        );
        assert_eq!(
            format_price(0.002, PerThousandTokens, Usd),
            "$0.002 per 1K tokens"
        );
        assert_eq!(format_price(1.5e-7, PerToken, Usd), "$1.5 × 10⁻⁷ per token");
        assert_eq!(
            format_price_zh(0.15, PerMillionTokens, Cny),
            "¥0.15/百万 tokens"
        );
        assert_eq!(format_price(f64::NAN, PerToken, Usd), "— per token");
    }

    #[test]
    fn helpers() {
        assert_eq!(superscript(0), "⁰");
        assert_eq!(superscript(24), "²⁴");
        assert_eq!(superscript(-7), "⁻⁷");
        assert_eq!(group_thousands("1234567.125"), "1,234,567.125");
        assert_eq!(group_thousands("123"), "123");
        assert_eq!(group_thousands("1000"), "1,000");
    }

    #[test]
    fn formatted_numbers_read_back() {
        // A number copied from an output into a field gives the shown value back.
        for x in [6.3e24, 1.5e-7, 12_345.0, 0.0123, -2e30] {
            let shown = format_number(x);
            assert_eq!(
                super::super::input::parse_number(&shown),
                Ok(x),
                "'{shown}'"
            );
        }
    }

    #[test]
    fn steps_read_in_both_languages() {
        let step = Step {
            label_en: "Training FLOPs",
            label_zh: "训练计算量",
            formula: "6 · N · D",
            formula_zh: "6 · N · D",
            substituted: "6 × 7 × 10¹⁰ × 2 × 10¹²".to_string(),
            result: format_number(8.4e23),
            unit_en: "FLOPs",
            unit_zh: "FLOPs",
        };
        assert_eq!(
            step.text_en(),
            "Training FLOPs: 6 · N · D = 6 × 7 × 10¹⁰ × 2 × 10¹² = 8.4 × 10²³ FLOPs"
        );
        assert_eq!(
            step.text_zh(),
            "训练计算量：6 · N · D = 6 × 7 × 10¹⁰ × 2 × 10¹² = 8.4 × 10²³ FLOPs"
        );
    }

    #[test]
    fn money_follows_the_page_language() {
        let zh = MoneyFormat {
            currency: Currency::Usd,
            lang: Lang::Zh,
        };
        let en = MoneyFormat::en(Currency::Usd);
        assert_eq!(zh.amount(3.2e6), "$320 万");
        assert_eq!(en.amount(3.2e6), "$3.2 million");
        assert_eq!(zh.amount(4.1e9), "$41 亿");
        assert_eq!(en.amount(4.1e9), "$4.1 billion");
        // Below a million both languages write the same figure.
        assert_eq!(zh.amount(1234.5), en.amount(1234.5));
        assert_eq!(
            zh.price(0.15, PriceUnit::PerMillionTokens),
            "$0.15/百万 tokens"
        );
        assert_eq!(
            en.price(0.15, PriceUnit::PerMillionTokens),
            "$0.15 per 1M tokens"
        );
    }

    #[test]
    fn a_step_reads_in_the_language_asked_for() {
        let step = Step {
            label_en: "Cost",
            label_zh: "成本",
            formula: "GPU-hours × price",
            formula_zh: "GPU 小时 × 单价",
            substituted: "2 × $3.00".to_string(),
            result: "$6.00".to_string(),
            unit_en: "",
            unit_zh: "",
        };
        assert_eq!(step.text_in(Lang::Zh), step.text_zh());
        assert_eq!(step.text_in(Lang::En), step.text_en());
        assert!(step.text_in(Lang::Zh).starts_with("成本："));
    }
}
