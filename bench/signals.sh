#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# signals.sh: what the live tracer's signal:signal_generate program costs the host's signals.
# That program runs for every signal any process sends: it notes the kernel's SIGKILLs and
# tells userspace memory killers' SIGTERM/SIGKILL from everyone else's by the sender's comm,
# in the kernel. Two processes ping-pong a signal as fast as they can (bench/sigpingpong.c):
# SIGUSR1 (the program's cheapest path) and SIGTERM (the path that looks the sender up among
# the killers, who is not one), without the tracer, with it (default killers), and with it
# and --no-killers, interleaved, RUNS times SECS seconds each, in one run, both processes on one
# CPU (taskset).
# Usage (root): bench/signals.sh [OOMTRACE]; RUNS=5 SECS=2 by default.
# Target (issue 20): the filter in the kernel, its cost per signal small against a signal's own
# (~1.1 us here): <= 150 ns a SIGTERM/SIGKILL, <= 100 ns any other, i.e. <= 1.5% of one CPU at
# 100k signals/s. (The pinned ping-pong is a worst case: nothing but signals.)
set -euo pipefail
OOMTRACE=${1:-./oomtrace}
RUNS=${RUNS:-5}
SECS=${SECS:-2}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
tracer=
trap '[ -n "$tracer" ] && kill -INT "$tracer" 2>/dev/null; wait 2>/dev/null; rm -rf "$out"' EXIT
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 2; }
${CC:-cc} -O2 -o "$out/sigpingpong" "$here/sigpingpong.c"
# both on one CPU: the rate is then the CPU's work per signal, not the cross-CPU wake-up's noise
pin=
command -v taskset >/dev/null && pin="taskset -c 0"

. "$here/lib.sh"
start() { attach --backend libbpf -v --format json --context none "$@"; } # the tracer attached, in the background
stop() { kill -INT "$tracer"; wait "$tracer" || true; tracer=; }
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

for sig in USR1 TERM; do
	n=$(kill -l "$sig")
	: >"$out/none.$sig" >"$out/on.$sig" >"$out/off.$sig"
	for r in $(seq "$RUNS"); do
		$pin "$out/sigpingpong" "$n" "$SECS" >>"$out/none.$sig"
		start
		$pin "$out/sigpingpong" "$n" "$SECS" >>"$out/on.$sig"
		stop
		start --no-killers
		$pin "$out/sigpingpong" "$n" "$SECS" >>"$out/off.$sig"
		stop
	done
done
echo "signals/s between two processes, median of $RUNS runs of $SECS s ($(nproc) CPUs, $(uname -r)):"
for sig in USR1 TERM; do
	none=$(median <"$out/none.$sig")
	on=$(median <"$out/on.$sig")
	off=$(median <"$out/off.$sig")
	awk -v s="SIG$sig" -v a="$none" -v b="$on" -v c="$off" 'BEGIN {
		printf "  %-8s no tracer %9d   tracer %9d (%.3fx, +%.0f ns a signal)   tracer --no-killers %9d (%.3fx, +%.0f ns)\n",
			s, a, b, b / a, 1e9 / b - 1e9 / a, c, c / a, 1e9 / c - 1e9 / a }'
done
