# SPDX-License-Identifier: GPL-2.0-or-later
# bench/lib.sh: what the live benches share. Sourced; needs OOMTRACE and out (a scratch folder).

# attach ARGS...: the tracer started in the background with ARGS ($tracer), its stderr in
# $out/err, waited for until it says it is tracing (60 s at most); the bench stops when it does not
attach() {
	"$OOMTRACE" "$@" >/dev/null 2>"$out/err" &
	tracer=$!
	for _ in $(seq 600); do
		grep -q "tracing OOM kills" "$out/err" && return 0
		kill -0 "$tracer" 2>/dev/null || break
		sleep 0.1
	done
	echo "the tracer did not attach: $(tail -2 "$out/err")" >&2
	exit 1
}
