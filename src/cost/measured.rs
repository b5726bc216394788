//! The link between the trainer and the cost model: a run measured on the reader's own device
//! turned into the article's η and E, the MFU it implies against a chosen peak, and what a
//! larger training job would take and cost at the same speed.

use super::article::{algorithm_efficiency, resource_utilisation};
use super::error::{self, CostError};
use super::format::{MoneyFormat, Step, format_number};
use super::units::{SECONDS_PER_DAY, SECONDS_PER_HOUR};

/// What a finished training run measured, in the units the cost model uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasuredRun {
    /// Training FLOPs the run did: exact model FLOPs per sample × samples.
    pub total_flops: f64,
    /// Wall time of the training steps, seconds (test evaluation not counted).
    pub train_time_s: f64,
    /// Devices the run used (1 in the browser).
    pub devices: f64,
}

/// The run seen through the cost model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// FLOPs per second achieved on one device: total FLOPs ÷ (time × devices).
    pub achieved_flop_per_s: f64,
    /// The article's η = T / R (§4.1.1), with T in seconds and R in devices.
    pub utilisation: f64,
    /// The article's E = R / T (§4.1.2).
    pub efficiency: f64,
}

/// Achieved FLOP/s, η and E of a measured run.
pub fn measured(run: &MeasuredRun) -> Result<Measured, CostError> {
    let flops = error::positive("total_flops", run.total_flops)?;
    let time_s = error::positive("train_time_s", run.train_time_s)?;
    let devices = error::positive("devices", run.devices)?;
    Ok(Measured {
        achieved_flop_per_s: error::finite("achieved FLOP/s", flops / (time_s * devices))?,
        // Inputs are checked above, so the article's formulas can only fail by overflowing.
        utilisation: resource_utilisation(time_s, devices)
            .map_err(|_| CostError::OutOfRange { quantity: "η" })?,
        efficiency: algorithm_efficiency(devices, time_s)
            .map_err(|_| CostError::OutOfRange { quantity: "E" })?,
    })
}

/// Model FLOPs utilisation of the measured speed against one device's dense peak:
/// MFU = achieved FLOP/s ÷ peak FLOP/s (Chowdhery et al., PaLM, 2022). Above 1 means the peak
/// chosen is not this device's, and is refused.
pub fn measured_mfu(achieved_flop_per_s: f64, peak_flop_per_s: f64) -> Result<f64, CostError> {
    let achieved = error::positive("achieved_flop_per_s", achieved_flop_per_s)?;
    let peak = error::positive("peak_flop_per_s", peak_flop_per_s)?;
    error::positive_fraction("mfu", achieved / peak)
}

/// A training job of `total_flops` run at a measured speed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    pub total_flops: f64,
    pub achieved_flop_per_s: f64,
    pub devices: f64,
    pub price_per_device_hour: f64,
    /// Wall-clock time: FLOPs ÷ (achieved FLOP/s × devices), seconds.
    pub wall_clock_s: f64,
    /// The same in days.
    pub wall_clock_days: f64,
    /// Device-hours: wall-clock hours × devices.
    pub device_hours: f64,
    /// Device-hours × price per device-hour.
    pub cost: f64,
}

/// What `total_flops` of training would take on `devices` devices that each run at the
/// measured speed (perfect scaling assumed; the data-parallel section says what it costs).
pub fn project(
    total_flops: f64,
    achieved_flop_per_s: f64,
    devices: f64,
    price_per_device_hour: f64,
) -> Result<Projection, CostError> {
    let total_flops = error::positive("total_flops", total_flops)?;
    let achieved = error::positive("achieved_flop_per_s", achieved_flop_per_s)?;
    let devices = error::positive("devices", devices)?;
    let price = error::non_negative("price_per_device_hour", price_per_device_hour)?;
    let wall_clock_s = error::finite("wall-clock time", total_flops / (achieved * devices))?;
    let device_hours = error::finite("device-hours", wall_clock_s / SECONDS_PER_HOUR * devices)?;
    Ok(Projection {
        total_flops,
        achieved_flop_per_s: achieved,
        devices,
        price_per_device_hour: price,
        wall_clock_s,
        wall_clock_days: wall_clock_s / SECONDS_PER_DAY,
        device_hours,
        cost: error::finite("cost", device_hours * price)?,
    })
}

impl Projection {
    /// How each figure was derived, for the page.
    pub fn steps(&self, money: MoneyFormat) -> Vec<Step> {
        let n = format_number;
        vec![
            Step {
                label_en: "Wall-clock time at the measured speed",
                label_zh: "按实测速度的训练时间",
                formula: "FLOPs ÷ (achieved FLOP/s × devices) ÷ 86,400",
                formula_zh: "计算量 ÷（实测 FLOP/s × 设备数）÷ 86,400",
                substituted: format!(
                    "{} ÷ ({} × {}) ÷ 86,400",
                    n(self.total_flops),
                    n(self.achieved_flop_per_s),
                    n(self.devices)
                ),
                result: n(self.wall_clock_days),
                unit_en: "days",
                unit_zh: "天",
            },
            Step {
                label_en: "Device-hours",
                label_zh: "设备小时",
                formula: "wall-clock hours × devices",
                formula_zh: "训练小时 × 设备数",
                substituted: format!(
                    "{} × {}",
                    n(self.wall_clock_s / SECONDS_PER_HOUR),
                    n(self.devices)
                ),
                result: n(self.device_hours),
                unit_en: "device-hours",
                unit_zh: "设备小时",
            },
            Step {
                label_en: "Cost",
                label_zh: "成本",
                formula: "device-hours × price per device-hour",
                formula_zh: "设备小时 × 每设备小时价格",
                substituted: format!(
                    "{} × {}",
                    n(self.device_hours),
                    money.amount(self.price_per_device_hour)
                ),
                result: money.amount(self.cost),
                unit_en: "",
                unit_zh: "",
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::units::Currency;

    #[test]
    fn one_device_run_gives_eta_e_and_achieved_flops() {
        // 8,000 samples × 409,088 FLOPs (the article's MLP, src/model) in 2 s on one device.
        let run = MeasuredRun {
            total_flops: 8_000.0 * 409_088.0,
            train_time_s: 2.0,
            devices: 1.0,
        };
        let m = measured(&run).unwrap();
        assert!((m.achieved_flop_per_s - 1_636_352_000.0).abs() < 1e-3);
        assert_eq!(m.utilisation, 2.0);
        assert_eq!(m.efficiency, 0.5);
    }

    #[test]
    fn mfu_against_a_peak_and_a_peak_below_the_measurement_is_refused() {
        // 1.56e12 FLOP/s against the A100's 312e12 bf16 peak (NVIDIA datasheet) is 0.5%.
        let mfu = measured_mfu(1.56e12, 312e12).unwrap();
        assert!((mfu - 0.005).abs() < 1e-12);
        assert!(measured_mfu(2e12, 1e12).is_err());
        assert!(measured_mfu(0.0, 1e12).is_err());
    }

    #[test]
    fn projection_of_a_large_run_at_the_measured_speed() {
        // 6·N·D for N = 7e9, D = 1e12 is 4.2e22 FLOPs; at 1e12 FLOP/s on 1,000 devices that is
        // 4.2e7 s = 486.1 days and 1.1667e7 device-hours; at $2 per device-hour, $2.333e7.
        let p = project(4.2e22, 1e12, 1000.0, 2.0).unwrap();
        assert!((p.wall_clock_s - 4.2e7).abs() / 4.2e7 < 1e-12);
        assert!((p.wall_clock_days - 4.2e7 / 86_400.0).abs() < 1e-6);
        assert!((p.device_hours - 4.2e10 / 3600.0).abs() / p.device_hours < 1e-12);
        assert!((p.cost - 2.0 * 4.2e10 / 3600.0).abs() / p.cost < 1e-12);
        assert_eq!(p.steps(MoneyFormat::en(Currency::Usd)).len(), 3);
    }

    #[test]
    fn bad_inputs_give_errors_not_nan() {
        assert!(project(0.0, 1e12, 1.0, 1.0).is_err());
        assert!(project(1e20, 0.0, 1.0, 1.0).is_err());
        assert!(project(1e20, 1e12, 0.0, 1.0).is_err());
        assert!(project(1e20, 1e12, 1.0, -1.0).is_err());
        assert!(project(f64::MAX, 1e-300, 1.0, 1.0).is_err());
        assert!(
            measured(&MeasuredRun {
                total_flops: 1.0,
                train_time_s: 0.0,
                devices: 1.0
            })
            .is_err()
        );
    }
}
