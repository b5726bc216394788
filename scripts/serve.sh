#!/usr/bin/env bash
# Builds Price War Lab and serves it on http://127.0.0.1:8080, rebuilding when a source changes.
# Installs whatever building needs first (see scripts/setup.sh). Ctrl-C stops the server.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh --for serve
if [[ -f "${CARGO_HOME:-$HOME/.cargo}/env" ]]; then
  # shellcheck disable=SC1091
  source "${CARGO_HOME:-$HOME/.cargo}/env"
fi

address=127.0.0.1
port=8080
echo
echo "================================================================"
echo "  Price War Lab: http://${address}:${port}/"
echo "  (open it once the first build below says it is done; Ctrl-C stops)"
echo "================================================================"
echo

# --release: the trainer's samples/s are only meaningful for an optimised build, and the
# browser test builds the same way. --offline: Trunk uses the installed wasm-bindgen and
# never downloads a tool; setup.sh has fetched the crates.
exec trunk serve --release --offline --skip-version-check --address "$address" --port "$port"
