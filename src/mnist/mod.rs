//! MNIST-format data: IDX parsing (plain or gzip, detected by content) and the in-memory
//! dataset that every trainer reads.

pub mod dataset;
pub mod drawing;
pub mod files;
pub mod idx;

#[cfg(not(target_arch = "wasm32"))]
pub use dataset::LoadError;
pub use dataset::{
    DIGITS, Dataset, GZIP_SUFFIX, IMAGE_BYTES, IMAGE_SIDE, Mnist, TEST_IMAGES_FILE,
    TEST_LABELS_FILE, TRAIN_IMAGES_FILE, TRAIN_LABELS_FILE,
};
pub use files::{FILES_PER_SET, FilesError, mnist_from_files};
pub use idx::{IdxError, IdxImages, IdxKind, IdxLabels, parse_images, parse_labels};

/// The one way a pixel byte becomes a model input, on every path: `byte × (1/255)`, giving
/// [0, 1]. A multiplication, not a division, because WGSL guarantees a correctly rounded
/// product but allows 2.5 ULP of error in a quotient, and the GPU kernels must agree bit for
/// bit on their inputs with the CPU reference.
pub const PIXEL_SCALE: f32 = 1.0 / 255.0;

/// A pixel byte as a model input in [0, 1].
pub fn pixel_value(byte: u8) -> f32 {
    f32::from(byte) * PIXEL_SCALE
}
