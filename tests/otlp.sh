#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# otlp.sh: --format otlp-json of every fixture (and of lost events) checked with the OpenTelemetry
# project's own JavaScript packages (tests/otel/check.mjs): the project's serializer writes the
# same request, and no fact is lost. The packages (tests/otel/package-lock.json) are installed once
# from the npm registry into the build tree ($OTEL_NODE_MODULES to use others); without node,
# npm or the registry: SKIP with the reason.
set -u
srcdir=${srcdir:-$(dirname "$0")/..}
OOMTRACE=${OOMTRACE:-./oomtrace}
. "$srcdir/tests/lib.sh"
command -v node >/dev/null || skip_all "no node here (the OpenTelemetry packages are JavaScript)"
mods=${OTEL_NODE_MODULES:-}
if [ -z "$mods" ]; then
	dir=$(pwd)/tests/otel-node
	if [ ! -d "$dir/node_modules/@opentelemetry/otlp-transformer" ]; then
		command -v npm >/dev/null || skip_all "no npm here to install the OpenTelemetry packages"
		mkdir -p "$dir" && cp "$srcdir/tests/otel/package.json" "$srcdir/tests/otel/package-lock.json" "$dir/" &&
			(cd "$dir" && timeout 300 npm ci --no-audit --no-fund >npm.log 2>&1) ||
			skip_all "npm ci of the OpenTelemetry packages failed: $(tail -1 "$dir/npm.log" 2>/dev/null)"
	fi
	mods=$dir/node_modules
fi
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
export TZ=UTC

n=0
for log in "$srcdir"/fixtures/*.log; do
	name=$(basename "$log" .log)
	"$OOMTRACE" --backend replay --year 2026 --format json "$log" >"$t/e.json" 2>/dev/null
	"$OOMTRACE" --backend replay --year 2026 --format otlp-json "$log" >"$t/e.otlp" 2>"$t/err" ||
		{ bad "$name: otlp-json exit $?: $(head -1 "$t/err")"; continue; }
	out=$(OTEL_NODE_MODULES=$mods node "$srcdir/tests/otel/check.mjs" "$t/e.json" "$t/e.otlp" 2>&1) &&
		ok || bad "$name: $out"
	n=$((n + 1))
done
# events lost in transport: a record of their own
printf '{"lost":3}\n' >"$t/lost.jsonl"
head -1 "$srcdir/fixtures/6.18-x86_64-memcg-v1-burst-json.json" >>"$t/lost.jsonl"
"$OOMTRACE" --events "$t/lost.jsonl" --format json >"$t/e.json" 2>/dev/null
"$OOMTRACE" --events "$t/lost.jsonl" --format otlp-json >"$t/e.otlp" 2>/dev/null
out=$(OTEL_NODE_MODULES=$mods node "$srcdir/tests/otel/check.mjs" "$t/e.json" "$t/e.otlp" 2>&1) &&
	ok "lost events: $out" || bad "lost events: $out"
echo "otlp: $n fixtures"
verdict otlp
