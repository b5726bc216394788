//! The cost model as reactive forms: training cost, serving cost and the price war, over the
//! pure formulas in [`crate::cost`]. Every input lives in the page's URL ([`url_state`]).
//!
//! Element ids are the browser test's contract: inputs `<section>-<field>`, outputs
//! `<section>-<name>-out` carrying `data-value` (the raw `f64`) only when they show a number.
//!
//! [`url_state`]: crate::ui::url_state

pub mod charts;
pub mod hardware;
pub mod measured;
pub mod price_war;
pub mod serving;
pub mod training;
pub mod widgets;

use std::sync::Arc;

use leptos::prelude::*;

use crate::cost::units::Currency;
use crate::ui::embed::{Part, embedded, shows};
use crate::ui::i18n::{T, tr};
use crate::ui::keep::KeptInputs;
use crate::ui::url_state::{Param, UrlNotice, UrlState, apply_preset};
use measured::MeasuredPanel;
use price_war::{PriceWarInputs, PriceWarSection};
use serving::{ServingInputs, ServingSection, serving_results};
use training::{TrainingInputs, TrainingSection, training_results};
use widgets::{Choice, CurrencyCtx, SelectField};

/// GPT-3-like run: 175e9 parameters, 300e9 tokens (Brown et al. 2020, table D.1: 3.14e23
/// FLOPs). GPT-3 trained on V100s, which the table lacks, so this uses A100 BF16 at an assumed
/// MFU of 0.3, 1,024 GPUs at an assumed $2 per GPU-hour; serving with 96 layers × 96 heads ×
/// 128 dims in BF16 (4,718,592 KV bytes per token) on 8 A100s.
const GPT3_LIKE: &[(&str, &str)] = &[
    ("training-mode", "6nd"),
    ("training-params", "175e9"),
    ("training-tokens", "300e9"),
    ("training-accelerator", "a100-sxm"),
    ("training-precision", "bf16"),
    ("training-mfu", "0.3"),
    ("training-gpus", "1024"),
    ("training-price", "2"),
    ("training-link", "nvlink3"),
    ("training-step-tokens", "4096"),
    ("serving-params", "175e9"),
    ("serving-kv-bytes", "4718592"),
    ("serving-layers", "96"),
    ("serving-kv-heads", "96"),
    ("serving-head-dim", "128"),
    ("serving-gpus", "8"),
    ("serving-batch", "8"),
    ("serving-accelerator", "a100-sxm"),
];

/// Llama-2-70B-like run: 70e9 parameters, 2e12 tokens on A100 80GB at BF16 (Llama 2 model
/// card: 1,720,320 GPU-hours for 70B, i.e. MFU ≈ 0.435 at 312 TFLOP/s), 2,048 GPUs and an
/// assumed $2 per GPU-hour; serving with 80 layers × 8 KV heads × 128 dims in BF16 (327,680 KV
/// bytes per token, grouped-query attention) on 4 A100s.
const LLAMA2_70B_LIKE: &[(&str, &str)] = &[
    ("training-mode", "6nd"),
    ("training-params", "70e9"),
    ("training-tokens", "2e12"),
    ("training-accelerator", "a100-sxm"),
    ("training-precision", "bf16"),
    ("training-mfu", "0.435"),
    ("training-gpus", "2048"),
    ("training-price", "2"),
    ("training-link", "nvlink3"),
    ("training-step-tokens", "4096"),
    ("serving-params", "70e9"),
    ("serving-kv-bytes", "327680"),
    ("serving-layers", "80"),
    ("serving-kv-heads", "8"),
    ("serving-head-dim", "128"),
    ("serving-gpus", "4"),
    ("serving-batch", "32"),
    ("serving-accelerator", "a100-sxm"),
];

/// The cost-model section: presets, currency, and the three calculators.
#[component]
pub fn CostModel() -> impl IntoView {
    let mut url = UrlState::from_location();
    let currency_code = url.text("costmodel-currency", Currency::Usd.code(), |c| {
        Currency::from_code(c).is_some_and(|x| x.code() == c)
    });
    let training = TrainingInputs::new(&mut url);
    let serving = ServingInputs::new(&mut url);
    let price_war = PriceWarInputs::new(&mut url);
    let (params, notices): (Arc<Vec<Param>>, _) = url.sync();
    if let Some(kept) = use_context::<KeptInputs>() {
        kept.register(&params);
    }
    // Embedded, the page shows one card (or the whole model) and nothing about the trainer.
    let whole = shows(Part::CostModel);
    let page = embedded().is_none();

    let currency =
        Memo::new(move |_| Currency::from_code(&currency_code.get()).unwrap_or_default());
    provide_context(CurrencyCtx(currency));
    let training_out = training_results(training);
    let serving_out = serving_results(serving);

    let preset = move |overrides: &'static [(&'static str, &'static str)]| {
        let params = Arc::clone(&params);
        move |_| apply_preset(&params, overrides)
    };
    let currency_choices = Currency::ALL
        .iter()
        .map(|c| {
            let (zh, en) = currency_names(*c);
            Choice::new(
                c.code(),
                format!("{} {zh}（{}）", c.symbol(), c.code()),
                format!("{} {en} ({})", c.symbol(), c.code()),
            )
        })
        .collect();

    view! {
        <section id="cost-model" aria-labelledby="cost-model-title">
            <h2 id="cost-model-title">
                <T zh="成本模型" en="Cost model" />
            </h2>
            <p class="lead">
                <T
                    zh="从训练、推理到定价，每个结果都列出公式和代入的数字。所有输入都保存在网址里，复制链接即可重现本页。"
                    en="From training to serving to pricing: every result lists its formula with \
                        the numbers put in. Every input is kept in the page's URL, so a copied link \
                        reproduces the page."
                />
            </p>
            <UrlNotice group="costmodel" notices=notices />
            {page.then(|| view! { <MeasuredPanel inputs=training results=training_out /> })}
            {whole.then(|| view! {
            <div class="presets" role="group" aria-label=tr("预设", "Presets")>
                <button type="button" id="costmodel-preset-article" on:click=preset(&[])>
                    <T zh="文章示例" en="Article example" />
                </button>
                <button type="button" id="costmodel-preset-gpt3" on:click=preset(GPT3_LIKE)>
                    <T zh="GPT-3 量级" en="GPT-3-like" />
                </button>
                <button type="button" id="costmodel-preset-llama2" on:click=preset(LLAMA2_70B_LIKE)>
                    <T zh="Llama-2-70B 量级" en="Llama-2-70B-like" />
                </button>
            </div>
            <p class="muted">
                <T
                    zh="文章示例：原文 §5.2 的 MLP（784-128-10，MNIST 的 60,000 张训练图，5 轮），单块 RTX 4090、FP32、MFU 0.3、每 GPU 小时 $0.5；推理为 7B 模型；价格战为保本例 F = 300,000、P = 10、MC = 6。GPT-3 量级按 A100 BF16、假设 MFU 0.3 计算（表中没有 V100）；Llama-2-70B 量级采用模型卡给出的 MFU 0.435。"
                    en="Article example: the article's §5.2 MLP (784-128-10, MNIST's 60,000 \
                        training images, 5 epochs) on one RTX 4090 in FP32 at MFU 0.3 and $0.5 per \
                        GPU-hour; a 7B model for serving; the break-even example F = 300,000, \
                        P = 10, MC = 6. GPT-3-like runs on A100 BF16 at an assumed MFU of 0.3 (the \
                        table has no V100); Llama-2-70B-like uses the model card's MFU 0.435."
                />
            </p>
            <SelectField
                id="costmodel-currency"
                label_zh="货币（仅改符号，不换算）"
                label_en="Currency (display only, not converted)"
                choices=currency_choices
                value=currency_code
            />
            })}
            <div class="cost-cards">
                {shows(Part::TrainingCost)
                    .then(|| view! { <TrainingSection inputs=training results=training_out /> })}
                {shows(Part::ServingCost)
                    .then(|| view! { <ServingSection inputs=serving results=serving_out /> })}
                {shows(Part::PriceWar)
                    .then(|| {
                        view! {
                            <PriceWarSection
                                inputs=price_war
                                training_cost=training_out.cost
                                serving_cost=serving_out.output_cost
                            />
                        }
                    })}
            </div>
        </section>
    }
}

/// A currency's name in Chinese and in English, for the currency select.
fn currency_names(currency: Currency) -> (&'static str, &'static str) {
    match currency {
        Currency::Usd => ("美元", "US dollar"),
        Currency::Cny => ("人民币", "Chinese yuan"),
        Currency::Eur => ("欧元", "euro"),
    }
}
