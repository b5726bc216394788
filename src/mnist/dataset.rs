//! MNIST in memory: images as the bytes the IDX files hold and labels as digits, checked once
//! when loaded so that every trainer can index them without further checks.
//!
//! Pixels stay bytes here. They become model inputs in exactly one place,
//! [`crate::mnist::pixel_value`], on every path (CPU reference, GPU upload, browser).

use super::idx::{self, IdxError, IdxImages, IdxLabels};

/// Image side in pixels: MNIST digits are 28 × 28.
pub const IMAGE_SIDE: usize = 28;

/// Bytes (pixels) per image, 28 × 28 = 784: the model's input width.
pub const IMAGE_BYTES: usize = IMAGE_SIDE * IMAGE_SIDE;

/// Number of classes: labels are the digits 0–9.
pub const DIGITS: usize = 10;

/// File name of the training images, as LeCun's site and Fashion-MNIST name it. The browser
/// fetches `data/<name>.gz`; [`Mnist::load_dir`] accepts it with or without `.gz`.
pub const TRAIN_IMAGES_FILE: &str = "train-images-idx3-ubyte";
/// File name of the training labels (see [`TRAIN_IMAGES_FILE`]).
pub const TRAIN_LABELS_FILE: &str = "train-labels-idx1-ubyte";
/// File name of the test images (see [`TRAIN_IMAGES_FILE`]).
pub const TEST_IMAGES_FILE: &str = "t10k-images-idx3-ubyte";
/// File name of the test labels (see [`TRAIN_IMAGES_FILE`]).
pub const TEST_LABELS_FILE: &str = "t10k-labels-idx1-ubyte";

/// Suffix of the gzip-compressed files that the web app serves.
pub const GZIP_SUFFIX: &str = ".gz";

/// Labelled 28 × 28 images: `images` is `[len][784]` row-major bytes (0 = background,
/// 255 = ink), `labels` is `[len]` digits 0–9. Both are checked on construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    images: Vec<u8>,
    labels: Vec<u8>,
}

impl Dataset {
    /// Builds a dataset from raw buffers, for tests and generated data: `images` must hold
    /// `labels.len() × 784` bytes and every label must be 0–9.
    pub fn new(images: Vec<u8>, labels: Vec<u8>) -> Result<Self, IdxError> {
        if !images.len().is_multiple_of(IMAGE_BYTES) {
            return Err(IdxError::PartialImage {
                name: "images".to_owned(),
                bytes: images.len(),
            });
        }
        check_pair("images", images.len() / IMAGE_BYTES, "labels", &labels)?;
        Ok(Self { images, labels })
    }

    /// Parses an IDX image file and its label file (each plain or gzip, detected by content)
    /// and checks that they make one MNIST set: 28 × 28 images, as many labels as images, every
    /// label 0–9. The names are only used in error messages.
    pub fn from_idx(
        images_name: &str,
        images_bytes: &[u8],
        labels_name: &str,
        labels_bytes: &[u8],
    ) -> Result<Self, IdxError> {
        let images = idx::parse_images(images_name, images_bytes)?;
        let labels = idx::parse_labels(labels_name, labels_bytes)?;
        Self::from_parsed(images_name, images, labels_name, labels)
    }

    /// Checks and joins an already parsed image file and label file; see [`Dataset::from_idx`].
    pub fn from_parsed(
        images_name: &str,
        images: IdxImages,
        labels_name: &str,
        labels: IdxLabels,
    ) -> Result<Self, IdxError> {
        if images.rows() as usize != IMAGE_SIDE || images.cols() as usize != IMAGE_SIDE {
            return Err(IdxError::WrongImageSize {
                name: images_name.to_owned(),
                rows: images.rows(),
                cols: images.cols(),
            });
        }
        let labels = labels.into_labels();
        check_pair(images_name, images.count(), labels_name, &labels)?;
        Ok(Self {
            images: images.into_pixels(),
            labels,
        })
    }

    /// Number of labelled images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when the dataset holds no image.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// All images, `[len][784]` row-major bytes.
    pub fn images(&self) -> &[u8] {
        &self.images
    }

    /// All labels, `[len]`, each 0–9.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// Image `i`, 784 bytes row-major. Panics if `i >= len()`, as slice indexing does.
    pub fn image(&self, i: usize) -> &[u8] {
        &self.images[i * IMAGE_BYTES..(i + 1) * IMAGE_BYTES]
    }

    /// Label of image `i`, 0–9. Panics if `i >= len()`, as slice indexing does.
    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }

    /// How many images carry each digit: `counts[d]` for digit `d`.
    pub fn digit_counts(&self) -> [usize; DIGITS] {
        let mut counts = [0; DIGITS];
        for &label in &self.labels {
            counts[usize::from(label)] += 1;
        }
        counts
    }
}

/// Refuses a count mismatch, then the first label outside 0–9.
fn check_pair(
    images_name: &str,
    images: usize,
    labels_name: &str,
    labels: &[u8],
) -> Result<(), IdxError> {
    if images != labels.len() {
        return Err(IdxError::CountMismatch {
            images_name: images_name.to_owned(),
            images,
            labels_name: labels_name.to_owned(),
            labels: labels.len(),
        });
    }
    if let Some((index, &label)) = labels
        .iter()
        .enumerate()
        .find(|(_, l)| usize::from(**l) >= DIGITS)
    {
        return Err(IdxError::LabelOutOfRange {
            name: labels_name.to_owned(),
            index,
            label,
        });
    }
    Ok(())
}

/// A training set and a test set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mnist {
    /// Images the model learns from.
    pub train: Dataset,
    /// Held-out images for test accuracy.
    pub test: Dataset,
}

#[cfg(not(target_arch = "wasm32"))]
pub use native::LoadError;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::fs;
    use std::io;
    use std::path::{Path, PathBuf};

    use thiserror::Error;

    use super::{
        Dataset, GZIP_SUFFIX, Mnist, TEST_IMAGES_FILE, TEST_LABELS_FILE, TRAIN_IMAGES_FILE,
        TRAIN_LABELS_FILE,
    };
    use crate::mnist::idx::{IdxError, MAX_FILE_BYTES};

    /// Why [`Mnist::load_dir`] failed.
    #[derive(Debug, Error)]
    pub enum LoadError {
        /// One of the four standard files is absent, with and without `.gz`.
        #[error(
            "'{dir}' has neither '{name}' nor '{name}.gz'; a data directory must hold the four \
             MNIST files {TRAIN_IMAGES_FILE}, {TRAIN_LABELS_FILE}, {TEST_IMAGES_FILE} and \
             {TEST_LABELS_FILE}, each plain or with .gz"
        )]
        Missing {
            /// The directory searched.
            dir: PathBuf,
            /// The file name looked for (also tried with `.gz`).
            name: &'static str,
        },

        /// A file exists but cannot be read.
        #[error("cannot read '{path}': {source}")]
        Io {
            /// The file.
            path: PathBuf,
            /// What the operating system reported.
            #[source]
            source: io::Error,
        },

        /// A file is larger on disk than any IDX file the parser accepts.
        #[error(
            "'{path}' is {bytes} bytes, more than the {limit}-byte limit for an IDX file; this \
             is not an MNIST-sized file"
        )]
        FileTooLarge {
            /// The file.
            path: PathBuf,
            /// Its size on disk.
            bytes: u64,
            /// [`MAX_FILE_BYTES`].
            limit: u64,
        },

        /// A file was read but is not valid MNIST data.
        #[error(transparent)]
        Idx(#[from] IdxError),
    }

    impl Mnist {
        /// Loads the four standard MNIST files from `dir` (LeCun's layout, also Fashion-MNIST's
        /// and Debian's `dataset-fashion-mnist`). Each may be plain or gzip; the content decides,
        /// not the name. When both `name` and `name.gz` exist, the plain file is read.
        pub fn load_dir(dir: &Path) -> Result<Mnist, LoadError> {
            let train = load_pair(dir, TRAIN_IMAGES_FILE, TRAIN_LABELS_FILE)?;
            let test = load_pair(dir, TEST_IMAGES_FILE, TEST_LABELS_FILE)?;
            Ok(Mnist { train, test })
        }
    }

    fn load_pair(
        dir: &Path,
        images: &'static str,
        labels: &'static str,
    ) -> Result<Dataset, LoadError> {
        let (images_path, images_bytes) = read_named(dir, images)?;
        let (labels_path, labels_bytes) = read_named(dir, labels)?;
        let dataset = Dataset::from_idx(
            &images_path.display().to_string(),
            &images_bytes,
            &labels_path.display().to_string(),
            &labels_bytes,
        )?;
        log::info!(
            "loaded {} images from '{}' and '{}'",
            dataset.len(),
            images_path.display(),
            labels_path.display()
        );
        Ok(dataset)
    }

    /// Reads `dir/name`, or else `dir/name.gz`.
    fn read_named(dir: &Path, name: &'static str) -> Result<(PathBuf, Vec<u8>), LoadError> {
        let candidates = [dir.join(name), dir.join(format!("{name}{GZIP_SUFFIX}"))];
        let Some(path) = candidates.into_iter().find(|path| path.is_file()) else {
            return Err(LoadError::Missing {
                dir: dir.to_path_buf(),
                name,
            });
        };
        let io_error = |source| LoadError::Io {
            path: path.clone(),
            source,
        };
        // A gzip stream of real image data is smaller than what it expands to, so a file over
        // the limit on disk cannot hold an acceptable IDX file; refuse it before reading it.
        let bytes = fs::metadata(&path).map_err(io_error)?.len();
        if bytes > MAX_FILE_BYTES {
            return Err(LoadError::FileTooLarge {
                path,
                bytes,
                limit: MAX_FILE_BYTES,
            });
        }
        let contents = fs::read(&path).map_err(io_error)?;
        Ok((path, contents))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_checks_shape_and_labels() {
        let ok = Dataset::new(vec![7; 2 * IMAGE_BYTES], vec![0, 9]).expect("two valid images");
        assert_eq!(ok.len(), 2);
        assert_eq!(ok.image(1), &[7; IMAGE_BYTES][..]);
        assert_eq!(ok.label(1), 9);
        assert_eq!(ok.digit_counts()[9], 1);

        let partial = Dataset::new(vec![0; IMAGE_BYTES + 1], vec![0]).expect_err("785 bytes");
        assert!(
            matches!(partial, IdxError::PartialImage { bytes: 785, .. }),
            "got {partial:?}"
        );
        let mismatch = Dataset::new(vec![0; IMAGE_BYTES], vec![0, 1]).expect_err("1 vs 2");
        assert!(matches!(
            mismatch,
            IdxError::CountMismatch {
                images: 1,
                labels: 2,
                ..
            }
        ));
        let bad = Dataset::new(vec![0; IMAGE_BYTES], vec![10]).expect_err("label 10");
        assert!(matches!(
            bad,
            IdxError::LabelOutOfRange {
                index: 0,
                label: 10,
                ..
            }
        ));
    }

    #[test]
    fn empty_dataset_is_empty() {
        let empty = Dataset::new(Vec::new(), Vec::new()).expect("empty is valid");
        assert!(empty.is_empty());
        assert_eq!(empty.digit_counts(), [0; DIGITS]);
    }
}
