#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# initramfs.sh: the VM tests' initramfs for one architecture: static busybox and bash, static
# oomtrace, hog, jfield, oomtrace-dw, markdelay, and ustack (dynamic) with its libc and loader, tests/live.sh with its sections (tests/live/) and the guest scripts (~3 MB compressed).
# Usage: initramfs.sh SRCDIR USERLAND_DIR BUILD_DIR OUT.cpio.gz
set -euo pipefail
src=${1:?usage: initramfs.sh SRCDIR USERLAND_DIR BUILD_DIR OUT}
userland=${2:?}
build=${3:?}
out=${4:?}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/bin" "$d/sbin" "$d/proc" "$d/sys" "$d/dev" "$d/tmp" "$d/etc" "$d/modules"
cp "$userland/bin/busybox" "$d/bin/busybox"
ln -s busybox "$d/bin/sh"
cp "$userland/bin/bash-static" "$d/bin/bash-static"
cp "$build/oomtrace" "$build/hog" "$build/jfield" "$build/oomtrace-dw" "$build/ustack" "$build/markdelay" "$d/bin/"
cp -r "$build/dynroot/." "$d/" # ustack's libc and loader
cp "$src/tests/ustack.c" "$d/ustack.c" # its lines, for the user stack section
cp "$src/tests/live.sh" "$d/live.sh" && cp -r "$src/tests/live" "$d/live"
cp "$src/tests/vm/guest-test.sh" "$d/guest-test.sh"
cp "$src/tests/vm/guest-init" "$d/init"
chmod 755 "$d/init" "$d/bin/"*
printf "root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n" >"$d/etc/passwd"
printf "root:x:0:\nnogroup:x:65534:\n" >"$d/etc/group"
(cd "$d" && find . | cpio --quiet -o -H newc) | gzip -6 >"$out"
