//! IDX parsing against the ways real downloads go wrong. Each test is named for the bug it
//! pins; every refusal must name the file and say what is wrong.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;

use flate2::write::GzEncoder;
use flate2::{Compress, Compression, FlushCompress};
use price_war_lab::mnist::idx::{IMAGES_MAGIC, LABELS_MAGIC, MAX_FILE_BYTES};
use price_war_lab::mnist::{Dataset, IMAGE_BYTES, IdxError, IdxKind, parse_images, parse_labels};

// ---- measuring allocations ----------------------------------------------------------------

/// The system allocator, noting the largest single request made by the current thread, so a
/// test can prove that a parser never asked for memory in proportion to a header's claim.
struct LargestRequest;

thread_local! {
    static LARGEST_REQUEST: Cell<usize> = const { Cell::new(0) };
}

fn note_request(bytes: usize) {
    // try_with: the slot may already be gone while a thread is being torn down.
    let _ = LARGEST_REQUEST.try_with(|largest| largest.set(largest.get().max(bytes)));
}

// SAFETY: every call is forwarded unchanged to `System`; only a counter is updated besides.
unsafe impl GlobalAlloc for LargestRequest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_request(layout.size());
        // SAFETY: the caller upholds `alloc`'s contract, which `System` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_request(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through this allocator with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_request(new_size);
        // SAFETY: as for `dealloc`; the caller upholds `realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: LargestRequest = LargestRequest;

/// Runs `f` and returns its result with the largest single allocation it requested, in bytes.
fn largest_request_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST_REQUEST.with(|largest| largest.set(0));
    let result = f();
    (result, LARGEST_REQUEST.with(Cell::get))
}

// ---- building files -------------------------------------------------------------------------

fn image_header(count: u32, rows: u32, cols: u32) -> Vec<u8> {
    [IMAGES_MAGIC, count, rows, cols]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect()
}

fn label_header(count: u32) -> Vec<u8> {
    [LABELS_MAGIC, count]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect()
}

/// A valid image file: image `i` has every pixel equal to `i * 10`.
fn image_file(count: u32) -> Vec<u8> {
    let mut bytes = image_header(count, 28, 28);
    for i in 0..count {
        bytes.extend(std::iter::repeat_n((i * 10) as u8, IMAGE_BYTES));
    }
    bytes
}

fn label_file(labels: &[u8]) -> Vec<u8> {
    let mut bytes = label_header(labels.len() as u32);
    bytes.extend(labels);
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(bytes)
        .expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
}

/// A gzip stream of `prefix` followed by `zero_mib` MiB of zero bytes, built without
/// compressing them: after a full flush the compressor starts afresh, so every 1 MiB block of
/// zeros compresses to the same bytes, which are repeated. The trailer's CRC is left wrong on
/// purpose: a parser that reads to the end reports a gzip error, so only one that stops early
/// gives the error each test expects.
fn gzip_bomb(prefix: &[u8], zero_mib: usize) -> Vec<u8> {
    let mut compress = Compress::new(Compression::best(), false);
    let mut deflate = |input: &[u8], flush| {
        let mut out = Vec::with_capacity(input.len() + 1024);
        compress
            .compress_vec(input, &mut out, flush)
            .expect("deflate into a Vec");
        out
    };
    let zeros = vec![0u8; 1 << 20];
    let head = deflate(prefix, FlushCompress::Full);
    let first = deflate(&zeros, FlushCompress::Full);
    let block = deflate(&zeros, FlushCompress::Full);
    assert_eq!(
        block,
        deflate(&zeros, FlushCompress::Full),
        "zero blocks must repeat exactly"
    );
    let end = deflate(&[], FlushCompress::Finish);

    let mut bytes = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    bytes.extend(head);
    bytes.extend(first);
    for _ in 1..zero_mib {
        bytes.extend_from_slice(&block);
    }
    bytes.extend(end);
    bytes.extend([0; 8]); // CRC32 and ISIZE, deliberately not those of the data.
    bytes
}

fn assert_names(err: &IdxError, name: &str, words: &[&str]) {
    let message = err.to_string();
    assert!(
        message.contains(&format!("'{name}'")),
        "message must name '{name}': {message}"
    );
    for word in words {
        assert!(
            message.contains(word),
            "message must say '{word}': {message}"
        );
    }
}

// ---- the tests ------------------------------------------------------------------------------

#[test]
fn valid_files_parse_to_their_contents() {
    let images = parse_images("i", &image_file(3)).expect("valid image file");
    assert_eq!((images.count(), images.rows(), images.cols()), (3, 28, 28));
    assert_eq!(images.pixels()[2 * IMAGE_BYTES], 20);
    let data =
        Dataset::from_idx("i", &image_file(3), "l", &label_file(&[7, 0, 9])).expect("valid pair");
    assert_eq!(data.len(), 3);
    assert_eq!(data.image(1), &[10; IMAGE_BYTES][..]);
    assert_eq!(data.labels(), &[7, 0, 9]);
}

#[test]
fn truncated_download_is_reported_with_expected_and_present_bytes() {
    let mut bytes = image_file(2);
    bytes.truncate(16 + IMAGE_BYTES + 100);
    let present = bytes.len() as u64;
    let expected = (16 + 2 * IMAGE_BYTES) as u128;

    for (name, input) in [("cut.idx", bytes.clone()), ("cut.idx.gz", gzip(&bytes))] {
        let err = parse_images(name, &input).expect_err("truncated");
        assert!(
            matches!(err, IdxError::Truncated { expected: e, present: p, .. } if e == expected && p == present),
            "{name}: got {err:?}"
        );
        assert_names(
            &err,
            name,
            &["truncated", "1584", "900", "fetch the file again"],
        );
    }
}

#[test]
fn gzip_stream_cut_short_is_a_gzip_error() {
    let whole = gzip(&image_file(4));
    let err = parse_images("cut.gz", &whole[..whole.len() / 2]).expect_err("cut gzip");
    assert!(matches!(err, IdxError::BadGzip { .. }), "got {err:?}");
    assert_names(&err, "cut.gz", &["gzip", "damaged"]);
}

#[test]
fn wrong_magic_number_is_refused_with_the_expected_one() {
    let mut bytes = image_file(1);
    bytes[2] = 0x0d; // 0x00000d03: IDX floats, not bytes.
    let err = parse_images("floats.idx", &bytes).expect_err("wrong magic");
    assert!(
        matches!(
            err,
            IdxError::WrongMagic {
                found: 0x0d03,
                expected: 2051,
                ..
            }
        ),
        "got {err:?}"
    );
    assert_names(&err, "floats.idx", &["3331", "expected 2051"]);

    let err = parse_labels("zeros", &[0; 64]).expect_err("magic 0");
    assert!(matches!(
        err,
        IdxError::WrongMagic {
            found: 0,
            expected: 2049,
            ..
        }
    ));
}

#[test]
fn swapped_image_and_label_files_are_named_as_swapped() {
    let err = parse_images("labels-given-as-images", &label_file(&[1, 2])).expect_err("swap");
    assert!(
        matches!(
            err,
            IdxError::Swapped {
                kind: IdxKind::Images,
                found: 2049,
                ..
            }
        ),
        "got {err:?}"
    );
    assert_names(&err, "labels-given-as-images", &["2049", "2051", "swapped"]);

    let err = parse_labels("images-given-as-labels", &image_file(1)).expect_err("swap");
    assert!(matches!(
        err,
        IdxError::Swapped {
            kind: IdxKind::Labels,
            found: 2051,
            ..
        }
    ));
    assert_names(&err, "images-given-as-labels", &["swapped"]);

    // Through Dataset::from_idx, the pair given in the wrong order.
    let err = Dataset::from_idx("l", &label_file(&[1]), "i", &image_file(1)).expect_err("swap");
    assert!(matches!(err, IdxError::Swapped { .. }), "got {err:?}");
}

#[test]
fn image_label_count_mismatch_is_refused() {
    let err = Dataset::from_idx(
        "train-images",
        &image_file(3),
        "t10k-labels",
        &label_file(&[1, 2]),
    )
    .expect_err("3 images, 2 labels");
    assert!(
        matches!(
            err,
            IdxError::CountMismatch {
                images: 3,
                labels: 2,
                ..
            }
        ),
        "got {err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("'train-images'") && message.contains("'t10k-labels'"),
        "{message}"
    );
}

#[test]
fn html_error_page_saved_under_a_gz_name_is_reported_as_html() {
    let pages: [&[u8]; 3] = [
        b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head></html>",
        b"\n  \t<html><body>Bad gateway</body></html>",
        b"\xef\xbb\xbf<!doctype html><p>Forbidden</p>",
    ];
    for page in pages {
        let err = parse_images("train-images-idx3-ubyte.gz", page).expect_err("HTML");
        assert!(matches!(err, IdxError::Html { .. }), "got {err:?}");
        assert_names(
            &err,
            "train-images-idx3-ubyte.gz",
            &["HTML page", "error page"],
        );
    }

    // A server that gzips its error page: still HTML once decompressed.
    let err = parse_labels("l.gz", &gzip(pages[0])).expect_err("gzipped HTML");
    assert!(matches!(err, IdxError::Html { .. }), "got {err:?}");
}

#[test]
fn gzip_is_detected_by_its_bytes_not_by_the_file_name() {
    let images = image_file(5);
    let labels = label_file(&[0, 1, 2, 3, 4]);

    // Plain bytes under gzip names, gzip bytes under plain names.
    let plain = Dataset::from_idx("images.gz", &images, "labels.gz", &labels).expect("plain");
    let gzipped =
        Dataset::from_idx("images.idx", &gzip(&images), "labels", &gzip(&labels)).expect("gzip");
    assert_eq!(plain, gzipped);
    assert_eq!(plain.image(4), &[40; IMAGE_BYTES][..]);
}

#[test]
fn gzip_file_of_several_members_is_read_whole() {
    // `cat a.gz b.gz` is a valid gzip file (RFC 1952); reading only its first member would
    // look like a truncated IDX file.
    let bytes = image_file(3);
    let mut two_members = gzip(&bytes[..1000]);
    two_members.extend(gzip(&bytes[1000..]));
    let parsed = parse_images("two-members.gz", &two_members).expect("two members");
    assert_eq!(parsed.pixels(), &bytes[16..]);
}

#[test]
fn header_claiming_billions_of_images_is_refused_without_allocating() {
    // 4,000,000,000 images of 28 × 28: 3.1 TB claimed by a 16-byte header plus one image.
    let mut bytes = image_header(4_000_000_000, 28, 28);
    bytes.extend([0; IMAGE_BYTES]);
    let gzipped = gzip(&bytes);

    let (result, largest) = largest_request_during(|| parse_images("huge", &bytes));
    let err = result.expect_err("claim beyond the data");
    assert!(
        matches!(err, IdxError::Truncated { present: 800, .. }),
        "got {err:?}"
    );
    assert!(
        largest < 64 << 10,
        "plain: largest allocation {largest} bytes"
    );

    // Compressed, the true length is unknown until decompressed: the size cap refuses it.
    let (result, largest) = largest_request_during(|| parse_images("huge.gz", &gzipped));
    let err = result.expect_err("claim beyond the cap");
    assert!(
        matches!(
            err,
            IdxError::TooLarge {
                count: 4_000_000_000,
                ..
            }
        ),
        "got {err:?}"
    );
    assert!(
        largest < 1 << 20,
        "gzip: largest allocation {largest} bytes"
    );
    assert_names(&err, "huge.gz", &["4000000000", "limit"]);

    // Dimensions whose product overflows 64 bits must not wrap to a small size.
    let overflow = image_header(u32::MAX, u32::MAX, u32::MAX);
    let err = parse_images("overflow", &overflow).expect_err("overflowing claim");
    assert!(matches!(err, IdxError::Truncated { .. }), "got {err:?}");
    let err = parse_images("overflow.gz", &gzip(&overflow)).expect_err("overflowing claim");
    assert!(matches!(err, IdxError::TooLarge { .. }), "got {err:?}");
}

#[test]
fn gzip_bomb_is_refused_without_decompressing_it() {
    // 8 GiB of zeros in about 8 MB of gzip. A parser that decompresses everything first
    // either runs out of memory, hits the cap (TooLarge) or finds the wrong CRC (BadGzip).
    const BOMB_MIB: usize = 8 << 10;

    let bomb = gzip_bomb(&[], BOMB_MIB);
    let (result, largest) = largest_request_during(|| parse_images("zeros.gz", &bomb));
    let err = result.expect_err("all zeros");
    assert!(
        matches!(err, IdxError::WrongMagic { found: 0, .. }),
        "got {err:?}"
    );
    assert!(largest < 1 << 20, "largest allocation {largest} bytes");

    // Behind a valid header for 10 images, the zeros are trailing bytes, found one byte in.
    let bomb = gzip_bomb(&image_header(10, 28, 28), BOMB_MIB);
    let (result, largest) = largest_request_during(|| parse_images("padded.gz", &bomb));
    let err = result.expect_err("trailing zeros");
    assert!(
        matches!(err, IdxError::TrailingBytes { expected: 7856, .. }),
        "got {err:?}"
    );
    assert!(largest < 1 << 20, "largest allocation {largest} bytes");

    // Behind a header that claims more than the cap: refused before any image is read.
    let over_cap = (MAX_FILE_BYTES / IMAGE_BYTES as u64 + 1) as u32;
    let bomb = gzip_bomb(&image_header(over_cap, 28, 28), BOMB_MIB);
    let (result, largest) = largest_request_during(|| parse_images("big.gz", &bomb));
    let err = result.expect_err("over the cap");
    assert!(matches!(err, IdxError::TooLarge { .. }), "got {err:?}");
    assert!(largest < 1 << 20, "largest allocation {largest} bytes");
}

#[test]
fn trailing_bytes_after_the_data_are_refused() {
    let mut bytes = label_file(&[1, 2, 3]);
    bytes.extend(b"junk");
    for (name, input) in [("l", bytes.clone()), ("l.gz", gzip(&bytes))] {
        let err = parse_labels(name, &input).expect_err("trailing junk");
        assert!(
            matches!(err, IdxError::TrailingBytes { expected: 11, .. }),
            "{name}: {err:?}"
        );
        assert_names(&err, name, &["longer than its header says"]);
    }

    // Junk after a complete gzip stream is not a gzip member.
    let mut gz = gzip(&label_file(&[1, 2, 3]));
    gz.extend(b"junk after the gzip trailer");
    let err = parse_labels("l.gz", &gz).expect_err("junk after gzip");
    assert!(matches!(err, IdxError::BadGzip { .. }), "got {err:?}");
}

#[test]
fn images_that_are_not_28_by_28_are_refused() {
    let mut bytes = image_header(2, 32, 32);
    bytes.extend([0; 2 * 32 * 32]);
    let parsed = parse_images("cifar-sized", &bytes).expect("a valid IDX file");
    assert_eq!((parsed.rows(), parsed.cols()), (32, 32));

    let err = Dataset::from_idx("cifar-sized", &bytes, "l", &label_file(&[0, 1]))
        .expect_err("32 × 32 images");
    assert!(
        matches!(
            err,
            IdxError::WrongImageSize {
                rows: 32,
                cols: 32,
                ..
            }
        ),
        "got {err:?}"
    );
    assert_names(&err, "cifar-sized", &["32 × 32", "28 × 28"]);

    // Same pixel count, other shape: still not MNIST.
    let mut bytes = image_header(1, 16, 49);
    bytes.extend([0; IMAGE_BYTES]);
    let err = Dataset::from_idx("16x49", &bytes, "l", &label_file(&[0])).expect_err("16 × 49");
    assert!(
        matches!(
            err,
            IdxError::WrongImageSize {
                rows: 16,
                cols: 49,
                ..
            }
        ),
        "got {err:?}"
    );
}

#[test]
fn label_10_is_refused() {
    let err = Dataset::from_idx("i", &image_file(3), "labels", &label_file(&[9, 0, 10]))
        .expect_err("label 10");
    assert!(
        matches!(
            err,
            IdxError::LabelOutOfRange {
                index: 2,
                label: 10,
                ..
            }
        ),
        "got {err:?}"
    );
    assert_names(&err, "labels", &["label 10", "index 2", "0–9"]);
}

#[test]
fn every_mismatch_is_refused_in_both_directions_with_its_numbers() {
    // More labels than images, the reverse of the test above; the message gives both counts.
    let err = Dataset::from_idx("i", &image_file(2), "l", &label_file(&[1, 2, 3]))
        .expect_err("2 images, 3 labels");
    assert!(
        matches!(
            err,
            IdxError::CountMismatch {
                images: 2,
                labels: 3,
                ..
            }
        ),
        "got {err:?}"
    );
    assert_names(&err, "i", &["2 images", "3 labels"]);

    // The largest byte a label can hold, first in the file.
    let err = Dataset::from_idx("i", &image_file(1), "digits", &label_file(&[255]))
        .expect_err("label 255");
    assert!(
        matches!(
            err,
            IdxError::LabelOutOfRange {
                index: 0,
                label: 255,
                ..
            }
        ),
        "got {err:?}"
    );
    assert_names(&err, "digits", &["label 255", "0–9"]);

    // Images with a side of 0 pixels hold nothing to learn from.
    let err = Dataset::from_idx("flat", &image_header(5, 28, 0), "l", &label_file(&[0; 5]))
        .expect_err("28 × 0 images");
    assert!(
        matches!(
            err,
            IdxError::WrongImageSize {
                rows: 28,
                cols: 0,
                ..
            }
        ),
        "got {err:?}"
    );
    assert_names(&err, "flat", &["28 × 0", "28 × 28"]);
}

#[test]
fn label_header_claiming_billions_is_refused_without_allocating() {
    // 4,000,000,000 labels claimed by an 8-byte header followed by ten.
    let mut bytes = label_header(4_000_000_000);
    bytes.extend([1; 10]);

    let (result, largest) = largest_request_during(|| parse_labels("huge-labels", &bytes));
    let err = result.expect_err("claim beyond the data");
    assert!(
        matches!(err, IdxError::Truncated { present: 18, .. }),
        "got {err:?}"
    );
    assert!(
        largest < 64 << 10,
        "plain: largest allocation {largest} bytes"
    );
    assert_names(&err, "huge-labels", &["truncated", "4000000008"]);

    let gzipped = gzip(&bytes);
    let (result, largest) = largest_request_during(|| parse_labels("huge-labels.gz", &gzipped));
    let err = result.expect_err("claim beyond the cap");
    assert!(
        matches!(
            err,
            IdxError::TooLarge {
                count: 4_000_000_000,
                ..
            }
        ),
        "got {err:?}"
    );
    assert!(
        largest < 1 << 20,
        "gzip: largest allocation {largest} bytes"
    );
}
