#!/usr/bin/env bash
# Installs what is missing and runs every ClusterLab check and test:
# format, lints, dependency rules, native tests, wasm tests in headless Chromium, the scenario
# files through the CLI, and end-to-end tests of the built site in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR=never

RESULTS="$ROOT/target/test-results.log"
: >"$RESULTS"
section() { printf '\n==== %s\n' "$*"; }
# Runs a test command, keeping its output for the final count.
run_tests() { "$@" 2>&1 | tee -a "$RESULTS"; }

section "format"
cargo fmt --all -- --check

section "clippy (native and wasm)"
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked -p clusterlab-web --target wasm32-unknown-unknown --all-targets -- -D warnings
# The page and its worker are built without the page-engine feature (web/index.html).
cargo clippy --locked -p clusterlab-web --target wasm32-unknown-unknown --no-default-features --bins -- -D warnings

section "dependency rules: no getrandom in the core crates' wasm build"
for crate in cluster-proto cluster-sim console; do
  found=$(cargo tree --locked -p "$crate" --target wasm32-unknown-unknown -e normal,build -i getrandom 2>/dev/null || true)
  if [ -n "$found" ]; then
    echo "error: $crate depends on getrandom for wasm32; the core must use only seeded randomness:" >&2
    echo "$found" >&2
    exit 1
  fi
  echo "ok: $crate"
done

section "native tests"
run_tests cargo test --locked --workspace

section "wasm tests in headless Chromium"
# The test runner stops chromedriver without letting Chromium delete its profile (about 60 MB
# per test binary): give it a temp dir of its own and empty it afterwards.
BROWSER_TMP="$ROOT/target/browser-tmp"
rm -rf "$BROWSER_TMP" && mkdir -p "$BROWSER_TMP"
trap 'rm -rf "$BROWSER_TMP"' EXIT
run_tests env TMPDIR="$BROWSER_TMP" cargo test --locked --target wasm32-unknown-unknown \
  -p cluster-proto -p cluster-sim -p console -p clusterlab-web

section "scenario files through the clusterlab CLI"
run_tests cargo run --locked -q -p clusterlab -- check tests/scenarios/*.txt crates/console/presets/*.txt

section "exercises through the clusterlab CLI (what teachers' CI runs)"
ok=0
for x in crates/console/exercises/*.txt; do
  stem=tests/exercises/$(basename "$x" .txt)
  cargo run --locked -q -p clusterlab -- exercise check "$x" --solution "$stem.solution.txt"
  cargo run --locked -q -p clusterlab -- exercise check "$x" --solution "$stem.wrong.txt" >/dev/null && {
    echo "error: $stem.wrong.txt solves $x" >&2
    exit 1
  }
  ok=$((ok + 1))
done
echo "$ok passed, 0 failed" | tee -a "$RESULTS"

section "differential: scenario files on ClusterLab and on real redis-server 7.0 (about 75 s)"
# Debian's package starts a server on 6379 on install; the test uses its own ports (7000-7003).
if ! redis-server --version | grep -q 'v=7\.0\.'; then
  echo "error: the differential test needs Redis 7.0; found: $(redis-server --version)" >&2
  exit 1
fi
run_tests cargo test --locked -p scenarios --test differential -- --ignored --test-threads 1

section "end to end: trunk build, then the site in headless Chromium"
trunk build --release
run_tests node --test tests/e2e/

section "summary"
# Adds up cargo's "test result:" lines, node's "# pass/# fail" and clusterlab check's count.
awk '
  /^test result: / { for (i = 1; i < NF; i++) { if ($(i+1) ~ /^passed;?$/) p += $i; if ($(i+1) ~ /^failed;?$/) f += $i } }
  /^# pass [0-9]+$/ { p += $3 }
  /^# fail [0-9]+$/ { f += $3 }
  /^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
  END { printf "summary: %d passed, %d failed\n", p, f; exit (f > 0) }
' "$RESULTS"
