// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_ukill.c: a userspace killer's signals to one victim held until its death (live/ukill.c):
 * one event per victim, the escalation kept, deaths matched by tgid in any order, deadlines,
 * and a full table that delivers early but loses nothing.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "helpers.h"
#include "ukill.h"

#define MS 1000000ull

struct got {
	unsigned int n;
	struct oomtrace_event ev[8];
	int32_t pids[OOMTRACE_UKILL_MAX + 8];
};

static void take(void *ctx, struct oomtrace_event *ev)
{
	struct got *g = ctx;

	if (g->n < 8)
		g->ev[g->n] = *ev;
	if (g->n < OOMTRACE_UKILL_MAX + 8)
		g->pids[g->n] = ev->victim.pid;
	g->n++;
}

/* a kill as the live glue hands it over: the victim, the killer named */
static void kill_of(struct oomtrace_event *ev, int32_t pid)
{
	oomtrace_event_init(ev);
	ev->victim.pid = pid;
	ev->victim.known |= OOMTRACE_T_PID;
	strcpy(ev->killer.name, "earlyoom");
}

static struct got *got_new(void)
{
	struct got *g = calloc(1, sizeof(*g));

	ck_assert_ptr_nonnull(g);
	return g;
}

START_TEST(signal_then_death)
{
	struct oomtrace_ukills u;
	struct oomtrace_event ev;
	struct got *g = got_new();

	oomtrace_ukill_init(&u);
	kill_of(&ev, 100);
	ck_assert_int_eq(oomtrace_ukill_signal(&u, &ev, 100, 9, 1000 * MS, take, g), 0);
	ck_assert_uint_eq(g->n, 0); /* held for the death */
	ck_assert(oomtrace_ukill_holds(&u, 100));
	oomtrace_ukill_death(&u, 999, 1001 * MS, 9, take, g); /* someone else's */
	ck_assert_uint_eq(g->n, 0);
	ck_assert(!oomtrace_ukill_holds(&u, 999)); /* a death alone holds no kill */
	oomtrace_ukill_death(&u, 100, 1000 * MS + 1234567, 9, take, g);
	ck_assert_uint_eq(g->n, 1);
	ck_assert_int_eq(g->ev[0].victim.pid, 100);
	ck_assert(g->ev[0].killer.died);
	ck_assert_uint_eq(g->ev[0].killer.died_after_us, 1234);
	ck_assert_int_eq(g->ev[0].killer.exit_code, 9);
	ck_assert_int_eq(g->ev[0].killer.signal, 9);
	ck_assert_int_eq(g->ev[0].killer.first_signal, 9);
	ck_assert(!oomtrace_ukill_holds(&u, 100));
	ck_assert_uint_eq(g->ev[0].killer.known & (OOMTRACE_KL_DIED_AFTER | OOMTRACE_KL_EXIT_CODE),
			  OOMTRACE_KL_DIED_AFTER | OOMTRACE_KL_EXIT_CODE);
	/* the one deadline left (the other victim's early death) passes silently */
	oomtrace_ukill_flush(&u, take, g);
	ck_assert_uint_eq(g->n, 1);
	ck_assert_uint_eq(u.n, 0);
	free(g);
}
END_TEST

START_TEST(term_then_kill_is_one_event)
{
	struct oomtrace_ukills u;
	struct oomtrace_event ev;
	struct got *g = got_new();

	oomtrace_ukill_init(&u);
	kill_of(&ev, 7);
	oomtrace_ukill_signal(&u, &ev, 7, 15, 0, take, g);
	kill_of(&ev, 8);
	oomtrace_ukill_signal(&u, &ev, 8, 15, 1 * MS, take, g);
	/* SIGTERM waits 5 s: nothing before */
	oomtrace_ukill_expire(&u, 4999 * MS, take, g);
	ck_assert_uint_eq(g->n, 0);
	/* the killer escalates on 7 at 4.9 s: its deadline is 2 s from then */
	kill_of(&ev, 7);
	oomtrace_ukill_signal(&u, &ev, 7, 9, 4900 * MS, take, g);
	oomtrace_ukill_expire(&u, 5001 * MS, take, g);
	ck_assert_uint_eq(g->n, 1); /* 8 survived its SIGTERM: out, alive */
	ck_assert_int_eq(g->ev[0].victim.pid, 8);
	ck_assert(!g->ev[0].killer.died);
	ck_assert_int_eq(g->ev[0].killer.signal, 15);
	ck_assert(!(g->ev[0].killer.known & OOMTRACE_KL_DIED_AFTER));
	oomtrace_ukill_death(&u, 7, 5000 * MS, 9, take, g);
	ck_assert_uint_eq(g->n, 2);
	ck_assert_int_eq(g->ev[1].victim.pid, 7);
	ck_assert_int_eq(g->ev[1].killer.first_signal, 15);
	ck_assert_int_eq(g->ev[1].killer.signal, 9);
	ck_assert_uint_eq(g->ev[1].killer.died_after_us, 5000000); /* from the first signal */
	/* a SIGTERM after the SIGKILL does not take the escalation back */
	kill_of(&ev, 9);
	oomtrace_ukill_signal(&u, &ev, 9, 9, 6000 * MS, take, g);
	oomtrace_ukill_signal(&u, &ev, 9, 15, 6001 * MS, take, g);
	oomtrace_ukill_expire(&u, 8000 * MS, take, g);
	ck_assert_uint_eq(g->n, 2);
	oomtrace_ukill_expire(&u, 8001 * MS, take, g);
	ck_assert_uint_eq(g->n, 3);
	ck_assert_int_eq(g->ev[2].killer.signal, 9);
	free(g);
}
END_TEST

START_TEST(death_before_its_signal)
{
	struct oomtrace_ukills u;
	struct oomtrace_event ev;
	struct got *g = got_new();

	oomtrace_ukill_init(&u);
	/* per-CPU perf buffers: the exit read before the signal that caused it */
	oomtrace_ukill_death(&u, 55, 2000 * MS, 15, take, g);
	ck_assert_uint_eq(g->n, 0);
	kill_of(&ev, 55);
	oomtrace_ukill_signal(&u, &ev, 55, 15, 1999 * MS, take, g);
	ck_assert_uint_eq(g->n, 1);
	ck_assert(g->ev[0].killer.died);
	ck_assert_uint_eq(g->ev[0].killer.died_after_us, 1000);
	ck_assert_int_eq(g->ev[0].killer.exit_code, 15);
	/* an exit whose signal never comes is forgotten after a second, unreported */
	oomtrace_ukill_death(&u, 56, 3000 * MS, 0, take, g);
	oomtrace_ukill_expire(&u, 3999 * MS, take, g);
	ck_assert_uint_eq(u.n, 1);
	oomtrace_ukill_expire(&u, 4000 * MS, take, g);
	ck_assert_uint_eq(u.n, 0);
	ck_assert_uint_eq(g->n, 1);
	free(g);
}
END_TEST

START_TEST(full_table_loses_nothing)
{
	struct oomtrace_ukills u;
	struct oomtrace_event ev;
	struct got *g = got_new();
	int32_t i;

	oomtrace_ukill_init(&u);
	for (i = 1; i <= OOMTRACE_UKILL_MAX + 3; i++) {
		kill_of(&ev, i);
		oomtrace_ukill_signal(&u, &ev, i, 9, (uint64_t)i * MS, take, g);
	}
	/* the three oldest went out early, in order */
	ck_assert_uint_eq(u.forced, 3);
	ck_assert_uint_eq(g->n, 3);
	ck_assert_int_eq(g->pids[0], 1);
	ck_assert_int_eq(g->pids[2], 3);
	oomtrace_ukill_death(&u, 500, 600 * MS, 9, take, g);
	ck_assert_int_eq(g->pids[3], 500);
	oomtrace_ukill_flush(&u, take, g);
	ck_assert_uint_eq(g->n, OOMTRACE_UKILL_MAX + 3);
	ck_assert_int_eq(g->pids[4], 4);
	ck_assert_int_eq(g->pids[OOMTRACE_UKILL_MAX + 2], OOMTRACE_UKILL_MAX + 3);
	ck_assert_uint_eq(u.n, 0);
	free(g);
}
END_TEST

/* a kill whose killer's line is awaited (as the live glue marks it where the journal is read) */
static void awaited(struct oomtrace_event *ev, int32_t pid, const char *cgroup)
{
	kill_of(ev, pid);
	ev->killer.log = OOMTRACE_KLOG_MISSING;
	ev->killer.known |= OOMTRACE_KL_LOG;
	if (cgroup) {
		strcpy(ev->victim.cgroup, cgroup);
		ev->victim.known |= OOMTRACE_T_CGROUP;
	}
}

/* the killer's line as the replay reader gives it */
static void line_of(struct oomtrace_event *ev, const char *killer, int32_t pid, const char *cg,
		    int64_t badness)
{
	oomtrace_event_init(ev);
	strcpy(ev->killer.name, killer);
	strcpy(ev->killer.reason, "low memory!");
	oomtrace_facts_set(&ev->killer.facts, "badness", 7, badness);
	if (pid) {
		ev->victim.pid = pid;
		ev->victim.known |= OOMTRACE_T_PID;
	} else {
		strcpy(ev->victim.cgroup, cg);
		ev->victim.known |= OOMTRACE_T_CGROUP;
	}
}

START_TEST(killer_line_joined)
{
	struct oomtrace_ukills u;
	struct oomtrace_event ev, line;
	struct got *g = got_new();
	int64_t b = 0;

	oomtrace_ukill_init(&u);
	/* the line after the death: the death waits for it */
	awaited(&ev, 10, NULL);
	oomtrace_ukill_signal(&u, &ev, 10, 15, 0, take, g);
	oomtrace_ukill_death(&u, 10, 1 * MS, 15, take, g);
	ck_assert_uint_eq(g->n, 0);
	line_of(&line, "nohang", 10, NULL, 5); /* another killer's words are not its */
	oomtrace_ukill_log(&u, &line, 2 * MS, take, g);
	ck_assert_uint_eq(g->n, 0);
	line_of(&line, "earlyoom", 10, NULL, 1332);
	oomtrace_ukill_log(&u, &line, 3 * MS, take, g);
	ck_assert_uint_eq(g->n, 1);
	ck_assert_int_eq(g->ev[0].killer.log, OOMTRACE_KLOG_JOURNAL);
	ck_assert_str_eq(g->ev[0].killer.reason, "low memory!");
	ck_assert(oomtrace_facts_get(&g->ev[0].killer.facts, "badness", &b) && b == 1332);
	ck_assert(g->ev[0].killer.died);

	/* the line before the signal, by the victim's pid in its namespace */
	line_of(&line, "earlyoom", 3, NULL, 999);
	oomtrace_ukill_log(&u, &line, 100 * MS, take, g);
	awaited(&ev, 4000, NULL);
	ev.victim.ns_pid = 3;
	ev.victim.known |= OOMTRACE_T_NS_PID;
	oomtrace_ukill_signal(&u, &ev, 4000, 15, 101 * MS, take, g);
	oomtrace_ukill_death(&u, 4000, 102 * MS, 15, take, g);
	ck_assert_uint_eq(g->n, 2);
	ck_assert(oomtrace_facts_get(&g->ev[1].killer.facts, "badness", &b) && b == 999);

	/* no line within the wait: out after it, log still missing */
	awaited(&ev, 20, NULL);
	oomtrace_ukill_signal(&u, &ev, 20, 9, 200 * MS, take, g);
	oomtrace_ukill_death(&u, 20, 201 * MS, 9, take, g);
	oomtrace_ukill_expire(&u, 1200 * MS, take, g);
	ck_assert_uint_eq(g->n, 2);
	oomtrace_ukill_expire(&u, 1201 * MS, take, g);
	ck_assert_uint_eq(g->n, 3);
	ck_assert_int_eq(g->ev[2].killer.log, OOMTRACE_KLOG_MISSING);
	ck_assert(g->ev[2].killer.reason[0] == '\0');
	free(g);
}
END_TEST

START_TEST(cgroup_killer_line_joins_each_task)
{
	struct oomtrace_ukills u;
	struct oomtrace_event ev, line;
	struct got *g = got_new();

	oomtrace_ukill_init(&u);
	awaited(&ev, 1, "/system.slice/app.service");
	strcpy(ev.killer.name, "systemd-oomd");
	oomtrace_ukill_signal(&u, &ev, 1, 9, 0, take, g);
	awaited(&ev, 2, "/system.slice/app.service/worker");
	strcpy(ev.killer.name, "systemd-oomd");
	oomtrace_ukill_signal(&u, &ev, 2, 9, 0, take, g);
	awaited(&ev, 3, "/system.slice/app.service2");
	strcpy(ev.killer.name, "systemd-oomd");
	oomtrace_ukill_signal(&u, &ev, 3, 9, 0, take, g);
	oomtrace_ukill_death(&u, 1, 1 * MS, 9, take, g);
	oomtrace_ukill_death(&u, 2, 1 * MS, 9, take, g);
	oomtrace_ukill_death(&u, 3, 1 * MS, 9, take, g);
	line_of(&line, "systemd-oomd", 0, "/system.slice/app.service", 0);
	oomtrace_ukill_log(&u, &line, 2 * MS, take, g);
	/* the unit and the cgroup below it; not a sibling whose name only begins the same */
	ck_assert_uint_eq(g->n, 2);
	ck_assert_int_eq(g->ev[0].victim.pid, 1);
	ck_assert_int_eq(g->ev[1].victim.pid, 2);
	ck_assert_int_eq(g->ev[1].killer.log, OOMTRACE_KLOG_JOURNAL);
	oomtrace_ukill_flush(&u, take, g);
	ck_assert_int_eq(g->ev[2].victim.pid, 3);
	ck_assert_int_eq(g->ev[2].killer.log, OOMTRACE_KLOG_MISSING);
	free(g);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ukill");
	TCase *t = tcase_create("core");

	tcase_add_test(t, signal_then_death);
	tcase_add_test(t, term_then_kill_is_one_event);
	tcase_add_test(t, death_before_its_signal);
	tcase_add_test(t, full_table_loses_nothing);
	tcase_add_test(t, killer_line_joined);
	tcase_add_test(t, cgroup_killer_line_joins_each_task);
	suite_add_tcase(s, t);
	return run_suite(s);
}
