#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mutate.sh [ID...]: each mutant of tests/mutants.txt applied alone to the source, built, and the
# non-live suites run (make check, live areas and the formatting check skipped); a mutant that leaves them passing SURVIVED
# and is a test to write. Run from a configured build tree at the top of the source (in-tree).
# The source is restored after each mutant, and at exit.
set -u
src=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
list=$src/tests/mutants.txt
saved=$(mktemp)
file=
restore() { [ -n "$file" ] && cp "$saved" "$src/$file"; file=; }
trap 'restore; rm -f "$saved"' EXIT
survived=0 killed=0
while IFS='|' read -r id f from to what; do
	case $id in '' | '#'*) continue ;; esac
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$id"; then continue; fi
	cp "$src/$f" "$saved"
	file=$f
	if ! python3 - "$src/$f" "$from" "$to" <<'PY'; then
import sys
p, a, b = sys.argv[1], sys.argv[2].replace('<NL>', '\n'), sys.argv[3].replace('<NL>', '\n')
s = open(p).read()
if a not in s:
    sys.exit(1)
open(p, 'w').write(s.replace(a, b, 1))
PY
		echo "$id: the text is no longer in $f: update tests/mutants.txt"
		restore
		survived=$((survived + 1))
		continue
	fi
	if ! make -j"$(nproc)" >"$saved.build" 2>&1; then
		echo "$id: does not build ($what): $(grep -m1 error "$saved.build")"
	elif OOMTRACE_SKIP_LIVE=mutation OOMTRACE_SKIP_FORMAT=mutation make -j"$(nproc)" check >"$saved.check" 2>&1; then
		echo "$id: SURVIVED: $what"
		survived=$((survived + 1))
	else
		echo "$id: killed ($what) by $(grep -E '^(FAIL|ERROR):' "$saved.check" | cut -d' ' -f2 | tr '\n' ' ')"
		killed=$((killed + 1))
	fi
	restore
done <"$list"
rm -f "$saved.build" "$saved.check"
make -j"$(nproc)" >/dev/null 2>&1
echo "mutate: $killed killed, $survived survived"
[ "$survived" -eq 0 ]
