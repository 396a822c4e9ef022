#!/usr/bin/env bash
# Every test, in Node (worker_threads) and headless Chromium (Web Workers), after a type-check.
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

npm run typecheck
npm run build   # dist/ for the tests that import the packages as a user's plain Node would
# A bounded soak: heap and handles must stay flat over 100k pool tasks and 200 lifecycles (exit 1 otherwise).
SOAK_TASKS=100000 SOAK_LIFECYCLES=200 npm run soak

report=.vitest-report.json
rm -f "$report"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
node scripts/summary.mjs "$report"
exit "$status"
