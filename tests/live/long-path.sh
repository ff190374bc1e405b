#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/long-path.sh: a memcg 4 levels down with a 150-byte name (Kubernetes paths pass 200 bytes), beside a sibling named with its first 47 bytes: the exact path, that memcg's own counters, --cgroup with the full path.
# Real memcg OOM kills; see tests/live/lib.sh for the environment it reads.
. "$(dirname "$0")/lib.sh"

long_path() {
	long=$(printf 'kubepods-burstable-pod%.0s' 1 2 3 4 5 6 7)
	long=${long:0:150}
	# its own tree: on v2 a cgroup that hands the memory controller down may hold no process
	rel=/$name-long/a/b/$long
	sib=/$name-long/a/b/${long:0:47}
	if [ "$cgv" = 2 ]; then
		for d in "$cg-long" "$cg-long/a" "$cg-long/a/b"; do mkdir -p "$d" && echo +memory >"$d/cgroup.subtree_control"; done
		mkdir -p "/sys/fs/cgroup$rel" "/sys/fs/cgroup$sib" &&
			echo $((LIMIT_MB << 20)) >"/sys/fs/cgroup$rel/memory.max" &&
			echo $((2 * LIMIT_MB << 20)) >"/sys/fs/cgroup$sib/memory.max"
		lcg=/sys/fs/cgroup$rel
		echo 0 >"$lcg/memory.swap.max" 2>/dev/null
	else
		mkdir -p "/sys/fs/cgroup/memory$rel" "/sys/fs/cgroup/memory$sib" &&
			echo $((LIMIT_MB << 20)) >"/sys/fs/cgroup/memory$rel/memory.limit_in_bytes" &&
			echo $((2 * LIMIT_MB << 20)) >"/sys/fs/cgroup/memory$sib/memory.limit_in_bytes"
		lcg=/sys/fs/cgroup/memory$rel
		echo 0 >"$lcg/memory.swappiness" 2>/dev/null
	fi
	args=(${OOMTRACE_ARGS:-})
	fail0=$fail
	# the kernel's report ratelimit (10 per 5 s) after the kills of the section before: this one's
	# report is what its facts are checked against
	sleep 6
	if [ ! -d "$lcg" ]; then
		bad "long path: cannot create $lcg"
	elif start_tracer "$t/long.json" "$t/long.err" --count 1 --duration 120 --context memcg --cgroup "$rel" "${args[@]}"; then
		desc=$(sed -n "s|.*tracing OOM kills with $BACKEND/\(.*\); Ctrl-C.*|\1|p" "$t/long.err" | head -1)
		read -r treq vreq oreq creq tpreq kreq < <(probe_reads "$desc" "${args[*]}")
		sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 256' sh "$lcg" "$HOG" &
		victim=$!
		wait "$victim" 2>/dev/null
		for i in $(seq 50); do kill -0 "$tracer" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$tracer" 2>/dev/null; then
			kill "$tracer"
			[ "$creq" = 1 ] && bad "long path: --cgroup $rel selected nothing" ||
				echo "note: long path: $desc reads no victim cgroup, so --cgroup cannot select"
		fi
		wait "$tracer"
		tracer=
		kernel_report "$victim"
		mapfile -t f < <("$JFIELD" "$t/long.json" victim.pid victim.cgroup oom_memcg context.memcg.limit_kb)
		if [ "$creq" = 1 ]; then
			[ "${f[0]:-}" = "$victim" ] && ok "long path: --cgroup selected the kill" || bad "long path: no event for $victim"
			fact "long path: victim cgroup" "${f[1]:-null}" "$K_task_memcg" 1
			[ "$K_task_memcg" = "$rel" ] || bad "long path: the kernel says '$K_task_memcg', the test made '$rel'"
			fact "long path: oom_memcg" "${f[2]:-null}" "$K_oom_memcg" "$oreq"
			fact "long path: that memcg's own limit_kb" "${f[3]:-null}" $((LIMIT_MB * 1024)) 1
		fi
		result long pass "$desc"
	else
		bad "long path: oomtrace did not attach: $(tail -2 "$t/long.err")"
	fi
}

live_each "libbpf bcc" long_path
live_verdict long-path
