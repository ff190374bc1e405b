#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# journal-formats.sh: every output mode of the real journalctl, read back. The -o export
# fixtures are imported into a journal file by systemd's own systemd-journal-remote, and the real
# journalctl prints that file in each mode a user may paste (short, short-full, with-unit,
# short-iso, short-iso-precise, short-precise, short-monotonic, short-unix, verbose, cat, json,
# export); each must give the kills the dmesg original gives, fact by fact. One record holds a
# message of several lines (a cgroup v2 memory.stat block), as verbose indents them.
set -u
srcdir=${srcdir:-$(dirname "$0")/..}
OOMTRACE=${OOMTRACE:-./oomtrace}
JFIELD=${JFIELD:-tests/jfield}
fx="$srcdir/fixtures"
. "$srcdir/tests/lib.sh"
REMOTE=
for d in /lib/systemd /usr/lib/systemd; do
	[ -x "$d/systemd-journal-remote" ] && REMOTE=$d/systemd-journal-remote && break
done
[ -n "$REMOTE" ] || skip_all "no systemd-journal-remote here (Debian: systemd-journal-remote)"
command -v journalctl >/dev/null || skip_all "no journalctl here"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
export TZ=UTC

# the cgroup v2 oom.group report as journald keeps it: one record a kernel message, the memory.stat
# block one record of several lines (the binary-safe MESSAGE form of the export format)
python3 - "$fx/5.10-x86_64-memcg-v2-oom-group-constructed.log" >"$t/v2.export" <<'PY'
import re, struct, sys
recs = []
for l in open(sys.argv[1], encoding="utf-8").read().splitlines():
    m = re.match(r"^\[\s*(\d+)\.(\d+)\] (.*)$", l)
    if m:
        recs.append([int(m.group(1)) * 1000000 + int(m.group(2)), m.group(3)])
    elif recs:
        recs[-1][1] += "\n" + l.strip()
out = sys.stdout.buffer
for i, (us, msg) in enumerate(recs):
    head = ("__CURSOR=s=0;i=%x\n__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n"
            "_BOOT_ID=9f2d61c5e1b54a8e8a0b2c6f2e3a4d5c\n_TRANSPORT=kernel\nPRIORITY=6\n"
            "SYSLOG_FACILITY=0\nSYSLOG_IDENTIFIER=kernel\n_SOURCE_MONOTONIC_TIMESTAMP=%d\n"
            "_HOSTNAME=node-3\n" % (i + 1, 1764000000000000 + us, us, us)).encode()
    b = msg.encode()
    out.write(head + b"MESSAGE\n" + struct.pack("<Q", len(b)) + b + b"\n\n")
PY
imported=0
for src in "$fx/6.18-x86_64-memcg-v1-burst-export.log" "$t/v2.export"; do
	n=$(basename "$src")
	n=${n%.log}
	n=${n%.export}
	if "$REMOTE" -o "$t/$n.journal" "$src" >"$t/remote.err" 2>&1; then
		imported=$((imported + 1))
	else
		bad "$n: systemd-journal-remote failed: $(tail -1 "$t/remote.err")"
	fi
done
[ "$imported" = 2 ] || { verdict journal-formats; exit 1; }

# the facts of each kill, one line each (everything a paste keeps: not the times, which some
# modes do not print)
facts() {
	"$OOMTRACE" --backend replay --year 2026 --format json "$1" 2>"$t/err" >"$t/o.json" || echo "exit $?"
	python3 - "$t/o.json" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("record") != "kill":
        continue
    v, c = e["victim"], e.get("context") or {}
    print(v["pid"], v["comm"], v["anon_rss_kb"], v["file_rss_kb"], v["pgtables_kb"], v["oom_score_adj"],
          (e["trigger"] or {}).get("pid"), e["oom_memcg"], e["constraint"], e["gfp_mask"], e["order"],
          e["outcome"], e["partial"], json.dumps(c.get("memcg")), json.dumps(c.get("memcg_stat")),
          json.dumps(c.get("top_tasks")))
PY
}
ref18=$(facts "$fx/6.18-x86_64-memcg-v1-burst-dmesg.log")
ref10=$(facts "$fx/5.10-x86_64-memcg-v2-oom-group-constructed.log")
is "the dmesg originals give their kills" "$(echo "$ref18" | wc -l) $(echo "$ref10" | wc -l)" "6 2"
case $ref10 in *'"anon": 132259840'*'"kernel_stack": 49152'*) ok ;; *) bad "5.10 reference: no memory.stat block" ;; esac
for mode in short short-full with-unit short-iso short-iso-precise short-precise short-monotonic \
	short-unix verbose cat json export; do
	for j in 6.18-x86_64-memcg-v1-burst-export v2; do
		journalctl --file "$t/$j.journal" -o "$mode" --utc --no-pager >"$t/$mode.log" 2>"$t/jerr" ||
			{ bad "journalctl -o $mode: $(head -1 "$t/jerr")"; continue; }
		case $j in v2) want=$ref10 ;; *) want=$ref18 ;; esac
		is "journalctl -o $mode ($j): every kill, every fact" "$(facts "$t/$mode.log")" "$want"
	done
done

# and the times where the mode prints them: verbose's header (microseconds), with-unit's (seconds)
journalctl --file "$t/6.18-x86_64-memcg-v1-burst-export.journal" -o verbose --utc --no-pager >"$t/v.log"
"$OOMTRACE" --backend replay --format json "$t/v.log" >"$t/o" 2>/dev/null
is "verbose: time, uptime and host of the last kill" "$("$JFIELD" "$t/o" -k seq=6 time uptime_s host | tr '\n' ' ')" \
	"2026-11-27T03:56:23.881859+00:00 131.881859 devbox "
journalctl --file "$t/6.18-x86_64-memcg-v1-burst-export.journal" -o with-unit --utc --no-pager >"$t/w.log"
"$OOMTRACE" --backend replay --format json "$t/w.log" >"$t/o" 2>/dev/null
is "with-unit: time and host of the first kill" "$("$JFIELD" "$t/o" -k seq=1 time host | tr '\n' ' ')" \
	"2026-11-27T03:56:23+00:00 devbox "
# verbose entries ended by the end of one input, then another input
journalctl --file "$t/v2.journal" -o verbose --utc --no-pager >"$t/v2.log"
"$OOMTRACE" --backend replay --format json "$t/v2.log" "$t/v.log" >"$t/o" 2>/dev/null
is "verbose: two inputs, each ended by its end" "$(grep -c '"record":"kill"' "$t/o")" 8

verdict journal-formats
