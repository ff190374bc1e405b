#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/bcc-child.sh: bcc: the compile happens in a child that exits; the attached tracer never maps libbcc or LLVM, and keeps no capability (5.5+).
# Real memcg OOM kills; see tests/live/lib.sh for the environment it reads.
. "$(dirname "$0")/lib.sh"

bcc_child() {
	if start_tracer "$t/lean.json" "$t/lean.err" --duration 600 --context none ${OOMTRACE_ARGS:-} --bcc-cache none; then
		if grep -q 'libbcc\|libLLVM\|libclang' "/proc/$tracer/maps"; then
			bad "bcc: the attached tracer maps $(grep -o 'lib\(bcc\|LLVM\|clang\)[^ ]*' "/proc/$tracer/maps" | sort -u | tr '\n' ' ')"
		else
			ok "bcc: the attached tracer maps no libbcc, LLVM or clang"
		fi
		eff=$(awk '/^CapEff:/ {print $2}' "/proc/$tracer/status")
		[ "$eff" = "$(sandbox_capeff)" ] && ok "bcc: CapEff $eff after attach (the drops counter memory-mapped from 5.5)" ||
			bad "bcc: CapEff $eff after attach, want $(sandbox_capeff)"
		rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$tracer/status")
		[ "$rss" -lt 20480 ] && ok "bcc: attached tracer resident $rss KiB (< 20 MiB)" || bad "bcc: attached tracer resident $rss KiB"
		one_kill_reported lean bcc "read through the child's descriptors"
		# the compiling child was shown a one-line /proc/kallsyms in its own mount namespace only
		left=$(ls /tmp | grep -c '^oomtrace-kallsyms-')
		[ "$left" = 0 ] && ok "bcc: no /tmp/oomtrace-kallsyms-* file left" || bad "bcc: $left /tmp/oomtrace-kallsyms-* files left"
		n=$(wc -l </proc/kallsyms)
		[ "$n" -gt 1000 ] && ok "bcc: the host's /proc/kallsyms untouched ($n lines)" || bad "bcc: /proc/kallsyms has $n lines"
	else
		bad "bcc: oomtrace did not attach: $(tail -2 "$t/lean.err")"
	fi
}

live_each "bcc" bcc_child
live_verdict bcc-child
