// SPDX-License-Identifier: GPL-2.0-or-later
/* kjoin.c: the kernel's own report of a kill (/dev/kmsg, through the replay parser) joined to live
 * events. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "kjoin.h"
#include "live.h"
#include "log.h"
#include "parser.h"

#define KJ_REPORTS 8
#define KJ_WINDOW_NS (10 * 1000000000ULL)
#define KJ_PAST_NS (1000 * 1000000ULL) /* the log this far past a kill without its report: stop */

struct oomtrace_kjoin {
	int fd;
	struct oomtrace_parser *parser;
	unsigned int next; /* ring slot for the next report */
	struct oomtrace_event rep[KJ_REPORTS];
	bool used[KJ_REPORTS];
	uint64_t last_ns; /* kernel time of the newest record read */
	char rec[8192];	  /* one /dev/kmsg record */
};

struct oomtrace_kjoin *oomtrace_kjoin_open(void)
{
	struct oomtrace_parser_opts po = {0};
	struct oomtrace_kjoin *kj = calloc(1, sizeof(*kj));
	int e;

	if (!kj)
		return NULL;
	kj->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kj->fd < 0)
		goto fail;
	/* only what the kernel prints from now on */
	if (lseek(kj->fd, 0, SEEK_END) < 0)
		goto fail;
	kj->parser = oomtrace_parser_new(&po);
	if (!kj->parser)
		goto fail;
	return kj;
fail:
	e = errno;
	oomtrace_kjoin_close(kj);
	errno = e;
	return NULL;
}

void oomtrace_kjoin_close(struct oomtrace_kjoin *kj)
{
	if (!kj)
		return;
	if (kj->fd >= 0)
		close(kj->fd);
	oomtrace_parser_free(kj->parser);
	free(kj);
}

static int keep(void *ctx, struct oomtrace_event *ev)
{
	struct oomtrace_kjoin *kj = ctx;

	if (ev->record != OOMTRACE_RECORD_KILL || !(ev->victim.known & OOMTRACE_T_PID))
		return 0;
	kj->rep[kj->next] = *ev;
	kj->used[kj->next] = false;
	kj->next = (kj->next + 1) % KJ_REPORTS;
	return 0;
}

/*
 * One /dev/kmsg record through the parser (held-back reports are emitted);
 * 1 when one was read, 0 when there is none now. Records are read only as
 * far as the event being joined needs: reports arrive in kill order, so the
 * ring never has to hold more than a few.
 */
static int read_one(struct oomtrace_kjoin *kj)
{
	ssize_t n;
	const char *b, *end, *nl, *c1, *c2 = NULL;
	uint64_t ts_ns;

	do
		n = read(kj->fd, kj->rec, sizeof(kj->rec) - 1);
	while (n < 0 && (errno == EINTR || errno == EPIPE)); /* EPIPE: records overwritten unread */
	if (n <= 0)
		return 0;
	/* "pri,seq,ts_us,flags;text\n" and " KEY=value" lines */
	kj->rec[n] = '\0';
	if ((c1 = strchr(kj->rec, ',')))
		c2 = strchr(c1 + 1, ',');
	ts_ns = c2 ? strtoull(c2 + 1, NULL, 10) * 1000 : 0;
	if (ts_ns > kj->last_ns)
		kj->last_ns = ts_ns;
	for (b = kj->rec, end = kj->rec + n; b < end; b = nl + 1) {
		nl = memchr(b, '\n', (size_t)(end - b));
		if (!nl)
			nl = end;
		oomtrace_parser_line(kj->parser, b, (size_t)(nl - b), keep, kj);
	}
	oomtrace_parser_flush(kj->parser, true, keep, kj);
	return 1;
}

static int find(struct oomtrace_kjoin *kj, const struct oomtrace_event *ev)
{
	unsigned int i;

	for (i = 1; i <= KJ_REPORTS; i++) {
		unsigned int k = (kj->next + KJ_REPORTS - i) % KJ_REPORTS;
		const struct oomtrace_event *r = &kj->rep[k];
		uint64_t d;

		if (kj->used[k] || !(r->victim.known & OOMTRACE_T_PID) ||
		    r->victim.pid != ev->victim.pid)
			continue;
		/* the kernel's log clock and the probe's (CLOCK_MONOTONIC) are close, not equal */
		d = r->uptime_ns > ev->uptime_ns ? r->uptime_ns - ev->uptime_ns
						 : ev->uptime_ns - r->uptime_ns;
		if ((r->known & OOMTRACE_E_UPTIME) && (ev->known & OOMTRACE_E_UPTIME) &&
		    d > KJ_WINDOW_NS)
			continue;
		return (int)k;
	}
	return -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool oomtrace_kjoin_merge(struct oomtrace_kjoin *kj, struct oomtrace_event *ev, int wait_ms)
{
	int64_t deadline = now_ms() + wait_ms;
	int k;

	if (!kj || !(ev->victim.known & OOMTRACE_T_PID))
		return false;
	/*
	 * The wait counts from the kill, not from now (live uptime is
	 * CLOCK_MONOTONIC): a reader behind a storm, whose reports the kernel
	 * ratelimited away, reads what has come and waits no more.
	 */
	if ((ev->known & OOMTRACE_E_UPTIME) && ev->source != OOMTRACE_SOURCE_REPLAY &&
	    (int64_t)(ev->uptime_ns / 1000000) + wait_ms < deadline)
		deadline = (int64_t)(ev->uptime_ns / 1000000) + wait_ms;
	/*
	 * The header and the oom-kill: summary are printed before mark_victim
	 * fires, the "Killed process" line just after: wait for it, bounded.
	 */
	for (;;) {
		int left;
		struct pollfd p = {.fd = kj->fd, .events = POLLIN};

		if ((k = find(kj, ev)) >= 0)
			break;
		if (read_one(kj)) {
			/* the log has gone well past this kill: its report is not coming (lost,
			 * filtered) */
			if ((ev->known & OOMTRACE_E_UPTIME) &&
			    kj->last_ns > ev->uptime_ns + KJ_PAST_NS)
				break;
			continue;
		}
		left = (int)(deadline - now_ms());
		if (left <= 0)
			break;
		if (poll(&p, 1, left < 5 ? left : 5) < 0 && errno != EINTR)
			break;
	}
	if (k < 0)
		return false;
	kj->used[k] = true;
	oomtrace_kjoin_apply(&kj->rep[k], ev);
	return true;
}

int oomtrace_kjoin_hook(void *ctx, struct oomtrace_event *ev)
{
	oomtrace_kjoin_merge(ctx, ev, OOMTRACE_KJOIN_WAIT_MS);
	return 0;
}

/* one task fact: taken when the report has it and the event does not */
#define TAKE(dst, src, bit, field)                                                                 \
	do {                                                                                       \
		if (((src)->known & (bit)) && !((dst)->known & (bit))) {                           \
			(dst)->field = (src)->field;                                               \
			(dst)->known |= (bit);                                                     \
			got = true;                                                                \
		}                                                                                  \
	} while (0)

static bool take_task(struct oomtrace_task *dst, const struct oomtrace_task *src, bool victim)
{
	bool got = false;

	TAKE(dst, src, OOMTRACE_T_OOM_SCORE_ADJ, oom_score_adj);
	if (victim) {
		TAKE(dst, src, OOMTRACE_T_UID, uid);
		TAKE(dst, src, OOMTRACE_T_TOTAL_VM, total_vm_kb);
		TAKE(dst, src, OOMTRACE_T_ANON_RSS, anon_rss_kb);
		TAKE(dst, src, OOMTRACE_T_FILE_RSS, file_rss_kb);
		TAKE(dst, src, OOMTRACE_T_SHMEM_RSS, shmem_rss_kb);
		TAKE(dst, src, OOMTRACE_T_PGTABLES, pgtables_kb);
	} else {
		TAKE(dst, src, OOMTRACE_T_PID, pid);
	}
	if ((src->known & OOMTRACE_T_COMM) && !(dst->known & OOMTRACE_T_COMM)) {
		memcpy(dst->comm, src->comm, sizeof(dst->comm));
		dst->known |= OOMTRACE_T_COMM;
		got = true;
	}
	if ((src->known & OOMTRACE_T_CGROUP) && !(dst->known & OOMTRACE_T_CGROUP)) {
		memcpy(dst->cgroup, src->cgroup, sizeof(dst->cgroup));
		dst->known |= OOMTRACE_T_CGROUP;
		got = true;
	}
	return got;
}

#define TAKE_EV(bit, field, group)                                                                 \
	do {                                                                                       \
		if ((rep->known & (bit)) && !(ev->known & (bit))) {                                \
			memcpy(&ev->field, &rep->field, sizeof(ev->field));                        \
			ev->known |= (bit);                                                        \
			ev->from_kmsg |= (group);                                                  \
		}                                                                                  \
	} while (0)

void oomtrace_kjoin_apply(const struct oomtrace_event *rep, struct oomtrace_event *ev)
{
	struct oomtrace_context *c = &ev->ctx;
	const struct oomtrace_context *rc = &rep->ctx;

	TAKE_EV(OOMTRACE_E_CONSTRAINT, constraint, OOMTRACE_K_OOM_CONTROL);
	TAKE_EV(OOMTRACE_E_OOM_MEMCG, oom_memcg, OOMTRACE_K_OOM_CONTROL);
	TAKE_EV(OOMTRACE_E_GFP_MASK, gfp_mask, OOMTRACE_K_OOM_CONTROL);
	TAKE_EV(OOMTRACE_E_ORDER, order, OOMTRACE_K_OOM_CONTROL);
	TAKE_EV(OOMTRACE_E_CPUSET, cpuset, OOMTRACE_K_CPUSET);
	TAKE_EV(OOMTRACE_E_MEMS_ALLOWED, mems_allowed, OOMTRACE_K_CPUSET);
	TAKE_EV(OOMTRACE_E_GFP_FLAGS, gfp_flags, OOMTRACE_K_CPUSET);
	/* the trigger only when it is the same task the probe saw (or the probe saw none) */
	if (!(ev->trigger.known & OOMTRACE_T_PID) || !(rep->trigger.known & OOMTRACE_T_PID) ||
	    rep->trigger.pid == ev->trigger.pid) {
		if (take_task(&ev->trigger, &rep->trigger, false))
			ev->from_kmsg |= OOMTRACE_K_TRIGGER;
		/* the report's call trace: the trigger's kernel stack, and what it proves (not
		 * where the probe read the stack itself: that one is classified on its own) */
		bool own = ev->trigger.kstack.n > 0;

		if (rep->trigger.kstack.n && !own) {
			ev->trigger.kstack = rep->trigger.kstack;
			ev->from_kmsg |= OOMTRACE_K_STACK;
		}
		if (!own && (rep->known & OOMTRACE_E_ALLOCATION) &&
		    !(ev->known & OOMTRACE_E_ALLOCATION)) {
			ev->alloc_class = rep->alloc_class;
			memcpy(ev->alloc_detail, rep->alloc_detail, sizeof(ev->alloc_detail));
			memcpy(ev->alloc_frame, rep->alloc_frame, sizeof(ev->alloc_frame));
			ev->known |= OOMTRACE_E_ALLOCATION;
			ev->from_kmsg |= OOMTRACE_K_STACK;
		}
	}
	if (take_task(&ev->victim, &rep->victim, true))
		ev->from_kmsg |= OOMTRACE_K_VICTIM;
	/* a member of a memory.oom.group kill, as the report's group line says (the probe may
	 * not have read its cgroup to tell) */
	if (oomtrace_event_group_kill(rep) && !oomtrace_event_group_kill(ev)) {
		oomtrace_event_set_role(ev, OOMTRACE_ROLE_OOM_GROUP);
		ev->from_kmsg |= OOMTRACE_K_VICTIM;
	}
	/* the report's own numbers, as the kernel printed them at the kill */
	if (rc->memcg.n && !c->memcg.n) {
		c->memcg = rc->memcg;
		ev->from_kmsg |= OOMTRACE_K_MEMCG;
	}
	if (rc->memcg_stat.n && !c->memcg_stat.n) {
		c->memcg_stat = rc->memcg_stat;
		ev->from_kmsg |= OOMTRACE_K_MEMCG;
	}
	if (rc->mem_info.n && !c->mem_info.n) {
		/* a global report's Mem-Info, with its zones, huge pages, swap and slab block */
		c->mem_info = rc->mem_info;
		c->nzones = rc->nzones;
		memcpy(c->zones, rc->zones, sizeof(c->zones));
		c->nhuge = rc->nhuge;
		memcpy(c->huge, rc->huge, sizeof(c->huge));
		c->swap_free_kb = rc->swap_free_kb;
		c->swap_total_kb = rc->swap_total_kb;
		c->nslab = rc->nslab;
		memcpy(c->slab, rc->slab, sizeof(c->slab));
		c->slab_caches = rc->slab_caches;
		c->slab_used_kb = rc->slab_used_kb;
		c->slab_total_kb = rc->slab_total_kb;
		c->known |=
		    rc->known & (OOMTRACE_C_SWAP_FREE | OOMTRACE_C_SWAP_TOTAL | OOMTRACE_C_SLAB);
		ev->from_kmsg |= OOMTRACE_K_MEM_INFO;
	}
	if (rc->ntop && !c->ntop) {
		c->ntop = rc->ntop;
		memcpy(c->top, rc->top, sizeof(c->top));
		c->ntasks = rc->ntasks;
		c->tasks_rss_pages = rc->tasks_rss_pages;
		ev->from_kmsg |= OOMTRACE_K_TASKS;
	}
}

void oomtrace_kjoin_attach(struct oomtrace_live *lv, const struct oomtrace_backend_opts *o)
{
	struct oomtrace_kjoin *kj;

	if (o->no_kmsg)
		return;
	kj = oomtrace_kjoin_open();
	if (!kj) {
		oomtrace_warn(
		    "cannot read /dev/kmsg (%s): constraint, oom_memcg, gfp and the task table "
		    "stay unknown where the probe cannot read them (--no-kmsg silences this)",
		    strerror(errno));
		return;
	}
	lv->join = oomtrace_kjoin_hook;
	lv->join_ctx = kj;
}

void oomtrace_kjoin_detach(struct oomtrace_live *lv)
{
	oomtrace_kjoin_close(lv->join_ctx);
	lv->join = NULL;
	lv->join_ctx = NULL;
}
