#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/probes.sh: one kill per probe (fentry, kprobe, tp_btf, tracepoint, the BTF-less object), auto, --no-kmsg and --stacks none, every fact against the kernel's report.
# Real memcg OOM kills; see tests/live/lib.sh for the environment it reads.
. "$(dirname "$0")/lib.sh"

probes() {
	if [ "$BACKEND" = bcc ]; then
		modes=${OOMTRACE_MODES:-auto kprobe tracepoint nokmsg nostacks}
	else
		modes=${OOMTRACE_MODES:-auto fentry kprobe tp_btf tracepoint nobtf nokmsg nostacks}
	fi
	for mode in $modes; do
		[ "$mode" = cached ] && continue # bcc-cache.sh
		probe_mode "$mode"
	done
}

live_each "libbpf bcc" probes
live_verdict probes
