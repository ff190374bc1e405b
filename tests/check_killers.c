// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_killers.c: userspace killers' lines the fixtures never showed. Each killer's line is
 * printed here with its program's own format string (cited in replay/killers.c) and random
 * values — names with blanks, quotes and brackets, pids and sizes of any width — under a random
 * line prefix (ISO syslog, RFC 5424, journalctl -o json), and every stated fact must come back;
 * dry runs, other resources' evictions and other programs' lines must give nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "helpers.h"

#include "parser.h"

struct got {
	int n;
	struct oomtrace_event ev[4];
};

static int sink(void *ctx, struct oomtrace_event *ev)
{
	struct got *g = ctx;

	ck_assert_int_lt(g->n, 4);
	g->ev[g->n++] = *ev;
	return 0;
}

static const char *const names[] = {"hog", "my hog", "java", "a\"b", "x [y]", "ü-ß", "kworker'1"};

static const char *rnd_name(void)
{
	return names[random() % (sizeof(names) / sizeof(names[0]))];
}

/* @msg of program @prog (pid @pid) in a random line format, fed to @p */
static void feed(struct oomtrace_parser *p, struct got *g, const char *prog, int pid,
		 const char *msg)
{
	char line[2048];
	int n;

	switch (random() % 3) {
	case 0:
		n = snprintf(line, sizeof(line), "2026-12-06T10:00:%02ld+00:00 host %s[%d]: %s",
			     random() % 60, prog, pid, msg);
		break;
	case 1:
		n = snprintf(line, sizeof(line),
			     "<30>1 2026-12-06T10:00:00.5+00:00 host %s %d - - %s", prog, pid, msg);
		break;
	default: {
		char esc[1024];
		size_t i, o = 0;

		for (i = 0; msg[i] && o < sizeof(esc) - 2; i++) {
			if (msg[i] == '"' || msg[i] == '\\')
				esc[o++] = '\\';
			esc[o++] = msg[i];
		}
		esc[o] = '\0';
		n = snprintf(
		    line, sizeof(line),
		    "{\"__REALTIME_TIMESTAMP\":\"1796551277000000\",\"_HOSTNAME\":\"host\","
		    "\"SYSLOG_IDENTIFIER\":\"%s\",\"_PID\":\"%d\",\"_TRANSPORT\":\"syslog\","
		    "\"MESSAGE\":\"%s\"}",
		    prog, pid, esc);
	}
	}
	ck_assert_int_lt(n, (int)sizeof(line));
	ck_assert_int_eq(oomtrace_parser_line(p, line, (size_t)n, sink, g), 0);
}

static int64_t fact(const struct oomtrace_event *ev, const char *k)
{
	int64_t v = -1;

	ck_assert_msg(oomtrace_facts_get(&ev->killer.facts, k, &v), "fact %s missing", k);
	return v;
}

static struct oomtrace_parser *start(struct got *g)
{
	struct oomtrace_parser *p = oomtrace_parser_new(NULL);
	int i;

	ck_assert_ptr_nonnull(p);
	memset(g, 0, sizeof(*g));
	for (i = 0; i < 3; i++) /* past the first lines, where the pre-filter reads all */
		ck_assert_int_eq(oomtrace_parser_line(p, "[ 1.0] usb 1-1: new device", 26, sink, g),
				 0);
	return p;
}

static void finish(struct oomtrace_parser *p, struct got *g)
{
	ck_assert_int_eq(oomtrace_parser_flush(p, false, sink, g), 0);
	oomtrace_parser_free(p);
}

START_TEST(earlyoom_any)
{
	for (int it = 0; it < 300; it++) {
		struct got g;
		struct oomtrace_parser *p = start(&g);
		const char *nm = rnd_name();
		int pid = (int)(random() % 4000000) + 1, uid = (int)(random() % 70000);
		int score = (int)(random() % 2001), adj = (int)(random() % 2001) - 1000;
		long long rss = random() % 100000;
		int mem = (int)(random() % 10000), swp = (int)(random() % 10000);
		int v = (int)(random() % 3), term = (int)(random() % 2);
		char m[1024];

		/* meminfo.c print_mem_stats, then main.c's limits line, then kill.c's */
		snprintf(m, sizeof(m),
			 "mem avail: %5lld of %5lld MiB (%5.2f%%), swap free: %4lld of %4lld MiB "
			 "(%5.2f%%)",
			 rss / 7, rss + 1, mem / 100.0, rss / 9, rss / 3, swp / 100.0);
		feed(p, &g, "earlyoom", 812, m);
		snprintf(m, sizeof(m),
			 "low memory! at or below %s limits: mem %5.2f%%, swap %5.2f%%",
			 term ? "SIGTERM" : "SIGKILL", (mem + 5) / 100.0, (swp + 7) / 100.0);
		feed(p, &g, "earlyoom", 812, m);
		if (v == 0) /* 1.4 - 1.7 */
			snprintf(
			    m, sizeof(m),
			    "sending %s to process %d uid %d \"%s\": badness %d, VmRSS %lld MiB",
			    term ? "SIGTERM" : "SIGKILL", pid, uid, nm, score, rss);
		else if (v == 1) /* 1.8 */
			snprintf(m, sizeof(m),
				 "sending %s to process %d uid %d \"%s\": oom_score %d, VmRSS %lld "
				 "MiB, cmdline \"%s --x\"",
				 term ? "SIGTERM" : "SIGKILL", pid, uid, nm, score, rss, nm);
		else /* 1.9 and master */
			snprintf(
			    m, sizeof(m),
			    "sending %s to process %d uid %d \"%s\": oom_score %d, oom_score_adj "
			    "%d, VmRSS %lld MiB, cmdline \"%s\"",
			    term ? "SIGTERM" : "SIGKILL", pid, uid, nm, score, adj, rss, nm);
		feed(p, &g, "earlyoom", 812, m);
		feed(p, &g, "CRON", 99, "(root) CMD (true)");
		snprintf(m, sizeof(m), "process %d exited after %.3f seconds", pid, 0.25);
		feed(p, &g, "earlyoom", 812, m);
		finish(p, &g);
		ck_assert_int_eq(g.n, 1);
		ck_assert_str_eq(g.ev[0].killer.name, "earlyoom");
		ck_assert_int_eq(g.ev[0].killer.pid, 812);
		ck_assert_int_eq(g.ev[0].killer.signal, term ? 15 : 9);
		ck_assert_int_eq(g.ev[0].victim.pid, pid);
		ck_assert_int_eq(g.ev[0].victim.uid, uid);
		ck_assert_str_eq(g.ev[0].victim.comm, nm);
		ck_assert_int_eq(fact(&g.ev[0], v ? "oom_score" : "badness"), score);
		ck_assert_int_eq(fact(&g.ev[0], "vm_rss_kb"), rss * 1024);
		ck_assert_int_eq(fact(&g.ev[0], "mem_available_bp"), mem);
		ck_assert_int_eq(fact(&g.ev[0], "swap_free_bp"), swp);
		ck_assert_int_eq(fact(&g.ev[0], "mem_available_kb"), rss / 7 * 1024);
		ck_assert_int_eq(fact(&g.ev[0], "swap_total_kb"), rss / 3 * 1024);
		ck_assert_int_eq(fact(&g.ev[0], "mem_limit_bp"), mem + 5);
		ck_assert_int_eq(fact(&g.ev[0], "swap_limit_bp"), swp + 7);
		if (v == 2)
			ck_assert_int_eq(g.ev[0].victim.oom_score_adj, adj);
		ck_assert(g.ev[0].killer.died);
		ck_assert_int_eq(g.ev[0].killer.died_after_us, 250000);
	}
}
END_TEST

START_TEST(lmkd_any)
{
	for (int it = 0; it < 300; it++) {
		struct got g;
		struct oomtrace_parser *p = start(&g);
		const char *nm = rnd_name();
		int pid = (int)(random() % 4000000) + 1, uid = (int)(random() % 70000) + 10000;
		int adj = (int)(random() % 1001);
		long long rss = random() % 10000000, swp = random() % 1000000;
		bool port = random() % 2;
		char m[1024];

		if (port)
			snprintf(m, sizeof(m),
				 "Kill '%s' (pid=%d, uid=%d, oom_score_adj=%d) to free %lldkB rss, "
				 "%lldkB swap; reason: low watermark is breached (thrashing=%d%%, "
				 "max_thrashing=%d%%, free_mem=%lldkB, free_swap=%lldkB)",
				 nm, pid, uid, adj, rss, swp, 7, 9, rss / 3, swp / 2);
		else
			snprintf(
			    m, sizeof(m),
			    "Kill '%s' (%d), uid %d, oom_score_adj %d to free %lldkB rss, %lldkB "
			    "swap; reason: device is low on swap",
			    nm, pid, uid, adj, rss, swp);
		feed(p, &g, "lmkd", 402, m);
		finish(p, &g);
		ck_assert_int_eq(g.n, 1);
		ck_assert_str_eq(g.ev[0].killer.name, "lmkd");
		ck_assert_int_eq(g.ev[0].victim.pid, pid);
		ck_assert_int_eq(g.ev[0].victim.uid, uid);
		ck_assert_int_eq(g.ev[0].victim.oom_score_adj, adj);
		ck_assert_str_eq(g.ev[0].victim.comm, nm);
		ck_assert_int_eq(fact(&g.ev[0], "rss_kb"), rss);
		ck_assert_int_eq(fact(&g.ev[0], "swap_kb"), swp);
		ck_assert_str_eq(g.ev[0].killer.reason,
				 port ? "low watermark is breached" : "device is low on swap");
		if (port)
			ck_assert_int_eq(fact(&g.ev[0], "free_swap_kb"), swp / 2);
	}
}
END_TEST

START_TEST(cgroup_killers_any)
{
	for (int it = 0; it < 300; it++) {
		struct got g;
		struct oomtrace_parser *p = start(&g);
		int a = (int)(random() % 10000), l = (int)(random() % 10000);
		long long used = random() * 4096LL, usage = random() * 8192LL;
		char cg[128], m[1024];

		snprintf(cg, sizeof(cg), "/user.slice/user-%ld.slice/app-%ld.scope",
			 random() % 5000, random());
		snprintf(
		    m, sizeof(m),
		    "%s %s%s due to memory pressure for /user.slice being %d.%02d%% > %d.%02d%% "
		    "for > 20s with reclaim activity",
		    it % 2 ? "Killed" : "Marked", cg, it % 2 ? "" : " for killing", a / 100,
		    a % 100, l / 100, l % 100);
		feed(p, &g, "systemd-oomd", 641, m);
		snprintf(m, sizeof(m),
			 "oomd kill: %d.%02d 1.00 2.00 %s %lld ruleset:[r 1] detectorgroup:[d] "
			 "killer:kill_by_pressure v2",
			 a / 100, a % 100, cg + 1, usage);
		feed(p, &g, "kernel", 0, m);
		snprintf(m, sizeof(m),
			 "Killed %s due to memory used (%lld) / total (%lld) and swap "
			 "used (%lld) / total (%lld) being more than 90.00%%",
			 cg, used, used * 2, used / 2, used);
		feed(p, &g, "systemd-oomd", 641, m);
		/* nothing: a dry run, another program's words */
		feed(p, &g, "kernel", 0, "oomd kill: 1.00 1.00 1.00 a.slice 10 killer:(dry)k v2");
		feed(p, &g, "bash", 7, "Killed by signal due to memory");
		finish(p, &g);
		ck_assert_int_eq(g.n, 3);
		for (int i = 0; i < 3; i++)
			ck_assert_str_eq(g.ev[i].victim.cgroup, cg);
		ck_assert_str_eq(g.ev[0].killer.name, "systemd-oomd");
		ck_assert_int_eq(fact(&g.ev[0], "pressure_avg10_bp"), a);
		ck_assert_int_eq(fact(&g.ev[0], "pressure_limit_bp"), l);
		ck_assert_str_eq(g.ev[1].killer.name, "oomd");
		ck_assert_int_eq(fact(&g.ev[1], "pressure_avg10_bp"), a);
		ck_assert_int_eq(fact(&g.ev[1], "usage_bytes"), usage);
		ck_assert_int_eq(fact(&g.ev[2], "memory_used_bytes"), used);
		ck_assert_int_eq(fact(&g.ev[2], "swap_total_bytes"), used);
		ck_assert_int_eq(fact(&g.ev[2], "swap_used_limit_bp"), 9000);
	}
}
END_TEST

START_TEST(kubelet_memory_only)
{
	for (int it = 0; it < 100; it++) {
		struct got g;
		struct oomtrace_parser *p = start(&g);
		char m[1024];
		long avail = random() % 100000;

		feed(p, &g, "kubelet", 1822,
		     "I1206 03:30:00.100000    1822 eviction_manager.go:369] \"Eviction manager: "
		     "attempting to reclaim\" resourceName=\"ephemeral-storage\"");
		feed(p, &g, "kubelet", 1822,
		     "I1206 03:30:01.300000    1822 eviction_manager.go:616] \"Eviction manager: "
		     "pod "
		     "is evicted successfully\" pod=\"ci/runner\"");
		feed(p, &g, "kubelet", 1822,
		     "I1206 03:31:00.100000    1822 eviction_manager.go:369] \"Eviction manager: "
		     "attempting to reclaim\" resourceName=\"memory\"");
		snprintf(
		    m, sizeof(m),
		    "I1206 03:31:00.2    1822 eviction_manager.go:614] \"Evicting pod\" "
		    "pod=\"ns%d/web-%ld\" podUID=\"u\" message=\"The node was low on resource: "
		    "memory. Threshold quantity: 100Mi, available: %ldKi. \"",
		    it, random(), avail);
		feed(p, &g, "kubelet", 1822, m);
		{
			const char *pod = strstr(m, "pod=\"") + 5;
			char tail[512];

			snprintf(tail, sizeof(tail),
				 "I1206 03:31:02.0    1822 eviction_manager.go:616] \"Eviction "
				 "manager: pod is evicted successfully\" pod=\"%.*s\"",
				 (int)(strchr(pod, '"') - pod), pod);
			feed(p, &g, "kubelet", 1822, tail);
		}
		finish(p, &g);
		ck_assert_int_eq(g.n, 1);
		ck_assert_int_eq(g.ev[0].record, OOMTRACE_RECORD_EVICTION);
		ck_assert_str_eq(g.ev[0].killer.name, "kubelet");
		ck_assert_int_eq(atoi(g.ev[0].names.k8s_namespace + 2), it);
		ck_assert_int_eq(fact(&g.ev[0], "available_kb"), avail);
		ck_assert_int_eq(fact(&g.ev[0], "threshold_kb"), 102400);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("killers");
	TCase *t = tcase_create("replay");

	srandom(20261206);
	tcase_add_test(t, earlyoom_any);
	tcase_add_test(t, lmkd_any);
	tcase_add_test(t, cgroup_killers_any);
	tcase_add_test(t, kubelet_memory_only);
	suite_add_tcase(s, t);
	return run_suite(s);
}
