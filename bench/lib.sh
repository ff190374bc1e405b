# SPDX-License-Identifier: GPL-2.0-or-later
# bench/lib.sh: what the live benches share. Sourced; needs OOMTRACE and out (a scratch folder).

# attach ARGS...: the tracer started in the background with ARGS ($tracer), its stderr in
# $out/err, waited for until it says it is tracing (60 s at most); the bench stops when it does not
attach() {
	"$OOMTRACE" "$@" >/dev/null 2>"$out/err" &
	tracer=$!
	for _ in $(seq 600); do
		grep -q "tracing OOM kills" "$out/err" && return 0
		kill -0 "$tracer" 2>/dev/null || break
		sleep 0.1
	done
	echo "the tracer did not attach: $(tail -2 "$out/err")" >&2
	exit 1
}

# tree PID: PID and every process below it (the symbolizer's worker is a grandchild)
tree() {
	local c
	echo "$1"
	for c in $(pgrep -P "$1" 2>/dev/null); do tree "$c"; done
}

# nanoseconds on a CPU of process tree $1 so far, every thread (schedstat: a clock tick, 10 ms,
# would be a large part of an idle budget)
cpu_ns() {
	local p
	for p in $(tree "$1"); do
		cat /proc/"$p"/task/*/schedstat 2>/dev/null
	done | awk '{ s += $1 } END { printf "%d", s }'
}

# the sum of a /proc/PID/FILE's FIELD (kB) over process tree $1
tree_sum() { # pid file field
	local p sum=0
	for p in $(tree "$1"); do
		sum=$((sum + $(awk -v f="$3:" '$1 == f {print $2; exit}' "/proc/$p/$2" 2>/dev/null || echo 0)))
	done
	echo "$sum"
}
# VmRSS of process tree $1, kB; its Pss (shared pages counted once: a sum of VmRSS counts the
# libraries and a fork's shared pages in every process)
rss_kb() { tree_sum "$1" status VmRSS; }
pss_kb() { tree_sum "$1" smaps_rollup Pss; }
# the resident memory of process tree $1, kB, each page frame once (/proc/PID/pagemap, root):
# unlike a sum of VmRSS, it counts once a page the tracer shares with its forked supervisor, and
# a BPF ring buffer's data pages, which the kernel maps twice in a row (VmRSS counts both)
uniq_kb() {
	# shellcheck disable=SC2046
	/usr/bin/python3 - $(tree "$1") <<'PY'
import struct, sys
frames = set()
for pid in sys.argv[1:]:
    try:
        with open("/proc/%s/maps" % pid) as m, open("/proc/%s/pagemap" % pid, "rb") as pm:
            for line in m:
                a, b = (int(x, 16) for x in line.split()[0].split("-"))
                if a >= 1 << 47:
                    continue  # [vsyscall]
                pm.seek((a >> 12) * 8)
                for (e,) in struct.iter_unpack("<Q", pm.read(((b - a) >> 12) * 8)):
                    if e >> 63:  # present: bits 0-54 are the page frame
                        frames.add(e & ((1 << 55) - 1))
    except OSError:
        pass  # gone
print("n/a" if 0 in frames else len(frames) * 4)  # frame 0: pagemap hid them (no CAP_SYS_ADMIN)
PY
}

# ROUNDS bursts of 5 concurrent memcg OOM kills: PROG ARGS... run in memcg CG, each burst waited
burst_kills() { # rounds cg prog args...
	local rounds=$1 cg=$2 r i hogs
	shift 2
	for r in $(seq "$rounds"); do
		hogs=()
		for i in 1 2 3 4 5; do
			sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$cg" "$@" 2>/dev/null &
			hogs+=($!)
		done
		wait "${hogs[@]}" 2>/dev/null || true
	done
}
