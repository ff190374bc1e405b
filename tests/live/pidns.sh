#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/pidns.sh: what a kill meant for the victim's container: three real memcg OOM kills of
# a hog in the host's pid namespace, as the init of a new pid namespace (unshare --pid --fork: a
# container's PID 1, whose death ends it), and as that init's child (the container lives on).
# The victim's pid in its namespace (victim.ns_pid, read from the kernel's struct pid) and its
# victim_role must be what the test built; the host pid the kernel's own report names.
# Real memcg OOM kills; see tests/live/lib.sh for the environment it reads.
. "$(dirname "$0")/lib.sh"

pidns_wanted() {
	command -v unshare >/dev/null || { skip "pidns: no unshare (util-linux)"; return 1; }
	unshare --pid --fork true 2>/dev/null || { skip "pidns: cannot make a pid namespace here"; return 1; }
}

pidns() {
	local args=${OOMTRACE_ARGS:-} ev got want
	# BCC's tracepoint program has no task to read: its kprobe reads the victim's struct pid
	[ "$BACKEND" = bcc ] && args="$args --probe kprobe"
	if ! start_tracer "$t/pidns.json" "$t/pidns.err" --duration 600 --context none $args; then
		if grep -q "kprobes not available" "$t/pidns.err"; then
			skip "pidns: $BACKEND: this kernel has no kprobes, where BCC reads the victim's task"
		else
			bad "pidns: $BACKEND did not attach: $(grep -v '"level":"debug"' "$t/pidns.err" | tail -2)"
		fi
		return
	fi
	# 1: the host's namespace; 2: the new namespace's init (unshare's child execs the hog: pid 1);
	# 3: the init is a shell, the hog its first child (pid 2 there)
	{
		sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$cg" "$HOG"
		sleep 0.5
		sh -c 'echo $$ > "$1/cgroup.procs" && exec unshare --pid --fork "$2" 100' sh "$cg" "$HOG"
		sleep 0.5
		sh -c 'echo $$ > "$1/cgroup.procs" && exec unshare --pid --fork sh -c "\"\$0\" 100; true" "$2"' sh "$cg" "$HOG"
		sleep 1
	} 2>/dev/null
	stop_tracer
	count_kills "$t/pidns.json"
	if [ "$events" != 3 ]; then
		bad "pidns: $BACKEND: $events kill events, 3 made"
		return
	fi
	grep '"record":"kill"' "$t/pidns.json" >"$t/kills.json"
	for ev in 1 2 3; do sed -n "${ev}p" "$t/kills.json" >"$t/k$ev.json"; done
	got=$(for ev in 1 2 3; do "$JFIELD" "$t/k$ev.json" victim_role victim.ns_pid victim.ns_level; done | paste -sd' ')
	want="host_pid_ns $("$JFIELD" "$t/k1.json" victim.pid) 0 pid_ns_init 1 1 pid_ns_child 2 1"
	[ "$got" = "$want" ] && ok "pidns: $BACKEND: host task, a namespace's init, its child: $got" ||
		bad "pidns: $BACKEND: role, ns pid, level: got '$got', want '$want'"
	# the host pid is the one the kernel's report names
	for ev in 2 3; do
		got=$("$JFIELD" "$t/k$ev.json" victim.pid)
		kernel_report "$got"
		[ -n "$K_kill" ] && ok "pidns: $BACKEND: kill $ev: host pid $got is the kernel's" ||
			bad "pidns: $BACKEND: kill $ev: no kernel report names pid $got"
	done
	sleep 6 # the kernel's report ratelimit (10 per 5 s) for the next section
	oom_group
}

# v2: two hogs in a memcg with memory.oom.group set die together, each marked so
oom_group() {
	local g=$cg/grp h1 h2 roles
	if [ "$cgv" != 2 ]; then
		skip "pidns: $BACKEND: memory.oom.group is cgroup v2's (this host has v1)"
		return
	fi
	echo +memory >"$cg/cgroup.subtree_control" && mkdir "$g" && echo 1 >"$g/memory.oom.group" || {
		bad "pidns: $BACKEND: cannot make a memcg with memory.oom.group"
		return
	}
	if start_tracer "$t/group.json" "$t/group.err" --duration 600 --context none ${OOMTRACE_ARGS:-}; then
		{
			sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$g" "$HOG" &
			h1=$!
			sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$g" "$HOG" &
			h2=$!
			wait "$h1" "$h2"
			sleep 1
		} 2>/dev/null
		stop_tracer
		roles=$(grep '"record":"kill"' "$t/group.json" | grep -o '"victim_role":[a-z_"]*' | sort | uniq -c | tr -s ' ')
		if [ "$roles" = ' 2 "victim_role":"oom_group"' ]; then
			ok "pidns: $BACKEND: both tasks of a memory.oom.group memcg marked oom_group"
		else
			bad "pidns: $BACKEND: memory.oom.group kill: roles '$roles' (want both oom_group)"
			grep '"record":"kill"' "$t/group.json" | while IFS= read -r l; do
				printf '%s\n' "$l" >"$t/g1.json"
				echo "  event: $("$JFIELD" "$t/g1.json" victim.pid victim.cgroup oom_memcg victim_role probe | paste -sd' ') from_kmsg $(grep -o '"from_kmsg":[^]]*]' "$t/g1.json")"
			done
			grep -v '"level":"debug"' "$t/group.err" | tail -3 | sed 's/^/  stderr: /'
		fi
		sleep 6
	else
		bad "pidns: $BACKEND did not attach for the oom.group kill"
	fi
	rmdir "$g" 2>/dev/null
	echo -memory >"$cg/cgroup.subtree_control" 2>/dev/null
}

live_each "libbpf bcc" pidns pidns_wanted
live_verdict pidns
