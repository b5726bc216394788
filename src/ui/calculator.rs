//! The article's six formulas (§4) as cards, prefilled with its worked example (§4.4).
//!
//! Element ids are part of the browser test's contract: inputs `<card>-<symbol>`, outputs
//! `<card>-out` carrying `data-value` (the raw `f64`) only when they show a number.

use leptos::prelude::*;

use crate::cost::article::{
    FormulaError, WORKED_EXAMPLE, algorithm_efficiency, customisation_value,
    product_innovation_value, professional_value, resource_utilisation,
    resource_utilisation_faster, resource_utilisation_shorter_time, tech_innovation_value,
};
use crate::cost::format::{NOT_A_VALUE, format_number};
use crate::cost::input::parse_number;
use crate::ui::field::{NumberField, NumberInput};
use crate::ui::i18n::{T, lang};
use crate::ui::keep::KeptInputs;
use crate::ui::url_state::{FORMULA_PREFIXES, UrlNotice, UrlState};

/// A card's result: a number, or `Err(None)` when an input is not a number (its field says
/// why), or `Err(Some(_))` when the numbers are out of the formula's range.
type Outcome = Result<f64, Option<FormulaError>>;

type Formula2 = fn(f64, f64) -> Result<f64, FormulaError>;

/// Applies a two-input formula to two fields, on every change of either.
fn outcome2(a: NumberInput, b: NumberInput, formula: Formula2) -> Memo<Outcome> {
    Memo::new(move |_| {
        let (Ok(x), Ok(y)) = (a.value.get(), b.value.get()) else {
            return Err(None);
        };
        formula(x, y).map_err(Some)
    })
}

/// Writes a number as the article would, e.g. `1000.0` → "1,000" (see [`format_number`]).
fn shown(x: f64) -> String {
    format_number(x)
}

/// The calculator section: six cards, each with its formula, fields and result.
#[component]
pub fn Calculator() -> impl IntoView {
    let w = WORKED_EXAMPLE;
    // Every input is in the URL beside the cost model's, so a copied link restores it too.
    let mut url = UrlState::from_location_for(FORMULA_PREFIXES);
    let mut number =
        |key: &'static str, default: f64| url.number(key, &default.to_string(), parse_number);
    let utilisation = [
        number("utilisation-t", w.training_time_days),
        number("utilisation-r", w.gpus),
        number("utilisation-speedup", w.speedup),
    ];
    let efficiency = [
        number("efficiency-r", w.gpus),
        number("efficiency-t", w.training_time_days),
    ];
    let customisation = [
        number("customisation-c", w.customisation_cost_yuan),
        number("customisation-s", w.customisation_satisfaction),
    ];
    let professional = [
        number("professional-c", w.professional_cost_yuan),
        number("professional-s", w.professional_satisfaction),
    ];
    let tech = [
        number("tech-innovation-r", w.tech_revenue_wan_yuan),
        number("tech-innovation-c", w.tech_cost_wan_yuan),
    ];
    let product = [
        number("product-innovation-r", w.product_revenue_wan_yuan),
        number("product-innovation-c", w.product_cost_wan_yuan),
    ];
    let (params, notices) = url.sync();
    if let Some(kept) = use_context::<KeptInputs>() {
        kept.register(&params);
    }
    view! {
        <section id="calculator" aria-labelledby="calculator-title">
            <h2 id="calculator-title">
                <T zh="公式计算器" en="The article's formulas" />
            </h2>
            <p class="lead">
                <T
                    zh="以下六个公式取自原文第 4 节，已填入第 4.4 节的例子；改动任一输入，结果随即更新。"
                    en="The six formulas of the article's §4, prefilled with its worked example \
                        (§4.4). Every result follows each keystroke."
                />
            </p>
            <UrlNotice group="formulas" notices=notices />
            <div class="cards">
                <UtilisationCard inputs=utilisation />
                <EfficiencyCard inputs=efficiency />
                <ServiceCard
                    id="customisation"
                    title_zh="定制化服务价值"
                    title_en="Customisation-service value"
                    section="§4.2.1"
                    inputs=customisation
                    formula=customisation_value
                />
                <ServiceCard
                    id="professional"
                    title_zh="专业服务价值"
                    title_en="Professional-service value"
                    section="§4.2.2"
                    inputs=professional
                    formula=professional_value
                />
                <InnovationCard
                    id="tech-innovation"
                    title_zh="技术创新价值"
                    title_en="Technical-innovation value"
                    section="§4.3.1"
                    inputs=tech
                    formula=tech_innovation_value
                />
                <InnovationCard
                    id="product-innovation"
                    title_zh="产品创新价值"
                    title_en="Product-innovation value"
                    section="§4.3.2"
                    inputs=product
                    formula=product_innovation_value
                />
            </div>
        </section>
    }
}

/// A card's frame: title, the article's section, the formula as the article writes it.
#[component]
fn Card(
    id: &'static str,
    title_zh: &'static str,
    title_en: &'static str,
    section: &'static str,
    formula: &'static str,
    children: Children,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    view! {
        <article class="card" id=format!("{id}-card") aria-labelledby=title_id.clone()>
            <h3 id=title_id.clone()>
                <T zh=title_zh en=title_en />
                " "
                <span class="section">{section}</span>
            </h3>
            <p class="formula">{formula}</p>
            {children()}
        </article>
    }
}

/// One result line: `symbol = <output>`, the formula's error beside it when there is one.
#[component]
fn ResultLine(
    /// Id of the `<output>`; the error element is `<id>-error`.
    #[prop(into)]
    id: String,
    /// What is left of the output, e.g. "η =".
    symbol: &'static str,
    /// Ids of the inputs the result is computed from, for the output's `for`.
    #[prop(into)]
    inputs: String,
    /// Unit shown after the number in Chinese, may be empty.
    #[prop(optional)]
    unit_zh: &'static str,
    /// Unit shown after the number in English, may be empty.
    #[prop(optional)]
    unit_en: &'static str,
    result: Memo<Outcome>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <p class="result">
            <span class="symbol">{symbol}</span>
            " "
            <output
                id=id
                for=inputs
                aria-describedby=error_id.clone()
                data-value=move || result.get().ok().map(|v| v.to_string())
            >
                {move || result.get().map_or_else(|_| NOT_A_VALUE.to_string(), shown)}
            </output>
            " "
            <span class="unit">
                <T zh=unit_zh en=unit_en />
            </span>
        </p>
        <p class="formula-error" id=error_id role="alert">
            {move || result.get().err().flatten().map(|e| e.message(lang()))}
        </p>
    }
}

/// A plain one-line remark on where the article is odd.
#[component]
fn Oddity(zh: &'static str, en: &'static str) -> impl IntoView {
    view! {
        <p class="oddity">
            <T zh=zh en=en />
        </p>
    }
}

/// η = T / R (§4.1.1), and the article's 2× step (§4.4). Inputs: T, R, the speed-up k.
#[component]
fn UtilisationCard(inputs: [NumberInput; 3]) -> impl IntoView {
    let [t, r, k] = inputs;
    let eta = outcome2(t, r, resource_utilisation);
    let faster = Memo::new(move |_| {
        let (Ok(t), Ok(r), Ok(k)) = (t.value.get(), r.value.get(), k.value.get()) else {
            return Err(None);
        };
        resource_utilisation_faster(t, r, k).map_err(Some)
    });
    let shorter = move || {
        let (Ok(t), Ok(r), Ok(k)) = (t.value.get(), r.value.get(), k.value.get()) else {
            return NOT_A_VALUE.to_string();
        };
        resource_utilisation_shorter_time(t, r, k).map_or_else(|_| NOT_A_VALUE.to_string(), shown)
    };

    view! {
        <Card
            id="utilisation"
            title_zh="计算资源利用率"
            title_en="Resource utilisation"
            section="§4.1.1"
            formula="η = T / R"
        >
            <NumberField
                id="utilisation-t"
                label_zh="训练时间 T（天）"
                label_en="Training time T (days)"
                input=t
            />
            <NumberField
                id="utilisation-r"
                label_zh="计算资源 R（GPU 数）"
                label_en="Resources R (GPUs)"
                input=r
            />
            <ResultLine
                id="utilisation-out"
                symbol="η ="
                inputs="utilisation-t utilisation-r"
                unit_zh="天 / GPU"
                unit_en="days per GPU"
                result=eta
            />
            <NumberField
                id="utilisation-speedup"
                label_zh="GPU 加速倍数 k（§4.4）"
                label_en="GPU speed-up k (§4.4)"
                input=k
            />
            <ResultLine
                id="utilisation-faster-out"
                symbol="η′ = k × η ="
                inputs="utilisation-t utilisation-r utilisation-speedup"
                result=faster
            />
            <Oddity
                zh="原文把 η 直接乘以加速倍数（2 × 0.01 = 0.02），这里照录；但更快的 GPU 缩短的是 T，按 η = T / R，η 应当变小才对。"
                en="The article multiplies η by the speed-up (2 × 0.01 = 0.02), shown here as it \
                    states it; yet a faster GPU shortens T, so T / R should fall instead."
            />
            <p class="aside">
                <T
                    zh="若按 §4.1.1 让 T 缩短为 T / k：(T / k) / R = "
                    en="With T shortened to T / k, §4.1.1 gives (T / k) / R = "
                />
                <span id="utilisation-shorter-out">{shorter}</span>
            </p>
            <Oddity
                zh="η = T / R 与下一张卡片的 E = R / T 互为倒数。"
                en="η = T / R and the next card's E = R / T are reciprocals of each other."
            />
        </Card>
    }
}

/// E = R / T (§4.1.2). Inputs: R, T.
#[component]
fn EfficiencyCard(inputs: [NumberInput; 2]) -> impl IntoView {
    let [r, t] = inputs;
    let e = outcome2(r, t, algorithm_efficiency);

    view! {
        <Card
            id="efficiency"
            title_zh="算法效率"
            title_en="Algorithm efficiency"
            section="§4.1.2"
            formula="E = R / T"
        >
            <NumberField
                id="efficiency-r"
                label_zh="计算资源 R（GPU 数）"
                label_en="Resources R (GPUs)"
                input=r
            />
            <NumberField
                id="efficiency-t"
                label_zh="训练时间 T（天）"
                label_en="Training time T (days)"
                input=t
            />
            <ResultLine
                id="efficiency-out"
                symbol="E ="
                inputs="efficiency-r efficiency-t"
                unit_zh="GPU / 天"
                unit_en="GPUs per day"
                result=e
            />
            <Oddity
                zh="E = R / T 正是 η = T / R 的倒数，两者说的是同一件事。"
                en="E = R / T is the reciprocal of η = T / R: the two carry the same information."
            />
        </Card>
    }
}

/// V = C × S (§4.2.1 and §4.2.2). Inputs: C, S, registered as `<id>-c` and `<id>-s`.
#[component]
fn ServiceCard(
    id: &'static str,
    title_zh: &'static str,
    title_en: &'static str,
    section: &'static str,
    inputs: [NumberInput; 2],
    formula: Formula2,
) -> impl IntoView {
    let [c, s] = inputs;
    let v = outcome2(c, s, formula);

    view! {
        <Card id=id title_zh=title_zh title_en=title_en section=section formula="V = C × S">
            <NumberField
                id=format!("{id}-c")
                label_zh="服务成本 C（元）"
                label_en="Service cost C (yuan)"
                input=c
            />
            <NumberField
                id=format!("{id}-s")
                label_zh="客户满意度 S"
                label_en="Customer satisfaction S"
                input=s
            />
            <ResultLine
                id=format!("{id}-out")
                symbol="V ="
                inputs=format!("{id}-c {id}-s")
                unit_zh="元"
                unit_en="yuan"
                result=v
            />
            <Oddity
                zh="照原文的公式，成本花得越多，“价值”就越大。"
                en="As the article writes it, value grows with cost: spending more always looks better."
            />
        </Card>
    }
}

/// V = R − C (§4.3.1 and §4.3.2). Inputs: R, C, registered as `<id>-r` and `<id>-c`.
#[component]
fn InnovationCard(
    id: &'static str,
    title_zh: &'static str,
    title_en: &'static str,
    section: &'static str,
    inputs: [NumberInput; 2],
    formula: Formula2,
) -> impl IntoView {
    let [r, c] = inputs;
    let v = outcome2(r, c, formula);

    view! {
        <Card id=id title_zh=title_zh title_en=title_en section=section formula="V = R − C">
            <NumberField
                id=format!("{id}-r")
                label_zh="收益 R（万元）"
                label_en="Revenue R (10⁴ yuan)"
                input=r
            />
            <NumberField
                id=format!("{id}-c")
                label_zh="成本 C（万元）"
                label_en="Cost C (10⁴ yuan)"
                input=c
            />
            <ResultLine
                id=format!("{id}-out")
                symbol="V ="
                inputs=format!("{id}-r {id}-c")
                unit_zh="万元"
                unit_en="× 10⁴ yuan"
                result=v
            />
        </Card>
    }
}
