#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-arm64.sh: the whole non-live suite (Check programs, golden fixtures, bad input) cross-built
# for arm64 and run under qemu-user, as CI's proof that the arm64 build is right.
# Usage: check-arm64.sh TOP_BUILDDIR BUILD_DIR
# Exit: 0 passed, 1 failed, 77 no cross toolchain or qemu-aarch64-static here.
set -uo pipefail
top=$(cd "${1:?usage: check-arm64.sh TOP_BUILDDIR BUILD_DIR}" && pwd)
out=${2:?}
command -v aarch64-linux-gnu-gcc >/dev/null || { echo "SKIP: no aarch64-linux-gnu-gcc (crossbuild-essential-arm64)"; exit 77; }
command -v qemu-aarch64-static >/dev/null || { echo "SKIP: no qemu-aarch64-static (qemu-user-static)"; exit 77; }
[ -e /usr/lib/aarch64-linux-gnu/pkgconfig/check.pc ] || { echo "SKIP: no check:arm64"; exit 77; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/src" "$out/build"
make -s -C "$top" distdir distdir="$out/src" >/dev/null || exit 1
mkdir -p "$out/build" && cd "$out/build" || exit 1
export PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
# without libdw: check_unwind stops its target with ptrace, which qemu-user does not have (the
# arm64 unwinder is tested in the arm64 guests of make check-vm, with a real kernel)
"$out/src/configure" -q --host=aarch64-linux-gnu --enable-werror --without-libdw >configure.log 2>&1 ||
	{ tail -30 configure.log; exit 1; }
make -s -j"$(nproc)" all tests/hog tests/jfield >make.log 2>&1 || { tail -30 make.log; exit 1; }
make -s -j"$(nproc)" -k check TESTS= >>make.log 2>&1 || { tail -30 make.log; exit 1; }
file oomtrace | grep -q 'ARM aarch64' || { echo "FAIL: oomtrace is not an arm64 program: $(file oomtrace)"; exit 1; }

# no binfmt_misc here: every arm64 program runs through qemu-aarch64-static, the test scripts'
# $OOMTRACE through a wrapper, the Check programs through LOG_COMPILER
mkdir -p qemu
for p in oomtrace tests/hog tests/jfield; do
	printf '#!/bin/sh\nexec qemu-aarch64-static %s "$@"\n' "$PWD/$p" >"qemu/$(basename "$p")"
done
printf '#!/bin/sh\ncase $1 in *.sh) exec bash "$@" ;; *) exec qemu-aarch64-static "$@" ;; esac\n' >qemu/run
chmod +x qemu/*
make -s check LOG_COMPILER="$PWD/qemu/run" \
	AM_TESTS_ENVIRONMENT="srcdir='$out/src'; export srcdir; OOMTRACE='$PWD/qemu/oomtrace'; export OOMTRACE; HOG='$PWD/qemu/hog'; export HOG; JFIELD='$PWD/qemu/jfield'; export JFIELD; OOMTRACE_SKIP_LIVE=arm64-qemu-user; export OOMTRACE_SKIP_LIVE;" \
	>check.log 2>&1
rc=$?
grep -E '^(PASS|FAIL|SKIP|ERROR|XFAIL|XPASS):|^# ' check.log
[ $rc -eq 0 ] || { cat test-suite.log 2>/dev/null | tail -60; exit 1; }
echo "check-arm64: $(grep -c '^PASS:' check.log) passed, $(grep -c -E '^(FAIL|ERROR):' check.log) failed"
