#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fetch-kernels.sh: download Debian's own kernels (6.1 from bookworm, 6.12 from bookworm-backports),
# amd64 and arm64, into a cache, and unpack what the VM tests need: the kernel image, the modules
# for 9p/virtio (BCC guests) and, for amd64 6.1, the exact kernel headers.
# Never installs a kernel package: apt-get download + dpkg-deb only, backports through a private
# apt state, so the machine's sources and /boot stay untouched.
# Usage: fetch-kernels.sh CACHE_DIR   (prints one line per kernel: ARCH SERIES RELEASE DIR)
set -euo pipefail
cache=${1:?usage: fetch-kernels.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
st=$cache/apt
mkdir -p "$st/lists/partial" "$st/sources.d" "$st/archives/partial"
cat >"$st/sources.d/oomtrace-vm.sources" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-backports
Components: main
Architectures: amd64 arm64
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Architectures: amd64 arm64
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$st/sources.d"
	-o Dir::State::Lists="$st/lists" -o Dir::Cache::Archives="$st/archives"
	-o APT::Architectures::=amd64 -o APT::Architectures::=arm64 -o Debug::NoLocking=1)
# refresh the lists at most once a day
if [ -z "$(find "$st/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
	apt-get "${apt_opts[@]}" update >"$st/update.log" 2>&1 || { cat "$st/update.log" >&2; exit 1; }
fi

# the newest linux-image-<abi>-<flavour> of a series: what linux-image-<flavour> points to
newest_image() { # arch series(6.1|6.12)
	local arch=$1 series=$2
	apt-cache "${apt_opts[@]}" search --names-only "^linux-image-${series//./\\.}[.-]" 2>/dev/null |
		awk '{print $1}' | grep -E -- "-${arch}(-unsigned)?\$" |
		grep -Ev -- '-(cloud|rt|rpi|dbg|16k)-' | sed 's/-unsigned$/ -unsigned/' | sort -V -k1,1 |
		tail -1 | tr -d ' '
}

fetch() { # arch series
	local arch=$1 series=$2 pkg dir rel deb
	pkg=$(newest_image "$arch" "$series")
	[ -n "$pkg" ] || { echo "fetch-kernels: no linux-image-$series*-$arch in Debian's lists" >&2; return 1; }
	dir=$cache/$arch-$series
	if [ ! -f "$dir/.done" ] || [ "$(cat "$dir/.done")" != "$pkg" ]; then
		rm -rf "$dir" && mkdir -p "$dir/root"
		(cd "$st/archives" && apt-get "${apt_opts[@]}" download "$pkg:$arch" >/dev/null)
		deb=$(ls "$st/archives/${pkg}_"*"_$arch.deb" | sort -V | tail -1)
		# the image, System.map/config and the modules; nothing is installed
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir/root" ./boot ./lib/modules 2>/dev/null ||
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir/root" ./boot
		rm -f "$deb"
		echo "$pkg" >"$dir/.done"
	fi
	rel=$(ls "$dir/root/boot" | sed -n 's/^vmlinuz-//p' | head -1)
	echo "$arch $series $rel $dir"
}

# a package's files, unpacked (not installed) into DIR: download DIR PKG:ARCH...
unpack() {
	local dir=$1 p deb
	shift
	mkdir -p "$dir"
	for p in "$@"; do
		(cd "$st/archives" && apt-get "${apt_opts[@]}" download "$p" >/dev/null)
		deb=$(ls -t "$st/archives/${p%%:*}_"*"_${p##*:}.deb" "$st/archives/${p%%:*}_"*_all.deb 2>/dev/null | head -1 || true)
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
		sed -n 's/.*Depends: \(linux-headers-[^ :]*-common\).*/\1/p' | head -1)
	unpack "$dir" "linux-headers-$2:$1" ${common:+"$common:all"}
	touch "$dir/.done"
	echo "$dir/usr/src/linux-headers-$2"
}

what=${2:-all}
for arch in amd64 arm64; do
	userland "$arch"
	for series in 6.1 6.12; do
		line=$(fetch "$arch" "$series")
		echo "$line"
		# BCC runs in the amd64 6.1 guest, against that kernel's own headers
		if [ "$arch-$series" = amd64-6.1 ] && [ "$what" = all ]; then
			echo "headers $(headers "$arch" "$(echo "$line" | cut -d' ' -f3)")"
		fi
	done
done
