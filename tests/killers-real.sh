#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/killers-real.sh: a real earlyoom's kills, as its journal keeps them, replayed. earlyoom
# (Debian's package) runs in a pid and mount namespace of its own, where /proc/meminfo is a file
# of ours saying that memory is low (so nothing of the host is at risk, and no memory is used),
# its output into a private systemd-journald (tests/journald.sh) as a service's would go; in
# that namespace it sees two sleeping processes, oom_score_adj 1000 and 500, and kills them one
# after the other (SIGTERM: 7% available is under its 10% but over its 5%). journalctl's short,
# short-iso and json output of those entries must replay to the two kills with every fact
# earlyoom printed, and the real journal lines it wrote are compared with its source's wording.
# The same for a real nohang (SIGTERM to one sleeping process), whose messages span lines.
# Live, where the libbpf tracer attaches: it runs beside each killer (in the private journal's
# mount namespace, so that it follows that journal) and must report each kill with the victim's
# host pid (mapped from its pid in the namespace while it ran), the killer's pid, signal, the
# death, and the killer's own line joined: the same reason and numbers the replay gives.
srcdir=${srcdir:-.}
OOMTRACE=${OOMTRACE:-./oomtrace}
JFIELD=${JFIELD:-./tests/jfield}
. "$srcdir/tests/journald.sh"
t=$(mktemp -d)
. "$srcdir/tests/lib.sh"
trap 'live_stop; jd_stop; rm -rf "$t"' EXIT

[ "$(id -u)" = 0 ] || skip_all "a pid and mount namespace need root"
# The killers are taken from Debian's packages, never installed (an installed one would start as
# a service on this machine): apt-get download and dpkg-deb -x into a cache, as tests/vm does
# with kernels; an installed earlyoom or nohang is used where there is one.
kdir=${OOMTRACE_KILLERS_DIR:-/var/tmp/oomtrace-killers}
unpack() { # package
	[ -d "$kdir/$1" ] && return 0
	command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || return 1
	mkdir -p "$kdir/deb" && (cd "$kdir/deb" && apt-get download "$1" >/dev/null 2>&1) &&
		dpkg-deb -x "$(ls "$kdir/deb/$1"_*.deb | head -1)" "$kdir/$1.tmp" && mv "$kdir/$1.tmp" "$kdir/$1"
}
EARLYOOM=${EARLYOOM:-$(command -v earlyoom)}
[ -x "$EARLYOOM" ] || { unpack earlyoom && EARLYOOM=$kdir/earlyoom/usr/bin/earlyoom; }
[ -x "$EARLYOOM" ] || skip_all "no earlyoom here, and Debian's package could not be downloaded"
command -v systemd-cat >/dev/null || skip_all "no systemd-cat (Debian: systemd)"
unshare --pid --fork --mount --mount-proc true 2>/dev/null || skip_all "cannot make a pid namespace"
jd_start "$t/jd" || skip_all "$jd_why"

# --- live: the libbpf tracer beside the killer, in the private journal's mount namespace (so
# that it follows that journal for the killers' own lines), where it can attach ----------------
tracer=
live_start() { # out err: 0 attached
	local i
	tracer=
	"$OOMTRACE" --version | grep -q '^backends:.* libbpf\( \|$\)' && ! "$OOMTRACE" --version | grep -q 'libbpf (not built)' ||
		{ live_why="the libbpf backend was not built"; return 1; }
	# (nsenter execs it: its pid is the tracer's, for the SIGINT that stops it)
	nsenter -t "$jd_pid" -m --wd="$PWD" -- "$OOMTRACE" --backend libbpf -v --format json --context none --duration 120 >"$1" 2>"$2" &
	tracer=$!
	for i in $(seq 300); do
		grep -q "tracing OOM kills" "$2" && return 0
		kill -0 "$tracer" 2>/dev/null || break
		sleep 0.1
	done
	live_why="the libbpf tracer did not attach: $(grep -v '"level":"debug"' "$2" | tail -1)"
	live_stop
	return 1
}
live_stop() { [ -n "${tracer:-}" ] && kill -INT "$tracer" 2>/dev/null && wait "$tracer" 2>/dev/null; tracer=; }
# the host pid of the process whose pid in its (other) namespace is @1 and whose comm is @2
host_pid() {
	local f
	for f in /proc/[0-9]*/status; do
		awk -v ns="$1" -v c="$2" '$1 == "Name:" { n = $2 } $1 == "NSpid:" && NF == 3 && $3 == ns && n == c { split(FILENAME, p, "/"); print p[3]; exit }' "$f" 2>/dev/null
	done | head -1
}
# the victims' host pids once they run (the namespace's script waits for "go"), then go
map_victims() { # names... (files of ns pids written by the script)
	local i
	for i in $(seq 100); do [ -s "$t/nspids" ] && break; sleep 0.05; done
	hosts=
	for v in $(cat "$t/nspids" 2>/dev/null); do hosts="$hosts $(host_pid "$v" sleep)"; done
	touch "$t/go"
}

# 7% of 8 GB available, no swap: under earlyoom's SIGTERM limit (10%), over its SIGKILL one (5%)
cat >"$t/meminfo" <<'EOF'
MemTotal:        8000000 kB
MemFree:          400000 kB
MemAvailable:     560000 kB
Buffers:           10000 kB
Cached:           200000 kB
SwapCached:            0 kB
SwapTotal:             0 kB
SwapFree:              0 kB
EOF
# In the namespace: the victims, then earlyoom (its output to the journal as "earlyoom"); done
# when both victims are gone. The shell and earlyoom keep out of its choice (oom_score_adj -1000).
cat >"$t/ns.sh" <<'EOF'
mount --bind "$1/meminfo" /proc/meminfo || exit 1
echo -1000 >/proc/self/oom_score_adj
sh -c 'echo 1000 >/proc/self/oom_score_adj; exec sleep 60' &
v1=$!
sh -c 'echo 500 >/proc/self/oom_score_adj; exec sleep 60' &
v2=$!
echo "$v1 $v2" >"$1/nspids"
for i in $(seq 100); do [ -e "$1/go" ] && break; sleep 0.05; done
systemd-cat -t earlyoom "$2" -r 0 &
e=$!
wait $v1 $v2
# memory is plentiful again (the same file, rewritten in place: the bind mount shows it): earlyoom
# logs the second
# death and kills nothing more
printf 'MemTotal:        8000000 kB\nMemAvailable:    7000000 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n' >"$1/meminfo"
sleep 1
kill $e
echo "$v1 $v2" >"$1/victims"
EOF
if live_start "$t/live.json" "$t/live.err"; then live=1; else echo "SKIP: live: $live_why"; live=0; fi
[ "$live" = 0 ] && touch "$t/go"
jd_run timeout 30 unshare --pid --fork --mount --mount-proc sh "$t/ns.sh" "$t" "$EARLYOOM" 2>"$t/ns.err" &
ns=$!
[ "$live" = 1 ] && map_victims
wait "$ns"
sleep 0.5
live_stop
[ -s "$t/victims" ] || skip_all "earlyoom killed nothing in its namespace: $(tail -2 "$t/ns.err")"
read -r v1 v2 <"$t/victims"
jctl() { jd_run journalctl -D /run/log/journal --no-pager -t earlyoom "$@"; }
jctl -o short-iso >"$t/short-iso.log"
jctl -o short >"$t/short.log"
jctl -o json >"$t/json.log"
echo "earlyoom's journal:"
sed 's/^/  /' "$t/short-iso.log"

# what earlyoom 1.7 wrote is its source's wording (kill.c, main.c at v1.7)
is "real lines: the kill lines' wording" \
	"$(grep -c 'earlyoom\[[0-9]*\]: sending SIGTERM to process [0-9]* uid 0 "sleep": badness [0-9]*, VmRSS [0-9]* MiB$' "$t/short-iso.log")" 2
is "real lines: the deaths" "$(grep -c 'earlyoom\[[0-9]*\]: process exited after [0-9.]* seconds$' "$t/short-iso.log")" 2
is "real lines: the state before each" \
	"$(grep -c 'mem avail:   546 of  7812 MiB ( 7.00%), swap free:    0 of    0 MiB ( 0.00%)$' "$t/short-iso.log")" 2
is "real lines: the limits it crossed" \
	"$(grep -c 'low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%$' "$t/short-iso.log")" 2

epid=$(sed -n 's/.*earlyoom\[\([0-9]*\)\]: sending.*/\1/p' "$t/short-iso.log" | head -1)
for f in short-iso short json; do
	"$OOMTRACE" --backend replay --year "$(date +%Y)" --format json "$t/$f.log" >"$t/$f.json" 2>"$t/$f.err"
	is "$f: events" "$(grep -c '"record":"kill"' "$t/$f.json")" 2
	got=$(for k in 1 2; do sed -n "${k}p" "$t/$f.json" >"$t/e.json"
		"$JFIELD" "$t/e.json" killer.name killer.pid killer.signal victim.pid victim.comm victim.uid \
			killer.died killer.facts.mem_available_bp killer.facts.mem_available_kb \
			killer.facts.mem_total_kb killer.facts.mem_limit_bp; done | paste -sd' ')
	want="15 sleep 0 true 700 559104 7999488 1000"
	is "$f: who killed whom, and how" "$got" "earlyoom $epid 15 $v1 ${want#15 } earlyoom $epid 15 $v2 ${want#15 }"
	# badness is /proc/PID/oom_score: the first victim's above the second's (adj 1000 > 500)
	b1=$(sed -n 1p "$t/$f.json" >"$t/e.json"; "$JFIELD" "$t/e.json" killer.facts.badness)
	b2=$(sed -n 2p "$t/$f.json" >"$t/e.json"; "$JFIELD" "$t/e.json" killer.facts.badness)
	[ "$b1" -gt "$b2" ] 2>/dev/null && ok || bad "$f: badness $b1 then $b2: the higher oom_score_adj first"
done
# the live events of the same kills: the host pids, earlyoom's pid, its signal, the deaths, and
# its own line joined (reason, badness, VmRSS, the memory state before it)
if [ "$live" = 1 ]; then
	set -- $hosts
	is "live: each victim's host pid seen while it ran" "$#" 2
	is "live: kills by earlyoom" "$(grep -c '"killer":{"name":"earlyoom"' "$t/live.json")" 2
	k=0
	for ns_v in $v1 $v2; do
		k=$((k + 1))
		h=$(eval echo "\${$k}")
		grep "\"victim\":{\"pid\":$h," "$t/live.json" | head -1 >"$t/e.json"
		sed -n "${k}p" "$t/short-iso.json" >"$t/r.json"
		want="$h $ns_v sleep pid_ns_child earlyoom $epid 15 15 true 15 journal $("$JFIELD" "$t/r.json" killer.facts.badness killer.facts.vm_rss_kb killer.facts.mem_available_kb killer.reason | paste -sd' ')"
		got=$("$JFIELD" "$t/e.json" victim.pid victim.ns_pid victim.comm victim_role killer.name killer.pid \
			killer.signal killer.first_signal killer.died killer.exit_code killer.log killer.facts.badness \
			killer.facts.vm_rss_kb killer.facts.mem_available_kb killer.reason | paste -sd' ')
		is "live: earlyoom's kill of $ns_v (host $h)" "$got" "$want"
		after=$("$JFIELD" "$t/e.json" killer.died_after_us)
		[ "$after" -gt 0 ] 2>/dev/null && [ "$after" -lt 2000000 ] && ok || bad "live: died_after_us '$after'"
	done
	[ "$fail" = 0 ] || { echo "live events:"; cat "$t/live.json"; grep -v '"level":"debug"' "$t/live.err" | tail -5; }
fi
# --- nohang: its multi-line messages, one journal entry a line --------------------------------
NOHANG=${NOHANG:-$(command -v nohang)} nconf=/etc/nohang/nohang.conf
if [ ! -x "$NOHANG" ] && unpack nohang; then
	NOHANG=$kdir/nohang/usr/sbin/nohang nconf=$kdir/nohang/etc/nohang/nohang.conf
fi
if [ ! -x "$NOHANG" ] || [ ! -f "$nconf" ] || ! command -v python3 >/dev/null; then
	echo "SKIP: nohang: none here, and Debian's package could not be downloaded (or no python3)"
	verdict "killers-real"
	exit
fi
# 3% available: under nohang's soft threshold (5%), over its hard one (2%): SIGTERM. nohang
# reads more of /proc/meminfo than earlyoom: the host's, with our numbers in it.
awk '/^MemTotal:/ {print "MemTotal:        8000000 kB"; next}
	/^MemAvailable:/ {print "MemAvailable:     240000 kB"; next}
	/^SwapTotal:/ {print "SwapTotal:             0 kB"; next}
	/^SwapFree:/ {print "SwapFree:              0 kB"; next} {print}' /proc/meminfo >"$t/meminfo"
sed 's/^MemAvailable: .*/MemAvailable:    7000000 kB/' "$t/meminfo" >"$t/plenty"
cat >"$t/nh.sh" <<'EOF'
mount --bind "$1/meminfo" /proc/meminfo || exit 1
echo -1000 >/proc/self/oom_score_adj
sh -c 'echo 1000 >/proc/self/oom_score_adj; exec sleep 60' &
v1=$!
echo "$v1" >"$1/nspids"
for i in $(seq 100); do [ -e "$1/go" ] && break; sleep 0.05; done
systemd-cat -t nohang "$2" --monitor -c "$3" &
e=$!
wait $v1
cat "$1/plenty" >"$1/meminfo"
sleep 2
kill $e
echo "$v1" >"$1/nh-victim"
EOF
rm -f "$t/nspids" "$t/go"
if live_start "$t/nlive.json" "$t/nlive.err"; then live=1; else echo "SKIP: live: $live_why"; live=0; fi
[ "$live" = 0 ] && touch "$t/go"
jd_run timeout 40 unshare --pid --fork --mount --mount-proc sh "$t/nh.sh" "$t" "$NOHANG" "$nconf" 2>"$t/nh.err" &
ns=$!
[ "$live" = 1 ] && map_victims
wait "$ns"
sleep 0.5
live_stop
if [ ! -s "$t/nh-victim" ]; then
	bad "nohang killed nothing in its namespace: $(tail -2 "$t/nh.err")"
	verdict "killers-real"
	exit
fi
read -r nv <"$t/nh-victim"
jd_run journalctl -D /run/log/journal --no-pager -t nohang -o short-iso >"$t/nh.log"
echo "nohang's journal:"
sed 's/^/  /' "$t/nh.log"
is "nohang real lines: its victim heading" "$(grep -c 'nohang\[[0-9]*\]: Victim status (found in [0-9]*ms):$' "$t/nh.log")" 1
is "nohang real lines: the action" "$(grep -c 'nohang\[[0-9]*\]:   Sending SIGTERM to the victim$' "$t/nh.log")" 1
npid=$(sed -n 's/.*nohang\[\([0-9]*\)\]: Victim status.*/\1/p' "$t/nh.log")
nscore=$(sed -n 's/.*  badness: *[0-9]*, oom_score: *\([0-9]*\),.*/\1/p' "$t/nh.log")
"$OOMTRACE" --backend replay --format json "$t/nh.log" >"$t/nh.json" 2>"$t/nh.err"
is "nohang: events" "$(grep -c '"record":"kill"' "$t/nh.json")" 1
is "nohang: who killed whom, and how" \
	"$("$JFIELD" "$t/nh.json" killer.name killer.pid killer.signal victim.pid victim.comm victim.uid victim.oom_score_adj killer.died killer.facts.oom_score | paste -sd' ')" \
	"nohang $npid 15 $nv sleep 0 1000 true $nscore"
is "nohang: its reason, the first memory-status line" "$("$JFIELD" "$t/nh.json" killer.reason)" \
	"MemAvailable [234 MiB, 3.0 %] <= soft_threshold_min_mem [391 MiB, 5.0 %]"
if [ "$live" = 1 ]; then
	h=$(echo $hosts)
	grep "\"victim\":{\"pid\":$h," "$t/nlive.json" | head -1 >"$t/e.json"
	is "live: nohang's kill of $nv (host $h)" \
		"$("$JFIELD" "$t/e.json" victim.ns_pid victim.comm killer.name killer.signal killer.died killer.exit_code killer.log killer.facts.oom_score killer.reason | paste -sd' ')" \
		"$nv sleep nohang 15 true 15 journal $nscore $("$JFIELD" "$t/nh.json" killer.reason)"
	[ "$fail" = 0 ] || { echo "live events:"; cat "$t/nlive.json"; grep -v '"level":"debug"' "$t/nlive.err" | tail -5; }
fi
verdict "killers-real"
