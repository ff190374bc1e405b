#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fetch-kernels.sh: download Debian's own kernels (5.10 from bullseye, 6.1 from bookworm, 6.12 from
# bookworm's updates), amd64 and arm64, into a cache, and unpack what the VM tests need: the kernel image, the modules
# for 9p/virtio (BCC guests), the exact kernel headers of each BCC guest's kernel and, for a BCC
# guest of another architecture than this machine's, a root with libbcc and the libraries
# oomtrace needs in that architecture.
# Never installs a package: apt-get download + dpkg-deb only, backports through a private apt
# state, so the machine's sources, /boot and its dpkg database stay untouched (an :arm64 libbcc
# cannot be installed beside the amd64 toolchain anyway).
# Usage: fetch-kernels.sh CACHE_DIR [all|kernels]
#   prints one line per kernel: ARCH SERIES RELEASE DIR; then "headers DIR" for each BCC kernel
#   and "bccroot ARCH DIR" for each foreign BCC architecture
# Environment: OOMTRACE_VM_BCC (the BCC guests, e.g. "amd64-6.1 arm64-6.1 arm64-6.12")
set -euo pipefail
cache=${1:?usage: fetch-kernels.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
st=$cache/apt
mkdir -p "$st/lists/partial" "$st/sources.d" "$st/archives/partial"
cat >"$st/sources.d/oomtrace-vm.sources" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-backports bullseye
Components: main
Architectures: amd64 arm64
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security bullseye-security
Components: main
Architectures: amd64 arm64
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$st/sources.d"
	-o Dir::State::Lists="$st/lists" -o Dir::Cache::Archives="$st/archives"
	-o APT::Architectures::=amd64 -o APT::Architectures::=arm64 -o Debug::NoLocking=1)
# refresh the lists at most once a day, and whenever the sources above changed
if [ -z "$(find "$st/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ] ||
	! cmp -s "$st/sources.d/oomtrace-vm.sources" "$st/lists/.sources"; then
	apt-get "${apt_opts[@]}" update >"$st/update.log" 2>&1 || { cat "$st/update.log" >&2; exit 1; }
	cp "$st/sources.d/oomtrace-vm.sources" "$st/lists/.sources"
fi

# the linux-image-<abi>-<flavour> packages of a series, newest first
images() { # arch series(5.10|6.1|6.12)
	local arch=$1 series=$2
	apt-cache "${apt_opts[@]}" search --names-only "^linux-image-${series//./\\.}[.-]" 2>/dev/null |
		awk '{print $1}' | grep -E -- "-${arch}(-unsigned)?\$" |
		grep -Ev -- '-(cloud|rt|rpi|dbg|16k)-' | sed 's/-unsigned$/ -unsigned/' | sort -rV -k1,1 |
		tr -d ' ' || true
}

# download PKG:ARCH into the private archive dir; prints the .deb, fails when it is not there
download() {
	local p=$1 deb
	(cd "$st/archives" && apt-get "${apt_opts[@]}" download "$p" >"$st/download.log" 2>&1) || true
	deb=$(ls -t "$st/archives/${p%%:*}_"*"_${p##*:}.deb" "$st/archives/${p%%:*}_"*_all.deb 2>/dev/null | head -1 || true)
	[ -n "$deb" ] && [ -s "$deb" ] && echo "$deb"
}

fetch() { # arch series
	local arch=$1 series=$2 pkg= dir rel deb=
	dir=$cache/$arch-$series
	for pkg in $(images "$arch" "$series" | head -12); do
		[ -f "$dir/.done" ] && [ "$(cat "$dir/.done")" = "$pkg" ] && break
		# the newest may be listed before its file reaches the mirror: then the one before it
		deb=$(download "$pkg:$arch") && break
		echo "fetch-kernels: $pkg:$arch: $(grep -E '^(E|Err):' "$st/download.log" | head -1)" >&2
		pkg=
	done
	[ -n "$pkg" ] || { echo "fetch-kernels: no linux-image-$series*-$arch could be downloaded" >&2; return 1; }
	if [ -n "$deb" ]; then
		rm -rf "$dir" && mkdir -p "$dir/root"
		# the image, System.map/config and the modules; nothing is installed
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir/root" ./boot ./lib/modules 2>/dev/null ||
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir/root" ./boot
		rm -f "$deb"
		echo "$pkg" >"$dir/.done"
	fi
	rel=$(ls "$dir/root/boot" | sed -n 's/^vmlinuz-//p' | head -1)
	[ -n "$rel" ] || { echo "fetch-kernels: no kernel image in $pkg" >&2; return 1; }
	echo "$arch $series $rel $dir"
}

# a package's files, unpacked (not installed) into DIR: download DIR PKG:ARCH...
unpack() {
	local dir=$1 p deb
	shift
	mkdir -p "$dir"
	for p in "$@"; do
		deb=$(download "$p") || { echo "fetch-kernels: cannot download $p" >&2; return 1; }
		dpkg-deb -x "$deb" "$dir"
		rm -f "$deb"
	done
}

# the guest's userland: static busybox and bash
userland() { # arch
	local dir=$cache/userland-$1
	[ -f "$dir/.done" ] && return 0
	rm -rf "$dir"
	unpack "$dir" "busybox-static:$1" "bash-static:$1"
	touch "$dir/.done"
}

# the exact headers of a kernel release (Debian splits them: -<flavour> beside -common)
headers() { # arch release
	local dir=$cache/headers-$2 common
	[ -f "$dir/.done" ] && { echo "$dir/usr/src/linux-headers-$2"; return 0; }
	rm -rf "$dir"
	common=$(apt-cache "${apt_opts[@]}" depends "linux-headers-$2:$1" 2>/dev/null |
		sed -n 's/.*Depends: <\{0,1\}\(linux-headers-[^ :>]*-common\).*/\1/p' | head -1)
	# (for another architecture apt shows the arch-all -common as "<linux-headers-...-common:arm64>")
	[ -n "$common" ] || { echo "fetch-kernels: no -common package for linux-headers-$2:$1" >&2; return 1; }
	unpack "$dir" "linux-headers-$2:$1" "$common:all"
	touch "$dir/.done"
	echo "$dir/usr/src/linux-headers-$2"
}

# libbcc and what it loads (LLVM, clang), and the libraries a dynamic oomtrace links, unpacked
# into one root for a guest of another architecture (shared into it over 9p). The package closure
# comes from apt's own dependency data, not a list kept here.
bccroot() { # arch
	local arch=$1 dir=$cache/bccroot-$1 top pkgs
	top="libbpfcc libbpf1 libelf1 zlib1g libzstd1 libjson-c5 libseccomp2 libcap-ng0"
	[ -f "$dir/.done" ] && [ "$(cat "$dir/.done")" = "$top" ] && { echo "$dir"; return 0; }
	rm -rf "$dir"
	pkgs=$(apt-cache "${apt_opts[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances $(printf "%s:$arch " $top) 2>/dev/null |
		grep -E "^[a-z0-9][a-z0-9.+-]*:$arch\$" | sort -u)
	[ -n "$pkgs" ] || { echo "fetch-kernels: no dependencies found for libbpfcc:$arch" >&2; return 1; }
	# shellcheck disable=SC2086
	unpack "$dir" $pkgs >&2 || return 1
	echo "$top" >"$dir/.done"
	echo "$dir"
}

what=${2:-all}
bcc=${OOMTRACE_VM_BCC-amd64-6.1}
for arch in amd64 arm64; do
	userland "$arch"
	for series in ${OOMTRACE_VM_SERIES:-5.10 6.1 6.12}; do
		line=$(fetch "$arch" "$series") || exit 1
		echo "$line"
		# a BCC guest compiles against its kernel's own headers
		case " $bcc " in *" $arch-$series "*) ;; *) continue ;; esac
		[ "$what" = all ] || continue
		hdr=$(headers "$arch" "$(echo "$line" | cut -d' ' -f3)") || exit 1
		echo "headers $hdr"
	done
	case " $bcc " in *" $arch-"*) ;; *) continue ;; esac
	if [ "$what" = all ] && [ "$arch" != "$(dpkg --print-architecture)" ]; then
		root=$(bccroot "$arch") || exit 1
		echo "bccroot $arch $root"
	fi
done
