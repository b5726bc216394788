//! Price War Lab: the article's cost and value formulas as calculators, and its MNIST MLP
//! trained on the reader's own hardware (WebGPU in the browser, wgpu natively, or the CPU).
//!
//! The numerical core (`cost`, `mnist`, `model`, `train`) has no web dependency and is tested
//! natively; `ui` is a thin Leptos layer over it, compiled only for the browser.

pub mod chart;
pub mod cost;
pub mod embed;
pub mod export;
pub mod lang;
pub mod mnist;
pub mod model;
pub mod rng;
pub mod train;

#[cfg(target_arch = "wasm32")]
pub mod ui;
