//! A training set and a test set from four files a reader picked (in the browser, a file
//! input): each file's content says whether it holds images or labels, its name says whether
//! it is training or test data, as the standard names do (`train-…`, `t10k-…`).

use thiserror::Error;

use super::dataset::{Dataset, Mnist};
use super::idx::{self, IdxError, IdxImages, IdxKind, IdxLabels};
use crate::lang::Lang;

/// Files a data set is made of: training images and labels, test images and labels.
pub const FILES_PER_SET: usize = 4;

/// Training or test data, as a file's name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Images the model learns from (`train-…`).
    Train,
    /// Held-out images for test accuracy (`t10k-…`, `test-…`).
    Test,
}

impl Role {
    /// The role a standard file name gives: `t10k` or `test` for test data (checked first, so
    /// that "t10k-images" is never read as training data), `train` for training data.
    pub fn from_name(name: &str) -> Option<Role> {
        let name = name.to_ascii_lowercase();
        if name.contains("t10k") || name.contains("test") {
            Some(Role::Test)
        } else if name.contains("train") {
            Some(Role::Train)
        } else {
            None
        }
    }

    fn words(self) -> &'static str {
        match self {
            Role::Train => "training",
            Role::Test => "test",
        }
    }
}

/// Why four picked files do not make a data set; each message names the file and what to pick.
#[derive(Debug, Error)]
pub enum FilesError {
    /// Not four files.
    #[error(
        "pick the four IDX files of a data set together (training images, training labels, test \
         images, test labels; plain or .gz): {picked} picked", picked = crate::lang::count_en(*.0, "file was", "files were")
    )]
    Count(usize),
    /// A name that says neither training nor test.
    #[error(
        "cannot tell whether '{0}' holds training or test data: its name should contain 'train', \
         or 't10k' or 'test', as the standard names do (train-images-idx3-ubyte.gz, \
         t10k-labels-idx1-ubyte.gz)"
    )]
    UnknownRole(String),
    /// Two files with the same role and kind.
    #[error("'{first}' and '{second}' are both the {role} {kind} file: pick one of each")]
    Duplicate {
        /// The file that took the place first.
        first: String,
        /// The file that wanted it too.
        second: String,
        role: &'static str,
        kind: IdxKind,
    },
    /// No file of one role and kind.
    #[error(
        "the {role} {kind} file is missing: pick train-images, train-labels, t10k-images and \
         t10k-labels (each plain or .gz)"
    )]
    Missing { role: &'static str, kind: IdxKind },
    /// A set with no images: nothing to train on, or nothing to measure accuracy on.
    #[error("'{name}' holds no images: the {role} set needs at least one")]
    Empty { name: String, role: &'static str },
    /// A file that is not a valid IDX file, or a pair that does not match.
    #[error(transparent)]
    Idx(#[from] IdxError),
}

impl FilesError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        let role_zh = |role: &str| {
            if role == "training" {
                "训练"
            } else {
                "测试"
            }
        };
        let kind_zh = |kind: &IdxKind| match kind {
            IdxKind::Images => "图像",
            IdxKind::Labels => "标签",
        };
        match self {
            Self::Count(n) => format!(
                "请一次选齐一个数据集的四个 IDX 文件（训练图像、训练标签、测试图像、测试标签，\
                 可以是 .gz）；现在选了 {n} 个。"
            ),
            Self::UnknownRole(name) => format!(
                "看不出“{name}”是训练数据还是测试数据：文件名应含 train，或 t10k、test，\
                 与标准文件名一致（如 train-images-idx3-ubyte.gz、t10k-labels-idx1-ubyte.gz）。"
            ),
            Self::Duplicate {
                first,
                second,
                role,
                kind,
            } => format!(
                "“{first}”和“{second}”都是{}{}文件：每种只选一个。",
                role_zh(role),
                kind_zh(kind)
            ),
            Self::Missing { role, kind } => format!(
                "缺少{}{}文件：请选 train-images、train-labels、t10k-images、t10k-labels \
                 四个文件（可以是 .gz）。",
                role_zh(role),
                kind_zh(kind)
            ),
            Self::Empty { name, role } => {
                format!("“{name}”里没有图像：{}集至少要有一张。", role_zh(role))
            }
            Self::Idx(e) => e.message_zh(),
        }
    }
}

/// One parsed file, by what it holds.
enum Parsed {
    Images(IdxImages),
    Labels(IdxLabels),
}

/// The training and test sets in four named files (each plain or gzip, in any order).
pub fn mnist_from_files(files: &[(String, Vec<u8>)]) -> Result<Mnist, FilesError> {
    if files.len() != FILES_PER_SET {
        return Err(FilesError::Count(files.len()));
    }
    // [role][kind]: the name and parsed content of each of the four files.
    let mut images: [Option<(&str, IdxImages)>; 2] = [None, None];
    let mut labels: [Option<(&str, IdxLabels)>; 2] = [None, None];
    for (name, bytes) in files {
        let role = Role::from_name(name).ok_or_else(|| FilesError::UnknownRole(name.clone()))?;
        let slot = role as usize;
        let (taken, kind) = match parse_either(name, bytes)? {
            Parsed::Images(parsed) => (
                images[slot].replace((name, parsed)).map(|t| t.0),
                IdxKind::Images,
            ),
            Parsed::Labels(parsed) => (
                labels[slot].replace((name, parsed)).map(|t| t.0),
                IdxKind::Labels,
            ),
        };
        if let Some(first) = taken {
            return Err(FilesError::Duplicate {
                first: first.to_owned(),
                second: name.clone(),
                role: role.words(),
                kind,
            });
        }
    }

    let [train_images, test_images] = images;
    let [train_labels, test_labels] = labels;
    Ok(Mnist {
        train: pair(Role::Train, train_images, train_labels)?,
        test: pair(Role::Test, test_images, test_labels)?,
    })
}

/// An image file, or else a label file: the magic number decides. A file whose bytes do not
/// say which (empty, cut short before its magic, a foreign magic) is described as the kind its
/// name says, so that an empty `t10k-labels` file is not called an image file.
fn parse_either(name: &str, bytes: &[u8]) -> Result<Parsed, IdxError> {
    match idx::parse_images(name, bytes) {
        Ok(images) => Ok(Parsed::Images(images)),
        Err(IdxError::Swapped { .. }) => idx::parse_labels(name, bytes).map(Parsed::Labels),
        Err(_) if name.to_ascii_lowercase().contains("label") => {
            idx::parse_labels(name, bytes).map(Parsed::Labels)
        }
        Err(error) => Err(error),
    }
}

fn pair(
    role: Role,
    images: Option<(&str, IdxImages)>,
    labels: Option<(&str, IdxLabels)>,
) -> Result<Dataset, FilesError> {
    let missing = |kind| FilesError::Missing {
        role: role.words(),
        kind,
    };
    let (images_name, images) = images.ok_or_else(|| missing(IdxKind::Images))?;
    let (labels_name, labels) = labels.ok_or_else(|| missing(IdxKind::Labels))?;
    let set = Dataset::from_parsed(images_name, images, labels_name, labels)?;
    if set.is_empty() {
        return Err(FilesError::Empty {
            name: images_name.to_owned(),
            role: role.words(),
        });
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mnist::IMAGE_BYTES;

    fn images_file(count: u32) -> Vec<u8> {
        let mut bytes = [2051u32, count, 28, 28]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect::<Vec<u8>>();
        bytes.extend((0..count as usize * IMAGE_BYTES).map(|i| (i % 256) as u8));
        bytes
    }

    fn labels_file(count: u32) -> Vec<u8> {
        let mut bytes = [2049u32, count]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect::<Vec<u8>>();
        bytes.extend((0..count).map(|i| (i % 10) as u8));
        bytes
    }

    fn standard_files() -> Vec<(String, Vec<u8>)> {
        vec![
            ("t10k-labels-idx1-ubyte".to_owned(), labels_file(2)),
            ("train-images-idx3-ubyte".to_owned(), images_file(3)),
            ("t10k-images-idx3-ubyte".to_owned(), images_file(2)),
            ("train-labels-idx1-ubyte".to_owned(), labels_file(3)),
        ]
    }

    #[test]
    fn four_files_in_any_order_make_the_training_and_test_sets() {
        let data = mnist_from_files(&standard_files()).expect("the four files make a data set");
        assert_eq!(data.train.len(), 3);
        assert_eq!(data.test.len(), 2);
        assert_eq!(data.train.label(2), 2);
    }

    #[test]
    fn gzip_files_are_read_like_plain_ones() {
        use std::io::Write;
        let mut files = standard_files();
        for (name, bytes) in &mut files {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(bytes).expect("gzip in memory");
            *bytes = encoder.finish().expect("gzip in memory");
            name.push_str(".gz");
        }
        let data = mnist_from_files(&files).expect("gzip files make a data set");
        assert_eq!((data.train.len(), data.test.len()), (3, 2));
    }

    #[test]
    fn three_files_are_refused_with_the_count() {
        let mut files = standard_files();
        files.pop();
        let error = mnist_from_files(&files).expect_err("three files are not a set");
        assert!(matches!(error, FilesError::Count(3)), "{error}");
    }

    #[test]
    fn a_name_without_train_or_test_is_refused_by_name() {
        let mut files = standard_files();
        files[1].0 = "digits.bin".to_owned();
        let error = mnist_from_files(&files).expect_err("no role in the name");
        assert!(error.to_string().contains("'digits.bin'"), "{error}");
    }

    #[test]
    fn two_training_image_files_are_refused_as_duplicates() {
        let mut files = standard_files();
        files[3] = ("train-images-copy".to_owned(), images_file(3));
        let error = mnist_from_files(&files).expect_err("two training image files");
        assert!(
            matches!(
                error,
                FilesError::Duplicate {
                    kind: IdxKind::Images,
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn a_file_that_is_not_idx_is_refused_with_its_name() {
        let mut files = standard_files();
        files[0].1 = b"<!doctype html><title>404</title>".to_vec();
        let error = mnist_from_files(&files).expect_err("an HTML page is no IDX file");
        assert!(
            matches!(error, FilesError::Idx(IdxError::Html { .. })),
            "{error}"
        );
        assert!(
            error.to_string().contains("t10k-labels-idx1-ubyte"),
            "{error}"
        );
    }

    #[test]
    fn an_empty_file_is_described_as_the_kind_its_name_says() {
        let mut files = standard_files();
        files[0].1 = Vec::new();
        let error = mnist_from_files(&files).expect_err("an empty file is no IDX file");
        assert!(
            matches!(
                error,
                FilesError::Idx(IdxError::Truncated {
                    kind: IdxKind::Labels,
                    expected: 8,
                    present: 0,
                    ..
                })
            ),
            "{error:?}"
        );
        assert!(
            error.message(Lang::Zh).contains("IDX 标签文件"),
            "{}",
            error.message(Lang::Zh)
        );
        files[0].1 = labels_file(2);
        files[1].1 = vec![0; 3];
        let error = mnist_from_files(&files).expect_err("a 3-byte file is no IDX file");
        assert!(
            matches!(
                error,
                FilesError::Idx(IdxError::Truncated {
                    kind: IdxKind::Images,
                    ..
                })
            ),
            "{error:?}"
        );
    }

    #[test]
    fn a_set_without_images_is_refused() {
        let mut files = standard_files();
        files[0].1 = labels_file(0);
        files[2].1 = images_file(0);
        let error = mnist_from_files(&files).unwrap_err();
        assert!(
            matches!(error, FilesError::Empty { role: "test", .. }),
            "{error}"
        );
        assert!(error.message(Lang::Zh).contains("测试集至少要有一张"));
    }

    #[test]
    fn label_count_differing_from_image_count_is_refused() {
        let mut files = standard_files();
        files[3].1 = labels_file(4);
        assert!(mnist_from_files(&files).is_err());
    }

    #[test]
    fn standard_names_give_their_roles() {
        assert_eq!(
            Role::from_name("t10k-images-idx3-ubyte.gz"),
            Some(Role::Test)
        );
        assert_eq!(
            Role::from_name("Train-Labels-idx1-ubyte"),
            Some(Role::Train)
        );
        assert_eq!(Role::from_name("fashion-test-images"), Some(Role::Test));
        assert_eq!(Role::from_name("images.idx"), None);
    }

    #[test]
    fn messages_read_in_both_languages_and_name_the_file() {
        let errors = [
            FilesError::Count(3),
            FilesError::UnknownRole("digits.gz".to_owned()),
            FilesError::Duplicate {
                first: "a-train-images".to_owned(),
                second: "b-train-images".to_owned(),
                role: Role::Train.words(),
                kind: IdxKind::Images,
            },
            FilesError::Missing {
                role: Role::Test.words(),
                kind: IdxKind::Labels,
            },
        ];
        for error in &errors {
            let zh = error.message(Lang::Zh);
            assert_eq!(error.message(Lang::En), error.to_string());
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{zh}"
            );
        }
        assert!(errors[1].message(Lang::Zh).contains("digits.gz"));
        assert!(errors[2].message(Lang::Zh).contains("训练图像"));
        assert!(errors[3].message(Lang::Zh).contains("缺少测试标签文件"));
    }
}
