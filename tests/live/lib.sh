# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/lib.sh (sourced, bash): what the live end-to-end sections share. Each section
# (tests/live/*.sh) makes real OOM kills, always inside a memory cgroup of its own with a 64 MiB
# limit and with an allocator that stops by itself (tests/hog, <= 1 GiB), and compares every fact
# of each event with the kernel's own report of the same kill ("Killed process", "oom-kill:" and
# "invoked oom-killer" lines). A section runs for each backend it is about that is built here
# (LIVE_BACKENDS narrows them: the VM guests and tests/live.sh run one); what cannot run here is
# SKIP with the reason; a section where nothing could run exits 77.
#
# Environment:
#   LIVE_BACKENDS            the backends to run (default: libbpf bcc)
#   OOMTRACE_MODES           probes.sh: probes to run (libbpf: auto fentry kprobe tp_btf tracepoint
#                            nobtf nokmsg; bcc: auto kprobe tracepoint nokmsg); bcc-cache.sh runs
#                            only where it is unset or lists 'cached'
#   OOMTRACE_STRICT=1        a probe that cannot attach fails the test (the VM suite sets it),
#                            unless it is listed in OOMTRACE_UNSUPPORTED; then it must be refused
#                            with exit 3 and a reason
#   OOMTRACE_EXPECT_AUTO     the probe description that 'auto' must pick (e.g. kprobe+tracepoint)
#   OOMTRACE_ATTACH_TIMEOUT  seconds to wait for "tracing OOM kills" (default 30; BCC under TCG
#                            compiles for a minute)
#   OOMTRACE_BURST           kills in the burst test (default 50; 0: no burst)
#   OOMTRACE_LOSS_KILLS      kills while the libbpf tracer is stopped (default 220, more than
#                            its ring buffer holds; 0: no such test)
#   OOMTRACE_STOP_TESTS=0    skip the '| head -1' and blocked-output SIGTERM tests
#   OOMTRACE_STORM_SECONDS   seconds of a ~100 kills/s storm with the reader stopped (default 10; 0: none)
#   OOMTRACE_PRIV_TESTS=0    skip the sandbox, CAP_BPF+CAP_PERFMON-as-nobody and unit-capability tests
#   OOMTRACE_SHARED_KILLS    kills of a hog sharing the tracer's 32 MiB memcg (default 50; 0: none)
#   OOMTRACE_NAMES_TESTS=0   skip the Kubernetes-shaped cgroup test (it writes under /var/log/pods)
#   OOMTRACE_KILLER_TESTS=0  skip killers.sh (userspace killers' kills)
#   OOMTRACE_KILLER_STORM    killers.sh: kernel and killer kills each in its storm (default 50; 0: none)
#   OOMTRACE_WHY_TESTS=0     skip why.sh (a memcg's last minute, pressure records, causes, reclaim)
#   OOMTRACE_ARGS            extra arguments for every run (--kernel-headers DIR, --btf FILE)
#   LIVE_BCC_CACHE           where bcc keeps its compiled program (default: the section's own
#                            directory; tests/live.sh shares one across its sections)
set -u
OOMTRACE=${OOMTRACE:-./oomtrace}
HOG=${HOG:-./tests/hog}
JFIELD=${JFIELD:-./tests/jfield}
LIMIT_MB=64
BURST=${OOMTRACE_BURST:-50}
ATTACH_TIMEOUT=${OOMTRACE_ATTACH_TIMEOUT:-30}
STRICT=${OOMTRACE_STRICT:-0}
UNSUPPORTED=" ${OOMTRACE_UNSUPPORTED:-} "
BASE_ARGS=${OOMTRACE_ARGS:-}
# the test victim: a distinct uid, a non-zero oom_score_adj and some shared memory, so that
# a swapped or mis-read field cannot pass
VUID=4242
VADJ=500
VSHM=4
t=
pass=0 fail=0 skipped=0 fail0=0 ran=0

skip_all() { echo "SKIP: $*"; [ -n "${t:-}" ] && rm -rf "$t"; exit 77; }
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
skip() { skipped=$((skipped + 1)); echo "SKIP: $*"; }
# one line per probe for the tested-kernels table: mode state detail
result() {
	local st=$2
	if [ $fail -ne $fail0 ]; then
		st=FAIL
		# what the tracer said, for whoever reads a failure in a VM log
		grep -av '"level":"debug"' "$t/$1.err" 2>/dev/null | tail -6 | sed "s/^/  $1 stderr: /"
	fi
	echo "mode-result: $1 $st $3"
}

[ -n "${OOMTRACE_SKIP_LIVE:-}" ] && skip_all "OOMTRACE_SKIP_LIVE=$OOMTRACE_SKIP_LIVE (live tests ran elsewhere)"
# What every section needs before its first kill: root, the programs, its own memory cgroup with
# a small limit (v1 or v2), and the lock that keeps live tests one at a time. Made by live_each,
# only where a backend of the section runs, so that an area with nothing to do here costs nothing.
live_setup() {
	[ -n "${cg:-}" ] && return 0
	t=$(mktemp -d)
	[ "$(id -u)" -eq 0 ] || skip_all "live tracing and memory cgroups need root"
	[ -x "$HOG" ] || skip_all "no hog program at $HOG"
	[ -x "$JFIELD" ] || skip_all "no jfield program at $JFIELD"
	# One live test at a time (make -j runs several side by side): the kernel ratelimits its OOM
	# report (10 per 5 s), and each kill's report is what the facts are checked against.
	if command -v flock >/dev/null; then # (not in busybox: the VM guests run one at a time anyway)
		exec 9>/tmp/oomtrace-live-test.lock
		flock 9 || skip_all "cannot lock /tmp/oomtrace-live-test.lock"
	fi
	# a name of our own, so that kills made by tests running beside this one are filtered out
	comm=hog-$$
	cp "$HOG" "$t/$comm" && chmod 755 "$t" "$t/$comm" && HOG=$t/$comm
	page_kb=$(awk '/^KernelPageSize:/ {print $2; exit}' /proc/self/smaps)
	: "${page_kb:=4}"

	# a memory cgroup with a small limit, v1 or v2
	name=oomtrace-test-$$
	if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
		cg=/sys/fs/cgroup/memory/$name
		mkdir "$cg" || skip_all "cannot create $cg"
		echo $((LIMIT_MB << 20)) >"$cg/memory.limit_in_bytes"
		echo 0 >"$cg/memory.swappiness" 2>/dev/null
		oom_kills() { awk '/^oom_kill /{print $2}' "$cg/memory.oom_control"; }
		cgv=1
	elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
		cg=/sys/fs/cgroup/$name
		mkdir "$cg" || skip_all "cannot create $cg"
		echo $((LIMIT_MB << 20)) >"$cg/memory.max"
		echo 0 >"$cg/memory.swap.max" 2>/dev/null
		oom_kills() { awk '/^oom_kill /{print $2}' "$cg/memory.events"; }
		cgv=2
	else
		skip_all "no memory cgroup controller (v1 or v2) to make a contained OOM"
	fi
	# no swap in the test memcg: the kernel's totalpages is then the limit in pages
	swap_kb=$(awk '/^SwapTotal:/ {print $2}' /proc/meminfo)
	cleanup() {
		[ -n "${tracer:-}" ] && kill "$tracer" 2>/dev/null
		[ -n "${jd_pid:-}" ] && kill "$jd_pid" 2>/dev/null
		for p in $(cat $(find "$cg" "$cg-long" "$cg-ck" -name cgroup.procs 2>/dev/null) 2>/dev/null); do
			kill -9 "$p" 2>/dev/null
		done
		sleep 0.2
		find "$cg" "$cg-long" "$cg-ck" -depth -type d -exec rmdir {} \; 2>/dev/null
		rm -rf "$t"
	}
	trap cleanup EXIT
}


# Kernel headers for the BCC backend where this kernel has none of its own: Debian's generic
# linux-headers-<arch> (given with --kernel-headers). Tracepoint programs compile and read
# correctly against any headers (their args come from the live tracefs format); the kprobe path
# dereferences kernel structs and could only be right with this kernel's own headers.
bcc_headers_arg() {
	local arch hdr
	case " $BASE_ARGS " in *" --kernel-headers "*) return 0 ;; esac
	arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
	hdr=$(ls -d /usr/src/linux-headers-*-"$arch" 2>/dev/null | sort -V | tail -1)
	if [ -n "$hdr" ]; then
		echo "--kernel-headers $hdr"
	elif [ ! -e "/lib/modules/$(uname -r)/build" ] && [ ! -e /sys/kernel/kheaders.tar.xz ]; then
		return 1
	fi
}

# Run the section @2 for each backend of @1 that is asked for (LIVE_BACKENDS) and built here;
# @3, where given, says whether the section is wanted at all (env knobs), before anything is made.
live_each() { # backends function [wanted]
	local b h want=
	for b in $1; do
		case " ${LIVE_BACKENDS:-libbpf bcc} " in *" $b "*) want="$want $b" ;; esac
	done
	[ -n "$want" ] || return 0
	if [ $# -ge 3 ] && ! "$3"; then
		return 0
	fi
	live_setup
	for b in $want; do
		if ! "$OOMTRACE" --version | grep -q "^backends:.* $b\( \|$\)" ||
			"$OOMTRACE" --version | grep -q "$b (not built)"; then
			skip "$b: the $b backend was not built (configure --with-$b)"
			continue
		fi
		BACKEND=$b
		OOMTRACE_ARGS=$BASE_ARGS
		if [ "$b" = bcc ]; then
			if ! h=$(bcc_headers_arg); then
				skip "bcc: no kernel headers (apt-get install linux-headers-$(dpkg --print-architecture 2>/dev/null || echo amd64))"
				continue
			fi
			# bcc keeps its compiled program: a cache of the test's own (the host's /var/cache is left alone)
			OOMTRACE_ARGS="$OOMTRACE_ARGS $h --bcc-cache ${LIVE_BCC_CACHE:-$t/bcc-cache}"
		fi
		ran=$((ran + 1))
		"$2"
	done
}

# The section's verdict: "live NAME: P passed, F failed, S skipped"; 77 where nothing ran.
live_verdict() {
	echo "live $1: $pass passed, $fail failed, $skipped skipped"
	[ $fail -eq 0 ] || exit 1
	[ $pass -gt 0 ] || exit 77
	exit 0
}

# one contained OOM kill of a victim with a distinct uid, oom_score_adj and shmem: prints its pid
oom_once() {
	sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" -a "$3" -s "$4" -u "$5" 256' sh "$cg" "$HOG" "$VADJ" "$VSHM" "$VUID" &
	local pid=$!
	wait "$pid"
	echo "$pid"
}

# wait_line FILE PATTERN PID SECONDS: 0 once a line of FILE matches PATTERN (grep), 1 when PID
# ended without one, 124 when SECONDS passed
wait_line() {
	local i
	for i in $(seq $(($4 * 10))); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || break
		sleep 0.1
	done
	grep -q -- "$2" "$1" 2>/dev/null && return 0
	kill -0 "$3" 2>/dev/null && return 124
	return 1
}

# LAUNCH=(prefix...): how the tracer is started (a namespace, a uid), exec'ing it in the end
LAUNCH=()
start_tracer() { # out err args...: 0 attached, else the tracer's exit code (124: timed out)
	local out=$1 err=$2
	shift 2
	: >"$err"
	# COMM_FILTER=0: every kill (where the victim may be a shell that had not exec'd its hog yet)
	if [ "${COMM_FILTER:-1}" = 1 ]; then set -- --comm "$comm" "$@"; fi
	${LAUNCH[@]+"${LAUNCH[@]}"} "$OOMTRACE" --backend "$BACKEND" -v --format json "$@" >"$out" 2>"$err" &
	tracer=$!
	wait_line "$err" "tracing OOM kills" "$tracer" "$ATTACH_TIMEOUT" && return 0
	if kill -0 "$tracer" 2>/dev/null; then
		kill "$tracer"
		wait "$tracer"
		tracer=
		return 124
	fi
	wait "$tracer"
	local rc=$?
	tracer=
	return $rc
}

# five contained kills at once: bounded hogs in the test memcg, waited for (not the tracer)
five_kills() {
	local hogs=() i
	for i in 1 2 3 4 5; do
		sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$cg" "$HOG" &
		hogs+=($!)
	done
	wait "${hogs[@]}"
} 2>/dev/null

# SIGINT to the tracer, and its exit
stop_tracer() {
	kill -INT "$tracer"
	wait "$tracer"
	tracer=
}

# kill events and already-exiting victims in a JSON output: sets events, exiting
count_kills() {
	events=$(grep -c '"record":"kill".*"outcome":"killed"' "$1")
	exiting=$(grep -c '"victim_exiting":true' "$1")
}

# a fact: name got want required. null means the probe did not read it: a failure when required
fact() {
	local what=$1 got=$2 want=$3 req=$4
	if [ "$got" = null ] || [ "$got" = missing ]; then
		[ "$req" = 1 ] && bad "$what: null, the kernel says '$want'" || echo "note: $what: not read by this probe"
	elif [ -z "$want" ]; then
		bad "$what: '$got', and the kernel printed nothing to compare"
	elif [ "$got" = "$want" ]; then
		ok "$what $got"
	else
		bad "$what: '$got', the kernel says '$want'"
	fi
}

# the kernel's own report of the kill of pid $1, into K_* variables
kernel_report() {
	local v=$1 log
	log=$(dmesg 2>/dev/null)
	K_kill=$(echo "$log" | grep -a "Killed process $v (" | tail -1)
	K_sum=$(echo "$log" | grep -a "oom-kill:.*,pid=$v," | tail -1)
	# the header of the same report: the last "invoked oom-killer" line before the summary
	K_head=$(echo "$log" | awk -v pid="$v" '/invoked oom-killer:/ { h = $0 } index($0, ",pid=" pid ",") && /oom-kill:/ { print h }' | tail -1)
	num() { echo "$K_kill" | sed -n "s/.*[ ,]$1:\([0-9-]*\)kB.*/\1/p; t; s/.*[ ,]$1:\([0-9-]*\).*/\1/p" | head -1; }
	K_comm=$(echo "$K_kill" | sed -n "s/.*Killed process $v (\(.*\)) total-vm.*/\1/p")
	K_total_vm=$(num total-vm)
	K_anon=$(num anon-rss)
	K_file=$(num file-rss)
	K_shmem=$(num shmem-rss)
	K_uid=$(num UID)
	K_pgtables=$(num pgtables)
	K_adj=$(num oom_score_adj)
	K_constraint=$(echo "$K_sum" | sed -n 's/.*constraint=CONSTRAINT_\([A-Z_]*\).*/\1/p' | tr 'A-Z' 'a-z')
	[ "$K_constraint" = memory_policy ] && K_constraint=mempolicy
	K_oom_memcg=$(echo "$K_sum" | sed -n 's/.*,oom_memcg=\([^,]*\),.*/\1/p')
	K_task_memcg=$(echo "$K_sum" | sed -n 's/.*,task_memcg=\([^,]*\),.*/\1/p')
	K_cpuset=$(echo "$K_sum" | sed -n 's/.*,cpuset=\([^,]*\),.*/\1/p')
	K_mems=$(echo "$K_sum" | sed -n 's/.*,mems_allowed=\([^,]*\),.*/\1/p')
	K_gfp=$(echo "$K_head" | sed -n 's/.*gfp_mask=\(0x[0-9a-f]*\).*/\1/p')
	[ -n "$K_gfp" ] && K_gfp=$((K_gfp))
	K_order=$(echo "$K_head" | sed -n 's/.*order=\([0-9-]*\).*/\1/p')
	K_trigger=$(echo "$K_head" | sed -n 's/^.*\] \(.*\) invoked oom-killer:.*/\1/p; t; s/^\(.*\) invoked oom-killer:.*/\1/p')
	# the report's call trace: its frames' functions in order (compiler suffixes folded, the
	# "? " frames too), between this report's header and its summary
	K_stack=$(echo "$log" | awk -v pid="$v" '
		/invoked oom-killer:/ { n = 0; split("", fr); intrace = 0 }
		/Call [Tt]race:/ { intrace = 1; next }
		intrace && match($0, /[A-Za-z_][A-Za-z0-9_.$]*\+0x[0-9a-f]+\/0x[0-9a-f]+/) {
			f = substr($0, RSTART, RLENGTH); sub(/\+.*/, "", f); sub(/\..*/, "", f); fr[++n] = f
		}
		index($0, ",pid=" pid ",") && /oom-kill:/ { s = ""; for (i = 1; i <= n; i++) s = s " " fr[i]; print s }' | tail -1)
	# its reliable frames (no "? "), as printed: function+0xoffset/0xsize, suffixes folded
	K_rframes=$(echo "$log" | awk -v pid="$v" '
		/invoked oom-killer:/ { n = 0; split("", fr); intrace = 0 }
		/Call [Tt]race:/ { intrace = 1; next }
		intrace && !/ \? [A-Za-z_]/ && match($0, /[A-Za-z_][A-Za-z0-9_.$]*\+0x[0-9a-f]+\/0x[0-9a-f]+/) {
			f = substr($0, RSTART, RLENGTH); fn = f; sub(/\+.*/, "", fn); sub(/\..*/, "", fn)
			sub(/^[^+]*/, "", f); fr[++n] = fn f
		}
		index($0, ",pid=" pid ",") && /oom-kill:/ { s = ""; for (i = 1; i <= n; i++) s = s " " fr[i]; print s }' | tail -1)
}

# " f+0xo/0xs ..." outward of the caller of the outermost oom_kill_process frame: what every
# probe's stack and the report's share. (The report's own frames, the probe's and the tracer's,
# are inside it; and the report is printed from oom_kill_process.cold, whose caller's frame
# Debian's 5.10 and 6.1 kernels misname: "elfcorehdr_read+0x40/0x40",
# "trace_clock_x86_tsc+0x20/0x20" where bpf_get_stack sees out_of_memory+0x1fd.)
from_oom() { echo " $1 " | sed -n 's/^.* oom_kill_process+[^ ]* [^ ]* \(.*[^ ]\) *$/ \1/p'; }
# the same, the caller's frame included
from_okp() { echo " $1 " | sed -n 's/^.* oom_kill_process+[^ ]* \(.*[^ ]\) *$/ \1/p'; }

# every fact of the first kill event in $2 against the kernel's report of pid $3
check_event() {
	local mode=$1 out=$2 victim=$3 task_req=$4 victim_req=$5 oc_req=$6 cg_req=$7 tp_req=$8 kmsg=$9 f
	mapfile -t f < <("$JFIELD" "$out" victim.pid victim.tgid victim.comm victim.uid victim.oom_score_adj \
		victim.total_vm_kb victim.anon_rss_kb victim.file_rss_kb victim.shmem_rss_kb victim.pgtables_kb \
		victim.cgroup constraint oom_memcg gfp_mask order totalpages trigger.pid trigger.comm probe \
		trigger.tgid from_kmsg cpuset mems_allowed totalpages_derived)
	if [ "${#f[@]}" -lt 24 ]; then
		bad "$mode: no kill event in the output: $(head -c 300 "$out")"
		return
	fi
	kernel_report "$victim"
	if [ -z "$K_kill" ]; then
		bad "$mode: the kernel printed no 'Killed process $victim' line (dmesg readable?)"
		return
	fi
	fact "$mode: victim pid" "${f[0]}" "$victim" 1
	fact "$mode: victim tgid" "${f[1]}" "$victim" "$task_req"
	fact "$mode: victim comm" "${f[2]}" "$K_comm" "$victim_req"
	fact "$mode: victim uid" "${f[3]}" "$K_uid" "$victim_req"
	fact "$mode: victim oom_score_adj" "${f[4]}" "$K_adj" "$victim_req"
	fact "$mode: total_vm_kb" "${f[5]}" "$K_total_vm" "$victim_req"
	fact "$mode: anon_rss_kb" "${f[6]}" "$K_anon" "$victim_req"
	fact "$mode: file_rss_kb" "${f[7]}" "$K_file" "$victim_req"
	fact "$mode: shmem_rss_kb" "${f[8]}" "$K_shmem" "$victim_req"
	fact "$mode: pgtables_kb" "${f[9]}" "$K_pgtables" "$victim_req"
	fact "$mode: victim cgroup" "${f[10]}" "$K_task_memcg" "$cg_req"
	fact "$mode: constraint" "${f[11]}" "$K_constraint" "$oc_req"
	fact "$mode: oom_memcg" "${f[12]}" "$K_oom_memcg" "$oc_req"
	fact "$mode: gfp_mask" "${f[13]}" "$K_gfp" "$oc_req"
	fact "$mode: order" "${f[14]}" "$K_order" "$oc_req"
	[ "${swap_kb:-0}" = 0 ] && fact "$mode: totalpages" "${f[15]}" $((LIMIT_MB * 1024 / page_kb)) "$tp_req"
	fact "$mode: trigger pid" "${f[16]}" "$victim" 1
	fact "$mode: trigger comm" "${f[17]}" "$K_trigger" 1
	fact "$mode: trigger tgid" "${f[19]}" "$victim" 0
	# where the oom_control facts came from: the probe's own reads win over the kernel's report;
	# cpuset/mems_allowed exist only in the report
	case ${f[20]} in *'"oom_control"'*) joined=1 ;; *) joined=0 ;; esac
	[ "$joined" = "$kmsg" ] && ok "$mode: oom_control from the kernel's report: $joined (from_kmsg ${f[20]})" ||
		bad "$mode: from_kmsg ${f[20]}, want the oom_control facts joined: $kmsg"
	fact "$mode: cpuset" "${f[21]}" "$K_cpuset" "${10}"
	# totalpages: read from oom_control by fentry/kprobe, else derived (and said so)
	[ "${f[23]}" = "$([ "$kmsg" = 1 ] && echo true || echo missing)" ] && ok "$mode: totalpages_derived ${f[23]}" ||
		bad "$mode: totalpages_derived ${f[23]}, want it exactly when oom_control came from the report"
	fact "$mode: mems_allowed" "${f[22]}" "$K_mems" "${10}"
	# the trigger's kernel stack. Read by the probe itself (${11} = 1: bpf_get_stack, named
	# through /proc/kallsyms, with or without the join): outward of oom_kill_process's caller
	# every frame equals the report's own, function, offset and size (its "? " guesses left
	# out); where the kernel's unwinder stops at that caller, that frame. Else joined from the report: the report's functions in order, "? " ones too.
	# Either way an anonymous fault where the report's trace shows do_anonymous_page (the hog
	# touches what it allocated).
	local ks kf cls
	ks=$("$JFIELD" "$out" trigger.kernel_stack | grep -o '"function":"[^"]*"' | sed 's/"function":"\(.*\)"/ \1/' | tr -d '\n')
	cls=$("$JFIELD" "$out" allocation.class)
	if [ "${11:-0}" = none ]; then
		[ -z "$ks" ] && [ "$cls" = missing ] && ok "$mode: --stacks none: no kernel stack, no allocation class" ||
			bad "$mode: --stacks none, yet stack '$ks' and class '$cls'"
	elif [ "${11:-0}" = 1 ]; then
		kf=$("$JFIELD" "$out" trigger.kernel_stack | grep -o '"function":"[^"]*",\("module":"[^"]*",\)\{0,1\}"offset":[0-9]*,"size":[0-9]*' |
			sed 's/"function":"\([^"]*\)",\("module":"[^"]*",\)\{0,1\}"offset":\([0-9]*\),"size":\([0-9]*\)/\1 \3 \4/' |
			awk '{ printf " %s+0x%x/0x%x", $1, $2, $3 }')
		case ${f[20]} in
		*'"stack"'*) bad "$mode: kernel stack taken from the report, want the probe's own" ;;
		*) ok "$mode: kernel stack read by the probe ($(echo $kf | wc -w) frames)" ;;
		esac
		if [ -z "$(from_oom "$K_rframes")" ]; then
			# the kernel's unwinder stops at that caller (Debian's 5.10, the report's and
			# bpf_get_stack's alike): the same frame
			[ -n "$(from_okp "$K_rframes")" ] && [ "$(from_okp "$kf")" = "$(from_okp "$K_rframes")" ] &&
				ok "$mode: kernel stack outward of oom_kill_process = the report's, where the kernel stops unwinding: $(from_okp "$kf")" ||
				bad "$mode: kernel stack '$kf', the report's reliable frames '$K_rframes'"
		elif [ "$(from_oom "$kf")" = "$(from_oom "$K_rframes")" ]; then
			ok "$mode: kernel stack outward of oom_kill_process's caller = the report's frames, offsets and sizes ($(from_oom "$kf" | wc -w))"
		else
			bad "$mode: kernel stack '$kf', the report's reliable frames '$K_rframes'"
		fi
	elif [ "${10}" = 1 ]; then
		[ -n "$K_stack" ] && [ "$ks" = "$K_stack" ] && ok "$mode: kernel stack = the report's call trace ($(echo $K_stack | wc -w) frames)" ||
			bad "$mode: kernel stack '$ks', the report's '$K_stack'"
	fi
	if [ "${11:-0}" != none ] && { [ "${11:-0}" = 1 ] || [ "${10}" = 1 ]; }; then
		case " $K_stack " in
		*" do_anonymous_page "*) fact "$mode: allocation class" "$cls" anon_fault 1 ;;
		*) [ "$cls" != missing ] && [ -n "$cls" ] && ok "$mode: allocation class $cls" || bad "$mode: no allocation class" ;;
		esac
	fi
	# what the kernel printed must be what the test made
	# (shmem: most of it; a few pages may not be resident when the kill comes)
	[ "$K_uid" = "$VUID" ] && [ "$K_adj" = "$VADJ" ] && [ "${K_shmem:-0}" -ge $((VSHM * 512)) ] ||
		bad "$mode: the kernel's report does not show the test victim: $K_kill"
}

# which facts an event must carry, from the description the probe attached with and whether the
# kernel's own report is joined (not with --no-kmsg): "task mem oc cg tp kmsg" flags (task: the
# victim's task_struct; mem: its sizes, uid and oom_score_adj; oc: constraint, oom_memcg, gfp,
# order; cg: the victim's memory cgroup; tp: totalpages, read only from oom_control; kmsg: the
# oom_control facts must come from the kernel's report, and totalpages is derived in user space)
probe_reads() { # desc extra-args
	local d=$1 task=0 oc=0 tpmem=0 kmsg=1
	case " $2 " in *" --no-kmsg "*) kmsg=0 ;; esac
	grep -qs ' total_vm;' /sys/kernel/tracing/events/oom/mark_victim/format \
		/sys/kernel/debug/tracing/events/oom/mark_victim/format && tpmem=1
	case $d in *fentry* | *kprobe*) task=1 oc=1 ;; esac
	case $d in *tp_btf*) task=1 ;; esac
	if [ $oc = 1 ]; then
		echo "1 1 1 1 1 0"
	elif [ $task = 1 ]; then
		echo "1 1 $kmsg 1 $kmsg $kmsg"
	else
		# a pid-only tracepoint: the report gives sizes, uid, adj and the victim's cgroup too
		echo "0 $((tpmem | kmsg)) $kmsg $kmsg $kmsg $kmsg"
	fi
}


# one contained kill, the tracer stopped, its event looked for in $t/NAME.json; then the
# kernel's report ratelimit passes. one_kill_reported NAME LABEL HOW
# CapEff of an attached, sandboxed tracer: none from 5.5 (its loss counter is a memory-mapped
# map); before, CAP_SYS_ADMIN (21) to read it through bpf(2)
sandbox_capeff() {
	local maj min
	IFS=. read -r maj min _ <<<"$(uname -r)"
	if [ "$maj" -lt 5 ] || { [ "$maj" -eq 5 ] && [ "$min" -lt 5 ]; }; then
		echo 0000000000200000
	else
		echo 0000000000000000
	fi
}

one_kill_reported() {
	victim=$(oom_once)
	sleep 1
	stop_tracer
	if grep -q "\"victim\":{\"pid\":$victim," "$t/$1.json"; then
		ok "$2: the kill of $victim $3"
	else
		bad "$1: no event for $victim: $(tail -3 "$t/$1.err")"
	fi
	sleep 6
}

# One kill with the tracer started for MODE (a probe, auto, nokmsg, nobtf or bcc's cached), every
# fact of its event checked; a probe this kernel refuses is said (STRICT: as expected, or not).
probe_mode() { # mode
	local mode=$1 args rc reason desc victim i treq vreq oreq creq tpreq kreq joinon kst
	case $mode in
	auto) args=() ;;
	nokmsg) args=(--no-kmsg) ;;
	nostacks) args=(--stacks none) ;;
	nobtf) args=(--no-btf) ;;
	cached) args=() ;;
	*) args=(--probe "$mode") ;;
	esac
	args+=(${OOMTRACE_ARGS:-})
	# every other bcc mode compiles; 'cached' loads what the first start above kept
	[ "$BACKEND" = bcc ] && [ "$mode" != cached ] && args+=(--bcc-cache none)
	[ "$mode" = cached ] && args+=(-v)
	fail0=$fail
	start_tracer "$t/$mode.json" "$t/$mode.err" --count 1 --duration 120 "${args[@]}"
	rc=$?
	reason=$(grep -a 'error' "$t/$mode.err" | head -1)
	if [ $rc -eq 124 ]; then
		bad "$mode: not attached after ${ATTACH_TIMEOUT}s (OOMTRACE_ATTACH_TIMEOUT): $(tail -2 "$t/$mode.err")"
		return
	elif [ $rc -eq 3 ] && [[ $UNSUPPORTED == *" $mode "* ]]; then
		# a probe this kernel cannot support: refused in plain words, never a crash
		[ -n "$reason" ] && ok "$mode: refused as expected: $reason" || bad "$mode: exit 3 without a reason"
		grep -qa 'Unknown error' "$t/$mode.err" && bad "$mode: the reason is a bare errno: $reason"
		result "$mode" unsupported "$(echo "$reason" | sed 's/^{"level":"[a-z]*","msg":"//; s/"}$//; s/.*not usable here: //; s/^backend [a-z]*: //')"
		return
	elif [ $rc -eq 3 ] && [ "$STRICT" = 1 ]; then
		bad "$mode: no usable probe, but this kernel should support it: $reason"
		return
	elif [ $rc -eq 3 ]; then
		echo "SKIP: $mode: no usable probe here: $reason"
		skipped=$((skipped + 1))
		result "$mode" skip "$(echo "$reason" | sed 's/^{"level":"[a-z]*","msg":"//; s/"}$//; s/.*not usable here: //; s/^backend [a-z]*: //')"
		return
	elif [ $rc -ne 0 ]; then
		bad "$mode: oomtrace did not attach (exit $rc): $(tail -2 "$t/$mode.err")"
		return
	fi
	[[ $UNSUPPORTED == *" $mode "* ]] && bad "$mode: attached, but was expected to be refused here"
	desc=$(sed -n "s|.*tracing OOM kills with $BACKEND/\(.*\); Ctrl-C.*|\1|p" "$t/$mode.err" | head -1)
	case $mode in
	auto | nokmsg | nostacks) [ -z "${OOMTRACE_EXPECT_AUTO:-}" ] || [ "${desc%% (*}" = "$OOMTRACE_EXPECT_AUTO" ] &&
		ok "$mode: picked $desc" || bad "$mode: picked '$desc', want $OOMTRACE_EXPECT_AUTO" ;;
	cached) grep -q "bcc: the program compiled on an earlier start on this kernel" "$t/$mode.err" &&
		! grep -q 'libbcc\|libLLVM\|libclang' "/proc/$tracer/maps" &&
		ok "cached: $desc loaded from the cache, libbcc never mapped" || bad "cached: not from the cache: $(grep 'bcc:' "$t/$mode.err")" ;;
	nobtf) [[ $desc == *BTF-less* ]] && ok "nobtf: $desc" || bad "nobtf: attached '$desc'" ;;
	*) [[ $desc == *"$mode"* ]] && ok "$mode: attached $desc" || bad "$mode: attached '$desc'" ;;
	esac
	victim=$(oom_once)
	for i in $(seq 50); do kill -0 "$tracer" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$tracer" 2>/dev/null; then
		bad "$mode: no event within 5 s of the kill"
		kill "$tracer"
	fi
	wait "$tracer"
	rc=$?
	tracer=
	[ $rc -eq 0 ] && ok "$mode: exit 0" || bad "$mode: exit $rc"
	read -r treq vreq oreq creq tpreq kreq < <(probe_reads "$desc" "${args[*]}")
	joinon=1
	case " ${args[*]} " in *" --no-kmsg "*) joinon=0 ;; esac
	# the trigger's kernel stack read by the probe: every one of them (the guests are 4.18+);
	# with --stacks none, none at all
	kst=1
	[ "$mode" = nostacks ] && kst=none
	check_event "$mode" "$t/$mode.json" "$victim" "$treq" "$vreq" "$oreq" "$creq" "$tpreq" "$kreq" "$joinon" "$kst"
	result "$mode" pass "$desc"
}
