// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_history.c: a memcg's last minute. core/growth.c's rules on either side of each threshold
 * (steady growth's 10 s and its every-step rule, the spike's 2 s, the pressure forecast's 10 s),
 * core/why.c's sentences and rates from them, and live/history.c on a cgroup tree of plain files
 * (v1 and v2 names): the memcgs with a limit followed, their samples a second apart, the limit
 * hits, the 90% mark, a pressure record once a minute, memcgs made and removed seen at the next
 * second (inotify).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "helpers.h"

#include "growth.h"
#include "history.h"
#include "memcg_tasks.h"
#include "why.h"

#define LIMIT 131072 /* kB: 128 MiB */

/* @n samples 1 s apart ending at @last_ms, usage from @f(k) */
static void fill(struct oomtrace_history *h, unsigned int n, int32_t last_ms,
		 uint64_t (*f)(unsigned int k))
{
	unsigned int k;

	memset(h, 0, sizeof(*h));
	h->limit_kb = LIMIT;
	h->n = n;
	for (k = 0; k < n; k++) {
		h->s[k].t_ms = last_ms - (int32_t)(n - 1 - k) * 1000;
		h->s[k].usage_kb = f(k);
	}
}

/* 10 MiB/s from 0 */
static uint64_t ramp(unsigned int k)
{
	return 10240ULL * k;
}

/* idle at 2 MiB for 20 s, then 10 MiB/s */
static uint64_t idle_then_ramp(unsigned int k)
{
	return k < 20 ? 2048 : 2048 + 10240ULL * (k - 19);
}

/* 10 MiB/s with one flat second 6 s before the end */
static uint64_t ramp_with_pause(unsigned int k)
{
	return 10240ULL * (k > 6 ? k - 1 : k);
}

static uint64_t flat_low(unsigned int k)
{
	(void)k;
	return 1024;
}

START_TEST(steady)
{
	struct oomtrace_history h;
	int32_t from;
	double rate;

	/* 13 samples over 12 s, the newest 0.4 s before the kill: steady, 10 MiB/s */
	fill(&h, 13, -400, ramp);
	ck_assert(oomtrace_growth_steady(&h, &from, &rate));
	ck_assert_int_eq(from, -12400);
	ck_assert_double_eq_tol(rate, 10240.0, 0.5);
	/* 10 samples over 9 s: too short */
	fill(&h, 10, -400, ramp);
	ck_assert(!oomtrace_growth_steady(&h, &from, &rate));
	/* the idle seconds before the ramp are not part of it */
	fill(&h, 32, -200, idle_then_ramp);
	ck_assert(oomtrace_growth_steady(&h, &from, &rate));
	ck_assert_int_eq(from, -12200);
	ck_assert_double_eq_tol(rate, 10240.0, 0.5);
	/* a second without growth 6 s before the end: the window starts after it, too short */
	fill(&h, 13, -400, ramp_with_pause);
	ck_assert(!oomtrace_growth_steady(&h, &from, &rate));
	/* it must have grown into the limit: under half at the end is not steady growth into it */
	fill(&h, 13, -400, ramp);
	h.limit_kb = 4 * LIMIT;
	ck_assert(!oomtrace_growth_steady(&h, &from, &rate));
}
END_TEST

START_TEST(spike)
{
	struct oomtrace_history h;
	const struct oomtrace_sample *under;

	fill(&h, 30, -900, flat_low);
	ck_assert(oomtrace_growth_spike(&h, &under));
	ck_assert_int_eq(under->t_ms, -900);
	fill(&h, 30, -2000, flat_low);
	ck_assert(oomtrace_growth_spike(&h, &under));
	fill(&h, 30, -2001, flat_low);
	ck_assert(!oomtrace_growth_spike(&h, &under));
	/* above half at the newest sample: the last one under half is long before */
	fill(&h, 13, -400, ramp);
	ck_assert(!oomtrace_growth_spike(&h, &under));
}
END_TEST

START_TEST(near_limit)
{
	struct oomtrace_history h;
	int64_t ttl;
	double rate;

	/* at 60 MiB, 10 MiB/s: 128 MiB in 6.8 s */
	fill(&h, 7, 0, ramp);
	ck_assert(oomtrace_growth_near_limit(&h, &ttl, &rate));
	ck_assert_int_eq(ttl, 6800);
	ck_assert_double_eq_tol(rate, 10240.0, 0.5);
	/* the newest sample 1 s old: a second less */
	fill(&h, 7, -1000, ramp);
	ck_assert(oomtrace_growth_near_limit(&h, &ttl, &rate));
	ck_assert_int_eq(ttl, 5800);
	/* at 40 MiB of 512 MiB: 47 s away, no record yet */
	fill(&h, 5, 0, ramp);
	h.limit_kb = 4 * LIMIT;
	ck_assert(!oomtrace_growth_near_limit(&h, &ttl, &rate));
	/* fewer than 5 samples prove nothing */
	fill(&h, 4, 0, ramp);
	h.s[3].usage_kb = LIMIT - 1024;
	ck_assert(!oomtrace_growth_near_limit(&h, &ttl, &rate));
	fill(&h, 5, 0, flat_low);
	ck_assert(!oomtrace_growth_near_limit(&h, &ttl, &rate));
}
END_TEST

static struct oomtrace_event *kill_with(const struct oomtrace_history *h)
{
	struct oomtrace_event *ev = calloc(1, sizeof(*ev));

	ck_assert_ptr_nonnull(ev);
	ev->record = OOMTRACE_RECORD_KILL;
	strcpy(ev->oom_memcg, "/app");
	ev->known |= OOMTRACE_E_OOM_MEMCG;
	ev->ctx.history = *h;
	ev->ctx.known |= OOMTRACE_C_HISTORY;
	ev->victim.known |= OOMTRACE_T_ANON_RSS;
	ev->victim.anon_rss_kb = LIMIT / 2;
	return ev;
}

START_TEST(why_from_history)
{
	struct oomtrace_history h;
	struct oomtrace_event *ev;

	fill(&h, 13, -400, ramp);
	ev = kill_with(&h);
	oomtrace_why(ev);
	ck_assert_int_eq(ev->cause, OOMTRACE_CAUSE_STEADY_GROWTH);
	ck_assert_str_eq(ev->why, "/app grew 10.0 MiB/s for 12 s into its 128.0 MiB limit (120.0 "
				  "MiB 0.4 s before the kill); the victim held 50% of it");
	ck_assert(ev->known & OOMTRACE_E_GROWTH);
	ck_assert_int_eq(ev->growth_kb_per_s, 10240);
	free(ev);
	/* a spike: the rate from the last sample under half to the limit (a lower bound) */
	fill(&h, 30, -500, flat_low);
	ev = kill_with(&h);
	oomtrace_why(ev);
	ck_assert_int_eq(ev->cause, OOMTRACE_CAUSE_SPIKE);
	ck_assert_str_eq(ev->why, "/app went from 1.0 MiB, under half its 128.0 MiB limit, to the "
				  "limit in under 0.5 s; the victim held 50% of it");
	ck_assert_int_eq(ev->growth_kb_per_s, (LIMIT - 1024) * 2);
	free(ev);
	/* what held the memory comes first: shmem beats the ramp */
	fill(&h, 13, -400, ramp);
	ev = kill_with(&h);
	ck_assert_int_eq(oomtrace_kvset_set(&ev->ctx.memcg, "usage_kb", 8, LIMIT), 0);
	ck_assert_int_eq(oomtrace_kvset_set(&ev->ctx.memcg_stat, "shmem", 5, 100LL << 20), 0);
	oomtrace_why(ev);
	ck_assert_int_eq(ev->cause, OOMTRACE_CAUSE_SHMEM_TMPFS);
	ck_assert_int_eq(ev->growth_kb_per_s, 10240); /* the rate is still told */
	free(ev);
	/* a pressure record's sentence */
	ev = kill_with(&h);
	ev->record = OOMTRACE_RECORD_PRESSURE;
	ev->growth_kb_per_s = 10240;
	ev->time_to_limit_ms = 1200;
	ev->known |= OOMTRACE_E_GROWTH | OOMTRACE_E_TIME_TO_LIMIT;
	oomtrace_why(ev);
	ck_assert_int_eq(ev->cause, OOMTRACE_CAUSE_STEADY_GROWTH);
	ck_assert_str_eq(ev->why, "/app grows 10.0 MiB/s: at 120.0 MiB of its 128.0 MiB limit, it "
				  "reaches it in 1.2 s at this rate");
	free(ev);
}
END_TEST

/* ---- live/history.c on a tree of plain files ---------------------------------------------- */

static char root[64];

static void put(const char *rel, const char *text)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	/* rewritten in place: the sampler's open descriptor reads the new value */
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void put_u64(const char *rel, unsigned long long v)
{
	char b[32];

	snprintf(b, sizeof(b), "%llu\n", v);
	put(rel, b);
}

static void mkd(const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	ck_assert_int_eq(mkdir(p, 0755), 0);
}

static void rmtree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* a memcg removed (rmdir): its files go with it */
static int rmdir_tree_gone(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/sys/fs/cgroup/memory/gone'", root);
	return system(cmd);
}

static unsigned int pressures;
static char pressured[64];
static int64_t pressure_ttl;

static void on_pressure(void *ctx, const char *path, const struct oomtrace_history *hi,
			int64_t ttl_ms, double kb_per_s)
{
	int64_t ttl;
	double rate;

	(void)ctx;
	pressures++;
	snprintf(pressured, sizeof(pressured), "%s", path);
	pressure_ttl = ttl_ms;
	/* the forecast handed over is the history's */
	ck_assert(oomtrace_growth_near_limit(hi, &ttl, &rate));
	ck_assert_int_eq(ttl, ttl_ms);
	ck_assert_double_eq_tol(rate, kb_per_s, 0.001);
}

START_TEST(sampler_v1)
{
	struct oomtrace_memcgs *h;
	struct oomtrace_history hi;
	uint64_t t = 1000000;
	unsigned int k;

	strcpy(root, "/tmp/check_history.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	mkd("sys");
	mkd("sys/fs");
	mkd("sys/fs/cgroup");
	mkd("sys/fs/cgroup/memory");
	put("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
	put("sys/fs/cgroup/memory/memory.usage_in_bytes", "1000000000\n");
	mkd("sys/fs/cgroup/memory/app");
	put_u64("sys/fs/cgroup/memory/app/memory.limit_in_bytes", 128ULL << 20);
	put_u64("sys/fs/cgroup/memory/app/memory.usage_in_bytes", 0);
	put_u64("sys/fs/cgroup/memory/app/memory.failcnt", 7);
	mkd("sys/fs/cgroup/memory/unlimited");
	put("sys/fs/cgroup/memory/unlimited/memory.limit_in_bytes", "9223372036854771712\n");
	put_u64("sys/fs/cgroup/memory/unlimited/memory.usage_in_bytes", 5);
	mkd("sys/fs/cgroup/memory/gone");
	put_u64("sys/fs/cgroup/memory/gone/memory.limit_in_bytes", 64ULL << 20);
	put_u64("sys/fs/cgroup/memory/gone/memory.usage_in_bytes", 1 << 20);

	/* its tasks: 100 the larger, 200 the smaller (pages of this machine's size) */
	put("sys/fs/cgroup/memory/app/cgroup.procs", "200\n100\n");
	mkd("proc");
	mkd("proc/100");
	mkd("proc/200");
	put("proc/100/statm", "30000 2560 100 1 0 2600 0\n");
	put("proc/100/comm", "big\n");
	put("proc/200/statm", "9000 512 100 1 0 600 0\n");
	put("proc/200/comm", "small\n");
	h = oomtrace_memcgs_open(root);
	ck_assert_ptr_nonnull(h);
	pressures = 0;
	/* 10 MiB/s into /app, sampled each second (a tick 0.5 s later takes nothing) */
	for (k = 0; k < 13; k++, t += 1000) {
		put_u64("sys/fs/cgroup/memory/app/memory.usage_in_bytes", (10ULL * k) << 20);
		if (k == 8)
			put_u64("sys/fs/cgroup/memory/app/memory.failcnt", 10);
		oomtrace_memcgs_tick(h, t, on_pressure, NULL);
		oomtrace_memcgs_tick(h, t + 500, on_pressure, NULL);
		if (k == 2) /* inotify tells of it: gone at the next second's walk */
			ck_assert_int_eq(rmdir_tree_gone(), 0);
		if (k == 3)
			ck_assert_uint_eq(oomtrace_memcgs_count(h), 1);
		if (k == 3) { /* made while followed: in from the next second */
			mkd("sys/fs/cgroup/memory/late");
			put_u64("sys/fs/cgroup/memory/late/memory.limit_in_bytes", 32ULL << 20);
			put_u64("sys/fs/cgroup/memory/late/memory.usage_in_bytes", 1 << 20);
		}
	}
	/* only the memcgs with a limit */
	ck_assert_uint_eq(oomtrace_memcgs_count(h), 2);
	ck_assert(oomtrace_memcgs_history(h, "/late", t - 1000, &hi));
	ck_assert_uint_eq(hi.n, 9);
	/* the pressure record: at 70 MiB (k 7: above half, the last 5 s on a line), 5.8 s left */
	ck_assert_uint_eq(pressures, 1);
	ck_assert_str_eq(pressured, "/app");
	ck_assert_int_eq(pressure_ttl, 5800);
	/* the history up to a kill 0.3 s after the last sample */
	ck_assert(oomtrace_memcgs_history(h, "/app", t - 1000 + 300, &hi));
	ck_assert_uint_eq(hi.n, 13);
	ck_assert_uint_eq(hi.limit_kb, 131072);
	ck_assert_int_eq(hi.s[12].t_ms, -300);
	ck_assert_int_eq(hi.s[0].t_ms, -12300);
	ck_assert_uint_eq(hi.s[12].usage_kb, 120 * 1024);
	/* the hit counter is read from the first sample above half (k 7: 7) to the last (10) */
	ck_assert_uint_eq(hi.limit_hits, 3);
	/* >= 90%: only the newest sample (120 of 128 MiB; 110 is under 115.2) */
	ck_assert(hi.known & OOMTRACE_H_OVER_90);
	ck_assert_int_eq(hi.over_90_ms, 300);
	/* who was in it: read once, when it passed half its limit (k 7) */
	ck_assert(hi.known & OOMTRACE_H_TASKS);
	ck_assert_uint_eq(hi.ntasks, 2);
	ck_assert_int_eq(hi.tasks_newest_ms, -5300);
	ck_assert_int_eq(hi.tasks_oldest_ms, -5300);
	ck_assert_int_eq(hi.tasks[0].pid, 100);
	ck_assert_str_eq(hi.tasks[0].comm, "big");
	ck_assert_uint_eq(hi.tasks[0].rss_kb_newest,
			  2560 * (uint64_t)(sysconf(_SC_PAGESIZE) / 1024));
	ck_assert_int_eq(hi.tasks[1].pid, 200);
	/* nothing after the kill: a kill before the newest sample sees the ones before it */
	ck_assert(oomtrace_memcgs_history(h, "/app", t - 1500, &hi));
	ck_assert_uint_eq(hi.n, 12);
	ck_assert(!oomtrace_memcgs_history(h, "/unlimited", t, &hi));
	oomtrace_memcgs_close(h);
	rmtree();
}
END_TEST

/* who grew: the newest reading's largest, with their RSS 10 s or more before and a minute before */
START_TEST(tasks_grew)
{
	struct oomtrace_memcg_tasks mt;
	struct oomtrace_history hi;
	unsigned int k;

	memset(&mt, 0, sizeof(mt));
	/* readings every 10 s, the ring of 7 wrapped once: 0 .. 80 s */
	for (k = 0; k <= 8; k++) {
		struct oomtrace_memcg_reading *r = &mt.r[mt.readings++ % OOMTRACE_TASK_READINGS];

		memset(r, 0, sizeof(*r));
		r->t_ms = 100000 + k * 10000;
		r->n = 1;
		r->t[0].pid = 7;
		r->t[0].rss_kb = 1000 * k;
		strcpy(r->t[0].comm, "leak");
		if (k == 8) { /* a newcomer at the newest, larger */
			r->n = 2;
			r->t[1] = r->t[0];
			r->t[0].pid = 9;
			r->t[0].rss_kb = 50000;
		}
	}
	memset(&hi, 0, sizeof(hi));
	oomtrace_memcg_tasks_history(&mt, 181000, &hi);
	ck_assert(hi.known & OOMTRACE_H_TASKS);
	ck_assert_int_eq(hi.tasks_newest_ms, -1000);
	ck_assert_int_eq(hi.tasks_10s_ms, -11000);
	ck_assert_int_eq(hi.tasks_oldest_ms, -61000);
	ck_assert_uint_eq(hi.ntasks, 2);
	ck_assert_int_eq(hi.tasks[0].pid, 9);
	ck_assert_uint_eq(hi.tasks[0].known, OOMTRACE_HT_NEWEST);
	ck_assert_int_eq(hi.tasks[1].pid, 7);
	ck_assert_uint_eq(hi.tasks[1].known,
			  OOMTRACE_HT_NEWEST | OOMTRACE_HT_10S | OOMTRACE_HT_OLDEST);
	ck_assert_uint_eq(hi.tasks[1].rss_kb_oldest, 2000);
	ck_assert_uint_eq(hi.tasks[1].rss_kb_10s, 7000);
	ck_assert_uint_eq(hi.tasks[1].rss_kb_newest, 8000);
	/* a record before the newest reading sees the one before */
	memset(&hi, 0, sizeof(hi));
	oomtrace_memcg_tasks_history(&mt, 175000, &hi);
	ck_assert_int_eq(hi.tasks_newest_ms, -5000);
	ck_assert_uint_eq(hi.tasks[0].rss_kb_newest, 7000);
}
END_TEST

/* more memcgs under a quarter of their limit than are read a second: in turn, 50 a second */
START_TEST(sampler_budget)
{
	struct oomtrace_memcgs *h;
	struct oomtrace_history hi;
	unsigned int i, total = 0, fewest = 99;
	char p[64];

	strcpy(root, "/tmp/check_history.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	mkd("sys");
	mkd("sys/fs");
	mkd("sys/fs/cgroup");
	put("sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
	for (i = 0; i < 150; i++) {
		snprintf(p, sizeof(p), "sys/fs/cgroup/m%u", i);
		mkd(p);
		snprintf(p, sizeof(p), "sys/fs/cgroup/m%u/memory.max", i);
		put_u64(p, 64ULL << 20);
		snprintf(p, sizeof(p), "sys/fs/cgroup/m%u/memory.current", i);
		put_u64(p, 1 << 20);
	}
	h = oomtrace_memcgs_open(root);
	ck_assert_ptr_nonnull(h);
	/* the first second reads every new one; then 50 a second */
	for (i = 0; i < 3; i++)
		oomtrace_memcgs_tick(h, 5000 + i * 1000, on_pressure, NULL);
	ck_assert_uint_eq(oomtrace_memcgs_count(h), 150);
	for (i = 0; i < 150; i++) {
		snprintf(p, sizeof(p), "/m%u", i);
		ck_assert(oomtrace_memcgs_history(h, p, 7000, &hi));
		ck_assert_uint_eq(hi.s[0].usage_kb, 1024);
		total += hi.n;
		fewest = hi.n < fewest ? hi.n : fewest;
	}
	ck_assert_uint_eq(total, 150 + 50 + 50);
	ck_assert_uint_eq(fewest, 1);
	oomtrace_memcgs_close(h);
	rmtree();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("history");
	TCase *t = tcase_create("core");

	tcase_add_test(t, steady);
	tcase_add_test(t, spike);
	tcase_add_test(t, near_limit);
	tcase_add_test(t, why_from_history);
	tcase_add_test(t, sampler_v1);
	tcase_add_test(t, sampler_budget);
	tcase_add_test(t, tasks_grew);
	suite_add_tcase(s, t);
	return run_suite(s);
}
