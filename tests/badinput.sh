#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# badinput.sh: bad input gives a one-line error naming the input, a documented exit code,
# and loses nothing that was valid; odd bytes never break the output.
set -u
srcdir=${srcdir:-$(dirname "$0")/..}
OOMTRACE=${OOMTRACE:-./oomtrace}
fx="$srcdir/fixtures"
good="$fx/4.19-aarch64-openeuler2003-memcg-constructed.log"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
export TZ=UTC
. "$srcdir/tests/lib.sh"
# expect NAME WANT_RC GOT_RC
rc_is() { if [ "$3" -eq "$2" ]; then ok; else bad "$1: exit $3, want $2"; fi; }
# grep_is NAME PATTERN FILE
grep_is() { if grep -q -- "$2" "$3"; then ok; else bad "$1: '$2' not in: $(head -c 300 "$3")"; fi; }
lines_is() { n=$(wc -l <"$3"); if [ "$n" -eq "$2" ]; then ok; else bad "$1: $n lines, want $2"; fi; }

run() { # run OUT ERR args...
	o=$1 e=$2
	shift 2
	"$OOMTRACE" "$@" >"$o" 2>"$e"
}

# empty file: no events, no error
: >"$t/empty.log"
run "$t/o" "$t/e" --backend replay --format json "$t/empty.log"; rc_is empty 0 $?
lines_is "empty out" 0 "$t/o"
lines_is "empty err" 0 "$t/e"

# missing file among good ones: one line naming it, exit 1, the good file's event kept
run "$t/o" "$t/e" --backend replay --format json "$t/nope.log" "$good"; rc_is missing 1 $?
lines_is "missing err" 1 "$t/e"
grep_is "missing err" "nope.log: No such file or directory" "$t/e"
lines_is "missing keeps valid" 1 "$t/o"

# an unknown probe, a BTF file that is not there, --btf with --no-btf: usage errors (2), one line,
# before anything is attached
run "$t/o" "$t/e" --backend libbpf --probe uprobe; rc_is "unknown probe" 2 $?
lines_is "unknown probe err" 1 "$t/e"
grep_is "unknown probe err" "probe 'uprobe': unknown probe; use fentry, kprobe, tp_btf or tracepoint" "$t/e"
run "$t/o" "$t/e" --backend libbpf --btf "$t/no.btf"; rc_is "missing btf" 2 $?
grep_is "missing btf err" "no.btf': No such file or directory" "$t/e"
if [ "$(id -u)" -eq 0 ] && "$OOMTRACE" --version | grep -q 'libbpf ' && ! "$OOMTRACE" --version | grep -q 'libbpf (not built)'; then
	run "$t/o" "$t/e" --backend libbpf --btf "$good" --duration 0; rc_is "not a btf file" 2 $?
	lines_is "not a btf file err" 1 "$t/e"
	grep_is "not a btf file err" "no BTF in that file" "$t/e"
fi
run "$t/o" "$t/e" --backend libbpf --btf "$good" --no-btf; rc_is "btf and no-btf" 2 $?
grep_is "btf and no-btf err" "contradicts --no-btf" "$t/e"

# a directory
run "$t/o" "$t/e" --backend replay "$t"; rc_is directory 1 $?
grep_is "directory err" "Is a directory" "$t/e"

# unreadable file (as root, read it as nobody)
cp "$good" "$t/unreadable.log"
chmod 000 "$t/unreadable.log"
chmod 755 "$t"
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv >/dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$OOMTRACE" --backend replay "$t/unreadable.log" >"$t/o" 2>"$t/e"
		rc_is unreadable 1 $?
		grep_is "unreadable err" "unreadable.log: Permission denied" "$t/e"
	else
		echo "SKIP: unreadable file: root and no setpriv to drop privileges"
	fi
else
	run "$t/o" "$t/e" --backend replay "$t/unreadable.log"; rc_is unreadable 1 $?
	grep_is "unreadable err" "Permission denied" "$t/e"
fi

# binary garbage: reported once, no crash, exit 1
head -c 300000 /dev/urandom >"$t/garbage.bin"
run "$t/o" "$t/e" --backend replay --format json "$t/garbage.bin"; rc_is garbage 1 $?
grep_is "garbage err" "garbage.bin: binary data" "$t/e"
lines_is "garbage err lines" 1 "$t/e"

# garbage with a real record inside: the record survives
{ head -c 50000 /dev/urandom; printf '\n'; cat "$good"; head -c 50000 /dev/urandom; } >"$t/mixed.bin"
run "$t/o" "$t/e" --backend replay --format json "$t/mixed.bin"; rc_is mixed 1 $?
grep_is "mixed keeps record" '"pid":40211' "$t/o"

# a 4 MiB line without a newline after a valid record
{ cat "$good"; head -c 4194304 /dev/zero | tr '\0' 'x'; } >"$t/long.log"
run "$t/o" "$t/e" --backend replay --format json "$t/long.log"; rc_is "long line" 1 $?
grep_is "long line err" "long.log: a line longer than 65536 bytes was cut" "$t/e"
lines_is "long line keeps record" 1 "$t/o"
# ... and before one
{ head -c 4194304 /dev/zero | tr '\0' 'y'; printf '\n'; cat "$good"; } >"$t/long2.log"
run "$t/o" "$t/e" --backend replay --format json "$t/long2.log"; rc_is "long line first" 1 $?
lines_is "long line first keeps record" 1 "$t/o"

# invalid UTF-8 and control bytes in a comm and a cgroup: valid JSON and text out
printf '[ 1.0] \377\376 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n[ 1.1] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a\300b,task_memcg=/a\300b,task=\377\376\033x"\\,pid=5,uid=0\n[ 1.2] Memory cgroup out of memory: Killed process 5 (\377\376\033x"\\) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0\n' >"$t/utf8.log"
run "$t/o" "$t/e" --backend replay --format json "$t/utf8.log"; rc_is utf8 0 $?
lines_is "utf8 one event" 1 "$t/o"
if iconv -f UTF-8 -t UTF-8 "$t/o" >/dev/null 2>&1; then ok; else bad "utf8: JSON output is not valid UTF-8"; fi
"$OOMTRACE" --backend replay --events "$t/o" --format json >"$t/o2" 2>"$t/e2"
rc_is "utf8 json reparses" 0 $?
if cmp -s "$t/o" "$t/o2"; then ok; else bad "utf8: JSON round trip differs"; fi
grep_is "utf8 replacement char" "$(printf '"comm":"\357\277\275\357\277\275\\\\u001bx')" "$t/o"
run "$t/o" "$t/e" --backend replay "$t/utf8.log"; rc_is "utf8 text" 0 $?
if iconv -f UTF-8 -t UTF-8 "$t/o" >/dev/null 2>&1; then ok; else bad "utf8: text output is not valid UTF-8"; fi

# gzip: same events as plain; a truncated one keeps what came before the cut
log618="$fx/6.18-x86_64-memcg-v1-burst-kmsg.log"
gzip -c "$log618" >"$t/k.log.gz"
"$OOMTRACE" --backend replay --format json "$log618" >"$t/plain.json"
run "$t/o" "$t/e" --backend replay --format json "$t/k.log.gz"; rc_is gzip 0 $?
if cmp -s "$t/plain.json" "$t/o"; then ok; else bad "gzip: output differs from plain"; fi
size=$(wc -c <"$t/k.log.gz")
head -c $((size * 3 / 4)) "$t/k.log.gz" >"$t/trunc.log.gz"
run "$t/o" "$t/e" --backend replay --format json "$t/trunc.log.gz"; rc_is "truncated gzip" 1 $?
grep_is "truncated gzip err" "trunc.log.gz: truncated or corrupt gzip stream" "$t/e"
n=$(wc -l <"$t/o")
if [ "$n" -ge 1 ]; then ok; else bad "truncated gzip: no events kept"; fi
# stdin, with '-'
"$OOMTRACE" --backend replay --format json - <"$log618" >"$t/o"; rc_is stdin 0 $?
if cmp -s "$t/plain.json" "$t/o"; then ok; else bad "stdin: output differs"; fi

# recorded events with bad lines: each named, the rest kept
{ head -n 2 "$t/plain.json"; echo '{"schema":1,"seq":'; echo 'not json'; echo '{"schema":2}'; echo '{"lost":3}'; tail -n 1 "$t/plain.json"; } >"$t/ev.json"
run "$t/o" "$t/e" --backend replay --events "$t/ev.json" --format json; rc_is "events bad lines" 1 $?
lines_is "events err lines" 3 "$t/e"
grep_is "events err names line" "ev.json:3: invalid JSON" "$t/e"
grep_is "events err schema" 'ev.json:5: field \\"schema\\": unsupported version' "$t/e"
lines_is "events kept" 4 "$t/o"
grep_is "events lost record" '^{"lost":3}$' "$t/o"

# --output appends; bad arguments exit 2; an unbuilt backend exits 3
"$OOMTRACE" --backend replay --format bcc -o "$t/out.txt" "$good" && "$OOMTRACE" --backend replay --format bcc -o "$t/out.txt" "$good"
lines_is "output appends" 2 "$t/out.txt"
run "$t/o" "$t/e" --format xml "$good"; rc_is "bad format" 2 $?
lines_is "bad format one line" 1 "$t/e"
grep_is "bad format names it" "format 'xml'" "$t/e"
# --on-pressure: an empty command, a user that is not one: refused before anything runs
run "$t/o" "$t/e" --on-pressure "" "$good"; rc_is "empty --on-pressure" 2 $?
grep_is "empty --on-pressure said" "--on-pressure" "$t/e"
run "$t/o" "$t/e" --on-pressure true --on-pressure-user no-such-user-here "$good"; rc_is "unknown --on-pressure-user" 2 $?
grep_is "unknown user said" "no-such-user-here: no such user" "$t/e"
lines_is "unknown user: nothing written" 0 "$t/o"
run "$t/o" "$t/e" --count 0 "$good"; rc_is "bad count" 2 $?
run "$t/o" "$t/e" --stack-wait 0 "$good"; rc_is "bad --stack-wait" 2 $?
grep_is "bad --stack-wait said" "--stack-wait '0': not a time in ms between 1 and 10000" "$t/e"
run "$t/o" "$t/e" --backend replay --probe tp_btf "$good"; rc_is "probe on replay" 2 $?
for b in libbpf bcc; do
	if "$OOMTRACE" --version | grep -q "$b (not built)"; then
		run "$t/o" "$t/e" --backend $b; rc_is "unbuilt $b" 3 $?
		grep_is "unbuilt $b says how" "not built; reconfigure with --with-$b" "$t/e"
	fi
done
# --count stops early
"$OOMTRACE" --backend replay --format bcc --count 2 "$log618" >"$t/o"
lines_is "count" 2 "$t/o"
# filters
"$OOMTRACE" --backend replay --format bcc --comm "my hog" "$log618" >"$t/o"
lines_is "filter comm" 2 "$t/o"
"$OOMTRACE" --backend replay --format bcc --cgroup /oomtest "$log618" >"$t/o"
lines_is "filter cgroup" 7 "$t/o"
"$OOMTRACE" --backend replay --format bcc --cgroup /oom "$log618" >"$t/o"
lines_is "filter cgroup is a path prefix" 0 "$t/o"
# kills whose source cannot know a cgroup are never dropped in silence by --cgroup
"$OOMTRACE" --backend replay -v --format bcc --cgroup /x "$fx/4.18-x86_64-rhel8-header-ratelimited-constructed.log" >"$t/o" 2>"$t/e"
rc_is "cgroup unknown" 0 $?
lines_is "cgroup unknown: not shown" 0 "$t/o"
grep_is "cgroup unknown: warned once" "the kill of PID 9925 came without any cgroup" "$t/e"
grep_is "cgroup unknown: counted" "2 kills not shown: no cgroup known to match --cgroup /x" "$t/e"

# --follow: a record appended to a growing file is reported while oomtrace keeps running
: >"$t/grow.log"
"$OOMTRACE" --backend replay --follow --format bcc "$t/grow.log" >"$t/follow.out" 2>"$t/follow.err" &
fpid=$!
sleep 0.5
cat "$good" >>"$t/grow.log"
for i in $(seq 50); do
	[ -s "$t/follow.out" ] && break
	sleep 0.1
done
kill -0 "$fpid" 2>/dev/null && ok || bad "follow: oomtrace stopped early: $(cat "$t/follow.err")"
kill -INT "$fpid" 2>/dev/null
wait "$fpid"
rc=$?
rc_is "follow stops on SIGINT" 0 $rc
grep_is "follow reported the appended kill" "OOM kill of PID 40211" "$t/follow.out"

# --stacks: a value not known is a usage error; none leaves every stack and class out, also
# what a log printed
run "$t/o" "$t/e" --stacks user; rc_is "stacks user" 2 $?
grep_is "stacks user err" "stacks 'user': use all, kernel or none" "$t/e"
trace="$fx/6.18-x86_64-memcg-v1-burst-dmesg.log"
"$OOMTRACE" --backend replay --format json "$trace" >"$t/o" 2>"$t/e"
if grep -q '"kernel_stack":\[{' "$t/o" && grep -q '"allocation":{' "$t/o"; then ok; else bad "stacks default: no kernel_stack from the log's call trace"; fi
"$OOMTRACE" --backend replay --format json --stacks none "$trace" >"$t/o" 2>"$t/e"; rc_is "stacks none" 0 $?
if [ -s "$t/o" ] && ! grep -q '"kernel_stack"\|"allocation"' "$t/o"; then ok; else bad "stacks none: a stack or class reported"; fi

# an output that cannot be written (a full disk): one line naming it, exit 5, whether the events
# are written as they come (a small log: at the end of the read) or in batches (a large one)
many="$fx/6.18-x86_64-memcg-v1-burst-dmesg.log"
for f in "$good" "$many"; do
	n=$(basename "$f")
	"$OOMTRACE" --backend replay "$f" >/dev/full 2>"$t/e"; rc_is "full stdout $n" 5 $?
	lines_is "full stdout $n one line" 1 "$t/e"
	grep_is "full stdout $n says so" "<stdout>: cannot write: No space left on device" "$t/e"
	"$OOMTRACE" --backend replay --format json -o /dev/full "$f" >"$t/o" 2>"$t/e"; rc_is "full -o $n" 5 $?
	grep_is "full -o $n names it" "/dev/full: cannot write: No space left on device" "$t/e"
done
# written in batches of whole events: 50 copies of a 6-kill log (over 64 KiB of JSON), every event
# once, every line one whole JSON object
for i in $(seq 50); do cat "$many"; done >"$t/many.log"
"$OOMTRACE" --backend replay --format json "$t/many.log" >"$t/o" 2>"$t/e"; rc_is "batched" 0 $?
if [ "$(wc -c <"$t/o")" -gt 65536 ]; then ok; else bad "batched: output under 64 KiB, no batch"; fi
got=$(python3 -c 'import json, sys
n = 0
for l in open(sys.argv[1]):
    n += json.loads(l)["outcome"] == "killed"
print(n)' "$t/o" 2>&1)
if [ "$got" = 300 ]; then ok; else bad "batched: $got killed events, want 300"; fi

# live backends without the rights: one line saying what is needed, exit 4
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	for b in libbpf bcc; do
		"$OOMTRACE" --version | grep -q "$b (not built)" && continue
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
			"$OOMTRACE" --backend $b --duration 0 >"$t/o" 2>"$t/e"
		rc_is "unprivileged $b" 4 $?
		lines_is "unprivileged $b one line" 1 "$t/e"
		grep_is "unprivileged $b says what is needed" "needs root, or CAP_BPF and CAP_PERFMON" "$t/e"
	done
else
	echo "SKIP: unprivileged live run: needs root and setpriv to drop the rights"
fi

verdict badinput
