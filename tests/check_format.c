// SPDX-License-Identifier: GPL-2.0-or-later
/* check_format.c: the renderers (golden lines), the JSON form of an event and its reading back,
 * UTF-8 and time helpers. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "helpers.h"

#include "event_json.h"
#include "format.h"
#include "jsonw.h"
#include "util.h"

static const char *render(const char *fmt, struct oomtrace_event *ev, unsigned int flags)
{
	static struct oomtrace_buf b;
	struct oomtrace_out_event oe = {.ev = ev};

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
	ev->time_us =
	    (oomtrace_days_from_civil(2025, 5, 11) * 86400 + 7 * 3600 + 41 * 60 + 14) * 1000000LL;
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
		const char *head =
		    "15:41:14 Triggered by PID 1039 (\"oeaware\"), OOM kill of PID 39693";

		ck_assert(strncmp(render("text", &ev, OOMTRACE_FMT_VERBOSE), head, strlen(head)) ==
			  0);
	}
	ck_assert_ptr_nonnull(strstr(render("text", &ev, OOMTRACE_FMT_VERBOSE),
				     "\n    victim: pid 39693 (\"stress-ng\")"));
	ck_assert_ptr_nonnull(
	    strstr(render("text", &ev, OOMTRACE_FMT_VERBOSE),
		   "domain size 1704429 pages (memory that ran out, not the victim's)"));
}
END_TEST

START_TEST(unknown_facts)
{
	struct oomtrace_event ev;
	const char *j;

	oomtrace_event_init(&ev);
	ev.seq = 1;
	ck_assert_str_eq(render("bcc", &ev, 0), "? Triggered by PID ? (\"unknown\"), OOM report "
						"cut off before its kill, ? pages, loadavg: ?\n");
	j = render("json", &ev, 0);
	ck_assert_ptr_nonnull(strstr(j, "\"time\":null"));
	ck_assert_ptr_nonnull(strstr(j, "\"totalpages\":null"));
	ck_assert_ptr_nonnull(
	    strstr(j, "\"victim\":{\"pid\":null,\"tgid\":null,\"comm\":null,\"uid\":null"));
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
	ck_assert_ptr_nonnull(
	    strstr(first, "\"from_kmsg\":[\"oom_control\",\"top_tasks\"],\"partial\""));
	o = json_tokener_parse(first);
	ck_assert_int_eq(oomtrace_event_from_json(o, &back, err, sizeof(err)), 0);
	json_object_put(o);
	ck_assert_str_eq(render("json", &back, 0), first);
	free(first);
}
END_TEST

/*
 * A live event with every fact known: nothing null, and format json ->
 * --events -> json is identical. Every value is distinct and non-zero (the
 * trigger's differ from the victim's by @k), so that a reader that drops a
 * field, or puts it in another's place, cannot give the same line back.
 */
static void full_task(struct oomtrace_task *t, int32_t pid, const char *comm, uint64_t k)
{
	memset(t, 0, sizeof(*t)); /* no bytes of an earlier comm past the new one's end */
	t->known = 0x1fff;	  /* every OOMTRACE_T_* */
	t->pid = pid;
	t->tgid = pid - 1;
	t->uid = 4242 + (uint32_t)k;
	t->oom_score_adj = 500 + (int32_t)k;
	t->total_vm_kb = 68252 + k;
	t->anon_rss_kb = 61184 + k;
	t->file_rss_kb = 1236 + k;
	t->shmem_rss_kb = 4096 + k;
	t->swap_kb = 12 + k;
	t->pgtables_kb = 172 + k;
	t->cgroup_id = 9001 + k;
	strcpy(t->comm, comm);
	snprintf(t->cgroup, sizeof(t->cgroup),
		 "/kubepods.slice/kubepods-pod1.slice/cri-containerd-abc%u.scope", (unsigned)k);
}

START_TEST(json_round_trip_every_field)
{
	struct oomtrace_event ev, back;
	struct oomtrace_task_row row = {.known = 0xff,
					.pid = 31,
					.uid = 4243,
					.tgid = 29,
					.oom_score_adj = 499,
					.total_vm_pages = 17067,
					.rss_pages = 16556,
					.pgtables_bytes = 176128,
					.swapents = 3,
					.name = "hog"};
	json_object *o;
	char *first, err[128];

	seed_event(&ev);
	ev.known = OOMTRACE_E_TIME | OOMTRACE_E_UPTIME | OOMTRACE_E_HOST | OOMTRACE_E_CONSTRAINT |
		   OOMTRACE_E_OOM_MEMCG | OOMTRACE_E_CPUSET | OOMTRACE_E_MEMS_ALLOWED |
		   OOMTRACE_E_GFP_MASK | OOMTRACE_E_GFP_FLAGS | OOMTRACE_E_ORDER |
		   OOMTRACE_E_TOTALPAGES | OOMTRACE_E_REAPED | OOMTRACE_E_SELECTED |
		   OOMTRACE_E_POINTS | OOMTRACE_E_INVOCATION | OOMTRACE_E_TIME_SUBSEC |
		   OOMTRACE_E_REAP_LATENCY | OOMTRACE_E_EXITING | OOMTRACE_E_TOTALPAGES_DERIVED;
	ev.uptime_ns = 128109667000ULL;
	strcpy(ev.host, "node-7");
	full_task(&ev.trigger, 30, "java", 100);
	full_task(&ev.victim, 31, "hog", 0);
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
	ev.victim.ns_pid = 1;
	ev.victim.ns_level = 2;
	ev.victim.known |= OOMTRACE_T_NS_PID;
	ev.victim_role = OOMTRACE_ROLE_PID_NS_INIT;
	ev.known |= OOMTRACE_E_ROLE;
	strcpy(ev.killer.name, "earlyoom");
	ev.killer.known = OOMTRACE_KL_PID | OOMTRACE_KL_SIGNAL | OOMTRACE_KL_DIED_AFTER;
	ev.killer.pid = 812;
	ev.killer.signal = 9;
	ev.killer.died = true;
	ev.killer.died_after_us = 1100000;
	strcpy(ev.killer.reason, "low memory! at or below SIGKILL limits: mem  4.98%, swap 10.00%");
	ck_assert_int_eq(oomtrace_facts_set(&ev.killer.facts, "badness", 7, 702), 0);
	ev.ctx.known = OOMTRACE_C_LOADAVG | OOMTRACE_C_PSI_SOME | OOMTRACE_C_PSI_FULL;
	ev.ctx.psi_some =
	    (struct oomtrace_psi){.avg10 = 1.5, .avg60 = 0.25, .avg300 = 0.07, .total_us = 123456};
	ev.ctx.psi_full =
	    (struct oomtrace_psi){.avg10 = 0.75, .avg60 = 0.31, .avg300 = 0.03, .total_us = 654};
	ev.reap_skipped = true;
	ev.partial = true;
	oomtrace_kvset_set(&ev.ctx.mem_info, "active_anon", 11, 100);
	oomtrace_kvset_set(&ev.ctx.memcg, "limit_kb", 8, 65536);
	oomtrace_kvset_set(&ev.ctx.memcg_stat, "rss", 3, 66920448);
	oomtrace_kvset_set(&ev.ctx.meminfo_kb, "MemTotal", 8, 6817716);
	oomtrace_kvset_set(&ev.ctx.trigger_status, "VmRSS", 5, 1415824);
	oomtrace_context_add_task(&ev.ctx, &row);
	/* a global report's evidence, and the cause */
	ev.ctx.known |= OOMTRACE_C_SWAP_FREE | OOMTRACE_C_SWAP_TOTAL | OOMTRACE_C_SLAB;
	ev.ctx.swap_free_kb = 11;
	ev.ctx.swap_total_kb = 12;
	ev.ctx.nzones = 1;
	ev.ctx.zones[0] = (struct oomtrace_zone){.known = OOMTRACE_Z_NODE,
						 .node = 1,
						 .zone = "Normal",
						 .free_kb = 13,
						 .min_kb = 14,
						 .low_kb = 15,
						 .high_kb = 16};
	ev.ctx.nhuge = 1;
	ev.ctx.huge[0] = (struct oomtrace_hugepages){
	    .node = 2, .size_kb = 2048, .total = 17, .free = 18, .surplus = 19};
	oomtrace_context_add_slab(
	    &ev.ctx, &(struct oomtrace_slab){.name = "kmalloc-64", .used_kb = 20, .total_kb = 21});
	ev.known |= OOMTRACE_E_WHY;
	ev.cause = OOMTRACE_CAUSE_KERNEL_MEMORY;
	strcpy(ev.why, "kernel memory held most");
	ev.seq = 3;
	ev.record = OOMTRACE_RECORD_REAP;
	ev.outcome = OOMTRACE_OUTCOME_NO_KILLABLE;
	first = strdup(render("json", &ev, 0));
	ck_assert_msg(!strstr(first, "null"), "a null in a fully known event: %s", first);
	ck_assert_msg(!strstr(first, ":0,") && !strstr(first, ":0}") && !strstr(first, ":0.00"),
		      "a zero in an event of distinct non-zero values: %s", first);
	ck_assert_ptr_nonnull(strstr(first, "\"totalpages_derived\":true"));
	ck_assert_ptr_nonnull(strstr(first,
				     "\"from_kmsg\":[\"oom_control\",\"cpuset\",\"trigger\","
				     "\"victim\",\"memcg\",\"mem_info\",\"top_tasks\",\"stack\"]"));
	o = json_tokener_parse(first);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(oomtrace_event_from_json(o, &back, err, sizeof(err)), 0);
	json_object_put(o);
	ck_assert_str_eq(render("json", &back, 0), first);
	/*
	 * Read back into the same places: a field written from and read into
	 * another's place gives the same line again, so the structs are compared
	 * too (the victim whole; the trigger's facts the JSON has).
	 */
	ck_assert_mem_eq(&back.victim, &ev.victim, sizeof(ev.victim));
	ck_assert_int_eq(back.trigger.pid, ev.trigger.pid);
	ck_assert_int_eq(back.trigger.tgid, ev.trigger.tgid);
	ck_assert_int_eq(back.trigger.oom_score_adj, ev.trigger.oom_score_adj);
	ck_assert_uint_eq(back.trigger.cgroup_id, ev.trigger.cgroup_id);
	ck_assert_str_eq(back.trigger.cgroup, ev.trigger.cgroup);
	ck_assert_mem_eq(&back.names, &ev.names, sizeof(ev.names));
	ck_assert_mem_eq(&back.ctx, &ev.ctx, sizeof(ev.ctx));
	ck_assert_int_eq(back.cause, ev.cause);
	ck_assert_str_eq(back.why, ev.why);
	ck_assert(back.known & OOMTRACE_E_WHY);
	ck_assert_int_eq(back.points, ev.points);
	ck_assert_int_eq(back.selected_pid, ev.selected_pid);
	ck_assert_uint_eq(back.gfp_mask, ev.gfp_mask);
	ck_assert_uint_eq(back.totalpages, ev.totalpages);
	ck_assert_uint_eq(back.invocation, ev.invocation);
	ck_assert_uint_eq(back.reap_latency_us, ev.reap_latency_us);
	ck_assert_uint_eq(back.reaped_file_rss_kb, ev.reaped_file_rss_kb);
	ck_assert_uint_eq(back.known, ev.known);
	ck_assert_uint_eq(back.from_kmsg, ev.from_kmsg);
	ck_assert_uint_eq(back.uptime_ns, ev.uptime_ns);
	ck_assert_int_eq(back.time_us, ev.time_us);
	free(first);
}
END_TEST

/* trigger.user_stack and victim.user_stack: written, read back into the same places, and shown
 * in the text detail. */
START_TEST(user_stack_round_trip)
{
	struct oomtrace_event ev, back;
	struct oomtrace_ustack *u = &ev.trigger.ustack;
	char err[256], *first;
	json_object *o;

	oomtrace_event_init(&ev);
	ev.known |= OOMTRACE_E_TIME;
	ev.time_us = 1700000000000000;
	ev.victim.known = OOMTRACE_T_PID;
	ev.victim.pid = 7;
	u->n = 2;
	u->end = OOMTRACE_UEND_COPY;
	u->f[0] = (struct oomtrace_uframe){.pc = 0x5624ce1222fa,
					   .file_off = 0x12fa,
					   .elf_addr = 0x12fb,
					   .line = 29,
					   .fn_off = 0x7a,
					   .method = OOMTRACE_UM_CFI};
	strcpy(u->f[0].function, "ustack_take");
	strcpy(u->f[0].file, "/src/tests/ustack.c");
	strcpy(u->f[0].module, "/usr/bin/ustack");
	strcpy(u->f[0].build_id, "9f912acc0ec1b6c39a0caef37f0015fc2ab4050d");
	u->f[1] = (struct oomtrace_uframe){
	    .pc = 0x7f0ad865e24a, .file_off = 0x2724a, .method = OOMTRACE_UM_FP};
	strcpy(u->f[1].module, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	ev.victim.ustack.n = 1;
	ev.victim.ustack.f[0] = (struct oomtrace_uframe){
	    .pc = 0x7f0ad8700000, .file_off = 0xc8000, .method = OOMTRACE_UM_REGS};
	strcpy(ev.victim.ustack.f[0].function, "clock_nanosleep");
	strcpy(ev.victim.ustack.f[0].module, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	first = strdup(render("json", &ev, 0));
	ck_assert_ptr_nonnull(
	    strstr(first, "\"user_stack\":{\"frames\":[{\"function\":\"ustack_take\","
			  "\"offset\":122,\"file\":\"/src/tests/ustack.c\",\"line\":29,"));
	ck_assert_ptr_nonnull(strstr(first, "\"method\":\"fp\"}],\"end\":\"stack_copy_ended\"}"));
	o = json_tokener_parse(first);
	ck_assert_int_eq(oomtrace_event_from_json(o, &back, err, sizeof(err)), 0);
	json_object_put(o);
	ck_assert_mem_eq(&back.trigger.ustack, u, sizeof(*u));
	ck_assert_mem_eq(&back.victim.ustack, &ev.victim.ustack, sizeof(ev.victim.ustack));
	ck_assert_str_eq(render("json", &back, 0), first);
	ck_assert_ptr_nonnull(strstr(render("text", &ev, OOMTRACE_FMT_VERBOSE),
				     "    user stack: ustack_take (ustack.c:29) < ? "
				     "libc.so.6+0x2724a (stack_copy_ended)\n"
				     "    victim's user stack: clock_nanosleep (libc.so.6)\n"));
	free(first);
	/* none taken, and why */
	memset(&ev.victim.ustack, 0, sizeof(ev.victim.ustack));
	memset(u, 0, sizeof(*u));
	strcpy(u->missing, "kernel before 5.17");
	first = strdup(render("json", &ev, 0));
	ck_assert_ptr_nonnull(strstr(first, "\"user_stack\":{\"missing\":\"kernel before 5.17\"}"));
	o = json_tokener_parse(first);
	ck_assert_int_eq(oomtrace_event_from_json(o, &back, err, sizeof(err)), 0);
	json_object_put(o);
	ck_assert_str_eq(back.trigger.ustack.missing, "kernel before 5.17");
	ck_assert_uint_eq(back.trigger.ustack.n, 0);
	ck_assert_ptr_nonnull(strstr(render("text", &ev, OOMTRACE_FMT_VERBOSE),
				     "    user stack: none (kernel before 5.17)\n"));
	free(first);
	/* a method this version does not know is an error naming the field */
	o = json_tokener_parse("{\"schema\":1,\"record\":\"kill\",\"trigger\":{\"user_stack\":"
			       "{\"frames\":[{\"pc\":1,\"method\":\"guess\"}]}}}");
	ck_assert_int_ne(oomtrace_event_from_json(o, &back, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "user_stack"));
	json_object_put(o);
}
END_TEST

/* json-c's own text for @o (the format the streaming writer must equal), freshly allocated. */
static char *jsonc_text(json_object *o)
{
	char *t = strdup(oomtrace_json_line(o));

	json_object_put(o);
	return t;
}

/* The writer's text for one string. */
static char *jw_text_str(const char *s)
{
	struct oomtrace_buf b = {0};
	struct oomtrace_jw w;

	oomtrace_jw_init(&w, &b);
	oomtrace_jw_str(&w, s);
	ck_assert_int_eq(oomtrace_jw_error(&w), 0);
	return b.p;
}

/* The streaming writer writes what json-c writes: every byte value in a string, cut and repaired
 * strings, the integer extremes, and a whole event (its text against json-c's serialisation of the
 * object parsed from it). */
START_TEST(json_writer_equals_json_c)
{
	static const int64_t ints[] = {INT64_MIN, -1, 0, 7, INT64_MAX};
	struct oomtrace_buf b = {0};
	struct oomtrace_event ev;
	struct oomtrace_jw w;
	char s[1100], *a, *c;
	unsigned int i;

	for (i = 1; i < 256; i++) {
		snprintf(s, sizeof(s), "a%cz/%c", (char)i, (char)i);
		a = jw_text_str(s);
		c = jsonc_text(oomtrace_json_string(s));
		ck_assert_msg(strcmp(a, c) == 0, "byte 0x%02x: writer %s, json-c %s", i, a, c);
		free(a);
		free(c);
	}
	memset(s, 'x', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	s[700] = '\xc3'; /* cut inside a character, then past oomtrace_json_string's cut */
	a = jw_text_str(s);
	c = jsonc_text(oomtrace_json_string(s));
	ck_assert_str_eq(a, c);
	free(a);
	free(c);
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		oomtrace_buf_reset(&b);
		oomtrace_jw_init(&w, &b);
		oomtrace_jw_i64(&w, ints[i]);
		c = jsonc_text(json_object_new_int64(ints[i]));
		ck_assert_str_eq(b.p, c);
		free(c);
	}
	oomtrace_buf_reset(&b);
	oomtrace_jw_init(&w, &b);
	oomtrace_jw_u64(&w, UINT64_MAX);
	c = jsonc_text(json_object_new_uint64(UINT64_MAX));
	ck_assert_str_eq(b.p, c);
	free(c);

	seed_event(&ev);
	ev.known |= OOMTRACE_E_UPTIME;
	ev.uptime_ns = 128109667000ULL;
	strcpy(ev.victim.comm, "we\"ird\\ \t\x01 comm");
	oomtrace_kvset_set(&ev.ctx.memcg_stat, "k\"ey\n", 5, -3);
	oomtrace_kvset_set(&ev.ctx.memcg_stat, "anon", 4, 9);
	oomtrace_buf_reset(&b);
	ck_assert_int_eq(oomtrace_event_emit(&b, &ev), 0);
	c = jsonc_text(json_tokener_parse(b.p));
	ck_assert_str_eq(b.p, c);
	ck_assert_ptr_nonnull(strstr(b.p, "\"k\\\"ey\\n\":-3"));
	free(c);
	oomtrace_buf_free(&b);
}
END_TEST

/* What each renderer says of events lost in transport. */
START_TEST(lost_lines)
{
	static struct oomtrace_buf b;
	static const struct {
		const char *fmt, *want;
	} cases[] = {
	    {"text", "LOST 7 events\n"},
	    {"bcc", "LOST 7 events\n"},
	    {"json", "{\"lost\":7}\n"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		oomtrace_buf_reset(&b);
		ck_assert_int_eq(oomtrace_format_find(cases[i].fmt)->lost(&b, 7), 0);
		ck_assert_str_eq(b.p, cases[i].want);
	}
	oomtrace_buf_free(&b);
}
END_TEST

START_TEST(json_reading_errors)
{
	static const struct {
		const char *in, *why;
	} cases[] = {
	    {"{\"seq\":1}", "field \"schema\": missing"},
	    {"{\"schema\":1,\"victim\":{\"pid\":\"x\"}}", "field \"pid\": not an integer"},
	    {"{\"schema\":1,\"victim\":{\"oom_score_adj\":5000}}",
	     "field \"oom_score_adj\": out of range"},
	    {"{\"schema\":1,\"constraint\":\"lots\"}", "field \"constraint\": unknown constraint"},
	    {"{\"schema\":1,\"time\":\"yesterday\"}", "field \"time\": not an ISO 8601 time"},
	    {"[1,2]", "not a JSON object"},
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

static volatile sig_atomic_t told_to_stop;
static void on_usr1(int sig)
{
	told_to_stop = sig;
}

/*
 * A stop while a long record is half through a pipe nobody reads: the signal ends that write
 * short (some bytes moved), not with EINTR; the writer must still give up within its grace
 * (OOMTRACE_WRITE_GRACE_MS), not wait for the reader forever.
 */
START_TEST(write_stops_after_a_short_write)
{
	int p[2], st;
	pid_t pid;
	char chunk[4096];

	ck_assert_int_eq(pipe(p), 0);
	fcntl(p[1], F_SETPIPE_SZ, 4096); /* one page: the record below moves in parts */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		static char rec[65536];
		struct sigaction sa = {.sa_handler = on_usr1}; /* no SA_RESTART, as oomtrace's */

		sigaction(SIGUSR1, &sa, NULL);
		oomtrace_write_set_cancel(&told_to_stop);
		alarm(10);
		memset(rec, 'x', sizeof(rec));
		_exit(oomtrace_write_all(p[1], rec, sizeof(rec)) == -ETIMEDOUT ? 0 : 1);
	}
	close(p[1]);
	/* let it move some of the record, then block on the full pipe */
	ck_assert_int_eq(read(p[0], chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
	usleep(200000);
	ck_assert_int_eq(read(p[0], chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
	usleep(200000);
	kill(pid, SIGUSR1);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	close(p[0]);
	ck_assert_msg(WIFEXITED(st),
		      "the writer did not end on its own (signal %d: it waited "
		      "for the reader)",
		      WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

START_TEST(utf8_repair)
{
	char out[64];

	ck_assert_uint_eq(oomtrace_utf8_repair(out, sizeof(out), "ok \xe4\xb8\xad", 6), 6);
	ck_assert_str_eq(out, "ok \xe4\xb8\xad");
	oomtrace_utf8_repair(out, sizeof(out),
			     "a\xff"
			     "b",
			     3);
	ck_assert_str_eq(out, "a\xef\xbf\xbd"
			      "b");
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
	/* years of four digits, as ISO 8601 has them: nothing past them overflows (UBSan watches)
	 */
	ck_assert_int_eq(oomtrace_parse_iso8601("9999-12-31T23:59:59Z", &t, &off, &sub), 0);
	ck_assert_int_eq(t, 253402300799000000LL);
	ck_assert_int_eq(oomtrace_parse_iso8601("0000-01-01T00:00:00Z", &t, &off, &sub), 0);
	ck_assert_int_eq(t, -62167219200000000LL);
	ck_assert_int_lt(oomtrace_parse_iso8601("99999999-01-01T00:00:00Z", &t, &off, &sub), 0);
	ck_assert_int_lt(
	    oomtrace_parse_iso8601("9223372036854775807-01-01T00:00:00Z", &t, &off, &sub), 0);
	ck_assert_int_lt(oomtrace_parse_iso8601("-1-01-01T00:00:00Z", &t, &off, &sub), 0);
	ck_assert_int_lt(oomtrace_parse_iso8601("+2024-01-01T00:00:00Z", &t, &off, &sub), 0);
	/* and the offset is hours and minutes of a real zone */
	ck_assert_int_lt(oomtrace_parse_iso8601("2024-01-01T00:00:00+99:00", &t, &off, &sub), 0);
}
END_TEST

START_TEST(top_tasks_kept_sorted)
{
	struct oomtrace_context c = {0};
	struct oomtrace_task_row r = {0};
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
	ck_assert_str_eq(
	    render("text", &ev, OOMTRACE_FMT_VERBOSE),
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

int main(void)
{
	Suite *s = suite_create("format");
	TCase *t = tcase_create("core");

	tcase_add_test(t, classic_line_matches_bcc_oomkill);
	tcase_add_test(t, grow_doubles_and_refuses_overflow);
	tcase_add_test(t, unknown_facts);
	tcase_add_test(t, json_shape_and_round_trip);
	tcase_add_test(t, json_round_trip_every_field);
	tcase_add_test(t, user_stack_round_trip);
	tcase_add_test(t, json_writer_equals_json_c);
	tcase_add_test(t, json_reading_errors);
	tcase_add_test(t, lost_lines);
	tcase_add_test(t, utf8_repair);
	tcase_add_test(t, write_stops_after_a_short_write);
	tcase_add_test(t, iso8601);
	tcase_add_test(t, top_tasks_kept_sorted);
	tcase_add_test(t, reap_records);
	suite_add_tcase(s, t);
	return run_suite(s);
}
