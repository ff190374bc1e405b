#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/burst.sh: a burst of kills in quick succession: one event per kill, none lost.
# Real memcg OOM kills; see tests/live/lib.sh for the environment it reads.
. "$(dirname "$0")/lib.sh"

# whether this area is wanted here at all (before anything is set up)
burst_wanted() {
	[ "$BURST" -gt 0 ] || { skip "burst: OOMTRACE_BURST=0"; return 1; }
}

burst() {
	args=(${OOMTRACE_ARGS:-})
	before=$(oom_kills)
	start_tracer "$t/burst.json" "$t/burst.err" --duration 600 --context none "${args[@]}"
	rc=$?
	if [ $rc -eq 0 ]; then
		for r in $(seq $(( (BURST + 4) / 5 ))); do five_kills; done
		sleep 1
		after=$(oom_kills)
		stop_tracer
		delta=$((after - before))
		count_kills "$t/burst.json"
		lost=$(grep -c '^{"lost"' "$t/burst.json")
		echo "burst: $delta oom_kill counted by the memcg, $events events ($exiting already-exiting victims), $lost lost records"
		[ "$delta" -ge "$BURST" ] && ok "burst: $delta kills made" || bad "burst: only $delta kills made"
		[ $((events - exiting)) -eq "$delta" ] && ok "burst: one event per kill" || bad "burst: $((events - exiting)) events for $delta kills"
		[ "$lost" -eq 0 ] && ok "burst: nothing lost" || bad "burst: lost records: $(grep '^{"lost"' "$t/burst.json")"
		grep -q "0 lost" "$t/burst.err" && ok "burst: summary says 0 lost" || bad "burst: summary: $(tail -3 "$t/burst.err")"
		# the kernel prints at most 10 reports per 5 s: the probe's own stack and allocation class
		# are in every kill's event all the same, never taken from a report
		withstack=$(grep '"record":"kill".*"outcome":"killed"' "$t/burst.json" | grep '"kernel_stack":\[{"function"' |
			grep '"allocation":{"class":"' | grep -vc '"from_kmsg":\[[^]]*"stack"')
		[ "$withstack" -eq "$events" ] && ok "burst: every kill's own kernel stack and allocation class ($withstack)" ||
			bad "burst: $withstack of $events kills with the probe's own kernel stack"
		# the kernel's report ratelimit (5 s) has passed before whoever comes next
		sleep 6
	else
		bad "burst: oomtrace did not attach (exit $rc): $(tail -2 "$t/burst.err")"
	fi
}

live_each "libbpf bcc" burst burst_wanted
live_verdict burst
