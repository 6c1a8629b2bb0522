#!/usr/bin/env bash
# A benchmark, not a test: the simulator's speed at 6 to 1,000 nodes, natively
# (`clusterlab bench`) and as the playground's release wasm in a Web Worker in headless Chromium;
# `page` measures the built playground itself with a big world (tests/e2e/big-world.mjs).
# Usage: scripts/bench.sh [native|wasm|both|page] [NODES...]   (both; all sizes)
#        BENCH_SECONDS=S sets the virtual seconds of the steady phase (60);
#        BENCH_PLAY_SECONDS=S the real seconds `page` plays the clock (30);
#        BENCH_KILL=PORT has `page` kill that server at half time (a failover).
# docs/PERFORMANCE.md explains the columns and records results.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
what=${1:-both}
[ $# -gt 0 ] && shift
sizes=("$@")
secs=${BENCH_SECONDS:-60}
case "$what" in native | wasm | both | page) ;; *)
  echo "usage: scripts/bench.sh [native|wasm|both|page] [NODES...]" >&2
  exit 2
  ;;
esac
if [ "$what" = page ]; then
  [ ${#sizes[@]} -gt 0 ] || sizes=(100 300)
  echo "== the playground's page in headless Chromium (trunk build --release)"
  trunk build --release
  exec node tests/e2e/big-world.mjs "${sizes[@]}"
fi
if [ "$what" != wasm ]; then
  echo "== native (profile native-release)"
  cargo build --locked --quiet --profile native-release -p clusterlab
  target/native-release/clusterlab bench "${sizes[@]}" --seconds "$secs"
fi
if [ "$what" != native ]; then
  echo "== wasm in headless Chromium (profile release, as shipped)"
  list=$(
    IFS=,
    echo "${sizes[*]}"
  )
  # Chromium's profile goes to a temp dir of our own: the runner stops it without cleaning up.
  browser_tmp="$PWD/target/browser-tmp"
  mkdir -p "$browser_tmp"
  trap 'rm -rf "$browser_tmp"' EXIT
  # The page is busy for minutes at 1,000 nodes: the runner must wait that long for it.
  TMPDIR=$browser_tmp WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-7200} \
    CLUSTERLAB_BENCH_SIZES=$list CLUSTERLAB_BENCH_SECONDS=$secs \
    cargo test --locked --release --target wasm32-unknown-unknown -p clusterlab-web \
    --test bench -- --include-ignored --nocapture 2>&1 |
    grep -E '^(seed-failover| +nodes| +[0-9]+ )'
fi
