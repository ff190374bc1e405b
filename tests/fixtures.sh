#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fixtures.sh: golden tests: every fixtures/*.log replayed to JSON (and text/bcc where an
# expected file exists) must match byte for byte; JSON must survive the round trip
# format json -> replay --events -> format json unchanged.
# Usage: fixtures.sh [--update]   (--update rewrites the expected files; review the diff!)
set -u
srcdir=${srcdir:-$(dirname "$0")/..}
OOMTRACE=${OOMTRACE:-./oomtrace}
fx="$srcdir/fixtures"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC
update=0
[ "${1:-}" = "--update" ] && update=1
pass=0 fail=0

check() { # name expected actual
	if [ $update = 1 ]; then
		cp "$3" "$2"
	elif cmp -s "$2" "$3"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1"
		diff -u "$2" "$3" | head -20
	fi
}

for log in "$fx"/*.log; do
	base=${log%.log}
	name=$(basename "$base")
	"$OOMTRACE" --backend replay --year 2026 --format json "$log" >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail=$((fail + 1))
		echo "FAIL: $name: exit $rc: $(cat "$tmp/err")"
		continue
	fi
	check "$name json" "$base.json" "$tmp/out.json"
	if [ ! -s "$tmp/out.json" ]; then
		fail=$((fail + 1))
		echo "FAIL: $name: no events"
	fi
	for f in text bcc; do
		[ -f "$base.$f" ] || [ $update = 1 -a $f = text ] || continue
		if [ $f = text ]; then
			"$OOMTRACE" --backend replay --year 2026 -v "$log" >"$tmp/out.$f" 2>/dev/null
		else
			"$OOMTRACE" --backend replay --year 2026 --format bcc "$log" >"$tmp/out.$f"
		fi
		check "$name $f" "$base.$f" "$tmp/out.$f"
	done
	# round trip through recorded events
	"$OOMTRACE" --backend replay --events "$tmp/out.json" --format json >"$tmp/rt.json"
	if [ $update = 0 ]; then
		if cmp -s "$tmp/out.json" "$tmp/rt.json"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL: $name: JSON round trip differs"
			diff -u "$tmp/out.json" "$tmp/rt.json" | head -10
		fi
	fi
done
echo "fixtures: $pass passed, $fail failed"
[ $fail -eq 0 ]
