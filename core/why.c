// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * why.c: why a kill's memory ran out, as the event's own evidence proves it: the memcg's stat
 * split, the report's Mem-Info, zones, huge pages and unreclaimable slab, the task table. Each
 * rule and the numbers it needs are in docs/schema.md ("why"); where none holds, the cause is
 * unknown and the sentence says what is missing. Never a guess: every share is of a total the
 * same report printed.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "growth.h"
#include "why.h"

/* "512 KiB", "64.0 MiB", "10.4 GiB" */
static const char *size_str(char *s, size_t n, uint64_t kb)
{
	if (kb < 1024)
		snprintf(s, n, "%" PRIu64 " KiB", kb);
	else if (kb < 1024 * 1024)
		snprintf(s, n, "%.1f MiB", (double)kb / 1024);
	else
		snprintf(s, n, "%.1f GiB", (double)kb / (1024 * 1024));
	return s;
}

static unsigned int pct(uint64_t part, uint64_t whole)
{
	return whole ? (unsigned int)(part * 100 / whole) : 0;
}

/* The first of @keys the set has (non-negative), in @out; false when none. */
static bool first_of(const struct oomtrace_kvset *set, const char *const *keys, uint64_t *out)
{
	int64_t v;

	for (; *keys; keys++)
		if (oomtrace_kvset_get(set, *keys, &v) && v >= 0) {
			*out = (uint64_t)v;
			return true;
		}
	return false;
}

/* ---- a memcg OOM: the memcg's own stat split against its usage -------------------------- */

/* v2 memory.stat's kernel memory ("kernel", 5.18+), or the sum of its parts */
static bool memcg_kernel_bytes(const struct oomtrace_kvset *st, const struct oomtrace_kvset *mc,
			       uint64_t *out)
{
	static const char *const parts[] = {"slab_unreclaimable",
					    "kernel_stack",
					    "pagetables",
					    "sec_pagetables",
					    "percpu",
					    "sock",
					    "vmalloc"};
	static const char *const kernel[] = {"kernel", NULL};
	int64_t v;
	size_t i;
	bool any = false;

	if (first_of(st, kernel, out))
		return true;
	*out = 0;
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (oomtrace_kvset_get(st, parts[i], &v) && v > 0) {
			*out += (uint64_t)v;
			any = true;
		}
	/* v1: the kmem counter the report printed ("kmem: usage %llukB") */
	if (!any && oomtrace_kvset_get(mc, "kmem_usage_kb", &v) && v >= 0) {
		*out = (uint64_t)v * 1024;
		any = true;
	}
	return any;
}

static bool memcg_cause(struct oomtrace_event *ev)
{
	static const char *const shmem_k[] = {"total_shmem", "shmem", NULL};
	static const char *const file_k[] = {"total_cache", "file", "cache", NULL};
	static const char *const dirty_k[] = {"total_dirty", "file_dirty", "dirty", NULL};
	static const char *const wb_k[] = {"total_writeback", "file_writeback", "writeback", NULL};
	static const char *const usage_k[] = {"usage_kb", NULL};
	const struct oomtrace_kvset *st = &ev->ctx.memcg_stat, *mc = &ev->ctx.memcg;
	uint64_t usage_kb, kern = 0, shmem = 0, file = 0, dirty = 0, wb = 0;
	char a[32], b[32], c[32], d[32];

	if (!st->n || !first_of(mc, usage_k, &usage_kb) || !usage_kb)
		return false;
	if (memcg_kernel_bytes(st, mc, &kern) && kern / 1024 * 2 >= usage_kb) {
		ev->cause = OOMTRACE_CAUSE_KERNEL_MEMORY;
		snprintf(
		    ev->why, sizeof(ev->why),
		    "kernel memory (slab, stacks, page tables, sockets) held %s of the memcg's "
		    "%s (%u%%)",
		    size_str(a, sizeof(a), kern / 1024), size_str(b, sizeof(b), usage_kb),
		    pct(kern / 1024, usage_kb));
		return true;
	}
	first_of(st, shmem_k, &shmem);
	if (shmem / 1024 * 2 >= usage_kb) {
		ev->cause = OOMTRACE_CAUSE_SHMEM_TMPFS;
		snprintf(ev->why, sizeof(ev->why),
			 "shmem/tmpfs held %s of the memcg's %s (%u%%): freed only when its files "
			 "are deleted or unmapped",
			 size_str(a, sizeof(a), shmem / 1024), size_str(b, sizeof(b), usage_kb),
			 pct(shmem / 1024, usage_kb));
		return true;
	}
	/* v1's cache and v2's file both count shmem: the page cache proper is the rest */
	if (first_of(st, file_k, &file) && file > shmem && (file - shmem) / 1024 * 2 >= usage_kb) {
		first_of(st, dirty_k, &dirty);
		first_of(st, wb_k, &wb);
		ev->cause = OOMTRACE_CAUSE_PAGE_CACHE_UNRECLAIMABLE;
		snprintf(ev->why, sizeof(ev->why),
			 "page cache held %s of the memcg's %s (%u%%) and was not reclaimed "
			 "(dirty %s, writeback %s)",
			 size_str(a, sizeof(a), (file - shmem) / 1024),
			 size_str(b, sizeof(b), usage_kb), pct((file - shmem) / 1024, usage_kb),
			 size_str(c, sizeof(c), dirty / 1024), size_str(d, sizeof(d), wb / 1024));
		return true;
	}
	return false;
}

/* ---- a global OOM: the report's Mem-Info, zones, huge pages and slab ------------------- */

static int64_t mi(const struct oomtrace_event *ev, const char *k)
{
	int64_t v;

	return oomtrace_kvset_get(&ev->ctx.mem_info, k, &v) && v > 0 ? v : 0;
}

/* kB per page: the zones' free kB over Mem-Info's free pages (the report prints both) */
static uint64_t page_kb(const struct oomtrace_event *ev)
{
	uint64_t free_kb = 0, k;
	int64_t free_pages = mi(ev, "free");
	unsigned int i;

	for (i = 0; i < ev->ctx.nzones; i++)
		free_kb += ev->ctx.zones[i].free_kb;
	if (!free_pages || !free_kb)
		return 0;
	k = (free_kb + (uint64_t)free_pages / 2) / (uint64_t)free_pages;
	return k == 4 || k == 8 || k == 16 || k == 64 ? k : 0;
}

static bool global_slab(struct oomtrace_event *ev, uint64_t lru, uint64_t pkb)
{
	const struct oomtrace_context *c = &ev->ctx;
	uint64_t slab = (uint64_t)mi(ev, "slab_unreclaimable");
	char a[32], b[32], top[96] = "";

	/* the kernel's own test for printing the block (is_dump_unreclaim_slabs) */
	if (!(c->known & OOMTRACE_C_SLAB) && !(lru && slab > lru))
		return false;
	if (c->nslab)
		snprintf(top, sizeof(top), "; largest cache %.47s, %s", c->slab[0].name,
			 size_str(a, sizeof(a), c->slab[0].used_kb));
	ev->cause = OOMTRACE_CAUSE_KERNEL_MEMORY;
	if (pkb && slab)
		snprintf(ev->why, sizeof(ev->why),
			 "unreclaimable slab held %s, more than all user memory and page cache "
			 "(%s)%s",
			 size_str(a, sizeof(a), slab * pkb), size_str(b, sizeof(b), lru * pkb),
			 top);
	else
		snprintf(ev->why, sizeof(ev->why),
			 "unreclaimable slab outweighed all user memory and page cache (the kernel "
			 "printed its slab caches: %s in %" PRIu32 " caches)%s",
			 size_str(a, sizeof(a), c->slab_used_kb), c->slab_caches, top);
	return true;
}

static bool global_hugepages(struct oomtrace_event *ev, uint64_t lru, uint64_t pkb)
{
	uint64_t huge = 0, used = lru + (uint64_t)mi(ev, "slab_unreclaimable") +
				  (uint64_t)mi(ev, "slab_reclaimable");
	char a[32], b[32];
	unsigned int i;

	for (i = 0; i < ev->ctx.nhuge; i++)
		huge += ev->ctx.huge[i].total * ev->ctx.huge[i].size_kb;
	if (!pkb || !huge || huge < used * pkb)
		return false;
	ev->cause = OOMTRACE_CAUSE_HUGEPAGES_RESERVED;
	snprintf(ev->why, sizeof(ev->why),
		 "huge pages reserved %s, more than all memory in use besides them (%s): no "
		 "one else can use reserved huge pages",
		 size_str(a, sizeof(a), huge), size_str(b, sizeof(b), used * pkb));
	return true;
}

/* the flags as the kernel printed them ask for ZONE_DMA: GFP_DMA or __GFP_DMA, not ..._DMA32 */
static bool gfp_dma(const char *flags)
{
	const char *p;

	for (p = flags; (p = strstr(p, "GFP_DMA")); p += 7)
		if (p[7] != '3')
			return true;
	return false;
}

static bool global_fragmentation(struct oomtrace_event *ev)
{
	const struct oomtrace_zone *z = NULL;
	char a[32], b[32];
	unsigned int i;

	if (!(ev->known & OOMTRACE_E_ORDER) || ev->order <= 0)
		return false;
	/* the zone with the most free memory above its high watermark; never ZONE_DMA for an
	 * allocation that is not GFP_DMA: lowmem_reserve keeps it from them (a DMA zone above its
	 * watermarks is in almost every report) */
	for (i = 0; i < ev->ctx.nzones; i++) {
		const struct oomtrace_zone *c = &ev->ctx.zones[i];

		if (strcmp(c->zone, "DMA") == 0 && !gfp_dma(ev->gfp_flags))
			continue;
		if (c->free_kb >= c->high_kb && (!z || c->free_kb > z->free_kb))
			z = c;
	}
	if (!z)
		return false;
	ev->cause = OOMTRACE_CAUSE_FRAGMENTATION;
	snprintf(ev->why, sizeof(ev->why),
		 "an order-%d allocation failed while zone %s had %s free, above its high "
		 "watermark %s: the free memory was not contiguous",
		 ev->order, z->zone, size_str(a, sizeof(a), z->free_kb),
		 size_str(b, sizeof(b), z->high_kb));
	return true;
}

/* shmem, then the page cache, as shares of the LRU pages (the same unit, no page size) */
static bool global_lru_split(struct oomtrace_event *ev, uint64_t lru)
{
	uint64_t shmem = (uint64_t)mi(ev, "shmem"),
		 file = (uint64_t)(mi(ev, "active_file") + mi(ev, "inactive_file"));

	if (!lru)
		return false;
	if (shmem * 2 >= lru) {
		ev->cause = OOMTRACE_CAUSE_SHMEM_TMPFS;
		snprintf(ev->why, sizeof(ev->why),
			 "shmem/tmpfs held %" PRIu64 " of the %" PRIu64
			 " pages of user memory and page cache (%u%%): freed only when its files "
			 "are deleted or unmapped",
			 shmem, lru, pct(shmem, lru));
		return true;
	}
	if (file * 2 >= lru) {
		ev->cause = OOMTRACE_CAUSE_PAGE_CACHE_UNRECLAIMABLE;
		snprintf(ev->why, sizeof(ev->why),
			 "page cache held %" PRIu64 " of the %" PRIu64
			 " pages of user memory and page cache (%u%%) and was not reclaimed "
			 "(dirty %" PRId64 ", writeback %" PRId64 " pages)",
			 file, lru, pct(file, lru), mi(ev, "dirty"), mi(ev, "writeback"));
		return true;
	}
	return false;
}

static bool global_cause(struct oomtrace_event *ev)
{
	uint64_t lru, pkb;

	if (!ev->ctx.mem_info.n)
		return false;
	lru = (uint64_t)(mi(ev, "active_anon") + mi(ev, "inactive_anon") + mi(ev, "active_file") +
			 mi(ev, "inactive_file") + mi(ev, "unevictable"));
	pkb = page_kb(ev);
	return global_slab(ev, lru, pkb) || global_hugepages(ev, lru, pkb) ||
	       global_fragmentation(ev) || global_lru_split(ev, lru);
}

/* ---- how it got there: the OOMing memcg's last minute (live) --------------------------- */

/* ", the victim held 94% of it" where the victim's sizes are known */
static void victim_share(const struct oomtrace_event *ev, char *s, size_t n, uint64_t of_kb)
{
	const struct oomtrace_task *v = &ev->victim;
	uint64_t kb = v->anon_rss_kb + v->file_rss_kb + v->shmem_rss_kb;

	*s = '\0';
	if ((v->known & OOMTRACE_T_ANON_RSS) && of_kb)
		snprintf(s, n, "; the victim held %u%% of it", pct(kb, of_kb));
}

static const char *memcg_name(const struct oomtrace_event *ev)
{
	return ev->known & OOMTRACE_E_OOM_MEMCG ? ev->oom_memcg : "the memcg";
}

/* the rate where the history has one: the steady window's, else the last 10 s' */
static void set_growth(struct oomtrace_event *ev, double kb_per_s)
{
	ev->growth_kb_per_s = (int64_t)(kb_per_s + (kb_per_s < 0 ? -0.5 : 0.5));
	ev->known |= OOMTRACE_E_GROWTH;
}

/*
 * The rate where the history proves one: a steady window's, a spike's (from its last sample
 * under half to the limit: a lower bound), else the last 10 s' where they fit a line.
 */
static void history_growth(struct oomtrace_event *ev)
{
	const struct oomtrace_history *hi = &ev->ctx.history;
	const struct oomtrace_sample *under;
	double rate, r2;
	int32_t from;

	if (!(ev->ctx.known & OOMTRACE_C_HISTORY) || !hi->n)
		return;
	if (oomtrace_growth_steady(hi, &from, &rate))
		set_growth(ev, rate);
	else if (oomtrace_growth_spike(hi, &under) && under->t_ms < 0)
		set_growth(ev, (double)(hi->limit_kb - under->usage_kb) * 1000.0 / -under->t_ms);
	else if (oomtrace_growth_rate(hi, 10000, &rate, &r2) && r2 >= 0.9)
		set_growth(ev, rate);
}

static bool history_cause(struct oomtrace_event *ev)
{
	const struct oomtrace_history *hi = &ev->ctx.history;
	const struct oomtrace_sample *under;
	char a[32], b[32], c[32], share[48];
	double rate;
	int32_t from;

	if (!(ev->ctx.known & OOMTRACE_C_HISTORY) || !hi->n || !hi->limit_kb)
		return false;
	victim_share(ev, share, sizeof(share), hi->limit_kb);
	if (oomtrace_growth_steady(hi, &from, &rate)) {
		ev->cause = OOMTRACE_CAUSE_STEADY_GROWTH;
		snprintf(ev->why, sizeof(ev->why),
			 "%.100s grew %s/s for %.0f s into its %s limit (%s %.1f s before the "
			 "kill)%s",
			 memcg_name(ev), size_str(a, sizeof(a), (uint64_t)rate),
			 (hi->s[hi->n - 1].t_ms - from) / 1000.0,
			 size_str(b, sizeof(b), hi->limit_kb),
			 size_str(c, sizeof(c), hi->s[hi->n - 1].usage_kb),
			 -hi->s[hi->n - 1].t_ms / 1000.0, share);
		return true;
	}
	if (oomtrace_growth_spike(hi, &under)) {
		ev->cause = OOMTRACE_CAUSE_SPIKE;
		snprintf(ev->why, sizeof(ev->why),
			 "%.100s went from %s, under half its %s limit, to the limit in under "
			 "%.1f s%s",
			 memcg_name(ev), size_str(a, sizeof(a), under->usage_kb),
			 size_str(b, sizeof(b), hi->limit_kb), -under->t_ms / 1000.0, share);
		return true;
	}
	return false;
}

/* a pressure record: the forecast it was made for */
static void pressure_why(struct oomtrace_event *ev)
{
	const struct oomtrace_history *hi = &ev->ctx.history;
	char a[32], b[32], c[32];

	ev->cause = OOMTRACE_CAUSE_STEADY_GROWTH;
	snprintf(ev->why, sizeof(ev->why),
		 "%.100s grows %s/s: at %s of its %s limit, it reaches it in %.1f s at this rate",
		 memcg_name(ev), size_str(a, sizeof(a), (uint64_t)ev->growth_kb_per_s),
		 size_str(b, sizeof(b), hi->n ? hi->s[hi->n - 1].usage_kb : 0),
		 size_str(c, sizeof(c), hi->limit_kb), ev->time_to_limit_ms / 1000.0);
	ev->known |= OOMTRACE_E_WHY;
}

/* ---- who held it: the task table (every row counted as it was parsed) ------------------ */

static bool tasks_cause(struct oomtrace_event *ev)
{
	const struct oomtrace_context *c = &ev->ctx;
	const struct oomtrace_task_row *t = &c->top[0];
	double share;
	bool most;

	if (!c->ntop || !c->ntasks || !c->tasks_rss_pages || !(t->known & OOMTRACE_R_RSS))
		return false;
	/* most: more than half */
	most = t->rss_pages * 2 > c->tasks_rss_pages;
	share = 100.0 * (double)t->rss_pages / (double)c->tasks_rss_pages;
	ev->cause = most ? OOMTRACE_CAUSE_SINGLE_TASK : OOMTRACE_CAUSE_MANY_TASKS;
	snprintf(ev->why, sizeof(ev->why),
		 "%s%.*s (pid %" PRId32 ") held %.1f%% of the RSS of the %" PRIu32
		 " task%s in the report's table (%" PRIu64 " of %" PRIu64 " pages)",
		 most ? "" : "no task held most: the largest, ", OOMTRACE_COMM_MAX, t->name, t->pid,
		 share, c->ntasks, c->ntasks == 1 ? "" : "s", t->rss_pages, c->tasks_rss_pages);
	return true;
}

void oomtrace_why(struct oomtrace_event *ev)
{

	if (ev->record == OOMTRACE_RECORD_PRESSURE && !(ev->known & OOMTRACE_E_WHY) &&
	    (ev->known & OOMTRACE_E_GROWTH))
		pressure_why(ev);
	if (ev->record != OOMTRACE_RECORD_KILL || (ev->known & OOMTRACE_E_WHY) ||
	    ev->killer.name[0])
		return; /* a userspace killer's kill carries its own reason (killer.reason) */
	ev->cause = OOMTRACE_CAUSE_UNKNOWN; /* until a rule holds */
	history_growth(ev);
	/* what held the memory first, then how fast it came, then who held it */
	if (!memcg_cause(ev) && !history_cause(ev) && !global_cause(ev) && !tasks_cause(ev))
		snprintf(ev->why, sizeof(ev->why),
			 "this event carries no breakdown that proves a cause (the memcg's stats, "
			 "the report's Mem-Info or its task table)");
	ev->known |= OOMTRACE_E_WHY;
}
