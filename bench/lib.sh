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

# VmRSS of process tree $1, kB
rss_kb() {
	local p sum=0
	for p in $(tree "$1"); do
		sum=$((sum + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
	done
	echo "$sum"
}

# Pss of process tree $1, kB: its shared pages counted once (a sum of VmRSS counts the libraries
# and a fork's shared pages in every process)
pss_kb() {
	local p sum=0
	for p in $(tree "$1"); do
		sum=$((sum + $(awk '/^Pss:/ {print $2; exit}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)))
	done
	echo "$sum"
}
