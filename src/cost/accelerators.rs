//! Accelerators and interconnects with their datasheet figures.
//!
//! Every FLOP/s figure is the **dense** peak (no structured sparsity). Where a datasheet prints
//! only the 2:4-sparsity figure (NVIDIA H100, H200, L4 mark theirs "with sparsity"), the dense
//! figure is half of it. Tensor-core figures are with FP32 accumulation, as training uses.
//! Memory sizes and bandwidths count a GB as 10⁹ bytes, as datasheets do.

use serde::{Deserialize, Serialize};

/// Number format a peak FLOP/s figure is quoted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Precision {
    /// IEEE single precision on the general-purpose cores (no tensor cores).
    Fp32,
    /// TF32 on tensor/matrix cores (FP32 range, 10-bit mantissa).
    Tf32,
    /// BF16 or FP16 on tensor/matrix cores, the usual mixed-precision training format.
    #[default]
    Bf16,
    /// FP8 (E4M3/E5M2) on tensor/matrix cores, where the hardware has it.
    Fp8,
}

impl Precision {
    /// Every precision, in the order a selector lists them.
    pub const ALL: [Precision; 4] = [
        Precision::Fp32,
        Precision::Tf32,
        Precision::Bf16,
        Precision::Fp8,
    ];

    /// Label shown in selectors: `FP32`, `TF32`, `BF16/FP16`, `FP8`.
    pub fn label(self) -> &'static str {
        match self {
            Precision::Fp32 => "FP32",
            Precision::Tf32 => "TF32",
            Precision::Bf16 => "BF16/FP16",
            Precision::Fp8 => "FP8",
        }
    }

    /// Bytes one value takes in memory: 4 (FP32 and TF32, which is stored as FP32), 2, 1.
    pub fn bytes_per_value(self) -> f64 {
        match self {
            Precision::Fp32 | Precision::Tf32 => 4.0,
            Precision::Bf16 => 2.0,
            Precision::Fp8 => 1.0,
        }
    }

    /// Short code for URLs: `fp32`, `tf32`, `bf16`, `fp8`.
    pub fn code(self) -> &'static str {
        match self {
            Precision::Fp32 => "fp32",
            Precision::Tf32 => "tf32",
            Precision::Bf16 => "bf16",
            Precision::Fp8 => "fp8",
        }
    }

    /// Reads a code written by [`Precision::code`] (case-insensitive).
    pub fn from_code(code: &str) -> Option<Precision> {
        Precision::ALL
            .into_iter()
            .find(|p| p.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// One accelerator's datasheet figures. All FLOP/s are dense peaks, per device.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Accelerator {
    /// Stable identifier for URLs: `a100-sxm`.
    pub id: &'static str,
    /// Name shown to people: `NVIDIA A100 SXM 80GB`.
    pub name: &'static str,
    /// Dense FP32 peak on the general-purpose cores, FLOP/s.
    pub fp32_flop_per_s: f64,
    /// Dense TF32 tensor peak, FLOP/s; `None` where the hardware has no TF32 path.
    pub tf32_flop_per_s: Option<f64>,
    /// Dense BF16/FP16 tensor peak, FLOP/s; `None` where the vendor publishes none.
    pub bf16_flop_per_s: Option<f64>,
    /// Dense FP8 tensor peak, FLOP/s; `None` where the hardware has no FP8 path.
    pub fp8_flop_per_s: Option<f64>,
    /// Device memory, bytes.
    pub memory_bytes: f64,
    /// Peak memory bandwidth, bytes per second.
    pub memory_bytes_per_s: f64,
    /// The document the figures come from.
    pub source: &'static str,
}

impl Accelerator {
    /// Dense peak FLOP/s at `precision`, or `None` where the device has no such path or its
    /// vendor publishes no figure.
    pub fn peak_flop_per_s(&self, precision: Precision) -> Option<f64> {
        match precision {
            Precision::Fp32 => Some(self.fp32_flop_per_s),
            Precision::Tf32 => self.tf32_flop_per_s,
            Precision::Bf16 => self.bf16_flop_per_s,
            Precision::Fp8 => self.fp8_flop_per_s,
        }
    }

    /// A device the user describes: one peak FLOP/s (used for every precision), memory size
    /// and bandwidth. Its id is [`CUSTOM_ID`].
    pub fn custom(peak_flop_per_s: f64, memory_bytes: f64, memory_bytes_per_s: f64) -> Self {
        Accelerator {
            id: CUSTOM_ID,
            name: "Custom",
            fp32_flop_per_s: peak_flop_per_s,
            tf32_flop_per_s: Some(peak_flop_per_s),
            bf16_flop_per_s: Some(peak_flop_per_s),
            fp8_flop_per_s: Some(peak_flop_per_s),
            memory_bytes,
            memory_bytes_per_s,
            source: "entered by you",
        }
    }
}

/// The id of a user-described accelerator.
pub const CUSTOM_ID: &str = "custom";

const T: f64 = 1e12;
const GB: f64 = 1e9;

/// The built-in accelerators.
pub const ACCELERATORS: [Accelerator; 7] = [
    // NVIDIA A100 Tensor Core GPU datasheet: FP32 19.5 TFLOPS, TF32 156, BF16/FP16 312 (dense;
    // 312/624 with sparsity), 80 GB HBM2e at 2,039 GB/s (SXM). No FP8.
    Accelerator {
        id: "a100-sxm",
        name: "NVIDIA A100 SXM 80GB",
        fp32_flop_per_s: 19.5 * T,
        tf32_flop_per_s: Some(156.0 * T),
        bf16_flop_per_s: Some(312.0 * T),
        fp8_flop_per_s: None,
        memory_bytes: 80.0 * GB,
        memory_bytes_per_s: 2039.0 * GB,
        source: "NVIDIA A100 Tensor Core GPU datasheet (A100 80GB SXM column)",
    },
    // NVIDIA H100 Tensor Core GPU datasheet, SXM column: FP32 67 TFLOPS; TF32 989, BF16 1,979,
    // FP8 3,958 TFLOPS "with sparsity", halved here for dense; 80 GB HBM3 at 3.35 TB/s.
    Accelerator {
        id: "h100-sxm",
        name: "NVIDIA H100 SXM 80GB",
        fp32_flop_per_s: 67.0 * T,
        tf32_flop_per_s: Some(494.5 * T),
        bf16_flop_per_s: Some(989.5 * T),
        fp8_flop_per_s: Some(1979.0 * T),
        memory_bytes: 80.0 * GB,
        memory_bytes_per_s: 3350.0 * GB,
        source: "NVIDIA H100 Tensor Core GPU datasheet (H100 SXM column; sparse figures halved)",
    },
    // NVIDIA H200 Tensor Core GPU datasheet, SXM column: same compute as H100 SXM (TF32 989,
    // BF16 1,979, FP8 3,958 TFLOPS with sparsity), 141 GB HBM3e at 4.8 TB/s.
    Accelerator {
        id: "h200",
        name: "NVIDIA H200 SXM 141GB",
        fp32_flop_per_s: 67.0 * T,
        tf32_flop_per_s: Some(494.5 * T),
        bf16_flop_per_s: Some(989.5 * T),
        fp8_flop_per_s: Some(1979.0 * T),
        memory_bytes: 141.0 * GB,
        memory_bytes_per_s: 4800.0 * GB,
        source: "NVIDIA H200 Tensor Core GPU datasheet (H200 SXM column; sparse figures halved)",
    },
    // NVIDIA Ada GPU Architecture whitepaper, GeForce RTX 4090 column: FP32 82.6 TFLOPS; tensor
    // with FP32 accumulate: TF32 82.6, BF16/FP16 165.2, FP8 330.3 (dense); 24 GB GDDR6X at
    // 1,008 GB/s.
    Accelerator {
        id: "rtx-4090",
        name: "NVIDIA GeForce RTX 4090",
        fp32_flop_per_s: 82.6 * T,
        tf32_flop_per_s: Some(82.6 * T),
        bf16_flop_per_s: Some(165.2 * T),
        fp8_flop_per_s: Some(330.3 * T),
        memory_bytes: 24.0 * GB,
        memory_bytes_per_s: 1008.0 * GB,
        source: "NVIDIA Ada Lovelace GPU architecture whitepaper (RTX 4090, FP32 accumulate)",
    },
    // NVIDIA L4 Tensor Core GPU datasheet: FP32 30.3 TFLOPS; TF32 120, BF16/FP16 242, FP8 485
    // TFLOPS with sparsity, halved here for dense; 24 GB GDDR6 at 300 GB/s.
    Accelerator {
        id: "l4",
        name: "NVIDIA L4",
        fp32_flop_per_s: 30.3 * T,
        tf32_flop_per_s: Some(60.0 * T),
        bf16_flop_per_s: Some(121.0 * T),
        fp8_flop_per_s: Some(242.5 * T),
        memory_bytes: 24.0 * GB,
        memory_bytes_per_s: 300.0 * GB,
        source: "NVIDIA L4 Tensor Core GPU datasheet (sparse figures halved)",
    },
    // AMD Instinct MI300X accelerator data sheet: FP32 163.4 TFLOPS, TF32 653.7, BF16/FP16
    // 1,307.4, FP8 2,614.9 (dense; sparsity doubles the last three); 192 GB HBM3 at 5.3 TB/s.
    Accelerator {
        id: "mi300x",
        name: "AMD Instinct MI300X",
        fp32_flop_per_s: 163.4 * T,
        tf32_flop_per_s: Some(653.7 * T),
        bf16_flop_per_s: Some(1307.4 * T),
        fp8_flop_per_s: Some(2614.9 * T),
        memory_bytes: 192.0 * GB,
        memory_bytes_per_s: 5300.0 * GB,
        source: "AMD Instinct MI300X accelerator data sheet",
    },
    // Apple M1 Max with the 32-core GPU, from Apple's announcement "Introducing M1 Pro and
    // M1 Max" (October 2021): 10.4 TFLOPS FP32, up to 64 GB unified memory at 400 GB/s. Apple
    // publishes no half-precision or tensor figure, and the GPU has no TF32 or FP8 path.
    Accelerator {
        id: "m1-max",
        name: "Apple M1 Max (32-core GPU)",
        fp32_flop_per_s: 10.4 * T,
        tf32_flop_per_s: None,
        bf16_flop_per_s: None,
        fp8_flop_per_s: None,
        memory_bytes: 64.0 * GB,
        memory_bytes_per_s: 400.0 * GB,
        source: "Apple Newsroom, \"Introducing M1 Pro and M1 Max\" (October 2021)",
    },
];

/// Finds a built-in accelerator by its id.
pub fn find_accelerator(id: &str) -> Option<&'static Accelerator> {
    ACCELERATORS.iter().find(|a| a.id == id)
}

/// A link between GPUs, for the data-parallel all-reduce. Bandwidth is per direction, since a
/// ring all-reduce sends and receives at the same time over each link.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Link {
    /// Stable identifier for URLs: `nvlink4`.
    pub id: &'static str,
    /// Name shown to people.
    pub name: &'static str,
    /// Bandwidth in one direction, bytes per second.
    pub bytes_per_s: f64,
    /// Where the figure comes from.
    pub source: &'static str,
}

/// Common GPU-to-GPU links.
pub const LINKS: [Link; 5] = [
    Link {
        id: "nvlink4",
        name: "NVLink 4 (H100/H200 SXM)",
        bytes_per_s: 450.0 * GB,
        source: "NVIDIA H100 datasheet: NVLink 900 GB/s total, both directions",
    },
    Link {
        id: "nvlink3",
        name: "NVLink 3 (A100 SXM)",
        bytes_per_s: 300.0 * GB,
        source: "NVIDIA A100 datasheet: NVLink 600 GB/s total, both directions",
    },
    Link {
        id: "pcie5",
        name: "PCIe 5.0 x16",
        bytes_per_s: 63.0 * GB,
        source: "PCI-SIG PCIe 5.0: 32 GT/s × 16 lanes, 128b/130b encoding",
    },
    Link {
        id: "pcie4",
        name: "PCIe 4.0 x16",
        bytes_per_s: 31.5 * GB,
        source: "PCI-SIG PCIe 4.0: 16 GT/s × 16 lanes, 128b/130b encoding",
    },
    Link {
        id: "ib-ndr",
        name: "InfiniBand NDR 400 Gb/s (one NIC per GPU)",
        bytes_per_s: 50.0 * GB,
        source: "InfiniBand Trade Association NDR: 400 Gb/s per port",
    },
];

/// Finds a built-in link by its id.
pub fn find_link(id: &str) -> Option<&'static Link> {
    LINKS.iter().find(|l| l.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for a in &ACCELERATORS {
            assert!(a.fp32_flop_per_s > 1e12, "{}", a.name);
            assert!(
                a.memory_bytes >= 16e9 && a.memory_bytes_per_s >= 100e9,
                "{}",
                a.name
            );
            assert!(!a.source.is_empty());
            // Lower precision is never slower where both exist.
            let peaks: Vec<f64> = Precision::ALL
                .iter()
                .filter_map(|p| a.peak_flop_per_s(*p))
                .collect();
            assert!(
                peaks.windows(2).all(|w| w[0] <= w[1]),
                "{}: {peaks:?}",
                a.name
            );
            assert_eq!(find_accelerator(a.id).map(|f| f.name), Some(a.name));
        }
        let ids: std::collections::HashSet<_> = ACCELERATORS.iter().map(|a| a.id).collect();
        assert_eq!(ids.len(), ACCELERATORS.len(), "ids are unique");
        assert!(!ids.contains(CUSTOM_ID));
    }

    #[test]
    fn datasheet_spot_checks() {
        // A100: 312 TFLOPS dense BF16 (A100 datasheet), the figure the Llama 2 golden uses.
        let a100 = find_accelerator("a100-sxm");
        assert_eq!(
            a100.and_then(|a| a.peak_flop_per_s(Precision::Bf16)),
            Some(312e12)
        );
        // H100 SXM: 1,979 TFLOPS BF16 with sparsity on the datasheet → 989.5 dense.
        let h100 = find_accelerator("h100-sxm");
        assert_eq!(
            h100.and_then(|a| a.peak_flop_per_s(Precision::Bf16)),
            Some(989.5e12)
        );
        assert_eq!(
            a100.and_then(|a| a.peak_flop_per_s(Precision::Fp8)),
            None,
            "A100 has no FP8"
        );
        assert_eq!(find_accelerator("nope"), None);
    }

    #[test]
    fn custom_uses_one_peak_everywhere() {
        let c = Accelerator::custom(100e12, 48e9, 1e12);
        for p in Precision::ALL {
            assert_eq!(c.peak_flop_per_s(p), Some(100e12));
        }
        assert_eq!(c.id, CUSTOM_ID);
    }

    #[test]
    fn codes_round_trip() {
        for p in Precision::ALL {
            assert_eq!(Precision::from_code(p.code()), Some(p));
        }
        for l in &LINKS {
            assert_eq!(find_link(l.id).map(|f| f.bytes_per_s), Some(l.bytes_per_s));
        }
    }
}
