//! The error every cost formula returns instead of a NaN, an infinity or a panic.

use thiserror::Error;

use super::format::format_number;
use super::input::{self, InputError};
use crate::lang::Lang;

/// Why a cost formula cannot give a result. `Display` is English with the input's name first
/// (for logs); the UI shows [`CostError::message_en`] or [`CostError::message_zh`] beside the
/// field named by [`CostError::field`].
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CostError {
    /// One input is out of its range; `field` is the input's name as in the input struct
    /// (`mfu`, `price_per_gpu_hour`).
    #[error("{field}: {source}")]
    Input {
        /// The input's field name.
        field: &'static str,
        /// What is wrong with it.
        source: InputError,
    },
    /// Price at or below marginal cost: no volume ever recovers the fixed cost.
    #[error(
        "Price {} is not above marginal cost {}: every unit sold adds no margin, so no volume \
         breaks even; raise the price or lower the marginal cost",
        format_number(*.price), format_number(*.marginal_cost)
    )]
    PriceNotAboveMarginalCost {
        /// Price per unit.
        price: f64,
        /// Marginal cost per unit.
        marginal_cost: f64,
    },
    /// |ε| ≤ 1: demand is inelastic, the markup rule has no finite price.
    #[error(
        "Elasticity |ε| = {} is not above 1: with inelastic demand a higher price always earns \
         more, so the markup rule has no finite price; enter |ε| > 1, e.g. -2",
        format_number(.elasticity.abs())
    )]
    InelasticDemand {
        /// The elasticity entered.
        elasticity: f64,
    },
    /// An MLP description with fewer than two layers or a layer of width 0.
    #[error("Describe the MLP as at least two layer widths of 1 or more, e.g. 784, 128, 10")]
    InvalidLayers,
    /// The numbers imply a model FLOPs utilization above 100% of the hardware's peak.
    #[error(
        "These numbers imply an MFU of {}%, above the hardware's peak: check the GPU-hours, \
         the FLOPs and the peak FLOP/s",
        format_number(.mfu * 100.0)
    )]
    ImpossibleMfu {
        /// The implied MFU, as a fraction (above 1).
        mfu: f64,
    },
    /// A result does not fit in a finite number, or an intermediate overflowed.
    #[error("The {quantity} is too large to compute: make the inputs smaller")]
    OutOfRange {
        /// The quantity that overflowed, in words ("training FLOPs").
        quantity: &'static str,
    },
}

impl CostError {
    /// The input this error belongs beside, when it is about a single input.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            CostError::Input { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The message in `lang`, without the field name, for showing beside the field.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.message_zh(),
            Lang::En => self.message_en(),
        }
    }

    /// The English message without the field name, for showing beside the field.
    pub fn message_en(&self) -> String {
        match self {
            CostError::Input { source, .. } => source.to_string(),
            other => other.to_string(),
        }
    }

    /// The Chinese message, without the field name.
    pub fn message_zh(&self) -> String {
        match self {
            CostError::Input { source, .. } => source.message_zh(),
            CostError::PriceNotAboveMarginalCost {
                price,
                marginal_cost,
            } => format!(
                "价格 {} 不高于边际成本 {}：每卖出一单位都没有边际贡献，任何销量都无法保本；\
                 请提高价格或降低边际成本",
                format_number(*price),
                format_number(*marginal_cost)
            ),
            CostError::InelasticDemand { elasticity } => format!(
                "弹性 |ε| = {} 不大于 1：需求缺乏弹性时提价总能多赚，加成定价没有有限解；\
                 请输入 |ε| > 1，例如 -2",
                format_number(elasticity.abs())
            ),
            CostError::InvalidLayers => {
                "请用至少两个不小于 1 的层宽描述 MLP，例如 784, 128, 10".to_string()
            }
            CostError::ImpossibleMfu { mfu } => format!(
                "这些数字意味着 MFU 为 {}%，超过了硬件峰值：请检查 GPU 小时数、FLOPs 和峰值 FLOP/s",
                format_number(mfu * 100.0)
            ),
            CostError::OutOfRange { quantity } => {
                format!("结果（{quantity}）太大，无法计算：请减小输入")
            }
        }
    }
}

/// Checks an input is greater than 0 and names it in the error.
pub(crate) fn positive(field: &'static str, value: f64) -> Result<f64, CostError> {
    input::require_positive(value).map_err(|source| CostError::Input { field, source })
}

/// Checks an input is 0 or more and names it in the error.
pub(crate) fn non_negative(field: &'static str, value: f64) -> Result<f64, CostError> {
    input::require_non_negative(value).map_err(|source| CostError::Input { field, source })
}

/// Checks an input is a fraction in (0, 1] (it divides, so 0 is refused) and names it.
pub(crate) fn positive_fraction(field: &'static str, value: f64) -> Result<f64, CostError> {
    let value =
        input::require_fraction(value).map_err(|source| CostError::Input { field, source })?;
    positive(field, value)
}

/// Checks a count is from 1 to [`input::MAX_COUNT`] and names it.
pub(crate) fn count(field: &'static str, value: u32) -> Result<u32, CostError> {
    input::require_count(f64::from(value)).map_err(|source| CostError::Input { field, source })
}

/// Checks any finite value (a price cut may be negative, an elasticity any sign) and names it.
pub(crate) fn finite_input(field: &'static str, value: f64) -> Result<f64, CostError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(CostError::Input {
            field,
            source: InputError::NotANumber(format_number(value)),
        })
    }
}

/// Checks a computed result is finite, so no NaN or infinity ever reaches the page.
pub(crate) fn finite(quantity: &'static str, value: f64) -> Result<f64, CostError> {
    if value.is_finite() {
        Ok(value + 0.0)
    } else {
        Err(CostError::OutOfRange { quantity })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_errors_name_their_field() {
        let e = positive("price_per_gpu_hour", -2.0).err();
        assert_eq!(
            e.as_ref().and_then(CostError::field),
            Some("price_per_gpu_hour")
        );
        assert_eq!(
            e.as_ref().map(ToString::to_string).as_deref(),
            Some("price_per_gpu_hour: Enter a number greater than 0 (-2 is not)")
        );
        assert_eq!(
            e.as_ref().map(CostError::message_en).as_deref(),
            Some("Enter a number greater than 0 (-2 is not)")
        );
        assert_eq!(
            e.map(|e| e.message_zh()).as_deref(),
            Some("请输入大于 0 的数（-2 不满足）")
        );
    }

    #[test]
    fn checks() {
        assert!(
            positive_fraction("mfu", 0.0).is_err(),
            "MFU 0 would divide by zero"
        );
        assert!(positive_fraction("mfu", 1.5).is_err());
        assert_eq!(positive_fraction("mfu", 0.4), Ok(0.4));
        assert!(non_negative("fixed_cost", -1.0).is_err());
        assert!(count("gpu_count", 0).is_err());
        assert_eq!(count("gpu_count", 8), Ok(8));
        assert!(finite("training FLOPs", f64::INFINITY).is_err());
        assert!(finite("training FLOPs", f64::NAN).is_err());
        assert!(finite_input("elasticity", f64::NAN).is_err());
        assert!(finite("x", -0.0).is_ok_and(|v| v.is_sign_positive()));
    }

    #[test]
    fn every_error_has_both_languages() {
        let all = [
            CostError::Input {
                field: "mfu",
                source: InputError::Empty,
            },
            CostError::PriceNotAboveMarginalCost {
                price: 5.0,
                marginal_cost: 6.0,
            },
            CostError::InelasticDemand { elasticity: -0.5 },
            CostError::InvalidLayers,
            CostError::ImpossibleMfu { mfu: 2.5 },
            CostError::OutOfRange {
                quantity: "training FLOPs",
            },
        ];
        for e in all {
            assert!(!e.message_en().is_empty());
            assert_ne!(e.message_en(), e.message_zh());
        }
    }
}
