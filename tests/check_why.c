// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_why.c: each rule of core/why.c on either side of its threshold: the memcg's split
 * (kernel, shmem, page cache), a global report's slab, huge pages, fragmentation and LRU split,
 * the task table's largest share; unknown where nothing proves a cause; a cause already known
 * (read from an event file) kept.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "helpers.h"

#include "why.h"

static struct oomtrace_event *new_kill(void)
{
	struct oomtrace_event *ev = calloc(1, sizeof(*ev));

	ck_assert_ptr_nonnull(ev);
	ev->record = OOMTRACE_RECORD_KILL;
	return ev;
}

static void kv(struct oomtrace_kvset *set, const char *k, int64_t v)
{
	ck_assert_int_eq(oomtrace_kvset_set(set, k, strlen(k), v), 0);
}

#define MIB (1024 * 1024LL)

/* a 64 MiB memcg at its limit, with @k bytes of stat @key (and "anon" for the rest) */
static struct oomtrace_event *memcg_with(const char *key, int64_t bytes)
{
	struct oomtrace_event *ev = new_kill();

	kv(&ev->ctx.memcg, "usage_kb", 65536);
	kv(&ev->ctx.memcg, "limit_kb", 65536);
	kv(&ev->ctx.memcg_stat, "anon", 64 * MIB - bytes);
	kv(&ev->ctx.memcg_stat, key, bytes);
	return ev;
}

static enum oomtrace_cause cause_of(struct oomtrace_event *ev)
{
	enum oomtrace_cause c;

	oomtrace_why(ev);
	ck_assert(ev->known & OOMTRACE_E_WHY);
	ck_assert(ev->why[0]);
	c = ev->cause;
	free(ev);
	return c;
}

START_TEST(memcg_split)
{
	struct oomtrace_event *ev;

	ck_assert_int_eq(cause_of(memcg_with("kernel", 32 * MIB)), OOMTRACE_CAUSE_KERNEL_MEMORY);
	ck_assert_int_eq(cause_of(memcg_with("kernel", 31 * MIB)), OOMTRACE_CAUSE_UNKNOWN);
	/* v2 before "kernel" (5.18): its parts summed */
	ev = memcg_with("slab_unreclaimable", 28 * MIB);
	kv(&ev->ctx.memcg_stat, "kernel_stack", 3 * MIB);
	kv(&ev->ctx.memcg_stat, "pagetables", 1 * MIB);
	ck_assert_int_eq(cause_of(ev), OOMTRACE_CAUSE_KERNEL_MEMORY);
	/* v1: the report's kmem counter */
	ev = memcg_with("rss", 30 * MIB);
	kv(&ev->ctx.memcg, "kmem_usage_kb", 34 * 1024);
	ck_assert_int_eq(cause_of(ev), OOMTRACE_CAUSE_KERNEL_MEMORY);
	ck_assert_int_eq(cause_of(memcg_with("shmem", 40 * MIB)), OOMTRACE_CAUSE_SHMEM_TMPFS);
	ck_assert_int_eq(cause_of(memcg_with("file", 40 * MIB)),
			 OOMTRACE_CAUSE_PAGE_CACHE_UNRECLAIMABLE);
	/* file counts shmem: 40 MiB of file of which 20 shmem is neither */
	ev = memcg_with("file", 40 * MIB);
	kv(&ev->ctx.memcg_stat, "shmem", 20 * MIB);
	ck_assert_int_eq(cause_of(ev), OOMTRACE_CAUSE_UNKNOWN);
	/* v1's hierarchical total wins over the memcg's own */
	ev = memcg_with("cache", 0);
	kv(&ev->ctx.memcg_stat, "total_cache", 50 * MIB);
	ck_assert_int_eq(cause_of(ev), OOMTRACE_CAUSE_PAGE_CACHE_UNRECLAIMABLE);
}
END_TEST

/* a global report: Mem-Info pages, one 4 KiB-page zone (its free kB / Mem-Info free = 4) */
static struct oomtrace_event *global(int64_t anon, int64_t file, int64_t shmem, int64_t slab)
{
	struct oomtrace_event *ev = new_kill();
	struct oomtrace_zone *z = &ev->ctx.zones[0];

	kv(&ev->ctx.mem_info, "active_anon", anon);
	kv(&ev->ctx.mem_info, "inactive_anon", 0);
	kv(&ev->ctx.mem_info, "active_file", file);
	kv(&ev->ctx.mem_info, "inactive_file", 0);
	kv(&ev->ctx.mem_info, "shmem", shmem);
	kv(&ev->ctx.mem_info, "slab_unreclaimable", slab);
	kv(&ev->ctx.mem_info, "free", 1000);
	ev->ctx.nzones = 1;
	strcpy(z->zone, "Normal");
	z->free_kb = 4000;
	z->min_kb = 5000;
	z->low_kb = 6000;
	z->high_kb = 7000;
	return ev;
}

/* an order-3 global report: zone @first (@free kB, high @high) before a Normal with @normal kB
 * free (its high 6000), the allocation's flags as printed */
static struct oomtrace_event *two_zones(const char *first, uint64_t free_kb, uint64_t high,
					uint64_t normal, const char *gfp)
{
	struct oomtrace_event *ev = global(1000, 0, 0, 0);

	ev->known |= OOMTRACE_E_ORDER;
	ev->order = 3;
	ev->ctx.nzones = 2;
	ev->ctx.zones[1] = ev->ctx.zones[0];
	ev->ctx.zones[1].free_kb = normal;
	strcpy(ev->ctx.zones[0].zone, first);
	ev->ctx.zones[0].free_kb = free_kb;
	ev->ctx.zones[0].high_kb = high;
	strcpy(ev->gfp_flags, gfp);
	return ev;
}

START_TEST(global_rules)
{
	struct oomtrace_event *ev;

	/* the kernel's own test: unreclaimable slab above the LRU, or its block printed */
	ck_assert_int_eq(cause_of(global(1000, 0, 0, 1001)), OOMTRACE_CAUSE_KERNEL_MEMORY);
	ck_assert_int_eq(cause_of(global(1000, 0, 0, 1000)), OOMTRACE_CAUSE_UNKNOWN);
	ev = global(1000, 0, 0, 10);
	ev->ctx.known |= OOMTRACE_C_SLAB;
	ck_assert_int_eq(cause_of(ev), OOMTRACE_CAUSE_KERNEL_MEMORY);
	/* 1000 x 4 KiB in use besides them; 2 x 2 MiB reserved is more */
	ev = global(1000, 0, 0, 0);
	ev->ctx.nhuge = 1;
	ev->ctx.huge[0].size_kb = 2048;
	ev->ctx.huge[0].total = 2;
	ck_assert_int_eq(cause_of(ev), OOMTRACE_CAUSE_HUGEPAGES_RESERVED);
	ev = global(1000, 0, 0, 0);
	ev->ctx.nhuge = 1;
	ev->ctx.huge[0].size_kb = 2048;
	ev->ctx.huge[0].total = 1;
	ck_assert_int_eq(cause_of(ev), OOMTRACE_CAUSE_UNKNOWN);
	/* order > 0 with a zone above its high watermark */
	ev = global(1000, 0, 0, 0);
	ev->known |= OOMTRACE_E_ORDER;
	ev->order = 3;
	ev->ctx.zones[0].free_kb = 7000;
	ck_assert_int_eq(cause_of(ev), OOMTRACE_CAUSE_FRAGMENTATION);
	ev = global(1000, 0, 0, 0);
	ev->known |= OOMTRACE_E_ORDER;
	ev->order = 0;
	ev->ctx.zones[0].free_kb = 7000;
	ck_assert_int_eq(cause_of(ev), OOMTRACE_CAUSE_UNKNOWN);
	/* ZONE_DMA above its watermarks proves nothing for an allocation it is reserved from */
	ck_assert_int_eq(
	    cause_of(two_zones("DMA", 14336, 196, 100, "GFP_KERNEL|__GFP_COMP|__GFP_DMA32")),
	    OOMTRACE_CAUSE_UNKNOWN);
	ck_assert_int_eq(cause_of(two_zones("DMA", 14336, 196, 100, "GFP_DMA|__GFP_COMP")),
			 OOMTRACE_CAUSE_FRAGMENTATION);
	/* of two zones above their watermarks, the sentence names the one with more free */
	ev = two_zones("DMA32", 7000, 6500, 9000, "GFP_KERNEL");
	oomtrace_why(ev);
	ck_assert_int_eq(ev->cause, OOMTRACE_CAUSE_FRAGMENTATION);
	ck_assert_ptr_nonnull(strstr(ev->why, "zone Normal had 8.8 MiB free"));
	free(ev);
	ck_assert_int_eq(cause_of(global(1000, 0, 500, 0)),
			 OOMTRACE_CAUSE_SHMEM_TMPFS); /* in anon */
	ck_assert_int_eq(cause_of(global(1000, 0, 499, 0)), OOMTRACE_CAUSE_UNKNOWN);
	ck_assert_int_eq(cause_of(global(500, 500, 0, 0)), OOMTRACE_CAUSE_PAGE_CACHE_UNRECLAIMABLE);
}
END_TEST

static void row(struct oomtrace_event *ev, int32_t pid, uint64_t rss)
{
	struct oomtrace_task_row r = {.known = OOMTRACE_R_RSS, .pid = pid, .rss_pages = rss};

	strcpy(r.name, "t");
	oomtrace_context_add_task(&ev->ctx, &r);
}

START_TEST(task_table)
{
	struct oomtrace_event *ev = new_kill();
	int i;

	row(ev, 1, 51);
	row(ev, 2, 49);
	ck_assert_int_eq(cause_of(ev), OOMTRACE_CAUSE_SINGLE_TASK);
	ev = new_kill();
	row(ev, 1, 50);
	row(ev, 2, 50);
	ck_assert_int_eq(cause_of(ev), OOMTRACE_CAUSE_MANY_TASKS);
	/* more rows than the top 10 kept: the share is of all of them */
	ev = new_kill();
	for (i = 0; i < 30; i++)
		row(ev, i + 1, i ? 10 : 200);
	ck_assert_uint_eq(ev->ctx.ntop, OOMTRACE_TOP_TASKS);
	oomtrace_why(ev);
	ck_assert_int_eq(ev->cause, OOMTRACE_CAUSE_MANY_TASKS); /* 200 of 490 */
	ck_assert_ptr_nonnull(strstr(ev->why, "of the 30 tasks"));
	free(ev);
}
END_TEST

START_TEST(unknown_and_kept)
{
	struct oomtrace_event *ev = new_kill();

	ck_assert_int_eq(cause_of(ev), OOMTRACE_CAUSE_UNKNOWN);
	/* read from an event file: kept as written */
	ev = memcg_with("kernel", 60 * MIB);
	ev->known |= OOMTRACE_E_WHY;
	ev->cause = OOMTRACE_CAUSE_FRAGMENTATION;
	strcpy(ev->why, "as recorded");
	oomtrace_why(ev);
	ck_assert_int_eq(ev->cause, OOMTRACE_CAUSE_FRAGMENTATION);
	ck_assert_str_eq(ev->why, "as recorded");
	free(ev);
	/* only kills have a cause */
	ev = new_kill();
	ev->record = OOMTRACE_RECORD_REAP;
	oomtrace_why(ev);
	ck_assert(!(ev->known & OOMTRACE_E_WHY));
	free(ev);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("why");
	TCase *t = tcase_create("core");

	tcase_add_test(t, memcg_split);
	tcase_add_test(t, global_rules);
	tcase_add_test(t, task_table);
	tcase_add_test(t, unknown_and_kept);
	suite_add_tcase(s, t);
	return run_suite(s);
}
