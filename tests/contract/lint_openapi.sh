#!/usr/bin/env bash
# lint_openapi.sh ROOT — proto/openapi.yaml under @redocly/cli lint (the version pinned in tools/npm, installed by
# the ctest fixture npm_tools) with proto/redocly.yaml: the recommended rules. Fails on any error or warning.
set -euo pipefail
root="$1"
redocly="$root/tools/npm/node_modules/@redocly/cli/bin/cli.js"
if [ ! -f "$redocly" ]; then
    echo "FAIL @redocly/cli is not installed in tools/npm/node_modules: run scripts/npm-tools (npm ci; needs the npm registry)"
    exit 1
fi
lint() { node "$redocly" lint --config "$root/proto/redocly.yaml" "$root/proto/openapi.yaml" "$@"; }
totals="$(lint --format=json 2>/dev/null | node -e '
    let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
        const t = JSON.parse(s).totals; console.log(`${t.errors} ${t.warnings} ${t.ignored}`); });')" || true
read -r errors warnings ignored <<<"${totals:-x x x}"
if [ "$errors" = 0 ] && [ "$warnings" = 0 ]; then
    echo "openapi.yaml lint-clean: 0 errors, 0 warnings ($ignored ignored on purpose, see proto/redocly.yaml)"
    exit 0
fi
lint --format=stylish 2>&1 | grep -v '[║╔╚]' || true
echo "FAIL openapi.yaml: ${errors} errors, ${warnings} warnings under @redocly/cli lint"
exit 1
