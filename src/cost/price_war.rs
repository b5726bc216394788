//! Price-war arithmetic: contribution margin, break-even volume, what a price cut does to
//! volume, revenue and profit under constant-elasticity demand, the Bertrand floor, and the
//! markup rule.
//!
//! A "unit" is whatever the price is quoted per (one million tokens, a seat, a request); fixed
//! cost, price and marginal cost must all be in the same currency and unit.
//!
//! Sources: break-even and contribution margin are standard cost accounting (e.g. Horngren,
//! "Cost Accounting: A Managerial Emphasis", ch. 3); constant-elasticity demand
//! Q = Q₀·(P/P₀)^ε, the Bertrand outcome P = MC and the markup (Lerner) rule
//! P = MC ÷ (1 − 1/|ε|) are textbook industrial organization (e.g. Tirole, "The Theory of
//! Industrial Organization" (1988), §1.1 and §5.1).

use super::error::{self, CostError};
use super::format::{MoneyFormat, Step, format_number};

fn n(x: f64) -> String {
    format_number(x)
}

/// Contribution margin: what each unit sold adds towards fixed cost, price − marginal cost,
/// and as a share of price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContributionMargin {
    /// Price per unit.
    pub price_per_unit: f64,
    /// Marginal (variable) cost per unit.
    pub marginal_cost_per_unit: f64,
    /// Price − marginal cost; negative when each sale loses money.
    pub margin_per_unit: f64,
    /// Margin ÷ price, at most 1.
    pub margin_ratio: f64,
}

/// Computes the [`ContributionMargin`] at a price above 0 and a marginal cost of 0 or more.
pub fn contribution_margin(
    price_per_unit: f64,
    marginal_cost_per_unit: f64,
) -> Result<ContributionMargin, CostError> {
    let price = error::positive("price_per_unit", price_per_unit)?;
    let marginal_cost = error::non_negative("marginal_cost_per_unit", marginal_cost_per_unit)?;

    let margin = price - marginal_cost;
    Ok(ContributionMargin {
        price_per_unit: price,
        marginal_cost_per_unit: marginal_cost,
        margin_per_unit: margin,
        margin_ratio: error::finite("margin ratio", margin / price)?,
    })
}

impl ContributionMargin {
    /// How each number was derived; money is written as `money` says.
    pub fn steps(&self, money: MoneyFormat) -> Vec<Step> {
        let m = |x: f64| money.amount(x);
        vec![
            Step {
                label_en: "Contribution margin per unit",
                label_zh: "单位边际贡献",
                formula: "P − MC",
                formula_zh: "P − MC",
                substituted: format!(
                    "{} − {}",
                    m(self.price_per_unit),
                    m(self.marginal_cost_per_unit)
                ),
                result: m(self.margin_per_unit),
                unit_en: "",
                unit_zh: "",
            },
            Step {
                label_en: "Contribution margin ratio",
                label_zh: "边际贡献率",
                formula: "(P − MC) ÷ P",
                formula_zh: "(P − MC) ÷ P",
                substituted: format!("{} ÷ {}", m(self.margin_per_unit), m(self.price_per_unit)),
                result: n(self.margin_ratio),
                unit_en: "",
                unit_zh: "",
            },
        ]
    }
}

/// Break-even: the volume at which contribution margin covers fixed cost,
/// units = fixed cost ÷ (P − MC), and the revenue at that volume.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakEven {
    /// Fixed cost to recover (e.g. the training run).
    pub fixed_cost: f64,
    /// Price per unit.
    pub price_per_unit: f64,
    /// Marginal cost per unit.
    pub marginal_cost_per_unit: f64,
    /// P − MC, above 0.
    pub margin_per_unit: f64,
    /// Units to sell to break even.
    pub break_even_units: f64,
    /// Revenue at break-even, units × P.
    pub break_even_revenue: f64,
}

/// Computes [`BreakEven`]; a price at or below marginal cost never breaks even and is an error.
pub fn break_even(
    fixed_cost: f64,
    price_per_unit: f64,
    marginal_cost_per_unit: f64,
) -> Result<BreakEven, CostError> {
    let fixed_cost = error::non_negative("fixed_cost", fixed_cost)?;
    let price = error::positive("price_per_unit", price_per_unit)?;
    let marginal_cost = error::non_negative("marginal_cost_per_unit", marginal_cost_per_unit)?;
    if price <= marginal_cost {
        return Err(CostError::PriceNotAboveMarginalCost {
            price,
            marginal_cost,
        });
    }

    let margin = price - marginal_cost;
    let units = error::finite("break-even volume", fixed_cost / margin)?;
    let revenue = error::finite("break-even revenue", units * price)?;
    Ok(BreakEven {
        fixed_cost,
        price_per_unit: price,
        marginal_cost_per_unit: marginal_cost,
        margin_per_unit: margin,
        break_even_units: units,
        break_even_revenue: revenue,
    })
}

impl BreakEven {
    /// How each number was derived; money is written as `money` says.
    pub fn steps(&self, money: MoneyFormat) -> Vec<Step> {
        let m = |x: f64| money.amount(x);
        vec![
            Step {
                label_en: "Break-even volume",
                label_zh: "保本销量",
                formula: "F ÷ (P − MC)",
                formula_zh: "F ÷ (P − MC)",
                substituted: format!(
                    "{} ÷ ({} − {})",
                    m(self.fixed_cost),
                    m(self.price_per_unit),
                    m(self.marginal_cost_per_unit)
                ),
                result: n(self.break_even_units),
                unit_en: "units",
                unit_zh: "单位",
            },
            Step {
                label_en: "Break-even revenue",
                label_zh: "保本收入",
                formula: "volume × P",
                formula_zh: "销量 × P",
                substituted: format!("{} × {}", n(self.break_even_units), m(self.price_per_unit)),
                result: m(self.break_even_revenue),
                unit_en: "",
                unit_zh: "",
            },
        ]
    }
}

/// Inputs of a price-change scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceCutInput {
    /// Price per unit today.
    pub price_before: f64,
    /// Price per unit after the change (lower for a cut; a rise works too).
    pub price_after: f64,
    /// Units sold per period at today's price.
    pub volume_before: f64,
    /// Marginal cost per unit.
    pub marginal_cost_per_unit: f64,
    /// Fixed cost per period.
    pub fixed_cost: f64,
    /// Price elasticity of demand ε. Its sign is ignored: demand is taken to fall as price
    /// rises, so −2 and 2 both mean "1% cheaper sells 2% more".
    pub elasticity: f64,
}

/// Volume, revenue and profit at one price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scenario {
    /// Price per unit.
    pub price: f64,
    /// Units sold.
    pub volume: f64,
    /// Price × volume.
    pub revenue: f64,
    /// (Price − MC) × volume − fixed cost.
    pub profit: f64,
}

/// A price change under constant-elasticity demand: volume after = volume before ×
/// (P₁ ÷ P₀)^(−|ε|); revenue = P × Q; profit = (P − MC) × Q − F.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceCut {
    /// The inputs, after checking (elasticity stored as −|ε|).
    pub input: PriceCutInput,
    /// At today's price.
    pub before: Scenario,
    /// At the new price.
    pub after: Scenario,
    /// Relative change in volume, after ÷ before − 1.
    pub volume_change: f64,
    /// Relative change in revenue.
    pub revenue_change: f64,
    /// Change in profit, after − before, in money.
    pub profit_change: f64,
}

/// Works out a [`PriceCut`].
pub fn price_cut(input: &PriceCutInput) -> Result<PriceCut, CostError> {
    let price_before = error::positive("price_before", input.price_before)?;
    let price_after = error::positive("price_after", input.price_after)?;
    let volume_before = error::positive("volume_before", input.volume_before)?;
    let marginal_cost =
        error::non_negative("marginal_cost_per_unit", input.marginal_cost_per_unit)?;
    let fixed_cost = error::non_negative("fixed_cost", input.fixed_cost)?;
    let elasticity = -error::finite_input("elasticity", input.elasticity)?.abs();

    let scenario = |price: f64, volume: f64| -> Result<Scenario, CostError> {
        let revenue = error::finite("revenue", price * volume)?;
        let profit = error::finite("profit", (price - marginal_cost) * volume - fixed_cost)?;
        Ok(Scenario {
            price,
            volume,
            revenue,
            profit,
        })
    };
    let volume_ratio = error::finite("volume", (price_after / price_before).powf(elasticity))?;
    let volume_after = error::finite("volume", volume_before * volume_ratio)?;
    let before = scenario(price_before, volume_before)?;
    let after = scenario(price_after, volume_after)?;
    Ok(PriceCut {
        input: PriceCutInput {
            price_before,
            price_after,
            volume_before,
            marginal_cost_per_unit: marginal_cost,
            fixed_cost,
            elasticity,
        },
        before,
        after,
        volume_change: volume_ratio - 1.0,
        revenue_change: error::finite("revenue change", after.revenue / before.revenue - 1.0)?,
        profit_change: error::finite("profit change", after.profit - before.profit)?,
    })
}

impl PriceCut {
    /// How each number was derived; money is written as `money` says.
    pub fn steps(&self, money: MoneyFormat) -> Vec<Step> {
        let i = &self.input;
        let m = |x: f64| money.amount(x);
        let profit = |s: &Scenario| {
            format!(
                "({} − {}) × {} − {}",
                m(s.price),
                m(i.marginal_cost_per_unit),
                n(s.volume),
                m(i.fixed_cost)
            )
        };
        vec![
            Step {
                label_en: "Volume after",
                label_zh: "调价后销量",
                formula: "Q₀ × (P₁ ÷ P₀)^ε",
                formula_zh: "Q₀ × (P₁ ÷ P₀)^ε",
                substituted: format!(
                    "{} × ({} ÷ {})^{}",
                    n(i.volume_before),
                    m(i.price_after),
                    m(i.price_before),
                    n(i.elasticity)
                ),
                result: n(self.after.volume),
                unit_en: "units",
                unit_zh: "单位",
            },
            Step {
                label_en: "Revenue before",
                label_zh: "调价前收入",
                formula: "P₀ × Q₀",
                formula_zh: "P₀ × Q₀",
                substituted: format!("{} × {}", m(i.price_before), n(i.volume_before)),
                result: m(self.before.revenue),
                unit_en: "",
                unit_zh: "",
            },
            Step {
                label_en: "Revenue after",
                label_zh: "调价后收入",
                formula: "P₁ × Q₁",
                formula_zh: "P₁ × Q₁",
                substituted: format!("{} × {}", m(i.price_after), n(self.after.volume)),
                result: m(self.after.revenue),
                unit_en: "",
                unit_zh: "",
            },
            Step {
                label_en: "Profit before",
                label_zh: "调价前利润",
                formula: "(P₀ − MC) × Q₀ − F",
                formula_zh: "(P₀ − MC) × Q₀ − F",
                substituted: profit(&self.before),
                result: m(self.before.profit),
                unit_en: "",
                unit_zh: "",
            },
            Step {
                label_en: "Profit after",
                label_zh: "调价后利润",
                formula: "(P₁ − MC) × Q₁ − F",
                formula_zh: "(P₁ − MC) × Q₁ − F",
                substituted: profit(&self.after),
                result: m(self.after.profit),
                unit_en: "",
                unit_zh: "",
            },
        ]
    }
}

/// The Bertrand floor: with identical products and costs, competitors undercut each other until
/// price equals marginal cost. Each unit then earns nothing, and the fixed cost is a loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BertrandFloor {
    /// Marginal cost per unit, which is also the floor price.
    pub marginal_cost_per_unit: f64,
    /// Fixed cost per period.
    pub fixed_cost: f64,
    /// The floor price, P = MC.
    pub price: f64,
    /// Margin per unit at the floor: 0.
    pub margin_per_unit: f64,
    /// Profit at the floor, whatever the volume: −F.
    pub profit: f64,
}

/// Computes the [`BertrandFloor`].
pub fn bertrand_floor(
    marginal_cost_per_unit: f64,
    fixed_cost: f64,
) -> Result<BertrandFloor, CostError> {
    let marginal_cost = error::non_negative("marginal_cost_per_unit", marginal_cost_per_unit)?;
    let fixed_cost = error::non_negative("fixed_cost", fixed_cost)?;
    Ok(BertrandFloor {
        marginal_cost_per_unit: marginal_cost,
        fixed_cost,
        price: marginal_cost,
        margin_per_unit: 0.0,
        profit: -fixed_cost + 0.0,
    })
}

impl BertrandFloor {
    /// How each number was derived; money is written as `money` says.
    pub fn steps(&self, money: MoneyFormat) -> Vec<Step> {
        let m = |x: f64| money.amount(x);
        vec![
            Step {
                label_en: "Floor price",
                label_zh: "价格底线",
                formula: "P = MC",
                formula_zh: "P = MC",
                substituted: m(self.marginal_cost_per_unit),
                result: m(self.price),
                unit_en: "",
                unit_zh: "",
            },
            Step {
                label_en: "Profit at the floor",
                label_zh: "底价下的利润",
                formula: "(P − MC) × Q − F",
                formula_zh: "(P − MC) × Q − F",
                substituted: format!("0 × Q − {}", m(self.fixed_cost)),
                result: m(self.profit),
                unit_en: "",
                unit_zh: "",
            },
        ]
    }
}

/// The profit-maximizing price of a firm facing constant elasticity ε (the markup or Lerner
/// rule): P = MC ÷ (1 − 1/|ε|), so the margin share (P − MC) ÷ P is 1/|ε|.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarkupPrice {
    /// Marginal cost per unit.
    pub marginal_cost_per_unit: f64,
    /// Elasticity as entered.
    pub elasticity: f64,
    /// The profit-maximizing price.
    pub price: f64,
    /// Price ÷ marginal cost, 1 ÷ (1 − 1/|ε|).
    pub markup_factor: f64,
    /// Lerner index (P − MC) ÷ P = 1/|ε|.
    pub lerner_index: f64,
}

/// Computes the [`MarkupPrice`]; |ε| ≤ 1 (inelastic demand) has no finite answer and is an
/// error. The sign of ε is ignored.
pub fn markup_price(
    marginal_cost_per_unit: f64,
    elasticity: f64,
) -> Result<MarkupPrice, CostError> {
    let marginal_cost = error::non_negative("marginal_cost_per_unit", marginal_cost_per_unit)?;
    let elasticity = error::finite_input("elasticity", elasticity)?;
    let magnitude = elasticity.abs();
    if magnitude <= 1.0 {
        return Err(CostError::InelasticDemand { elasticity });
    }

    let markup_factor = error::finite("markup", 1.0 / (1.0 - 1.0 / magnitude))?;
    let price = error::finite("markup price", marginal_cost * markup_factor)?;
    Ok(MarkupPrice {
        marginal_cost_per_unit: marginal_cost,
        elasticity,
        price,
        markup_factor,
        lerner_index: 1.0 / magnitude,
    })
}

impl MarkupPrice {
    /// How each number was derived; money is written as `money` says.
    pub fn steps(&self, money: MoneyFormat) -> Vec<Step> {
        let m = |x: f64| money.amount(x);
        vec![
            Step {
                label_en: "Profit-maximizing price",
                label_zh: "利润最大化价格",
                formula: "MC ÷ (1 − 1/|ε|)",
                formula_zh: "MC ÷ (1 − 1/|ε|)",
                substituted: format!(
                    "{} ÷ (1 − 1/{})",
                    m(self.marginal_cost_per_unit),
                    n(self.elasticity.abs())
                ),
                result: m(self.price),
                unit_en: "",
                unit_zh: "",
            },
            Step {
                label_en: "Margin share (Lerner index)",
                label_zh: "毛利占价格比（勒纳指数）",
                formula: "(P − MC) ÷ P = 1/|ε|",
                formula_zh: "(P − MC) ÷ P = 1/|ε|",
                substituted: format!("1/{}", n(self.elasticity.abs())),
                result: n(self.lerner_index),
                unit_en: "",
                unit_zh: "",
            },
        ]
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::cost::units::Currency;
    use crate::lang::Lang;

    fn rel_close(a: f64, b: f64, tolerance: f64) -> bool {
        ((a - b) / b).abs() <= tolerance
    }

    #[test]
    fn contribution_margin_and_ratio() {
        let c = contribution_margin(10.0, 6.0)
            .map_err(|e| e.to_string())
            .expect("valid");
        assert_eq!(c.margin_per_unit, 4.0);
        assert_eq!(c.margin_ratio, 0.4);
        let loss = contribution_margin(5.0, 6.0)
            .map_err(|e| e.to_string())
            .expect("valid");
        assert_eq!(
            loss.margin_per_unit, -1.0,
            "selling below cost is shown, not refused"
        );
        assert_eq!(
            contribution_margin(0.0, 6.0).err().and_then(|e| e.field()),
            Some("price_per_unit")
        );
        assert_eq!(
            contribution_margin(10.0, -1.0)
                .err()
                .and_then(|e| e.field()),
            Some("marginal_cost_per_unit")
        );
        assert_eq!(
            c.steps(MoneyFormat::en(Currency::Usd))[0].text_en(),
            "Contribution margin per unit: P − MC = $10.00 − $6.00 = $4.00"
        );
    }

    #[test]
    fn break_even_needs_a_positive_margin() {
        assert!(matches!(
            break_even(300_000.0, 6.0, 6.0),
            Err(CostError::PriceNotAboveMarginalCost { .. })
        ));
        assert!(matches!(
            break_even(300_000.0, 5.0, 6.0),
            Err(CostError::PriceNotAboveMarginalCost { .. })
        ));
        assert_eq!(
            break_even(-1.0, 10.0, 6.0).err().and_then(|e| e.field()),
            Some("fixed_cost")
        );
        assert_eq!(
            break_even(0.0, 10.0, 6.0).map(|b| b.break_even_units),
            Ok(0.0)
        );
        let b = break_even(300_000.0, 10.0, 6.0)
            .map_err(|e| e.to_string())
            .expect("valid");
        assert_eq!(b.break_even_revenue, 750_000.0);
        assert_eq!(
            b.steps(MoneyFormat::en(Currency::Usd))[0].text_en(),
            "Break-even volume: F ÷ (P − MC) = $300,000.00 ÷ ($10.00 − $6.00) = 75,000 units"
        );
        assert_eq!(
            b.steps(MoneyFormat {
                currency: Currency::Cny,
                lang: Lang::Zh
            })[0]
                .text_zh(),
            "保本销量：F ÷ (P − MC) = ¥300,000.00 ÷ (¥10.00 − ¥6.00) = 75,000 单位"
        );
        // Chinese writes amounts from 10⁶ up with 万 and 亿, English with million and billion.
        let big = break_even(3e8, 10.0, 6.0).expect("valid");
        let revenue = |lang| {
            big.steps(MoneyFormat {
                currency: Currency::Cny,
                lang,
            })[1]
                .result
                .clone()
        };
        assert_eq!(revenue(Lang::Zh), "¥7.5 亿");
        assert_eq!(revenue(Lang::En), "¥750 million");
    }

    #[test]
    fn a_tiny_margin_overflows_into_an_error() {
        // A fixed cost near f64::MAX over a margin below 1 overflows: an error, not infinity.
        assert!(matches!(
            break_even(1.7e308, 1.0, 0.5),
            Err(CostError::OutOfRange { .. })
        ));
    }

    /// The page's defaults: F = 300,000, MC = 6, P₀ = 10 → P₁ = 8, Q₀ = 100,000, ε = −2, so
    /// volume × (0.8)^−2 = 1.5625.
    pub(crate) fn cut() -> PriceCutInput {
        PriceCutInput {
            price_before: 10.0,
            price_after: 8.0,
            volume_before: 100_000.0,
            marginal_cost_per_unit: 6.0,
            fixed_cost: 300_000.0,
            elasticity: -2.0,
        }
    }

    #[test]
    fn price_cut_with_elastic_demand() {
        let p = price_cut(&cut()).map_err(|e| e.to_string()).expect("valid");
        assert!(rel_close(p.after.volume, 156_250.0, 1e-12));
        assert!(rel_close(p.volume_change, 0.5625, 1e-12));
        assert_eq!(p.before.revenue, 1_000_000.0);
        assert!(rel_close(p.after.revenue, 1_250_000.0, 1e-12));
        assert!(rel_close(p.revenue_change, 0.25, 1e-12));
        // Profit: (10 − 6) × 100,000 − 300,000 = 100,000; (8 − 6) × 156,250 − 300,000 = 12,500.
        assert!(rel_close(p.before.profit, 100_000.0, 1e-12));
        assert!(rel_close(p.after.profit, 12_500.0, 1e-12));
        assert!(rel_close(p.profit_change, -87_500.0, 1e-12));
        assert_eq!(p.steps(MoneyFormat::en(Currency::Usd)).len(), 5);
    }

    #[test]
    fn elasticity_sign_is_ignored_and_unit_elasticity_keeps_revenue() {
        let a = price_cut(&cut()).map_err(|e| e.to_string());
        let b = price_cut(&PriceCutInput {
            elasticity: 2.0,
            ..cut()
        })
        .map_err(|e| e.to_string());
        assert_eq!(a, b);
        let unit = price_cut(&PriceCutInput {
            elasticity: -1.0,
            ..cut()
        })
        .map_err(|e| e.to_string())
        .expect("valid");
        assert!(
            unit.revenue_change.abs() < 1e-12,
            "|ε| = 1 keeps revenue constant"
        );
        let none = price_cut(&PriceCutInput {
            elasticity: 0.0,
            ..cut()
        })
        .map_err(|e| e.to_string())
        .expect("valid");
        assert_eq!(none.after.volume, 100_000.0, "ε = 0: volume does not move");
    }

    #[test]
    fn price_cut_rejects_bad_inputs() {
        let field = |input: PriceCutInput| price_cut(&input).err().and_then(|e| e.field());
        assert_eq!(
            field(PriceCutInput {
                price_after: 0.0,
                ..cut()
            }),
            Some("price_after"),
            "free is a zero divisor"
        );
        assert_eq!(
            field(PriceCutInput {
                price_before: -1.0,
                ..cut()
            }),
            Some("price_before")
        );
        assert_eq!(
            field(PriceCutInput {
                volume_before: 0.0,
                ..cut()
            }),
            Some("volume_before")
        );
        assert_eq!(
            field(PriceCutInput {
                elasticity: f64::NAN,
                ..cut()
            }),
            Some("elasticity")
        );
        // A 1e-100 price with ε = −100 would sell 1e10,000 units: an error, not infinity.
        let absurd = PriceCutInput {
            price_after: 1e-100,
            elasticity: -100.0,
            ..cut()
        };
        assert!(matches!(
            price_cut(&absurd),
            Err(CostError::OutOfRange { .. })
        ));
    }

    #[test]
    fn bertrand_floor_loses_the_fixed_cost() {
        let b = bertrand_floor(6.0, 300_000.0)
            .map_err(|e| e.to_string())
            .expect("valid");
        assert_eq!(b.price, 6.0);
        assert_eq!(b.margin_per_unit, 0.0);
        assert_eq!(b.profit, -300_000.0);
        assert_eq!(
            b.steps(MoneyFormat::en(Currency::Usd))[1].result,
            "-$300,000.00"
        );
        let free = bertrand_floor(0.0, 0.0)
            .map_err(|e| e.to_string())
            .expect("valid");
        assert!(free.profit.is_sign_positive(), "no '-$0.00'");
        assert!(bertrand_floor(-1.0, 0.0).is_err());
    }

    #[test]
    fn markup_rule() {
        // ε = −3: P = MC ÷ (2/3) = 1.5 MC, Lerner index 1/3.
        let m = markup_price(4.0, -3.0)
            .map_err(|e| e.to_string())
            .expect("valid");
        assert!(rel_close(m.price, 6.0, 1e-12));
        assert!(rel_close(m.lerner_index, 1.0 / 3.0, 1e-12));
        assert!(rel_close((m.price - 4.0) / m.price, m.lerner_index, 1e-12));
        assert_eq!(
            markup_price(4.0, 3.0).map(|m| m.price),
            markup_price(4.0, -3.0).map(|m| m.price)
        );
        for inelastic in [-1.0, -0.5, 0.0, 1.0] {
            assert!(
                matches!(
                    markup_price(4.0, inelastic),
                    Err(CostError::InelasticDemand { .. })
                ),
                "{inelastic}"
            );
        }
        assert_eq!(
            markup_price(-4.0, -2.0).err().and_then(|e| e.field()),
            Some("marginal_cost_per_unit")
        );
        assert_eq!(
            markup_price(4.0, f64::INFINITY)
                .err()
                .and_then(|e| e.field()),
            Some("elasticity")
        );
        assert_eq!(
            markup_price(4.0, -2.0)
                .map(|m| m.steps(MoneyFormat::en(Currency::Usd))[0].text_en())
                .map_err(|e| e.to_string()),
            Ok("Profit-maximizing price: MC ÷ (1 − 1/|ε|) = $4.00 ÷ (1 − 1/2) = $8.00".to_string())
        );
    }
}
