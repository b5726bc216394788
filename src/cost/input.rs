//! What people type into a number field, read the way they meant it, and the errors every cost
//! formula returns when its inputs are out of range.
//!
//! [`parse_number`] accepts, after trimming spaces (including full-width and no-break spaces):
//! - plain and signed decimals: `1000`, `-2.5`, `+3`, `.5`, `1.` (kept while typing `1.5`);
//! - exponents: `1e3`, `1E-3`, and the calculator's own output style `6.3 × 10²⁴` or `6.3x10^24`;
//! - thousands separators of several locales: `1,000`, `1,000,000.5`, `1 000` (also with a
//!   no-break or thin space), `1'000` (or `1’000`), `1.000.000`; and the decimal comma where
//!   the grouping shows it is one: `1.000,5` and `1 000,5` are 1000.5. Groups must have exactly
//!   three digits, so `1,5` is refused as ambiguous rather than guessed, and a single `.` is
//!   always the decimal point (`1.000` is 1);
//! - full-width characters from a Chinese input method: `１２３`, `－５`, `１．５`, `１，０００`,
//!   and `。` as the decimal point;
//! - a currency symbol (`$`, `US$`, `¥`, `￥`, `€`, `£`, `₩`) before or after the number:
//!   `$2.5` and `2.5 €` are 2.5, in the page's currency (the symbol is neither converted nor
//!   checked against the page's currency);
//! - a scale word after the number: `thousand`, `million`, `billion`, `trillion`, `千`, `万`,
//!   `亿`, `万亿` (`3.2 million` is 3,200,000; `1.5亿` is 150,000,000).
//!
//! `-0` reads as 0 (never a negative zero). A percent sign is accepted only by
//! [`parse_fraction`], where `40%` means 0.4; [`parse_number`] refuses it rather than guess.
//! Unit words (`8 GPUs`, `2.5 USD`, `3元`) are refused with a message naming the word to remove,
//! since a short suffix can be ambiguous (`1 B` may be one byte or one billion). An error
//! quotes at most the first 40 characters of what was typed.
//!
//! Magnitudes are limited to [`MIN_MAGNITUDE`]..=[`MAX_MAGNITUDE`] (or exactly 0): no quantity in
//! this calculator comes near 10¹⁰⁰, and the limit keeps products of several inputs finite.

use thiserror::Error;

use super::format::format_number;
use crate::lang::Lang;

/// Largest magnitude a field accepts: 10¹⁰⁰. Far above any real quantity (GPT-4-class training
/// runs are ~10²⁵ FLOPs), low enough that a product of three inputs stays a finite `f64`.
pub const MAX_MAGNITUDE: f64 = 1e100;

/// Smallest non-zero magnitude a field accepts: 10⁻¹⁰⁰.
pub const MIN_MAGNITUDE: f64 = 1e-100;

/// Largest count (GPUs, batch size) a count field accepts: ten million.
pub const MAX_COUNT: u32 = 10_000_000;

/// Why a field's text is not a usable number. `Display` is the English message shown beside the
/// field; [`InputError::message_zh`] is the Chinese one.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum InputError {
    /// Nothing was typed.
    #[error("Enter a number, e.g. 1000")]
    Empty,
    /// A sign, point or exponent without the digits that complete it (`-`, `.`, `1e`).
    #[error("'{0}' is not a complete number yet: add digits, e.g. 1000 or 2.5")]
    Incomplete(String),
    /// Text that is not a number at all (`abc`, `NaN`, `inf`, `1.2.3`).
    #[error("'{0}' is not a number: enter digits such as 1000, 2.5, 1,000 or 1e9")]
    NotANumber(String),
    /// Separators that are not thousands groups (`1,5`, `1,0000`, `1,000 000`), which could
    /// mean a decimal or mix two conventions.
    #[error(
        "'{0}' is ambiguous: separate thousands only in groups of three digits (1,000) \
         and write decimals with '.' (1.5)"
    )]
    BadGrouping(String),
    /// A number followed by a word that is not a known scale (`8 GPUs`, `5 USD`).
    #[error("Type only the number: remove '{unit}' from '{text}'")]
    UnitText {
        /// The whole text typed.
        text: String,
        /// The trailing word to remove.
        unit: String,
    },
    /// A percent sign in a field that is not a fraction.
    #[error("'{0}': a percent sign does not fit this field; enter the plain number")]
    PercentNotAllowed(String),
    /// Magnitude above [`MAX_MAGNITUDE`] (including `1e999`, which overflows `f64`).
    #[error("'{0}' is too large: enter a value no larger than 1e100")]
    TooLarge(String),
    /// Non-zero magnitude below [`MIN_MAGNITUDE`].
    #[error("'{0}' is too close to zero: enter 0 or a value of at least 1e-100")]
    TooSmall(String),
    /// Zero or negative where only a positive value makes sense (a price, a GPU count, a divisor).
    #[error("Enter a number greater than 0 ({} is not)", format_number(*.value))]
    NotPositive {
        /// The value entered.
        value: f64,
    },
    /// Negative where zero is allowed but a negative value is meaningless (a fixed cost).
    #[error("Enter 0 or a positive number ({} is negative)", format_number(*.value))]
    Negative {
        /// The value entered.
        value: f64,
    },
    /// Outside 0..=1 where a fraction is expected (MFU, a share).
    #[error(
        "Enter a fraction from 0 to 1 such as 0.4, or a percentage such as 40% ({} is outside)",
        format_number(*.value)
    )]
    NotAFraction {
        /// The value entered.
        value: f64,
    },
    /// Not a whole number from 1 to [`MAX_COUNT`] where a count is expected (GPUs, batch size).
    #[error("Enter a whole number from 1 to 10,000,000 ({} is not one)", format_number(*.value))]
    NotACount {
        /// The value entered.
        value: f64,
    },
}

impl InputError {
    /// The message in `lang`: [`InputError::message_zh`] or the English `Display`.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.message_zh(),
            Lang::En => self.to_string(),
        }
    }

    /// The same message in Chinese, for the page's Chinese mode.
    pub fn message_zh(&self) -> String {
        match self {
            Self::Empty => "请输入数字，例如 1000".to_string(),
            Self::Incomplete(t) => format!("“{t}”还不是完整的数字，请补上数字，例如 1000 或 2.5"),
            Self::NotANumber(t) => {
                format!("“{t}”不是数字，请输入 1000、2.5、1,000 或 1e9 这样的数字")
            }
            Self::BadGrouping(t) => {
                format!("“{t}”有歧义：千位分隔只能每三位一组（如 1,000），小数请用“.”（如 1.5）")
            }
            Self::UnitText { text, unit } => format!("只需输入数字：请去掉“{text}”中的“{unit}”"),
            Self::PercentNotAllowed(t) => format!("“{t}”：此处不能使用百分号，请输入数值本身"),
            Self::TooLarge(t) => format!("“{t}”太大了，请输入不超过 1e100 的数"),
            Self::TooSmall(t) => format!("“{t}”太接近零，请输入 0 或不小于 1e-100 的数"),
            Self::NotPositive { value } => {
                format!("请输入大于 0 的数（{} 不满足）", format_number(*value))
            }
            Self::Negative { value } => {
                format!("请输入 0 或正数（{} 是负数）", format_number(*value))
            }
            Self::NotAFraction { value } => format!(
                "请输入 0 到 1 之间的比例（如 0.4）或百分数（如 40%）（{} 超出范围）",
                format_number(*value)
            ),
            Self::NotACount { value } => format!(
                "请输入 1 到 10,000,000 之间的整数（{} 不是）",
                format_number(*value)
            ),
        }
    }
}

/// Reads what a person typed into a number field. See the module documentation for every form
/// accepted; a percent sign is refused (use [`parse_fraction`] for fraction fields).
///
/// Returns a finite value, 0 or of magnitude within [`MIN_MAGNITUDE`]..=[`MAX_MAGNITUDE`], never
/// a negative zero.
pub fn parse_number(text: &str) -> Result<f64, InputError> {
    parse(text, false)
}

/// Reads a fraction field (MFU, a share of tokens): `0.4`, `.4` and `40%` all give 0.4. The
/// result is checked with [`require_fraction`], so `40` without `%` is refused with a message
/// suggesting `0.4` or `40%` instead of being silently read as 4,000%.
pub fn parse_fraction(text: &str) -> Result<f64, InputError> {
    require_fraction(parse(text, true)?)
}

/// Reads a count field (GPUs, batch size): a whole number from 1 to [`MAX_COUNT`].
pub fn parse_count(text: &str) -> Result<u32, InputError> {
    require_count(parse_number(text)?)
}

/// Checks that `value` is greater than 0: prices, counts, divisors, bandwidths.
pub fn require_positive(value: f64) -> Result<f64, InputError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(InputError::NotPositive { value })
    }
}

/// Checks that `value` is 0 or more: fixed costs, token counts. Returns +0 for -0.
pub fn require_non_negative(value: f64) -> Result<f64, InputError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value + 0.0)
    } else {
        Err(InputError::Negative { value })
    }
}

/// Checks that `value` lies in 0..=1: MFU, scaling efficiency, a share. Returns +0 for -0.
pub fn require_fraction(value: f64) -> Result<f64, InputError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value + 0.0)
    } else {
        Err(InputError::NotAFraction { value })
    }
}

/// Checks that `value` is a whole number from 1 to [`MAX_COUNT`] and returns it as a count.
pub fn require_count(value: f64) -> Result<u32, InputError> {
    if value.fract() == 0.0 && (1.0..=f64::from(MAX_COUNT)).contains(&value) {
        // Whole and within 1..=MAX_COUNT, so the conversion is exact.
        Ok(value as u32)
    } else {
        Err(InputError::NotACount { value })
    }
}

/// Currency symbols stripped from the front of a number (or its end), longest first.
const CURRENCY_PREFIXES: [&str; 6] = ["US$", "$", "¥", "€", "£", "₩"];

/// Scale words after a number, with the power of ten each stands for.
const SCALE_WORDS: [(&str, i64); 8] = [
    ("thousand", 3),
    ("million", 6),
    ("billion", 9),
    ("trillion", 12),
    ("千", 3),
    ("万", 4),
    ("亿", 8),
    ("万亿", 12),
];

/// Maps full-width and typographic variants to the ASCII the scanner reads; every kind of
/// whitespace becomes a plain space.
fn normalize_char(c: char) -> char {
    match c {
        '０'..='９' => char::from_digit(u32::from(c) - u32::from('０'), 10).unwrap_or(c),
        '＋' => '+',
        '－' | '−' => '-',
        '．' | '。' => '.',
        '，' => ',',
        'ｅ' => 'e',
        'Ｅ' => 'E',
        '％' => '%',
        '＄' => '$',
        '￥' => '¥',
        '＊' => '*',
        '＾' => '^',
        '’' | '＇' => '\'',
        'ｘ' => 'x',
        'Ｘ' => 'X',
        c if c.is_whitespace() => ' ',
        c => c,
    }
}

/// Longest text an error message quotes back, in characters: a pasted page of text gets a
/// short message, not a copy of itself.
const MAX_SHOWN_CHARS: usize = 40;

/// The text as an error message quotes it: whole when short, else its start and "…".
fn shown_text(text: &str) -> String {
    if text.chars().count() <= MAX_SHOWN_CHARS {
        text.to_string()
    } else {
        let start: String = text.chars().take(MAX_SHOWN_CHARS - 1).collect();
        format!("{start}…")
    }
}

/// Superscript digits and minus, as [`format_number`] writes exponents.
fn superscript_value(c: char) -> Option<char> {
    match c {
        '⁰' => Some('0'),
        '¹' => Some('1'),
        '²' => Some('2'),
        '³' => Some('3'),
        '⁴' => Some('4'),
        '⁵' => Some('5'),
        '⁶' => Some('6'),
        '⁷' => Some('7'),
        '⁸' => Some('8'),
        '⁹' => Some('9'),
        '⁻' => Some('-'),
        '⁺' => Some('+'),
        _ => None,
    }
}

/// A cursor over the normalized characters of one field.
struct Scanner {
    chars: Vec<char>,
    pos: usize,
}

impl Scanner {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_str(&mut self, s: &str) -> bool {
        let n = s.chars().count();
        let matches = self.chars.len() >= self.pos + n
            && self.chars[self.pos..self.pos + n]
                .iter()
                .copied()
                .eq(s.chars());
        if matches {
            self.pos += n;
        }
        matches
    }

    fn skip_spaces(&mut self) {
        while self.eat(' ') {}
    }

    fn digits(&mut self) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek().filter(char::is_ascii_digit) {
            out.push(c);
            self.pos += 1;
        }
        out
    }

    fn rest(&self) -> String {
        self.chars[self.pos..].iter().collect()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }
}

/// Reads an optional sign; `true` for minus.
fn sign(s: &mut Scanner) -> Option<bool> {
    if s.eat('-') {
        Some(true)
    } else if s.eat('+') {
        Some(false)
    } else {
        None
    }
}

/// Reads an exponent's digits and clamps them: anything beyond ±100,000 overflows or
/// underflows `f64` whatever the mantissa, and the range checks catch it.
fn clamp_exponent(negative: bool, digits: &str) -> i64 {
    let magnitude = if digits.len() > 6 {
        100_000
    } else {
        digits.parse::<i64>().unwrap_or(100_000).min(100_000)
    };
    if negative { -magnitude } else { magnitude }
}

/// Why the digits and separators of a number do not make one.
enum Separators {
    /// Groups that are not thousands groups, or separators of two kinds mixed.
    BadGrouping,
    /// A separator where none can be (`1.5.`, `1'`).
    NotANumber,
}

/// Reads the digits of a number with its thousands separators and decimal mark, and returns
/// the integer digits and the fraction digits without separators.
///
/// Thousands may be grouped with `,`, ` `, `'` or `.` (one kind per number, groups of three
/// after a first group of one to three digits). The decimal mark is `.`, or `,` when the
/// integer part is grouped with `.`, ` ` or `'` (`1.000,5`, `1 000,5`): written that way it
/// cannot be a thousands separator. A single `.` is always the decimal mark, so `1.000` is 1;
/// a lone `,` is always a thousands separator, so `1,5` is refused as ambiguous rather than
/// read as 1.5 or 15.
fn digits_and_separators(s: &mut Scanner) -> Result<(String, String), Separators> {
    let mut runs = vec![s.digits()];
    let mut separators = Vec::new();
    while let Some(c @ (',' | ' ' | '\'' | '.')) = s.peek() {
        if !s.peek_at(1).is_some_and(|d| d.is_ascii_digit()) {
            break;
        }
        separators.push(c);
        s.pos += 1;
        runs.push(s.digits());
    }

    // A decimal point with no digits after it yet ("1." while typing "1.5", or "1.e5").
    let mut trailing_point = false;
    match s.peek() {
        Some('.') => {
            if separators.contains(&'.') {
                return Err(Separators::NotANumber);
            }
            s.pos += 1;
            trailing_point = true;
        }
        Some(',') => return Err(Separators::BadGrouping),
        Some('\'') => return Err(Separators::NotANumber),
        _ => {}
    }

    let count = |c: char| separators.iter().filter(|&&x| x == c).count();
    let decimal_mark = match separators.last() {
        _ if trailing_point => None,
        Some('.') if count('.') == 1 => Some('.'),
        Some(',')
            if count(',') == 1
                && separators.len() >= 2
                && separators[..separators.len() - 1]
                    .iter()
                    .all(|&c| matches!(c, '.' | ' ' | '\'')) =>
        {
            Some(',')
        }
        _ => None,
    };
    let (integer_runs, fraction) = match decimal_mark {
        Some(_) => {
            separators.pop();
            let fraction = runs.pop().unwrap_or_default();
            (runs, fraction)
        }
        None => (runs, String::new()),
    };

    if let Some(&grouping) = separators.first() {
        let one_kind = separators.iter().all(|&c| c == grouping);
        let first_ok = (1..=3).contains(&integer_runs[0].len());
        let rest_ok = integer_runs[1..].iter().all(|g| g.len() == 3);
        if !(one_kind && first_ok && rest_ok) {
            return Err(Separators::BadGrouping);
        }
    }
    Ok((integer_runs.concat(), fraction))
}

fn parse(text: &str, allow_percent: bool) -> Result<f64, InputError> {
    let normalized: String = text.chars().map(normalize_char).collect();
    let trimmed = normalized.trim();
    if trimmed.is_empty() {
        return Err(InputError::Empty);
    }
    let shown = shown_text(trimmed);
    let not_a_number = || InputError::NotANumber(shown.clone());
    let incomplete = || InputError::Incomplete(shown.clone());
    let mut s = Scanner {
        chars: trimmed.chars().collect(),
        pos: 0,
    };

    // Sign and currency symbol, in either order ("-$5" or "$-5").
    let mut negative = sign(&mut s);
    s.skip_spaces();
    let currency_before = CURRENCY_PREFIXES.iter().any(|p| s.eat_str(p));
    if currency_before {
        s.skip_spaces();
        if negative.is_none() {
            negative = sign(&mut s);
        }
    }
    let negative = negative.unwrap_or(false);

    // Digits with their thousands separators and decimal mark.
    let (integer_digits, fraction_digits) = digits_and_separators(&mut s).map_err(|e| match e {
        Separators::BadGrouping => InputError::BadGrouping(shown.clone()),
        Separators::NotANumber => not_a_number(),
    })?;
    if integer_digits.is_empty() && fraction_digits.is_empty() {
        return Err(if s.at_end() {
            incomplete()
        } else {
            not_a_number()
        });
    }
    let mut exponent: i64 = 0;

    // Exponent: "e" form directly after the digits, or "× 10ⁿ" / "x 10^n" / "*10^n".
    if matches!(s.peek(), Some('e' | 'E')) {
        s.pos += 1;
        let exp_negative = sign(&mut s).unwrap_or(false);
        let digits = s.digits();
        if digits.is_empty() {
            return Err(if s.at_end() {
                incomplete()
            } else {
                not_a_number()
            });
        }
        exponent = clamp_exponent(exp_negative, &digits);
    } else {
        let save = s.pos;
        s.skip_spaces();
        if matches!(s.peek(), Some('×' | 'x' | 'X' | '*' | '·')) {
            s.pos += 1;
            s.skip_spaces();
            if !s.eat_str("10") {
                return Err(not_a_number());
            }
            exponent = if s.eat('^') {
                let exp_negative = sign(&mut s).unwrap_or(false);
                let digits = s.digits();
                if digits.is_empty() {
                    return Err(if s.at_end() {
                        incomplete()
                    } else {
                        not_a_number()
                    });
                }
                clamp_exponent(exp_negative, &digits)
            } else {
                let mut sup = String::new();
                while let Some(c) = s.peek().and_then(superscript_value) {
                    sup.push(c);
                    s.pos += 1;
                }
                match sup.as_str() {
                    // "0x10" or "2x10" with no exponent is more likely hex or a typo than
                    // "times ten": refused rather than read as 0 or 20.
                    "" => return Err(not_a_number()),
                    _ => {
                        let (exp_negative, digits) = match sup.strip_prefix(['-', '+']) {
                            Some(d) => (sup.starts_with('-'), d),
                            None => (false, sup.as_str()),
                        };
                        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                            return Err(not_a_number());
                        }
                        clamp_exponent(exp_negative, digits)
                    }
                }
            };
        } else {
            s.pos = save;
        }
    }

    // Scale word ("million", "亿").
    let save = s.pos;
    s.skip_spaces();
    let word_start = s.pos;
    while s.peek().is_some_and(char::is_alphabetic) {
        s.pos += 1;
    }
    let word: String = s.chars[word_start..s.pos]
        .iter()
        .collect::<String>()
        .to_lowercase();
    if word.is_empty() {
        s.pos = save;
    } else if let Some(&(_, power)) = SCALE_WORDS.iter().find(|(w, _)| *w == word) {
        exponent += power;
    } else {
        let unit: String = s.chars[word_start..].iter().collect();
        let unit = shown_text(unit.trim());
        return Err(if unit.chars().any(|c| c.is_ascii_digit()) {
            not_a_number()
        } else {
            InputError::UnitText { text: shown, unit }
        });
    }

    // A currency symbol after the number instead of before it ("5 €", "3¥").
    if !currency_before {
        let save = s.pos;
        s.skip_spaces();
        if !CURRENCY_PREFIXES.iter().any(|p| s.eat_str(p)) {
            s.pos = save;
        }
    }

    // Percent sign, only where the caller asked for a fraction.
    let save = s.pos;
    s.skip_spaces();
    if s.eat('%') {
        if !allow_percent {
            return Err(InputError::PercentNotAllowed(shown));
        }
        exponent -= 2;
    } else {
        s.pos = save;
    }

    s.skip_spaces();
    if !s.at_end() {
        let rest = s.rest();
        let is_word = rest.chars().all(|c| c.is_alphabetic() || c == ' ');
        return Err(if is_word && rest.chars().any(char::is_alphabetic) {
            InputError::UnitText {
                text: shown,
                unit: shown_text(rest.trim()),
            }
        } else {
            not_a_number()
        });
    }

    // Let the standard library do the correctly rounded decimal-to-binary conversion.
    let integer_digits = if integer_digits.is_empty() {
        "0"
    } else {
        &integer_digits
    };
    let fraction_digits = if fraction_digits.is_empty() {
        "0"
    } else {
        &fraction_digits
    };
    let canonical = format!(
        "{}{integer_digits}.{fraction_digits}e{exponent}",
        if negative { "-" } else { "" }
    );
    let value: f64 = canonical.parse().map_err(|_| not_a_number())?;

    let any_nonzero_digit = integer_digits
        .chars()
        .chain(fraction_digits.chars())
        .any(|c| c != '0');
    if !value.is_finite() || value.abs() > MAX_MAGNITUDE {
        return Err(InputError::TooLarge(shown));
    }
    if value == 0.0 {
        if any_nonzero_digit {
            return Err(InputError::TooSmall(shown));
        }
        // Also turns "-0" into +0, so no "-0" is ever shown back.
        return Ok(0.0);
    }
    if value.abs() < MIN_MAGNITUDE {
        return Err(InputError::TooSmall(shown));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> f64 {
        match parse_number(text) {
            Ok(v) => v,
            Err(e) => panic!("'{text}' should parse, got error: {e}"),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        // Parsing is correctly rounded, so results match to the last bit or two.
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn plain_and_signed_numbers() {
        assert_eq!(ok("1000"), 1000.0);
        assert_eq!(ok("  42  "), 42.0);
        assert_eq!(ok("+3"), 3.0);
        assert_eq!(ok("-2.5"), -2.5);
        assert_eq!(ok(".5"), 0.5);
        assert_eq!(
            ok("1."),
            1.0,
            "'1.' must stay valid while the user types '1.5'"
        );
        assert_eq!(ok("007"), 7.0);
    }

    #[test]
    fn exponents() {
        assert_eq!(ok("1e3"), 1000.0);
        assert_eq!(ok("1E-3"), 0.001);
        assert_eq!(ok("2.5e+2"), 250.0);
        assert_eq!(ok("6.3 × 10²⁴"), 6.3e24);
        assert_eq!(ok("1.5 × 10⁻⁷"), 1.5e-7);
        assert_eq!(ok("6.3x10^24"), 6.3e24);
        assert_eq!(ok("6.3*10^-2"), 0.063);
        // Regression: "0x10" (hex, or a typo) was read as 0 × 10 = 0 without a word.
        assert!(parse_number("0x10").is_err());
        assert!(parse_number("2x10").is_err());
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(ok("1,000"), 1000.0);
        assert_eq!(ok("1,000,000.5"), 1_000_000.5);
        assert_eq!(ok("1 000"), 1000.0);
        assert_eq!(ok("12 345 678"), 12_345_678.0);
        assert_eq!(
            ok("1\u{a0}000"),
            1000.0,
            "no-break space as a thousands separator"
        );
        assert_eq!(ok("-1,234.5"), -1234.5);
    }

    #[test]
    fn separators_of_other_locales() {
        assert_eq!(ok("1.000,5"), 1000.5, "German");
        assert_eq!(ok("1.234.567,89"), 1_234_567.89);
        assert_eq!(ok("1.000.000"), 1_000_000.0);
        assert_eq!(ok("1 000,5"), 1000.5, "French");
        assert_eq!(
            ok("1\u{202f}000,5"),
            1000.5,
            "French, narrow no-break space"
        );
        assert_eq!(ok("1'000"), 1000.0, "Swiss");
        assert_eq!(ok("1’000’000.25"), 1_000_000.25);
        assert_eq!(ok("1.000"), 1.0, "a single point is the decimal point");
        assert_eq!(ok("1,000."), 1000.0);
        assert_eq!(ok("2.5 €"), 2.5);
        assert_eq!(ok("3¥"), 3.0);
        for text in [
            "1.000,5,3",
            "1,000.5.3",
            "1.5.",
            "1'",
            "1.000 000,5",
            "1.5,3",
            "12,5",
        ] {
            assert!(
                matches!(
                    parse_number(text),
                    Err(InputError::BadGrouping(_) | InputError::NotANumber(_))
                ),
                "'{text}' gave {:?}",
                parse_number(text)
            );
        }
    }

    #[test]
    fn long_text_is_quoted_short() {
        let pasted = format!("{} GPUs", "8".repeat(10_000));
        let message = parse_number(&pasted).map_or_else(|e| e.to_string(), |v| v.to_string());
        assert!(message.chars().count() < 150, "{message}");
        assert!(message.contains('…'), "{message}");
    }

    #[test]
    fn bad_grouping_is_refused_not_guessed() {
        for text in [
            "1,5",
            "1,0000",
            "1234,567",
            "1,000 000",
            ",5",
            "1,",
            "1,,000",
        ] {
            assert!(
                matches!(
                    parse_number(text),
                    Err(InputError::BadGrouping(_) | InputError::NotANumber(_))
                ),
                "'{text}' gave {:?}",
                parse_number(text)
            );
        }
        assert!(matches!(
            parse_number("1,5"),
            Err(InputError::BadGrouping(_))
        ));
    }

    #[test]
    fn full_width_input() {
        assert_eq!(ok("１２３"), 123.0);
        assert_eq!(ok("－５"), -5.0);
        assert_eq!(ok("＋５"), 5.0);
        assert_eq!(ok("１．５"), 1.5);
        assert_eq!(ok("1。5"), 1.5);
        assert_eq!(ok("１，０００"), 1000.0);
        assert_eq!(ok("\u{3000}７\u{3000}"), 7.0);
        assert_eq!(ok("１ｅ３"), 1000.0);
        assert_eq!(ok("−4"), -4.0, "U+2212 minus sign");
    }

    #[test]
    fn negative_zero_reads_as_zero() {
        for text in ["-0", "-0.0", "－０", "-0e5"] {
            let v = ok(text);
            assert_eq!(v, 0.0);
            assert!(v.is_sign_positive(), "'{text}' gave a negative zero");
        }
    }

    #[test]
    fn currency_and_scale_words() {
        assert_eq!(ok("$2.5"), 2.5);
        assert_eq!(ok("US$1,000"), 1000.0);
        assert_eq!(ok("¥8"), 8.0);
        assert_eq!(ok("￥8"), 8.0);
        assert_eq!(ok("-$5"), -5.0);
        assert_eq!(ok("$-5"), -5.0);
        assert_eq!(ok("3.2 million"), 3_200_000.0);
        assert_eq!(ok("$4.1 Billion"), 4_100_000_000.0);
        assert_eq!(ok("1.5亿"), 150_000_000.0);
        assert_eq!(ok("3万"), 30_000.0);
        assert_eq!(ok("2万亿"), 2e12);
    }

    #[test]
    fn unit_words_are_named_in_the_error() {
        match parse_number("8 GPUs") {
            Err(InputError::UnitText { unit, .. }) => assert_eq!(unit, "GPUs"),
            other => panic!("expected UnitText, got {other:?}"),
        }
        assert!(matches!(
            parse_number("5 USD"),
            Err(InputError::UnitText { .. })
        ));
        assert!(matches!(
            parse_number("1 B"),
            Err(InputError::UnitText { .. })
        ));
    }

    #[test]
    fn incomplete_and_garbage_are_refused() {
        assert_eq!(parse_number(""), Err(InputError::Empty));
        assert_eq!(parse_number("   "), Err(InputError::Empty));
        for text in ["-", "+", ".", "-.", "1e", "1e-", "$"] {
            assert!(
                matches!(parse_number(text), Err(InputError::Incomplete(_))),
                "'{text}' gave {:?}",
                parse_number(text)
            );
        }
        for text in [
            "abc", "NaN", "nan", "inf", "-inf", "Infinity", "1.2.3", "1..2", "--5", "1e5e5",
        ] {
            assert!(
                parse_number(text).is_err(),
                "'{text}' should be refused, got {:?}",
                parse_number(text)
            );
        }
        assert!(matches!(
            parse_number("NaN"),
            Err(InputError::NotANumber(_))
        ));
        assert!(matches!(
            parse_number("inf"),
            Err(InputError::NotANumber(_))
        ));
    }

    #[test]
    fn absurd_magnitudes_are_refused() {
        assert!(matches!(
            parse_number("1e999"),
            Err(InputError::TooLarge(_))
        ));
        assert!(matches!(
            parse_number("-1e999"),
            Err(InputError::TooLarge(_))
        ));
        assert!(matches!(
            parse_number("1e101"),
            Err(InputError::TooLarge(_))
        ));
        assert!(matches!(
            parse_number("1e99999999999999999999"),
            Err(InputError::TooLarge(_))
        ));
        assert!(matches!(
            parse_number("1e-999"),
            Err(InputError::TooSmall(_))
        ));
        assert!(matches!(
            parse_number("1e-101"),
            Err(InputError::TooSmall(_))
        ));
        assert_eq!(ok("1e100"), 1e100);
        assert_eq!(ok("0e999"), 0.0, "zero stays zero whatever its exponent");
        let long = "9".repeat(400);
        assert!(matches!(parse_number(&long), Err(InputError::TooLarge(_))));
    }

    #[test]
    fn percent_only_in_fraction_fields() {
        assert!(matches!(
            parse_number("40%"),
            Err(InputError::PercentNotAllowed(_))
        ));
        assert!(close(parse_fraction("40%").unwrap_or(f64::NAN), 0.4));
        assert!(close(parse_fraction("43.5 %").unwrap_or(f64::NAN), 0.435));
        assert!(close(parse_fraction("０．４").unwrap_or(f64::NAN), 0.4));
        assert_eq!(parse_fraction("100%"), Ok(1.0));
        assert!(matches!(
            parse_fraction("40"),
            Err(InputError::NotAFraction { .. })
        ));
        assert!(matches!(
            parse_fraction("-10%"),
            Err(InputError::NotAFraction { .. })
        ));
        assert!(matches!(
            parse_fraction("120%"),
            Err(InputError::NotAFraction { .. })
        ));
    }

    #[test]
    fn validators() {
        assert_eq!(require_positive(2.0), Ok(2.0));
        assert!(matches!(
            require_positive(0.0),
            Err(InputError::NotPositive { .. })
        ));
        assert!(matches!(
            require_positive(-3.0),
            Err(InputError::NotPositive { .. })
        ));
        assert!(require_positive(f64::NAN).is_err());
        assert!(require_positive(f64::INFINITY).is_err());

        assert_eq!(require_non_negative(0.0), Ok(0.0));
        assert!(require_non_negative(-0.0).is_ok_and(|v| v.is_sign_positive()));
        assert!(matches!(
            require_non_negative(-1.0),
            Err(InputError::Negative { .. })
        ));
        assert!(require_non_negative(f64::NAN).is_err());

        assert_eq!(require_fraction(0.0), Ok(0.0));
        assert_eq!(require_fraction(1.0), Ok(1.0));
        assert!(require_fraction(1.01).is_err());
        assert!(require_fraction(-0.01).is_err());
        assert!(require_fraction(f64::NAN).is_err());

        assert_eq!(require_count(8.0), Ok(8));
        assert_eq!(parse_count("1,024"), Ok(1024));
        assert!(matches!(
            require_count(0.0),
            Err(InputError::NotACount { .. })
        ));
        assert!(matches!(
            require_count(2.5),
            Err(InputError::NotACount { .. })
        ));
        assert!(matches!(
            require_count(-8.0),
            Err(InputError::NotACount { .. })
        ));
        assert!(matches!(
            require_count(1e12),
            Err(InputError::NotACount { .. })
        ));
        assert!(require_count(f64::NAN).is_err());
    }

    #[test]
    fn messages_are_specific_in_both_languages() {
        assert_eq!(InputError::Empty.to_string(), "Enter a number, e.g. 1000");
        assert_eq!(InputError::Empty.message_zh(), "请输入数字，例如 1000");
        let e = require_positive(-5.0).err();
        assert_eq!(
            e.as_ref().map(ToString::to_string).as_deref(),
            Some("Enter a number greater than 0 (-5 is not)")
        );
        assert_eq!(
            e.map(|e| e.message_zh()).as_deref(),
            Some("请输入大于 0 的数（-5 不满足）")
        );
        let e = parse_number("8 GPUs").err();
        assert_eq!(
            e.as_ref().map(ToString::to_string).as_deref(),
            Some("Type only the number: remove 'GPUs' from '8 GPUs'")
        );
        // Every variant has a Chinese message that is not the English one.
        let all = [
            InputError::Empty,
            InputError::Incomplete("-".into()),
            InputError::NotANumber("x".into()),
            InputError::BadGrouping("1,5".into()),
            InputError::UnitText {
                text: "8 GPUs".into(),
                unit: "GPUs".into(),
            },
            InputError::PercentNotAllowed("4%".into()),
            InputError::TooLarge("1e999".into()),
            InputError::TooSmall("1e-999".into()),
            InputError::NotPositive { value: 0.0 },
            InputError::Negative { value: -1.0 },
            InputError::NotAFraction { value: 2.0 },
            InputError::NotACount { value: 2.5 },
        ];
        for e in all {
            assert_ne!(e.to_string(), e.message_zh());
            assert!(!e.message_zh().is_empty());
        }
    }
}
