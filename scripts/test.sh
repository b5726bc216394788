#!/usr/bin/env bash
# Runs every test of Price War Lab, stopping at the first failure with a non-zero exit:
# formatting, clippy (native and wasm32), the native tests (GPU tests on Mesa's lavapipe),
# the release build of the web app, and the real-browser tests in headless Chromium.
# Installs whatever is missing first (see scripts/setup.sh). CI runs exactly this (.ci/run).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=$SECONDS
step() {
  local name="$1"
  shift
  local step_started=$SECONDS
  echo
  echo "==> ${name}: $*"
  if "$@"; then
    echo "<== ${name}: ok ($((SECONDS - step_started)) s)"
  else
    local status=$?
    echo
    echo "FAILED at step '${name}' (exit ${status}, after $((SECONDS - started)) s in all): $*" >&2
    exit "$status"
  fi
}

step setup bash scripts/setup.sh --for test
if [[ -f "${CARGO_HOME:-$HOME/.cargo}/env" ]]; then
  # shellcheck disable=SC1091
  source "${CARGO_HOME:-$HOME/.cargo}/env"
fi

# The native GPU tests need a Vulkan driver; on a machine without a GPU that is lavapipe.
# Nothing here selects or fakes an adapter: a test that finds none fails.
lavapipe_present() {
  if compgen -G '/usr/share/vulkan/icd.d/lvp_icd.*.json' >/dev/null; then
    echo "Vulkan drivers: $(cd /usr/share/vulkan/icd.d && echo *.json)"
  else
    echo "no lavapipe Vulkan driver in /usr/share/vulkan/icd.d: install mesa-vulkan-drivers" >&2
    return 1
  fi
}
step lavapipe lavapipe_present

step fmt cargo fmt --check
step clippy-native cargo clippy --locked --all-targets -- -D warnings
step clippy-wasm32 cargo clippy --locked --all-targets --target wasm32-unknown-unknown -- -D warnings
step cargo-test cargo test --locked --no-fail-fast
# Licences, banned or duplicate crates, and sources (crates.io only) of the dependency tree;
# the advisories check needs the RustSec database, which cannot be fetched here.
step cargo-deny cargo deny --locked check --hide-inclusion-graph licenses bans sources

# Fuzzes the IDX + gzip loader for FUZZ_SECONDS (60 by default) from the seeds in fuzz/seeds,
# on the stable toolchain (--sanitizer none; see README, "Reliability"). A crash fails the
# step and leaves the input in fuzz/artifacts/idx/ for a regression test in tests/idx.rs.
fuzz_idx_loader() {
  local seconds="${FUZZ_SECONDS:-60}"
  local corpus log
  corpus="$(mktemp -d)"
  log="$(mktemp)"
  (cd fuzz && cargo fuzz build --sanitizer none --target-dir target idx) || return
  local status=0
  (cd fuzz && cargo fuzz run --sanitizer none --target-dir target idx "$corpus" seeds/idx -- \
    -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1) >"$log" 2>&1 ||
    status=$?
  if ((status != 0)); then
    tail -n 40 "$log" >&2
    echo "the fuzzer found an input that breaks the loader: see fuzz/artifacts/idx/" >&2
  else
    local runs
    runs="$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 executions in \2 s/p' "$log")"
    echo "fuzz: ${runs:-an unknown number of executions}, no crash, $(find "$corpus" -type f | wc -l) inputs in the corpus"
  fi
  rm -rf "$corpus" "$log"
  return "$status"
}
step fuzz fuzz_idx_loader
# --offline: Trunk must use the installed wasm-bindgen (checked by setup.sh), never download.
step trunk-build trunk build --release --offline --skip-version-check
# One test file at a time: the trainer test needs both cores for SwiftShader.
step browser node --test --test-concurrency=1 tests/browser/

echo
echo "All tests passed in $((SECONDS - started)) s."
