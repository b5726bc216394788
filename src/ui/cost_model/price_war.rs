//! The price-war section: contribution margin and break-even volume, a price cut under
//! constant-elasticity demand, the Bertrand floor and the markup rule.

use leptos::prelude::*;

use crate::cost::price_war::{
    BertrandFloor, BreakEven, ContributionMargin, MarkupPrice, PriceCut, PriceCutInput,
    bertrand_floor, break_even, contribution_margin, markup_price, price_cut,
};
use crate::embed::Part;
use crate::ui::cost_model::charts::ProfitChart;
use crate::ui::cost_model::widgets::{
    Derivation, ErrorLine, Formula, Kind, Out, Outcome, any_number, error_of, money_format,
    non_negative, positive,
};
use crate::ui::embed::shows;
use crate::ui::field::{NumberField, NumberInput};
use crate::ui::i18n::T;
use crate::ui::url_state::UrlState;

/// The price-war section's inputs. One "unit" is whatever the price is quoted per (one
/// million tokens when the marginal cost comes from the serving section).
#[derive(Clone, Copy)]
pub struct PriceWarInputs {
    /// Fixed cost F to recover (e.g. the training run).
    pub fixed: NumberInput,
    /// Marginal cost per unit MC.
    pub mc: NumberInput,
    /// Price per unit P₀.
    pub price: NumberInput,
    /// Units sold per period at P₀.
    pub volume: NumberInput,
    /// Price after the cut P₁.
    pub new_price: NumberInput,
    /// Price elasticity of demand ε (sign ignored).
    pub elasticity: NumberInput,
}

impl PriceWarInputs {
    /// Registers every field. Defaults: the break-even example (fixed 300,000, price 10,
    /// marginal cost 6 → 75,000 units), 100,000 units sold today, a cut to 8, and ε = −2.
    pub fn new(url: &mut UrlState) -> Self {
        Self {
            fixed: url.number("pricewar-fixed", "300000", non_negative),
            mc: url.number("pricewar-mc", "6", non_negative),
            price: url.number("pricewar-price", "10", positive),
            volume: url.number("pricewar-volume", "100000", positive),
            new_price: url.number("pricewar-new-price", "8", positive),
            elasticity: url.number("pricewar-elasticity", "-2", any_number),
        }
    }
}

/// Writes a computed amount as field text, to the cent.
fn as_field_text(amount: f64) -> String {
    format!("{amount:.2}")
}

/// The price-war section. `training_cost` and `serving_cost` (cost per 1M output tokens) feed
/// the two "use …" buttons.
#[component]
pub fn PriceWarSection(
    inputs: PriceWarInputs,
    training_cost: Signal<Option<f64>>,
    serving_cost: Signal<Option<f64>>,
) -> impl IntoView {
    let i = inputs;
    let margin = Memo::new(move |_| -> Outcome<ContributionMargin> {
        let (Ok(p), Ok(mc)) = (i.price.value.get(), i.mc.value.get()) else {
            return Err(None);
        };
        contribution_margin(p, mc).map_err(Some)
    });
    let even = Memo::new(move |_| -> Outcome<BreakEven> {
        let (Ok(f), Ok(p), Ok(mc)) = (i.fixed.value.get(), i.price.value.get(), i.mc.value.get())
        else {
            return Err(None);
        };
        break_even(f, p, mc).map_err(Some)
    });
    let cut = Memo::new(move |_| -> Outcome<PriceCut> {
        let (Ok(f), Ok(p0), Ok(mc), Ok(q0), Ok(p1), Ok(e)) = (
            i.fixed.value.get(),
            i.price.value.get(),
            i.mc.value.get(),
            i.volume.value.get(),
            i.new_price.value.get(),
            i.elasticity.value.get(),
        ) else {
            return Err(None);
        };
        price_cut(&PriceCutInput {
            price_before: p0,
            price_after: p1,
            volume_before: q0,
            marginal_cost_per_unit: mc,
            fixed_cost: f,
            elasticity: e,
        })
        .map_err(Some)
    });
    let floor = Memo::new(move |_| -> Outcome<BertrandFloor> {
        let (Ok(mc), Ok(f)) = (i.mc.value.get(), i.fixed.value.get()) else {
            return Err(None);
        };
        bertrand_floor(mc, f).map_err(Some)
    });
    let markup = Memo::new(move |_| -> Outcome<MarkupPrice> {
        let (Ok(mc), Ok(e)) = (i.mc.value.get(), i.elasticity.value.get()) else {
            return Err(None);
        };
        markup_price(mc, e).map_err(Some)
    });

    let pick =
        |f: fn(&PriceCut) -> f64| Signal::derive(move || cut.with(|c| c.as_ref().ok().map(f)));
    let steps = Signal::derive(move || {
        let c = money_format();
        let mut steps = Vec::new();
        margin.with(|x| x.iter().for_each(|x| steps.extend(x.steps(c))));
        even.with(|x| x.iter().for_each(|x| steps.extend(x.steps(c))));
        cut.with(|x| x.iter().for_each(|x| steps.extend(x.steps(c))));
        floor.with(|x| x.iter().for_each(|x| steps.extend(x.steps(c))));
        markup.with(|x| x.iter().for_each(|x| steps.extend(x.steps(c))));
        steps
    });
    let use_training = move |_| {
        if let Some(cost) = training_cost.get_untracked() {
            i.fixed.text.set(as_field_text(cost));
        }
    };
    let use_serving = move |_| {
        if let Some(cost) = serving_cost.get_untracked() {
            i.mc.text.set(format!("{cost}"));
        }
    };

    // The buttons copy from the training and serving cards; where the page is embedded without
    // a card, its figure is one the reader cannot see, so its button is left out.
    let training_shown = shows(Part::TrainingCost);
    let serving_shown = shows(Part::ServingCost);

    view! {
        <article class="cost-card" id="pricewar-card" aria-labelledby="pricewar-title">
            <h3 id="pricewar-title"><T zh="价格战" en="Price war" /></h3>
            <Formula
                zh="保本销量 = F ÷ (P − MC)；降价后销量 Q₁ = Q₀ × (P₁ ÷ P₀)^−|ε|；伯特兰底价 P = MC；加成定价 P = MC ÷ (1 − 1/|ε|)"
                en="break-even volume = F ÷ (P − MC); volume after a cut Q₁ = Q₀ × (P₁ ÷ P₀)^−|ε|; Bertrand floor P = MC; markup rule P = MC ÷ (1 − 1/|ε|)"
            />
            <p class="muted">
                <T
                    zh="“单位”指价格所对应的数量，例如每百万 token；所有金额按同一货币计。"
                    en="A unit is whatever the price is quoted per, e.g. 1M tokens; all amounts in one currency."
                />
            </p>
            <NumberField id="pricewar-fixed" label_zh="固定成本 F" label_en="Fixed cost F" input=i.fixed />
            {training_shown.then(|| view! {
                <button type="button" id="pricewar-use-training" on:click=use_training disabled=move || training_cost.get().is_none()>
                    <T zh="填入训练成本" en="Use training cost" />
                </button>
            })}
            <NumberField id="pricewar-mc" label_zh="每单位边际成本 MC" label_en="Marginal cost per unit MC" input=i.mc />
            {serving_shown.then(|| view! {
                <button type="button" id="pricewar-use-serving" on:click=use_serving disabled=move || serving_cost.get().is_none()>
                    <T zh="填入推理成本（每百万输出 token）" en="Use serving cost (per 1M output tokens)" />
                </button>
            })}
            <NumberField id="pricewar-price" label_zh="每单位价格 P₀" label_en="Price per unit P₀" input=i.price />
            <div class="results" aria-live="polite">
                <Out id="pricewar-margin-out" label_zh="单位边际贡献" label_en="Contribution margin per unit" value=Signal::derive(move || margin.with(|m| m.as_ref().ok().map(|m| m.margin_per_unit))) kind=Kind::Money />
                <Out id="pricewar-margin-ratio-out" label_zh="边际贡献率" label_en="Contribution margin ratio" value=Signal::derive(move || margin.with(|m| m.as_ref().ok().map(|m| m.margin_ratio))) kind=Kind::Percent />
                <Out id="pricewar-breakeven-out" label_zh="保本销量" label_en="Break-even volume" value=Signal::derive(move || even.with(|m| m.as_ref().ok().map(|m| m.break_even_units))) kind=Kind::Number unit_zh="单位" unit_en="units" />
                <Out id="pricewar-breakeven-revenue-out" label_zh="保本收入" label_en="Break-even revenue" value=Signal::derive(move || even.with(|m| m.as_ref().ok().map(|m| m.break_even_revenue))) kind=Kind::Money />
                <ErrorLine id="pricewar-breakeven-error" error=error_of(even) />
            </div>
            <h4><T zh="降价情景" en="Price-cut scenario" /></h4>
            <NumberField id="pricewar-volume" label_zh="当前每期销量 Q₀" label_en="Units sold per period Q₀" input=i.volume />
            <NumberField id="pricewar-new-price" label_zh="降价后价格 P₁" label_en="New price P₁" input=i.new_price />
            <NumberField id="pricewar-elasticity" label_zh="需求价格弹性 ε" label_en="Price elasticity of demand ε" input=i.elasticity />
            <div class="results" aria-live="polite">
                <Out id="pricewar-volume-after-out" label_zh="降价后销量 Q₁" label_en="Volume after Q₁" value=pick(|c| c.after.volume) kind=Kind::Number unit_zh="单位" unit_en="units" />
                <Out id="pricewar-revenue-before-out" label_zh="降价前收入" label_en="Revenue before" value=pick(|c| c.before.revenue) kind=Kind::Money />
                <Out id="pricewar-revenue-after-out" label_zh="降价后收入" label_en="Revenue after" value=pick(|c| c.after.revenue) kind=Kind::Money />
                <Out id="pricewar-profit-before-out" label_zh="降价前利润" label_en="Profit before" value=pick(|c| c.before.profit) kind=Kind::Money />
                <Out id="pricewar-profit-after-out" label_zh="降价后利润" label_en="Profit after" value=pick(|c| c.after.profit) kind=Kind::Money />
                <ErrorLine id="pricewar-cut-error" error=error_of(cut) />
            </div>
            <ProfitChart cut=cut markup=markup />
            <h4><T zh="底价与加成定价" en="Floor and markup" /></h4>
            <div class="results" aria-live="polite">
                <Out id="pricewar-floor-out" label_zh="伯特兰底价 P = MC" label_en="Bertrand floor P = MC" value=Signal::derive(move || floor.with(|m| m.as_ref().ok().map(|m| m.price))) kind=Kind::Money />
                <Out id="pricewar-floor-profit-out" label_zh="底价下的利润" label_en="Profit at the floor" value=Signal::derive(move || floor.with(|m| m.as_ref().ok().map(|m| m.profit))) kind=Kind::Money />
                <Out id="pricewar-markup-out" label_zh="加成定价" label_en="Markup-rule price" value=Signal::derive(move || markup.with(|m| m.as_ref().ok().map(|m| m.price))) kind=Kind::Money />
                <ErrorLine id="pricewar-markup-error" error=error_of(markup) />
            </div>
            <Derivation id="pricewar-steps" steps=steps />
        </article>
    }
}
