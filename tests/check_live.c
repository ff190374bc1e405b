// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_live.c: what both live backends share, without a kernel: the kill
 * record into an event, invocations and the reaper's reports, context
 * snapshots, cgroup ids to paths and totalpages from a fake /proc and
 * cgroupfs, and the kernel's report joined to a live event.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "cgroup.h"
#include "context.h"
#include "helpers.h"
#include "kill.h"
#include "kjoin.h"
#include "ksyms.h"
#include "live.h"

static void put(const char *root, const char *path, const char *text)
{
	char p[512], cmd[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, path);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	ck_assert_int_eq(system(cmd), 0);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Context snapshots from a fake /proc and cgroupfs (v2 here, v1 below). */
START_TEST(context_from_fake_root)
{
	char root[] = "/tmp/oomtrace-ctx-XXXXXX", cmd[600];
	struct oomtrace_event ev;
	unsigned int mask;
	int64_t v;

	ck_assert_ptr_nonnull(mkdtemp(root));
	put(root, "/proc/loadavg", "4.34 2.87 1.77 6/396 39695\n");
	put(root, "/proc/meminfo",
	    "MemTotal:        6817716 kB\nMemFree:         1494936 kB\nHugePages_Total:       0\n");
	put(root, "/proc/pressure/memory",
	    "some avg10=1.50 avg60=0.25 avg300=0.05 total=123456\nfull avg10=0.75 avg60=0.00 "
	    "avg300=0.00 total=654\n");
	put(root, "/proc/1039/status",
	    "Name:\toeaware\nVmRSS:\t  1415824 kB\nRssAnon:\t 1415760 "
	    "kB\nThreads:\t1\nUid:\t0\t0\t0\t0\n");
	put(root, "/sys/fs/cgroup/system.slice/a.service/memory.max", "67108864\n");
	put(root, "/sys/fs/cgroup/system.slice/a.service/memory.current", "67100000\n");
	put(root, "/sys/fs/cgroup/system.slice/a.service/memory.events",
	    "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\n");
	put(root, "/sys/fs/cgroup/system.slice/a.service/memory.swap.max", "33554432\n");
	put(root, "/sys/fs/cgroup/system.slice/a.service/memory.swap.current", "4194304\n");
	oomtrace_event_init(&ev);
	ev.trigger.pid = 1039;
	ev.trigger.known = OOMTRACE_T_PID;
	strcpy(ev.oom_memcg, "/system.slice/a.service");
	ev.known |= OOMTRACE_E_OOM_MEMCG;
	ck_assert_int_eq(oomtrace_context_parse("all", &mask), 0);
	oomtrace_context_snapshot(&ev, root, mask);
	ck_assert_str_eq(ev.ctx.loadavg, "4.34 2.87 1.77 6/396 39695");
	ck_assert(oomtrace_kvset_get(&ev.ctx.meminfo_kb, "MemFree", &v));
	ck_assert_int_eq(v, 1494936);
	ck_assert(!oomtrace_kvset_get(&ev.ctx.meminfo_kb, "HugePages_Total", NULL)); /* not kB */
	ck_assert(ev.ctx.known & OOMTRACE_C_PSI_FULL);
	ck_assert_double_eq_tol(ev.ctx.psi_some.avg10, 1.5, 1e-9);
	ck_assert_uint_eq(ev.ctx.psi_full.total_us, 654);
	ck_assert(oomtrace_kvset_get(&ev.ctx.trigger_status, "VmRSS", &v));
	ck_assert_int_eq(v, 1415824);
	ck_assert(oomtrace_kvset_get(&ev.ctx.trigger_status, "Threads", &v));
	ck_assert(!oomtrace_kvset_get(&ev.ctx.trigger_status, "Uid", NULL));
	/* every v2 counter under its own name, in kB: limit, usage, swap limit and swap usage */
	ck_assert(oomtrace_kvset_get(&ev.ctx.memcg, "limit_kb", &v));
	ck_assert_int_eq(v, 65536);
	ck_assert(oomtrace_kvset_get(&ev.ctx.memcg, "usage_kb", &v));
	ck_assert_int_eq(v, 67100000 / 1024);
	ck_assert(oomtrace_kvset_get(&ev.ctx.memcg, "swap_limit_kb", &v));
	ck_assert_int_eq(v, 32768);
	ck_assert(oomtrace_kvset_get(&ev.ctx.memcg, "swap_usage_kb", &v));
	ck_assert_int_eq(v, 4096);
	ck_assert(oomtrace_kvset_get(&ev.ctx.memcg, "max", &v));
	ck_assert_int_eq(v, 12);
	ck_assert(oomtrace_kvset_get(&ev.ctx.memcg, "oom_kill", &v));
	ck_assert_int_eq(v, 2);
	/* v1, selected parts only */
	put(root, "/sys/fs/cgroup/memory/oomtest/memory.limit_in_bytes", "67108864\n");
	put(root, "/sys/fs/cgroup/memory/oomtest/memory.oom_control",
	    "oom_kill_disable 0\nunder_oom 0\noom_kill 7\n");
	oomtrace_event_init(&ev);
	strcpy(ev.victim.cgroup, "/oomtest");
	ev.victim.known = OOMTRACE_T_CGROUP;
	ck_assert_int_eq(oomtrace_context_parse("memcg", &mask), 0);
	oomtrace_context_snapshot(&ev, root, mask);
	ck_assert(!(ev.ctx.known & OOMTRACE_C_LOADAVG));
	ck_assert(oomtrace_kvset_get(&ev.ctx.memcg, "oom_kill", &v));
	ck_assert_int_eq(v, 7);
	ck_assert_int_lt(oomtrace_context_parse("loadavg,bogus", &mask), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Memory cgroup ids resolved to full paths by a walk: any length, the exact cgroup or none. */
START_TEST(cgroup_path_by_id)
{
	char root[] = "/tmp/oomtrace-cg-XXXXXX", cmd[600], deep[1024], rel[900], got[1024],
	     longname[151];
	struct stat st;
	bool v2;

	ck_assert_ptr_nonnull(mkdtemp(root));
	memset(longname, 'k', 150);
	longname[150] = '\0';
	put(root, "/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
	/* a sibling whose name is the deep one's prefix: it must never be taken for it */
	snprintf(rel, sizeof(rel), "/kubepods.slice/kubepods-burstable.slice/pod/%.100s", longname);
	snprintf(deep, sizeof(deep), "%s/sys/fs/cgroup%s/memory.max", root, rel);
	put(root, deep + strlen(root), "max\n");
	snprintf(rel, sizeof(rel), "/kubepods.slice/kubepods-burstable.slice/pod/%s", longname);
	snprintf(deep, sizeof(deep), "%s/sys/fs/cgroup%s/memory.max", root, rel);
	put(root, deep + strlen(root), "67108864\n");
	*strrchr(deep, '/') = '\0';
	ck_assert_int_eq(stat(deep, &st), 0);
	ck_assert(oomtrace_memcg_root(root, got, sizeof(got), &v2));
	ck_assert(v2);
	ck_assert_int_eq(oomtrace_memcg_path_by_id(root, st.st_ino, got, sizeof(got)), 0);
	ck_assert_str_eq(got, rel);
	ck_assert_int_eq(oomtrace_memcg_path_by_id(root, st.st_ino, got, 40), -ENAMETOOLONG);
	/*
	 * The same name made again is another cgroup: the cached answer is not
	 * reused. The first one is moved aside, not removed, so that it keeps its
	 * id (no file system can give that inode number to the new directory) and
	 * the cache must find it under its new name.
	 */
	{
		ino_t old = st.st_ino;
		char moved[sizeof(deep) + 8];

		ck_assert_int_eq(oomtrace_memcg_path_by_id(root, old, got, sizeof(got)),
				 0); /* cached */
		snprintf(moved, sizeof(moved), "%s.old", deep);
		ck_assert_int_eq(rename(deep, moved), 0);
		ck_assert_int_eq(mkdir(deep, 0755), 0);
		ck_assert_int_eq(stat(deep, &st), 0);
		ck_assert_uint_ne(st.st_ino, old); /* both exist: two inodes */
		ck_assert_int_eq(oomtrace_memcg_path_by_id(root, old, got, sizeof(got)), 0);
		ck_assert_str_eq(got + strlen(got) - 4, ".old");
		ck_assert_int_eq(strncmp(got, rel, strlen(rel)), 0);
		ck_assert_int_eq(oomtrace_memcg_path_by_id(root, st.st_ino, got, sizeof(got)), 0);
		ck_assert_str_eq(got, rel);
	}
	ck_assert_int_eq(oomtrace_memcg_path_by_id(root, 1, got, sizeof(got)), -ENOENT);
	snprintf(deep, sizeof(deep), "%s/sys/fs/cgroup", root);
	ck_assert_int_eq(stat(deep, &st), 0);
	ck_assert_int_eq(oomtrace_memcg_path_by_id(root, st.st_ino, got, sizeof(got)), 0);
	ck_assert_str_eq(got, "/");
	/* v1: the memory hierarchy's own mount */
	put(root, "/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
	put(root, "/sys/fs/cgroup/memory/oomtest/memory.limit_in_bytes", "67108864\n");
	snprintf(deep, sizeof(deep), "%s/sys/fs/cgroup/memory/oomtest", root);
	ck_assert_int_eq(stat(deep, &st), 0);
	ck_assert(oomtrace_memcg_root(root, got, sizeof(got), &v2));
	ck_assert(!v2);
	ck_assert_int_eq(oomtrace_memcg_path_by_id(root, st.st_ino, got, sizeof(got)), 0);
	ck_assert_str_eq(got, "/oomtest");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* totalpages by the kernel's formula from the memcg's files (v2, v1) and for a global OOM. */
START_TEST(totalpages_derived)
{
	char root[] = "/tmp/oomtrace-tp-XXXXXX", cmd[600];
	struct oomtrace_event ev;

	ck_assert_ptr_nonnull(mkdtemp(root));
	put(root, "/proc/meminfo", "MemTotal:        8000000 kB\nSwapTotal:       1048576 kB\n");
	put(root, "/proc/sys/vm/swappiness", "60\n");
	put(root, "/sys/fs/cgroup/a/memory.max", "67108864\n");
	put(root, "/sys/fs/cgroup/a/memory.swap.max", "33554432\n");
	oomtrace_event_init(&ev);
	ev.constraint = OOMTRACE_CONSTRAINT_MEMCG;
	strcpy(ev.oom_memcg, "/a");
	ev.known |= OOMTRACE_E_CONSTRAINT | OOMTRACE_E_OOM_MEMCG;
	oomtrace_derive_totalpages(&ev, root, 4096);
	ck_assert(ev.known & OOMTRACE_E_TOTALPAGES_DERIVED);
	ck_assert_uint_eq(ev.totalpages,
			  16384 + 8192); /* limit + swap.max, within the swap there is */
	put(root, "/sys/fs/cgroup/a/memory.swap.max", "max\n");
	ev.known &= ~(uint32_t)(OOMTRACE_E_TOTALPAGES | OOMTRACE_E_TOTALPAGES_DERIVED);
	oomtrace_derive_totalpages(&ev, root, 4096);
	ck_assert_uint_eq(ev.totalpages, 16384 + 262144);
	/* a probe's own read is never replaced */
	ev.totalpages = 5;
	ev.known = (ev.known | OOMTRACE_E_TOTALPAGES) & ~(uint32_t)OOMTRACE_E_TOTALPAGES_DERIVED;
	oomtrace_derive_totalpages(&ev, root, 4096);
	ck_assert_uint_eq(ev.totalpages, 5);
	ck_assert(!(ev.known & OOMTRACE_E_TOTALPAGES_DERIVED));
	/* global: RAM + swap */
	oomtrace_event_init(&ev);
	ev.constraint = OOMTRACE_CONSTRAINT_NONE;
	ev.known |= OOMTRACE_E_CONSTRAINT;
	oomtrace_derive_totalpages(&ev, root, 4096);
	ck_assert_uint_eq(ev.totalpages, (8000000 + 1048576) / 4);
	/* v1: swap is memsw - limit, and none with swappiness 0 */
	put(root, "/sys/fs/cgroup/memory/b/memory.limit_in_bytes", "67108864\n");
	put(root, "/sys/fs/cgroup/memory/b/memory.memsw.limit_in_bytes", "100663296\n");
	put(root, "/sys/fs/cgroup/memory/b/memory.swappiness", "60\n");
	oomtrace_event_init(&ev);
	ev.constraint = OOMTRACE_CONSTRAINT_MEMCG;
	strcpy(ev.oom_memcg, "/b");
	ev.known |= OOMTRACE_E_CONSTRAINT | OOMTRACE_E_OOM_MEMCG;
	oomtrace_derive_totalpages(&ev, root, 4096);
	ck_assert_uint_eq(ev.totalpages, 16384 + 8192);
	put(root, "/sys/fs/cgroup/memory/b/memory.swappiness", "0\n");
	ev.known &= ~(uint32_t)(OOMTRACE_E_TOTALPAGES | OOMTRACE_E_TOTALPAGES_DERIVED);
	oomtrace_derive_totalpages(&ev, root, 4096);
	ck_assert_uint_eq(ev.totalpages, 16384);
	/* cpuset: not derived */
	oomtrace_event_init(&ev);
	ev.constraint = OOMTRACE_CONSTRAINT_CPUSET;
	ev.known |= OOMTRACE_E_CONSTRAINT;
	oomtrace_derive_totalpages(&ev, root, 4096);
	ck_assert(!(ev.known & OOMTRACE_E_TOTALPAGES));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The kernel's report joined to a live event: only what the probe lacks, by group. */
START_TEST(kmsg_join_apply)
{
	struct oomtrace_event rep, ev;
	struct oomtrace_task_row row = {.known = OOMTRACE_R_RSS, .pid = 4242, .rss_pages = 16556};
	int64_t v;

	oomtrace_event_init(&rep);
	rep.victim.pid = 4242;
	rep.victim.known =
	    OOMTRACE_T_PID | OOMTRACE_T_ANON_RSS | OOMTRACE_T_UID | OOMTRACE_T_CGROUP;
	rep.victim.anon_rss_kb = 65280;
	rep.victim.uid = 1000;
	strcpy(rep.victim.cgroup, "/from/log");
	rep.trigger.pid = 4242;
	rep.trigger.oom_score_adj = 500;
	rep.trigger.known = OOMTRACE_T_PID | OOMTRACE_T_OOM_SCORE_ADJ;
	rep.constraint = OOMTRACE_CONSTRAINT_MEMCG;
	strcpy(rep.oom_memcg, "/x");
	rep.gfp_mask = 0xcc0;
	strcpy(rep.gfp_flags, "GFP_KERNEL");
	rep.order = 0;
	rep.known |= OOMTRACE_E_CONSTRAINT | OOMTRACE_E_OOM_MEMCG | OOMTRACE_E_GFP_MASK |
		     OOMTRACE_E_GFP_FLAGS | OOMTRACE_E_ORDER;
	oomtrace_kvset_set(&rep.ctx.memcg_stat, "rss", 3, 66920448);
	oomtrace_context_add_task(&rep.ctx, &row);
	/* the report's call trace, and what it proves */
	rep.trigger.kstack.n = 2;
	strcpy(rep.trigger.kstack.f[0].function, "dump_stack_lvl");
	strcpy(rep.trigger.kstack.f[1].function, "do_anonymous_page");
	rep.trigger.kstack.f[0].reliable = rep.trigger.kstack.f[1].reliable = true;
	rep.alloc_class = OOMTRACE_ALLOC_ANON_FAULT;
	strcpy(rep.alloc_frame, "do_anonymous_page");
	rep.known |= OOMTRACE_E_ALLOCATION;
	/* a tp_btf event: victim read in the kernel, nothing of oom_control */
	oomtrace_event_init(&ev);
	ev.victim.pid = 4242;
	ev.victim.known = OOMTRACE_T_PID | OOMTRACE_T_ANON_RSS | OOMTRACE_T_UID | OOMTRACE_T_CGROUP;
	ev.victim.anon_rss_kb = 65276; /* the probe's own read wins */
	ev.victim.uid = 1000;
	strcpy(ev.victim.cgroup, "/from/bpf");
	ev.trigger.pid = 4242;
	ev.trigger.known = OOMTRACE_T_PID;
	oomtrace_kjoin_apply(&rep, &ev);
	ck_assert_int_eq(ev.constraint, OOMTRACE_CONSTRAINT_MEMCG);
	ck_assert_str_eq(ev.oom_memcg, "/x");
	ck_assert_uint_eq(ev.gfp_mask, 0xcc0);
	ck_assert_int_eq(ev.order, 0);
	ck_assert(ev.known & OOMTRACE_E_ORDER);
	ck_assert_uint_eq(ev.victim.anon_rss_kb, 65276);
	ck_assert_str_eq(ev.victim.cgroup, "/from/bpf");
	ck_assert_int_eq(ev.trigger.oom_score_adj, 500);
	ck_assert(oomtrace_kvset_get(&ev.ctx.memcg_stat, "rss", &v));
	ck_assert_uint_eq(ev.ctx.ntop, 1);
	ck_assert_uint_eq(ev.trigger.kstack.n, 2);
	ck_assert_str_eq(ev.trigger.kstack.f[1].function, "do_anonymous_page");
	ck_assert(ev.known & OOMTRACE_E_ALLOCATION);
	ck_assert_int_eq(ev.alloc_class, OOMTRACE_ALLOC_ANON_FAULT);
	ck_assert_str_eq(ev.alloc_frame, "do_anonymous_page");
	ck_assert_uint_eq(ev.from_kmsg, OOMTRACE_K_OOM_CONTROL | OOMTRACE_K_CPUSET |
					    OOMTRACE_K_TRIGGER | OOMTRACE_K_MEMCG |
					    OOMTRACE_K_TASKS | OOMTRACE_K_STACK);
	/* the report's memory.oom.group line: the probe's own role gives way to it */
	ck_assert(!(ev.known & OOMTRACE_E_ROLE));
	rep.victim_role = OOMTRACE_ROLE_OOM_GROUP;
	rep.known |= OOMTRACE_E_ROLE;
	ev.victim_role = OOMTRACE_ROLE_PID_NS_CHILD;
	ev.known |= OOMTRACE_E_ROLE;
	oomtrace_kjoin_apply(&rep, &ev);
	ck_assert_int_eq(ev.victim_role, OOMTRACE_ROLE_OOM_GROUP);
	/* a fentry event already has oom_control; another trigger's facts are never taken */
	oomtrace_event_init(&ev);
	ev.victim.pid = 4242;
	ev.victim.known = OOMTRACE_T_PID;
	ev.constraint = OOMTRACE_CONSTRAINT_CPUSET;
	ev.known |= OOMTRACE_E_CONSTRAINT | OOMTRACE_E_OOM_MEMCG | OOMTRACE_E_GFP_MASK |
		    OOMTRACE_E_GFP_FLAGS | OOMTRACE_E_ORDER;
	ev.trigger.pid = 99;
	ev.trigger.known = OOMTRACE_T_PID;
	oomtrace_kjoin_apply(&rep, &ev);
	ck_assert_int_eq(ev.constraint, OOMTRACE_CONSTRAINT_CPUSET);
	ck_assert(!(ev.trigger.known & OOMTRACE_T_OOM_SCORE_ADJ));
	ck_assert_uint_eq(ev.victim.anon_rss_kb, 65280);
	ck_assert_uint_eq(ev.trigger.kstack.n, 0); /* another trigger's stack is not this one's */
	ck_assert(!(ev.known & OOMTRACE_E_ALLOCATION));
	ck_assert_uint_eq(ev.from_kmsg, OOMTRACE_K_VICTIM | OOMTRACE_K_MEMCG | OOMTRACE_K_TASKS);
}
END_TEST

/* live/live.c: kills get invocations; a reaper report finds its kill */
START_TEST(live_invocations_and_reaper)
{
	struct oomtrace_live lv;
	struct oomtrace_event ev;

	oomtrace_live_init(&lv, OOMTRACE_SOURCE_LIBBPF, 0);
	/* two victims of one trigger within a millisecond: one memory.oom.group invocation */
	oomtrace_live_stamp(&lv, &ev, 1000000, OOMTRACE_PROBE_TP_BTF);
	ev.trigger.pid = 99999990;
	ev.trigger.known |= OOMTRACE_T_PID;
	ev.victim.pid = 11;
	strcpy(ev.victim.comm, "a");
	ev.victim.known |= OOMTRACE_T_PID | OOMTRACE_T_COMM;
	oomtrace_live_finish_kill(&lv, &ev, 1000000, 0);
	ck_assert_uint_eq(ev.invocation, 1);
	ck_assert_int_eq(ev.outcome, OOMTRACE_OUTCOME_KILLED);
	ck_assert(ev.known & OOMTRACE_E_TIME);
	ev.victim.pid = 12;
	strcpy(ev.victim.comm, "b");
	oomtrace_live_finish_kill(&lv, &ev, 1500000, 0);
	ck_assert_uint_eq(ev.invocation, 1);
	/* the same trigger a second later: a new invocation */
	oomtrace_live_finish_kill(&lv, &ev, 2000000000ULL, 0);
	ck_assert_uint_eq(ev.invocation, 2);
	/*
	 * the kernel's id groups kills but never numbers them: kernel id 1 must not
	 * collide with the user-space 1 above; two kills of kernel id 1 share one number
	 */
	oomtrace_live_finish_kill(&lv, &ev, 2100000000ULL, 1);
	ck_assert_uint_eq(ev.invocation, 3);
	oomtrace_live_finish_kill(&lv, &ev, 2100000100ULL, 1);
	ck_assert_uint_eq(ev.invocation, 3);
	oomtrace_live_finish_kill(&lv, &ev, 2200000000ULL, 2);
	ck_assert_uint_eq(ev.invocation, 4);
	/* and a kill without a kernel id right after, by the same trigger, is its own invocation */
	oomtrace_live_finish_kill(&lv, &ev, 2200000100ULL, 0);
	ck_assert_uint_eq(ev.invocation, 5);
	/* the reaper finishing pid 11, 2 s after its kill */
	oomtrace_live_stamp(&lv, &ev, 2001000000ULL, OOMTRACE_PROBE_TP_BTF);
	oomtrace_live_reap(&lv, &ev, 11, 2001000000ULL, false);
	ck_assert_int_eq(ev.record, OOMTRACE_RECORD_REAP);
	ck_assert_str_eq(ev.victim.comm, "a");
	ck_assert_uint_eq(ev.invocation, 1);
	ck_assert_uint_eq(ev.reap_latency_us, 2000000);
	/* an unknown pid: a bare report, no latency */
	oomtrace_live_stamp(&lv, &ev, 3000000000ULL, OOMTRACE_PROBE_TP_BTF);
	oomtrace_live_reap(&lv, &ev, 4242, 3000000000ULL, true);
	ck_assert(ev.reap_skipped);
	ck_assert(!(ev.known & OOMTRACE_E_REAP_LATENCY));
	ck_assert(!(ev.victim.known & OOMTRACE_T_COMM));
}
END_TEST

START_TEST(kill_record_to_event)
{
	struct oomtrace_kill_wire w;
	struct oomtrace_event ev;

	memset(&w, 0, sizeof(w));
	w.kind = W_KILL;
	w.ts_ns = 5000000000ULL;
	w.victim_pid = 31;
	strcpy(w.victim_comm, "hog");
	w.trigger_pid = 32;
	w.trigger_tgid = 30;
	strcpy(w.trigger_comm, "java");
	w.flags = WF_MM | WF_UID | WF_OC | WF_POINTS | WF_CONSTRAINT;
	w.anon_kb = 65280;
	w.victim_uid = 7;
	w.totalpages = 16384;
	w.constraint = 3;
	w.sig_seen = 1; /* and no SIGKILL from this task to the victim: it was exiting */
	oomtrace_event_init(&ev);
	oomtrace_kill_to_event(&w, &ev);
	ck_assert_int_eq(ev.victim.pid, 31);
	ck_assert_str_eq(ev.victim.comm, "hog");
	ck_assert_uint_eq(ev.victim.anon_rss_kb, 65280);
	ck_assert_uint_eq(ev.victim.uid, 7);
	ck_assert(!(ev.victim.known & OOMTRACE_T_OOM_SCORE_ADJ));
	ck_assert_int_eq(ev.trigger.tgid, 30);
	ck_assert_uint_eq(ev.totalpages, 16384);
	ck_assert_int_eq(ev.constraint, OOMTRACE_CONSTRAINT_MEMCG);
	ck_assert(ev.known & OOMTRACE_E_POINTS);
	ck_assert(ev.known & OOMTRACE_E_EXITING);
	ck_assert(!(ev.known & OOMTRACE_E_OOM_MEMCG_ID));
	/* the memory cgroup ids are carried for user space to resolve, never dropped */
	w.flags |= WF_OOM_MEMCG_CGID | WF_VICTIM_CGID;
	w.oom_memcg_cgid = 4711;
	w.victim_cgid = 4712;
	oomtrace_event_init(&ev);
	oomtrace_kill_to_event(&w, &ev);
	ck_assert(ev.known & OOMTRACE_E_OOM_MEMCG_ID);
	ck_assert_uint_eq(ev.oom_memcg_id, 4711);
	ck_assert(ev.victim.known & OOMTRACE_T_CGROUP_ID);
	ck_assert_uint_eq(ev.victim.cgroup_id, 4712);
	/* a constraint the kernel's enum oom_constraint does not have is not taken */
	w.constraint = 4;
	oomtrace_event_init(&ev);
	oomtrace_kill_to_event(&w, &ev);
	ck_assert(!(ev.known & OOMTRACE_E_CONSTRAINT));
	w.constraint = 0;
	oomtrace_event_init(&ev);
	oomtrace_kill_to_event(&w, &ev);
	ck_assert_int_eq(ev.constraint, OOMTRACE_CONSTRAINT_NONE);
	/* the points only with their flag */
	w.flags &= ~(unsigned int)WF_POINTS;
	oomtrace_event_init(&ev);
	oomtrace_kill_to_event(&w, &ev);
	ck_assert(!(ev.known & OOMTRACE_E_POINTS));
	ck_assert(ev.known & OOMTRACE_E_TOTALPAGES);
	w.sig_target = 31;
	w.sig_ts_ns = w.ts_ns - 5000;
	oomtrace_event_init(&ev);
	oomtrace_kill_to_event(&w, &ev);
	ck_assert(!(ev.known & OOMTRACE_E_EXITING));
	/* the victim's pid namespace: its role follows, only with the flag */
	ck_assert(!(ev.known & OOMTRACE_E_ROLE));
	w.flags |= WF_NS;
	w.victim_ns_pid = 1;
	w.victim_ns_level = 2;
	oomtrace_event_init(&ev);
	oomtrace_kill_to_event(&w, &ev);
	ck_assert_int_eq(ev.victim.ns_pid, 1);
	ck_assert_uint_eq(ev.victim.ns_level, 2);
	ck_assert_int_eq(ev.victim_role, OOMTRACE_ROLE_PID_NS_INIT);
	w.victim_ns_pid = 7;
	oomtrace_event_init(&ev);
	oomtrace_kill_to_event(&w, &ev);
	ck_assert_int_eq(ev.victim_role, OOMTRACE_ROLE_PID_NS_CHILD);
	w.victim_ns_pid = 31;
	w.victim_ns_level = 0;
	oomtrace_event_init(&ev);
	oomtrace_kill_to_event(&w, &ev);
	ck_assert_int_eq(ev.victim_role, OOMTRACE_ROLE_HOST_PID_NS);
}
END_TEST

/* memory.oom.group from a fake cgroup2 tree, as mem_cgroup_get_oom_group() walks it */
START_TEST(oom_group_walk)
{
	char root[] = "/tmp/oomtrace-grp-XXXXXX", cmd[600];

	ck_assert_ptr_nonnull(mkdtemp(root));
	put(root, "/sys/fs/cgroup/cgroup.controllers", "cpu io memory pids\n");
	put(root, "/sys/fs/cgroup/a/memory.oom.group", "0\n");
	put(root, "/sys/fs/cgroup/a/b/memory.oom.group", "1\n");
	put(root, "/sys/fs/cgroup/a/b/c/memory.oom.group", "0\n");
	put(root, "/sys/fs/cgroup/x/memory.oom.group", "0\n");
	put(root, "/sys/fs/cgroup/x/y/memory.oom.group", "0\n");
	/* set on an ancestor within the domain: the whole group */
	ck_assert_int_eq(oomtrace_memcg_oom_group(root, "/a/b/c", "/a"), 1);
	ck_assert_int_eq(oomtrace_memcg_oom_group(root, "/a/b/c", "/"), 1);
	ck_assert_int_eq(oomtrace_memcg_oom_group(root, "/a/b", "/a/b"), 1);
	/* set only above the domain: not this OOM's group */
	ck_assert_int_eq(oomtrace_memcg_oom_group(root, "/a/b/c", "/a/b/c"), 0);
	ck_assert_int_eq(oomtrace_memcg_oom_group(root, "/x/y", "/"), 0);
	/* not under the domain (a sibling whose name is its prefix), gone, v1: cannot tell */
	ck_assert_int_eq(oomtrace_memcg_oom_group(root, "/a/bb", "/a/b"), -1);
	ck_assert_int_eq(oomtrace_memcg_oom_group(root, "/gone", "/"), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(root, "/tmp/oomtrace-grp-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	put(root, "/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
	ck_assert_int_eq(oomtrace_memcg_oom_group(root, "/a", "/"), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/*
 * Kills by one trigger within 1 ms are one invocation (a memory.oom.group
 * kill), where no kernel id says so: at the edge of the window, and by
 * trigger.
 */
START_TEST(live_grouping_window)
{
	struct oomtrace_live lv;
	struct oomtrace_event ev;

	oomtrace_live_init(&lv, OOMTRACE_SOURCE_BCC, 0);
	oomtrace_live_stamp(&lv, &ev, 5000000000ULL, OOMTRACE_PROBE_TRACEPOINT);
	ev.trigger.pid = 777;
	ev.trigger.known |= OOMTRACE_T_PID;
	ev.victim.pid = 21;
	ev.victim.known |= OOMTRACE_T_PID;
	oomtrace_live_finish_kill(&lv, &ev, 5000000000ULL, 0);
	ck_assert_uint_eq(ev.invocation, 1);
	oomtrace_live_finish_kill(&lv, &ev, 5000999000ULL, 0); /* 0.999 ms later: the same call */
	ck_assert_uint_eq(ev.invocation, 1);
	oomtrace_live_finish_kill(&lv, &ev, 5002100000ULL, 0); /* 1.1 ms after that: another */
	ck_assert_uint_eq(ev.invocation, 2);
	ev.trigger.pid = 778; /* at once, by another task: another call */
	oomtrace_live_finish_kill(&lv, &ev, 5002100001ULL, 0);
	ck_assert_uint_eq(ev.invocation, 3);
	ev.trigger.known &= ~(uint32_t)OOMTRACE_T_PID; /* a trigger not known: not the last one */
	oomtrace_live_finish_kill(&lv, &ev, 5002100002ULL, 0);
	ck_assert_uint_eq(ev.invocation, 4);
}
END_TEST

/*
 * Kernel stack addresses named as the kernel's report names them: the nearest symbol at or below
 * (a return address looked up less 1), offset from it, size to the next symbol; modules; the
 * text fed in pieces cut anywhere a line ends; the tracer's own frames left off the innermost
 * end; an address hidden (kptr_restrict) or not in the text named by its value.
 */
START_TEST(ksyms_name_a_stack)
{
	static const char text[] =
	    "ffffffff81000000 T _stext\n"
	    "ffffffff81100000 t bpf_trace_run1\n"
	    "ffffffff81100200 T __traceiter_mark_victim\n"
	    "ffffffff81100300 t mark_oom_victim\n"
	    "ffffffff81100400 T oom_kill_process\n"
	    "ffffffff81100590 t oom_kill_process.cold\n"
	    "ffffffff8110061a t out_of_memory\n"
	    "ffffffff81100bea D some_data\n"
	    "0000000000000000 t hidden_one\n"
	    "not a kallsyms line at all\n"
	    "ffffffffc0a01000 t xfs_alloc_page\t[xfs]\n"
	    "ffffffffc0a01200 t xfs_next\t[xfs]\n"
	    "ffffffffc0b00000 t bpf_prog_6deef7357e7b4530_tp_mark_victim\t[bpf]\n";
	const uint64_t ips[] = {
	    0xffffffffc0b00040ULL, /* the BPF program: the tracer's */
	    0xffffffff81100010ULL, /* bpf_trace_run1: the tracer's */
	    0xffffffff811003baULL, /* mark_oom_victim+0xba */
	    0xffffffff81100590ULL, /* a call that ends oom_kill_process: oom_kill_process+0x190 */
	    0xffffffff81100600ULL, /* oom_kill_process.cold+0x70, folded */
	    0xffffffff81100855ULL, /* out_of_memory+0x23b/0x5d0 (the next start is some_data) */
	    0xffffffffc0a01088ULL, /* xfs_alloc_page+0x88/0x200 [xfs] */
	    0x0000000000001234ULL, /* nothing names it */
	};
	const unsigned int n = sizeof(ips) / sizeof(ips[0]);
	struct oomtrace_ksym_q q[8];
	struct oomtrace_stack st;
	size_t cut, at;
	unsigned int i;

	/* every way of cutting the text at a line's end gives the same answer */
	for (cut = 0; cut < sizeof(text) - 1; cut++) {
		if (cut && text[cut - 1] != '\n')
			continue;
		memset(q, 0, sizeof(q));
		for (i = 0; i < n; i++) {
			q[i].key = i ? ips[i] - 1 : ips[i];
			q[i].above = UINT64_MAX;
		}
		oomtrace_ksyms_feed(q, n, text, cut);
		oomtrace_ksyms_settle(q, n);
		at = cut;
		oomtrace_ksyms_feed(q, n, text + at, sizeof(text) - 1 - at);
		oomtrace_ksyms_settle(q, n);
		oomtrace_ksyms_frames(ips, q, n, &st);
		ck_assert_uint_eq(st.n, 6);
		ck_assert_str_eq(st.f[0].function, "mark_oom_victim");
		ck_assert_uint_eq(st.f[0].offset, 0xba);
		ck_assert_uint_eq(st.f[0].size, 0x100);
		ck_assert_str_eq(st.f[1].function, "oom_kill_process");
		ck_assert_uint_eq(st.f[1].offset, 0x190);
		ck_assert_uint_eq(st.f[1].size, 0x190);
		ck_assert_str_eq(st.f[2].function, "oom_kill_process"); /* .cold folded */
		ck_assert_uint_eq(st.f[2].offset, 0x70);
		ck_assert_uint_eq(st.f[2].size, 0x8a);
		ck_assert_str_eq(st.f[3].function, "out_of_memory");
		ck_assert_uint_eq(st.f[3].offset, 0x23b);
		ck_assert_uint_eq(st.f[3].size, 0x5d0);
		ck_assert_str_eq(st.f[3].module, "");
		ck_assert_str_eq(st.f[4].function, "xfs_alloc_page");
		ck_assert_str_eq(st.f[4].module, "xfs");
		ck_assert_uint_eq(st.f[4].offset, 0x88);
		ck_assert_uint_eq(st.f[4].size, 0x200);
		ck_assert_str_eq(st.f[5].function, "0x1234");
		ck_assert_uint_eq(st.f[5].size, 0);
		ck_assert(st.f[5].reliable);
	}
	/* arm64's probe stacks begin with the call site twice: once; later repeats are kept */
	{
		const uint64_t dup[] = {0xffffffff811003baULL, 0xffffffff811003baULL,
					0xffffffff81100600ULL, 0xffffffff81100600ULL};
		struct oomtrace_ksym_q dq[4];

		memset(dq, 0, sizeof(dq));
		for (i = 0; i < 4; i++) {
			dq[i].key = i ? dup[i] - 1 : dup[i];
			dq[i].above = UINT64_MAX;
		}
		oomtrace_ksyms_feed(dq, 4, text, sizeof(text) - 1);
		oomtrace_ksyms_settle(dq, 4);
		oomtrace_ksyms_frames(dup, dq, 4, &st);
		ck_assert_uint_eq(st.n, 3);
		ck_assert_str_eq(st.f[0].function, "mark_oom_victim");
		ck_assert_str_eq(st.f[1].function, "oom_kill_process");
		ck_assert_str_eq(st.f[2].function, "oom_kill_process");
	}
	/* the lookup as the kernel's reports do it: x86 a return address less 1, others as is */
#if defined(__x86_64__) || defined(__i386__)
	ck_assert_uint_eq(oomtrace_ksyms_key(0x1000, true), 0xfff);
#else
	ck_assert_uint_eq(oomtrace_ksyms_key(0x1000, true), 0x1000);
#endif
	ck_assert_uint_eq(oomtrace_ksyms_key(0x1000, false), 0x1000);
	/* a kprobe at a function's entry on arm64: its caller, from the link register */
	{
		uint64_t a[4] = {0x10, 0x30, 0x40, 0};

		ck_assert_uint_eq(oomtrace_ksyms_add_caller(a, 3, 4, 0x20), 4);
		ck_assert_uint_eq(a[0], 0x10);
		ck_assert_uint_eq(a[1], 0x20);
		ck_assert_uint_eq(a[2], 0x30);
		ck_assert_uint_eq(a[3], 0x40);
		ck_assert_uint_eq(oomtrace_ksyms_add_caller(a, 4, 4, 0x20), 4); /* there already */
		ck_assert_uint_eq(oomtrace_ksyms_add_caller(a, 4, 4, 0), 4);
		ck_assert_uint_eq(oomtrace_ksyms_add_caller(a, 4, 4, 0x15),
				  4); /* full: last goes */
		ck_assert_uint_eq(a[1], 0x15);
		ck_assert_uint_eq(a[2], 0x20);
		ck_assert_uint_eq(a[3], 0x30);
	}
}
END_TEST

/* A kallsyms text in a file of its own (@path: a mkstemp template), opened as /proc/kallsyms is. */
static struct oomtrace_ksyms *fake_kallsyms(char *path, const char *text, size_t len)
{
	int fd = mkstemp(path);
	struct oomtrace_ksyms *k;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	k = oomtrace_ksyms_open_path(path);
	ck_assert_ptr_nonnull(k);
	return k;
}

/*
 * The text is read again only for what was not named before: the kernel's own text and BPF
 * programs are kept, another module's name is read every time (it may be unloaded and its
 * place reused).
 */
START_TEST(ksyms_read_once_per_new_name)
{
	static const char text[] = "ffffffff81100300 t mark_oom_victim\n"
				   "ffffffff81100400 T oom_kill_process\n"
				   "ffffffff8110061a t out_of_memory\n"
				   "ffffffff81100bea t next_one\n"
				   "ffffffffc0a01000 t xfs_alloc_page\t[xfs]\n"
				   "ffffffffc0a01200 t xfs_next\t[xfs]\n"
				   "ffffffffc0b00000 t bpf_prog_6deef7357e7b4530_x\t[bpf]\n"
				   "ffffffffc0b00800 t bpf_prog_00000000000000ff_y\t[bpf]\n";
	const uint64_t core[] = {0xffffffffc0b00040ULL, 0xffffffff811003baULL,
				 0xffffffff81100470ULL, 0xffffffff81100855ULL};
	const uint64_t mod[] = {0xffffffff811003baULL, 0xffffffffc0a01088ULL};
	char path[] = "/tmp/oomtrace-ksyms-XXXXXX";
	struct oomtrace_ksyms *k;
	struct oomtrace_stack st;

	k = fake_kallsyms(path, text, sizeof(text) - 1);
	ck_assert_int_eq(oomtrace_ksyms_stack(k, core, 4, &st), 0);
	ck_assert_uint_eq(oomtrace_ksyms_reads(k), 1);
	ck_assert_uint_eq(st.n, 3); /* the BPF program left off */
	ck_assert_str_eq(st.f[2].function, "out_of_memory");
	ck_assert_uint_eq(st.f[2].size, 0x5d0);
	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(oomtrace_ksyms_stack(k, core, 4, &st), 0);
	ck_assert_uint_eq(oomtrace_ksyms_reads(k), 1); /* all kept: nothing read */
	ck_assert_uint_eq(st.n, 3);
	ck_assert_str_eq(st.f[0].function, "mark_oom_victim");
	ck_assert_uint_eq(st.f[0].offset, 0xba);
	ck_assert_str_eq(st.f[2].function, "out_of_memory");
	ck_assert_uint_eq(st.f[2].offset, 0x23b);
	ck_assert_uint_eq(st.f[2].size, 0x5d0);
	ck_assert_int_eq(oomtrace_ksyms_stack(k, mod, 2, &st), 0);
	ck_assert_uint_eq(oomtrace_ksyms_reads(k), 2);
	ck_assert_str_eq(st.f[1].function, "xfs_alloc_page");
	ck_assert_str_eq(st.f[1].module, "xfs");
	ck_assert_int_eq(oomtrace_ksyms_stack(k, mod, 2, &st), 0);
	ck_assert_uint_eq(oomtrace_ksyms_reads(k), 3); /* a module's: read again */
	ck_assert_str_eq(st.f[1].function, "xfs_alloc_page");
	oomtrace_ksyms_close(k);
	unlink(path);
}
END_TEST

/*
 * Learned at the start: the functions an OOM's path goes through, from the kernel's own sorted
 * text (aliases: the first; a module's: not). The first kill's stack is then named without a
 * pass, its BPF program (outside the kernel's text, innermost) left off unnamed.
 */
START_TEST(ksyms_prewarm)
{
	static const char text[] = "ffffffff81000000 T _stext\n"
				   "ffffffff81100300 t mark_oom_victim\n"
				   "ffffffff81100400 T oom_kill_process\n"
				   "ffffffff81100400 T oom_kill_process_alias\n"
				   "ffffffff81100590 t oom_kill_process.cold\n"
				   "ffffffff8110061a t out_of_memory\n"
				   "ffffffff81100bea t not_on_any_path\n"
				   "ffffffff81100c00 t __handle_mm_fault\n"
				   "ffffffff81101000 T _etext\n"
				   "ffffffffc0a01000 t xfs_alloc_page\t[xfs]\n"
				   "ffffffffc0b00000 t bpf_prog_6deef7357e7b4530_x\t[bpf]\n";
	const uint64_t ips[] = {0xffffffffc0b00040ULL, 0xffffffff811003baULL, 0xffffffff81100470ULL,
				0xffffffff81100855ULL, 0xffffffff81100c10ULL};
	char path[] = "/tmp/oomtrace-ksyms-XXXXXX";
	struct oomtrace_ksyms *k;
	struct oomtrace_stack st;

	k = fake_kallsyms(path, text, sizeof(text) - 1);
	/* mark_oom_victim, oom_kill_process (not its alias), .cold, out_of_memory, the fault */
	ck_assert_int_eq(oomtrace_ksyms_prewarm(k), 5);
	ck_assert_uint_eq(oomtrace_ksyms_reads(k), 1);
	ck_assert_int_eq(oomtrace_ksyms_stack(k, ips, 5, &st), 0);
	ck_assert_uint_eq(oomtrace_ksyms_reads(k), 1); /* nothing read for the first kill */
	ck_assert_uint_eq(st.n, 4);		       /* the BPF program left off */
	ck_assert_str_eq(st.f[0].function, "mark_oom_victim");
	ck_assert_uint_eq(st.f[0].size, 0x100);
	ck_assert_str_eq(st.f[1].function, "oom_kill_process");
	ck_assert_uint_eq(st.f[1].size, 0x190);
	ck_assert_str_eq(st.f[2].function, "out_of_memory");
	ck_assert_uint_eq(st.f[2].size, 0x5d0);
	ck_assert_str_eq(st.f[3].function, "__handle_mm_fault");
	ck_assert_uint_eq(st.f[3].size, 0x400);
	oomtrace_ksyms_close(k);
	unlink(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("live");
	TCase *t = tcase_create("shared");

	tcase_add_test(t, kill_record_to_event);
	tcase_add_test(t, live_invocations_and_reaper);
	tcase_add_test(t, live_grouping_window);
	tcase_add_test(t, context_from_fake_root);
	tcase_add_test(t, cgroup_path_by_id);
	tcase_add_test(t, totalpages_derived);
	tcase_add_test(t, kmsg_join_apply);
	tcase_add_test(t, ksyms_name_a_stack);
	tcase_add_test(t, ksyms_read_once_per_new_name);
	tcase_add_test(t, ksyms_prewarm);
	tcase_add_test(t, oom_group_walk);
	suite_add_tcase(s, t);
	return run_suite(s);
}
