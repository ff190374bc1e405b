// SPDX-License-Identifier: GPL-2.0-or-later
/* check_parser.c: the kernel-log parser, per log format and per kernel wording, on real and
 * constructed logs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "evidence.h"
#include "helpers.h"
#include "prefix.h"
#include "util.h"

static struct collected C;

static int64_t utc_us(int y, int mo, int d, int h, int mi, int s)
{
	return (oomtrace_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
		mi * 60 + s) *
	       1000000LL;
}

START_TEST(seed_openeuler_dmesg_T)
{
	const struct oomtrace_event *a, *b;

	parse_fixture("5.10-arm64-openeuler-seed-dmesg-T.log", NULL, &C);
	ck_assert_uint_eq(C.n, 2);
	a = &C.ev[0];
	b = &C.ev[1];
	/* the excerpt starts at a kill line whose header is not in it */
	ck_assert_int_eq(a->outcome, OOMTRACE_OUTCOME_KILLED);
	ck_assert(a->partial);
	ck_assert_int_eq(a->victim.pid, 39693);
	ck_assert_str_eq(a->victim.comm, "stress-ng");
	ck_assert_uint_eq(a->victim.total_vm_kb, 2410396);
	ck_assert_uint_eq(a->victim.anon_rss_kb, 1896300);
	ck_assert_uint_eq(a->victim.file_rss_kb, 4);
	ck_assert_uint_eq(a->victim.shmem_rss_kb, 60);
	ck_assert_uint_eq(a->victim.pgtables_kb, 3772);
	ck_assert_int_eq(a->victim.oom_score_adj, 1000);
	ck_assert_uint_eq(a->victim.uid, 0);
	ck_assert(a->victim.known & OOMTRACE_T_UID);
	ck_assert(!(a->trigger.known & OOMTRACE_T_PID));
	ck_assert(a->known & OOMTRACE_E_TIME);
	ck_assert_int_eq(a->time_us, utc_us(2025, 5, 11, 15, 41, 12));
	/* the next OOM's header, cut off after Mem-Info */
	ck_assert_int_eq(b->outcome, OOMTRACE_OUTCOME_UNKNOWN);
	ck_assert(b->partial);
	ck_assert_int_eq(b->trigger.pid, 39692);
	ck_assert_str_eq(b->trigger.comm, "stress-ng");
	ck_assert_int_eq(b->trigger.oom_score_adj, 1000);
	ck_assert_uint_eq(b->gfp_mask, 0x100dca);
	ck_assert_str_eq(b->gfp_flags, "GFP_HIGHUSER_MOVABLE|__GFP_ZERO");
	ck_assert_int_eq(b->order, 0);
	{
		int64_t v = 0;

		ck_assert(oomtrace_kvset_get(&b->ctx.mem_info, "inactive_anon", &v));
		ck_assert_int_eq(v, 1652614);
		ck_assert(oomtrace_kvset_get(&b->ctx.mem_info, "free_cma", &v));
		ck_assert_int_eq(v, 0);
		ck_assert(oomtrace_kvset_get(&b->ctx.mem_info, "free", &v));
		ck_assert_int_eq(v, 14963);
	}
}
END_TEST

START_TEST(real_618_memcg_burst)
{
	static const char *const comms[] = {"((resolved))", "runc:[2:INIT]", "my hog",
					    "hog",	    "hog",	     "hog"};
	static const int pids[] = {2307, 2308, 2309, 2311, 2312, 2310};
	size_t i;
	int64_t v;

	parse_fixture("6.18-x86_64-memcg-v1-burst-dmesg.log", NULL, &C);
	ck_assert_uint_eq(C.n, 6);
	for (i = 0; i < C.n; i++) {
		const struct oomtrace_event *e = &C.ev[i];

		ck_assert_int_eq(e->victim.pid, pids[i]);
		ck_assert_str_eq(e->victim.comm, comms[i]);
		ck_assert(!e->partial);
		ck_assert_int_eq(e->outcome, OOMTRACE_OUTCOME_KILLED);
		ck_assert_int_eq(e->constraint, OOMTRACE_CONSTRAINT_MEMCG);
		ck_assert_str_eq(e->oom_memcg, "/oomtest");
		ck_assert_str_eq(e->victim.cgroup, "/oomtest");
		ck_assert_uint_eq(e->gfp_mask, 0xcc0);
		ck_assert(oomtrace_kvset_get(&e->ctx.memcg, "limit_kb", &v));
		ck_assert_int_eq(v, 65536);
		ck_assert_uint_eq(e->invocation, i + 1);
	}
	ck_assert_uint_eq(C.ev[0].victim.anon_rss_kb, 65280);
	ck_assert_uint_eq(C.ev[0].uptime_ns, 131705295000ULL);
	/* three hogs in one cgroup: the allocating task is not always the victim */
	ck_assert_int_eq(C.ev[4].trigger.pid, 2310);
	ck_assert_int_eq(C.ev[4].victim.pid, 2312);
	ck_assert_uint_eq(C.ev[2].ctx.ntop, 1);
	ck_assert_str_eq(C.ev[2].ctx.top[0].name, "my hog");
	ck_assert_uint_eq(C.ev[2].ctx.top[0].rss_pages, 16534);
}
END_TEST

/* The same kills read from every log format give the same facts. */
START_TEST(real_618_all_formats_agree)
{
	static const char *const names[] = {
	    "6.18-x86_64-memcg-v1-burst-dmesg-T.log",
	    "6.18-x86_64-memcg-v1-burst-short.log",
	    "6.18-x86_64-memcg-v1-burst-short-iso.log",
	    "6.18-x86_64-memcg-v1-burst-short-precise.log",
	    "6.18-x86_64-memcg-v1-burst-short-monotonic.log",
	    "6.18-x86_64-memcg-v1-burst-syslog.log",
	    "6.18-x86_64-memcg-v1-burst-rfc5424.log",
	};
	struct collected *ref = malloc(sizeof(*ref));
	struct oomtrace_parser_opts o = {.year = 2026};
	size_t i, k;

	parse_fixture("6.18-x86_64-memcg-v1-burst-dmesg.log", NULL, ref);
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		parse_fixture(names[k], &o, &C);
		ck_assert_msg(C.n == ref->n, "%s: %zu events", names[k], C.n);
		for (i = 0; i < C.n; i++) {
			ck_assert_int_eq(C.ev[i].victim.pid, ref->ev[i].victim.pid);
			ck_assert_str_eq(C.ev[i].victim.comm, ref->ev[i].victim.comm);
			ck_assert_uint_eq(C.ev[i].victim.anon_rss_kb,
					  ref->ev[i].victim.anon_rss_kb);
			ck_assert_int_eq(C.ev[i].trigger.pid, ref->ev[i].trigger.pid);
			ck_assert_str_eq(C.ev[i].oom_memcg, ref->ev[i].oom_memcg);
		}
		if (k > 0 && k != 4) { /* syslog-style lines name their host */
			ck_assert(C.ev[0].known & OOMTRACE_E_HOST);
			ck_assert_str_eq(C.ev[0].host, "devbox");
		}
	}
	/* ISO with zone: 11:56:23.705295+08:00 */
	parse_fixture("6.18-x86_64-memcg-v1-burst-short-precise.log", &o, &C);
	ck_assert_int_eq(C.ev[0].time_us, utc_us(2026, 11, 27, 11, 56, 23) + 705295);
	parse_fixture("6.18-x86_64-memcg-v1-burst-rfc5424.log", &o, &C);
	ck_assert_int_eq(C.ev[0].tz_off_s, 8 * 3600);
	ck_assert_int_eq(C.ev[0].time_us, utc_us(2026, 11, 27, 3, 56, 23) + 705295);
	free(ref);
}
END_TEST

START_TEST(kmsg_records)
{
	parse_fixture("6.18-x86_64-memcg-v1-burst-kmsg.log", NULL, &C);
	ck_assert_uint_eq(C.n, 7);
	ck_assert_int_eq(C.ev[0].victim.pid, 2286);
	ck_assert_str_eq(C.ev[0].victim.comm, "my hog");
	ck_assert_uint_eq(C.ev[0].uptime_ns, 128109667000ULL);
	/* escaped bytes and embedded newlines of /dev/kmsg */
	parse_text("4,1,100,-;\\xe4\\xb8\\xad invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), "
		   "order=0, oom_score_adj=0\n"
		   "4,2,101,-;Mem-Info:\n"
		   "4,3,102,-;active_anon:1 inactive_anon:2\\x0afree:3 free_pcp:4\n"
		   " SUBSYSTEM=memory\n"
		   "3,4,103,-;Out of memory: Killed process 9 (\\xe4\\xb8\\xad) total-vm:1kB, "
		   "anon-rss:2kB, file-rss:3kB, shmem-rss:4kB\n",
		   NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert_str_eq(C.ev[0].victim.comm, "\xe4\xb8\xad");
	ck_assert_str_eq(C.ev[0].trigger.comm, "\xe4\xb8\xad");
	{
		int64_t v;

		ck_assert(oomtrace_kvset_get(&C.ev[0].ctx.mem_info, "free_pcp", &v));
		ck_assert_int_eq(v, 4);
	}
}
END_TEST

/* /dev/kmsg carries programs' messages too (written to /dev/kmsg): only facility 0 is the kernel's.
 */
START_TEST(kmsg_user_facility_ignored)
{
	static const char *const kill = "Out of memory: Killed process 77 (fake) total-vm:1kB, "
					"anon-rss:2kB, file-rss:3kB, shmem-rss:4kB";
	char text[512];
	int pri;

	for (pri = 0; pri < 32; pri += 3) {
		snprintf(text, sizeof(text), "%d,9,5000,-;%s\n", pri, kill);
		parse_text(text, NULL, &C);
		ck_assert_msg(C.n == (pri < 8 ? 1u : 0u), "priority %d: %zu events", pri, C.n);
	}
	/* and through dmesg -r's "<N>" prefix */
	parse_text("<14>Out of memory: Killed process 77 (fake) total-vm:1kB, anon-rss:2kB, "
		   "file-rss:3kB, shmem-rss:4kB\n",
		   NULL, &C);
	ck_assert_uint_eq(C.n, 0);
}
END_TEST

/*
 * A kill is held back for its oom_reaper line for 400 lines or 2 s of kernel
 * time, whichever ends first: a reaper line inside the window is the kill's,
 * one after it is an orphan and the kill is emitted without it. (The line
 * right after a kill line is always seen with it: the kill line may go on
 * in it, so it is dispatched only then.)
 */
static void kill_then_reaper(double at, unsigned int noise)
{
	static char text[65536];
	size_t o = 0;
	unsigned int i;

	o += (size_t)snprintf(text + o, sizeof(text) - o,
			      "[ 10.000000] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), "
			      "order=0, oom_score_adj=0\n"
			      "[ 10.000100] Out of memory: Killed process 10 (a) total-vm:8kB, "
			      "anon-rss:4kB, file-rss:0kB, shmem-rss:0kB\n");
	for (i = 0; i < noise; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "[ 10.000200] usb 1-1: new device %u\n", i);
	snprintf(text + o, sizeof(text) - o,
		 "[ %.6f] oom_reaper: reaped process 10 (a), now anon-rss:0kB, file-rss:0kB, "
		 "shmem-rss:0kB\n",
		 at);
	parse_text(text, NULL, &C);
	ck_assert_uint_eq(C.n, 1);
}

START_TEST(hold_window)
{
	kill_then_reaper(11.900000, 1); /* 1.9 s: the kill's */
	ck_assert(C.ev[0].known & OOMTRACE_E_REAPED);
	ck_assert_uint_eq(C.ev[0].reap_latency_us, 1899900);
	kill_then_reaper(12.100200, 1); /* 2.1 s: too late */
	ck_assert(!(C.ev[0].known & OOMTRACE_E_REAPED));
	kill_then_reaper(10.000300, 390); /* 390 lines between: the kill's */
	ck_assert(C.ev[0].known & OOMTRACE_E_REAPED);
	kill_then_reaper(10.000300, 410); /* 410 lines: too many */
	ck_assert(!(C.ev[0].known & OOMTRACE_E_REAPED));
}
END_TEST

/*
 * The pre-filter scans 32 KiB chunks in two halves at once: a needle is found
 * wherever it stands, across either half's end too.
 */
START_TEST(scan_finds_every_offset)
{
	static const char *const needles[] = {
	    "Killed process",	   "Kill process ",	 "kill process ",   "invoked oom-killer",
	    "oom-kill:constraint", "oom_reaper: reaped", "memory.oom.group"};
	struct oomtrace_parser *p = oomtrace_parser_new(NULL);
	size_t len = 3 * 32768 + 100, at, i;
	char *buf = malloc(len);

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(buf);
	memset(buf, 'x', len);
	ck_assert_ptr_null(oomtrace_parser_scan(p, buf, buf + len));
	for (i = 0; i < sizeof(needles) / sizeof(needles[0]); i++) {
		size_t k = strlen(needles[i]);

		/* every offset within 60 bytes of a multiple of 16 KiB, every 37th elsewhere */
		for (at = 0; at + k <= len; at += (at + 60) % 16384 < 120 ? 1 : 37) {
			const char *hit;

			memcpy(buf + at, needles[i], k);
			hit = oomtrace_parser_scan(p, buf, buf + len);
			ck_assert_msg(hit && hit >= buf + at && hit < buf + at + k, "%s at %zu: %s",
				      needles[i], at, hit ? "found elsewhere" : "not found");
			memset(buf + at, 'x', k);
		}
	}
	free(buf);
	oomtrace_parser_free(p);
}
END_TEST

START_TEST(old_kernels)
{
	parse_fixture("2.6.32-x86_64-rhel6-global-constructed.log", NULL, &C);
	ck_assert_uint_eq(C.n, 2);
	ck_assert_int_eq(C.ev[0].victim.pid, 28390);
	ck_assert_uint_eq(C.ev[0].victim.uid, 500);
	ck_assert_str_eq(C.ev[0].victim.comm, "java");
	ck_assert_uint_eq(C.ev[0].victim.anon_rss_kb, 7398896);
	ck_assert_int_eq(C.ev[0].trigger.pid, 28391); /* from "Pid: N, comm:" */
	ck_assert_int_eq(C.ev[0].points, 922);
	ck_assert_uint_eq(C.ev[0].ctx.ntop, 5);
	ck_assert_str_eq(C.ev[0].ctx.top[0].name, "java");
	ck_assert(!C.ev[0].partial);
	ck_assert(C.ev[1].partial); /* no header of its own */

	parse_fixture("3.10-x86_64-rhel7-memcg-constructed.log", NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert_str_eq(C.ev[0].trigger.comm, "nginx: worker process");
	ck_assert_int_eq(C.ev[0].trigger.pid, 11408);
	ck_assert_uint_eq(C.ev[0].victim.uid, 101);
	ck_assert_uint_eq(C.ev[0].victim.anon_rss_kb, 258816);
	ck_assert_int_eq(C.ev[0].constraint, OOMTRACE_CONSTRAINT_MEMCG);
	ck_assert_str_eq(C.ev[0].victim.cgroup, "/kubepods/burstable/pod5d1c/4f1e2c");
	{
		int64_t v;

		ck_assert(oomtrace_kvset_get(&C.ev[0].ctx.memcg_stat, "rss", &v));
		ck_assert_int_eq(v, 262144 * 1024); /* "rss:262144KB": bytes, as memory.stat */
	}

	parse_fixture("4.19-aarch64-openeuler2003-memcg-constructed.log", NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert(C.ev[0].known & OOMTRACE_E_REAPED);
	ck_assert_uint_eq(C.ev[0].reap_latency_us, 8485);
	ck_assert_str_eq(C.ev[0].cpuset, "/");
	ck_assert_str_eq(C.ev[0].mems_allowed, "0");
	ck_assert_int_eq(C.ev[0].selected_pid, 40211);

	parse_fixture("5.4-x86_64-ubuntu2004-global-constructed.log", NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert_int_eq(C.ev[0].constraint, OOMTRACE_CONSTRAINT_NONE);
	ck_assert_str_eq(C.ev[0].mems_allowed, "0");
	ck_assert(!(C.ev[0].known & OOMTRACE_E_OOM_MEMCG));
	ck_assert_str_eq(C.ev[0].victim.cgroup, "/user.slice/user-1000.slice/session-2.scope");
	ck_assert_uint_eq(C.ev[0].reaped_shmem_rss_kb, 14032);
}
END_TEST

START_TEST(ratelimited_header_and_child)
{
	parse_fixture("4.18-x86_64-rhel8-header-ratelimited-constructed.log", NULL, &C);
	ck_assert_uint_eq(C.n, 2);
	/* selected the parent, killed its child */
	ck_assert_int_eq(C.ev[0].selected_pid, 9921);
	ck_assert_int_eq(C.ev[0].victim.pid, 9925);
	ck_assert_str_eq(C.ev[0].victim.comm, "memhog-child");
	ck_assert(C.ev[0].partial);
	ck_assert(C.ev[0].known & OOMTRACE_E_REAPED);
	ck_assert_int_eq(C.ev[1].victim.pid, 9921);
	ck_assert(!(C.ev[1].known & OOMTRACE_E_REAPED));
}
END_TEST

START_TEST(oom_group)
{
	parse_fixture("5.10-x86_64-memcg-v2-oom-group-constructed.log", NULL, &C);
	ck_assert_uint_eq(C.n, 2); /* the first victim is walked again: reported once */
	ck_assert_int_eq(C.ev[0].victim.pid, 7712);
	ck_assert_int_eq(C.ev[1].victim.pid, 7701);
	ck_assert_uint_eq(C.ev[0].invocation, C.ev[1].invocation);
	ck_assert_int_eq(C.ev[1].trigger.pid, 7712);
	ck_assert_str_eq(C.ev[1].oom_memcg, "/system.slice/worker.service");
	ck_assert(!C.ev[1].partial);
	{
		int64_t v;

		ck_assert(oomtrace_kvset_get(&C.ev[0].ctx.memcg_stat, "anon", &v));
		ck_assert_int_eq(v, 132259840);
		ck_assert(oomtrace_kvset_get(&C.ev[0].ctx.memcg, "swap_limit_kb", &v));
	}
}
END_TEST

START_TEST(no_killable_and_panic)
{
	parse_fixture("5.15-x86_64-no-killable-panic-constructed.log", NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert_int_eq(C.ev[0].outcome, OOMTRACE_OUTCOME_PANIC);
	ck_assert_int_eq(C.ev[0].trigger.pid, 1);
	parse_text("[ 5.0] Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is "
		   "enabled\n",
		   NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert_int_eq(C.ev[0].outcome, OOMTRACE_OUTCOME_PANIC);
	ck_assert(C.ev[0].partial);
	parse_text("[ 5.0] Kernel panic - not syncing: VFS: Unable to mount root fs\n", NULL, &C);
	ck_assert_uint_eq(C.n, 0);
}
END_TEST

/* Noise between every record line changes nothing; nothing is dropped. */
START_TEST(interleaved_noise)
{
	static const char *const noise[] = {
	    "[ 9181.300001] usb 1-1: reset high-speed USB device number 2 using xhci_hcd; will "
	    "retry",
	    "[ 9181.300002] audit: type=1400 audit(1.1:2): apparmor=\"DENIED\" operation=\"open\"",
	    "[ 9181.300003] EXT4-fs (sda1): re-mounted. Opts: errors=remount-ro",
	    "[ 9181.300004] e1000e: eth0 NIC Link is Down; skill issue",
	};
	struct collected *ref = malloc(sizeof(*ref));
	FILE *f = fopen(fixture_path("4.19-aarch64-openeuler2003-memcg-constructed.log"), "r");
	char line[4096], *text = calloc(1, 1 << 20);
	size_t k = 0;

	ck_assert_ptr_nonnull(f);
	parse_fixture("4.19-aarch64-openeuler2003-memcg-constructed.log", NULL, ref);
	/* two copies of the record, with noise after every line */
	for (int rep = 0; rep < 2; rep++) {
		rewind(f);
		while (fgets(line, sizeof(line), f)) {
			strcat(text, line);
			strcat(text, noise[k++ % 4]);
			strcat(text, "\n");
		}
	}
	fclose(f);
	parse_text(text, NULL, &C);
	ck_assert_uint_eq(C.n, 2);
	for (k = 0; k < 2; k++) {
		ck_assert_int_eq(C.ev[k].victim.pid, ref->ev[0].victim.pid);
		ck_assert_uint_eq(C.ev[k].victim.anon_rss_kb, ref->ev[0].victim.anon_rss_kb);
		ck_assert_int_eq(C.ev[k].trigger.pid, ref->ev[0].trigger.pid);
		ck_assert_uint_eq(C.ev[k].ctx.ntop, ref->ev[0].ctx.ntop);
		ck_assert(C.ev[k].known & OOMTRACE_E_REAPED);
	}
	free(text);
	free(ref);
}
END_TEST

/* A reaper line arriving after the next OOM's header still finds its kill. */
START_TEST(reaper_after_next_header)
{
	parse_text("[ 1.000000] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
		   "oom_score_adj=0\n"
		   "[ 1.000100] Out of memory: Killed process 10 (a) total-vm:8kB, anon-rss:4kB, "
		   "file-rss:0kB, shmem-rss:0kB\n"
		   "[ 1.000200] b invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
		   "oom_score_adj=0\n"
		   "[ 1.050100] oom_reaper: reaped process 10 (a), now anon-rss:0kB, file-rss:0kB, "
		   "shmem-rss:0kB\n"
		   "[ 1.060000] Out of memory: Killed process 11 (b) total-vm:8kB, anon-rss:4kB, "
		   "file-rss:0kB, shmem-rss:0kB\n",
		   NULL, &C);
	ck_assert_uint_eq(C.n, 2);
	ck_assert_int_eq(C.ev[0].victim.pid, 10);
	ck_assert(C.ev[0].known & OOMTRACE_E_REAPED);
	ck_assert_uint_eq(C.ev[0].reap_latency_us, 50000);
	ck_assert_int_eq(C.ev[1].victim.pid, 11);
	ck_assert_str_eq(C.ev[1].trigger.comm, "b");
	ck_assert(!(C.ev[1].known & OOMTRACE_E_REAPED));
}
END_TEST

static int count_sink(void *ctx, struct oomtrace_event *ev);

START_TEST(truncated_record_is_partial)
{
	struct oomtrace_parser *p;
	int n = 0;

	parse_text(
	    "[ 2.0] java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
	    "[ 2.0] CPU: 1 PID: 77 Comm: java Not tainted 6.1.0-13-amd64 #1 Debian 6.1.55-1\n"
	    "[ 2.0] Tasks state (memory values in pages):\n"
	    "[ 2.0] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj "
	    "name\n"
	    "[ 2.0] [     77]     0    77    1000      500    40960        0             0 java\n",
	    NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert(C.ev[0].partial);
	ck_assert_int_eq(C.ev[0].outcome, OOMTRACE_OUTCOME_UNKNOWN);
	ck_assert_int_eq(C.ev[0].trigger.pid, 77);
	ck_assert_uint_eq(C.ev[0].ctx.top[0].rss_pages, 500);
	/* idle tracking used by the reader's fast path: never within the first three lines (an
	 * export is told by its first, a verbose dump by a header after "-- Logs begin at ...") */
	p = oomtrace_parser_new(NULL);
	ck_assert(!oomtrace_parser_idle(p));
	for (int i = 0; i < 3; i++) {
		ck_assert(!oomtrace_parser_idle(p));
		ck_assert_int_eq(
		    oomtrace_parser_line(p, "[ 1.0] usb 1-1: new device", 26, count_sink, &n), 0);
	}
	ck_assert(oomtrace_parser_idle(p));
	ck_assert_int_eq(oomtrace_parser_line(p,
					      "[ 1.1] x invoked oom-killer: gfp_mask=0x0, order=0",
					      50, count_sink, &n),
			 0);
	ck_assert(!oomtrace_parser_idle(p));
	oomtrace_parser_free(p);
}
END_TEST

/* A transport's breaks undone (unwrap.c): quoted-printable escapes and soft breaks, a backslash
 * hand-wrap; and neither taken where the next line starts a record of its own. */
START_TEST(transport_breaks)
{
	/* quoted-printable: "=3D" for '=', a soft break inside a number */
	parse_text(
	    "[ 5.0] java invoked oom-killer: gfp_mask=3D0xcc0(GFP_KERNEL), order=3D0, oom_sco=\n"
	    "re_adj=3D936\n"
	    "[ 5.1] Memory cgroup out of memory: Killed process 77 (java) total-vm:10000kB, "
	    "anon-r=\n"
	    "ss:81=\n"
	    "92kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:40kB oom_score_adj:936\n",
	    NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert_uint_eq(C.ev[0].victim.anon_rss_kb, 8192);
	ck_assert_int_eq(C.ev[0].trigger.oom_score_adj, 936);
	ck_assert_uint_eq(C.ev[0].gfp_mask, 0xcc0);
	ck_assert(!C.ev[0].partial);
	/* a backslash at a blank (indentation dropped) and inside a word (the rest as it is) */
	parse_text(
	    "[ 6.0] Memory cgroup out of memory: Killed process 78 (hog) total-vm:10000kB, \\\n"
	    "      anon-rss:40\\\n"
	    "96kB, file-rss:8kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0\n",
	    NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert_uint_eq(C.ev[0].victim.anon_rss_kb, 4096);
	ck_assert_uint_eq(C.ev[0].victim.file_rss_kb, 8);
	/* a terminal's colouring: CSI (dmesg --color), an OSC link around a word (journalctl), an
	 * escape cut off at the end of the line */
	parse_text(
	    "\x1b[32m[ 8.0] \x1b[0m\x1b[33mMemory cgroup out of memory: \x1b[0m\x1b[31mKilled "
	    "process 82 "
	    "(\x1b]8;;file:///usr/bin/d\x1b\\d\x1b]8;;\x07) total-vm:1kB, anon-rss:5kB\x1b[0\n",
	    NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert_int_eq(C.ev[0].victim.pid, 82);
	ck_assert_str_eq(C.ev[0].victim.comm, "d");
	ck_assert_uint_eq(C.ev[0].victim.anon_rss_kb, 5);
	ck_assert_uint_eq(C.ev[0].uptime_ns, 8000000000ULL);
	/* a lone '=' or '\' that ends a line of its own: the next record is not glued to it */
	parse_text("[ 7.0] Memory cgroup out of memory: Killed process 79 (a=) total-vm:1kB, "
		   "anon-rss:2kB=\n"
		   "[ 7.1] Memory cgroup out of memory: Killed process 80 (b) total-vm:1kB, "
		   "anon-rss:3kB\\\n"
		   "[ 7.2] Memory cgroup out of memory: Killed process 81 (c) total-vm:1kB, "
		   "anon-rss:4kB\n",
		   NULL, &C);
	ck_assert_uint_eq(C.n, 3);
	ck_assert_int_eq(C.ev[0].victim.pid, 79);
	ck_assert_uint_eq(C.ev[0].victim.anon_rss_kb, 2);
	ck_assert_int_eq(C.ev[1].victim.pid, 80);
	ck_assert_int_eq(C.ev[2].victim.pid, 81);
	ck_assert_uint_eq(C.ev[2].victim.anon_rss_kb, 4);
}
END_TEST

/*
 * A global report's evidence (replay/evidence.c): zones with and without "Node N" (CONFIG_NUMA),
 * the node's own line and the free areas not taken for zones, huge pages, swap, and the
 * unreclaimable-slab block with a name longer than its 17 columns; the largest caches kept.
 */
START_TEST(global_evidence)
{
	struct oomtrace_context x;
	char line[128];
	int i;

	memset(&x, 0, sizeof(x));
	ck_assert(oomtrace_decode_zone("Node 1 Normal free:53876kB boost:0kB min:111376kB "
				       "low:139220kB high:167064kB reserved_highatomic:2048KB "
				       "active_anon:4kB",
				       &x));
	ck_assert(
	    oomtrace_decode_zone("HighMem free:3712kB min:512kB low:6096kB high:11680kB", &x));
	/* 2.6.32: no boost, no reserved_highatomic, "all_unreclaimable? no" at the end */
	ck_assert(oomtrace_decode_zone("Node 0 DMA free:15744kB min:124kB low:152kB high:184kB "
				       "active_anon:0kB pages_scanned:0 all_unreclaimable? yes",
				       &x));
	ck_assert(!oomtrace_decode_zone("Node 0 active_anon:26172kB inactive_anon:4373380kB", &x));
	ck_assert(
	    !oomtrace_decode_zone("Node 0 Normal: 1469*4kB (UME) 1011*8kB (UME) = 53876kB", &x));
	ck_assert(
	    !oomtrace_decode_zone("Node 0 DMA free:15744kB min:124kB", &x)); /* no low, high */
	ck_assert(!oomtrace_decode_zone("Node 0 DMA free:15744 min:124kB low:1kB high:2kB", &x));
	ck_assert_uint_eq(x.nzones, 3);
	ck_assert_int_eq(x.zones[0].node, 1);
	ck_assert(x.zones[0].known & OOMTRACE_Z_NODE);
	ck_assert_str_eq(x.zones[0].zone, "Normal");
	ck_assert_uint_eq(x.zones[0].free_kb, 53876);
	ck_assert_uint_eq(x.zones[0].min_kb, 111376);
	ck_assert_uint_eq(x.zones[0].low_kb, 139220);
	ck_assert_uint_eq(x.zones[0].high_kb, 167064);
	ck_assert(!(x.zones[1].known & OOMTRACE_Z_NODE));
	ck_assert_str_eq(x.zones[1].zone, "HighMem");
	ck_assert_uint_eq(x.zones[2].high_kb, 184);

	ck_assert(oomtrace_decode_hugepages("Node 0 hugepages_total=512 hugepages_free=500 "
					    "hugepages_surp=3 hugepages_size=2048kB",
					    &x));
	ck_assert(!oomtrace_decode_hugepages("Node 0 hugepages_total=512 hugepages_free=500", &x));
	ck_assert_uint_eq(x.nhuge, 1);
	ck_assert_uint_eq(x.huge[0].total, 512);
	ck_assert_uint_eq(x.huge[0].free, 500);
	ck_assert_uint_eq(x.huge[0].surplus, 3);
	ck_assert_uint_eq(x.huge[0].size_kb, 2048);

	ck_assert(oomtrace_decode_swap("Free swap  = 1024kB", &x));
	ck_assert(oomtrace_decode_swap("Total swap = 4194300kB", &x));
	ck_assert(!oomtrace_decode_swap("Free swap  = lots", &x));
	ck_assert_uint_eq(x.known & (OOMTRACE_C_SWAP_FREE | OOMTRACE_C_SWAP_TOTAL),
			  OOMTRACE_C_SWAP_FREE | OOMTRACE_C_SWAP_TOTAL);
	ck_assert_uint_eq(x.swap_free_kb, 1024);
	ck_assert_uint_eq(x.swap_total_kb, 4194300);

	ck_assert(oomtrace_decode_slab_line("Name                      Used          Total", &x));
	ck_assert_uint_eq(x.slab_caches, 0);
	ck_assert(
	    oomtrace_decode_slab_line("fsnotify_mark_connector         96KB        128KB", &x));
	ck_assert(!oomtrace_decode_slab_line("kmalloc-64   96KB", &x));
	ck_assert(!oomtrace_decode_slab_line("kmalloc-64 x96KB 100KB", &x));
	ck_assert(!oomtrace_decode_slab_line("          96KB        128KB", &x));
	/* twelve more: only the ten largest are kept, every one counted */
	for (i = 1; i <= 12; i++) {
		snprintf(line, sizeof(line), "%-17s %10dKB %10dKB", i == 7 ? "kmalloc-64" : "c",
			 i * 1000, i * 1000 + 8);
		ck_assert(oomtrace_decode_slab_line(line, &x));
	}
	ck_assert(x.known & OOMTRACE_C_SLAB);
	ck_assert_uint_eq(x.slab_caches, 13);
	ck_assert_uint_eq(x.slab_used_kb, 96 + 78000);
	ck_assert_uint_eq(x.slab_total_kb, 128 + 78000 + 12 * 8);
	ck_assert_uint_eq(x.nslab, OOMTRACE_SLAB_TOP);
	ck_assert_uint_eq(x.slab[0].used_kb, 12000);
	ck_assert_str_eq(x.slab[5].name, "kmalloc-64");
	ck_assert_uint_eq(x.slab[9].used_kb, 3000);

	/* "=10", "=20" of the text's own, not quoted-printable: the line as it is */
	parse_text("[ 9.0] x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
		   "oom_score_adj=0\n"
		   "[ 9.0] Mem-Info:\n"
		   "[ 9.0] Node 0 hugepages_total=1024 hugepages_free=1024 hugepages_surp=10 "
		   "hugepages_size=2048kB\n"
		   "[ 9.1] Out of memory: Killed process 83 (x) total-vm:1kB, anon-rss:2kB, "
		   "file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0\n",
		   NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert_uint_eq(C.ev[0].ctx.nhuge, 1);
	ck_assert_uint_eq(C.ev[0].ctx.huge[0].total, 1024);
	ck_assert_uint_eq(C.ev[0].ctx.huge[0].surplus, 10);
}
END_TEST

START_TEST(other_programs_ignored)
{
	parse_text(
	    "May 11 15:41:12 h systemd[1]: worker.service: A process of this unit has been killed "
	    "by the OOM killer.\n"
	    "May 11 15:41:12 h myapp: Out of memory: Killed process 5 (x) total-vm:1kB, "
	    "anon-rss:1kB, file-rss:1kB\n"
	    "[ 3.0] audit: comm=\"Killed process 3 (y)\" quoted text\n"
	    "May 11 15:41:13 h kernel: Out of memory: Killed process 6 (z) total-vm:1kB, "
	    "anon-rss:2kB, file-rss:3kB, shmem-rss:4kB, UID:7 pgtables:8kB oom_score_adj:9\n",
	    &(struct oomtrace_parser_opts){.year = 2024}, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert_int_eq(C.ev[0].victim.pid, 6);
	ck_assert_uint_eq(C.ev[0].victim.uid, 7);
	ck_assert_int_eq(C.ev[0].victim.oom_score_adj, 9);
	ck_assert_int_eq(C.ev[0].time_us, utc_us(2024, 5, 11, 15, 41, 13));
}
END_TEST

START_TEST(prefix_locales)
{
	struct oomtrace_prefix x;
	const char *l;

	l = "[So Mai 11 15:41:12 2025] hi";
	oomtrace_prefix_parse(l, strlen(l), &x);
	ck_assert_int_eq(x.kind, OOMTRACE_LINE_DMESG_T);
	ck_assert_int_eq(x.civil.mon, 5);
	ck_assert_int_eq(x.civil.mday, 11);
	ck_assert_str_eq(l + x.msg_off, "hi");
	l = "[\xe6\x97\xa5 5\xe6\x9c\x88 11 15:41:12 2025] hi";
	oomtrace_prefix_parse(l, strlen(l), &x);
	ck_assert_int_eq(x.kind, OOMTRACE_LINE_DMESG_T);
	ck_assert_int_eq(x.civil.mon, 5);
	ck_assert_int_eq(x.civil.year, 2025);
	l = "[Sun Dec  1 01:02:03 2024] x";
	oomtrace_prefix_parse(l, strlen(l), &x);
	ck_assert_int_eq(x.civil.mon, 12);
	ck_assert_int_eq(x.civil.mday, 1);
	ck_assert_int_eq(x.civil.hour, 1);
	l = "2025-05-11T15:41:12+0800 host kernel: msg";
	oomtrace_prefix_parse(l, strlen(l), &x);
	ck_assert_int_eq(x.kind, OOMTRACE_LINE_ISO);
	ck_assert_int_eq(x.tz_off_s, 8 * 3600);
	ck_assert_str_eq(l + x.msg_off, "msg");
	l = "<6>1 2025-05-11T15:41:12.5Z h kernel - - [x@1 a=\"b\"] msg";
	oomtrace_prefix_parse(l, strlen(l), &x);
	ck_assert_int_eq(x.kind, OOMTRACE_LINE_RFC5424);
	ck_assert(x.kernel);
	ck_assert_str_eq(l + x.msg_off, "msg");
	l = "active_file:21 inactive_file:34 isolated_file:0";
	oomtrace_prefix_parse(l, strlen(l), &x);
	ck_assert_int_eq(x.kind, OOMTRACE_LINE_BARE);
	ck_assert_uint_eq(x.msg_off, 0);
	l = "12,3,4;not kmsg";
	oomtrace_prefix_parse(l, strlen(l), &x);
	ck_assert_int_eq(x.kind, OOMTRACE_LINE_BARE);
	/* found by the fuzzer: 20-digit numbers overflowed (UBSan); now refused */
	l = "4,27777777777777777777,1,-;Killed process 1 (x)";
	oomtrace_prefix_parse(l, strlen(l), &x);
	ck_assert_int_eq(x.kind, OOMTRACE_LINE_BARE);
	l = "4,1,9999999999999999,-;x";
	oomtrace_prefix_parse(l, strlen(l), &x);
	ck_assert_int_eq(x.kind, OOMTRACE_LINE_KMSG);
	ck_assert_uint_eq(x.uptime_ns, 9999999999999999ULL * 1000ULL);
}
END_TEST

/* A syslog line without a year takes the year before when it would be in the future. */
START_TEST(syslog_year_guess)
{
	struct oomtrace_parser_opts o = {.now_us = utc_us(2026, 1, 2, 0, 0, 0)};

	parse_text("Dec 31 23:59:00 h kernel: Killed process 1 (a) total-vm:1kB, anon-rss:1kB, "
		   "file-rss:1kB\n"
		   "Jan  1 00:00:10 h kernel: Killed process 2 (b) total-vm:1kB, anon-rss:1kB, "
		   "file-rss:1kB\n",
		   &o, &C);
	ck_assert_uint_eq(C.n, 2);
	ck_assert_int_eq(C.ev[0].time_us, utc_us(2025, 12, 31, 23, 59, 0));
	ck_assert_int_eq(C.ev[1].time_us, utc_us(2026, 1, 1, 0, 0, 10));
}
END_TEST

static int count_sink(void *ctx, struct oomtrace_event *ev)
{
	(void)ev;
	(*(int *)ctx)++;
	return 0;
}

/* Arbitrary bytes never crash the parser (the fuzzer goes further). */
START_TEST(random_bytes)
{
	int events = 0;
	struct oomtrace_parser *p = oomtrace_parser_new(NULL);
	static const char *const seeds[] = {"[ 1.0] x invoked oom-killer: gfp_mask=",
					    "Killed process ",
					    "oom-kill:",
					    "Kill process 1 (",
					    "[  pid  ]",
					    "Mem-Info:"};
	char line[600];
	unsigned int seed = 12345;
	int i, j;

	for (i = 0; i < 20000; i++) {
		int n = (int)(rand_r(&seed) % sizeof(line));
		const char *s = seeds[rand_r(&seed) % 6];
		int sl = (int)strlen(s);

		memcpy(line, s, (size_t)sl);
		for (j = sl; j < n; j++)
			line[j] =
			    (char)(rand_r(&seed) % 4 ? "0123456789 (),:=[]kBx"[rand_r(&seed) % 21]
						     : rand_r(&seed) % 256);
		ck_assert_int_eq(
		    oomtrace_parser_line(p, line, (size_t)(n > sl ? n : sl), count_sink, &events),
		    0);
	}
	ck_assert_int_eq(oomtrace_parser_flush(p, false, count_sink, &events), 0);
	ck_assert_int_gt(events, 0); /* fragments that look like kills are reported, partial */
	oomtrace_parser_free(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("parser");
	TCase *t = tcase_create("core");

	tcase_set_timeout(t, 30);
	tcase_add_test(t, seed_openeuler_dmesg_T);
	tcase_add_test(t, real_618_memcg_burst);
	tcase_add_test(t, real_618_all_formats_agree);
	tcase_add_test(t, kmsg_records);
	tcase_add_test(t, old_kernels);
	tcase_add_test(t, ratelimited_header_and_child);
	tcase_add_test(t, oom_group);
	tcase_add_test(t, no_killable_and_panic);
	tcase_add_test(t, interleaved_noise);
	tcase_add_test(t, reaper_after_next_header);
	tcase_add_test(t, kmsg_user_facility_ignored);
	tcase_add_test(t, hold_window);
	tcase_add_test(t, scan_finds_every_offset);
	tcase_add_test(t, truncated_record_is_partial);
	tcase_add_test(t, other_programs_ignored);
	tcase_add_test(t, transport_breaks);
	tcase_add_test(t, global_evidence);
	tcase_add_test(t, prefix_locales);
	tcase_add_test(t, syslog_year_guess);
	tcase_add_test(t, random_bytes);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
