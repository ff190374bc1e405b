#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# format.sh: every C source is formatted as the repo's .clang-format says (clang-format 14, as
# Debian 12 ships it: other versions break lines differently, so they SKIP rather than disagree).
set -u
srcdir=${srcdir:-$(dirname "$0")/..}
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
. "$srcdir/tests/lib.sh"
[ -n "${OOMTRACE_SKIP_FORMAT:-}" ] && skip_all "OOMTRACE_SKIP_FORMAT=$OOMTRACE_SKIP_FORMAT"
command -v "$CLANG_FORMAT" >/dev/null || skip_all "no clang-format here (apt-get install clang-format)"
v=$("$CLANG_FORMAT" --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
[ "$v" = 14 ] || skip_all "clang-format $v: the sources are kept formatted by clang-format 14"
[ -f "$srcdir/.clang-format" ] || skip_all "no .clang-format in $srcdir"
err=$(mktemp)
trap 'rm -f "$err"' EXIT
n=0
for f in $(find "$srcdir/core" "$srcdir/live" "$srcdir/outputs" "$srcdir/program" "$srcdir/replay" \
	"$srcdir/backends" "$srcdir/tests" -name '*.[ch]' ! -name '*.skel.h' ! -name 'config.h' | sort); do
	n=$((n + 1))
	if "$CLANG_FORMAT" --style=file:"$srcdir/.clang-format" --dry-run --Werror "$f" 2>"$err"; then
		ok
	else
		bad "$f is not formatted as .clang-format says (clang-format -i it): $(head -2 "$err" | tr '\n' ' ')"
	fi
done
[ "$n" -gt 50 ] || bad "only $n C sources found under $srcdir"
verdict format
