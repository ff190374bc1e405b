#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/ustack.sh: the trigger's user stack, live: tests/ustack (-O2 -g -fomit-frame-pointer)
# takes memory two calls below main until a memcg OOM kills it, three times; each kill's user
# stack must name that function, its caller and main, in order, at their source lines (read from
# tests/ustack.c), unwound through libc (no frame pointers) by its call frame information; each
# frame's build id and address must give the same function and line to binutils (readelf,
# addr2line). Its kernel stack is an anon_fault. A fourth kill is taken inside write() (pipe
# buffers): class syscall, and a user stack through main. The fifth and sixth kills' victims are
# other tests/ustacks, asleep in that function holding more than the trigger: their own user stack,
# at the SIGKILL, must name the sleep's line, while the trigger's names the memset's; so must a
# seventh's, whose mark_victim tests/markdelay holds until it has taken its SIGKILL (libbpf); the first
# three (the victim is the trigger) have no victim.user_stack. bcc: each kill says why it has none.
# Real memcg OOM kills; see tests/live/lib.sh for the environment. OOMTRACE_USTACK_TESTS=0: skip.
. "$(dirname "$0")/lib.sh"
# OOMTRACE_USTACK: the tracer to run here where it is not $OOMTRACE (the VM guests' with libdw)
OOMTRACE=${OOMTRACE_USTACK:-$OOMTRACE}
# a sanitizer build unwinds several times slower than a kill waits by default (50 ms): give it
# a second (CI's sanitizer run lost the pipes kill's stack to the 50 ms)
if [ -z "${USTACK_WAIT:-}" ] && "$OOMTRACE" --version 2>/dev/null | grep -q "^sanitizers:"; then
	USTACK_WAIT=1000
fi

in_cg() { sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$cg" "$@"; } 2>/dev/null
nth() { grep '"record":"kill"' "$t/us.json" | sed -n "${1}p" >"$t/ev.json"; }
field() { "$JFIELD" "$t/ev.json" "$1"; }
src_line() { grep -n -F -- "$1" "${USTACK_SRC:-$srcdir/tests/ustack.c}" | head -1 | cut -d: -f1; }
# a module that is libc: libc.so, or tests/ustack itself where it is static (USTACK_STATIC=1: a
# static build's; the VM guests' is dynamic since tests/vm/build.sh gives it a libc)
in_libc() {
	case $1 in */libc*) return 0 ;; esac
	[ "${USTACK_STATIC:-0}" = 1 ] && [ "${1##*/}" = "${USTACK##*/}" ]
}

WHO=trigger # whose user stack frame_of and check_frame read: trigger or victim
# the index of the first frame named $1 (none: empty)
frame_of() { # (every frame has a pc; an unnamed one has no function)
	local i=0
	while [ "$(field "$WHO.user_stack.frames.$i.pc")" != missing ]; do
		[ "$(field "$WHO.user_stack.frames.$i.function")" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
}

# frame $2 of kill $1 is function $3 at the line of tests/ustack.c holding $4, found by CFI
check_frame() {
	local k=$1 i=$2 fn=$3 want got file method bid addr a2l
	want=$(src_line "$4")
	got=$(field "$WHO.user_stack.frames.$i.line")
	file=$(field "$WHO.user_stack.frames.$i.file")
	method=$(field "$WHO.user_stack.frames.$i.method")
	[ "$got" = "$want" ] && [ "${file##*/}" = ustack.c ] && [ "$method" = cfi ] &&
		ok "ustack: kill $k: frame $i $fn (ustack.c:$got, $method)" ||
		bad "ustack: kill $k: frame $i $fn at '$file:$got' by $method, want ustack.c:$want by cfi"
	bid=$(field "$WHO.user_stack.frames.$i.build_id")
	addr=$(field "$WHO.user_stack.frames.$i.address")
	if command -v readelf >/dev/null && command -v addr2line >/dev/null; then
		[ "$bid" = "$(readelf -n "$USTACK" | awk '/Build ID/ { print $3; exit }')" ] &&
			ok "ustack: kill $k: frame $i's build id is the binary's" || bad "ustack: kill $k: frame $i build id '$bid'"
		# a return address: the call is the byte before it
		a2l=$(addr2line -f -e "$USTACK" "$(printf '0x%x' $((addr - 1)))" | tr '\n' ' ')
		case "$a2l" in
		"$fn "*"ustack.c:$want"*) ok "ustack: kill $k: addr2line agrees: $a2l" ;;
		*) bad "ustack: kill $k: frame $i address $addr: addr2line says '$a2l', we say $fn:$want" ;;
		esac
	fi
}

# the frames of kill $1 from $WHO's frame $2 on are tests/ustack's function at the line holding
# $3, then ustack_middle and main, by CFI, and the stack ends at _start
check_chain() {
	local k=$1 take=$2
	check_frame "$k" "$take" ustack_take "$3"
	[ "$(field "$WHO.user_stack.frames.$((take + 1)).function")" = ustack_middle ] &&
		check_frame "$k" $((take + 1)) ustack_middle "return ustack_take(" ||
		bad "ustack: kill $k: frame $((take + 1)) is $(field "$WHO.user_stack.frames.$((take + 1)).function"), not ustack_middle"
	[ "$(field "$WHO.user_stack.frames.$((take + 2)).function")" = main ] &&
		check_frame "$k" $((take + 2)) main "sink = ustack_middle(" ||
		bad "ustack: kill $k: frame $((take + 2)) is $(field "$WHO.user_stack.frames.$((take + 2)).function"), not main"
	[ "$(field "$WHO.user_stack.end")" = outermost ] && ok "ustack: kill $k: $WHO's stack unwound to _start" ||
		bad "ustack: kill $k: $WHO's unwinding ended: $(field "$WHO.user_stack.end")"
}

# 5. the victim is not the trigger: a tests/ustack asleep holding 40 MiB of the 64, killed when
# another takes its 23rd; each stack is its own. Made three times, the third with tests/markdelay
# holding oom:mark_victim until the victim took its SIGKILL, 40 ms at most (within the 50 ms that
# tell a victim SIGKILLed just before from one already exiting, live/live.c): the kernel sends its SIGKILL before mark_victim
# (mm/oom_kill.c __oom_kill_process), so that victim reaches its exit before the tracer hears it
# named, and must keep its copy there for the mark that follows (as one did by chance under TCG).
# The late one must have its stack, copied early; so must the others, but for one at most whose
# copy did not come within the wait (once in five arm64-6.12 runs under TCG, cause not known:
# each such loss is printed with what the tracer said of that victim).
victim_apart() {
	local take vpid apart=0 lost=0
	rm -f "$t/victim.json"
	grep '"record":"kill"' "$t/us.json" >"$t/kills.json"
	while read -r line; do
		printf '%s\n' "$line" >"$t/ev.json"
		[ "$(field victim.pid)" != "$(field trigger.pid)" ] && [ "$(field victim.comm)" = ustack ] || continue
		apart=$((apart + 1))
		vpid=$(field victim.pid)
		case "$(field victim.user_stack.missing)" in
		"no exit hook here"*) # arm64 before 6.4 (no fentry) with a sched_process_exit after exit_mm()
			skip "ustack: the victim's: $(field victim.user_stack.missing)"
			return ;;
		esac
		cp "$t/ev.json" "$t/late.json" # the last: kill 7's, where it was made
		if [ "$(field victim.user_stack.frames)" != missing ]; then
			ok "ustack: victim apart $vpid has its stack"
			[ -s "$t/victim.json" ] || cp "$t/ev.json" "$t/victim.json"
			continue
		fi
		echo "ustack: victim apart $vpid: $(field victim.user_stack.missing) ($(grep -a "victim $vpid" "$t/us.err" | tail -3 | tr '\n' ' '))"
		case "$(field victim.user_stack.missing)" in
		"no copy of the victim's stack within"*) lost=$((lost + 1)) ;;
		*) bad "ustack: victim apart $vpid: $(field victim.user_stack.missing)" ;;
		esac
	done <"$t/kills.json"
	[ "$lost" -le 1 ] || bad "ustack: $lost of $apart victims apart had no copy of their stack"
	[ -s "$t/victim.json" ] || { bad "ustack: none of $apart victims apart has its stack"; return; }
	[ "$apart" -ge 2 ] || { bad "ustack: $apart kills of a sleeping ustack by another, 2 or more made"; return; }
	cp "$t/victim.json" "$t/ev.json"
	victim_chain 5
	take=$(frame_of ustack_take)
	[ -n "$take" ] && check_frame 5 "$take" ustack_take "memset(p, (int)i | 1, 1 << 20);" ||
		bad "ustack: kill 5: the trigger's stack has no ustack_take"
	[ -n "${late:-}" ] || return 0
	[ "$apart" -ge 3 ] || { bad "ustack: $apart kills of a sleeping ustack by another, 3 made"; return; }
	cp "$t/late.json" "$t/ev.json"
	late=$(field victim.pid)
	[ "$(field victim.user_stack.frames)" != missing ] || bad "ustack: late victim $late has no stack"
	grep -aq "user stack of victim $late: copied at its exit, before mark_victim named it" "$t/us.err" &&
		ok "ustack: late victim $late: its copy was made at its exit, before mark_victim" ||
		bad "ustack: late victim $late: no copy made before mark_victim ($(grep -a "victim $late" "$t/us.err" | tail -3 | tr '\n' ' '))"
	victim_chain 7
}

# the victim's stack of kill $1 (in ev.json): frame 0 in libc, then ustack_take at its sleep
victim_chain() {
	local k=$1 take vpid tpid
	vpid=$(field victim.pid) tpid=$(field trigger.pid)
	take=$(WHO=victim frame_of ustack_take)
	[ "$(field victim.user_stack.frames.0.method)" = regs ] && in_libc "$(field victim.user_stack.frames.0.module)" &&
		ok "ustack: kill $k: victim $vpid (trigger $tpid): frame 0 in libc ($(field victim.user_stack.frames.0.function))" ||
		bad "ustack: kill $k: victim's frame 0 $(field victim.user_stack.frames.0.function) in $(field victim.user_stack.frames.0.module): $(field victim.user_stack.missing) ($(grep -a 'user stack' "$t/us.err" | tail -3 | tr '\n' ' '))"
	if [ -n "$take" ]; then
		WHO=victim check_chain "$k" "$take" "sink = sleep(30);"
	else
		bad "ustack: kill $k: the victim's stack has no ustack_take: $(grep -o '"user_stack":.\{0,300\}' "$t/ev.json" | tail -1)"
	fi
}

# wait (10 s at most) until a tests/ustack in the test memcg holds its 40 MiB: asleep, not still
# faulting them in (under TCG a second is not always enough)
wait_held() {
	local i p
	for i in $(seq 100); do
		for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = ustack ] &&
				[ "$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)" -ge 40000 ] 2>/dev/null &&
				return 0
		done
		sleep 0.1
	done
	echo "ustack: the holder did not hold 40 MiB within 10 s"
}

# tests/markdelay, attached before the tracer (its program runs first); late: its kill was made
delay_start() {
	delay= late=
	[ "$BACKEND" = libbpf ] && [ -x "${MARKDELAY:-}" ] || return 0
	"$MARKDELAY" 40 >"$t/delay.out" 2>&1 &
	delay=$!
	wait_line "$t/delay.out" attached "$delay" 10 && return 0
	skip "ustack: the late victim: $(head -1 "$t/delay.out")"
	kill "$delay" 2>/dev/null
	wait "$delay"
	delay=
}

# 7. the late victim: as 5, with its mark_victim held; the victim and the trigger each on a CPU
# of its own (the killer does not yield while it is held, and a victim woken on its CPU would
# wait there)
late_kill() {
	local hold
	[ -n "$delay" ] || return 0
	if [ "$(nproc)" -lt 2 ] || ! command -v taskset >/dev/null; then
		skip "ustack: the late victim: needs two CPUs and taskset"
		return
	fi
	in_cg taskset -c 0 "$USTACK" hold 40 &
	hold=$!
	wait_held
	kill -USR1 "$delay"
	in_cg taskset -c 1 "$USTACK" oom 32
	wait $hold # (not the tracer's)
	kill -USR2 "$delay"
	late=1
}

delay_stop() {
	[ -n "$delay" ] || return 0
	kill "$delay"
	wait "$delay"
	[ -z "${late:-}" ] || grep -q "^held [1-9]" "$t/delay.out" && ok "ustack: markdelay: $(grep '^held' "$t/delay.out")" ||
		bad "ustack: markdelay held no mark_victim: $(tail -3 "$t/delay.out" | tr '\n' ' ')"
	delay=
}

ustack_live() {
	local k take n pipes hold
	[ "${OOMTRACE_USTACK_TESTS:-1}" != 0 ] || { skip "ustack: OOMTRACE_USTACK_TESTS=0"; return; }
	if [ ! -x "${USTACK:-}" ]; then
		skip "ustack: no tests/ustack (built with libdw only)"
		return
	fi
	delay_start
	# -v again: the debug lines of each stack's times, for a failure's message
	COMM_FILTER=0 start_tracer "$t/us.json" "$t/us.err" -v --cgroup "/$name" ${OOMTRACE_ARGS:-} --stacks all ${USTACK_WAIT:+--stack-wait "$USTACK_WAIT"} --context none --duration 300
	rc=$?
	[ $rc = 0 ] || {
		bad "ustack: oomtrace did not attach (exit $rc): $(tail -2 "$t/us.err")"
		delay_stop
		return
	}
	for k in 1 2 3; do
		in_cg "$USTACK" oom 256
		sleep 0.5
	done
	in_cg "$HOG" -k 200 1
	sleep 6 # the kernel's OOM report ratelimit
	for k in 5 6; do
		in_cg "$USTACK" hold 40 &
		hold=$!
		wait_held
		in_cg "$USTACK" oom 32
		wait $hold # (not the tracer's)
	done
	late_kill
	sleep 1
	stop_tracer
	delay_stop
	n=$(grep -c '"record":"kill"' "$t/us.json")
	[ "$n" -ge 6 ] || { bad "ustack: $n kills reported, 6 made"; return; }
	nth 1
	if [ "$BACKEND" = bcc ] || [ "$(field trigger.user_stack.frames)" = missing ]; then
		why=$(field trigger.user_stack.missing)
		case "$BACKEND:$why" in
		bcc:*bcc*) ok "ustack: bcc: each kill says why it has no user stack: $why" ;;
		libbpf:*"older than 5.8"* | libbpf:*"no libdw"*) skip "ustack: $why" ;;
		*) bad "ustack: no user stack: '$why' ($(grep -a 'user stack' "$t/us.err" | head -2))"
			grep -a 'libbpf' "$t/us.err" | grep -v 'loaded kernel BTF\|CO-RE relocating' | tail -25 ;;
		esac
		return
	fi
	for k in 1 2 3; do
		nth $k
		[ "$(field allocation.class)" = anon_fault ] && ok "ustack: kill $k: class anon_fault" ||
			bad "ustack: kill $k: class $(field allocation.class) at $(field allocation.frame)"
		[ "$(field trigger.user_stack.frames.0.method)" = regs ] && in_libc "$(field trigger.user_stack.frames.0.module)" &&
			ok "ustack: kill $k: frame 0 in libc ($(field trigger.user_stack.frames.0.function))" ||
			bad "ustack: kill $k: frame 0 $(field trigger.user_stack.frames.0.function) in $(field trigger.user_stack.frames.0.module)"
		take=$(frame_of ustack_take)
		[ -n "$take" ] || { bad "ustack: kill $k: no frame ustack_take: $(grep -o '"user_stack":.\{0,300\}' "$t/ev.json")"; continue; }
		check_chain $k "$take" "memset(p, (int)i | 1, 1 << 20);"
		[ "$(field victim.user_stack)" = missing ] && ok "ustack: kill $k: no victim.user_stack (the victim is the trigger)" ||
			bad "ustack: kill $k: a victim.user_stack where the victim is the trigger"
	done
	# libc's own lines, from its separate debug information, once it has been read (after the
	# first kill's answer)
	nth 3
	if [ "${USTACK_STATIC:-0}" != 1 ] && [ -d /usr/lib/debug/.build-id ] &&
		[ -n "$(find /usr/lib/debug/.build-id -name '*.debug' | head -1)" ]; then
		[ "$(field trigger.user_stack.frames.0.line)" -gt 0 ] 2>/dev/null &&
			ok "ustack: libc's frame with its line ($(field trigger.user_stack.frames.0.file):$(field trigger.user_stack.frames.0.line))" ||
			bad "ustack: libc's frame 0 without a line by the third kill"
	fi
	# 4. inside write(): pipe buffers
	pipes=$(grep -n '"record":"kill"' "$t/us.json" | grep '"comm":"hog' | head -1 | cut -d: -f1)
	grep '"record":"kill"' "$t/us.json" | grep '"comm":"hog' | head -1 >"$t/ev.json"
	case "$(field allocation.class):$(field allocation.detail)" in
	syscall:write | syscall:fcntl) ok "ustack: pipes: class syscall $(field allocation.detail)" ;;
	*) bad "ustack: pipes: class $(field allocation.class) $(field allocation.detail) at $(field allocation.frame)" ;;
	esac
	[ -n "$(frame_of main)" ] && ok "ustack: pipes: the user stack reaches hog's main" ||
		bad "ustack: pipes: no main in $(grep -o '"user_stack":.\{0,300\}' "$t/ev.json") ($(grep -a 'user stack' "$t/us.err" | tail -4 | tr '\n' ' '))"
	victim_apart
	sleep 6 # the kernel's OOM report ratelimit
}

live_each "libbpf bcc" ustack_live
live_verdict ustack
