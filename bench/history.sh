#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# history.sh: what following every limited memcg's last minute (--context history, on by
# default) costs an idle tracer on a busy node: N memory cgroups (500 by default), each with a
# limit, the tracer attached with the history and without it (the baseline, same run,
# interleaved), SECS seconds each, RUNS times: CPU time of the tracer (utime + stime, all its
# threads and children) as a share of one core, and its resident memory (VmRSS of the whole
# process tree) at the end.
# Usage (root): bench/history.sh [OOMTRACE]; N=500 SECS=30 RUNS=2 BACKEND=libbpf by default.
# Target (issue 19): idle CPU <= 0.1% of one core, RSS <= 8 MiB for the whole tracer tree.
set -euo pipefail
OOMTRACE=${1:-./oomtrace}
N=${N:-500}
SECS=${SECS:-30}
RUNS=${RUNS:-2}
BACKEND=${BACKEND:-libbpf}
out=$(mktemp -d)
tracer=
parent=
cleanup() {
	[ -n "$tracer" ] && kill -INT "$tracer" 2>/dev/null
	wait 2>/dev/null || true
	[ -n "$parent" ] && find "$parent" -depth -type d -exec rmdir {} \; 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 2; }

# N memcgs with a 64 MiB limit, 25 to a slice (as pods under a QoS slice, units under a slice)
if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	parent=/sys/fs/cgroup/memory/oomtrace-bench-$$ limit_file=memory.limit_in_bytes
else
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
	parent=/sys/fs/cgroup/oomtrace-bench-$$ limit_file=memory.max
fi
mkdir "$parent"
for i in $(seq 0 $((N - 1))); do
	s=$parent/slice$((i / 25))
	if [ ! -d "$s" ]; then
		mkdir "$s"
		[ "$limit_file" = memory.max ] && echo +memory >"$s/cgroup.subtree_control"
	fi
	mkdir "$s/m$i"
	echo $((64 << 20)) >"$s/m$i/$limit_file"
done
[ "$limit_file" = memory.max ] && echo +memory >"$parent/cgroup.subtree_control" 2>/dev/null || true

. "$(dirname "$0")/lib.sh"
start() { attach --backend "$BACKEND" -v --format json --context "$1"; } # CONTEXT
run() { # context label
	local t0 t1
	start "$1"
	sleep 5 # attached, the first walk done: the steady state from here
	t0=$(cpu_ns "$tracer")
	sleep "$SECS"
	t1=$(cpu_ns "$tracer")
	echo "$(((t1 - t0))) $(rss_kb "$tracer")" >>"$out/$2"
	kill -INT "$tracer"
	wait "$tracer" || true
	tracer=
}
for r in $(seq "$RUNS"); do
	run loadavg,meminfo,psi,memcg,status base
	run all history
done
report() { # label
	awk -v secs="$SECS" -v runs="$RUNS" '{ t += $1; if ($2 > r) r = $2 }
		END { printf "%.4f%% of one core (%.1f ms in %d s), RSS %d kB\n", 100 * t / 1e9 / (secs * runs), t / 1e6, secs * runs, r }' "$out/$1"
}
echo "idle tracer ($BACKEND), $N memcgs with a limit, $RUNS x $SECS s each, $(nproc) CPUs, $(uname -r):"
echo "  without the history (baseline): $(report base)"
echo "  with the history:               $(report history)"

awk 'FNR == NR { b += $1; br = $2 > br ? $2 : br; next } { h += $1; hr = $2 > hr ? $2 : hr }
	END { printf "  history - baseline: %+.4f%% of one core, %+d kB RSS; CPU ratio %.2f, RSS ratio %.2f\n",
		100 * (h - b) / 1e9 / ('"$SECS"' * '"$RUNS"'), hr - br, b ? h / b : 0, br ? hr / br : 0 }' "$out/base" "$out/history"
