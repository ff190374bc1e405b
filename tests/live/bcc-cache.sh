#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/bcc-cache.sh: bcc: the compiled program kept, then loaded again by the tracer itself (libbcc never mapped); a damaged or group-writable entry never loaded.
# Real memcg OOM kills; see tests/live/lib.sh for the environment it reads.
. "$(dirname "$0")/lib.sh"

# whether this area is wanted here at all (before anything is set up)
bcc_cache_wanted() {
	[[ " ${OOMTRACE_MODES:-cached} " == *" cached "* ]] || { skip "cached: OOMTRACE_MODES has no 'cached'"; return 1; }
}

bcc_cache() {
	"$OOMTRACE" --backend bcc -v --duration 0 ${OOMTRACE_ARGS:-} >/dev/null 2>"$t/prime.err"
	rc=$?
	kept=$(ls "$t/bcc-cache"/bcc-*.prog 2>/dev/null | head -1)
	if [ $rc -ne 0 ]; then
		skip "cached: no bcc probe here (exit $rc)"
		return
	else
		grep -q "bcc: the compiled program is kept in $t/bcc-cache" "$t/prime.err" && [ -n "$kept" ] &&
			ok "cached: the first start compiled and kept its program" || bad "cached: not kept: $(grep 'bcc:' "$t/prime.err")"
		[ -n "$kept" ] && [ "$(stat -c %a "$kept")" = 600 ] && [ "$(stat -c %a "$t/bcc-cache")" = 700 ] &&
			ok "cached: the entry is 0600 in a 0700 directory" || bad "cached: modes $(stat -c %a "$kept" "$t/bcc-cache" 2>&1 | tr '\n' ' ')"
	fi
	# the kept program loaded by the tracer itself, every fact of its kill checked
	probe_mode cached
	# a damaged entry, or one others may write, is never loaded: compiled again instead
	[ -n "${kept:-}" ] && [ -f "$kept" ] || return
	printf 'X' | dd of="$kept" bs=1 seek=300 conv=notrunc 2>/dev/null
	"$OOMTRACE" --backend bcc -v --duration 0 ${OOMTRACE_ARGS:-} >/dev/null 2>"$t/damaged.err"
	rc=$?
	[ $rc -eq 0 ] && grep -q "is not used (damaged" "$t/damaged.err" && grep -q "is kept in" "$t/damaged.err" &&
		ok "cached: a damaged entry is not loaded; compiled and kept again" || bad "cached: damaged entry: exit $rc: $(grep 'bcc:' "$t/damaged.err")"
	chmod 620 "$kept"
	"$OOMTRACE" --backend bcc -v --duration 0 ${OOMTRACE_ARGS:-} >/dev/null 2>"$t/gw.err"
	rc=$?
	[ $rc -eq 0 ] && grep -q "is not used (not ours alone" "$t/gw.err" &&
		ok "cached: a group-writable entry is not loaded" || bad "cached: group-writable entry: exit $rc: $(grep 'bcc:' "$t/gw.err")"
}

# a cache of its own: the first start here must compile and keep
unset LIVE_BCC_CACHE
live_each "bcc" bcc_cache bcc_cache_wanted
live_verdict bcc-cache
