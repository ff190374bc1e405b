#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh: static oomtrace (libbpf backend, no BCC), hog, jfield and ustack for one architecture, for the
# initramfs of the VM tests; or, with "bcc", a dynamic oomtrace with the BCC backend (libbcc is
# dlopen()ed: it cannot be static) for a BCC guest of another architecture. Builds out of a copy of
# the distributed sources, so it works from an in-tree or a VPATH build alike.
# Usage: build.sh TOP_BUILDDIR ARCH(amd64|arm64) OUTDIR [static|bcc]
#   -> OUTDIR/oomtrace (and, static, OUTDIR/hog, OUTDIR/jfield and OUTDIR/ustack)
set -euo pipefail
top=$(cd "${1:?usage: build.sh TOP_BUILDDIR ARCH OUTDIR}" && pwd)
arch=${2:?}
out=${3:?}
flavour=${4:-static}
mkdir -p "$out"
out=$(cd "$out" && pwd)
src=$out/src
jobs=$(nproc 2>/dev/null || echo 2)

# a fresh copy of the sources when they changed (distdir is cheap: a file copy)
rm -rf "$src.new"
make -s -C "$top" distdir distdir="$src.new" >/dev/null
if [ -d "$src" ] && diff -r -q "$src" "$src.new" >/dev/null 2>&1; then
	rm -rf "$src.new"
else
	rm -rf "$src" "$out/build" && mv "$src.new" "$src"
fi

host=()
case $arch in
amd64) ;;
arm64)
	host=(--host=aarch64-linux-gnu)
	export PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
	;;
*) echo "build.sh: unknown arch $arch" >&2; exit 2 ;;
esac
mkdir -p "$out/build"
cd "$out/build"
case $flavour in
# static: libdw too (its static libraries' dependencies from pkg-config --static), and a static
# tests/ustack for the guests' user stack section
static)
	conf=(--without-bcc --with-libdw=yes LDFLAGS=-static "PKG_CONFIG=pkg-config --static")
	targets=(oomtrace tests/hog tests/jfield tests/ustack)
	;;
bcc) conf=(--with-bcc=yes) targets=(oomtrace) ;;
*) echo "build.sh: unknown flavour $flavour" >&2; exit 2 ;;
esac
if [ ! -f Makefile ]; then
	"$src/configure" -q "${host[@]}" --without-microhttpd --without-systemd --with-libbpf=yes --enable-werror \
		"${conf[@]}" >configure.log 2>&1 || { tail -30 configure.log >&2; exit 1; }
fi
make -s -j"$jobs" "${targets[@]}" >make.log 2>&1 || { tail -30 make.log >&2; exit 1; }
cp oomtrace "$out/oomtrace"
if [ "$flavour" = static ]; then
	cp tests/hog "$out/hog"
	cp tests/jfield "$out/jfield"
	cp tests/ustack "$out/ustack"
fi
