#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# live.sh BACKEND: every live section (tests/live/*.sh) for one backend, one after another, with
# one verdict "live BACKEND: P passed, F failed, S skipped" (what the VM guests run; make check
# runs each section on its own). The bcc sections share one cache of the compiled program, as one
# tracer on a host would. Exit 0, 1 on any failure, 77 when nothing could run.
set -u
BACKEND=${1:-libbpf}
here=$(cd "$(dirname "$0")" && pwd)/live
# OOMTRACE_LIVE_SECTIONS: some of them only (a quicker look at a guest)
sections=${OOMTRACE_LIVE_SECTIONS:-bcc-no-headers bcc-cache pidns killers why ustack probes long-path burst loss privilege unit shared-memcg bcc-child names storm stopping}
LIVE_BACKENDS=$BACKEND
LIVE_BCC_CACHE=$(mktemp -d)
log=$(mktemp)
export LIVE_BACKENDS LIVE_BCC_CACHE
trap 'rm -rf "$LIVE_BCC_CACHE" "$log"' EXIT
pass=0 fail=0 skipped=0
for s in $sections; do
	bash "$here/$s.sh" >"$log" 2>&1
	cat "$log"
	out=$(tail -1 "$log")
	case $out in
	"live $s: "*)
		set -- $(echo "$out" | sed 's/.*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/')
		pass=$((pass + $1)) fail=$((fail + $2)) skipped=$((skipped + $3)) ;;
	"SKIP: "*) ;;
	*) echo "FAIL: $s: no verdict ($out)"; fail=$((fail + 1)) ;;
	esac
done
echo "live $BACKEND: $pass passed, $fail failed, $skipped skipped"
[ $fail -eq 0 ] || exit 1
[ $pass -gt 0 ] || exit 77
exit 0
