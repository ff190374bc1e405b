#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/why.sh: why a memcg ran out, live, in one tracer run with the test memcg at 128 MiB:
# a hog growing 10 MiB/s (a pressure record first, its time-to-limit against the kill's real time;
# steady_growth with the rate within 20%), one taking twice the limit at once (spike), a tmpfs
# file filling it (shmem_tmpfs), pipe buffers filling it (kernel_memory), --on-pressure's command
# given the pressure record as nobody; each summary's numbers
# against what the test made; the steady kill's reclaim against the kernel's own trace of it.
# Real memcg OOM kills; see tests/live/lib.sh for the environment.
. "$(dirname "$0")/lib.sh"

why_wanted() {
	[ "${OOMTRACE_WHY_TESTS:-1}" = 1 ] || { skip "why: OOMTRACE_WHY_TESTS=0"; return 1; }
}

set_limit() { # MiB
	if [ "$cgv" = 1 ]; then echo $(($1 << 20)) >"$cg/memory.limit_in_bytes"; else echo $(($1 << 20)) >"$cg/memory.max"; fi
}
in_cg() { sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$cg" "$@"; } 2>/dev/null

# the @1-th kill (or record @2) of the run's output: into $t/ev.json
nth() { grep "\"record\":\"${2:-kill}\"" "$t/why.json" | sed -n "${1}p" >"$t/ev.json"; }
field() { "$JFIELD" "$t/ev.json" -k record="${2:-kill}" "$1"; }
# a/b within pct percent: 0 when so
within() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b != 0 && d * 100 <= p * b) }'; }

check_cause() { # what n want
	local got summary
	nth "$2"
	got=$(field why.cause)
	summary=$(field why.summary)
	[ "$got" = "$3" ] && ok "$1: cause $got ($summary)" || bad "$1: cause '$got', want $3 ($summary)"
}

# the steady kill's reclaim (context.reclaim, counted in BPF) against the kernel's trace of the
# trigger's rounds: as many, the same pages reclaimed
reclaim_check() {
	local tp rounds pages krounds kpages
	tp=$(field trigger.pid)
	rounds=$(field context.reclaim.rounds)
	pages=$(field context.reclaim.reclaimed_pages)
	if [ -z "$inst" ]; then
		skip "why: reclaim: no tracefs instance to compare with"
	elif [ "$rounds" = missing ] && [ "$BACKEND" = bcc ]; then
		skip "why: reclaim: not counted by the bcc backend"
	else
		# up to the kill (a killed trigger may go on reclaiming until it dies)
		set -- $(grep -E -- "-$tp +\[" "$inst/trace" |
			sed -n 's/.* \([0-9][0-9]*\.[0-9]*\): mm_vmscan_[a-z_]*: nr_reclaimed=\([0-9]*\).*/\1 \2/p' |
			awk -v k="$(field uptime_s)" '$1 <= k { n++; s += $2 } END { print n + 0, s + 0 }')
		krounds=$1 kpages=$2
		[ "$krounds" -gt 0 ] && [ "$rounds" = "$krounds" ] && [ "$pages" = "$kpages" ] &&
			ok "why: reclaim: $rounds rounds, $pages pages reclaimed, as the kernel traced them" ||
			bad "why: reclaim: $rounds rounds, $pages pages; the kernel traced $krounds rounds, $kpages pages"
	fi
}

why_live() {
	local rate=10 pid pgot ttl pt kt actual growth secs
	set_limit 128
	# --on-pressure: a command given each pressure record, as nobody
	rm -rf "$t/hook" && mkdir "$t/hook" && chmod 1777 "$t/hook"
	hook=(--on-pressure "id -u >>$t/hook/uid; cat /proc/self/oom_score_adj >>$t/hook/adj; cat >>$t/hook/rec")
	id -u nobody >/dev/null 2>&1 || hook=()
	COMM_FILTER=0 start_tracer "$t/why.json" "$t/why.err" --cgroup "/$name" ${OOMTRACE_ARGS:-} --duration 600 ${hook[@]+"${hook[@]}"}
	rc=$?
	if [ $rc != 0 ]; then
		bad "why: oomtrace did not attach (exit $rc): $(tail -2 "$t/why.err")"
		set_limit "$LIMIT_MB"
		return
	fi
	# the kernel's own record of each reclaim round, in a trace instance of our own
	tfs=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
	inst=
	if [ -n "$tfs" ] && [ -d "$tfs/instances" ] && mkdir "$tfs/instances/oomtrace-why-$$" 2>/dev/null; then
		inst=$tfs/instances/oomtrace-why-$$
		echo mono >"$inst/trace_clock" 2>/dev/null # CLOCK_MONOTONIC, as the probe's times
		echo 1 >"$inst/events/vmscan/mm_vmscan_memcg_reclaim_end/enable"
		echo 1 >"$inst/events/vmscan/mm_vmscan_direct_reclaim_end/enable"
	fi
	sleep 2 # a sample of the memcg idle, before each case
	in_cg "$HOG" -r "$rate" 256
	sleep 3
	in_cg "$HOG" 256
	sleep 3
	mkdir -p "$t/tmpfs"
	if mount -t tmpfs none "$t/tmpfs" 2>/dev/null; then
		in_cg dd if=/dev/zero of="$t/tmpfs/fill" bs=1M count=256
		sleep 2
		rm -f "$t/tmpfs/fill"
		umount "$t/tmpfs"
	fi
	sleep 1
	in_cg "$HOG" -k 200 1
	sleep 2
	stop_tracer

	# 1. steady growth: the pressure record before the kill, then the kill's cause and rate
	nth 1
	kt=$(field uptime_s)
	nth 1 pressure
	pt=$(field uptime_s pressure)
	ttl=$(field why.time_to_limit_ms pressure)
	if [ "$pt" = missing ] || [ -z "$pt" ]; then
		bad "why: no pressure record before the steady kill: $(grep -c . "$t/why.json") records"
	else
		actual=$(awk -v k="$kt" -v p="$pt" 'BEGIN { printf "%d", (k - p) * 1000 }')
		[ "$actual" -gt 0 ] && ok "why: pressure record $actual ms before the kill" || bad "why: pressure record after the kill ($actual ms)"
		within "$ttl" "$actual" 30 && ok "why: time to limit $ttl ms, the kill came $actual ms later (within 30%)" ||
			bad "why: time to limit $ttl ms, the kill came $actual ms later"
		[ "$(field why.cause pressure)" = steady_growth ] && ok "why: pressure cause steady_growth" || bad "why: pressure cause $(field why.cause pressure)"
		[ "$(field oom_memcg pressure)" = "/$name" ] && ok "why: pressure names the memcg" || bad "why: pressure memcg $(field oom_memcg pressure)"
	fi
	if [ ${#hook[@]} = 0 ]; then
		skip "why: --on-pressure: no user nobody here"
	elif [ -s "$t/hook/rec" ] && grep '"record":"pressure"' "$t/why.json" | cmp -s - "$t/hook/rec"; then
		ok "why: --on-pressure: the command had the record on its stdin"
	else
		bad "why: --on-pressure: the command had '$(head -c 200 "$t/hook/rec" 2>/dev/null)'"
		# what a VM log needs to tell why
		grep -a 'on-pressure' "$t/why.err" | head -3
		ls -ld / /tmp "$t" "$t/hook" /bin/sh 2>&1 | head -5
	fi
	if [ ${#hook[@]} = 0 ]; then
		:
	elif [ "$(cat "$t/hook/uid" 2>/dev/null)" = "$(id -u nobody)" ] && [ "$(cat "$t/hook/adj" 2>/dev/null)" = 0 ]; then
		ok "why: --on-pressure: run as nobody, oom_score_adj 0"
	else
		bad "why: --on-pressure: run as uid '$(cat "$t/hook/uid" 2>/dev/null)', oom_score_adj '$(cat "$t/hook/adj" 2>/dev/null)'"
	fi
	check_cause "why: steady" 1 steady_growth
	reclaim_check
	growth=$(field why.growth_kb_per_s)
	within "$growth" $((rate * 1024)) 20 && ok "why: growth $growth kB/s for $rate MiB/s (within 20%)" || bad "why: growth $growth kB/s for $rate MiB/s"
	# the sentence's numbers: the limit, how long (>= 10 s: 128 MiB at 10 MiB/s is 12.8 s)
	summary=$(field why.summary)
	case $summary in *"into its 128.0 MiB limit"*) ok "why: the summary names the limit" ;; *) bad "why: summary '$summary'" ;; esac
	secs=$(echo "$summary" | sed -n 's/.* for \([0-9]*\) s into.*/\1/p')
	[ -n "$secs" ] && [ "$secs" -ge 10 ] && [ "$secs" -le 14 ] && ok "why: grew for $secs s" || bad "why: grew for '$secs' s: $summary"
	[ "$(field context.history.limit_kb)" = 131072 ] && ok "why: history limit 131072 kB" || bad "why: history limit $(field context.history.limit_kb)"
	# who was in it: the hog, read when the memcg passed half its limit, at half or more of it
	task=$(grep -o '"tasks":\[{"pid":[0-9]*,"comm":"[^"]*","rss_kb_oldest":[0-9]*,"rss_kb_10s":[0-9]*,"rss_kb_newest":[0-9]*' "$t/ev.json")
	vpid=$(field victim.pid)
	rss=${task##*:}
	case $task in
	*'"pid":'"$vpid"',"comm":"'"$comm"'"'*) [ "$rss" -ge 65536 ] && [ "$rss" -le 131072 ] && ok "why: the memcg's largest task: the victim, $rss kB" || bad "why: the victim's RSS $rss kB" ;;
	*) bad "why: history tasks '$task', victim $vpid" ;;
	esac

	# 2. twice the limit at once
	check_cause "why: spike" 2 spike
	case $(field why.summary) in *"under half its 128.0 MiB limit, to the limit in under "*) ok "why: spike summary" ;; *) bad "why: spike summary '$(field why.summary)'" ;; esac
	# 3. a tmpfs file
	if [ "$(grep -c '"comm":"dd"' "$t/why.json")" -ge 1 ]; then
		check_cause "why: tmpfs" 3 shmem_tmpfs
		pipes=4
	else
		skip "why: tmpfs: cannot mount a tmpfs here"
		pipes=3
	fi
	# 4. pipe buffers: kernel memory that memory.stat names only as a whole ("kernel", 5.18+) on
	# cgroup v2, and v1's report as its kmem counter
	if [ "$cgv" = 2 ] && ! grep -q '^kernel ' "$cg/memory.stat"; then
		skip "why: pipes: cgroup v2 before 5.18 counts pipe buffers in no memory.stat line (no 'kernel')"
		kmem_ok=0
	else
		check_cause "why: pipes" "$pipes" kernel_memory
		kmem_ok=1
	fi
	# (the usage at the kill, not after: the pipes went with the victim)
	grep '"record":"kill"' "$t/why.json" | tail -1 >"$t/ev.json"
	case $kmem_ok:$(field why.summary) in
	0:*) ;;
	*"of the memcg's 12"*" MiB ("*) ok "why: kernel memory against the usage at the kill" ;;
	*) bad "why: kernel memory summary: $(field why.summary)" ;;
	esac
	[ -n "$inst" ] && rmdir "$inst"
	# the records read back as they were written, and counted in the metrics
	"$OOMTRACE" --events "$t/why.json" --format json --metrics-file "$t/why.prom" >"$t/again.json" 2>"$t/again.err"
	cmp -s "$t/why.json" "$t/again.json" && ok "why: the records read back (--events) as written ($(grep -c . "$t/again.json"))" ||
		bad "why: read back differs: $(diff "$t/why.json" "$t/again.json" | head -c 600)"
	grep -q '^oomtrace_memcg_near_oom_total{namespace="",pod="",container="",unit=""} 1$' "$t/why.prom" &&
		grep -q '^oomtrace_last_memcg_near_oom_timestamp_seconds{namespace="",pod="",container="",unit=""} [0-9.]*$' "$t/why.prom" &&
		ok "why: the pressure record in the metrics" || bad "why: metrics: $(grep near_oom "$t/why.prom" | tr '\n' ' ')"
	set_limit "$LIMIT_MB"
	sleep 6 # the kernel's OOM report ratelimit
}

live_each "libbpf bcc" why_live why_wanted
live_verdict why
