#!/usr/bin/env bash
# Installs what is missing, builds the playground and serves it at http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
echo "serve: building and serving ClusterLab at http://127.0.0.1:${PORT:-8080} (Ctrl-C stops)"
# No auto-reload: its injected script would break the page's Content-Security-Policy.
exec trunk serve --release --no-autoreload --address 127.0.0.1 --port "${PORT:-8080}" --disable-address-lookup
