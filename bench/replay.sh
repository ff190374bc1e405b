#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# replay.sh: replay speed and memory against grep and zcat, in one run, on three inputs:
#   oom-heavy  SIZE_MIB of kernel log: one real 6.18 memcg OOM report (79 lines, from
#              fixtures/6.18-x86_64-memcg-v1-burst-dmesg.log, timestamps and pids renumbered)
#              every ~1,700 realistic noise lines;
#   noise      the same noise without any report, same size;
#   oom-heavy.gz  the first, gzip -6.
# Usage: bench/replay.sh [OOMTRACE] [SIZE_MIB]   (default ./oomtrace, 512)
# Targets (issues 9 and 21): oom-heavy <= 1.2x grep -c -F as text and <= 1.5x as --format json
# (what pipelines read), noise <= 1.2x, .gz <= 1.0x zcat | grep -c, peak RSS < 8 MiB, every
# kill found. oomtrace runs as a user runs it (output to a file).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
OOMTRACE=${1:-./oomtrace}
SIZE_MIB=${2:-512}
RUNS=${RUNS:-5}
out=${BENCH_DIR:-$top/bench/out}
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }

gen() { # gen FILE WITH_REPORTS
	perl -e '
		my ($size, $with) = @ARGV[0, 1];
		my @noise = (
		  "usb 1-1.4: new high-speed USB device number %d using xhci_hcd",
		  "EXT4-fs (nvme0n1p2): mounted filesystem %d with ordered data mode. Quota mode: none.",
		  "audit: type=1400 audit(1732700%d.123:881): apparmor=\"DENIED\" operation=\"open\" profile=\"snap.firefox\" name=\"/proc/%d/cgroup\" pid=%d comm=\"firefox\"",
		  "IPv6: ADDRCONF(NETDEV_CHANGE): veth%d: link becomes ready",
		  "docker0: port 2(veth%d) entered forwarding state",
		  "nf_conntrack: nf_conntrack: table full, dropping packet %d",
		  "e1000e 0000:00:1f.6 eno1: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx %d",
		  "TCP: request_sock_TCP: Possible SYN flooding on port %d. Sending cookies.",
		  "perf: interrupt took too long (%d > 2500), lowering kernel.perf_event_max_sample_rate to 79750",
		  "systemd-journald[%d]: Data hash table of /var/log/journal/system.journal has a fill level at 75.0",
		  "sd 0:0:0:0: [sda] Synchronizing SCSI cache %d",
		  "kauditd_printk_skb: %d callbacks suppressed",
		  "cgroup: fork rejected by pids controller in /system.slice/cron.service %d",
		  "Out of socket memory %d",
		  "hrtimer: interrupt took %d ns",
		  "process %d (chrome) will be killed by SIGKILL if it does not exit in time",
		);
		open my $h, "<", $ARGV[2] or die; my @rep;
		while (<$h>) { last if $. > 79; s/^\[\s*[0-9.]+\] //; push @rep, $_; }
		my ($bytes, $t, $i, $pid) = (0, 1000.0, 0, 3000);
		while ($bytes < $size * 1048576) {
			my $s = "";
			if ($with && $i % 1700 == 1699) {
				$pid++;
				for my $l (@rep) { my $x = $l; $x =~ s/\b2307\b/$pid/g; $t += 0.000011; $s .= sprintf("[%12.6f] %s", $t, $x); }
			}
			$t += 0.000731;
			$s .= sprintf("[%12.6f] " . $noise[$i % @noise] . "\n", $t, $i, $i, $i);
			$i++;
			print $s; $bytes += length $s;
		}' "$SIZE_MIB" "$2" "$top/fixtures/6.18-x86_64-memcg-v1-burst-dmesg.log" >"$1"
}
heavy=$out/oom-heavy-$SIZE_MIB.log
noise=$out/noise-$SIZE_MIB.log
[ -s "$heavy" ] || { echo "building $heavy ..." >&2; gen "$heavy" 1; }
[ -s "$noise" ] || { echo "building $noise ..." >&2; gen "$noise" 0; }
[ -s "$heavy.gz" ] || { echo "compressing ..." >&2; gzip -6 -c "$heavy" >"$heavy.gz"; }

# median wall seconds (the shell's clock, microseconds: GNU time's %e rounds to 10 ms, a tenth of
# the margin measured) and max RSS (KiB) over RUNS runs: prints "wall rss"
measure() {
	local i walls=() rss=0 r t0 t1
	for i in $(seq "$RUNS"); do
		t0=$EPOCHREALTIME
		/usr/bin/time -o "$out/time" -f "%M" "$@" >"$out/stdout" 2>/dev/null || true
		t1=$EPOCHREALTIME
		r=$(tail -n 1 "$out/time")
		walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
		[ "$r" -gt "$rss" ] && rss=$r
	done
	printf '%s\n' "${walls[@]}" | sort -n | awk -v rss="$rss" '{a[NR]=$1} END{print a[int((NR+1)/2)], rss}'
}
cat "$heavy" "$noise" "$heavy.gz" >/dev/null # warm the page cache for everyone
kills=$(grep -c -F 'Killed process' "$heavy")
read -r gh _ < <(measure grep -c -F 'Killed process' "$heavy")
read -r oh rh < <(measure "$OOMTRACE" --backend replay "$heavy")
read -r oj rj < <(measure "$OOMTRACE" --backend replay --format json "$heavy")
events=$("$OOMTRACE" --backend replay --format json "$heavy" | grep -c '"outcome":"killed"' || true)
read -r gn _ < <(measure grep -c -F 'Killed process' "$noise")
read -r on rn < <(measure "$OOMTRACE" --backend replay "$noise")
read -r gz _ < <(measure sh -c "zcat '$heavy.gz' | grep -c -F 'Killed process'")
read -r oz rz < <(measure "$OOMTRACE" --backend replay "$heavy.gz")
zevents=$("$OOMTRACE" --backend replay --format json "$heavy.gz" | grep -c '"outcome":"killed"' || true)

awk -v oj="$oj" -v rj="$rj" -v gh="$gh" -v oh="$oh" -v gn="$gn" -v on="$on" -v gz="$gz" -v oz="$oz" -v rh="$rh" -v rn="$rn" \
    -v rz="$rz" -v k="$kills" -v e="$events" -v ze="$zevents" -v mib="$SIZE_MIB" 'function r(a, b) { return a / (b > 0 ? b : 0.01) }
BEGIN {
	printf "| input (%d MiB) | baseline | s | oomtrace s | ratio | target | peak RSS MiB |\n", mib
	printf "|---|---|---|---|---|---|---|\n"
	printf "| oom-heavy (%d kills) | grep -c -F | %.3f | %.3f | %.2f | <= 1.2 | %.1f |\n", k, gh, oh, r(oh, gh), rh / 1024
	printf "| oom-heavy, --format json | grep -c -F | %.3f | %.3f | %.2f | <= 1.5 | %.1f |\n", gh, oj, r(oj, gh), rj / 1024
	printf "| noise only | grep -c -F | %.3f | %.3f | %.2f | <= 1.2 | %.1f |\n", gn, on, r(on, gn), rn / 1024
	printf "| oom-heavy.gz | zcat \\| grep -c -F | %.3f | %.3f | %.2f | <= 1.0 | %.1f |\n", gz, oz, r(oz, gz), rz / 1024
	printf "kills found: %d of %d (plain), %d of %d (gz)\n", e, k, ze, k
	fail = r(oh, gh) > 1.2 || r(oj, gh) > 1.5 || r(on, gn) > 1.2 || r(oz, gz) > 1.0 || rh > 8192 || rj > 8192 || rn > 8192 || rz > 8192 || e != k || ze != k
	print fail ? "RESULT: target missed" : "RESULT: all targets met"
	exit fail
}'
