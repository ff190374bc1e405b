#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/killers.sh: kills by a userspace memory killer, live. A killer of our own (a script
# named oomtrace-tk, given with --killer) sends SIGKILL, SIGTERM then SIGKILL, or SIGTERM alone to
# hogs that hold a few MiB in the test memcg and wait (one with a thread that exits at the SIGTERM,
# so that its death is its last thread's); each kill must be one event naming the
# hog with the facts /proc/PID/status gave just before (the kernel's own account of the task),
# the killer (pid, executable), the signals, and the death with its exit code and how long it
# took. The same signals from an unrelated shell must not be reported. A hog that survives its
# SIGTERM is reported when the tracer stops, alive. Inside pid namespaces the victim's role is
# checked; a kernel OOM kill whose trigger bears the killer's name stays the kernel's; on cgroup
# v2, a write to cgroup.kill; then a storm of 50 kernel OOM kills and 50
# killer kills at once must lose none. No OOM is made but in the test memcg.
. "$(dirname "$0")/lib.sh"
KILLER=oomtrace-tk
STORM=${OOMTRACE_KILLER_STORM:-50}

# a hog in @1 (cgroup dir; "" for ours) that holds @2 MiB and waits: its pid once it is ready
waiting_hog() { # cgroup mib [hog options...]
	local dir=$1 mib=$2 out i
	shift 2
	out=$(mktemp -p "$t")
	if [ -n "$dir" ]; then
		sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$dir" "$HOG" "$@" -w 60 "$mib" >"$out" 2>&1 &
	else
		"$HOG" "$@" -w 60 "$mib" >"$out" 2>&1 &
	fi
	for i in $(seq 100); do
		grep -q ready "$out" && break
		sleep 0.05
	done
	set -- $(cat "$out")
	[ "${1:-}" = hog ] && echo "$2"
}

# the killer: @1 signals (e.g. "TERM KILL"), @2 pause between them, then the pids; it writes its
# own pid and stays a moment (the tracer reads its /proc entry)
make_killer() {
	cat >"$t/$KILLER" <<'EOF'
#!/bin/sh
sigs=$1 pause=$2
shift 2
echo $$ >"$(dirname "$0")/killer.pid"
first=1
for s in $sigs; do
	[ $first = 1 ] || sleep "$pause"
	first=0
	kill -s "$s" "$@" 2>/dev/null
done
sleep 1
EOF
	chmod 755 "$t/$KILLER"
}

# the event whose victim is @1, into $t/ev.json (the first such); 0 when there is one
event_of() {
	grep "\"victim\":{\"pid\":$1," "$t/k.json" | head -1 >"$t/ev.json"
	[ -s "$t/ev.json" ]
}

# one fact of $t/ev.json against what it must be
is() { # what path want
	local got
	got=$("$JFIELD" "$t/ev.json" "$2")
	[ "$got" = "$3" ] && ok "killers: $1: $2 $got" || bad "killers: $1: $2 is '$got', want '$3'"
}

# an RSS counter against /proc/PID/status read before the kill: the kernel's own counters are
# approximate (6.2+: percpu counters, which status sums since 6.16; before: per-thread caches
# synced every 64 faults), so within what they may lag, pages * 4 kB (a mutated read of another
# counter is MiBs off)
rss() { # path want
	local got ncpu lag
	got=$("$JFIELD" "$t/ev.json" "$1")
	ncpu=$(nproc)
	lag=$((ncpu * 2 > 32 ? ncpu * 2 : 32))
	lag=$((lag * ncpu > 64 ? lag * ncpu : 64))
	lag=$((lag * page_kb))
	if [ "$got" -ge $(($2 - lag)) ] 2>/dev/null && [ "$got" -le $(($2 + lag)) ]; then
		ok "killers: SIGKILL: $1 $got (status $2, the counters' lag $lag)"
	else
		bad "killers: SIGKILL: $1 is '$got', /proc/PID/status said $2 (lag up to $lag)"
	fi
}

status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

killers() {
	local v v2 v3 s1 s2 u1 u2 kpid after n
	make_killer
	if ! start_tracer "$t/k.json" "$t/k.err" --duration 600 --context none --killer "$KILLER" ${OOMTRACE_ARGS:-}; then
		bad "killers: $BACKEND did not attach: $(grep -v '"level":"debug"' "$t/k.err" | tail -2)"
		return
	fi
	# 1: SIGKILL to a hog with a distinct uid, oom_score_adj and shared memory
	v=$(waiting_hog "$cg" 16 -a "$VADJ" -s "$VSHM" -u "$VUID")
	[ -n "$v" ] || { bad "killers: the hog did not start"; stop_tracer; return; }
	s1="$(status_kb "$v" VmSize) $(status_kb "$v" RssAnon) $(status_kb "$v" RssFile) $(status_kb "$v" RssShmem) $(status_kb "$v" VmPTE)"
	"$t/$KILLER" KILL 0 "$v"
	kpid=$(cat "$t/killer.pid")
	# 2: SIGTERM, which only a second thread takes (it exits: the process lives), then SIGKILL
	# 0.3 s later: the death is the last thread's
	v2=$(waiting_hog "$cg" 4 -T)
	"$t/$KILLER" "TERM KILL" 0.3 "$v2"
	# 3: the same signals from a shell that is no killer
	u1=$(waiting_hog "$cg" 4 -t)
	u2=$(waiting_hog "$cg" 4)
	sh -c "kill -TERM $u1 $u2; sleep 0.1; kill -KILL $u1"
	# 4: SIGTERM alone to a hog that ignores it: reported when the tracer stops, alive
	v3=$(waiting_hog "$cg" 4 -t)
	"$t/$KILLER" TERM 0 "$v3"
	sleep 0.5
	stop_tracer
	kill -KILL "$v3" 2>/dev/null

	if event_of "$v"; then
		read -r -a s1 <<<"$s1"
		for f in "record kill" "outcome killed" "victim.tgid $v" "victim.comm $comm" "victim.uid $VUID" \
			"victim.oom_score_adj $VADJ" "victim.total_vm_kb ${s1[0]}" "victim.pgtables_kb ${s1[4]}" \
			"victim.cgroup /$name" "victim_role host_pid_ns" "trigger.pid null" "killer.name $KILLER" \
			"killer.pid $kpid" "killer.cmdline /bin/sh $t/$KILLER KILL 0 $v" "killer.signal 9" "killer.first_signal 9" \
			"killer.died true" "killer.exit_code 9" "killer.reason null"; do
			is "SIGKILL" ${f%% *} "${f#* }"
		done
		rss "victim.anon_rss_kb" "${s1[1]}"
		rss "victim.file_rss_kb" "${s1[2]}"
		rss "victim.shmem_rss_kb" "${s1[3]}"
		after=$("$JFIELD" "$t/ev.json" killer.died_after_us)
		[ "$after" -gt 0 ] 2>/dev/null && [ "$after" -lt 2000000 ] && ok "killers: SIGKILL: died after $after us" ||
			bad "killers: SIGKILL: died_after_us '$after' (want 0 < us < 2 s)"
	else
		bad "killers: no event for the SIGKILL to $v: $(head -c 300 "$t/k.json")"
	fi
	if event_of "$v2"; then
		for f in "killer.first_signal 15" "killer.signal 9" "killer.died true" "killer.exit_code 9"; do
			is "SIGTERM then SIGKILL" ${f%% *} "${f#* }"
		done
		after=$("$JFIELD" "$t/ev.json" killer.died_after_us)
		[ "$after" -ge 300000 ] 2>/dev/null && [ "$after" -lt 2300000 ] && ok "killers: SIGTERM then SIGKILL: died $after us after the first" ||
			bad "killers: SIGTERM then SIGKILL: died_after_us '$after' (want >= 0.3 s, the pause)"
		n=$(grep -c "\"victim\":{\"pid\":$v2," "$t/k.json")
		[ "$n" = 1 ] && ok "killers: two signals to one victim: one event" || bad "killers: two signals to one victim: $n events"
	else
		bad "killers: no event for SIGTERM then SIGKILL to $v2"
	fi
	n=$(grep -c -e "\"victim\":{\"pid\":$u1," -e "\"victim\":{\"pid\":$u2," "$t/k.json")
	[ "$n" = 0 ] && ok "killers: a shell's SIGTERM and SIGKILL are not reported" ||
		bad "killers: a shell's kill was reported ($n events)"
	if event_of "$v3"; then
		for f in "killer.signal 15" "killer.died missing" "killer.died_after_us missing"; do
			is "SIGTERM survived" ${f%% *} "${f#* }"
		done
	else
		bad "killers: no event (at the tracer's stop) for the SIGTERM $v3 survived"
	fi
	pidns
	kernel_named_so
	cgroup_kill
	storm
}

# The kernel's own OOM kill, whose trigger (the hog itself) bears the killer's name: its SIGKILL
# (SI_KERNEL) is the kernel's, reported as a kernel kill and never as the killer's
kernel_named_so() {
	local v n
	mkdir -p "$t/k" && cp "$HOG" "$t/k/$KILLER"
	COMM_FILTER=0 start_tracer "$t/k.json" "$t/k.err" --duration 600 --context none --killer "$KILLER" ${OOMTRACE_ARGS:-} ||
		{ bad "killers: kernel kill: $BACKEND did not attach"; return; }
	sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$cg" "$t/k/$KILLER" 2>/dev/null &
	v=$!
	wait "$v"
	sleep 0.5
	stop_tracer
	if event_of "$v"; then
		is "kernel kill of a task named like the killer" killer null
		is "kernel kill of a task named like the killer" victim.comm "$KILLER"
		n=$(grep -c "\"victim\":{\"pid\":$v," "$t/k.json")
		[ "$n" = 1 ] && ok "killers: kernel kill of a task named like the killer: one event" ||
			bad "killers: kernel kill of a task named like the killer: $n events"
	else
		bad "killers: no event for the kernel's kill of $v"
	fi
}

# A killer's victims in pid namespaces: a namespace's init (the container dies) and its child
pidns() {
	local init child up sh_pid i
	if ! unshare --pid --fork true 2>/dev/null; then
		skip "killers: pidns: cannot make a pid namespace here"
		return
	fi
	start_tracer "$t/k.json" "$t/k.err" --duration 600 --context none --killer "$KILLER" ${OOMTRACE_ARGS:-} ||
		{ bad "killers: pidns: $BACKEND did not attach"; return; }
	sh -c 'echo $$ > "$1/cgroup.procs" && exec unshare --pid --fork "$2" -w 60 4' sh "$cg" "$HOG" 2>/dev/null &
	up=$!
	sh -c 'echo $$ > "$1/cgroup.procs" && exec unshare --pid --fork sh -c "\"\$0\" -w 60 4; true" "$2"' sh "$cg" "$HOG" &
	sh_pid=$!
	for i in $(seq 50); do
		init=$(pgrep -P "$up" | head -1)
		child=$(pgrep -P "$(pgrep -P "$sh_pid" | head -1)" 2>/dev/null | head -1)
		[ -n "$init" ] && [ -n "$child" ] && [ "$(cat /proc/$init/comm 2>/dev/null)" = "$comm" ] &&
			[ "$(cat /proc/$child/comm 2>/dev/null)" = "$comm" ] && break
		sleep 0.05
	done
	"$t/$KILLER" KILL 0 "$init" "$child"
	stop_tracer
	wait "$up" "$sh_pid" 2>/dev/null
	if event_of "$init"; then
		is "pidns init" victim_role pid_ns_init
		is "pidns init" victim.ns_pid 1
	else
		bad "killers: pidns: no event for the namespace's init $init"
	fi
	if event_of "$child"; then
		is "pidns child" victim_role pid_ns_child
		is "pidns child" victim.ns_pid 2
	else
		bad "killers: pidns: no event for the namespace's child $child"
	fi
}

# cgroup v2 (5.14+): a write to cgroup.kill SIGKILLs every process in it, sent by the writer
cgroup_kill() {
	local g=$cg/ck a b n
	if [ "$cgv" != 2 ] || [ ! -e "$cg/cgroup.procs" ]; then
		skip "killers: cgroup.kill is cgroup v2's (this host has v1)"
		return
	fi
	mkdir "$g" 2>/dev/null
	if [ ! -e "$g/cgroup.kill" ]; then
		skip "killers: this kernel has no cgroup.kill (5.14+)"
		rmdir "$g"
		return
	fi
	cat >"$t/$KILLER" <<'EOF'
#!/bin/sh
echo $$ >"$(dirname "$0")/killer.pid"
echo 1 >"$1/cgroup.kill"
sleep 1
EOF
	start_tracer "$t/k.json" "$t/k.err" --duration 600 --context none --killer "$KILLER" ${OOMTRACE_ARGS:-} ||
		{ bad "killers: cgroup.kill: $BACKEND did not attach"; return; }
	a=$(waiting_hog "$g" 4)
	b=$(waiting_hog "$g" 4)
	"$t/$KILLER" "$g"
	stop_tracer
	for v in "$a" "$b"; do
		if event_of "$v"; then
			for f in "killer.name $KILLER" "killer.pid $(cat "$t/killer.pid")" "killer.signal 9" \
				"killer.died true" "killer.exit_code 9" "victim.cgroup /$name/ck"; do
				is "cgroup.kill" ${f%% *} "${f#* }"
			done
		else
			bad "killers: cgroup.kill: no event for $v"
		fi
	done
	rmdir "$g" 2>/dev/null
	make_killer
}

# 50 kernel OOM kills in the test memcg while the killer SIGKILLs 50 waiting hogs: every kill
# an event, none lost
storm() {
	local pids=() v i before after kk uk lost
	[ "$STORM" -gt 0 ] || { skip "killers: storm: OOMTRACE_KILLER_STORM=0"; return; }
	start_tracer "$t/k.json" "$t/k.err" --duration 600 --context none --killer "$KILLER" ${OOMTRACE_ARGS:-} ||
		{ bad "killers: storm: $BACKEND did not attach"; return; }
	for i in $(seq "$STORM"); do
		v=$(waiting_hog "" 2)
		[ -n "$v" ] && pids+=("$v")
	done
	before=$(oom_kills)
	(
		for i in $(seq "$STORM"); do
			sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$cg" "$HOG" 2>/dev/null
		done
	) &
	"$t/$KILLER" KILL 0 "${pids[@]}"
	wait $!
	sleep 1
	after=$(oom_kills)
	stop_tracer
	kk=$(grep -c '"record":"kill".*"killer":null' "$t/k.json")
	uk=$(grep -c "\"killer\":{\"name\":\"$KILLER\".*\"died\":true" "$t/k.json")
	lost=$(grep -o '"lost":[0-9]*' "$t/k.err" | tail -1)
	[ "$kk" = $((after - before)) ] && [ "$uk" = "${#pids[@]}" ] && [ "${#pids[@]}" = "$STORM" ] &&
		ok "killers: storm: $kk kernel kills and $uk killer kills, every one reported" ||
		bad "killers: storm: $kk of $((after - before)) kernel kills, $uk of ${#pids[@]} killer kills reported ${lost:-}"
}

no_bcc() {
	skip "killers: bcc: userspace killers' signals are attributed by the libbpf backend only"
}

live_each "libbpf" killers
live_each "bcc" no_bcc
live_verdict killers
