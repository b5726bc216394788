//! The article's six formulas (§4, "数学模型和公式"), exactly as it writes them, and its worked
//! example (§4.4) as a preset.
//!
//! The formulas are kept as the article states them, oddities included, so that a reader can
//! check the article's own numbers. Where the article is odd, the item's doc says so in one
//! plain line; the calculator shows the same lines.
//!
//! Every function checks its inputs and returns [`FormulaError`] instead of NaN or infinity.

use thiserror::Error;

use super::format::format_number;
use crate::lang::Lang;

/// An input of the article's formulas, named in both languages for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    /// English name with its symbol, e.g. "Training time T".
    pub en: &'static str,
    /// Chinese name with its symbol, e.g. "训练时间 T".
    pub zh: &'static str,
}

/// T: training time (the article uses days).
pub const TRAINING_TIME: Quantity = Quantity {
    en: "Training time T",
    zh: "训练时间 T",
};
/// R in §4.1: computing resources (the article counts GPUs).
pub const RESOURCES: Quantity = Quantity {
    en: "Resources R",
    zh: "计算资源 R",
};
/// How many times faster the GPUs are (§4.4).
pub const SPEEDUP: Quantity = Quantity {
    en: "Speed-up",
    zh: "加速倍数",
};
/// C: a cost (元 in §4.2, 万元 in §4.3).
pub const COST: Quantity = Quantity {
    en: "Cost C",
    zh: "成本 C",
};
/// S: customer satisfaction (§4.2).
pub const SATISFACTION: Quantity = Quantity {
    en: "Satisfaction S",
    zh: "客户满意度 S",
};
/// R in §4.3: revenue from an innovation.
pub const REVENUE: Quantity = Quantity {
    en: "Revenue R",
    zh: "收益 R",
};

/// Why a formula could not give a number. Each message names the input and says what to change;
/// `Display` is English, [`FormulaError::message_zh`] Chinese.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum FormulaError {
    /// An input that is a divisor is zero.
    #[error("{} is zero, and the formula divides by it: enter a number above 0", .0.en)]
    ZeroDivisor(Quantity),
    /// An input that cannot be negative (a time, a count of GPUs, a cost) is below zero.
    #[error(
        "{} is {}, but it cannot be negative: enter 0 or more",
        .name.en,
        format_number(*.value)
    )]
    Negative { name: Quantity, value: f64 },
    /// An input is NaN or infinite.
    #[error("{} is not a finite number", .0.en)]
    NotFiniteInput(Quantity),
    /// The inputs are valid but the result overflows an f64.
    #[error("the result is too large to compute; use smaller numbers")]
    NotFiniteResult,
}

impl FormulaError {
    /// The message in `lang`: [`FormulaError::message_zh`] or the English `Display`.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.message_zh(),
            Lang::En => self.to_string(),
        }
    }

    /// The same message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::ZeroDivisor(q) => {
                format!("{}为 0，而公式要除以它：请输入大于 0 的数", subject(q))
            }
            Self::Negative { name, value } => {
                format!(
                    "{}为 {}，不能为负：请输入 0 或更大的数",
                    subject(name),
                    format_number(*value)
                )
            }
            Self::NotFiniteInput(q) => format!("{}不是有限的数", subject(q)),
            Self::NotFiniteResult => "结果太大，无法计算：请用小一些的数".to_string(),
        }
    }
}

/// A quantity's Chinese name as the subject of a sentence: a space after a Latin symbol
/// ("训练时间 T 为 0"), none after a Chinese word ("加速倍数为 0").
fn subject(q: &Quantity) -> String {
    if q.zh.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        format!("{} ", q.zh)
    } else {
        q.zh.to_owned()
    }
}

/// Checks that `value` is finite and not below zero (−0 counts as 0).
fn non_negative(name: Quantity, value: f64) -> Result<f64, FormulaError> {
    if !value.is_finite() {
        return Err(FormulaError::NotFiniteInput(name));
    }
    if value < 0.0 {
        return Err(FormulaError::Negative { name, value });
    }
    Ok(value)
}

/// Checks that `value` is finite and above zero, as a divisor must be.
fn positive(name: Quantity, value: f64) -> Result<f64, FormulaError> {
    if non_negative(name, value)? == 0.0 {
        return Err(FormulaError::ZeroDivisor(name));
    }
    Ok(value)
}

/// Checks that `value` is finite; any sign is meaningful.
fn finite(name: Quantity, value: f64) -> Result<f64, FormulaError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(FormulaError::NotFiniteInput(name))
    }
}

/// Rejects an overflowed result and turns −0 into 0, so the page never shows "-0".
fn finish(result: f64) -> Result<f64, FormulaError> {
    if !result.is_finite() {
        return Err(FormulaError::NotFiniteResult);
    }
    Ok(if result == 0.0 { 0.0 } else { result })
}

/// Resource utilisation η = T / R (article §4.1.1, "计算资源利用率").
///
/// `training_time` is T (the article uses days), `resources` is R (the article counts GPUs);
/// the result is in T's unit per unit of R. R must be above 0.
///
/// Odd in the article: η = T / R and E = R / T ([`algorithm_efficiency`]) are reciprocals, so
/// they carry the same information.
pub fn resource_utilisation(training_time: f64, resources: f64) -> Result<f64, FormulaError> {
    let t = non_negative(TRAINING_TIME, training_time)?;
    let r = positive(RESOURCES, resources)?;
    finish(t / r)
}

/// The article's utilisation on GPUs `speedup` times as fast: η′ = speed-up × T / R (§4.4).
///
/// Odd in the article: a faster GPU shortens T, which would lower T / R, yet the article
/// multiplies η by the speed-up (2 × 0.01 = 0.02). This returns the article's figure as stated;
/// [`resource_utilisation_shorter_time`] gives what the §4.1.1 formula itself would give.
pub fn resource_utilisation_faster(
    training_time: f64,
    resources: f64,
    speedup: f64,
) -> Result<f64, FormulaError> {
    let eta = resource_utilisation(training_time, resources)?;
    let k = positive(SPEEDUP, speedup)?;
    finish(k * eta)
}

/// η from §4.1.1 applied after the speed-up shortens training: (T / speed-up) / R.
///
/// Not in the article; shown beside [`resource_utilisation_faster`] so the reader sees the gap.
pub fn resource_utilisation_shorter_time(
    training_time: f64,
    resources: f64,
    speedup: f64,
) -> Result<f64, FormulaError> {
    let t = non_negative(TRAINING_TIME, training_time)?;
    let r = positive(RESOURCES, resources)?;
    let k = positive(SPEEDUP, speedup)?;
    finish(t / k / r)
}

/// Algorithm efficiency E = R / T (article §4.1.2, "算法效率").
///
/// `resources` is R (GPUs), `training_time` is T (days); the result is GPUs per day.
/// T must be above 0.
///
/// Odd in the article: E = R / T is the reciprocal of η = T / R ([`resource_utilisation`]).
pub fn algorithm_efficiency(resources: f64, training_time: f64) -> Result<f64, FormulaError> {
    let r = non_negative(RESOURCES, resources)?;
    let t = positive(TRAINING_TIME, training_time)?;
    finish(r / t)
}

/// Customisation-service value V = C × S (article §4.2.1, "定制化服务价值").
///
/// `cost` is C (the article uses 元), `satisfaction` is S (a score; the article uses 0.8);
/// the result is in C's unit.
///
/// Odd in the article: as written, value grows with cost, so spending more always looks better.
pub fn customisation_value(cost: f64, satisfaction: f64) -> Result<f64, FormulaError> {
    service_value(cost, satisfaction)
}

/// Professional-service value V = C × S (article §4.2.2, "专业服务价值"); the same formula as
/// [`customisation_value`], with the same oddity: value grows with cost.
pub fn professional_value(cost: f64, satisfaction: f64) -> Result<f64, FormulaError> {
    service_value(cost, satisfaction)
}

fn service_value(cost: f64, satisfaction: f64) -> Result<f64, FormulaError> {
    let c = non_negative(COST, cost)?;
    let s = non_negative(SATISFACTION, satisfaction)?;
    finish(c * s)
}

/// Technical-innovation value V = R − C (article §4.3.1, "技术创新价值").
///
/// `revenue` is R and `cost` is C, in the same unit (the article uses 万元); the result is in
/// that unit and is negative when the innovation loses money. The cost cannot be negative.
pub fn tech_innovation_value(revenue: f64, cost: f64) -> Result<f64, FormulaError> {
    innovation_value(revenue, cost)
}

/// Product-innovation value V = R − C (article §4.3.2, "产品创新价值"); the same formula as
/// [`tech_innovation_value`].
pub fn product_innovation_value(revenue: f64, cost: f64) -> Result<f64, FormulaError> {
    innovation_value(revenue, cost)
}

fn innovation_value(revenue: f64, cost: f64) -> Result<f64, FormulaError> {
    let r = finite(REVENUE, revenue)?;
    let c = non_negative(COST, cost)?;
    finish(r - c)
}

/// The inputs of the article's worked example (§4.4, "举例说明"), used to prefill the calculator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkedExample {
    /// T: training time, days.
    pub training_time_days: f64,
    /// R: resources, GPUs.
    pub gpus: f64,
    /// How many times faster the GPUs become with "GPU 异构计算".
    pub speedup: f64,
    /// C of the customisation service, 元.
    pub customisation_cost_yuan: f64,
    /// S of the customisation service.
    pub customisation_satisfaction: f64,
    /// C of the professional service, 元.
    pub professional_cost_yuan: f64,
    /// S of the professional service.
    pub professional_satisfaction: f64,
    /// R of technical innovation, 万元.
    pub tech_revenue_wan_yuan: f64,
    /// C of technical innovation, 万元.
    pub tech_cost_wan_yuan: f64,
    /// R of product innovation, 万元.
    pub product_revenue_wan_yuan: f64,
    /// C of product innovation, 万元.
    pub product_cost_wan_yuan: f64,
}

/// The article's §4.4 inputs: 1000 GPUs for 10 days, GPUs 2× as fast, two services costing
/// 1000 元 at satisfaction 0.8, technical innovation 2000 − 1000 万元, product innovation
/// 1000 − 500 万元.
pub const WORKED_EXAMPLE: WorkedExample = WorkedExample {
    training_time_days: 10.0,
    gpus: 1000.0,
    speedup: 2.0,
    customisation_cost_yuan: 1000.0,
    customisation_satisfaction: 0.8,
    professional_cost_yuan: 1000.0,
    professional_satisfaction: 0.8,
    tech_revenue_wan_yuan: 2000.0,
    tech_cost_wan_yuan: 1000.0,
    product_revenue_wan_yuan: 1000.0,
    product_cost_wan_yuan: 500.0,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative tolerance for the worked example: the inputs are exact decimals, so only the
    /// rounding of 0.01 and 0.8 in binary separates the results from the article's figures.
    const REL_TOL: f64 = 1e-12;

    fn assert_close(got: Result<f64, FormulaError>, want: f64) {
        let got = got.expect("the worked example's inputs are valid");
        assert!(
            (got - want).abs() <= REL_TOL * want.abs().max(1.0),
            "got {got}, the article gives {want}"
        );
    }

    /// Every figure of the article's §4.4 worked example.
    #[test]
    fn worked_example_matches_the_article() {
        let w = WORKED_EXAMPLE;

        // §4.4: η = 10 / 1000 = 0.01
        assert_close(resource_utilisation(w.training_time_days, w.gpus), 0.01);
        // §4.4: η = 2 × 0.01 = 0.02 (the article's figure, as it states it)
        assert_close(
            resource_utilisation_faster(w.training_time_days, w.gpus, w.speedup),
            0.02,
        );
        // §4.4: V定制化 = 1000 × 0.8 = 800
        assert_close(
            customisation_value(w.customisation_cost_yuan, w.customisation_satisfaction),
            800.0,
        );
        // §4.4: V专业 = 1000 × 0.8 = 800
        assert_close(
            professional_value(w.professional_cost_yuan, w.professional_satisfaction),
            800.0,
        );
        // §4.4: V技术创新 = 2000 − 1000 = 1000 (万元)
        assert_close(
            tech_innovation_value(w.tech_revenue_wan_yuan, w.tech_cost_wan_yuan),
            1000.0,
        );
        // §4.4: V产品创新 = 1000 − 500 = 500 (万元)
        assert_close(
            product_innovation_value(w.product_revenue_wan_yuan, w.product_cost_wan_yuan),
            500.0,
        );
    }

    /// Not in §4.4, but what the calculator shows for E with the same T and R: 1000 / 10.
    #[test]
    fn efficiency_is_the_reciprocal_of_utilisation() {
        let w = WORKED_EXAMPLE;
        assert_close(algorithm_efficiency(w.gpus, w.training_time_days), 100.0);
        let eta = resource_utilisation(3.0, 7.0).expect("valid");
        let e = algorithm_efficiency(7.0, 3.0).expect("valid");
        assert!((eta * e - 1.0).abs() < 1e-15);
    }

    /// A 2× faster GPU halves T, so §4.1.1 itself gives 0.005, not the article's 0.02.
    #[test]
    fn shorter_time_lowers_utilisation() {
        let w = WORKED_EXAMPLE;
        assert_close(
            resource_utilisation_shorter_time(w.training_time_days, w.gpus, w.speedup),
            0.005,
        );
    }

    #[test]
    fn zero_divisors_are_errors() {
        assert_eq!(
            resource_utilisation(10.0, 0.0),
            Err(FormulaError::ZeroDivisor(RESOURCES))
        );
        assert_eq!(
            resource_utilisation(10.0, -0.0),
            Err(FormulaError::ZeroDivisor(RESOURCES))
        );
        assert_eq!(
            algorithm_efficiency(1000.0, 0.0),
            Err(FormulaError::ZeroDivisor(TRAINING_TIME))
        );
        assert_eq!(
            resource_utilisation_faster(10.0, 1000.0, 0.0),
            Err(FormulaError::ZeroDivisor(SPEEDUP))
        );
    }

    #[test]
    fn negatives_where_meaningless_are_errors() {
        assert_eq!(
            resource_utilisation(-1.0, 1000.0),
            Err(FormulaError::Negative {
                name: TRAINING_TIME,
                value: -1.0
            })
        );
        assert_eq!(
            algorithm_efficiency(-5.0, 10.0),
            Err(FormulaError::Negative {
                name: RESOURCES,
                value: -5.0
            })
        );
        assert_eq!(
            customisation_value(-1000.0, 0.8),
            Err(FormulaError::Negative {
                name: COST,
                value: -1000.0
            })
        );
        assert_eq!(
            professional_value(1000.0, -0.8),
            Err(FormulaError::Negative {
                name: SATISFACTION,
                value: -0.8
            })
        );
        assert_eq!(
            product_innovation_value(1000.0, -500.0),
            Err(FormulaError::Negative {
                name: COST,
                value: -500.0
            })
        );
    }

    /// A loss is a meaningful innovation value, and negative revenue (a refund) is allowed.
    #[test]
    fn innovation_value_may_be_negative() {
        assert_close(tech_innovation_value(500.0, 1000.0), -500.0);
        assert_close(tech_innovation_value(-100.0, 0.0), -100.0);
    }

    #[test]
    fn non_finite_inputs_and_results_are_errors() {
        assert_eq!(
            resource_utilisation(f64::NAN, 1000.0),
            Err(FormulaError::NotFiniteInput(TRAINING_TIME))
        );
        assert_eq!(
            tech_innovation_value(f64::INFINITY, 1.0),
            Err(FormulaError::NotFiniteInput(REVENUE))
        );
        assert_eq!(
            customisation_value(1e200, 1e200),
            Err(FormulaError::NotFiniteResult)
        );
        assert_eq!(
            resource_utilisation(1e300, 1e-300),
            Err(FormulaError::NotFiniteResult)
        );
        assert_eq!(
            tech_innovation_value(-1.7e308, 1.7e308),
            Err(FormulaError::NotFiniteResult)
        );
    }

    /// "-0" typed into a field must not show as "-0" in a result.
    #[test]
    fn negative_zero_results_become_zero() {
        let v = customisation_value(-0.0, 0.8).expect("−0 is a valid cost");
        assert!(v == 0.0 && v.is_sign_positive());
        let v = tech_innovation_value(-0.0, 0.0).expect("valid");
        assert!(v == 0.0 && v.is_sign_positive());
    }

    #[test]
    fn messages_name_the_input_in_both_languages() {
        let err = resource_utilisation(1.0, 0.0).unwrap_err();
        let en = err.to_string();
        assert!(en.contains("Resources R") && en.contains("zero"), "{en}");
        let zh = err.message_zh();
        assert!(zh.contains("计算资源 R") && zh.contains("大于 0"), "{zh}");
        assert_eq!(err.message(Lang::Zh), zh);
        assert_eq!(err.message(Lang::En), en);
    }

    /// Chinese puts a space between a Latin symbol and the next Chinese word, never between two
    /// Chinese words.
    #[test]
    fn chinese_messages_space_latin_symbols_only() {
        let zh = resource_utilisation(1.0, 0.0).unwrap_err().message_zh();
        assert!(zh.starts_with("计算资源 R 为 0，"), "{zh}");
        let zh = resource_utilisation_faster(1.0, 1.0, -1.0)
            .unwrap_err()
            .message_zh();
        assert!(zh.starts_with("加速倍数为 -1，"), "{zh}");
    }
}
