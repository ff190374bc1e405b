#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# replay-classes.sh: each class of log people paste gives the right events, fact by fact
# (fixtures/README.md says where each wording comes from): line formats, mail quoting and
# re-wrapping, interleaved reports, summary-only kills, oom.group then a ratelimited kill,
# a lone panic; and streaming: a pipe that stays open, gzip through a pipe, stdin without
# FILE, --follow across rename+recreate and truncate+regrowth.
set -u
srcdir=${srcdir:-$(dirname "$0")/..}
OOMTRACE=${OOMTRACE:-./oomtrace}
JFIELD=${JFIELD:-tests/jfield}
fx="$srcdir/fixtures"
t=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$t"' EXIT
export TZ=UTC
. "$srcdir/tests/lib.sh"

replay() { "$OOMTRACE" --backend replay --year 2026 --format json "$@" 2>"$t/err"; }
# f SEQ PATH...: the fields of event SEQ of $t/o, space-separated
f() { s=$1; shift; "$JFIELD" "$t/o" -k seq="$s" "$@" | tr '\n' ' ' | sed 's/ $//'; }
nev() { grep -c '"record":"kill"' "$t/o"; }

# --- formats: every one gives the 6 kills of the real 6.18 capture, same facts ------------
replay "$fx/6.18-x86_64-memcg-v1-burst-dmesg.log" >"$t/ref"
for k in short-unix short-full json export; do
	replay "$fx/6.18-x86_64-memcg-v1-burst-$k.log" >"$t/o"
	is "$k events" "$(nev)" 6
	is "$k stderr" "$(cat "$t/err")" ""
	for s in 1 4 6; do
		cp "$t/o" "$t/cur"
		a=$(f "$s" victim.pid victim.comm victim.anon_rss_kb trigger.pid oom_memcg constraint gfp_mask)
		cp "$t/ref" "$t/o"
		b=$(f "$s" victim.pid victim.comm victim.anon_rss_kb trigger.pid oom_memcg constraint gfp_mask)
		cp "$t/cur" "$t/o"
		is "$k event $s facts" "$a" "$b"
	done
	is "$k host" "$(f 1 host)" devbox
	is "$k time" "$(f 1 time | cut -c1-19)" 2026-11-27T03:56:23
done
replay "$fx/6.18-x86_64-memcg-v1-burst-json.log" >"$t/o"
is "json uptime from _SOURCE_MONOTONIC_TIMESTAMP" "$(f 1 uptime_s)" 131.705295

replay "$fx/5.10-x86_64-dmesg-r-priority-constructed.log" >"$t/o"
is "dmesg -r events (user record <12> ignored)" "$(nev)" 1
is "dmesg -r facts" "$(f 1 victim.pid trigger.pid uptime_s oom_memcg)" "4242 4242 1770.370154 /system.slice/app.service"

for k in 5.4-mips-openwrt-logread 5.4-arm-busybox-syslogd; do
	replay "$fx/$k-constructed.log" >"$t/o"
	is "$k events" "$(nev)" 1
	is "$k facts" "$(f 1 victim.pid victim.anon_rss_kb constraint mems_allowed)" "1801 79244 none 0"
done
is "busybox syslogd time (--year)" "$(f 1 time | cut -c1-19)" 2026-01-25T09:40:15
replay "$fx/5.4-mips-openwrt-logread-constructed.log" >"$t/o"
is "logread time (its own year)" "$(f 1 time | cut -c1-19)" 2020-01-25T09:40:15
is "logread reaper" "$(f 1 reaped.anon_rss_kb)" 0

# --- mail quoting and re-wrapping ------------------------------------------------------------
replay "$fx/5.15-x86_64-mail-quoted-wrapped-constructed.log" >"$t/o"
is "mail events" "$(nev)" 1
is "mail wrapped summary" "$(f 1 victim.cgroup oom_memcg victim.uid)" "/system.slice/ingest.service /system.slice/ingest.service 1001"
is "mail wrapped kill line" "$(f 1 victim.anon_rss_kb victim.pgtables_kb victim.oom_score_adj partial)" "520404 1104 200 false"
is "mail wrapped header" "$(f 1 trigger.oom_score_adj order)" "0 0"
replay "$fx/4.18-x86_64-rhel8-mail-quoted-task-in-constructed.log" >"$t/o"
is "task-in events" "$(nev)" 2
is "task-in terminal-cut path" "$(f 1 oom_memcg)" /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c.slice
is "task-in mailer break" "$(f 2 victim.cgroup oom_memcg constraint)" "/user.slice/user-1000.slice/session-4.scope /user.slice/user-1000.slice memcg"

# --- interleaved reports ----------------------------------------------------------------------
for n in 2 6; do
	replay "$fx/5.10-x86_64-interleaved-${n}cpu-caller-constructed.log" >"$t/o"
	is "interleaved $n with caller ids: one event per kill" "$(nev)" "$n"
	i=0
	while [ $i -lt "$n" ]; do
		s=$((i + 1))
		is "caller $n/$s own trigger" "$(f $s trigger.pid trigger.comm victim.pid oom_memcg partial)" \
			"$((5000 + i)) w$i $((6000 + i)) /kubepods/pod$i false"
		is "caller $n/$s own context" "$(f $s context.memcg.usage_kb)" "$((4000 * (i + 1)))"
		i=$((i + 1))
	done
	replay "$fx/5.10-x86_64-interleaved-${n}cpu-constructed.log" >"$t/o"
	is "interleaved $n without caller ids: one event per kill" "$(nev)" "$n"
	i=0
	while [ $i -lt "$n" ]; do
		s=$((i + 1))
		# partial, and nothing that another report could have printed
		is "mixed $n/$s" "$(f $s victim.pid partial trigger.pid gfp_mask context)" "$((6000 + i)) true null null {}"
		i=$((i + 1))
	done
	is "mixed $n invocations" "$(f "$n" invocation)" "$n"
done

# --- kills known from one line ----------------------------------------------------------------
replay "$fx/5.15-x86_64-summary-only-constructed.log" >"$t/o"
is "summary-only events" "$(nev)" 3
is "summary-only facts" "$(f 2 outcome partial victim.pid victim.comm victim.uid victim.cgroup oom_memcg constraint)" \
	"killed true 701 nginx 101 /kubepods/burstable/pod1/c1 /kubepods/burstable/pod1 memcg"
replay "$fx/2.6.18-i686-bare-killed-constructed.log" >"$t/o"
is "2.6.18 events" "$(nev)" 2
is "2.6.18 bare kill" "$(f 1 victim.pid victim.comm selected.pid)" "3101 httpd 3101"
is "2.6.18 Out of Memory: Kill + Killed ." "$(f 2 victim.pid victim.comm selected.pid)" "3121 java 3120"

replay "$fx/5.10-x86_64-oom-group-then-ratelimited-constructed.log" >"$t/o"
is "group events" "$(nev)" 3
is "group member" "$(f 2 invocation victim.pid trigger.pid partial)" "1 7701 7712 false"
is "later kill not pinned to the group" "$(f 3 invocation victim.pid trigger.pid oom_memcg partial constraint)" "2 8100 null null true memcg"

replay "$fx/4.19-x86_64-lone-panic-constructed.log" >"$t/o"
is "lone panic event" "$(nev)" 1
is "lone panic outcome" "$(f 1 outcome partial)" "panic true"
"$OOMTRACE" --backend replay --year 2026 "$fx/4.19-x86_64-lone-panic-constructed.log" >"$t/txt"
is "panic classic line" "$(head -1 "$t/txt" | grep -c 'Kernel panic on OOM')" 1
head -n 8 "$fx/5.15-x86_64-no-killable-panic-constructed.log" >"$t/nk.log"
"$OOMTRACE" --backend replay --year 2026 "$t/nk.log" >"$t/txt"
pat='Triggered by PID 1 ("init"), OOM with no killable process'
is "no-killable classic line" "$(head -1 "$t/txt" | grep -c -F "$pat")" 1

# --- one schema across eras ---------------------------------------------------------------------
replay "$fx/2.6.32-x86_64-rhel6-global-constructed.log" >"$t/o"
row=$(grep -m1 -o '"top_tasks":\[{[^}]*}' "$t/o")
is "task columns 2.6.32 did not print are null" "$(echo "$row" | grep -c '"pgtables_bytes":null,"swapents":null')" 1
is "task columns it printed" "$(echo "$row" | grep -c '"tgid":28390,"total_vm_pages":3461223,"rss_pages":1849761')" 1
replay "$fx/3.10-x86_64-rhel7-memcg-constructed.log" >"$t/o"
is "<= 4.x memcg stat in bytes, as later kernels" "$(f 1 context.memcg_stat.rss)" 268435456
is "no limit is -1 (3.10)" "$(f 1 context.memcg.memsw_limit_kb context.memcg.limit_kb)" "-1 262144"
replay "$fx/6.18-x86_64-memcg-v1-burst-dmesg.log" >"$t/o"
is "no limit is -1 (6.18)" "$(f 1 context.memcg.kmem_limit_kb context.memcg_stat.hierarchical_memsw_limit context.memcg_stat.hierarchical_memory_limit)" "-1 -1 67108864"
printf '%s\n' '{"schema":1,"seq":1,"record":"kill","uptime_s":-1e308,"source":"replay","probe":"log","outcome":"killed"}' \
	'{"schema":1,"seq":2,"record":"kill","uptime_s":12.5,"source":"replay","probe":"log","outcome":"killed"}' '{"lost":3}' >"$t/ev.json"
"$OOMTRACE" --backend replay --events "$t/ev.json" --format json >"$t/o" 2>"$t/err"
is "--events bad uptime_s: exit 1" $? 1
is "--events bad uptime_s: one line naming it" "$(grep -c 'ev.json:1: field .*uptime_s.*line skipped' "$t/err")" 1
is "--events good line kept (numbered anew)" "$(f 1 uptime_s)" 12.500000
is "lost record written by the JSON writer" "$(grep -c '^{"lost":3}$' "$t/o")" 1

# --- --summary: one row per pod / unit / container / comm ---------------------------------------
"$OOMTRACE" --backend replay --summary --format json "$fx/6.18-x86_64-memcg-v1-burst-dmesg.log" >"$t/sum.json"
is "summary rows" "$(wc -l <"$t/sum.json")" 4
is "summary: the three hogs in one row, largest first seen" "$(grep -c '^{"kind":"comm","name":"hog","kills":3,"first":"+131.861 s","last":"+131.882 s","largest_victim":{"pid":2311,"comm":"hog","rss_kb":41768},"constraint":"memcg","killer":"kernel","cause":"single_task"}$' "$t/sum.json")" 1
uid_=0a1b2c3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d cid=3f4e5d6c7b8a99887766554433221100aabbccddeeff00112233445566778899
k8s_kill() { # uptime pid pod-uid-underscored container-id rss
	echo "[$1] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$3.slice,task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$3.slice/cri-containerd-$4.scope,task=java,pid=$2,uid=1000"
	echo "[$1] Memory cgroup out of memory: Killed process $2 (java) total-vm:1000kB, anon-rss:$5kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:40kB oom_score_adj:900"
}
{ k8s_kill 10.0 101 "$uid_" "$cid" 500; k8s_kill 20.0 102 "$uid_" "${cid%??}aa" 900; k8s_kill 30.0 103 1111aaaa_2222_3333_4444_555566667777 "$cid" 100
  echo "[40.0] Out of memory: Killed process 104 (sshd) total-vm:1000kB, anon-rss:10kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0"; } >"$t/k8s.log"
"$OOMTRACE" --backend replay --summary "$t/k8s.log" >"$t/sum.txt"
"$OOMTRACE" --backend replay --summary --format json "$t/k8s.log" >"$t/sum.json"
is "summary: pods by uid, kills per pod, most first" "$(sed 's/,"first".*//' "$t/sum.json" | tr '\n' ';')" \
	'{"kind":"pod","name":"uid 0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d","kills":2;{"kind":"comm","name":"sshd","kills":1;{"kind":"pod","name":"uid 1111aaaa-2222-3333-4444-555566667777","kills":1;'
is "summary: text table header" "$(head -1 "$t/sum.txt" | awk '{print $1, $2, $3}')" "KIND NAME KILLS"
is "summary: largest victim of the pod" "$(grep -c '102 "java" 900 kB' "$t/sum.txt")" 1
# the killer column: a unit killed by the kernel and by systemd-oomd, a comm by earlyoom
"$OOMTRACE" --backend replay --summary --format json "$fx/userspace-systemd-oomd-journal-constructed.log" \
	"$fx/userspace-earlyoom-1.7-syslog-constructed.log" "$fx/6.1-x86_64-unit-names-constructed.log" >"$t/sum.json"
is "summary: earlyoom's java row, largest by the RSS earlyoom stated" \
	"$(grep -c '"name":"java","kills":2,.*"largest_victim":{"pid":5120,"comm":"java","rss_kb":4004864},"constraint":"?","killer":"earlyoom","cause":"?"}$' "$t/sum.json")" 1
is "summary: systemd-oomd's unit rows" "$(grep -c '"kind":"unit",.*"killer":"systemd-oomd","cause":"?"}$' "$t/sum.json")" 3
is "summary: kernel rows kept apart, each with its cause" "$(grep -c '"killer":"kernel","cause":"[a-z_]*"}$' "$t/sum.json")" "$(grep -vc 'systemd-oomd\|earlyoom' "$t/sum.json")"
"$OOMTRACE" --backend replay --format json --pod 1111aaaa-2222-3333-4444-555566667777 "$t/k8s.log" >"$t/o"
is "--pod by uid" "$(nev) $(f 1 victim.pid k8s.qos container.runtime)" "1 103 burstable containerd"

# --- streaming ----------------------------------------------------------------------------------
kill1=$(sed -n 1,79p "$fx/6.18-x86_64-memcg-v1-burst-dmesg.log")
mkfifo "$t/fifo"
"$OOMTRACE" --backend replay --format bcc -F - <"$t/fifo" >"$t/stream.out" 2>&1 &
tracer=$!
exec 7>"$t/fifo"
# the writer's open lets the shell exec the reader: time the lines, not its start (qemu-user)
sleep 0.5
start=$(date +%s%N)
printf '%s\n' "$kill1" >&7
got=""
for _ in $(seq 200); do
	if [ -s "$t/stream.out" ]; then got=$(date +%s%N); break; fi
	sleep 0.005
done
if [ -n "$got" ]; then
	ms=$(( (got - start) / 1000000 ))
	if [ "$ms" -le 100 ]; then ok; else bad "pipe kept open: first event after $ms ms (want <= 100)"; fi
else
	bad "pipe kept open: no event within 1 s"
fi
is "pipe event" "$(grep -c 'OOM kill of PID 2307' "$t/stream.out")" 1
exec 7>&-
wait $tracer
is "pipe exit after writer closed" $? 0

gzip -c "$fx/6.18-x86_64-memcg-v1-burst-dmesg.log" | "$OOMTRACE" --backend replay --format json - >"$t/o" 2>"$t/err"
is "gzip through a pipe" "$(nev)" 6
cat "$fx/6.18-x86_64-memcg-v1-burst-dmesg.log" | "$OOMTRACE" --format json >"$t/o" 2>"$t/err"
is "stdin without FILE is replayed" "$(nev)" 6
is "stdin without FILE: no live-tracing message" "$(grep -c -i 'tracing\|backend' "$t/err")" 0

# --follow: rename + recreate (logrotate's default), then copytruncate with fast regrowth
log="$t/kern.log"
sed -n 1,79p "$fx/6.18-x86_64-memcg-v1-burst-dmesg.log" >"$log"
"$OOMTRACE" --backend replay --format bcc -F "$log" >"$t/follow.out" 2>"$t/follow.err" &
tracer=$!
waitfor() { for _ in $(seq 100); do [ "$(grep -c "$1" "$t/follow.out")" -ge "$2" ] && return 0; sleep 0.05; done; return 1; }
waitfor 'PID 2307' 1 || bad "follow: first kill not seen"
mv "$log" "$log.1"
sed -n 80,158p "$fx/6.18-x86_64-memcg-v1-burst-dmesg.log" >"$log.new" && mv "$log.new" "$log"
waitfor 'PID 2308' 1 && ok || bad "follow: kill in the recreated file not seen (rename+recreate)"
# truncate, then at once more than was there before
: >"$log"
{ sed -n 159,237p "$fx/6.18-x86_64-memcg-v1-burst-dmesg.log"; sed -n 80,158p "$fx/6.18-x86_64-memcg-v1-burst-dmesg.log" | sed 's/2308/2999/g'; } >>"$log"
waitfor 'PID 2309' 1 && ok || bad "follow: kill at the start of the truncated+regrown file not seen"
waitfor 'PID 2999' 1 && ok || bad "follow: second kill of the regrown file not seen"
kill $tracer; wait $tracer 2>/dev/null
n=$(grep -c "OOM kill of PID" "$t/follow.out")
is "follow: each kill once" "$n" 4
[ "$n" -eq 4 ] || cat "$t/follow.out" "$t/follow.err"

# --- events lost in transport, as a recorded event file says: every output says so ---------
replay "$fx/5.15-x86_64-summary-only-constructed.log" >"$t/ev.json"
{ head -1 "$t/ev.json"; echo '{"lost":5}'; tail -n +2 "$t/ev.json"; echo '{"lost":2}'; } >"$t/lost.json"
"$OOMTRACE" --events "$t/lost.json" >"$t/o" 2>"$t/err"
# (said as they are counted: after the events read with them)
lost_sum() { sed -n "s/$1/\\1/p" "$t/o" | awk '{ n += $1 } END { print n + 0 }'; }
is "lost: text says how many" "$(lost_sum '^LOST \([0-9]*\) events$')" 7
is "lost: text line after the kills" "$(tail -1 "$t/o" | cut -c1-5)" "LOST "
"$OOMTRACE" --events "$t/lost.json" --format json >"$t/o"
is "lost: json records" "$(lost_sum '^{"lost":\([0-9]*\)}$')" 7
"$OOMTRACE" --events "$t/lost.json" --summary >"$t/o"
is "lost: --summary says it too" "$(lost_sum '^LOST \([0-9]*\) events$')" 7
"$OOMTRACE" --events "$t/lost.json" --format bcc -v --metrics-file "$t/m.prom" >"$t/o" 2>"$t/err"
is "lost: metrics total" "$(grep '^oomtrace_events_lost_total' "$t/m.prom")" 'oomtrace_events_lost_total{source="replay"} 7'
is "lost: exit summary" "$(grep -c ', 7 lost$' "$t/err")" 1
# -c N: stops after N events written, the Nth included
"$OOMTRACE" --events "$t/ev.json" --format json -c 2 >"$t/o"
is "-c 2: two events" "$(grep -c '"record":"kill"' "$t/o")" 2
"$OOMTRACE" --events "$t/ev.json" -c 1 >"$t/o"
is "-c 1: one line" "$(grep -c 'OOM kill of PID' "$t/o")" 1

# --- names: the unit as systemd names it; a container's scope is no metrics label ----------
replay "$fx/6.1-x86_64-unit-names-constructed.log" >"$t/o"
cid=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
is "names: container scope is the unit" "$(f 1 unit container.id)" "cri-containerd-$cid.scope $cid"
is "names: escapes kept" "$(f 2 unit)" 'app-flatpak-org.example.Editor\x2dbeta-4242.scope'
is "names: cg_escape's '_' dropped" "$(f 3 unit)" cpu.service
"$OOMTRACE" --backend replay --year 2026 --format bcc --metrics-file "$t/m.prom" \
	"$fx/6.1-x86_64-unit-names-constructed.log" >/dev/null 2>&1
is "names: metrics unit labels" "$(sed -n 's/^oomtrace_oom_kills_total{.*unit="\(.*\)"} \([0-9]*\)$/\1=\2/p' "$t/m.prom" | sort | tr '\n' ' ')" \
	'=1 app-flatpak-org.example.Editor\\x2dbeta-4242.scope=1 cpu.service=1 '
"$OOMTRACE" --backend replay --year 2026 --format json --unit 'app-flatpak-org.example.Editor\x2dbeta-4242' \
	"$fx/6.1-x86_64-unit-names-constructed.log" >"$t/o" 2>/dev/null
is "names: --unit takes the name verbatim, suffix optional" "$(f 1 victim.pid) $(nev)" "4242 1"

verdict replay-classes
