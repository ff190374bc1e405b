#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ustack.sh: what the trigger's user stack (--stacks all) costs, against the same build with
# --stacks kernel (the baseline), in one run, libbpf backend: resident memory of the whole tracer
# tree once attached (tracer, the symbolizer's supervisor) and after the kills (its worker with
# the line tables it read), CPU of the tree over SECS idle seconds, and kill -> event latency
# (the consumer's CLOCK_MONOTONIC when it reads the event's line, less the kill's uptime_s) over
# ROUNDS bursts of 5 concurrent tests/ustack in a 64 MiB memcg (libc, two calls below main).
# Usage (root): bench/ustack.sh [OOMTRACE]; USTACK=./tests/ustack ROUNDS=20 SECS=10 by default.
# Targets (issue 18): p99 <= 20 ms at 100 kills/s, attached RSS <= 8 MiB, idle CPU 0. Memory is
# given as the sum of VmRSS (as bench/live.sh and bench/history.sh), of Pss (pages shared with
# any process divided among them), and resident once (each page frame of the tree counted once:
# bench/lib.sh uniq_kb; the target's measure).
set -euo pipefail
OOMTRACE=${1:-./oomtrace}
USTACK=${USTACK:-./tests/ustack}
ROUNDS=${ROUNDS:-20}
SECS=${SECS:-10}
out=$(mktemp -d)
cg=
reader=
cleanup() {
	[ -n "$reader" ] && kill "$reader" 2>/dev/null
	wait 2>/dev/null || true
	[ -n "$cg" ] && rmdir "$cg" 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 2; }
[ -x "$USTACK" ] || { echo "no $USTACK (configure with libdw, make check)" >&2; exit 2; }
. "$(dirname "$0")/lib.sh"

name=oomtrace-bench-ustack-$$
if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	cg=/sys/fs/cgroup/memory/$name
	mkdir "$cg" && echo $((64 << 20)) >"$cg/memory.limit_in_bytes"
else
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
	cg=/sys/fs/cgroup/$name
	mkdir "$cg" && echo $((64 << 20)) >"$cg/memory.max"
fi

# the consumer: starts the tracer, reads its events, prints latencies and counts at the end
consumer() { # mode
	/usr/bin/python3 -u -c '
import json, subprocess, sys, time
p = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, stderr=open(sys.argv[1], "w"), text=True)
lat, stacks, missing = [], 0, {}
for line in p.stdout:
    now = time.clock_gettime(time.CLOCK_MONOTONIC)
    e = json.loads(line)
    if e.get("record") != "kill":
        continue
    lat.append((now - e["uptime_s"]) * 1000)
    us = e["trigger"].get("user_stack", {})
    if us.get("frames"):
        stacks += 1
    elif us.get("missing"):
        missing[us["missing"]] = missing.get(us["missing"], 0) + 1
first = lat[0] if lat else float("nan")
rest = sorted(lat[1:])
lat.sort()
pct = lambda a, q: a[min(len(a) - 1, int(q * len(a)))] if a else float("nan")
print("%d %.2f %.2f %.2f %.2f %.2f %d %s" % (len(lat), pct(lat, 0.5), pct(lat, 0.99),
      lat[-1] if lat else 0, first, pct(rest, 0.99), stacks, json.dumps(missing).replace(" ", "_")))
' "$out/err-$1" "$OOMTRACE" --backend libbpf -v --format json --context none --stacks "$1" \
		--duration $((SECS + 8 + ROUNDS)) >"$out/lat-$1" &
	reader=$!
}

run() { # mode
	local mode=$1 tracer t0 t1 s0 s1
	consumer "$mode"
	for _ in $(seq 600); do
		grep -q "tracing OOM kills" "$out/err-$mode" 2>/dev/null && break
		sleep 0.1
	done
	tracer=$(pgrep -P "$reader" | head -1)
	sleep 2
	echo "$(rss_kb "$tracer") $(pss_kb "$tracer") $(uniq_kb "$tracer")" >"$out/rss0-$mode"
	t0=$(cpu_ns "$tracer")
	sleep "$SECS"
	t1=$(cpu_ns "$tracer")
	echo $((t1 - t0)) >"$out/idle-$mode"
	s0=$(date +%s.%N)
	burst_kills "$ROUNDS" "$cg" "$USTACK" oom 100
	s1=$(date +%s.%N)
	echo "$s0 $s1" >"$out/span-$mode"
	sleep 1
	echo "$(rss_kb "$tracer") $(pss_kb "$tracer") $(uniq_kb "$tracer")" >"$out/rss1-$mode"
	wait "$reader" || true
	reader=
}

run kernel
sleep 6 # the kernel's OOM report ratelimit
run all
for m in kernel all; do
	read -r n p50 p99 max first p99rest stacks missing <"$out/lat-$m"
	read -r s0 s1 <"$out/span-$m"
	printf '%-7s kills %3d at %3.0f/s  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (the first %6.2f ms, the others p99 %6.2f ms)  user stacks %3d %s\n' \
		"$m" "$n" "$(awk -v n="$n" -v a="$s0" -v b="$s1" 'BEGIN { print n / (b - a) }')" \
		"$p50" "$p99" "$max" "$first" "$p99rest" "$stacks" "$missing"
	read -r r0 p0 u0 <"$out/rss0-$m"
	read -r r1 p1 u1 <"$out/rss1-$m"
	printf '        RSS (Pss, resident once) attached %5d (%5d, %5s) kB, after the kills %5d (%5d, %5s) kB; idle CPU %.4f%% of one core over %d s\n' \
		"$r0" "$p0" "$u0" "$r1" "$p1" "$u1" \
		"$(awk -v t="$(cat "$out/idle-$m")" -v s="$SECS" 'BEGIN { print 100 * t / 1e9 / s }')" "$SECS"
done
awk -v a="$(cut -d' ' -f3 "$out/rss0-all")" -v b="$(cut -d' ' -f3 "$out/rss0-kernel")" \
	-v p="$(awk '{print $3}' "$out/lat-all")" -v q="$(awk '{print $3}' "$out/lat-kernel")" \
	'BEGIN { printf "all / kernel: attached, resident once %.2fx (%+d kB), p99 %.2fx\n", a / b, a - b, p / q }'
