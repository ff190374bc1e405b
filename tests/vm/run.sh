#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh: the real-kernel suite ('make check-vm'). Boots Debian's own kernels under QEMU (TCG:
# this host's KVM cannot run them), x86_64 and arm64, 5.10, 6.1 and 6.12, and runs tests/live.sh (every section of tests/live/)
# inside each: every probe of the libbpf backend with real memcg OOM kills checked against the
# guest kernel's own report, then the same with the kernel's sysfs BTF hidden (--btf and the
# search path); and the BCC backend compiled against the guest kernel's own headers: in an x86_64
# 6.1 guest with the host's root shared over 9p, and (OOMTRACE_VM_BCC="arm64-6.1 arm64-6.12", not
# by default: each takes 15-20 minutes of TCG, beyond what CI's 90 minutes leave) in arm64 guests
# with libbcc and its libraries from Debian's arm64 packages (unpacked, never installed) and an
# arm64 oomtrace cross-built with the BCC backend, shared over 9p.
#
# Usage: run.sh TOP_SRCDIR TOP_BUILDDIR
# Environment: OOMTRACE_VM_CACHE (kernels, packages and builds; default /var/tmp/oomtrace-vm),
#   OOMTRACE_VM_KERNELS (default "amd64-5.10 amd64-6.1 amd64-6.12 arm64-5.10 arm64-6.1 arm64-6.12"; "" for none),
#   OOMTRACE_VM_BCC (default "amd64-6.1"; also arm64-6.1, arm64-6.12; "" for none), OOMTRACE_VM_RESULTS (the table, markdown),
#   OOMTRACE_LIVE_SECTIONS (the libbpf guests run only these sections of tests/live.sh: a quicker look),
#   OOMTRACE_VM_JOBS (guests booted at a time, default 2).
# Exit: 0 all passed, 1 a failure, 77 cannot run here (no qemu, no network for the kernels).
set -uo pipefail
src=$(cd "${1:?usage: run.sh TOP_SRCDIR TOP_BUILDDIR}" && pwd)
top=$(cd "${2:?}" && pwd)
cache=${OOMTRACE_VM_CACHE:-/var/tmp/oomtrace-vm}
kernels=${OOMTRACE_VM_KERNELS-amd64-5.10 amd64-6.1 amd64-6.12 arm64-5.10 arm64-6.1 arm64-6.12}
bcc_kernels=${OOMTRACE_VM_BCC-amd64-6.1}
results=${OOMTRACE_VM_RESULTS:-$top/vm-results.md}
work=$top/vm-work
mkdir -p "$cache" "$work"
pass=0 fail=0
t0=$(date +%s)

say() { echo "check-vm: $*"; }
skip_all() { say "SKIP: $*"; exit 77; }

for tool in qemu-system-x86_64 qemu-system-aarch64 cpio gzip depmod modprobe; do
	command -v "$tool" >/dev/null || skip_all "no $tool (apt-get install qemu-system-x86 qemu-system-arm cpio kmod)"
done

# --- kernels, userland, headers ---
say "fetching kernels into $cache"
OOMTRACE_VM_BCC=$bcc_kernels "$src/tests/vm/fetch-kernels.sh" "$cache" >"$work/kernels.txt" 2>"$work/fetch.log" ||
	{ cat "$work/fetch.log"; say "FAIL: cannot fetch Debian's kernels"; exit 1; }
cat "$work/kernels.txt"
headers=$(awk '$1 == "headers" {print $2}' "$work/kernels.txt")

# --- static builds and initramfs per architecture ---
for arch in amd64 arm64; do
	case " $kernels $bcc_kernels " in *" $arch-"*) ;; *) continue ;; esac
	say "building static oomtrace for $arch"
	"$src/tests/vm/build.sh" "$top" "$arch" "$cache/build-$arch" || { say "FAIL: $arch build"; exit 1; }
	"$src/tests/vm/initramfs.sh" "$src" "$cache/userland-$arch" "$cache/build-$arch" "$work/initramfs-$arch.cpio.gz" ||
		{ say "FAIL: $arch initramfs"; exit 1; }
done

# per-run settings, appended to the initramfs as a second cpio archive
env_cpio() { # out.cpio.gz < vm.env text
	local d
	d=$(mktemp -d)
	cat >"$d/vm.env"
	[ -n "${2:-}" ] && cp -r "$2" "$d/modules"
	(cd "$d" && find . | cpio --quiet -o -H newc) | gzip >"$1"
	rm -rf "$d"
}

boot() { # name arch kernel initrd log mem [extra qemu args...]
	local name=$1 arch=$2 kernel=$3 initrd=$4 log=$5 mem=$6 try limit=${VM_TIMEOUT:-900}
	shift 6
	local qemu=(qemu-system-x86_64 -accel tcg,thread=single -cpu max -smp 2)
	local console=ttyS0
	if [ "$arch" = arm64 ]; then
		qemu=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -accel tcg,thread=multi -smp 2)
		console=ttyAMA0
	fi
	for try in 1 2; do
		timeout "$limit" "${qemu[@]}" -m "$mem" -kernel "$kernel" -initrd "$initrd" \
			-append "console=$console loglevel=1 panic=-1 oops=panic rdinit=/init" \
			-nographic -no-reboot -nodefaults -serial stdio "$@" </dev/null >"$log" 2>&1
		# a boot that never reached /init (TCG oopses now and then) is retried once
		grep -q "VM: booted" "$log" && return 0
		say "$name: no /init on try $try: $(tail -3 "$log" | tr '\r\n' '  ')"
	done
	return 1
}

# collect one log: sections, per-probe results and failures
collect() { # name backend log
	local name=$1 backend=$2 log=$3 sec r
	tr -d '\r' <"$log" >"$log.txt"
	grep -E '^(FAIL|SKIP)' "$log.txt" | sed "s/^/  $name: /"
	sed -n "s/^VM: took /  $name: /p" "$log.txt"
	while read -r _ _ sec r; do
		if [ "$r" = 0 ]; then
			pass=$((pass + 1))
		elif [ "$r" = 77 ] && [ -n "${OOMTRACE_LIVE_SECTIONS:-}" ]; then
			say "$name: $sec: nothing of OOMTRACE_LIVE_SECTIONS runs there"
		else
			fail=$((fail + 1))
			say "$name: $sec FAILED"
		fi
	done < <(grep '^VM: result ' "$log.txt")
	if ! grep -q '^VM: exit 0' "$log.txt"; then
		grep -q '^VM: exit ' "$log.txt" || { fail=$((fail + 1)); say "$name: the guest never finished: $(tail -5 "$log.txt" | tr '\n' ' ')"; }
	fi
	awk -v k="$name" -v b="$backend" '
		/^VM: section / { sec = $3 }
		/^mode-result: / { d = ""; for (i = 4; i <= NF; i++) d = d (i > 4 ? " " : "") $i
			printf "| %s | %s | %s | %s | %s | %s |\n", k, b, sec, $2, $3, d }' "$log.txt" >>"$work/table.md"
}

: >"$work/table.md"
# Every guest is prepared first, then booted by run_all: kind, architecture, kernel, memory, time
# limit and extra QEMU arguments per guest, in the order they were prepared.
guests=()
declare -A g_kind g_arch g_kernel g_mem g_limit g_extra
queue() { # name kind arch kernel mem limit [extra qemu args...]
	local id=$1-$2
	guests+=("$id")
	g_kind[$id]=$2 g_arch[$id]=$3 g_kernel[$id]=$4 g_mem[$id]=$5 g_limit[$id]=$6
	shift 6
	g_extra[$id]="$*"
}

for name in $kernels; do
	arch=${name%%-*}
	line=$(awk -v a="$arch" -v s="${name#*-}" '$1 == a && $2 == s' "$work/kernels.txt")
	[ -n "$line" ] || { say "FAIL: $name: no such kernel fetched"; fail=$((fail + 1)); continue; }
	read -r _ _ rel dir <<<"$line"
	env_cpio "$work/env-$name.cpio.gz" <<EOF
VM_MODE=libbpf
VM_BURST=10
OOMTRACE_LIVE_SECTIONS="${OOMTRACE_LIVE_SECTIONS:-}"
EOF
	cat "$work/initramfs-$arch.cpio.gz" "$work/env-$name.cpio.gz" >"$work/initrd-$name-libbpf"
	say "$name ($rel): libbpf, every probe (queued)"
	queue "$name" libbpf "$arch" "$dir/root/boot/vmlinuz-$rel" 1024 900
done

# --- BCC in a guest: the guest kernel's own headers; libbcc from the host's root over 9p, or, for
# another architecture, from a root of that architecture's packages (fetch-kernels.sh) with a
# dynamic oomtrace cross-built for it ---
host_arch=$(dpkg --print-architecture)

# the 9p and virtio modules a kernel does not have built in, in dependency order, into DIR;
# prints their names
bcc_modules() { # kernel-root release DIR
	local root=$1 rel=$2 mods=$3 m ko b list=
	depmod -b "$root" "$rel"
	for m in virtio_pci 9pnet_virtio 9p; do
		for ko in $(modprobe -d "$root" -S "$rel" --show-depends "$m" | awk '$1 == "insmod" {print $2}'); do
			b=$(basename "$ko" .xz)
			[ -e "$mods/$b" ] && continue
			case $ko in *.xz) xz -dc "$ko" >"$mods/$b" ;; *) cp "$ko" "$mods/$b" ;; esac
			list="$list $b"
		done
	done
	echo "$list"
}

# what the guest runs, as vm.env lines, and the directory it shares: this machine's root with
# its own oomtrace, or the cache with the foreign root and a cross-built oomtrace
bcc_native() { # name hdr -> sets share, prints env
	local bin=$cache/bcc-run
	"$top/oomtrace" --version | grep -qw 'bcc' && ! "$top/oomtrace" --version | grep -q 'bcc (not built)' ||
		{ say "SKIP: bcc in $1: oomtrace was built without the bcc backend"; return 77; }
	# the guest mounts its own /tmp over the host's: what it runs lives in the cache
	case $bin in /tmp/*) say "FAIL: bcc in $1: OOMTRACE_VM_CACHE under /tmp is hidden in the guest"; return 1 ;; esac
	rm -rf "$bin" && mkdir -p "$bin/tests"
	cp "$top/oomtrace" "$bin/oomtrace" && cp "$top/tests/hog" "$top/tests/jfield" "$bin/tests/" &&
		cp "$src/tests/live.sh" "$bin/live.sh" && cp -r "$src/tests/live" "$bin/live" ||
		{ say "FAIL: bcc in $1: cannot copy the programs"; return 1; }
	share=/
	cat >"$work/bcc-$1.env" <<EOF
VM_OOMTRACE=$bin/oomtrace
VM_HOG=$bin/tests/hog
VM_JFIELD=$bin/tests/jfield
VM_LIVE=$bin/live.sh
VM_HEADERS=$2
VM_BCC_MODES="kprobe tracepoint"
EOF
}

bcc_foreign() { # name hdr arch
	local name=$1 hdr=$2 arch=$3 root interp multi n
	root=$(awk -v a="$arch" '$1 == "bccroot" && $2 == a {print $3}' "$work/kernels.txt")
	[ -n "$root" ] || { say "FAIL: bcc in $name: no $arch root with libbcc was fetched"; return 1; }
	"$src/tests/vm/build.sh" "$top" "$arch" "$cache/build-$arch-bcc" bcc || { say "FAIL: bcc in $name: $arch build"; return 1; }
	multi=$(dpkg-architecture -a "$arch" -qDEB_HOST_MULTIARCH 2>/dev/null)
	interp=$(LC_ALL=C readelf -l "$cache/build-$arch-bcc/oomtrace" | sed -n 's/.*interpreter: \([^]]*\)].*/\1/p')
	[ -n "$multi" ] && [ -n "$interp" ] && [ -e "$root$interp" ] ||
		{ say "FAIL: bcc in $name: no loader $interp in $root"; return 1; }
	# every library the program and libbcc link must be in that root: a clear failure, not a guest's
	for n in $(LC_ALL=C readelf -d "$cache/build-$arch-bcc/oomtrace" "$root/usr/lib/$multi/libbcc.so.0" |
		sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | sort -u); do
		[ -e "$root/lib/$multi/$n" ] || [ -e "$root/usr/lib/$multi/$n" ] ||
			{ say "FAIL: bcc in $name: $n is not in $root"; return 1; }
	done
	share=$cache
	cat >"$work/bcc-$name.env" <<EOF
VM_BCC_ROOT=/host/${root#"$cache"/}
VM_INTERP=$interp
VM_LIBPATH=/host/${root#"$cache"/}/lib/$multi:/host/${root#"$cache"/}/usr/lib/$multi
VM_OOMTRACE=/host/build-$arch-bcc/oomtrace
VM_HOG=/bin/hog
VM_JFIELD=/bin/jfield
VM_LIVE=/live.sh
VM_HEADERS=/host/${hdr#"$cache"/}
VM_BCC_MODES="kprobe tracepoint cached"
EOF
}

for name in $bcc_kernels; do
	arch=${name%%-*}
	read -r _ _ rel dir <<<"$(awk -v a="$arch" -v s="${name#*-}" '$1 == a && $2 == s' "$work/kernels.txt")"
	[ -n "$rel" ] || { say "FAIL: bcc in $name: no such kernel fetched"; fail=$((fail + 1)); continue; }
	hdr=$(echo "$headers" | grep -F "linux-headers-$rel" | head -1)
	[ -n "$hdr" ] || { say "FAIL: bcc in $name: no headers for $rel"; fail=$((fail + 1)); continue; }
	share=
	if [ "$arch" = "$host_arch" ]; then
		bcc_native "$name" "$hdr"
	else
		bcc_foreign "$name" "$hdr" "$arch"
	fi
	case $? in 0) ;; 77) continue ;; *) fail=$((fail + 1)); continue ;; esac
	mods=$(mktemp -d)
	list=$(bcc_modules "$dir/root" "$rel" "$mods")
	{ cat "$work/bcc-$name.env"; cat <<EOF; } | env_cpio "$work/env-$name-bcc.cpio.gz" "$mods"
VM_MODE=bcc
VM_MODULES="$list"
VM_BURST=20
VM_ATTACH_TIMEOUT=300
EOF
	rm -rf "$mods"
	cat "$work/initramfs-$arch.cpio.gz" "$work/env-$name-bcc.cpio.gz" >"$work/initrd-$name-bcc"
	say "$name ($rel): bcc with libbcc from $share over 9p, headers $hdr"
	# (the share's path has no blanks: the cache's, or /)
	queue "$name" bcc "$arch" "$dir/root/boot/vmlinuz-$rel" 2048 1500 \
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
		-fsdev "local,id=hostroot,path=$share,security_model=none,readonly=on,multidevs=remap"
done

# --- the guests, two at a time ---
# A guest keeps less than one host core busy on average (measured: x86_64, single-threaded TCG,
# 0.6 core for libbpf and 1.0 for BCC; arm64, a thread per vCPU, 0.75), so two at a time fill a
# 2-core host: here the suite took 2294 s against 3752 s one after another, each guest 0-40%
# longer than alone, every check passed. OOMTRACE_VM_JOBS guests at a
# time (default 2; 1: one after another), longest first: the BCC guests, then the newest kernels.
run_guest() { # id: boots it; its exit status and seconds in $work/ID.done
	local id=$1 s rc=0
	local -a extra
	s=$(date +%s)
	read -ra extra <<<"${g_extra[$id]}"
	VM_TIMEOUT=${g_limit[$id]} boot "$id" "${g_arch[$id]}" "${g_kernel[$id]}" "$work/initrd-$id" "$work/$id.log" \
		"${g_mem[$id]}" "${extra[@]}" || rc=1
	echo "$rc $(($(date +%s) - s))" >"$work/$id.done"
}

run_all() {
	local max=${OOMTRACE_VM_JOBS:-2} id r
	local -A running=()
	local -a pids=() order=() lib=()
	[ "$max" -ge 1 ] 2>/dev/null || max=1
	# the BCC guests, then newest kernel first (x86_64 and arm64 of a version side by side)
	for id in "${guests[@]}"; do
		if [ "${g_kind[$id]}" = bcc ]; then order+=("$id"); else lib+=("$id"); fi
		rm -f "$work/$id.done" # one left by an earlier run would free a lane
	done
	[ ${#lib[@]} -gt 0 ] && mapfile -t -O ${#order[@]} order < <(printf '%s\n' "${lib[@]}" | sort -t- -k2,2Vr -k1,1)
	for id in "${order[@]}"; do
		# a lane is free when its guest has written its .done
		while [ "${#running[@]}" -ge "$max" ]; do
			sleep 2
			for r in "${!running[@]}"; do
				[ -e "$work/$r.done" ] && unset "running[$r]"
			done
		done
		say "$id: booting"
		run_guest "$id" &
		pids+=($!)
		running[$id]=1
	done
	for r in ${pids[@]+"${pids[@]}"}; do wait "$r"; done
}
run_all

for id in "${guests[@]}"; do
	read -r rc secs <"$work/$id.done" 2>/dev/null || { rc=1 secs='?'; }
	if [ "$rc" = 0 ]; then
		collect "${id%-*}" "${g_kind[$id]}" "$work/$id.log"
	else
		fail=$((fail + 1))
	fi
	say "$id: $secs s"
done

{
	# the matrix for the README: one row per kernel and run, one column per probe
	awk -F' [|] ' '
		{ k = substr($1, 3) " | " $2 " | " $3; if (!(k in seen)) { seen[k] = 1; rows[n++] = k }
		  d = $6; sub(/ *[|] *$/, "", d); sub(/ [(](ring|perf) buffer[)]/, "", d)
		  v = ($5 == "pass") ? "ok: " d : ($5 == "unsupported") ? "refused" : $5; cell[k, $4] = v }
		END {
			np = split("auto fentry kprobe tp_btf tracepoint nobtf nokmsg nostacks long cached", p, " ")
			printf "| kernel | backend | run |"; for (i = 1; i <= np; i++) printf " %s |", p[i]; print ""
			printf "|---|---|---|"; for (i = 1; i <= np; i++) printf "---|"; print ""
			for (r = 0; r < n; r++) { printf "| %s |", rows[r]
				for (i = 1; i <= np; i++) printf " %s |", ((rows[r], p[i]) in cell) ? cell[rows[r], p[i]] : "-"
				print "" } }' "$work/table.md"
	echo
	echo "Every probe, with what it attached as or why it was refused:"
	echo
	echo "| kernel | backend | run | probe | result | attached as / reason |"
	echo "|---|---|---|---|---|---|"
	cat "$work/table.md"
} >"$results"
cat "$results"
say "logs in $work; table in $results; $(($(date +%s) - t0)) s in all"
echo "$pass $fail" >"$work/summary"
echo "check-vm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
