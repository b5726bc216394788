//! Units that need more than a name suffix: the currency money is shown in, and the token
//! quantity a price is quoted per.
//!
//! The formulas are currency-agnostic: every amount is in the page's chosen currency, and the
//! symbol is only for display (nothing is converted between currencies).

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// The currency amounts are shown in. Display only: no exchange rate is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Currency {
    /// US dollar, `$`.
    #[default]
    Usd,
    /// Chinese yuan (renminbi), `¥`.
    Cny,
    /// Euro, `€`.
    Eur,
}

impl Currency {
    /// Every currency, in the order a selector lists them.
    pub const ALL: [Currency; 3] = [Currency::Usd, Currency::Cny, Currency::Eur];

    /// The symbol written before an amount: `$`, `¥`, `€`.
    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Usd => "$",
            Currency::Cny => "¥",
            Currency::Eur => "€",
        }
    }

    /// ISO 4217 code, for URLs and selectors: `USD`, `CNY`, `EUR`.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Cny => "CNY",
            Currency::Eur => "EUR",
        }
    }

    /// Reads an ISO 4217 code (case-insensitive), as written by [`Currency::code`].
    pub fn from_code(code: &str) -> Option<Currency> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// The token quantity a price is quoted per. Conversions between them are exact powers of ten,
/// done as one multiplication or division by an exactly representable integer, so
/// $0.15 per 1M tokens is exactly the `f64` nearest to $0.00015 per 1K tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum PriceUnit {
    /// Per one million tokens, as most API price lists quote.
    #[default]
    PerMillionTokens,
    /// Per one thousand tokens, as older price lists quote.
    PerThousandTokens,
    /// Per single token.
    PerToken,
}

impl PriceUnit {
    /// Every unit, in the order a selector lists them.
    pub const ALL: [PriceUnit; 3] = [
        PriceUnit::PerMillionTokens,
        PriceUnit::PerThousandTokens,
        PriceUnit::PerToken,
    ];

    /// How many tokens one priced unit covers: 1,000,000, 1,000 or 1.
    pub fn tokens(self) -> u32 {
        match self {
            PriceUnit::PerMillionTokens => 1_000_000,
            PriceUnit::PerThousandTokens => 1_000,
            PriceUnit::PerToken => 1,
        }
    }

    /// Converts a price quoted per `self` into a price per `to`: multiplies by the exact
    /// integer ratio of token counts when `to` covers more tokens, divides by it otherwise.
    pub fn convert(self, price: f64, to: PriceUnit) -> f64 {
        let (from_tokens, to_tokens) = (self.tokens(), to.tokens());
        if to_tokens >= from_tokens {
            price * f64::from(to_tokens / from_tokens)
        } else {
            price / f64::from(from_tokens / to_tokens)
        }
    }

    /// English label written after a price: `per 1M tokens`, `per 1K tokens`, `per token`.
    pub fn label_en(self) -> &'static str {
        match self {
            PriceUnit::PerMillionTokens => "per 1M tokens",
            PriceUnit::PerThousandTokens => "per 1K tokens",
            PriceUnit::PerToken => "per token",
        }
    }

    /// Chinese label written after a price: `/百万 tokens`, `/千 tokens`, `/token`.
    pub fn label_zh(self) -> &'static str {
        match self {
            PriceUnit::PerMillionTokens => "/百万 tokens",
            PriceUnit::PerThousandTokens => "/千 tokens",
            PriceUnit::PerToken => "/token",
        }
    }

    /// The label in `lang`: [`PriceUnit::label_zh`] or [`PriceUnit::label_en`].
    pub fn label(self, lang: Lang) -> &'static str {
        lang.pick(self.label_zh(), self.label_en())
    }

    /// Short code for URLs: `1m`, `1k`, `1`.
    pub fn code(self) -> &'static str {
        match self {
            PriceUnit::PerMillionTokens => "1m",
            PriceUnit::PerThousandTokens => "1k",
            PriceUnit::PerToken => "1",
        }
    }

    /// Reads a code written by [`PriceUnit::code`] (case-insensitive).
    pub fn from_code(code: &str) -> Option<PriceUnit> {
        PriceUnit::ALL
            .into_iter()
            .find(|u| u.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// Seconds in an hour, for GPU-hours.
pub const SECONDS_PER_HOUR: f64 = 3600.0;

/// Seconds in a day, for wall-clock days.
pub const SECONDS_PER_DAY: f64 = 86_400.0;

/// Bytes in a gigabyte as datasheets count memory bandwidth and size (10⁹, not 2³⁰).
pub const BYTES_PER_GB: f64 = 1e9;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_units_convert_exactly() {
        use PriceUnit::*;
        // $0.15 per 1M tokens is $0.00015 per 1K tokens and $1.5e-7 per token.
        assert_eq!(
            PerMillionTokens.convert(0.15, PerThousandTokens),
            0.15 / 1000.0
        );
        assert_eq!(PerMillionTokens.convert(0.15, PerToken), 0.15 / 1e6);
        assert_eq!(PerThousandTokens.convert(0.002, PerMillionTokens), 2.0);
        assert_eq!(PerToken.convert(2.5e-6, PerMillionTokens), 2.5);
        for unit in PriceUnit::ALL {
            assert_eq!(
                unit.convert(0.3, unit),
                0.3,
                "{unit:?} to itself changes nothing"
            );
        }
        // A round trip through every unit returns the starting price to within one ulp or two.
        for from in PriceUnit::ALL {
            for to in PriceUnit::ALL {
                let back = to.convert(from.convert(0.15, to), from);
                assert!(
                    (back - 0.15).abs() <= 4.0 * f64::EPSILON * 0.15,
                    "{from:?}→{to:?}"
                );
            }
        }
    }

    #[test]
    fn codes_round_trip() {
        for unit in PriceUnit::ALL {
            assert_eq!(PriceUnit::from_code(unit.code()), Some(unit));
        }
        for currency in Currency::ALL {
            assert_eq!(Currency::from_code(currency.code()), Some(currency));
        }
        assert_eq!(Currency::from_code("usd"), Some(Currency::Usd));
        assert_eq!(Currency::from_code("XYZ"), None);
        assert_eq!(PriceUnit::from_code("10k"), None);
    }
}
