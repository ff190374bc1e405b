#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# replay.sh: replay speed and memory against grep and zcat, on one >= 1 GiB log made of the
# real fixtures among realistic non-OOM kernel lines (>= 99% noise).
# Usage: bench/replay.sh [OOMTRACE] [SIZE_MIB]   (default ./oomtrace, 1024)
# Prints ratios; targets: replay/grep <= 2.0, replay.gz/zcat <= 1.3, peak RSS < 16 MiB.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
OOMTRACE=${1:-./oomtrace}
SIZE_MIB=${2:-1024}
RUNS=${RUNS:-3}
out=${BENCH_DIR:-$top/bench/out}
mkdir -p "$out"
log=$out/big.log
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }

if [ ! -s "$log" ] || [ "$(stat -c %s "$log")" -lt $((SIZE_MIB << 20)) ]; then
	echo "building $SIZE_MIB MiB log in $log ..." >&2
	block=$out/block.log
	# one 32 MiB block: noise lines, with the fixtures' OOM records spread through it
	perl -e '
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
		);
		local $/; my @rec;
		for my $f (@ARGV) { open my $h, "<", $f or die; push @rec, <$h>; }
		my ($bytes, $oom, $i, $t) = (0, 0, 0, 1000.0);
		while ($bytes < 32 * 1048576) {
			$t += 0.000731;
			my $l;
			if ($i++ % 25000 == 0) { $l = $rec[$oom++ % @rec]; }
			else { $l = sprintf("[%12.6f] " . $noise[$i % @noise] . "\n", $t, $i, $i, $i); }
			print $l; $bytes += length $l;
		}' "$top"/fixtures/6.18-x86_64-memcg-v1-burst-dmesg.log \
		   "$top"/fixtures/4.19-aarch64-openeuler2003-memcg-constructed.log \
		   "$top"/fixtures/5.4-x86_64-ubuntu2004-global-constructed.log >"$block"
	: >"$log"
	for _ in $(seq $((SIZE_MIB / 32))); do cat "$block" >>"$log"; done
	rm -f "$block" "$log.gz"
fi
[ -s "$log.gz" ] || { echo "compressing ..." >&2; gzip -1 -c "$log" >"$log.gz"; }

bytes=$(stat -c %s "$log")
lines=$(wc -l <"$log")
kills=$(grep -c -F 'Killed process' "$log")
echo "input: $((bytes >> 20)) MiB, $lines lines, $kills kill lines ($(awk "BEGIN{printf \"%.3f\", 100 - 100 * $kills * 60 / $lines}")% or more noise)"

# median wall seconds and max RSS (KiB) over RUNS runs: prints "wall rss"
measure() {
	local i walls=() rss=0 r
	for i in $(seq "$RUNS"); do
		/usr/bin/time -o "$out/time" -f "%e %M" "$@" >"$out/stdout" 2>/dev/null || true  # not /dev/null: grep would stop at the first match
		r=$(tail -n 1 "$out/time")
		walls+=("${r% *}")
		[ "${r#* }" -gt "$rss" ] && rss=${r#* }
	done
	printf '%s\n' "${walls[@]}" | sort -n | awk -v rss="$rss" '{a[NR]=$1} END{print a[int((NR+1)/2)], rss}'
}
cat "$log" >/dev/null # warm the page cache for everyone
read -r g_wall g_rss < <(measure grep -c -F 'Killed process' "$log")
read -r o_wall o_rss < <(measure "$OOMTRACE" --backend replay --format json "$log")
read -r z_wall z_rss < <(measure zcat "$log.gz")
read -r oz_wall oz_rss < <(measure "$OOMTRACE" --backend replay --format json "$log.gz")
events=$("$OOMTRACE" --backend replay --format json "$log" | wc -l)
half=$out/half.log
head -c $((bytes / 2)) "$log" >"$half"
read -r h_wall h_rss < <(measure "$OOMTRACE" --backend replay --format json "$half")
rm -f "$half"

awk -v g="$g_wall" -v o="$o_wall" -v z="$z_wall" -v oz="$oz_wall" -v b="$bytes" \
    -v orss="$o_rss" -v ozrss="$oz_rss" -v hrss="$h_rss" -v ev="$events" -v k="$kills" 'BEGIN {
	printf "grep -c -F \"Killed process\":   %6.2f s\n", g
	printf "oomtrace replay (json):         %6.2f s  %7.0f MB/s  %d events (%d kill lines)\n", o, b / 1e6 / (o > 0 ? o : 0.01), ev, k
	printf "ratio replay / grep:            %6.2f   (target <= 2.0)\n", o / (g > 0 ? g : 0.01)
	printf "zcat > /dev/null:               %6.2f s\n", z
	printf "oomtrace replay of .gz:         %6.2f s\n", oz
	printf "ratio replay.gz / zcat:         %6.2f   (target <= 1.3)\n", oz / (z > 0 ? z : 0.01)
	printf "peak RSS replay:                %6.1f MiB (gz %.1f MiB, half input %.1f MiB; target < 16, size-independent)\n", orss / 1024, ozrss / 1024, hrss / 1024
}'
