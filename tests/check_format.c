// SPDX-License-Identifier: GPL-2.0-or-later
/* check_format.c: formatters (golden lines), the JSON form of an event and its reading back, UTF-8 and time helpers. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "helpers.h"

#include "cgroup.h"
#include "context.h"
#include "event_json.h"
#include "format.h"
#include "kjoin.h"
#include "util.h"

static const char *render(const char *fmt, struct oomtrace_event *ev, unsigned int flags)
{
	static struct oomtrace_buf b;
	struct oomtrace_out_event oe = { .ev = ev };

	oomtrace_buf_reset(&b);
	ck_assert_int_eq(oomtrace_format_find(fmt)->event(&b, &oe, flags), 0);
	json_object_put(oe.json);
	return b.p ? b.p : "";
}

/* The first event of the seed article's BCC oomkill output, as facts. */
static void seed_event(struct oomtrace_event *ev)
{
	oomtrace_event_init(ev);
	ev->known = OOMTRACE_E_TIME | OOMTRACE_E_TOTALPAGES;
	ev->time_us = (oomtrace_days_from_civil(2025, 5, 11) * 86400 + 7 * 3600 + 41 * 60 + 14) * 1000000LL;
	ev->tz_off_s = 8 * 3600;
	ev->totalpages = 1704429;
	ev->trigger.known = OOMTRACE_T_PID | OOMTRACE_T_COMM;
	ev->trigger.pid = 1039;
	strcpy(ev->trigger.comm, "oeaware");
	ev->victim.known = OOMTRACE_T_PID | OOMTRACE_T_COMM;
	ev->victim.pid = 39693;
	strcpy(ev->victim.comm, "stress-ng");
	ev->ctx.known = OOMTRACE_C_LOADAVG;
	strcpy(ev->ctx.loadavg, "4.34 2.87 1.77 6/396 39695");
	ev->source = OOMTRACE_SOURCE_LIBBPF;
	ev->probe = OOMTRACE_PROBE_TP_BTF;
}

START_TEST(grow_doubles_and_refuses_overflow)
{
	size_t cap = 0, i;
	int *a = NULL, *p;

	for (i = 0; i < 40; i++) {
		p = oomtrace_grow(a, &cap, i, sizeof(*a));
		ck_assert_ptr_nonnull(p);
		a = p;
		a[i] = (int)i; /* room for element i */
		ck_assert_uint_eq(cap, i < 16 ? 16 : i < 32 ? 32 : 64);
	}
	for (i = 0; i < 40; i++)
		ck_assert_int_eq(a[i], (int)i);
	ck_assert_ptr_eq(oomtrace_grow(a, &cap, 10, sizeof(*a)), a); /* room already */
	cap = 64;
	ck_assert_ptr_null(oomtrace_grow(a, &cap, 64, SIZE_MAX / 64)); /* would overflow */
	ck_assert_uint_eq(cap, 64);
	free(a);
}
END_TEST

START_TEST(classic_line_matches_bcc_oomkill)
{
	struct oomtrace_event ev;

	seed_event(&ev);
	/* byte for byte the line from the article's /usr/share/bcc/tools/oomkill run */
	ck_assert_str_eq(render("bcc", &ev, 0),
			 "15:41:14 Triggered by PID 1039 (\"oeaware\"), OOM kill of PID 39693 "
			 "(\"stress-ng\"), 1704429 pages, loadavg: 4.34 2.87 1.77 6/396 39695\n");
	ck_assert_str_eq(render("text", &ev, 0), render("bcc", &ev, 0));
	/* -v adds indented details after the same first line */
	{
		const char *head = "15:41:14 Triggered by PID 1039 (\"oeaware\"), OOM kill of PID 39693";

		ck_assert(strncmp(render("text", &ev, OOMTRACE_FMT_VERBOSE), head, strlen(head)) == 0);
	}
	ck_assert_ptr_nonnull(strstr(render("text", &ev, OOMTRACE_FMT_VERBOSE),
				     "\n    victim: pid 39693 (\"stress-ng\")"));
	ck_assert_ptr_nonnull(strstr(render("text", &ev, OOMTRACE_FMT_VERBOSE),
				     "domain size 1704429 pages (memory that ran out, not the victim's)"));
}
END_TEST

START_TEST(unknown_facts)
{
	struct oomtrace_event ev;
	const char *j;

	oomtrace_event_init(&ev);
	ev.seq = 1;
	ck_assert_str_eq(render("bcc", &ev, 0),
			 "? Triggered by PID ? (\"unknown\"), OOM report cut off before its kill, ? pages, loadavg: ?\n");
	j = render("json", &ev, 0);
	ck_assert_ptr_nonnull(strstr(j, "\"time\":null"));
	ck_assert_ptr_nonnull(strstr(j, "\"totalpages\":null"));
	ck_assert_ptr_nonnull(strstr(j, "\"victim\":{\"pid\":null,\"tgid\":null,\"comm\":null,\"uid\":null"));
	ck_assert_ptr_nonnull(strstr(j, "\"constraint\":null"));
	ck_assert_ptr_null(strstr(j, ":0,")); /* nothing unknown became 0 */
	ck_assert_ptr_nonnull(strstr(j, "\"schema\":1"));
}
END_TEST

START_TEST(json_shape_and_round_trip)
{
	struct oomtrace_event ev, back;
	json_object *o;
	char *first;
	char err[128];

	seed_event(&ev);
	ev.victim.known |= OOMTRACE_T_ANON_RSS | OOMTRACE_T_CGROUP;
	ev.victim.anon_rss_kb = 1896300;
	strcpy(ev.victim.cgroup, "/system.slice/a b.service");
	ev.known |= OOMTRACE_E_CONSTRAINT | OOMTRACE_E_UPTIME | OOMTRACE_E_TIME_SUBSEC;
	ev.constraint = OOMTRACE_CONSTRAINT_MEMCG;
	ev.uptime_ns = 128109667123ULL;
	ev.time_us += 123456;
	oomtrace_kvset_set(&ev.ctx.meminfo_kb, "MemTotal", 8, 6817716);
	ev.from_kmsg = OOMTRACE_K_OOM_CONTROL | OOMTRACE_K_TASKS;
	ev.seq = 7;
	first = strdup(render("json", &ev, 0));
	ck_assert_ptr_nonnull(strstr(first, "\"time\":\"2025-05-11T15:41:14.123456+08:00\""));
	ck_assert_ptr_nonnull(strstr(first, "\"uptime_s\":128.109667,"));
	ck_assert_ptr_nonnull(strstr(first, "\"constraint\":\"memcg\""));
	ck_assert_ptr_nonnull(strstr(first, "\"cgroup\":\"/system.slice/a b.service\""));
	ck_assert_ptr_nonnull(strstr(first, "\"meminfo_kb\":{\"MemTotal\":6817716}"));
	ck_assert_ptr_nonnull(strstr(first, "\"source\":\"libbpf\",\"probe\":\"tp_btf\""));
	ck_assert_ptr_nonnull(strstr(first, "\"from_kmsg\":[\"oom_control\",\"top_tasks\"],\"partial\""));
	o = json_tokener_parse(first);
	ck_assert_int_eq(oomtrace_event_from_json(o, &back, err, sizeof(err)), 0);
	json_object_put(o);
	ck_assert_str_eq(render("json", &back, 0), first);
	free(first);
}
END_TEST

/* A live event with every fact known: nothing null, and format json -> --events -> json is identical. */
static void full_task(struct oomtrace_task *t, int32_t pid, const char *comm)
{
	t->known = 0x1fff; /* every OOMTRACE_T_* */
	t->pid = pid;
	t->tgid = pid - 1;
	t->uid = 4242;
	t->oom_score_adj = 500;
	t->total_vm_kb = 68252;
	t->anon_rss_kb = 61184;
	t->file_rss_kb = 1236;
	t->shmem_rss_kb = 4096;
	t->swap_kb = 12;
	t->pgtables_kb = 172;
	t->cgroup_id = 9001;
	strcpy(t->comm, comm);
	strcpy(t->cgroup, "/kubepods.slice/kubepods-pod1.slice/cri-containerd-abc.scope");
}

START_TEST(json_round_trip_every_field)
{
	struct oomtrace_event ev, back;
	struct oomtrace_task_row row = { .known = 0xff, .pid = 31, .uid = 4242, .tgid = 31, .oom_score_adj = 500,
					 .total_vm_pages = 17067, .rss_pages = 16556,
					 .pgtables_bytes = 176128, .swapents = 3, .name = "hog" };
	json_object *o;
	char *first, err[128];

	seed_event(&ev);
	ev.known = OOMTRACE_E_TIME | OOMTRACE_E_UPTIME | OOMTRACE_E_HOST | OOMTRACE_E_CONSTRAINT |
		   OOMTRACE_E_OOM_MEMCG | OOMTRACE_E_CPUSET | OOMTRACE_E_MEMS_ALLOWED | OOMTRACE_E_GFP_MASK |
		   OOMTRACE_E_GFP_FLAGS | OOMTRACE_E_ORDER | OOMTRACE_E_TOTALPAGES | OOMTRACE_E_REAPED |
		   OOMTRACE_E_SELECTED | OOMTRACE_E_POINTS | OOMTRACE_E_INVOCATION | OOMTRACE_E_TIME_SUBSEC |
		   OOMTRACE_E_REAP_LATENCY | OOMTRACE_E_EXITING | OOMTRACE_E_TOTALPAGES_DERIVED;
	ev.uptime_ns = 128109667000ULL;
	strcpy(ev.host, "node-7");
	full_task(&ev.trigger, 30, "java");
	full_task(&ev.victim, 31, "hog");
	ev.selected_pid = 31;
	strcpy(ev.selected_comm, "hog");
	ev.points = 1999;
	ev.constraint = OOMTRACE_CONSTRAINT_MEMCG;
	strcpy(ev.oom_memcg, "/kubepods.slice");
	strcpy(ev.cpuset, "/");
	strcpy(ev.mems_allowed, "0-1");
	ev.gfp_mask = 0xcc0;
	strcpy(ev.gfp_flags, "GFP_KERNEL");
	ev.order = 2;
	ev.invocation = 17;
	ev.reaped_anon_rss_kb = 1;
	ev.reaped_file_rss_kb = 2;
	ev.reaped_shmem_rss_kb = 3;
	ev.reap_latency_us = 2500;
	ev.from_kmsg = OOMTRACE_K_ALL;
	strcpy(ev.names.unit, "worker.service");
	strcpy(ev.names.pod_uid, "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d");
	strcpy(ev.names.qos, "burstable");
	strcpy(ev.names.container_id, "abc");
	strcpy(ev.names.runtime, "containerd");
	strcpy(ev.names.k8s_namespace, "shop");
	strcpy(ev.names.pod, "cart-0");
	strcpy(ev.names.container, "api");
	ev.ctx.known = OOMTRACE_C_LOADAVG | OOMTRACE_C_PSI_SOME | OOMTRACE_C_PSI_FULL;
	ev.ctx.psi_some.avg10 = 1.5;
	ev.ctx.psi_full.total_us = 654;
	oomtrace_kvset_set(&ev.ctx.mem_info, "active_anon", 11, 100);
	oomtrace_kvset_set(&ev.ctx.memcg, "limit_kb", 8, 65536);
	oomtrace_kvset_set(&ev.ctx.memcg_stat, "rss", 3, 66920448);
	oomtrace_kvset_set(&ev.ctx.meminfo_kb, "MemTotal", 8, 6817716);
	oomtrace_kvset_set(&ev.ctx.trigger_status, "VmRSS", 5, 1415824);
	oomtrace_context_add_task(&ev.ctx, &row);
	ev.seq = 3;
	first = strdup(render("json", &ev, 0));
	ck_assert_msg(!strstr(first, "null"), "a null in a fully known event: %s", first);
	ck_assert_ptr_nonnull(strstr(first, "\"totalpages_derived\":true"));
	ck_assert_ptr_nonnull(strstr(first, "\"from_kmsg\":[\"oom_control\",\"cpuset\",\"trigger\",\"victim\",\"memcg\",\"mem_info\",\"top_tasks\"]"));
	o = json_tokener_parse(first);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(oomtrace_event_from_json(o, &back, err, sizeof(err)), 0);
	json_object_put(o);
	ck_assert_str_eq(render("json", &back, 0), first);
	free(first);
}
END_TEST

START_TEST(json_reading_errors)
{
	static const struct {
		const char *in, *why;
	} cases[] = {
		{ "{\"seq\":1}", "field \"schema\": missing" },
		{ "{\"schema\":1,\"victim\":{\"pid\":\"x\"}}", "field \"pid\": not an integer" },
		{ "{\"schema\":1,\"victim\":{\"oom_score_adj\":5000}}", "field \"oom_score_adj\": out of range" },
		{ "{\"schema\":1,\"constraint\":\"lots\"}", "field \"constraint\": unknown constraint" },
		{ "{\"schema\":1,\"time\":\"yesterday\"}", "field \"time\": not an ISO 8601 time" },
		{ "[1,2]", "not a JSON object" },
	};
	struct oomtrace_event ev;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *o = json_tokener_parse(cases[i].in);

		ck_assert_ptr_nonnull(o);
		ck_assert_int_lt(oomtrace_event_from_json(o, &ev, err, sizeof(err)), 0);
		ck_assert_str_eq(err, cases[i].why);
		json_object_put(o);
	}
}
END_TEST

START_TEST(utf8_repair)
{
	char out[64];

	ck_assert_uint_eq(oomtrace_utf8_repair(out, sizeof(out), "ok \xe4\xb8\xad", 6), 6);
	ck_assert_str_eq(out, "ok \xe4\xb8\xad");
	oomtrace_utf8_repair(out, sizeof(out), "a\xff" "b", 3);
	ck_assert_str_eq(out, "a\xef\xbf\xbd" "b");
	oomtrace_utf8_repair(out, sizeof(out), "\xed\xa0\x80", 3); /* a surrogate */
	ck_assert_str_eq(out, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	oomtrace_utf8_repair(out, sizeof(out), "\xe4\xb8", 2); /* cut sequence */
	ck_assert_str_eq(out, "\xef\xbf\xbd\xef\xbf\xbd");
	oomtrace_utf8_repair(out, 4, "abcdef", 6); /* bounded */
	ck_assert_str_eq(out, "abc");
}
END_TEST

START_TEST(iso8601)
{
	char s[64];
	int64_t t;
	int32_t off;
	int sub;

	oomtrace_format_iso8601(s, sizeof(s), 0, -5 * 3600 - 30 * 60, 0);
	ck_assert_str_eq(s, "1969-12-31T18:30:00-05:30");
	ck_assert_int_eq(oomtrace_parse_iso8601(s, &t, &off, &sub), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(off, -5 * 3600 - 30 * 60);
	ck_assert_int_eq(sub, 0);
	ck_assert_int_eq(oomtrace_parse_iso8601("2024-02-29T23:59:59.5Z", &t, &off, &sub), 0);
	oomtrace_format_iso8601(s, sizeof(s), t, off, sub);
	ck_assert_str_eq(s, "2024-02-29T23:59:59.500000+00:00");
	oomtrace_format_hms(s, sizeof(s), t, 3600);
	ck_assert_str_eq(s, "00:59:59");
	ck_assert_int_lt(oomtrace_parse_iso8601("2024-13-01T00:00:00Z", &t, &off, &sub), 0);
	ck_assert_int_lt(oomtrace_parse_iso8601("2024-01-01T00:00:00", &t, &off, &sub), 0);
}
END_TEST

START_TEST(top_tasks_kept_sorted)
{
	struct oomtrace_context c = { 0 };
	struct oomtrace_task_row r = { 0 };
	unsigned int i;
	uint64_t max = 0;

	for (i = 0; i < 25; i++) {
		r.pid = (int32_t)i;
		r.rss_pages = (i * 7919) % 101;
		if (r.rss_pages > max)
			max = r.rss_pages;
		oomtrace_context_add_task(&c, &r);
	}
	ck_assert_uint_eq(c.ntop, OOMTRACE_TOP_TASKS);
	for (i = 1; i < c.ntop; i++)
		ck_assert_uint_ge(c.top[i - 1].rss_pages, c.top[i].rss_pages);
	ck_assert_uint_eq(c.top[0].rss_pages, max);
}
END_TEST

START_TEST(reap_records)
{
	struct oomtrace_event ev;
	json_object *o;
	struct oomtrace_event back;
	char err[128], *j;

	seed_event(&ev);
	ev.record = OOMTRACE_RECORD_REAP;
	ev.known |= OOMTRACE_E_REAP_LATENCY;
	ev.reap_latency_us = 2000123;
	ck_assert_str_eq(render("bcc", &ev, 0), "");  /* not a line the classic tool has */
	ck_assert_str_eq(render("text", &ev, 0), ""); /* details only */
	ck_assert_str_eq(render("text", &ev, OOMTRACE_FMT_VERBOSE),
			 "15:41:14 oom_reaper: PID 39693 (\"stress-ng\") reaped 2000.123 ms after the kill\n");
	j = strdup(render("json", &ev, 0));
	ck_assert_ptr_nonnull(strstr(j, "\"record\":\"reap\""));
	ck_assert_ptr_nonnull(strstr(j, "\"reap_latency_us\":2000123"));
	o = json_tokener_parse(j);
	ck_assert_int_eq(oomtrace_event_from_json(o, &back, err, sizeof(err)), 0);
	json_object_put(o);
	ck_assert_int_eq(back.record, OOMTRACE_RECORD_REAP);
	ck_assert_str_eq(render("json", &back, 0), j);
	free(j);
}
END_TEST

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
	put(root, "/proc/meminfo", "MemTotal:        6817716 kB\nMemFree:         1494936 kB\nHugePages_Total:       0\n");
	put(root, "/proc/pressure/memory", "some avg10=1.50 avg60=0.25 avg300=0.05 total=123456\nfull avg10=0.75 avg60=0.00 avg300=0.00 total=654\n");
	put(root, "/proc/1039/status", "Name:\toeaware\nVmRSS:\t  1415824 kB\nRssAnon:\t 1415760 kB\nThreads:\t1\nUid:\t0\t0\t0\t0\n");
	put(root, "/sys/fs/cgroup/system.slice/a.service/memory.max", "67108864\n");
	put(root, "/sys/fs/cgroup/system.slice/a.service/memory.current", "67100000\n");
	put(root, "/sys/fs/cgroup/system.slice/a.service/memory.events", "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\n");
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
	ck_assert(oomtrace_kvset_get(&ev.ctx.memcg, "limit_kb", &v));
	ck_assert_int_eq(v, 65536);
	ck_assert(oomtrace_kvset_get(&ev.ctx.memcg, "oom_kill", &v));
	ck_assert_int_eq(v, 2);
	/* v1, selected parts only */
	put(root, "/sys/fs/cgroup/memory/oomtest/memory.limit_in_bytes", "67108864\n");
	put(root, "/sys/fs/cgroup/memory/oomtest/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 7\n");
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
	char root[] = "/tmp/oomtrace-cg-XXXXXX", cmd[600], deep[1024], rel[900], got[1024], longname[151];
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
	/* the same name made again is another cgroup: the cached answer is not reused */
	{
		ino_t old = st.st_ino;

		ck_assert_int_eq(oomtrace_memcg_path_by_id(root, old, got, sizeof(got)), 0); /* cached */
		ck_assert_int_eq(unlink(strcat(deep, "/memory.max")), 0);
		*strrchr(deep, '/') = '\0';
		ck_assert_int_eq(rmdir(deep), 0);
		/* a file system may give the freed inode number to the next directory made */
		ck_assert_int_eq(mkdir(strcat(deep, "x"), 0755), 0);
		deep[strlen(deep) - 1] = '\0';
		ck_assert_int_eq(mkdir(deep, 0755), 0);
		ck_assert_int_eq(stat(deep, &st), 0);
		ck_assert_uint_ne(st.st_ino, old);
		if (oomtrace_memcg_path_by_id(root, old, got, sizeof(got)) == 0)
			ck_assert_str_ne(got, rel);
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
	ck_assert_uint_eq(ev.totalpages, 16384 + 8192); /* limit + swap.max, within the swap there is */
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
	struct oomtrace_task_row row = { .known = OOMTRACE_R_RSS, .pid = 4242, .rss_pages = 16556 };
	int64_t v;

	oomtrace_event_init(&rep);
	rep.victim.pid = 4242;
	rep.victim.known = OOMTRACE_T_PID | OOMTRACE_T_ANON_RSS | OOMTRACE_T_UID | OOMTRACE_T_CGROUP;
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
	ck_assert_uint_eq(ev.from_kmsg, OOMTRACE_K_OOM_CONTROL | OOMTRACE_K_CPUSET | OOMTRACE_K_TRIGGER |
					OOMTRACE_K_MEMCG | OOMTRACE_K_TASKS);
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
	ck_assert_uint_eq(ev.from_kmsg, OOMTRACE_K_VICTIM | OOMTRACE_K_MEMCG | OOMTRACE_K_TASKS);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("format");
	TCase *t = tcase_create("core");

	tcase_add_test(t, classic_line_matches_bcc_oomkill);
	tcase_add_test(t, grow_doubles_and_refuses_overflow);
	tcase_add_test(t, unknown_facts);
	tcase_add_test(t, json_shape_and_round_trip);
	tcase_add_test(t, json_round_trip_every_field);
	tcase_add_test(t, json_reading_errors);
	tcase_add_test(t, utf8_repair);
	tcase_add_test(t, iso8601);
	tcase_add_test(t, top_tasks_kept_sorted);
	tcase_add_test(t, reap_records);
	tcase_add_test(t, context_from_fake_root);
	tcase_add_test(t, cgroup_path_by_id);
	tcase_add_test(t, kmsg_join_apply);
	tcase_add_test(t, totalpages_derived);
	suite_add_tcase(s, t);
	return run_suite(s);
}
