#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/bcc-no-headers.sh: bcc with no kernel headers anywhere: one clear line naming the package, exit 3.
# Real memcg OOM kills; see tests/live/lib.sh for the environment it reads.
. "$(dirname "$0")/lib.sh"

bcc_no_headers() {
	if [ -e /sys/kernel/kheaders.tar.xz ]; then
		skip "no-headers error: this kernel carries its headers (kheaders)"
	elif ! command -v unshare >/dev/null; then
		skip "no-headers error: no unshare(1) to hide the headers"
	else
		# hide every header location in a private mount namespace
		env -u BCC_KERNEL_SOURCE unshare -m sh -c 'mount -t tmpfs none /lib/modules && mount -t tmpfs none /usr/src && exec "$@"' sh \
			"$OOMTRACE" --backend bcc --duration 0 >"$t/nohdr.out" 2>"$t/nohdr.err"
		rc=$?
		[ $rc -eq 3 ] && ok "no headers: exit 3" || bad "no headers: exit $rc: $(cat "$t/nohdr.err")"
		[ "$(wc -l <"$t/nohdr.err")" -eq 1 ] && ok "no headers: one line" || bad "no headers: $(wc -l <"$t/nohdr.err") lines: $(head -3 "$t/nohdr.err")"
		grep -q "no kernel headers for $(uname -r): install linux-headers-$(uname -r) (Debian/Ubuntu) or kernel-devel-$(uname -r)" "$t/nohdr.err" &&
			ok "no headers: names the packages" || bad "no headers: $(cat "$t/nohdr.err")"
	fi
}

live_each "bcc" bcc_no_headers
live_verdict bcc-no-headers
