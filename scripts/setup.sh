#!/usr/bin/env bash
# Installs whatever Price War Lab needs that this machine lacks, and checks the versions of the
# tools that must match the project exactly. Safe to run again: what is present is skipped.
#
#   bash scripts/setup.sh              everything: build, serve and test
#   bash scripts/setup.sh --for serve  only what building and serving the app needs
#
# Made for Debian 12 with rustup's stable Rust and Node 20, as root (or with sudo).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

purpose=test
if [[ "${1:-}" == "--for" ]]; then
  purpose="${2:-}"
fi
case "$purpose" in
  serve | test) ;;
  *)
    echo "usage: bash scripts/setup.sh [--for serve|test]" >&2
    exit 2
    ;;
esac

say() { echo "setup: $*"; }
fail() {
  echo "setup: ERROR: $*" >&2
  exit 1
}

# rustup installs into ~/.cargo/bin; a fresh login shell may not have it on PATH yet.
if ! command -v cargo >/dev/null 2>&1 && [[ -f "${CARGO_HOME:-$HOME/.cargo}/env" ]]; then
  # shellcheck disable=SC1091
  source "${CARGO_HOME:-$HOME/.cargo}/env"
fi
command -v cargo >/dev/null 2>&1 || fail "cargo not found: install Rust with rustup (https://rustup.rs), then run this again"
command -v rustup >/dev/null 2>&1 || fail "rustup not found: this project expects rustup's stable toolchain"

# --- Debian packages -----------------------------------------------------------------------
# chromium: the real-browser test (headless, WebGPU on SwiftShader);
# chromium-driver: WebDriver for the same browser;
# mesa-vulkan-drivers: lavapipe, a Vulkan device on the CPU for the native wgpu tests;
# dataset-fashion-mnist: full-size IDX files (60,000 + 10,000) for the loader tests;
# g++ (where no C++ compiler is present): libFuzzer, built by cargo fuzz.
apt_wanted=()
if ! command -v cc >/dev/null 2>&1; then
  apt_wanted+=(gcc libc6-dev) # linker and C runtime for Rust's native builds
fi
if [[ "$purpose" == test ]]; then
  apt_wanted+=(chromium chromium-driver mesa-vulkan-drivers dataset-fashion-mnist fonts-wqy-microhei)
  if ! command -v c++ >/dev/null 2>&1; then
    apt_wanted+=(g++) # cargo fuzz builds libFuzzer, which is C++
  fi
fi
apt_missing=()
for package in "${apt_wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
    apt_missing+=("$package")
  fi
done
if ((${#apt_missing[@]} > 0)); then
  as_root=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || fail "need root (or sudo) to install: ${apt_missing[*]}"
    as_root=(sudo)
  fi
  say "installing Debian packages: ${apt_missing[*]}"
  "${as_root[@]}" apt-get update
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${apt_missing[@]}"
else
  say "Debian packages present: ${apt_wanted[*]:-(none needed)}"
fi

# --- Rust: the wasm target and, for the checks, rustfmt and clippy --------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
else
  say "Rust target wasm32-unknown-unknown present"
fi
if [[ "$purpose" == test ]]; then
  for component in rustfmt clippy; do
    if ! rustup component list --installed | grep -q "^${component}"; then
      say "adding the Rust component $component"
      rustup component add "$component"
    fi
  done
fi

# --- wasm-bindgen: the CLI must be the exact version of the crate in Cargo.lock -------------
if [[ ! -f Cargo.lock ]]; then
  say "no Cargo.lock: resolving dependencies to create it"
  cargo generate-lockfile
fi
wasm_bindgen_locked="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[[ -n "$wasm_bindgen_locked" ]] || fail "Cargo.lock names no wasm-bindgen crate; is this the Price War Lab repository?"

wasm_bindgen_installed() {
  if command -v wasm-bindgen >/dev/null 2>&1; then
    wasm-bindgen --version | awk '{ print $2 }'
  fi
}
if [[ "$(wasm_bindgen_installed)" != "$wasm_bindgen_locked" ]]; then
  say "installing wasm-bindgen-cli $wasm_bindgen_locked (found: '$(wasm_bindgen_installed)'); takes a few minutes"
  # Not --locked: the CLI's own lock file names a crate version that this registry lacks.
  cargo install wasm-bindgen-cli --version "=$wasm_bindgen_locked" --force
else
  say "wasm-bindgen-cli $wasm_bindgen_locked present"
fi

# --- Trunk 0.21 (0.22 needs a newer rustc than 1.95) -----------------------------------------
trunk_installed() {
  if command -v trunk >/dev/null 2>&1; then
    trunk --version | awk '{ print $2 }'
  fi
}
if [[ "$(trunk_installed)" != 0.21.* ]]; then
  say "installing trunk ~0.21 (found: '$(trunk_installed)'); takes about ten minutes on two cores"
  cargo install trunk --version '~0.21' --locked
else
  say "trunk $(trunk_installed) present"
fi

# --- cargo-fuzz and cargo-deny: the loader's fuzz target and the dependency review ----------
# Exact versions, built from their own Cargo.lock (--locked); both build with rustc 1.95.
cargo_tool_version() {
  # "cargo-fuzz 0.13.2" → "0.13.2"; empty when the subcommand is missing.
  cargo "$1" --version 2>/dev/null | awk '{ print $2 }'
}
if [[ "$purpose" == test ]]; then
  for tool in fuzz:0.13.2 deny:0.20.2; do
    subcommand="${tool%%:*}"
    version="${tool#*:}"
    if [[ "$(cargo_tool_version "$subcommand")" != "$version" ]]; then
      say "installing cargo-$subcommand $version (found: '$(cargo_tool_version "$subcommand")'); takes a few minutes"
      cargo install "cargo-$subcommand" --version "=$version" --locked --force
    else
      say "cargo-$subcommand $version present"
    fi
  done
fi

# --- Node packages: playwright-core (drives Debian's chromium) and mnist (the data) ---------
if [[ "$purpose" == test ]]; then
  command -v node >/dev/null 2>&1 || fail "node not found: install Node.js 20 or newer"
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  ((node_major >= 20)) || fail "Node.js $(node --version) is too old: playwright-core needs 20 or newer"
  lock_hash="$(sha256sum package-lock.json | awk '{ print $1 }')"
  stamp=node_modules/.price-war-lab-lock.sha256
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_hash" ]]; then
    say "installing Node packages from package-lock.json (npm ci)"
    # No browser download: playwright-core has no install script, and we use /usr/bin/chromium.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
    echo "$lock_hash" >"$stamp"
  else
    say "Node packages up to date with package-lock.json"
  fi
fi

# --- Crates: download them now, so the builds can run with --offline ---------------------------
say "fetching the crates in Cargo.lock (cargo fetch --locked; quick when they are cached)"
cargo fetch --locked --quiet

# --- Versions that must agree before any build ------------------------------------------------
installed="$(wasm_bindgen_installed)"
if [[ "$installed" != "$wasm_bindgen_locked" ]]; then
  fail "wasm-bindgen CLI is $installed but Cargo.lock has wasm-bindgen $wasm_bindgen_locked; they must be equal: run 'cargo install wasm-bindgen-cli --version =$wasm_bindgen_locked --force'"
fi
if [[ -f Trunk.toml ]]; then
  pinned="$(sed -n 's/^[[:space:]]*wasm_bindgen[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' Trunk.toml | head -n 1)"
  if [[ -z "$pinned" ]]; then
    fail "Trunk.toml pins no wasm-bindgen version: add wasm_bindgen = \"$wasm_bindgen_locked\" under [tools], the version in Cargo.lock"
  fi
  if [[ "$pinned" != "$wasm_bindgen_locked" ]]; then
    fail "Trunk.toml pins wasm_bindgen $pinned but Cargo.lock has wasm-bindgen $wasm_bindgen_locked; they must be equal"
  fi
fi
say "ready: $(cargo --version), trunk $(trunk_installed), wasm-bindgen $installed (Cargo.lock: $wasm_bindgen_locked)"
