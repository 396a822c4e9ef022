#!/usr/bin/env bash
# The four packages as npm would publish them. Each is packed once (`npm pack`, into a scratch
# directory), then its tarball is checked by:
#   - publint --strict: package.json, exports, files (warnings count as errors);
#   - attw --profile esm-only: every export's types resolve under node16 (from ESM) and bundler
#     resolution (node10 and CommonJS `require` are not checked: the packages are ESM only);
#   - the tarball holds README.md and LICENSE.
# Needs dist/: run `npm run build` first (npm run test:all does). Exits 1 if any check fails.
set -uo pipefail
cd "$(dirname "$0")/.."

bin="$PWD/node_modules/.bin"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=()
for name in core transform browser node; do
  dir="packages/$name"
  echo "── @suitkaise/$name"
  if [ ! -f "$dir/dist/index.js" ]; then
    echo "$dir/dist is missing: run \`npm run build\` first" >&2
    failed+=("$name: not built")
    continue
  fi
  if ! packed=$(cd "$dir" && npm pack --json --silent --pack-destination "$scratch"); then
    failed+=("$name: npm pack")
    continue
  fi
  read -r tarball missing < <(node -e '
    const [entry] = JSON.parse(process.argv[1]);
    const files = new Set(entry.files.map((f) => f.path));
    console.log(entry.filename, ["README.md", "LICENSE"].filter((f) => !files.has(f)).join(","));
  ' "$packed")
  "$bin/publint" run "$scratch/$tarball" --strict || failed+=("$name: publint")
  "$bin/attw" "$scratch/$tarball" --profile esm-only --format ascii --no-emoji --no-color || failed+=("$name: attw")
  if [ -n "$missing" ]; then
    echo "the tarball of @suitkaise/$name lacks: $missing" >&2
    failed+=("$name: tarball lacks $missing")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "package checks failed: $(printf '%s; ' "${failed[@]}")" >&2
  exit 1
fi
echo 'package checks: publint --strict and attw --profile esm-only clean, README.md and LICENSE packed, for all four packages'
