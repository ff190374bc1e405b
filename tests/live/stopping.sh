#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/stopping.sh: stopping: '| head -1' ends the tracer at once; SIGTERM ends it with its output blocked, exit 5.
# Real memcg OOM kills; see tests/live/lib.sh for the environment it reads.
. "$(dirname "$0")/lib.sh"

# whether this area is wanted here at all (before anything is set up)
stopping_wanted() {
	[ "${OOMTRACE_STOP_TESTS:-1}" = 1 ] || { skip "stopping: OOMTRACE_STOP_TESTS=0"; return 1; }
}

stopping() {
	( "$OOMTRACE" --backend libbpf -v --comm "$comm" ${OOMTRACE_ARGS:-} 2>"$t/head.err"
	  echo $? >"$t/head.rc" ) | head -1 >"$t/head.out" &
	hp=$!
	wait_line "$t/head.err" "tracing OOM kills" "$hp" "$ATTACH_TIMEOUT"
	{ sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$cg" "$HOG"; } 2>/dev/null
	wait "$hp" 2>/dev/null # head has its line: the pipeline ends when the tracer does
	for i in $(seq 10); do [ -s "$t/head.rc" ] && break; sleep 0.1; done
	if [ -s "$t/head.rc" ]; then
		ok "| head -1: the tracer ended within 1 s of head (exit $(cat "$t/head.rc"))"
		grep -q "OOM kill of PID" "$t/head.out" && ok "| head -1: head got the kill" || bad "| head -1: head got '$(cat "$t/head.out")'"
	else
		bad "| head -1: the tracer still runs 1 s after head ended"
		pkill -f -- "--comm $comm" 2>/dev/null
	fi
	# a reader that never reads: kills until the pipe is full, then SIGTERM
	mkfifo "$t/fifo"
	sleep 600 <"$t/fifo" &
	rd=$!
	exec 8>"$t/fifo" # a writer of ours keeps the reader from ever seeing EOF
	"$OOMTRACE" --backend libbpf -v --format json --comm "$comm" ${OOMTRACE_ARGS:-} >"$t/fifo" 2>"$t/blk.err" &
	bp=$!
	wait_line "$t/blk.err" "tracing OOM kills" "$bp" "$ATTACH_TIMEOUT"
	for i in $(seq 40); do
		sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$cg" "$HOG"
		[ "$(awk '{print $3}' "/proc/$bp/stat" 2>/dev/null)" = S ] && grep -q pipe_write "/proc/$bp/wchan" 2>/dev/null && break
	done 2>/dev/null
	grep -q pipe_write "/proc/$bp/wchan" 2>/dev/null && ok "blocked output: the tracer waits in a pipe write" ||
		bad "blocked output: could not block the tracer's output ($(cat "/proc/$bp/wchan" 2>/dev/null))"
	s=$(date +%s%N)
	kill -TERM "$bp"
	for i in $(seq 30); do kill -0 "$bp" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$bp" 2>/dev/null; then
		bad "blocked output: SIGTERM did not end the tracer within 3 s"
		kill -9 "$bp"
		wait "$bp"
	else
		wait "$bp"
		rc=$?
		ms=$((($(date +%s%N) - s) / 1000000))
		[ $rc -eq 5 ] && [ $ms -le 2000 ] && ok "blocked output: SIGTERM ended it in $ms ms with exit 5" ||
			bad "blocked output: exit $rc after $ms ms (want 5 within 2 s)"
		grep -q "blocked (no reader reading it) when told to stop" "$t/blk.err" && ok "blocked output: says so" ||
			bad "blocked output: no message: $(tail -2 "$t/blk.err")"
	fi
	exec 8>&-
	kill "$rd" 2>/dev/null
	wait "$rd" 2>/dev/null
	sleep 6 # the kernel's report ratelimit
}

live_each "libbpf" stopping stopping_wanted
live_verdict stopping
