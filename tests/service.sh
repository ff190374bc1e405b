#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/service.sh: oomtrace.service as make install writes it: systemd-analyze verify passes
# (with this build's binary in ExecStart), the settings the issue fixes are there, and its
# ExecStart line, with the defaults of its environment, is a command line oomtrace accepts.
srcdir=${srcdir:-.}
OOMTRACE=${OOMTRACE:-./oomtrace}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$srcdir/tests/lib.sh"
command -v systemd-analyze >/dev/null || skip_all "no systemd-analyze here (Debian: systemd)"

bindir=$(cd "$(dirname "$OOMTRACE")" && pwd)
sed -e "s|@bindir@|$bindir|g" -e "s|@sysconfdir@|/etc|g" "$srcdir/packaging/oomtrace.service.in" >"$t/oomtrace.service"
if systemd-analyze verify --man=no "$t/oomtrace.service" >"$t/verify" 2>&1; then
	ok "unit: systemd-analyze verify passes"
else
	bad "unit: systemd-analyze verify: $(tr '\n' ' ' <"$t/verify")"
fi
sed -i "s|^ExecStart=$bindir/|ExecStart=/nonexistent/|" "$t/oomtrace.service"
systemd-analyze verify --man=no "$t/oomtrace.service" >/dev/null 2>&1 &&
	bad "unit: verify passed with a missing binary: it checks nothing" || ok "unit: verify fails on a missing binary"

u=$srcdir/packaging/oomtrace.service.in
prop() { sed -n "s/^$1=//p" "$u" | tail -1; }
[ "$(prop OOMScoreAdjust)" = -1000 ] && ok "unit: OOMScoreAdjust=-1000" || bad "unit: OOMScoreAdjust=$(prop OOMScoreAdjust)"
[ -n "$(prop MemoryMin)" ] && ok "unit: MemoryMin=$(prop MemoryMin) reserved" || bad "unit: no MemoryMin"
caps=" $(prop CapabilityBoundingSet) "
missing=
for c in CAP_BPF CAP_PERFMON CAP_SYS_RESOURCE; do case $caps in *" $c "*) ;; *) missing="$missing $c" ;; esac; done
[ -z "$missing" ] && ok "unit: bounding set$caps" || bad "unit: bounding set lacks$missing"
case $caps in *CAP_SYS_ADMIN*) bad "unit: CAP_SYS_ADMIN in the default bounding set" ;; *) ok "unit: no CAP_SYS_ADMIN (5.8+)" ;; esac
grep -q '^ProtectKernelLogs=yes' "$u" && bad "unit: ProtectKernelLogs hides /dev/kmsg" || ok "unit: /dev/kmsg left readable"
grep -q '^PrivateDevices=yes' "$u" && bad "unit: PrivateDevices hides /dev/kmsg" || ok "unit: devices left"

# ExecStart with its default environment: a command line oomtrace takes (replayed here)
cmd=$(sed -n 's/^ExecStart=@bindir@\/oomtrace //p' "$u")
metrics=$t/oomtrace.prom
cmd=${cmd//\$\{OOMTRACE_METRICS_FILE\}/$metrics}
cmd=${cmd//\$OOMTRACE_ARGS/}
cmd=${cmd//--journal/}
# shellcheck disable=SC2086
if "$OOMTRACE" $cmd --backend replay "$srcdir/fixtures/6.18-x86_64-memcg-v1-burst-dmesg.log" >/dev/null 2>"$t/err" &&
	grep -q '^oomtrace_oom_kills_total{constraint="memcg"' "$metrics"; then
	ok "unit: ExecStart's options are accepted (metrics written to the default path)"
else
	bad "unit: ExecStart's options ($cmd): $(head -2 "$t/err")"
fi
grep -q -- '--journal' <<<"$(prop ExecStart)" && ok "unit: ExecStart sends to the journal" || bad "unit: no --journal"

verdict service
