#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/killers.sh: kills by a userspace memory killer, live, in one run of the tracer. A
# killer of our own (a script named oomtrace-tk, given with --killer) sends SIGKILL, SIGTERM then
# SIGKILL, or SIGTERM alone to hogs that hold a few MiB in the test memcg and wait (one with a
# thread that exits at the SIGTERM, so that its death is its last thread's); each kill must be
# one event naming the hog with the facts /proc/PID/status gave just before (the kernel's own
# account of the task), the killer (pid, command line), the signals, and the death with its exit
# code and how long it took. The same signals from an unrelated shell must not be reported; a hog
# that survives its SIGTERM is reported when the tracer stops, alive. Inside pid namespaces the
# victim's role is checked; a kernel OOM kill whose trigger bears the killer's name stays the
# kernel's; on cgroup v2, a write to cgroup.kill; then a storm of kernel OOM kills and killer
# kills at once (50 + 50) must lose none. No OOM is made but in the test memcg.
# OOMTRACE_KILLER_STORM: kills of each kind in the storm (0: none); OOMTRACE_KILLER_TESTS=0: skip.
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
	for i in $(seq 400); do
		grep -q ready "$out" && break
		sleep 0.05
	done
	set -- $(cat "$out")
	[ "${1:-}" = hog ] && echo "$2"
}

# the killer: "SIGS PAUSE PID..." sends each of SIGS (e.g. "TERM KILL") to the pids, PAUSE
# seconds apart; "cgroup DIR" writes DIR's cgroup.kill. It stays 2 s more (the tracer reads its
# /proc entry). Run in the background: $! is its pid.
make_killer() {
	cat >"$t/$KILLER" <<'EOF'
#!/bin/sh
if [ "$1" = cgroup ]; then
	echo 1 >"$2/cgroup.kill"
else
	sigs=$1 pause=$2
	shift 2
	first=1
	for s in $sigs; do
		[ $first = 1 ] || sleep "$pause"
		first=0
		kill -s "$s" "$@" 2>/dev/null
	done
fi
sleep 2
EOF
	chmod 755 "$t/$KILLER"
}

# the event whose victim is @1, into $t/ev.json (the first such); 0 when there is one
event_of() {
	[ -n "$1" ] && grep "\"victim\":{\"pid\":$1," "$t/k.json" | head -1 >"$t/ev.json" && [ -s "$t/ev.json" ]
}
# its probe was the classic tracepoint (a kernel whose BTF is a file: no typed task): the victim
# has its pid and comm from the record, the rest only from what /proc still showed
classic() { [ "$("$JFIELD" "$t/ev.json" probe)" = tracepoint ]; }

# one fact of $t/ev.json against what it must be (a failure shows the event)
is() { # what path want
	local got
	got=$("$JFIELD" "$t/ev.json" "$2")
	if [ "$got" = "$3" ]; then
		ok "killers: $1: $2 $got"
	else
		bad "killers: $1: $2 is '$got', want '$3'"
		echo "  event: $(grep -o '"victim":{.*' "$t/ev.json" | head -c 1200)"
	fi
}
facts() { # what "path want"...
	local what=$1 f
	shift
	for f in "$@"; do is "$what" "${f%% *}" "${f#* }"; done
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

# the pids whose parent is @1 (no pgrep in the VM guests' busybox)
children() {
	local f
	[ -n "$1" ] || return 0
	for f in /proc/[0-9]*/stat; do
		awk -v p="$1" '$4 == p { print $1 }' "$f" 2>/dev/null
	done
}

status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

killers() {
	local v v2 v3 s1 u1 u2 kp kp2 init child nk pidns_ok=0 kk g a b kpc uk n after
	local spids=() waits=()
	make_killer
	rm -f "$t"/k.json
	# every kill of the run (the kernel's one of a task named like the killer too): no --comm
	if ! COMM_FILTER=0 start_tracer "$t/k.json" "$t/k.err" --duration 600 --context none --killer "$KILLER" ${OOMTRACE_ARGS:-}; then
		bad "killers: $BACKEND did not attach: $(grep -v '"level":"debug"' "$t/k.err" | tail -2)"
		return
	fi
	# 1: SIGKILL to a hog with a distinct uid, oom_score_adj and shared memory
	v=$(waiting_hog "$cg" 16 -a "$VADJ" -s "$VSHM" -u "$VUID")
	[ -n "$v" ] || { bad "killers: the hog did not start"; stop_tracer; return; }
	s1="$(status_kb "$v" VmSize) $(status_kb "$v" RssAnon) $(status_kb "$v" RssFile) $(status_kb "$v" RssShmem) $(status_kb "$v" VmPTE)"
	"$t/$KILLER" KILL 0 "$v" &
	kp=$!
	waits+=($!)
	# 2: SIGTERM, which only a second thread takes (it exits: the process lives), then SIGKILL
	# 0.3 s later: the death is the last thread's
	v2=$(waiting_hog "$cg" 4 -T)
	"$t/$KILLER" "TERM KILL" 0.3 "$v2" &
	kp2=$!
	waits+=($!)
	# 3: the same signals from a shell that is no killer
	u1=$(waiting_hog "$cg" 4 -t)
	u2=$(waiting_hog "$cg" 4)
	sh -c "kill -TERM $u1 $u2; sleep 0.1; kill -KILL $u1"
	# 4: SIGTERM alone to a hog that ignores it: reported when the tracer stops, alive
	v3=$(waiting_hog "$cg" 4 -t)
	"$t/$KILLER" TERM 0 "$v3" &
	waits+=($!)
	# 5: in pid namespaces: a namespace's init, and a namespace init's child
	if unshare --pid --fork true 2>/dev/null; then
		sh -c 'echo $$ > "$1/cgroup.procs" && exec unshare --pid --fork "$2" -w 60 4' sh "$cg" "$HOG" >/dev/null 2>&1 &
		a=$!
		sh -c 'echo $$ > "$1/cgroup.procs" && exec unshare --pid --fork sh -c "\"\$0\" -w 60 4; true" "$2"' sh "$cg" "$HOG" >/dev/null 2>&1 &
		b=$!
		for _ in $(seq 400); do
			init=$(children "$a" | head -1)
			child=$(children "$(children "$b" | head -1)" | head -1)
			[ -n "$init" ] && [ -n "$child" ] && [ "$(cat "/proc/$init/comm" 2>/dev/null)" = "$comm" ] &&
				[ "$(cat "/proc/$child/comm" 2>/dev/null)" = "$comm" ] && [ -n "$(status_kb "$child" RssAnon)" ] && break
			sleep 0.05
		done
		"$t/$KILLER" KILL 0 "$init" "$child" &
		waits+=($!)
		pidns_ok=1
	fi
	# 6: the kernel's own OOM kill of a task named like the killer (its trigger, SI_KERNEL)
	mkdir -p "$t/k" && cp "$HOG" "$t/k/$KILLER"
	sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$cg" "$t/k/$KILLER" 2>/dev/null &
	nk=$!
	wait "$nk" 2>/dev/null
	# 7: cgroup v2's cgroup.kill (5.14+), written by the killer: a memcg of its own beside the
	# test's (the test's has tasks: it cannot have children with a memory controller of their own)
	g=
	if [ "$cgv" = 2 ] && mkdir "$cg-ck" && echo $((LIMIT_MB << 20)) >"$cg-ck/memory.max" &&
		[ -e "$cg-ck/cgroup.kill" ]; then
		g=$cg-ck
		a=$(waiting_hog "$g" 4)
		b=$(waiting_hog "$g" 4)
		"$t/$KILLER" cgroup "$g" &
		kpc=$!
		waits+=($!)
	fi
	# 8: the storm: kernel OOM kills in the test memcg while the killer SIGKILLs waiting hogs
	if [ "$STORM" -gt 0 ]; then
		for _ in $(seq "$STORM"); do
			spids+=("$(waiting_hog "" 2)")
		done
		(
			for _ in $(seq "$STORM"); do
				sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$cg" "$HOG" 2>/dev/null &
				echo $! >>"$t/kpids"
				wait $!
			done
		) 2>/dev/null &
		waits+=($!)
		"$t/$KILLER" KILL 0 "${spids[@]}" &
		waits+=($!)
	fi
	wait "${waits[@]}" 2>/dev/null
	sleep 1
	stop_tracer
	# the kernel's OOM report ratelimit (10 per 5 s), which the storm spent: the next section
	# compares its kills with their reports
	sleep 6
	kill -KILL "$v3" 2>/dev/null
	[ -d "$cg-ck" ] && rmdir "$cg-ck"

	# 1
	if event_of "$v"; then
		read -r -a s1 <<<"$s1"
		facts SIGKILL "record kill" "outcome killed" "trigger.pid null" "killer.name $KILLER" "killer.pid $kp" \
			"killer.cmdline /bin/sh $t/$KILLER KILL 0 $v" "killer.signal 9" "killer.first_signal 9" \
			"killer.died true" "killer.exit_code 9" "killer.reason null" "killer.log none" "victim.comm $comm"
		if classic; then
			echo "note: killers: the classic tracepoint: the victim's other facts from /proc, if any"
		else
			facts SIGKILL "victim.tgid $v" "victim.uid $VUID" "victim.oom_score_adj $VADJ" \
				"victim.total_vm_kb ${s1[0]}" "victim.pgtables_kb ${s1[4]}" "victim.cgroup /$name" \
				"victim_role host_pid_ns"
			rss "victim.anon_rss_kb" "${s1[1]}"
			rss "victim.file_rss_kb" "${s1[2]}"
			rss "victim.shmem_rss_kb" "${s1[3]}"
		fi
		after=$("$JFIELD" "$t/ev.json" killer.died_after_us)
		[ "$after" -gt 0 ] 2>/dev/null && [ "$after" -lt 2000000 ] && ok "killers: SIGKILL: died after $after us" ||
			bad "killers: SIGKILL: died_after_us '$after' (want 0 < us < 2 s)"
	else
		bad "killers: no event for the SIGKILL to $v: $(head -c 300 "$t/k.json")"
	fi
	# 2
	if event_of "$v2"; then
		facts "SIGTERM then SIGKILL" "killer.pid $kp2" "killer.first_signal 15" "killer.signal 9" \
			"killer.died true" "killer.exit_code 9"
		after=$("$JFIELD" "$t/ev.json" killer.died_after_us)
		[ "$after" -ge 300000 ] 2>/dev/null && [ "$after" -lt 2300000 ] && ok "killers: SIGTERM then SIGKILL: died $after us after the first" ||
			bad "killers: SIGTERM then SIGKILL: died_after_us '$after' (want >= 0.3 s, the pause)"
		n=$(grep -c "\"victim\":{\"pid\":$v2," "$t/k.json")
		[ "$n" = 1 ] && ok "killers: two signals to one victim: one event" || bad "killers: two signals to one victim: $n events"
	else
		bad "killers: no event for SIGTERM then SIGKILL to $v2"
	fi
	# 3
	n=$(grep -c -e "\"victim\":{\"pid\":$u1," -e "\"victim\":{\"pid\":$u2," "$t/k.json")
	[ "$n" = 0 ] && ok "killers: a shell's SIGTERM and SIGKILL are not reported" ||
		bad "killers: a shell's kill was reported ($n events)"
	# 4
	if event_of "$v3"; then
		facts "SIGTERM survived" "killer.signal 15" "killer.died missing" "killer.died_after_us missing"
	else
		bad "killers: no event (at the tracer's stop) for the SIGTERM $v3 survived"
	fi
	# 5
	if [ "$pidns_ok" = 0 ]; then
		skip "killers: pidns: cannot make a pid namespace here"
	elif ! event_of "$init"; then
		bad "killers: pidns: no event for the namespace's init '$init'"
	elif classic; then
		echo "note: killers: pidns: the classic tracepoint reads the namespace from /proc, if still there"
	else
		facts "pidns init" "victim_role pid_ns_init" "victim.ns_pid 1"
		if event_of "$child"; then
			facts "pidns child" "victim_role pid_ns_child" "victim.ns_pid 2"
		else
			bad "killers: pidns: no event for the namespace's child '$child'"
		fi
	fi
	# 6
	if event_of "$nk"; then
		facts "kernel kill of a task named like the killer" "killer null" "victim.comm $KILLER"
		n=$(grep -c "\"victim\":{\"pid\":$nk," "$t/k.json")
		[ "$n" = 1 ] && ok "killers: kernel kill of a task named like the killer: one event" ||
			bad "killers: kernel kill of a task named like the killer: $n events"
	else
		bad "killers: no event for the kernel's kill of $nk"
	fi
	# 7
	if [ -z "$g" ]; then
		skip "killers: cgroup.kill: cgroup v2's, 5.14+ (this host: cgroup v$cgv)"
	else
		for v in "$a" "$b"; do
			if event_of "$v"; then
				facts cgroup.kill "killer.name $KILLER" "killer.pid $kpc" "killer.signal 9" \
					"killer.died true" "killer.exit_code 9"
				classic || is cgroup.kill victim.cgroup "/$name-ck"
			else
				bad "killers: cgroup.kill: no event for $v"
			fi
		done
	fi
	# 8
	if [ "$STORM" -gt 0 ]; then
		kk=0 uk=0
		for v in $(cat "$t/kpids"); do
			grep -q "\"victim\":{\"pid\":$v,.*\"killer\":null" "$t/k.json" && kk=$((kk + 1))
		done
		for v in "${spids[@]}"; do
			grep -q "\"victim\":{\"pid\":$v,.*\"killer\":{\"name\":\"$KILLER\".*\"died\":true" "$t/k.json" && uk=$((uk + 1))
		done
		[ "$kk" = "$STORM" ] && [ "$uk" = "$STORM" ] &&
			ok "killers: storm: $kk kernel kills and $uk killer kills at once, every one reported" ||
			bad "killers: storm: $kk of $STORM kernel kills, $uk of $STORM killer kills reported ($(grep -o '"lost":[0-9]*' "$t/k.err" | tail -1))"
	fi
}

no_bcc() {
	skip "killers: bcc: userspace killers' signals are attributed by the libbpf backend only"
}

killers_wanted() {
	[ "${OOMTRACE_KILLER_TESTS:-1}" != 0 ] || { skip "killers: OOMTRACE_KILLER_TESTS=0"; return 1; }
}

live_each "libbpf" killers killers_wanted
live_each "bcc" no_bcc killers_wanted
live_verdict killers
