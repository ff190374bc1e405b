#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# live.sh: start-up cost, memory, idle CPU and kill-to-print latency of oomtrace's live backends,
# against a BCC-Python oomkill attached to the same tracepoint (Debian's python3-bpfcc), in one run.
# Usage (root): bench/live.sh [OOMTRACE] ; RUNS=7 by default. Debian's /usr/bin/python3 is used
# (python3-bpfcc lives there), not a python3 earlier on PATH.
# Targets: libbpf wall <= 0.15x and RSS <= 0.15x BCC-Python; bcc wall <= 0.8x, RSS <= 0.6x;
# idle CPU 0; kill -> event printed p99 < 20 ms.
set -euo pipefail
OOMTRACE=${1:-./oomtrace}
HOG=${HOG:-./tests/hog}
RUNS=${RUNS:-7}
out=$(mktemp -d)
linked=
trap 'rm -rf "$out"; [ -n "${cg:-}" ] && rmdir "$cg" 2>/dev/null; [ -n "$linked" ] && rm -f "$linked/build" "$linked/source" && rmdir "$linked" 2>/dev/null; true' EXIT
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }

# BCC needs headers for the running kernel; Debian's generic ones do for a tracepoint program
rel=$(uname -r)
if [ ! -e "/lib/modules/$rel/build" ]; then
	hdr=$(ls -d /usr/src/linux-headers-*-common 2>/dev/null | sort -V | tail -1 || true)
	arch=$(ls -d /usr/src/linux-headers-*-"$(dpkg --print-architecture)" 2>/dev/null | sort -V | tail -1 || true)
	if [ -n "$arch" ]; then
		mkdir -p "/lib/modules/$rel"
		ln -sfn "$arch" "/lib/modules/$rel/build"
		ln -sfn "${hdr:-$arch}" "/lib/modules/$rel/source"
		linked=/lib/modules/$rel # removed again at exit: the host is left as it was
		echo "linked $arch as the headers of $rel for this run (apt-get install linux-headers-amd64 first)" >&2
	fi
fi

cat >"$out/bcc_oomkill.py" <<'PY'
# BCC-Python oomkill on the same tracepoint oomtrace uses: compile, attach, then poll or exit.
import sys, time
from bcc import BPF
b = BPF(text="""
BPF_PERF_OUTPUT(events);
TRACEPOINT_PROBE(oom, mark_victim) {
    struct { u32 fpid; u32 tpid; char fcomm[16]; } d = {};
    d.fpid = bpf_get_current_pid_tgid() >> 32;
    d.tpid = args->pid;
    bpf_get_current_comm(&d.fcomm, sizeof(d.fcomm));
    events.perf_submit(args, &d, sizeof(d));
    return 0;
}
""")
def show(cpu, data, size):
    e = b["events"].event(data)
    with open("/proc/loadavg") as f:
        la = f.read().rstrip()
    print("%s Triggered by PID %d (\"%s\"), OOM kill of PID %d, loadavg: %s" % (
        time.strftime("%H:%M:%S"), e.fpid, e.fcomm.decode("utf-8", "replace"), e.tpid, la), flush=True)
b["events"].open_perf_buffer(show)
if len(sys.argv) > 1 and sys.argv[1] == "exit":
    sys.exit(0)
while True:
    b.perf_buffer_poll()
PY

# median wall (s) and max RSS (KiB) of RUNS runs: "wall rss"
measure() {
	local i walls=() rss=0 r
	for i in $(seq "$RUNS"); do
		/usr/bin/time -o "$out/t" -f "%e %M" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
		r=$(tail -n 1 "$out/t")
		walls+=("${r% *}")
		[ "${r#* }" -gt "$rss" ] && rss=${r#* }
	done
	printf '%s\n' "${walls[@]}" | sort -n | awk -v rss="$rss" '{a[NR]=$1} END{print a[int((NR+1)/2)], rss}'
}

read -r p_wall p_rss < <(measure /usr/bin/python3 "$out/bcc_oomkill.py" exit)
read -r l_wall l_rss < <(measure "$OOMTRACE" --backend libbpf --duration 0)
echo "start -> attached -> exit, median of $RUNS (wall s, peak RSS MiB):"
awk -v pw="$p_wall" -v pr="$p_rss" -v w="$l_wall" -v r="$l_rss" 'BEGIN {
	printf "  BCC-Python oomkill       %6.3f s  %6.1f MiB\n", pw, pr / 1024
	printf "  oomtrace --backend libbpf %6.3f s  %6.1f MiB   ratio wall %.3f (<= 0.15), RSS %.3f (<= 0.15)\n", w, r / 1024, w / pw, r / pr }'
if "$OOMTRACE" --version | grep -q "bcc (not built)"; then
	echo "  oomtrace --backend bcc: not built"
else
	if read -r b_wall b_rss < <(measure "$OOMTRACE" --backend bcc --duration 0); then
		awk -v pw="$p_wall" -v pr="$p_rss" -v w="$b_wall" -v r="$b_rss" 'BEGIN {
		printf "  oomtrace --backend bcc    %6.3f s  %6.1f MiB   ratio wall %.3f (<= 0.8), RSS %.3f (<= 0.6)\n", w, r / 1024, w / pw, r / pr }'
	fi
fi

# idle CPU: CPU ticks spent between 2 s and 12 s after start, attached and waiting
"$OOMTRACE" --backend libbpf --duration 14 >/dev/null 2>&1 &
tracer=$!
sleep 2
t0=$(awk '{print $14 + $15}' "/proc/$tracer/stat")
sleep 10
t1=$(awk '{print $14 + $15}' "/proc/$tracer/stat")
wait "$tracer"
echo "idle 10 s attached (libbpf): $((t1 - t0)) CPU ticks of $(getconf CLK_TCK)/s"

# kill -> printed latency over a burst of memcg OOM kills (64 MiB cgroup, bounded hogs)
name=oomtrace-bench-$$
if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	cg=/sys/fs/cgroup/memory/$name; mkdir "$cg"; echo $((64 << 20)) >"$cg/memory.limit_in_bytes"
else
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
	cg=/sys/fs/cgroup/$name; mkdir "$cg"; echo $((64 << 20)) >"$cg/memory.max"
fi
# one burst of 50 kills with the tracer given extra arguments; prints the latency line
burst_latency() { # label args...
	local label=$1 reader r i hogs
	shift
	/usr/bin/python3 -u -c '
import json, subprocess, sys, time
label = sys.argv[1]
p = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
lat = []
for line in p.stdout:
    now = time.clock_gettime(time.CLOCK_MONOTONIC)
    e = json.loads(line)
    if e.get("record") == "kill":
        lat.append((now - e["uptime_s"]) * 1000)
lat.sort()
if lat:
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    print("kill -> event read by a consumer, %s, over %d kills: p50 %.2f ms, p99 %.2f ms, max %.2f ms (target p99 < 20)" % (label, len(lat), pct(0.5), pct(0.99), lat[-1]))
' "$label" "$OOMTRACE" --backend libbpf --format json --duration 25 "$@" &
	reader=$!
	sleep 2
	for r in $(seq 10); do
		hogs=()
		for i in 1 2 3 4 5; do
			sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$cg" "$HOG" 2>/dev/null &
			hogs+=($!)
		done
		wait "${hogs[@]}" 2>/dev/null || true
	done
	wait "$reader"
}
# with the kernel's report joined from /dev/kmsg (the default) and without; the kernel
# ratelimits its report (10 per 5 s), so the bursts are 6 s apart
burst_latency "kmsg join"
sleep 6
burst_latency "--no-kmsg" --no-kmsg

