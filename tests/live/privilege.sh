#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/privilege.sh: least privilege: attached, it keeps no capability (5.5+: its loss counter is memory-mapped; before, CAP_SYS_ADMIN for bpf(2)), no_new_privs and a seccomp filter; it runs as nobody with CAP_BPF + CAP_PERFMON alone (5.8+) and drops both.
# Real memcg OOM kills; see tests/live/lib.sh for the environment it reads.
. "$(dirname "$0")/lib.sh"

# whether this area is wanted here at all (before anything is set up)
privilege_wanted() {
	[ "${OOMTRACE_PRIV_TESTS:-1}" = 1 ] || { skip "privilege: OOMTRACE_PRIV_TESTS=0"; return 1; }
}

privilege() {
	if ! "$OOMTRACE" --version | grep -q "live sandbox: yes"; then
		echo "SKIP: sandbox: built without libseccomp/libcap-ng"
		skipped=$((skipped + 1))
	elif start_tracer "$t/priv.json" "$t/priv.err" --duration 600 --context none ${OOMTRACE_ARGS:-}; then
		st=$(cat "/proc/$tracer/status")
		eff=$(echo "$st" | awk '/^CapEff:/ {print $2}')
		[ "$(echo "$st" | awk '/^NoNewPrivs:/ {print $2}')" = 1 ] && ok "sandbox: NoNewPrivs 1" || bad "sandbox: NoNewPrivs not set"
		[ "$(echo "$st" | awk '/^Seccomp:/ {print $2}')" = 2 ] && ok "sandbox: Seccomp 2 (filter)" || bad "sandbox: no seccomp filter"
		# none from 5.5 (the loss counter memory-mapped); before, CAP_SYS_ADMIN (21) for bpf(2)
		want=$(sandbox_capeff)
		[ "$eff" = "$want" ] && ok "sandbox: CapEff $eff after attach" || bad "sandbox: CapEff $eff after attach, want $want"
		grep -q "sandbox: capabilities dropped ($([ $want = 0000000000000000 ] && echo 'none kept' || echo 'CAP_SYS_ADMIN kept'))" "$t/priv.err" &&
			ok "sandbox: says what it kept" || bad "sandbox: $(grep 'sandbox:' "$t/priv.err")"
		one_kill_reported priv sandbox "reported under the filter"
	else
		bad "sandbox: oomtrace did not attach: $(tail -2 "$t/priv.err")"
	fi
	last=$(cat /proc/sys/kernel/cap_last_cap 2>/dev/null || echo 0)
	if ! command -v setpriv >/dev/null || ! setpriv --version 2>&1 | grep -q util-linux ||
		! setpriv --help 2>&1 | grep -q ambient-caps; then
		echo "SKIP: nobody with CAP_BPF+CAP_PERFMON: no util-linux setpriv with --ambient-caps here"
		skipped=$((skipped + 1))
	elif [ "$last" -lt 39 ]; then
		echo "SKIP: nobody with CAP_BPF+CAP_PERFMON: kernel before 5.8 has no CAP_BPF (cap_last_cap $last)"
		skipped=$((skipped + 1))
	elif [ ! -r /sys/kernel/btf/vmlinux ]; then
		echo "SKIP: nobody with CAP_BPF+CAP_PERFMON: no kernel BTF (tracefs, which the tracepoint needs, is root's)"
		skipped=$((skipped + 1))
	else
		LAUNCH=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon)
		start_tracer "$t/nobody.json" "$t/nobody.err" --context none ${OOMTRACE_ARGS:-} --duration 600
		rc=$?
		LAUNCH=()
		if [ $rc = 0 ]; then
			st=$(cat "/proc/$tracer/status")
			[ "$(echo "$st" | awk '/^Uid:/ {print $2}')" = 65534 ] && ok "nobody: runs as uid 65534" || bad "nobody: uid $(echo "$st" | awk '/^Uid:/ {print $2}')"
			[ "$(echo "$st" | awk '/^CapEff:/ {print $2}')" = 0000000000000000 ] && ok "nobody: CAP_BPF and CAP_PERFMON dropped after attach" ||
				bad "nobody: CapEff $(echo "$st" | awk '/^CapEff:/ {print $2}')"
			[ "$(echo "$st" | awk '/^NoNewPrivs:/ {print $2}')" = 1 ] && [ "$(echo "$st" | awk '/^Seccomp:/ {print $2}')" = 2 ] &&
				ok "nobody: NoNewPrivs 1, Seccomp 2" || bad "nobody: not sandboxed: $(echo "$st" | grep -E 'NoNewPrivs|Seccomp:' | tr '\n' ' ')"
			victim=$(oom_once)
			sleep 1
			stop_tracer
			if grep -q "\"victim\":{\"pid\":$victim," "$t/nobody.json"; then
				ok "nobody: the kill of $victim reported"
				vuid=$("$JFIELD" "$t/nobody.json" victim.uid)
				[ "$vuid" = "$VUID" ] && ok "nobody: victim uid read ($vuid)" || bad "nobody: victim uid $vuid, want $VUID"
			else
				bad "nobody: no event for $victim: $(tail -3 "$t/nobody.err")"
			fi
			sleep 6
		else
			bad "nobody: did not attach with CAP_BPF+CAP_PERFMON (exit $rc): $(grep -v '"level":"debug"' "$t/nobody.err" | tail -3)"
		fi
	fi
}

live_each "libbpf" privilege privilege_wanted
live_verdict privilege
