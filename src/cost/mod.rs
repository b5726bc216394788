//! Cost and value formulas: the article's own, and the cost model grown from them.

pub mod accelerators;
pub mod article;
pub mod curves;
pub mod error;
pub mod format;
pub mod input;
pub mod measured;
pub mod parallel;
pub mod price_war;
pub mod serving;
pub mod training;
pub mod units;
