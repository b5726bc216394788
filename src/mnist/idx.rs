//! IDX files, the format of LeCun's MNIST distribution (and of Fashion-MNIST).
//!
//! An IDX file is a big-endian header followed by the items as raw bytes, row-major:
//!
//! | file   | magic                                | header after the magic        | items                  |
//! |--------|--------------------------------------|-------------------------------|------------------------|
//! | images | 2051 = `0x0000_0803` (u8, 3 dims)    | count, rows, cols (`u32` each) | `count × rows × cols` bytes |
//! | labels | 2049 = `0x0000_0801` (u8, 1 dim)     | count (`u32`)                 | `count` bytes          |
//!
//! How this parser treats what it is given:
//! - **gzip is detected by content**: input starting with the gzip bytes `1f 8b` is
//!   decompressed (every member, RFC 1952), anything else is read as plain IDX. File names are
//!   only used in messages, so `x.gz` holding plain IDX and `x` holding gzip both load.
//! - **sizes are checked before memory is taken**: the header's claim (`count × rows × cols`)
//!   is compared with the bytes actually present (plain input) and with
//!   [`MAX_FILE_BYTES`] (both), before anything proportional to it is allocated. A gzip
//!   stream is decompressed only up to what the header announces, plus one byte, so a gzip
//!   bomb costs at most that much memory.
//! - **trailing bytes are refused**: the header fixes the file's exact length, and every
//!   official MNIST and Fashion-MNIST file has exactly that length. Extra bytes mean the header
//!   or the download is wrong (two files concatenated, junk appended), so they are an error
//!   rather than silently ignored. After a gzip stream, anything that is not another gzip member
//!   is a gzip error for the same reason.
//! - **HTML is recognised**: a web server's error page saved under the data's name is reported
//!   as such, not as a puzzling magic number.

use std::fmt;
use std::io::{self, Read};

use flate2::bufread::MultiGzDecoder;
use thiserror::Error;

/// Magic number of an IDX image file: unsigned bytes (`0x08`), three dimensions.
pub const IMAGES_MAGIC: u32 = 2051;

/// Magic number of an IDX label file: unsigned bytes (`0x08`), one dimension.
pub const LABELS_MAGIC: u32 = 2049;

/// Largest IDX file the parser accepts, header included and after decompression: 200 MB
/// (200,000,000 bytes), about four times Fashion-MNIST's training images (47,040,016 bytes).
/// It bounds the memory a hostile or damaged file can make the parser take.
pub const MAX_FILE_BYTES: u64 = 200_000_000;

/// The two bytes every gzip stream starts with (RFC 1952, ID1 and ID2).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// How many leading bytes are read first to recognise an HTML page and parse the header.
const SNIFF_BYTES: u64 = 512;

/// Which of the two IDX files of a set is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdxKind {
    /// Images: magic 2051, count × rows × cols bytes.
    Images,
    /// Labels: magic 2049, count bytes.
    Labels,
}

impl IdxKind {
    /// The magic number a file of this kind starts with.
    pub fn magic(self) -> u32 {
        match self {
            Self::Images => IMAGES_MAGIC,
            Self::Labels => LABELS_MAGIC,
        }
    }

    /// The kind in Chinese: 图像 or 标签.
    fn name_zh(self) -> &'static str {
        match self {
            Self::Images => "图像",
            Self::Labels => "标签",
        }
    }

    /// Header length in bytes: the magic plus one `u32` per dimension.
    pub fn header_bytes(self) -> usize {
        match self {
            Self::Images => 16,
            Self::Labels => 8,
        }
    }

    fn other(self) -> Self {
        match self {
            Self::Images => Self::Labels,
            Self::Labels => Self::Images,
        }
    }
}

impl fmt::Display for IdxKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Images => "image",
            Self::Labels => "label",
        })
    }
}

/// Everything that can be wrong with a pair of MNIST-format IDX files. Each message names the
/// file, says what is wrong and what to do about it.
#[derive(Debug, Error)]
pub enum IdxError {
    /// The input is a web page, typically a server's 404 page saved under the data's name.
    #[error(
        "'{name}' looks like an HTML page, not an IDX file — the server probably answered with \
         an error page; check the URL or path and fetch the file again"
    )]
    Html {
        /// The file's name, as given by the caller.
        name: String,
    },

    /// The input starts with the gzip bytes `1f 8b` but does not decompress.
    #[error(
        "'{name}' starts like a gzip file but its gzip stream is damaged ({source}); fetch the \
         file again"
    )]
    BadGzip {
        /// The file's name, as given by the caller.
        name: String,
        /// What the decompressor reported.
        #[source]
        source: io::Error,
    },

    /// Fewer bytes than the header (or the fixed header length) requires.
    #[error(
        "IDX {kind} file '{name}' is truncated: it needs {expected} bytes but only {present} \
         are present; fetch the file again"
    )]
    Truncated {
        /// The file's name, as given by the caller.
        name: String,
        /// Which kind of file was expected.
        kind: IdxKind,
        /// Bytes the header requires, header included (after decompression).
        expected: u128,
        /// Bytes actually present (after decompression).
        present: u64,
    },

    /// The magic number is neither of the two MNIST magics.
    #[error(
        "'{name}' has magic number {found} (0x{found:08x}), expected {expected} for an IDX \
         {kind} file; it is not an MNIST-format {kind} file"
    )]
    WrongMagic {
        /// The file's name, as given by the caller.
        name: String,
        /// Which kind of file was expected.
        kind: IdxKind,
        /// The first four bytes, big-endian.
        found: u32,
        /// The magic number of `kind`.
        expected: u32,
    },

    /// The file has the magic of the other kind: images given where labels were expected, or
    /// the reverse.
    #[error(
        "'{name}' has magic number {found}, which marks an IDX {found_kind} file, but an IDX \
         {kind} file ({expected}) was expected: the image and label files look swapped"
    )]
    Swapped {
        /// The file's name, as given by the caller.
        name: String,
        /// Which kind of file was expected.
        kind: IdxKind,
        /// Which kind the file actually is.
        found_kind: IdxKind,
        /// The magic found.
        found: u32,
        /// The magic number of `kind`.
        expected: u32,
    },

    /// The header announces a file larger than [`MAX_FILE_BYTES`].
    #[error(
        "IDX {kind} file '{name}' claims {count} items of {item_bytes} bytes ({expected} bytes \
         in all), more than the {limit}-byte limit; the header is damaged or this is not an \
         MNIST-sized file"
    )]
    TooLarge {
        /// The file's name, as given by the caller.
        name: String,
        /// Which kind of file was expected.
        kind: IdxKind,
        /// Items the header claims.
        count: u32,
        /// Bytes per item the header claims (rows × cols for images, 1 for labels).
        item_bytes: u64,
        /// Bytes the header requires, header included.
        expected: u128,
        /// [`MAX_FILE_BYTES`].
        limit: u64,
    },

    /// More bytes than the header describes.
    #[error(
        "IDX {kind} file '{name}' is longer than its header says: it should hold exactly \
         {expected} bytes but holds more; the file is damaged or has data appended, fetch it \
         again"
    )]
    TrailingBytes {
        /// The file's name, as given by the caller.
        name: String,
        /// Which kind of file was expected.
        kind: IdxKind,
        /// Bytes the header requires, header included (after decompression).
        expected: u64,
    },

    /// The images are not 28 × 28 pixels, so they cannot feed the 784-input model.
    #[error(
        "IDX image file '{name}' holds {rows} × {cols} images, but the model needs 28 × 28 \
         (784 inputs); use MNIST-format data"
    )]
    WrongImageSize {
        /// The file's name, as given by the caller.
        name: String,
        /// Rows per image, from the header.
        rows: u32,
        /// Columns per image, from the header.
        cols: u32,
    },

    /// An image buffer whose length is not a whole number of 784-byte images.
    #[error(
        "image data '{name}' holds {bytes} bytes, which is not a whole number of 784-byte \
         (28 × 28) images"
    )]
    PartialImage {
        /// Where the buffer came from.
        name: String,
        /// Its length in bytes.
        bytes: usize,
    },

    /// The image and label files hold different numbers of items.
    #[error(
        "image file '{images_name}' holds {images} images but label file '{labels_name}' holds \
         {labels} labels; use the two files of one set (train with train, t10k with t10k)"
    )]
    CountMismatch {
        /// The image file's name.
        images_name: String,
        /// Images it holds.
        images: usize,
        /// The label file's name.
        labels_name: String,
        /// Labels it holds.
        labels: usize,
    },

    /// A label that is not a digit 0–9.
    #[error(
        "label file '{name}' has label {label} at index {index}, but MNIST labels are the \
         digits 0–9; this is not an MNIST-format label file"
    )]
    LabelOutOfRange {
        /// The label file's name.
        name: String,
        /// Position of the first bad label.
        index: usize,
        /// Its value.
        label: u8,
    },
}

impl IdxError {
    /// The message in Chinese, saying the same as the English one (`Display`).
    pub fn message_zh(&self) -> String {
        match self {
            Self::Html { name } => format!(
                "“{name}”像是一个网页而不是 IDX 文件，多半是服务器返回了错误页面：\
                 请检查网址或路径，重新获取这个文件。"
            ),
            Self::BadGzip { name, source } => format!(
                "“{name}”开头像 gzip 文件，但压缩数据已损坏（{source}）：请重新获取这个文件。"
            ),
            Self::Truncated {
                name,
                kind,
                expected,
                present,
            } => format!(
                "IDX {}文件“{name}”不完整：需要 {expected} 字节，实际只有 {present} 字节；\
                 请重新获取这个文件。",
                kind.name_zh()
            ),
            Self::WrongMagic {
                name,
                kind,
                found,
                expected,
            } => format!(
                "“{name}”的魔数是 {found}（0x{found:08x}），IDX {}文件应为 {expected}：\
                 它不是 MNIST 格式的{}文件。",
                kind.name_zh(),
                kind.name_zh()
            ),
            Self::Swapped {
                name,
                kind,
                found_kind,
                found,
                expected,
            } => format!(
                "“{name}”的魔数 {found} 表示 IDX {}文件，但这里需要 IDX {}文件（{expected}）：\
                 图像文件和标签文件似乎放反了。",
                found_kind.name_zh(),
                kind.name_zh()
            ),
            Self::TooLarge {
                name,
                kind,
                count,
                item_bytes,
                expected,
                limit,
            } => format!(
                "IDX {}文件“{name}”声称有 {count} 项、每项 {item_bytes} 字节（共 {expected} 字节），\
                 超过 {limit} 字节的上限：文件头已损坏，或者这不是 MNIST 大小的文件。",
                kind.name_zh()
            ),
            Self::TrailingBytes {
                name,
                kind,
                expected,
            } => format!(
                "IDX {}文件“{name}”比文件头所说的长：应恰好 {expected} 字节，实际更多；\
                 文件已损坏或末尾多了数据，请重新获取。",
                kind.name_zh()
            ),
            Self::WrongImageSize { name, rows, cols } => format!(
                "IDX 图像文件“{name}”中的图像是 {rows} × {cols}，而模型需要 28 × 28（784 个输入）：\
                 请使用 MNIST 格式的数据。"
            ),
            Self::PartialImage { name, bytes } => {
                format!("图像数据“{name}”有 {bytes} 字节，不是整数个 784 字节（28 × 28）的图像。")
            }
            Self::CountMismatch {
                images_name,
                images,
                labels_name,
                labels,
            } => format!(
                "图像文件“{images_name}”有 {images} 张图像，标签文件“{labels_name}”却有 \
                 {labels} 个标签：请使用同一组的两个文件（train 配 train，t10k 配 t10k）。"
            ),
            Self::LabelOutOfRange { name, index, label } => format!(
                "标签文件“{name}”第 {index} 项的标签是 {label}，而 MNIST 的标签只能是数字 0–9：\
                 这不是 MNIST 格式的标签文件。"
            ),
        }
    }
}

/// A parsed IDX image file: `count` images of `rows × cols` bytes, row-major, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxImages {
    count: usize,
    rows: u32,
    cols: u32,
    pixels: Vec<u8>,
}

impl IdxImages {
    /// Number of images.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Rows per image.
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Columns per image.
    pub fn cols(&self) -> u32 {
        self.cols
    }

    /// All pixels, `[count][rows][cols]` row-major, 0 = background, 255 = ink (MNIST).
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The pixels, without copying.
    pub fn into_pixels(self) -> Vec<u8> {
        self.pixels
    }
}

/// A parsed IDX label file: one byte per item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxLabels {
    labels: Vec<u8>,
}

impl IdxLabels {
    /// Number of labels.
    pub fn count(&self) -> usize {
        self.labels.len()
    }

    /// The labels, in file order.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The labels, without copying.
    pub fn into_labels(self) -> Vec<u8> {
        self.labels
    }
}

/// Parses an IDX image file (magic 2051), plain or gzip (detected by its first bytes).
/// `name` is only used in error messages.
pub fn parse_images(name: &str, bytes: &[u8]) -> Result<IdxImages, IdxError> {
    let (dims, pixels) = parse(name, bytes, IdxKind::Images)?;
    let [count, rows, cols] = [dims[0], dims[1], dims[2]];
    Ok(IdxImages {
        count: count as usize,
        rows,
        cols,
        pixels,
    })
}

/// Parses an IDX label file (magic 2049), plain or gzip (detected by its first bytes).
/// `name` is only used in error messages. Label values are not checked here; see
/// [`crate::mnist::Dataset::from_idx`].
pub fn parse_labels(name: &str, bytes: &[u8]) -> Result<IdxLabels, IdxError> {
    let (_, labels) = parse(name, bytes, IdxKind::Labels)?;
    Ok(IdxLabels { labels })
}

/// True when `bytes` starts with the gzip magic `1f 8b`.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

/// True when `bytes`, after an optional UTF-8 byte-order mark and ASCII whitespace, starts with
/// `<`, as every HTML or XML page does (`<!doctype html>`, `<html>`, `<?xml`). No IDX file can:
/// its first byte is always 0.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(bytes);
    text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// Dimensions (count first) and items of an IDX file of `kind`.
fn parse(name: &str, bytes: &[u8], kind: IdxKind) -> Result<(Vec<u32>, Vec<u8>), IdxError> {
    if is_gzip(bytes) {
        read_idx(name, MultiGzDecoder::new(bytes), kind, None)
    } else {
        read_idx(name, bytes, kind, Some(bytes.len() as u64))
    }
}

/// Reads one IDX file of `kind` from `reader`. `known_len` is the input's length when it is
/// already in memory uncompressed, so that a header's claim is checked against it first.
/// The only reader that can fail is the gzip decoder, so read errors become [`IdxError::BadGzip`].
fn read_idx(
    name: &str,
    mut reader: impl Read,
    kind: IdxKind,
    known_len: Option<u64>,
) -> Result<(Vec<u32>, Vec<u8>), IdxError> {
    let gzip_error = |source| IdxError::BadGzip {
        name: name.to_owned(),
        source,
    };

    let mut head = Vec::new();
    (&mut reader)
        .take(SNIFF_BYTES)
        .read_to_end(&mut head)
        .map_err(gzip_error)?;
    if looks_like_html(&head) {
        return Err(IdxError::Html {
            name: name.to_owned(),
        });
    }

    let header_bytes = kind.header_bytes();
    let truncated = |present: usize, expected: u128| IdxError::Truncated {
        name: name.to_owned(),
        kind,
        expected,
        present: known_len.unwrap_or(present as u64),
    };
    let Some(magic) = read_u32(&head, 0) else {
        return Err(truncated(head.len(), header_bytes as u128));
    };
    check_magic(name, kind, magic)?;
    if head.len() < header_bytes {
        return Err(truncated(head.len(), header_bytes as u128));
    }
    let dims: Vec<u32> = (4..header_bytes)
        .step_by(4)
        .filter_map(|at| read_u32(&head, at))
        .collect();

    // u128 holds any product of three u32s, so the claim cannot overflow.
    let item_bytes: u128 = dims[1..].iter().map(|&d| u128::from(d)).product();
    let payload_bytes = u128::from(dims[0]) * item_bytes;
    let expected = header_bytes as u128 + payload_bytes;
    if let Some(len) = known_len
        && u128::from(len) < expected
    {
        return Err(truncated(head.len(), expected));
    }
    if expected > u128::from(MAX_FILE_BYTES) {
        return Err(IdxError::TooLarge {
            name: name.to_owned(),
            kind,
            count: dims[0],
            item_bytes: item_bytes as u64,
            expected,
            limit: MAX_FILE_BYTES,
        });
    }

    // Within MAX_FILE_BYTES, so these fit in u64 and in a 32-bit usize.
    let payload_bytes = payload_bytes as u64;
    let mut payload = Vec::new();
    let rest = &head[header_bytes..];
    rest.chain(reader)
        .take(payload_bytes + 1)
        .read_to_end(&mut payload)
        .map_err(gzip_error)?;
    let present = header_bytes + payload.len();
    if (payload.len() as u64) < payload_bytes {
        return Err(truncated(present, expected));
    }
    if payload.len() as u64 > payload_bytes {
        return Err(IdxError::TrailingBytes {
            name: name.to_owned(),
            kind,
            expected: expected as u64,
        });
    }
    Ok((dims, payload))
}

fn check_magic(name: &str, kind: IdxKind, found: u32) -> Result<(), IdxError> {
    let other = kind.other();
    if found == kind.magic() {
        Ok(())
    } else if found == other.magic() {
        Err(IdxError::Swapped {
            name: name.to_owned(),
            kind,
            found_kind: other,
            found,
            expected: kind.magic(),
        })
    } else {
        Err(IdxError::WrongMagic {
            name: name.to_owned(),
            kind,
            found,
            expected: kind.magic(),
        })
    }
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([word[0], word[1], word[2], word[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every error once, each naming its file `f.gz`.
    fn every_error() -> Vec<IdxError> {
        let name = || "f.gz".to_owned();
        vec![
            IdxError::Html { name: name() },
            IdxError::BadGzip {
                name: name(),
                source: io::Error::other("corrupt deflate stream"),
            },
            IdxError::Truncated {
                name: name(),
                kind: IdxKind::Images,
                expected: 7856,
                present: 100,
            },
            IdxError::WrongMagic {
                name: name(),
                kind: IdxKind::Labels,
                found: 7,
                expected: LABELS_MAGIC,
            },
            IdxError::Swapped {
                name: name(),
                kind: IdxKind::Images,
                found_kind: IdxKind::Labels,
                found: LABELS_MAGIC,
                expected: IMAGES_MAGIC,
            },
            IdxError::TooLarge {
                name: name(),
                kind: IdxKind::Images,
                count: u32::MAX,
                item_bytes: 784,
                expected: 1 << 40,
                limit: MAX_FILE_BYTES,
            },
            IdxError::TrailingBytes {
                name: name(),
                kind: IdxKind::Labels,
                expected: 18,
            },
            IdxError::WrongImageSize {
                name: name(),
                rows: 32,
                cols: 32,
            },
            IdxError::PartialImage {
                name: name(),
                bytes: 785,
            },
            IdxError::CountMismatch {
                images_name: name(),
                images: 3,
                labels_name: name(),
                labels: 4,
            },
            IdxError::LabelOutOfRange {
                name: name(),
                index: 2,
                label: 11,
            },
        ]
    }

    #[test]
    fn every_error_reads_in_chinese_and_names_its_file() {
        // Words that stay as they are in the Chinese text: formats, set names, the
        // decompressor's own message and the file name.
        let kept = [
            "IDX", "MNIST", "gzip", "train", "t10k", "f", "gz", "corrupt", "deflate", "stream",
        ];
        for error in every_error() {
            let zh = error.message_zh();
            assert!(zh.contains("f.gz"), "{zh}");
            // Numbers (0x00000007 included) are not words.
            let words = zh.split(|c: char| !c.is_ascii_alphanumeric());
            for word in words.filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic())) {
                assert!(kept.contains(&word), "English word '{word}' in: {zh}");
            }
        }
    }

    fn label_file(labels: &[u8]) -> Vec<u8> {
        let mut bytes = LABELS_MAGIC.to_be_bytes().to_vec();
        bytes.extend((labels.len() as u32).to_be_bytes());
        bytes.extend(labels);
        bytes
    }

    #[test]
    fn labels_round_trip() {
        let parsed = parse_labels("l", &label_file(&[3, 1, 4])).expect("valid label file");
        assert_eq!(parsed.labels(), &[3, 1, 4]);
    }

    #[test]
    fn html_is_recognised_after_whitespace_and_bom() {
        assert!(looks_like_html(b"\xef\xbb\xbf \r\n\t<!DOCTYPE html>"));
        assert!(looks_like_html(b"<html><body>404</body></html>"));
        assert!(!looks_like_html(&label_file(&[1])));
        assert!(!looks_like_html(b""));
    }

    #[test]
    fn truncated_header_reports_the_header_length() {
        let err = parse_images("i", &IMAGES_MAGIC.to_be_bytes()).expect_err("4 bytes only");
        assert!(
            matches!(
                err,
                IdxError::Truncated {
                    expected: 16,
                    present: 4,
                    ..
                }
            ),
            "got {err:?}"
        );
    }

    #[test]
    fn empty_file_is_truncated_not_wrong_magic() {
        let err = parse_labels("l", &[]).expect_err("empty");
        assert!(
            matches!(
                err,
                IdxError::Truncated {
                    expected: 8,
                    present: 0,
                    ..
                }
            ),
            "got {err:?}"
        );
    }
}
