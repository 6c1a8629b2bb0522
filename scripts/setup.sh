#!/usr/bin/env bash
# Installs whatever ClusterLab's build and tests need and is missing, at pinned versions.
# Idempotent and quiet: a warm machine passes through in about a second.
# Everything comes from package registries (Debian, crates.io, npm) by name; nothing is
# downloaded from anywhere else, and trunk is never allowed to fetch tools itself.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
LOGS="$ROOT/target/setup-logs"
mkdir -p "$LOGS"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen version in Cargo.lock
TRUNK_VERSION=0.21.14          # trunk 0.22 needs a newer rustc than the pinned 1.95
WASM_OPT_VERSION=132           # binaryen from npm; Debian's 108 rejects current wasm-bindgen output

step() { printf 'setup: %s\n' "$*"; }

# Runs an install command with its output in a log; on failure shows the log's end and stops.
run_logged() {
  local name=$1
  shift
  if ! "$@" >"$LOGS/$name.log" 2>&1; then
    echo "setup: FAILED: $*" >&2
    echo "setup: last lines of $LOGS/$name.log:" >&2
    tail -n 30 "$LOGS/$name.log" >&2
    exit 1
  fi
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root (or sudo) to run: $*" >&2
    exit 1
  fi
}

# 1. Debian packages: Chromium and its driver for browser tests, Node for wasm-opt and e2e,
#    Redis for the differential test.
missing_debs=()
command -v chromium >/dev/null || missing_debs+=(chromium)
command -v chromedriver >/dev/null || missing_debs+=(chromium-driver)
command -v node >/dev/null || missing_debs+=(nodejs)
command -v npm >/dev/null || missing_debs+=(npm)
# Real Redis 7.0 (Debian bookworm's 7.0.15) for the differential test.
command -v redis-server >/dev/null || missing_debs+=(redis-server)
if [ ${#missing_debs[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing_debs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  run_logged apt-update as_root apt-get update
  run_logged apt-install as_root apt-get install -y --no-install-recommends "${missing_debs[@]}"
fi

# 2. Rust: the toolchain file asks for the wasm target, rustfmt and clippy; make sure they are here.
command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust with rustup first" >&2; exit 1; }
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  run_logged rustup-target rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    step "adding rustup component $component"
    run_logged "rustup-$component" rustup component add "$component"
  fi
done

# 3. wasm-bindgen-cli, exactly the version in Cargo.lock (not --locked: its own lockfile pins
#    a crate that is no longer in the index).
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  run_logged wasm-bindgen-cli cargo install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# 4. trunk.
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  step "installing trunk $TRUNK_VERSION (about ten minutes)"
  run_logged trunk cargo install --force --locked trunk --version "$TRUNK_VERSION"
fi

# 5. npm tools: wasm-opt (binaryen) for trunk, playwright-core to drive Chromium, axe-core.
if ! wasm-opt --version 2>/dev/null | grep -q "version $WASM_OPT_VERSION" \
  || [ ! -d node_modules/playwright-core ] \
  || [ ! -d node_modules/axe-core ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm tools (binaryen $WASM_OPT_VERSION, playwright-core, axe-core)"
  run_logged npm-ci npm ci --no-audit --no-fund
fi

# 6. Crates, so builds can run offline.
run_logged cargo-fetch cargo fetch --locked
