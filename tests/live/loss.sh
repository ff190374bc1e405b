#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/loss.sh: the reader stopped during a storm that overflows a small buffer: what it cannot hold is counted, never hidden.
# Real memcg OOM kills; see tests/live/lib.sh for the environment it reads.
. "$(dirname "$0")/lib.sh"

# whether this area is wanted here at all (before anything is set up)
loss_wanted() {
	LOSS=${OOMTRACE_LOSS_KILLS:-220}
	[ "$LOSS" -gt 0 ] || { skip "stopped reader: OOMTRACE_LOSS_KILLS=0"; return 1; }
}

loss() {
	before=$(oom_kills)
	# a 64 KiB buffer (about a hundred kill records): the storm must overflow it
	if start_tracer "$t/loss.json" "$t/loss.err" --duration 600 --context none --buffer-size 64 ${OOMTRACE_ARGS:-}; then
		kill -STOP "$tracer"
		made=0
		while [ $(($(oom_kills) - before)) -lt "$LOSS" ] && [ $made -lt $((LOSS * 2)) ]; do
			five_kills
			made=$((made + 5))
		done
		after=$(oom_kills)
		kill -CONT "$tracer"
		sleep 3
		stop_tracer
		delta=$((after - before))
		count_kills "$t/loss.json"
		lost=$(sed -n 's/.* \([0-9]*\) lost$/\1/p' "$t/loss.err" | tail -1)
		jlost=$(sed -n 's/^{"lost":\([0-9]*\)}$/\1/p' "$t/loss.json" | awk '{s += $1} END {print s + 0}')
		echo "stopped reader: $delta kills, $events events ($exiting exiting), $lost lost (summary), $jlost lost (records)"
		[ "${lost:-0}" -gt 0 ] && ok "stopped reader: the storm overflowed the buffer ($lost lost)" ||
			bad "stopped reader: nothing lost with $delta kills while stopped (no test of the counter)"
		[ $((events - exiting + ${lost:-0})) -eq "$delta" ] && ok "stopped reader: events + lost = kills ($delta)" ||
			bad "stopped reader: $((events - exiting)) events + ${lost:-0} lost != $delta kills"
		[ "$jlost" = "${lost:-0}" ] && ok "stopped reader: {\"lost\"} records add up to the summary" ||
			bad "stopped reader: lost records $jlost, summary ${lost:-?}"
		sleep 6 # the kernel's report ratelimit
	else
		bad "stopped reader: oomtrace did not attach: $(tail -2 "$t/loss.err")"
	fi
}

live_each "libbpf" loss loss_wanted
live_verdict loss
