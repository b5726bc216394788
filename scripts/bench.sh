#!/usr/bin/env bash
# The benchmark of issue 4: the article's MLP on the app's MNIST files through this app's
# WebGPU trainer in headless Chromium, TensorFlow.js (WebGPU, wasm), jax-js (WebGPU, wasm),
# the native trainer (wgpu adapter, CPU) and PyTorch on the CPU. See docs/BENCHMARKS.md.
#
#   bash scripts/bench.sh                 # 5 epochs, every system
#   bash scripts/bench.sh --quick         # 1 epoch
#   bash scripts/bench.sh --epochs 3
#   bash scripts/bench.sh --only a,b,c    # some systems (letters or names, see bench/run.mjs)
#   bash scripts/bench.sh --no-torch      # skip installing PyTorch (its line then says why)
#
# Installs what it needs first (not timed): the root npm packages (playwright-core),
# bench/'s npm packages (TensorFlow.js, jax-js), PyTorch into bench/.venv (about 5 GB, since
# PyPI's Linux wheel pulls CUDA libraries), the release build of the web app when dist/ is
# missing or older than its sources, and the native trainer. Prints JSON lines and a table.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

TORCH_VERSION=2.15.0
install_torch=1
args=()
for arg in "$@"; do
  case "$arg" in
    --no-torch) install_torch=0 ;;
    *) args+=("$arg") ;;
  esac
done

say() { printf '[bench.sh] %s\n' "$*" >&2; }

if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then
  say "Chromium missing: run 'bash scripts/setup.sh' first"
  exit 1
fi

if [ ! -d node_modules/playwright-core ]; then
  say "npm ci (repository root: playwright-core)"
  npm ci --no-audit --no-fund >&2
fi
if [ ! -d bench/node_modules/@jax-js/jax ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
  say "npm ci in bench/ (TensorFlow.js, jax-js)"
  (cd bench && npm ci --no-audit --no-fund >&2)
fi

if [ "$install_torch" = 1 ] && ! bench/.venv/bin/python -c "import torch" 2>/dev/null; then
  say "installing PyTorch $TORCH_VERSION into bench/.venv (PyPI; about 5 GB with its CUDA libraries)"
  python3 -m venv bench/.venv
  if ! bench/.venv/bin/pip install --disable-pip-version-check -q "torch==$TORCH_VERSION" numpy >&2; then
    say "PyTorch could not be installed; its line will carry the error"
    rm -rf bench/.venv
  fi
fi

# The web app: rebuild when dist/ is missing or any of its inputs is newer than it.
stale=0
if [ ! -f dist/index.html ]; then
  stale=1
elif [ -n "$(find src index.html style public Cargo.toml Cargo.lock Trunk.toml -newer dist/index.html -print -quit 2>/dev/null)" ]; then
  stale=1
fi
if [ "$stale" = 1 ]; then
  say "trunk build --release (dist/ is missing or older than its sources)"
  trunk build --release >&2
fi

say "cargo build --release --bin train"
cargo build --release --bin train >&2

say "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (on $(nproc) cores)"
exec node "$ROOT/bench/run.mjs" "${args[@]}"
