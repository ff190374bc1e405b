// SPDX-License-Identifier: GPL-2.0-or-later
/* check_anchor.c: prefixes of no known format found by the report's phrases, every dmesg
 * --time-format style, kill lines cut short and records run together on one line. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "anchor.h"
#include "helpers.h"
#include "prefix.h"

static struct collected C;

#define HDR "hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"
#define SUM                                                                                        \
	"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/" \
	"t,"                                                                                       \
	"task_memcg=/t,task=hog,pid=4242,uid=0"
#define KILL                                                                                       \
	"Memory cgroup out of memory: Killed process 4242 (hog) total-vm:68268kB, "                \
	"anon-rss:65280kB, file-rss:944kB, shmem-rss:0kB, UID:0 pgtables:172kB oom_score_adj:0"

static void assert_kill(const struct oomtrace_event *ev)
{
	ck_assert_int_eq(ev->victim.pid, 4242);
	ck_assert_str_eq(ev->victim.comm, "hog");
	ck_assert_uint_eq(ev->victim.anon_rss_kb, 65280);
	ck_assert_uint_eq(ev->victim.pgtables_kb, 172);
	ck_assert_int_eq(ev->constraint, OOMTRACE_CONSTRAINT_MEMCG);
	ck_assert_str_eq(ev->oom_memcg, "/t");
	ck_assert_str_eq(ev->trigger.comm, "hog");
}

/* Each dmesg --time-format style as util-linux 2.38 prints it (dmesg.c, print_record). */
START_TEST(dmesg_styles)
{
	static const struct {
		const char *line;
		enum oomtrace_line_kind kind;
		bool uptime;
		uint64_t ns;
	} c[] = {
	    {"2026-12-02T18:53:53,000123+00:00 msg", OOMTRACE_LINE_DMESG_ISO, false, 0},
	    {"[Dec 2 18:53] msg", OOMTRACE_LINE_DMESG_T, false, 0},
	    {"[Dec12 18:53] msg", OOMTRACE_LINE_DMESG_T, false, 0},
	    {"[  +0.000123] msg", OOMTRACE_LINE_DMESG_DELTA, false, 0},
	    {"[ +12.000123] msg", OOMTRACE_LINE_DMESG_DELTA, false, 0},
	    {"[<    0.000123>] msg", OOMTRACE_LINE_DMESG_DELTA, false, 0},
	    {"[    1.500000 <    0.000123>] msg", OOMTRACE_LINE_DMESG, true, 1500000000ULL},
	    {"[Wed Dec  2 18:53:53 2026 <    0.000123>] msg", OOMTRACE_LINE_DMESG_T, false, 0},
	    {"kern  :info  : [    2.000001] msg", OOMTRACE_LINE_DMESG, true, 2000001000ULL},
	    {"kern  :warn  : msg", OOMTRACE_LINE_PRI, false, 0},
	    {"Mar  2 10:11:12 kernel: msg", OOMTRACE_LINE_SYSLOG, false, 0},
	    {"2025-03-02T10:11:12.123456789Z stdout F msg", OOMTRACE_LINE_DMESG_ISO, false, 0},
	};
	struct oomtrace_prefix x;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		oomtrace_prefix_parse(c[i].line, strlen(c[i].line), &x);
		ck_assert_msg(x.kind == c[i].kind, "%s: kind %d", c[i].line, x.kind);
		ck_assert_msg(strcmp(c[i].line + x.msg_off, "msg") == 0, "%s: message at %zu",
			      c[i].line, x.msg_off);
		ck_assert(x.kernel);
		ck_assert_int_eq(x.has_uptime, c[i].uptime);
		if (c[i].uptime)
			ck_assert_uint_eq(x.uptime_ns, c[i].ns);
	}
	oomtrace_prefix_parse("2026-12-02T18:53:53,000123+00:00 m", 34, &x);
	ck_assert(x.has_abs);
	ck_assert_int_eq(x.abs_us % 1000000, 123);
	/* another facility than the kernel's is not the kernel's */
	oomtrace_prefix_parse("user  :notice: [    2.0] m", 26, &x);
	ck_assert(!x.kernel);
	/* "host tag:" needs a host name, which holds no ':' (a Mem-Info line after an ISO time) */
	oomtrace_prefix_parse("2025-03-02T10:11:12,1+00:00 active_anon:1 inactive_anon:2", 57, &x);
	ck_assert_int_eq(x.kind, OOMTRACE_LINE_DMESG_ISO);
	ck_assert_str_eq("2025-03-02T10:11:12,1+00:00 active_anon:1 inactive_anon:2" + x.msg_off,
			 "active_anon:1 inactive_anon:2");
}
END_TEST

/* A report exported from a log UI: a prefix of no known format, learned from the anchored lines
 * and stripped from the others (the memcg usage, the task table). */
START_TEST(learned_head)
{
	const char *h = "  | Mar 2, 2025 @ 10:11:12.104 | kernel | ";
	char text[4096];
	int64_t v = 0;

	snprintf(
	    text, sizeof(text),
	    "%s" HDR "\n"
	    "%smemory: usage 65536kB, limit 65536kB, failcnt 74\n"
	    "%sTasks state (memory values in pages):\n"
	    "%s[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n"
	    "%s[   4242]     0  4242    17067    16556   176128        0             0 hog\n"
	    "%s" SUM "\n"
	    "%s" KILL "\n",
	    h, h, h, h, h, h, h);
	parse_text(text, NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	assert_kill(&C.ev[0]);
	ck_assert(oomtrace_kvset_get(&C.ev[0].ctx.memcg, "limit_kb", &v));
	ck_assert_int_eq(v, 65536);
	ck_assert_uint_eq(C.ev[0].ctx.ntop, 1);
	ck_assert_uint_eq(C.ev[0].ctx.top[0].rss_pages, 16556);
	/* the time out of the head: month, day, year and time wherever they stand */
	ck_assert(C.ev[0].known & OOMTRACE_E_TIME);
	ck_assert(!C.ev[0].partial);
}
END_TEST

/* A known format after a head ("# [ 12.3] msg"): read as that format, its time kept. */
START_TEST(known_after_head)
{
	parse_text("#   [  131.704897] " HDR "\n"
		   "#   [  131.704900] " SUM "\n"
		   "#   [  131.704901] " KILL "\n"
		   "#   [  131.704990] Tasks state (memory values in pages):\n",
		   NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	assert_kill(&C.ev[0]);
	ck_assert_uint_eq(C.ev[0].uptime_ns, 131704901000ULL);
}
END_TEST

/* A kill line cut short yields what it printed and nothing it did not, and says partial. */
START_TEST(cut_kill_line)
{
	parse_text(
	    "[ 5.0] Out of memory: Killed process 4242 (hog) total-vm:68268kB, anon-rss:12\n", NULL,
	    &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert_int_eq(C.ev[0].victim.pid, 4242);
	ck_assert_uint_eq(C.ev[0].victim.total_vm_kb, 68268);
	ck_assert(!(C.ev[0].victim.known & OOMTRACE_T_ANON_RSS)); /* not 12 kB */
	ck_assert(C.ev[0].partial);
	parse_text(
	    "[ 5.0] Out of memory: Killed process 4242 (hog) total-vm:68268kB, anon-rss:65280kB, "
	    "file-rss:9",
	    NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert_uint_eq(C.ev[0].victim.anon_rss_kb, 65280);
	ck_assert(!(C.ev[0].victim.known & OOMTRACE_T_FILE_RSS));
	ck_assert(C.ev[0].partial);
	parse_text("[ 4.9] " HDR "\n[ 5.0] Out of memory: Killed process 4242 (my ho\n", NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert(!(C.ev[0].victim.known & OOMTRACE_T_COMM));
	ck_assert(C.ev[0].partial);
	/* a whole 4.x line (it ends in shmem-rss) is not cut */
	parse_text("[ 4.9] " HDR "\n[ 5.0] Out of memory: Killed process 4242 (hog) total-vm:1kB, "
		   "anon-rss:2kB, file-rss:3kB, shmem-rss:4kB\n",
		   NULL, &C);
	ck_assert_uint_eq(C.ev[0].victim.shmem_rss_kb, 4);
	ck_assert(!C.ev[0].partial);
}
END_TEST

/* Two records on one line (a mail client joined them): split where the second starts. */
START_TEST(records_run_together)
{
	size_t j;
	const char *m = "x:0kB, UID:0 pgtables:172kB oom_score_adj:0[  131.8] oom_reaper: reaped "
			"process 4242 (hog), now anon-rss:0kB";

	j = oomtrace_anchor_split(m, strlen(m));
	ck_assert_str_eq(m + j,
			 "[  131.8] oom_reaper: reaped process 4242 (hog), now anon-rss:0kB");
	/* a phrase inside its own message is no second record */
	m = "Out of memory: Killed process 4242 (hog) total-vm:1kB";
	ck_assert_uint_eq(oomtrace_anchor_split(m, strlen(m)), 0);
	m = "my hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0";
	ck_assert_uint_eq(oomtrace_anchor_split(m, strlen(m)), 0);
	parse_text("[ 1.0] " HDR " [ 1.0] " SUM " [ 1.1] " KILL "\n"
		   "[ 2.0] " HDR "\n[ 2.0] " SUM "\n[ 2.1] " KILL "\n",
		   NULL, &C);
	ck_assert_uint_eq(C.n, 2);
	assert_kill(&C.ev[0]);
	assert_kill(&C.ev[1]);
	ck_assert_uint_eq(C.ev[0].uptime_ns, 1100000000ULL);
}
END_TEST

/* A comm with a blank in a log of bare messages is not taken for a prefix. */
START_TEST(comm_with_blank)
{
	parse_text(
	    "nginx: worker process invoked oom-killer: gfp_mask=0xd0, order=0, "
	    "oom_score_adj=0\n"
	    "Memory cgroup out of memory: Killed process 4242 (hog) total-vm:1kB, anon-rss:2kB, "
	    "file-rss:3kB, shmem-rss:4kB\n",
	    NULL, &C);
	ck_assert_uint_eq(C.n, 1);
	ck_assert_str_eq(C.ev[0].trigger.comm, "nginx: worker process");
}
END_TEST

/*
 * A phrase found late in a line whose tail is shorter than another phrase: the search never
 * reads past the line (found by libFuzzer; the sanitizer build checks the bytes it reads).
 */
START_TEST(phrase_at_the_end)
{
	static const char l[] = "Killed  of memory: Killed process 3/21 (java).";
	struct oomtrace_anchor a = {0};
	struct oomtrace_prefix x;
	char *exact = malloc(sizeof(l) - 1);

	ck_assert_ptr_nonnull(exact);
	memcpy(exact, l, sizeof(l) - 1);
	oomtrace_prefix_parse(exact, sizeof(l) - 1, &x);
	oomtrace_anchor_prefix(&a, exact, sizeof(l) - 1, &x);
	ck_assert_uint_eq(x.msg_off, 19); /* the kill line's phrase, after the garbled head */
	free(exact);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("anchor");
	TCase *t = tcase_create("core");

	tcase_add_test(t, dmesg_styles);
	tcase_add_test(t, learned_head);
	tcase_add_test(t, known_after_head);
	tcase_add_test(t, cut_kill_line);
	tcase_add_test(t, records_run_together);
	tcase_add_test(t, comm_with_blank);
	tcase_add_test(t, phrase_at_the_end);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
