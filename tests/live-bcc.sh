#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# live-bcc.sh: the live end-to-end tests for the BCC backend (see live.sh).
# This kernel has no matching headers: Debian's linux-headers-<arch> (6.1 on Debian 12) is
# given with --kernel-headers. Tracepoint programs compile and read correctly against any
# headers (their args come from the live tracefs format); the kprobe path dereferences kernel
# structs and could only be right with this kernel's own headers -- and this kernel has no
# kprobes at all, so it cannot run here.
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
hdr=$(ls -d /usr/src/linux-headers-*-"$arch" 2>/dev/null | sort -V | tail -1)
if [ -z "$hdr" ] && [ ! -e "/lib/modules/$(uname -r)/build" ]; then
	echo "SKIP: no kernel headers (apt-get install linux-headers-$arch)"
	exit 77
fi
[ -n "$hdr" ] && export OOMTRACE_ARGS="--kernel-headers $hdr"
exec bash "$(dirname "$0")/live.sh" bcc
