#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh: static oomtrace (libbpf backend, no BCC), hog, jfield and ustack for one architecture, for the
# initramfs of the VM tests; or, with "bcc", a dynamic oomtrace with the BCC backend (libbcc is
# dlopen()ed: it cannot be static) for a BCC guest of another architecture. Builds out of a copy of
# the distributed sources, so it works from an in-tree or a VPATH build alike.
# Usage: build.sh TOP_BUILDDIR ARCH(amd64|arm64) OUTDIR [static|bcc]
#   -> OUTDIR/oomtrace (and, static, OUTDIR/hog, OUTDIR/jfield, OUTDIR/markdelay, and for the user stack section
#      OUTDIR/oomtrace-dw, with libdw, and OUTDIR/ustack, dynamic, with its libc and loader under
#      OUTDIR/dynroot)
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
	rm -rf "$src" "$out/build" "$out/build-dw" && mv "$src.new" "$src"
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
# one configured build: build DIR TARGETS... -- CONFIGURE_ARGS...
build() {
	local dir=$1 targets=() conf=()
	shift
	while [ "$1" != -- ]; do targets+=("$1"); shift; done
	shift
	conf=("$@")
	mkdir -p "$out/$dir"
	(
		cd "$out/$dir"
		# configured again where its arguments changed (a cached build of an older tree)
		if [ ! -f Makefile ] || [ "$(cat configure.args 2>/dev/null)" != "${conf[*]}" ]; then
			find . -mindepth 1 -delete
			"$src/configure" -q "${host[@]}" --without-microhttpd --without-systemd --with-libbpf=yes \
				--enable-werror "${conf[@]}" >configure.log 2>&1 || { tail -30 configure.log >&2; exit 1; }
			echo "${conf[*]}" >configure.args
		fi
		make -s -j"$jobs" "${targets[@]}" >make.log 2>&1 || { tail -30 make.log >&2; exit 1; }
	)
}

case $flavour in
# static: the tracer every section runs, without libdw as ever; and, for the user stack section,
# one with libdw (its static libraries' dependencies from pkg-config --static);
# tests/markdelay, which holds mark_victim for that section's late victim
static)
	build build oomtrace tests/hog tests/jfield tests/markdelay -- --without-bcc --without-libdw LDFLAGS=-static
	build build-dw oomtrace -- --without-bcc --with-libdw=yes LDFLAGS=-static \
		"PKG_CONFIG=pkg-config --static"
	cp "$out/build/oomtrace" "$out/build/tests/hog" "$out/build/tests/jfield" "$out/build/tests/markdelay" "$out/"
	cp "$out/build-dw/oomtrace" "$out/oomtrace-dw"
	# tests/ustack, linked dynamically, with the libc and loader it runs with in the guest
	# (OUTDIR/dynroot): a stack that crosses from libc into the binary, two files' mappings
	cc=$(sed -n 's/^CC = //p' "$out/build-dw/Makefile")
	case $arch in
	amd64) multi=x86_64-linux-gnu libdir=/lib/x86_64-linux-gnu ld=ld-linux-x86-64.so.2 interp=/lib64 ;;
	arm64) multi=aarch64-linux-gnu libdir=/usr/aarch64-linux-gnu/lib ld=ld-linux-aarch64.so.1 interp=/lib ;;
	esac
	$cc -O2 -g -fomit-frame-pointer -Wl,-rpath,"/lib/$multi" -Wl,--dynamic-linker,"$interp/$ld" \
		-o "$out/ustack" "$src/tests/ustack.c"
	rm -rf "$out/dynroot" && mkdir -p "$out/dynroot/lib/$multi" "$out/dynroot$interp"
	cp -L "$libdir/libc.so.6" "$out/dynroot/lib/$multi/"
	cp -L "$libdir/$ld" "$out/dynroot$interp/"
	;;
bcc)
	# no libdw: the BCC backend copies no user stacks, and the guest's root of libbcc has none
	build build oomtrace -- --with-bcc=yes --without-libdw
	cp "$out/build/oomtrace" "$out/oomtrace"
	;;
*) echo "build.sh: unknown flavour $flavour" >&2; exit 2 ;;
esac
