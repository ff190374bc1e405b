#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# live.sh: end-to-end tests of the live backends with real OOM kills, always inside a memory
# cgroup with a 64 MiB limit and with an allocator that stops by itself (tests/hog, <= 1 GiB).
# Exits 77 (SKIP) with the reason when it cannot run here.
# Usage: live.sh [libbpf|bcc]   (default libbpf)
set -u
BACKEND=${1:-libbpf}
OOMTRACE=${OOMTRACE:-./oomtrace}
HOG=${HOG:-./tests/hog}
LIMIT_MB=64
BURST=${OOMTRACE_BURST:-50}
t=$(mktemp -d)
pass=0 fail=0 skipped=0

skip_all() { echo "SKIP: $*"; rm -rf "$t"; exit 77; }
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

[ -n "${OOMTRACE_SKIP_LIVE:-}" ] && skip_all "OOMTRACE_SKIP_LIVE=$OOMTRACE_SKIP_LIVE (live tests ran elsewhere)"
[ "$(id -u)" -eq 0 ] || skip_all "live tracing and memory cgroups need root"
"$OOMTRACE" --version | grep -qw "$BACKEND" || skip_all "oomtrace has no $BACKEND backend"
"$OOMTRACE" --version | grep -q "$BACKEND (not built)" && skip_all "the $BACKEND backend was not built (configure --with-$BACKEND)"
[ -x "$HOG" ] || skip_all "no hog program at $HOG"
# a name of our own, so that kills made by tests running beside this one are filtered out
comm=hog-$$
cp "$HOG" "$t/$comm" && HOG=$t/$comm
command -v python3 >/dev/null && PY=python3 || PY=

# a memory cgroup with a small limit, v1 or v2
name=oomtrace-test-$$
if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	cg=/sys/fs/cgroup/memory/$name
	mkdir "$cg" || skip_all "cannot create $cg"
	echo $((LIMIT_MB << 20)) >"$cg/memory.limit_in_bytes"
	echo 0 >"$cg/memory.swappiness" 2>/dev/null
	oom_kills() { awk '/^oom_kill /{print $2}' "$cg/memory.oom_control"; }
elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	cg=/sys/fs/cgroup/$name
	mkdir "$cg" || skip_all "cannot create $cg"
	echo $((LIMIT_MB << 20)) >"$cg/memory.max"
	echo 0 >"$cg/memory.swap.max" 2>/dev/null
	oom_kills() { awk '/^oom_kill /{print $2}' "$cg/memory.events"; }
else
	skip_all "no memory cgroup controller (v1 or v2) to make a contained OOM"
fi
cleanup() {
	[ -n "${tracer:-}" ] && kill "$tracer" 2>/dev/null
	for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	sleep 0.2
	rmdir "$cg" 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT

# one contained OOM kill: prints the killed pid
oom_once() {
	sh -c 'echo $$ > "$1/cgroup.procs"; exec "$2" 256' sh "$cg" "$HOG" &
	local pid=$!
	wait "$pid"
	echo "$pid"
}

# json field of the first event line: jget FILE EXPR (python, or a grep fallback for flat keys)
jget() {
	if [ -n "$PY" ]; then
		$PY -c 'import json,sys
for l in open(sys.argv[1]):
    o=json.loads(l)
    if o.get("record")=="kill":
        print(eval(sys.argv[2], {}, {"e": o})); break' "$1" "$2"
	fi
}

start_tracer() { # out err args...
	local out=$1 err=$2 i
	shift 2
	"$OOMTRACE" --backend "$BACKEND" -v --format json --comm "$comm" "$@" >"$out" 2>"$err" &
	tracer=$!
	for i in $(seq 100); do
		grep -q "tracing OOM kills" "$err" && return 0
		kill -0 "$tracer" 2>/dev/null || break
		sleep 0.1
	done
	wait "$tracer"
	return $?
}

# --- bcc with no kernel headers anywhere: one clear line naming the package, exit 3 ---
if [ "$BACKEND" = bcc ]; then
	if [ -e /sys/kernel/kheaders.tar.xz ]; then
		echo "SKIP: no-headers error: this kernel carries its headers (kheaders)"
	elif ! command -v unshare >/dev/null; then
		echo "SKIP: no-headers error: no unshare(1) to hide the headers"
	else
		# hide every header location in a private mount namespace
		env -u BCC_KERNEL_SOURCE unshare -m sh -c 'mount -t tmpfs none /lib/modules && mount -t tmpfs none /usr/src && exec "$@"' sh \
			"$OOMTRACE" --backend bcc --duration 0 >"$t/nohdr.out" 2>"$t/nohdr.err"
		rc=$?
		[ $rc -eq 3 ] && ok "no headers: exit 3" || bad "no headers: exit $rc: $(cat "$t/nohdr.err")"
		[ "$(wc -l <"$t/nohdr.err")" -eq 1 ] && ok "no headers: one line" || bad "no headers: $(wc -l <"$t/nohdr.err") lines: $(head -3 "$t/nohdr.err")"
		grep -q "no kernel headers for $(uname -r): install linux-headers-$(uname -r) (Debian/Ubuntu) or kernel-devel-$(uname -r)" "$t/nohdr.err" &&
			ok "no headers: names the packages" || bad "no headers: $(cat "$t/nohdr.err")"
	fi
fi

# --- one kill per probe usable here, and auto ---
for mode in auto tp_btf tracepoint nobtf; do
	case $mode in
	auto) args=() want="" ;;
	nobtf) args=(--no-btf) want=tracepoint ;;
	*) args=(--probe "$mode") want=$mode ;;
	esac
	[ "$BACKEND" = bcc ] && [ "$mode" != auto ] && [ "$mode" != tracepoint ] && continue
	[ "$BACKEND" = bcc ] && args+=(${OOMTRACE_BCC_ARGS:-})
	start_tracer "$t/$mode.json" "$t/$mode.err" --count 1 --duration 60 "${args[@]}"
	rc=$?
	if [ $rc -eq 3 ]; then
		echo "SKIP: $mode: no usable probe here: $(grep error "$t/$mode.err" | head -1)"
		skipped=$((skipped + 1))
		continue
	elif [ $rc -ne 0 ]; then
		bad "$mode: oomtrace did not attach (exit $rc): $(tail -2 "$t/$mode.err")"
		continue
	fi
	victim=$(oom_once)
	wait "$tracer"
	rc=$?
	tracer=
	[ $rc -eq 0 ] && ok "$mode: exit 0" || bad "$mode: exit $rc"
	if [ -z "$PY" ]; then
		grep -q "\"pid\":$victim" "$t/$mode.json" && ok "$mode: victim pid" || bad "$mode: victim $victim not in output"
		continue
	fi
	got=$(jget "$t/$mode.json" 'e["victim"]["pid"]')
	[ "$got" = "$victim" ] && ok "$mode: victim pid $victim" || bad "$mode: victim pid $got, killed $victim"
	got=$(jget "$t/$mode.json" 'e["victim"]["comm"]')
	[ "$got" = "$comm" ] && ok "$mode: comm" || bad "$mode: comm '$got', want $comm"
	got=$(jget "$t/$mode.json" 'e["victim"]["cgroup"] == "/'$name'" or e["trigger"]["cgroup"] == "/'$name'" or e["constraint"] == "memcg"')
	if [ "$got" = True ]; then
		ok "$mode: memcg"
	elif [ "$(jget "$t/$mode.json" '[e["victim"]["cgroup"], e["trigger"]["cgroup"], e["constraint"]]')" = "[None, None, None]" ]; then
		# the BTF-less object and BCC with foreign headers cannot read cgroups in the kernel:
		# then nothing may be claimed (a dying task's /proc reads "/")
		ok "$mode: memcg not observable with this probe, and none claimed"
	else
		bad "$mode: cgroups $(jget "$t/$mode.json" '[e["victim"]["cgroup"], e["trigger"]["cgroup"]]'), want /$name"
	fi
	probe=$(jget "$t/$mode.json" 'e["probe"]')
	if [ -n "$want" ]; then
		[ "$probe" = "$want" ] && ok "$mode: probe $probe" || bad "$mode: probe '$probe', want $want"
	else
		[ -n "$probe" ] && ok "auto: probe $probe" || bad "auto: no probe"
	fi
	klog=$(dmesg | grep -a "Killed process $victim " | tail -1 | sed -n 's/.*anon-rss:\([0-9]*\)kB.*/\1/p')
	anon=$(jget "$t/$mode.json" 'e["victim"]["anon_rss_kb"]')
	if [ -z "$klog" ]; then
		echo "SKIP: $mode: anon-rss check: no kernel log line for pid $victim (dmesg restricted?)"
	elif [ "$anon" != None ] && [ $(( (anon - klog) * 100 )) -le $((klog * 10)) ] && [ $(( (klog - anon) * 100 )) -le $((klog * 10)) ]; then
		ok "$mode: anon_rss_kb $anon within 10% of the kernel's $klog"
	else
		bad "$mode: anon_rss_kb $anon vs kernel log $klog"
	fi
done

# --- a burst: many kills in quick succession, none lost ---
if [ "$BACKEND" = libbpf ] || [ -n "${OOMTRACE_BCC_ARGS:-}" ]; then
	args=()
	[ "$BACKEND" = bcc ] && args+=(${OOMTRACE_BCC_ARGS:-})
	before=$(oom_kills)
	if start_tracer "$t/burst.json" "$t/burst.err" --duration 300 --context none "${args[@]}"; then
		rounds=$(( (BURST + 4) / 5 ))
		for r in $(seq "$rounds"); do
			hogs=()
			for i in 1 2 3 4 5; do
				sh -c 'echo $$ > "$1/cgroup.procs"; exec "$2" 100' sh "$cg" "$HOG" &
				hogs+=($!)
			done
			wait "${hogs[@]}" # not the tracer
		done 2>/dev/null
		sleep 1
		after=$(oom_kills)
		kill -INT "$tracer"
		wait "$tracer"
		tracer=
		delta=$((after - before))
		events=$(grep -c '"record":"kill".*"outcome":"killed"' "$t/burst.json")
		exiting=$(grep -c '"victim_exiting":true' "$t/burst.json")
		lost=$(grep -c '^{"lost"' "$t/burst.json")
		echo "burst: $delta oom_kill counted by the memcg, $events events ($exiting already-exiting victims), $lost lost records"
		[ "$delta" -ge "$BURST" ] && ok "burst: $delta kills made" || bad "burst: only $delta kills made"
		[ $((events - exiting)) -eq "$delta" ] && ok "burst: one event per kill" || bad "burst: $((events - exiting)) events for $delta kills"
		[ "$lost" -eq 0 ] && ok "burst: nothing lost" || bad "burst: lost records: $(grep '^{"lost"' "$t/burst.json")"
		grep -q "0 lost" "$t/burst.err" && ok "burst: summary says 0 lost" || bad "burst: summary: $(tail -3 "$t/burst.err")"
	else
		bad "burst: oomtrace did not attach: $(tail -2 "$t/burst.err")"
	fi
fi

echo "live $BACKEND: $pass passed, $fail failed, $skipped skipped"
[ $fail -eq 0 ] || exit 1
[ $pass -gt 0 ] || exit 77
exit 0
