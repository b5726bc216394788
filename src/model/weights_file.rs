//! The trained weights as a file a reader can keep and load again, so that a model can be used
//! (to classify a drawn digit) without training it again.
//!
//! Format, version 1 (all integers and floats little-endian; docs/WEIGHTS.md says the same):
//!
//! | bytes | what |
//! |---|---|
//! | 4 | magic `PWLW` (Price War Lab weights) |
//! | 4 | version, `u32` = 1 |
//! | 4 | number of layer sizes L, `u32` (3 for this MLP) |
//! | 4 × L | layer sizes, `u32` each: 784, 128, 10 |
//! | 4 × N | the parameters, `f32` each, in the model's flat layout `[W1 \| b1 \| W2 \| b2]`, weights `[inputs][outputs]` row-major; N = Σ (in·out + out) = 101,770 |
//! | 4 | CRC-32 (IEEE, as gzip and zlib compute it) of every byte before it |
//!
//! A file for the page's model is 407,108 bytes. Reading checks, in order: the length of the
//! header, the magic, the version, the layer sizes (they must be the page's model), the exact
//! length, the checksum, and that every value is a finite number; each failure has its own
//! message in both languages.

use thiserror::Error;

use super::{CLASSES, HIDDEN, INPUTS, layout};

/// The first four bytes of every weights file.
pub const MAGIC: [u8; 4] = *b"PWLW";
/// The version this code writes and reads.
pub const VERSION: u32 = 1;
/// The layer sizes of the page's model, as the file stores them.
pub const LAYER_SIZES: [u32; 3] = [INPUTS as u32, HIDDEN as u32, CLASSES as u32];
/// A layer count above this is not a plausible MLP; the file is refused as damaged.
const MAX_LAYERS: u32 = 64;

/// Bytes before the parameters: magic, version, layer count, layer sizes.
const HEADER_BYTES: usize = 4 + 4 + 4 + 4 * LAYER_SIZES.len();
/// Bytes of a whole file for the page's model.
pub const FILE_BYTES: usize = HEADER_BYTES + 4 * layout::LEN + 4;

/// Why a file cannot be read as the page's weights.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum WeightsFileError {
    /// Shorter than any header.
    #[error("the file has {len} bytes, too few for a weights file (at least {HEADER_BYTES})")]
    TooShort { len: usize },
    /// Does not start with [`MAGIC`].
    #[error("this is not a Price War Lab weights file (it does not start with 'PWLW')")]
    BadMagic,
    /// A version this code does not know.
    #[error("weights file version {found} is not supported; this page reads version {VERSION}")]
    UnsupportedVersion { found: u32 },
    /// Weights of a different network.
    #[error("the file holds an MLP with layers {found}, but this page's model is 784-128-10")]
    WrongSizes { found: String },
    /// The length does not match the layer sizes: cut off, or with bytes added.
    #[error(
        "the file has {found} bytes but weights for 784-128-10 take {expected}: it is cut off or damaged"
    )]
    WrongLength { expected: usize, found: usize },
    /// The checksum does not match: some bytes changed.
    #[error(
        "the file's checksum does not match (stored {stored:08x}, computed {computed:08x}): it is damaged"
    )]
    Checksum { stored: u32, computed: u32 },
    /// A parameter is NaN or infinite.
    #[error("parameter {index} is not a finite number: these weights cannot classify anything")]
    NotFinite { index: usize },
    /// A parameter so large that no training run made it, and the forward pass would overflow.
    #[error(
        "parameter {index} is {value:e}, beyond ±{MAX_MAGNITUDE:e}: no training run makes such weights, and they would overflow"
    )]
    TooLarge { index: usize, value: f32 },
    /// Asked to save a parameter array of the wrong length.
    #[error("{found} parameters given, the model has {expected}")]
    WrongCount { expected: usize, found: usize },
}

impl WeightsFileError {
    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::TooShort { len } => {
                format!("文件只有 {len} 字节，太短，不是权重文件（至少 {HEADER_BYTES} 字节）。")
            }
            Self::BadMagic => "这不是价格战实验室的权重文件（开头不是 “PWLW”）。".to_owned(),
            Self::UnsupportedVersion { found } => {
                format!("不支持第 {found} 版权重文件；本页只能读取第 {VERSION} 版。")
            }
            Self::WrongSizes { found } => {
                format!("文件里是层宽为 {found} 的 MLP，而本页的模型是 784-128-10。")
            }
            Self::WrongLength { expected, found } => format!(
                "文件有 {found} 字节，而 784-128-10 的权重应有 {expected} 字节：文件不完整或已损坏。"
            ),
            Self::Checksum { .. } => "文件校验和不符：内容已损坏。".to_owned(),
            Self::NotFinite { index } => {
                format!("第 {index} 个参数不是有限数（NaN 或无穷大），这组权重无法使用。")
            }
            Self::TooLarge { index, value } => format!(
                "第 {index} 个参数为 {value:e}，超出 ±{MAX_MAGNITUDE:e}：训练不会得到这样的权重，用它计算会溢出。"
            ),
            Self::WrongCount { expected, found } => {
                format!("给出了 {found} 个参数，模型需要 {expected} 个。")
            }
        }
    }

    /// The message in English (the `Display` text).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

/// The largest parameter magnitude a file may hold. With every |weight| and |bias| at most this,
/// a hidden unit is at most 785 × 10⁴ in size and a logit at most 129 × 7.9 × 10⁶ × 10⁴ ≈ 10¹³,
/// so the forward pass and its softmax stay finite in f32 (at most 3.4 × 10³⁸). Trained weights
/// of this model are below 10 in size.
pub const MAX_MAGNITUDE: f32 = 1e4;

/// Refuses parameters that are not finite or larger than [`MAX_MAGNITUDE`].
fn check_values(params: &[f32]) -> Result<(), WeightsFileError> {
    for (index, &value) in params.iter().enumerate() {
        if !value.is_finite() {
            return Err(WeightsFileError::NotFinite { index });
        }
        if value.abs() > MAX_MAGNITUDE {
            return Err(WeightsFileError::TooLarge { index, value });
        }
    }
    Ok(())
}

/// CRC-32 (IEEE) of `bytes`.
pub fn checksum(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}

/// Writes `params` (flat layout, [`layout::LEN`] long, all finite) as a weights file.
pub fn encode(params: &[f32]) -> Result<Vec<u8>, WeightsFileError> {
    if params.len() != layout::LEN {
        return Err(WeightsFileError::WrongCount {
            expected: layout::LEN,
            found: params.len(),
        });
    }
    check_values(params)?;

    let mut bytes = Vec::with_capacity(FILE_BYTES);
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&(LAYER_SIZES.len() as u32).to_le_bytes());
    for size in LAYER_SIZES {
        bytes.extend_from_slice(&size.to_le_bytes());
    }
    for p in params {
        bytes.extend_from_slice(&p.to_le_bytes());
    }
    let crc = checksum(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    Ok(bytes)
}

/// Reads a weights file for the page's model: the parameters in the flat layout.
pub fn decode(bytes: &[u8]) -> Result<Vec<f32>, WeightsFileError> {
    let u32_at = |at: usize| -> Option<u32> {
        let word = bytes.get(at..at + 4)?;
        Some(u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
    };
    let too_short = WeightsFileError::TooShort { len: bytes.len() };
    if bytes.len() < 12 {
        return Err(too_short);
    }
    if bytes[..4] != MAGIC {
        return Err(WeightsFileError::BadMagic);
    }
    let version = u32_at(4).ok_or(too_short.clone())?;
    if version != VERSION {
        return Err(WeightsFileError::UnsupportedVersion { found: version });
    }
    let layers = u32_at(8).ok_or(too_short.clone())?;
    if layers > MAX_LAYERS {
        return Err(WeightsFileError::WrongSizes {
            found: format!("({layers} layers)"),
        });
    }
    let sizes: Vec<u32> = (0..layers as usize)
        .map(|k| u32_at(12 + 4 * k))
        .collect::<Option<_>>()
        .ok_or(too_short)?;
    if sizes != LAYER_SIZES {
        let found = sizes
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join("-");
        return Err(WeightsFileError::WrongSizes { found });
    }
    if bytes.len() != FILE_BYTES {
        return Err(WeightsFileError::WrongLength {
            expected: FILE_BYTES,
            found: bytes.len(),
        });
    }

    let (body, stored) = bytes.split_at(FILE_BYTES - 4);
    let stored = u32::from_le_bytes([stored[0], stored[1], stored[2], stored[3]]);
    let computed = checksum(body);
    if stored != computed {
        return Err(WeightsFileError::Checksum { stored, computed });
    }
    let params: Vec<f32> = body[HEADER_BYTES..]
        .chunks_exact(4)
        .map(|w| f32::from_le_bytes([w[0], w[1], w[2], w[3]]))
        .collect();
    check_values(&params)?;
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::init_params;

    /// Puts the checksum back after a test edits a file, so that the edit itself is what the
    /// reader meets.
    fn reseal(bytes: &mut [u8]) {
        let end = bytes.len() - 4;
        let crc = checksum(&bytes[..end]);
        bytes[end..].copy_from_slice(&crc.to_le_bytes());
    }

    #[test]
    fn weights_survive_a_round_trip_bit_for_bit() {
        let params = init_params(7);
        let bytes = encode(&params).unwrap();
        assert_eq!(bytes.len(), FILE_BYTES);
        assert_eq!(FILE_BYTES, 407_108);
        assert_eq!(&bytes[..4], b"PWLW");
        let back = decode(&bytes).unwrap();
        assert_eq!(
            back.iter().map(|p| p.to_bits()).collect::<Vec<_>>(),
            params.iter().map(|p| p.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn finite_but_huge_weights_are_refused_and_the_bound_keeps_the_forward_pass_finite() {
        let mut params = init_params(3);
        params[5] = 3e38;
        let mut bytes = encode(&init_params(3)).unwrap();
        let at = bytes.len() - 4 - (layout::LEN - 5) * 4;
        bytes[at..at + 4].copy_from_slice(&3e38f32.to_le_bytes());
        reseal(&mut bytes);
        assert!(matches!(
            decode(&bytes),
            Err(WeightsFileError::TooLarge { index: 5, .. })
        ));
        assert!(matches!(
            encode(&params),
            Err(WeightsFileError::TooLarge { index: 5, .. })
        ));
        // At the bound everywhere, the largest possible logits are still finite.
        let extreme = vec![MAX_MAGNITUDE; layout::LEN];
        let back = decode(&encode(&extreme).unwrap()).unwrap();
        let image = [255u8; crate::mnist::IMAGE_BYTES];
        let probabilities = crate::model::predict::probabilities(&back, &image);
        assert!(
            probabilities.iter().all(|p| p.is_finite()),
            "{probabilities:?}"
        );
    }

    #[test]
    fn a_truncated_file_is_refused() {
        let bytes = encode(&init_params(1)).unwrap();
        for len in [0, 3, 11, 20, HEADER_BYTES, FILE_BYTES / 2, FILE_BYTES - 1] {
            let error = decode(&bytes[..len]).unwrap_err();
            assert!(
                matches!(
                    error,
                    WeightsFileError::TooShort { .. } | WeightsFileError::WrongLength { .. }
                ),
                "{len} bytes: {error:?}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            decode(&longer).unwrap_err(),
            WeightsFileError::WrongLength {
                expected: FILE_BYTES,
                found: FILE_BYTES + 1
            }
        );
    }

    #[test]
    fn weights_of_another_network_are_refused_by_their_sizes() {
        let mut bytes = encode(&init_params(1)).unwrap();
        bytes[16..20].copy_from_slice(&64u32.to_le_bytes());
        reseal(&mut bytes);
        let error = decode(&bytes).unwrap_err();
        assert_eq!(
            error,
            WeightsFileError::WrongSizes {
                found: "784-64-10".to_owned()
            }
        );
        assert!(error.message_en().contains("784-64-10"));
        assert!(error.message_zh().contains("784-64-10"));

        let mut bytes = encode(&init_params(1)).unwrap();
        bytes[8..12].copy_from_slice(&2u32.to_le_bytes());
        assert!(matches!(
            decode(&bytes),
            Err(WeightsFileError::WrongSizes { .. })
        ));
        bytes[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            decode(&bytes),
            Err(WeightsFileError::WrongSizes { .. })
        ));
    }

    #[test]
    fn nan_and_infinite_values_are_refused_on_save_and_on_load() {
        let mut params = init_params(1);
        params[5] = f32::NAN;
        assert_eq!(
            encode(&params).unwrap_err(),
            WeightsFileError::NotFinite { index: 5 }
        );

        let mut bytes = encode(&init_params(1)).unwrap();
        let at = HEADER_BYTES + 4 * 1000;
        bytes[at..at + 4].copy_from_slice(&f32::INFINITY.to_le_bytes());
        reseal(&mut bytes);
        assert_eq!(
            decode(&bytes).unwrap_err(),
            WeightsFileError::NotFinite { index: 1000 }
        );
    }

    #[test]
    fn a_changed_byte_fails_the_checksum() {
        let mut bytes = encode(&init_params(1)).unwrap();
        bytes[HEADER_BYTES + 123] ^= 0x10;
        assert!(matches!(
            decode(&bytes),
            Err(WeightsFileError::Checksum { .. })
        ));
    }

    #[test]
    fn other_files_are_told_apart_from_weights_files() {
        let mut bytes = encode(&init_params(1)).unwrap();
        bytes[..4].copy_from_slice(b"\x1f\x8b\x08\x00");
        assert_eq!(decode(&bytes).unwrap_err(), WeightsFileError::BadMagic);

        let mut bytes = encode(&init_params(1)).unwrap();
        bytes[4..8].copy_from_slice(&2u32.to_le_bytes());
        assert_eq!(
            decode(&bytes).unwrap_err(),
            WeightsFileError::UnsupportedVersion { found: 2 }
        );
        assert_eq!(
            encode(&[0.0; 3]).unwrap_err(),
            WeightsFileError::WrongCount {
                expected: layout::LEN,
                found: 3
            }
        );
    }

    #[test]
    fn the_checksum_is_the_standard_crc_32() {
        // The CRC-32 check value of "123456789" (IEEE 802.3 / zlib).
        assert_eq!(checksum(b"123456789"), 0xCBF4_3926);
    }
}
