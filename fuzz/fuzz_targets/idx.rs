//! Fuzz target: the IDX + gzip loader (`mnist::idx` and `Dataset::from_idx`) on any bytes.
//!
//! Input layout: byte 0 holds two flags (bit 0: gzip the image file first, bit 1: gzip the
//! label file first), bytes 1–2 the image file's length (big-endian, taken modulo what is
//! left), then the image file, then the label file. The flags let the fuzzer reach the IDX
//! checks behind a valid gzip stream; raw bytes starting `1f 8b` reach the decoder's own
//! error paths. Whatever the bytes, the loader must return, never panic, and:
//! - a parsed file holds exactly what its header claims;
//! - a dataset holds 784 bytes per label and only labels 0–9;
//! - a refusal names the file it is about.

#![no_main]

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use libfuzzer_sys::fuzz_target;

// The loader's own source, compiled here without the rest of the library (see Cargo.toml),
// with the one module its messages use.
#[allow(dead_code, unused_imports)]
#[path = "../../src/mnist/mod.rs"]
mod mnist;

#[allow(dead_code)]
#[path = "../../src/lang.rs"]
mod lang;

use mnist::{Dataset, IMAGE_BYTES, parse_images, parse_labels};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (length, rest) = match rest {
        [hi, lo, rest @ ..] => (usize::from(u16::from_be_bytes([*hi, *lo])), rest),
        _ => (0, rest),
    };
    let (images, labels) = rest.split_at(length.min(rest.len()));
    let images = if flags & 1 == 1 { gzip(images) } else { images.to_vec() };
    let labels = if flags & 2 == 2 { gzip(labels) } else { labels.to_vec() };

    if let Ok(parsed) = parse_images("images", &images) {
        let claimed = parsed.count() * parsed.rows() as usize * parsed.cols() as usize;
        assert_eq!(parsed.pixels().len(), claimed, "pixels differ from the header's claim");
    }
    if let Ok(parsed) = parse_labels("labels", &labels) {
        assert!(parsed.labels().len() <= labels.len().max(1 << 20));
    }
    match Dataset::from_idx("images", &images, "labels", &labels) {
        Ok(dataset) => {
            assert_eq!(dataset.images().len(), dataset.len() * IMAGE_BYTES);
            assert!(dataset.labels().iter().all(|&label| label < 10), "label outside 0–9");
        }
        Err(error) => {
            let message = error.to_string();
            assert!(
                message.contains("'images'") || message.contains("'labels'"),
                "a refusal that names no file: {message}"
            );
        }
    }
});
