#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest-test.sh: what runs inside each VM: tests/live.sh for the libbpf backend on every probe,
# the same with the kernel's sysfs BTF hidden (--btf FILE and the search path), or the BCC
# backend with the guest kernel's own headers and libbcc shared over 9p (the host's root, or a
# root of the guest's architecture).
# /vm.env (written per run by run.sh) sets VM_MODE and the kernel's expectations.
. /vm.env
[ -n "${OOMTRACE_LIVE_SECTIONS:-}" ] && export OOMTRACE_LIVE_SECTIONS
# the stopped-reader storm (220 kills) runs on the host; under TCG it would take minutes
export OOMTRACE_STRICT=1 OOMTRACE_ATTACH_TIMEOUT=${VM_ATTACH_TIMEOUT:-60} OOMTRACE_LOSS_KILLS=0 OOMTRACE_STORM_SECONDS=0 OOMTRACE_SHARED_KILLS=0 OOMTRACE_STOP_TESTS=0
# the mixed storm of kernel and killer kills: 20 + 20 here (50 + 50 on the host)
export OOMTRACE_KILLER_STORM=${VM_KILLER_STORM:-20}
rc=0

section() { # name command...: run one part, one result line for run.sh
	local name=$1
	shift
	local t0=$SECONDS
	echo "VM: section $name"
	"$@"
	local r=$?
	echo "VM: result $name $r"
	echo "VM: took $name $((SECONDS - t0)) s"
	[ $r -eq 0 ] || rc=1
}

# What this kernel must support: fentry (arm64 got the direct-call trampolines it needs in 6.4:
# Debian's arm64 6.1 answers ENOTSUPP); tp_btf when mark_victim passes the task (6.9, or a stable
# backport: the format has total_vm) or the task can be looked up (bpf_task_from_pid, 6.2+).
# auto then picks the richest pair.
expectations() {
	local maj min tpbtf=0 inv=kprobe VM_FENTRY=1
	IFS=. read -r maj min _ <<<"$(uname -r)"
	[ "$(uname -m)" = aarch64 ] && { [ "$maj" -lt 6 ] || { [ "$maj" -eq 6 ] && [ "$min" -lt 4 ]; }; } && VM_FENTRY=0
	grep -q ' total_vm;' /sys/kernel/tracing/events/oom/mark_victim/format && tpbtf=1
	[ "$maj" -gt 6 ] || { [ "$maj" -eq 6 ] && [ "$min" -ge 2 ]; } && tpbtf=1
	VM_UNSUPPORTED=
	[ "$VM_FENTRY" = 1 ] && inv=fentry || VM_UNSUPPORTED="fentry"
	[ $tpbtf = 1 ] || VM_UNSUPPORTED="$VM_UNSUPPORTED tp_btf"
	VM_AUTO=$inv+$([ $tpbtf = 1 ] && echo tp_btf || echo tracepoint)
	VM_AUTO_NOBTF=kprobe+tracepoint
	echo "VM: expect unsupported '$VM_UNSUPPORTED', auto $VM_AUTO"
}

libbpf_suite() {
	export OOMTRACE=/bin/oomtrace HOG=/bin/hog JFIELD=/bin/jfield
	# the user stack section: the tracer built with libdw, tests/ustack linked dynamically (its
	# stacks cross from libc.so.6 into the binary: two files' mappings), its source for the lines;
	# under TCG a kill waits longer for its stacks than the default 50 ms (every step is ~20
	# times slower)
	export OOMTRACE_USTACK=/bin/oomtrace-dw USTACK=/bin/ustack USTACK_STATIC=0 USTACK_SRC=/ustack.c USTACK_WAIT=1000 \
		MARKDELAY=/bin/markdelay
	expectations
	section libbpf env OOMTRACE_UNSUPPORTED="$VM_UNSUPPORTED" OOMTRACE_EXPECT_AUTO="$VM_AUTO" \
		OOMTRACE_BURST="${VM_BURST:-10}" bash /live.sh libbpf
	# the kernel's BTF hidden, as on kernels built without it: CO-RE through a BTF file taken from
	# this same kernel; fentry and tp_btf need the kernel's own BTF and must be refused
	cp /sys/kernel/btf/vmlinux /tmp/vmlinux.btf || return
	mount -t tmpfs nobtf /sys/kernel/btf
	if [ -e /sys/kernel/btf/vmlinux ]; then
		echo "FAIL: /sys/kernel/btf/vmlinux still visible"
		rc=1
		return
	fi
	# (user stacks once per guest, in the section above: each run is ~70 s of TCG, and the object
	# needs the kernel's BTF in the kernel anyway)
	section btf-file env OOMTRACE_UNSUPPORTED="fentry tp_btf" OOMTRACE_EXPECT_AUTO="$VM_AUTO_NOBTF" \
		OOMTRACE_MODES="auto fentry kprobe tp_btf tracepoint" OOMTRACE_BURST=0 OOMTRACE_WHY_TESTS=0 \
		OOMTRACE_USTACK_TESTS=0 \
		OOMTRACE_ARGS="--btf /tmp/vmlinux.btf" bash /live.sh libbpf
	mkdir -p /usr/lib/oomtrace/btf
	cp /tmp/vmlinux.btf "/usr/lib/oomtrace/btf/$(uname -r).btf"
	section btf-search env OOMTRACE_EXPECT_AUTO="$VM_AUTO_NOBTF" OOMTRACE_MODES="auto kprobe tracepoint" OOMTRACE_KILLER_TESTS=0 OOMTRACE_WHY_TESTS=0 OOMTRACE_USTACK_TESTS=0 \
		OOMTRACE_BURST=0 bash /live.sh libbpf
	section btf-check bash -c '/bin/oomtrace --backend libbpf --check | tee /tmp/check.txt | grep "^btf" &&
		grep -q "^btf .*/usr/lib/oomtrace/btf/$(uname -r).btf" /tmp/check.txt'
	umount /sys/kernel/btf
}

# BCC: this kernel's own headers, libbcc shared over 9p: the host's root (same architecture), run
# chrooted into it; or a root of this architecture's libraries (VM_BCC_ROOT) with a dynamic
# oomtrace built for it, run from this initramfs through that root's loader
bcc_suite() {
	local m
	for m in $VM_MODULES; do
		insmod "/modules/$m" || echo "VM: insmod $m failed"
	done
	mkdir -p /host
	if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /host; then
		echo "FAIL: cannot mount the host's root over 9p"
		rc=1
		return
	fi
	local run=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp)
	if [ -n "${VM_BCC_ROOT:-}" ]; then
		# the program's loader where it looks; libbcc shows headers over /lib/modules
		mkdir -p "$(dirname "$VM_INTERP")" /lib/modules /usr/src
		ln -sf "$VM_BCC_ROOT$VM_INTERP" "$VM_INTERP"
		run+=(LD_LIBRARY_PATH="$VM_LIBPATH")
	else
		mount -t proc proc /host/proc
		mount -t sysfs sys /host/sys
		mount -t devtmpfs dev /host/dev
		mount -t tmpfs tmp /host/tmp
		mount -t tmpfs run /host/run
		mount -t tracefs tracefs /host/sys/kernel/tracing
		mount -t cgroup2 cgroup2 /host/sys/fs/cgroup
		run=(chroot /host /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp)
	fi
	section bcc "${run[@]}" \
		OOMTRACE="$VM_OOMTRACE" HOG="$VM_HOG" JFIELD="$VM_JFIELD" OOMTRACE_STRICT=1 \
		OOMTRACE_ATTACH_TIMEOUT="$OOMTRACE_ATTACH_TIMEOUT" OOMTRACE_BURST="${VM_BURST:-20}" OOMTRACE_STORM_SECONDS=0 OOMTRACE_WHY_TESTS=0 \
		OOMTRACE_MODES="$VM_BCC_MODES" OOMTRACE_ARGS="--kernel-headers $VM_HEADERS" \
		bash "$VM_LIVE" bcc
}

case $VM_MODE in
libbpf) libbpf_suite ;;
bcc) bcc_suite ;;
*) echo "FAIL: unknown VM_MODE '$VM_MODE'"; rc=1 ;;
esac
exit $rc
