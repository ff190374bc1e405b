#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/unit.sh: as oomtrace.service runs it: root with the unit's capability bounding set (read from the unit) and no_new_privs, its --metrics-file.
# Real memcg OOM kills; see tests/live/lib.sh for the environment it reads.
. "$(dirname "$0")/lib.sh"

# whether this area is wanted here at all (before anything is set up)
unit_wanted() {
	[ "${OOMTRACE_PRIV_TESTS:-1}" = 1 ] || { skip "unit: OOMTRACE_PRIV_TESTS=0"; return 1; }
}

unit() {
	unit_in=${srcdir:-.}/packaging/oomtrace.service.in
	if [ ! -f "$unit_in" ]; then
		echo "SKIP: unit: no packaging/oomtrace.service.in here"
		skipped=$((skipped + 1))
	elif ! setpriv --help 2>&1 | grep -q bounding-set; then
		echo "SKIP: unit: no util-linux setpriv with --bounding-set here"
		skipped=$((skipped + 1))
	elif [ "$(cat /proc/sys/kernel/cap_last_cap 2>/dev/null || echo 0)" -lt 39 ]; then
		echo "SKIP: unit: its capabilities are 5.8+ ones (CAP_BPF); before, it is told to add CAP_SYS_ADMIN"
		skipped=$((skipped + 1))
	else
		caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit_in" | tr 'A-Z ' 'a-z\n' | sed -n 's/^cap_/+/p' | paste -sd, -)
		LAUNCH=(setpriv --bounding-set=-all,"$caps" --no-new-privs)
		start_tracer "$t/unit.json" "$t/unit.err" --context none --metrics-file "$t/unit.prom" ${OOMTRACE_ARGS:-} --duration 600
		rc=$?
		LAUNCH=()
		if [ $rc = 0 ]; then
			one_kill_reported unit unit "reported with the unit's capabilities alone ($caps)"
			grep -q '^oomtrace_oom_kills_total{' "$t/unit.prom" && ok "unit: its metrics file written" ||
				bad "unit: no kill in the metrics file"
		else
			bad "unit: did not attach with the unit's capabilities ($caps), exit $rc: $(grep -v '"level":"debug"' "$t/unit.err" | tail -3)"
		fi
	fi
}

live_each "libbpf" unit unit_wanted
live_verdict unit
