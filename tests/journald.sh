# SPDX-License-Identifier: GPL-2.0-or-later
# tests/journald.sh (sourced): a private systemd-journald for tests, in a mount namespace of its
# own: tmpfs over /run/systemd/journal (its sockets), /run/log (its volatile files) and
# /etc/systemd (its configuration), so the host's journal, if any, is never touched.
#   jd_start DIR   start it (0), or 1 with the reason in $jd_why
#   jd_run CMD...  run CMD in its namespace (oomtrace --journal, journalctl)
#   jd_stop        stop it
jd_start() {
	jd_dir=$1 jd_pid= jd_why=
	local bin i
	for bin in ${SYSTEMD_JOURNALD:-} /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald; do
		[ -x "$bin" ] && break
	done
	if [ ! -x "$bin" ]; then jd_why="no systemd-journald here (Debian: systemd)"; return 1; fi
	for i in unshare nsenter journalctl; do
		command -v $i >/dev/null || { jd_why="no $i here"; return 1; }
	done
	[ "$(id -u)" = 0 ] || { jd_why="a private journald needs root (mount namespace)"; return 1; }
	mkdir -p "$jd_dir" /run/systemd/journal /run/log /etc/systemd || { jd_why="cannot create its mount points"; return 1; }
	unshare -m --propagation private sh -c '
		mount -t tmpfs tmpfs /run/systemd/journal && mount -t tmpfs tmpfs /run/log &&
		mount -t tmpfs tmpfs /etc/systemd || exit 1
		printf "[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\nForwardToWall=no\nForwardToKMsg=no\nForwardToConsole=no\nRuntimeMaxUse=16M\n" >/etc/systemd/journald.conf
		exec "$1"' sh "$bin" >"$jd_dir/journald.log" 2>&1 &
	jd_pid=$!
	for i in $(seq 50); do
		nsenter -t "$jd_pid" -m -- test -S /run/systemd/journal/socket 2>/dev/null && return 0
		kill -0 "$jd_pid" 2>/dev/null || break
		sleep 0.1
	done
	jd_why="systemd-journald did not start: $(tail -1 "$jd_dir/journald.log")"
	jd_stop
	return 1
}
jd_run() { nsenter -t "$jd_pid" -m --wd="$PWD" -- "$@"; }
jd_stop() {
	[ -n "$jd_pid" ] || return 0
	kill "$jd_pid" 2>/dev/null
	wait "$jd_pid" 2>/dev/null
	jd_pid=
}
