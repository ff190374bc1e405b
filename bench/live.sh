#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# live.sh: start-up cost, memory, idle CPU and kill-to-print latency of oomtrace's live backends,
# against a BCC-Python oomkill attached to the same tracepoint (Debian's python3-bpfcc), in one run.
# Usage (root): bench/live.sh [OOMTRACE] ; RUNS=7 by default. Debian's /usr/bin/python3 is used
# (python3-bpfcc lives there), not a python3 earlier on PATH.
# Targets (issue 11): attached resident memory of the process tree: bcc <= 0.12x, libbpf <= 0.06x
# BCC-Python; start -> attached wall: bcc <= 0.6x, libbpf <= 0.1x (bcc both compiling, the first
# start on a kernel, and loading the program a first start kept, --bcc-cache); the smallest memcg of its own
# in which libbpf starts and reports a 300-kill storm next door (target 10 MiB); idle CPU 0;
# kill -> event printed p99 < 20 ms.
set -euo pipefail
OOMTRACE=${1:-./oomtrace}
HOG=${HOG:-./tests/hog}
RUNS=${RUNS:-7}
out=$(mktemp -d)
linked=
trap 'rm -rf "$out"; [ -n "${cg:-}" ] && rmdir "$cg" 2>/dev/null; [ -n "$linked" ] && rm -f "$linked/build" "$linked/source" && rmdir "$linked" 2>/dev/null; true' EXIT
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 2; }
. "$(dirname "$0")/lib.sh"
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
print("attached", file=sys.stderr, flush=True)
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
	if read -r b_wall b_rss < <(measure "$OOMTRACE" --backend bcc --bcc-cache none --duration 0); then
		awk -v pw="$p_wall" -v pr="$p_rss" -v w="$b_wall" -v r="$b_rss" 'BEGIN {
		printf "  oomtrace --backend bcc    %6.3f s  %6.1f MiB   ratio wall %.3f (<= 0.8), RSS %.3f (<= 0.6)\n", w, r / 1024, w / pw, r / pr }'
	fi
fi

# resident memory once attached (VmRSS of the tracer and any children left), and start -> attached
# wall, median of RUNS: "wall_s rss_kib". Timed in Python from the spawn to the marker line read
# from the tracer's stderr as it is written (no polling), the same way for every tracer.
cat >"$out/attached.py" <<'PY'
import os, signal, statistics, subprocess, sys, time
marker, runs, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def rss(pid):
    try:
        for l in open("/proc/%d/status" % pid):
            if l.startswith("VmRSS:"):
                return int(l.split()[1])
    except OSError:
        pass
    return 0
walls, rsss = [], []
for _ in range(runs):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = False
    for line in p.stderr:
        if marker.encode() in line:
            seen = True
            break
    t1 = time.perf_counter()
    if not seen:
        sys.exit("no '%s' from %s" % (marker, cmd[0]))
    time.sleep(0.5)
    r = rss(p.pid)
    try:
        kids = open("/proc/%d/task/%d/children" % (p.pid, p.pid)).read().split()
    except OSError:
        kids = []
    r += sum(rss(int(k)) for k in kids)
    p.send_signal(signal.SIGTERM)
    p.communicate()
    walls.append(t1 - t0)
    rsss.append(r)
print("%.4f %d" % (statistics.median(walls), statistics.median(rsss)))
PY
attached() { # marker cmd...
	local marker=$1
	shift
	/usr/bin/python3 "$out/attached.py" "$marker" "$RUNS" "$@"
}
set +e # what follows probes and kills: its own checks say what failed
read -r pa_wall pa_rss < <(attached attached /usr/bin/python3 "$out/bcc_oomkill.py")
read -r la_wall la_rss < <(attached "tracing OOM" "$OOMTRACE" --backend libbpf -v)
echo "attached (median of $RUNS): wall start->attached, resident memory of the process tree:"
awk -v pw="$pa_wall" -v pr="$pa_rss" -v w="$la_wall" -v r="$la_rss" 'BEGIN {
	printf "| tracer | start->attached s | ratio | target | attached RSS MiB | ratio | target |\n|---|---|---|---|---|---|---|\n"
	printf "| BCC-Python oomkill | %.4f | 1 | | %.1f | 1 | |\n", pw, pr / 1024
	printf "| oomtrace libbpf | %.4f | %.3f | <= 0.1 | %.1f | %.3f | <= 0.06 |\n", w, w / pw, r / 1024, r / pr }'
if ! "$OOMTRACE" --version | grep -q "bcc (not built)"; then
	read -r ba_wall ba_rss < <(attached "tracing OOM" "$OOMTRACE" --backend bcc --bcc-cache none -v)
	awk -v pw="$pa_wall" -v pr="$pa_rss" -v w="$ba_wall" -v r="$ba_rss" 'BEGIN {
	printf "| oomtrace bcc, compiling | %.4f | %.3f | <= 0.6 | %.1f | %.3f | <= 0.12 |\n", w, w / pw, r / 1024, r / pr }'
	# the program kept by a first start (--bcc-cache): what every later start on this kernel does
	"$OOMTRACE" --backend bcc --bcc-cache "$out/bcc-cache" --duration 0 >/dev/null 2>&1
	read -r bc_wall bc_rss < <(attached "tracing OOM" "$OOMTRACE" --backend bcc --bcc-cache "$out/bcc-cache" -v)
	awk -v pw="$pa_wall" -v pr="$pa_rss" -v w="$bc_wall" -v r="$bc_rss" 'BEGIN {
	printf "| oomtrace bcc, kept program | %.4f | %.3f | <= 0.6 | %.1f | %.3f | <= 0.12 |\n", w, w / pw, r / 1024, r / pr }'
fi

# the smallest memcg of its own in which the libbpf tracer starts and reports a 300-kill storm
# in a sibling memcg (8 MiB, 16 MiB hogs, 10 at a time)
storm_cg=/sys/fs/cgroup/memory
[ -d "$storm_cg" ] || storm_cg=/sys/fs/cgroup
own=$storm_cg/oomtrace-bench-own-$$ next=$storm_cg/oomtrace-bench-next-$$
setlim() { if [ -f "$1/memory.limit_in_bytes" ]; then echo $(($2 << 20)) >"$1/memory.limit_in_bytes"; else echo $(($2 << 20)) >"$1/memory.max"; fi; }
kills_in() { if [ -f "$1/memory.oom_control" ]; then awk '/^oom_kill /{print $2}' "$1/memory.oom_control"; else awk '/^oom_kill /{print $2}' "$1/memory.events"; fi; }
smallest=
for mb in 8 10 12 14 16 20 24 32; do
	mkdir -p "$own" "$next"
	setlim "$own" "$mb"
	setlim "$next" 8
	: >"$out/own.err"
	sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$own" "$OOMTRACE" --backend libbpf -v --format json \
		--comm hog --context none --duration 120 >"$out/own.json" 2>"$out/own.err" &
	tr_pid=$!
	for _ in $(seq 300); do grep -q "tracing OOM" "$out/own.err" && break; kill -0 "$tr_pid" 2>/dev/null || break; sleep 0.02; done
	res="did not start"
	if grep -q "tracing OOM" "$out/own.err" && kill -0 "$tr_pid" 2>/dev/null; then
		b0=$(kills_in "$next")
		while [ $(($(kills_in "$next") - b0)) -lt 300 ] && kill -0 "$tr_pid" 2>/dev/null; do
			for i in 1 2 3 4 5 6 7 8 9 10; do sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 16' sh "$next" "$HOG" & done
			wait $(jobs -p | grep -v "^$tr_pid$") 2>/dev/null
		done 2>/dev/null
		k=$(($(kills_in "$next") - b0))
		sleep 1
		if kill -0 "$tr_pid" 2>/dev/null; then
			kill -INT "$tr_pid"; wait "$tr_pid" 2>/dev/null
			ev=$(grep -c '"record":"kill"' "$out/own.json")
			res="$ev events for $k kills"
			[ "$ev" -eq "$k" ] && [ -z "$smallest" ] && smallest=$mb
		else
			res="killed during the storm"
		fi
	fi
	kill "$tr_pid" 2>/dev/null; wait "$tr_pid" 2>/dev/null
	peak=$(cat "$own/memory.max_usage_in_bytes" 2>/dev/null || cat "$own/memory.peak" 2>/dev/null || echo 0)
	echo "  own memcg $mb MiB: $res (peak usage $((peak >> 10)) KiB)"
	rmdir "$own" "$next" 2>/dev/null
	[ -n "$smallest" ] && break
	sleep 6 # the kernel's report ratelimit
done
echo "smallest memcg of its own for libbpf + a 300-kill storm next door: ${smallest:-none} MiB (target 10)"
set -e

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
	local label=$1 reader
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
	burst_kills 10 "$cg" "$HOG" 100
	wait "$reader"
}
# with the kernel's report joined from /dev/kmsg (the default) and without; the kernel
# ratelimits its report (10 per 5 s), so the bursts are 6 s apart
burst_latency "kmsg join"
sleep 6
burst_latency "--no-kmsg" --no-kmsg

