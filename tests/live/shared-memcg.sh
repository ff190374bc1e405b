#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/shared-memcg.sh: sharing a 32 MiB memcg with what it watches, oom_score_adj left at 0: never the victim.
# Real memcg OOM kills; see tests/live/lib.sh for the environment it reads.
. "$(dirname "$0")/lib.sh"

shared_kill() { sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 64' sh "$shared" "$HOG"; } 2>/dev/null

# whether this area is wanted here at all (before anything is set up)
shared_memcg_wanted() {
	[ "${OOMTRACE_SHARED_KILLS:-50}" -gt 0 ] || { skip "shared memcg: OOMTRACE_SHARED_KILLS=0"; return 1; }
	if "$OOMTRACE" --version | grep -q "^sanitizers:"; then
		skip "shared memcg: a sanitizer build holds several times the memory: no size test means anything"
		return 1
	fi
}

shared_memcg() {
	SHARED=${OOMTRACE_SHARED_KILLS:-50}
	shared=$cg/shared
	[ "$cgv" = 2 ] && echo +memory >"$cg/cgroup.subtree_control" 2>/dev/null
	mkdir "$shared" 2>/dev/null
	if [ "$cgv" = 1 ]; then echo $((32 << 20)) >"$shared/memory.limit_in_bytes"; else echo $((32 << 20)) >"$shared/memory.max"; fi
	# oom_score_adj left at 0 (--keep-oom-score-adj): as where CAP_SYS_RESOURCE is refused
	LAUNCH=(sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$shared")
	start_tracer "$t/shared.json" "$t/shared.err" --context none --keep-oom-score-adj ${OOMTRACE_ARGS:-} --duration 600
	rc=$?
	LAUNCH=()
	if [ $rc = 0 ]; then
		rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$tracer/status")
		i=0
		while [ $i -lt "$SHARED" ] && kill -0 "$tracer" 2>/dev/null; do
			shared_kill
			i=$((i + 1))
		done
		if kill -0 "$tracer" 2>/dev/null; then
			ok "shared memcg: the tracer ($rss KiB resident) survived $i kills in its own 32 MiB memcg"
			sleep 1
			stop_tracer
			count_kills "$t/shared.json"
			[ "$events" -eq "$i" ] && ok "shared memcg: $events events for $i kills" || bad "shared memcg: $events events for $i kills: $(grep -v debug "$t/shared.err" | tail -4 | tr "\n" " ")"
		else
			wait "$tracer"
			rc=$?
			tracer=
			bad "shared memcg: the tracer ended (exit $rc after $i kills; $rss KiB resident): $(grep -v debug "$t/shared.err" | tail -3 | tr "\n" " ")"
		fi
	else
		bad "shared memcg: oomtrace did not attach in a 32 MiB memcg (exit $rc): $(tail -2 "$t/shared.err")"
	fi
	rmdir "$shared" 2>/dev/null
	[ "$cgv" = 2 ] && echo -memory >"$cg/cgroup.subtree_control" 2>/dev/null
	sleep 6
}

live_each "libbpf" shared_memcg shared_memcg_wanted
live_verdict shared-memcg
