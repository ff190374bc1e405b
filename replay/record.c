// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * record.c: the replay parser's records: one per report being read, in a
 * slot per printk caller id; finished kills held back a little for their
 * oom_reaper line; reports cut off emitted as partial.
 */
#include "config.h"

#include <string.h>

#include "parser_int.h"
#include "stack.h"

/* A new replayed event at the time @t */
static void new_event_at(const struct oomtrace_stamp *t, struct oomtrace_event *ev)
{
	oomtrace_event_init(ev);
	ev->source = OOMTRACE_SOURCE_REPLAY;
	ev->probe = OOMTRACE_PROBE_LOG;
	oomtrace_stamp_event(t, ev);
}

void oomtrace_rec_new_event(struct oomtrace_parser *p, struct oomtrace_event *ev)
{
	new_event_at(&p->cur, ev);
}

static int emit(struct oomtrace_parser *p, struct oomtrace_event *ev, oomtrace_sink_fn sink,
		void *ctx)
{
	p->st.events++;
	if (ev->partial)
		p->st.partial++;
	if (ev->record == OOMTRACE_RECORD_KILL && !(ev->known & OOMTRACE_E_ALLOCATION))
		oomtrace_stack_classify(ev);
	return sink(ctx, ev);
}

int oomtrace_rec_release(struct oomtrace_parser *p, bool force, oomtrace_sink_fn sink, void *ctx)
{
	while (p->nheld) {
		struct held *h = &p->held[p->head];
		bool expired = p->st.lines > h->line + HELD_LINES;
		int r;

		if (!expired && p->cur.has_uptime && (h->ev.known & OOMTRACE_E_UPTIME) &&
		    p->cur.uptime_ns > h->ev.uptime_ns + HELD_NS)
			expired = true;
		if (!force && !h->done && !expired)
			break;
		p->head = (p->head + 1) % HELD_MAX;
		p->nheld--;
		r = emit(p, &h->ev, sink, ctx);
		if (r)
			return r;
	}
	return 0;
}

int oomtrace_rec_hold(struct oomtrace_parser *p, const struct oomtrace_event *ev,
		      oomtrace_sink_fn sink, void *ctx)
{
	struct held *h;
	int r;

	if (p->nheld == HELD_MAX) {
		p->held[p->head].done = true;
		r = oomtrace_rec_release(p, false, sink, ctx);
		if (r)
			return r;
	}
	h = &p->held[(p->head + p->nheld) % HELD_MAX];
	h->ev = *ev;
	h->line = p->st.lines;
	h->done = false;
	p->nheld++;
	return 0;
}

int oomtrace_rec_hold_done(struct oomtrace_parser *p, const struct oomtrace_event *ev,
			   oomtrace_sink_fn sink, void *ctx)
{
	int r = oomtrace_rec_hold(p, ev, sink, ctx);

	if (r)
		return r;
	p->held[(p->head + p->nheld - 1) % HELD_MAX].done = true;
	return oomtrace_rec_release(p, false, sink, ctx);
}

/* killers.c's new event: stamped with the time of the program's line (@arg) */
static void killer_ev_new(void *arg, struct oomtrace_event *ev)
{
	new_event_at(arg, ev);
}

int oomtrace_rec_killer_line(struct oomtrace_parser *p, const struct oomtrace_prefix *x,
			     const char *m, size_t n, oomtrace_sink_fn sink, void *ctx)
{
	struct oomtrace_killer_line l = {
	    .msg = m,
	    .len = n,
	    .ident = x->ident,
	    .ident_len = x->ident_len,
	    .pid = x->ident_pid,
	    .line = p->st.lines,
	};
	struct oomtrace_stamp st = p->cur;

	/* the line's own time; a kernel continuation after it keeps the kernel's */
	oomtrace_clock_stamp(&p->clock, x, &st);
	if (!oomtrace_killers_line(&p->kl, &l, killer_ev_new, &st, &p->kev))
		return 0;
	return oomtrace_rec_hold_done(p, &p->kev, sink, ctx);
}

int oomtrace_rec_killers_expire(struct oomtrace_parser *p, bool force, oomtrace_sink_fn sink,
				void *ctx)
{
	int r = 0;

	while (!r && oomtrace_killers_expire(&p->kl, p->st.lines, HELD_LINES, force, &p->kev))
		r = oomtrace_rec_hold_done(p, &p->kev, sink, ctx);
	return r;
}

void oomtrace_rec_open(struct oomtrace_parser *p, bool partial)
{
	p->s->tmpl_pending = false; /* another record: no group line came for the last one */
	oomtrace_rec_new_event(p, &p->s->rec);
	p->s->rec.partial = partial;
	if (!p->s->mixed) {
		/* (mixed reports: numbered at their kill, one each) */
		p->s->rec.invocation = ++p->invocations;
		p->s->rec.known |= OOMTRACE_E_INVOCATION;
	}
	p->s->open = true;
	p->s->rec_line = p->st.lines;
	p->s->sec = SEC_NONE;
	p->s->ncols = 0;
	p->s->group = false;
	p->s->ngroup_pids = 0;
}

/*
 * Close the open record before its kill line: emitted as partial. When the
 * oom-kill: summary named the victim, the kill happened (the kernel prints
 * the summary only for a chosen victim): outcome killed, the kill line was
 * lost (cut off, filtered, or re-wrapped beyond recognition). Otherwise the
 * outcome is unknown. A record whose lines were mixed with another report's
 * is emitted only when it proves a victim.
 */
int oomtrace_rec_close_cut(struct oomtrace_parser *p, oomtrace_sink_fn sink, void *ctx)
{
	struct slot *sl = p->s;
	int r;

	if (!sl->open)
		return 0;
	sl->open = false;
	sl->rec.partial = true;
	if (sl->rec.victim.known & OOMTRACE_T_PID)
		sl->rec.outcome = OOMTRACE_OUTCOME_KILLED;
	else if (sl->mixed)
		return 0;
	r = oomtrace_rec_release(p, true, sink, ctx);
	if (r)
		return r;
	return emit(p, &sl->rec, sink, ctx);
}

void oomtrace_rec_save_template(struct oomtrace_parser *p)
{
	/* taken only when a memory.oom.group line says it will be needed (oomtrace_rec_take_
	 * template): the kernel prints it right after the first kill, before another record */
	p->s->tmpl_pending = true;
}

void oomtrace_rec_mark_group(struct oomtrace_parser *p)
{
	const struct oomtrace_event *t = &p->s->tmpl;
	unsigned int i;

	if (!p->s->have_tmpl)
		return;
	oomtrace_event_set_role(&p->s->tmpl, OOMTRACE_ROLE_OOM_GROUP);
	for (i = 0; i < p->nheld; i++) {
		struct oomtrace_event *ev = &p->held[(p->head + i) % HELD_MAX].ev;

		if ((t->known & OOMTRACE_E_INVOCATION) && (ev->known & OOMTRACE_E_INVOCATION) &&
		    ev->invocation == t->invocation && ev->record == OOMTRACE_RECORD_KILL)
			oomtrace_event_set_role(ev, OOMTRACE_ROLE_OOM_GROUP);
	}
}

void oomtrace_rec_take_template(struct oomtrace_parser *p)
{
	if (!p->s->tmpl_pending)
		return;
	p->s->tmpl = p->s->rec;
	p->s->have_tmpl = true;
	p->s->tmpl_pending = false;
}

void oomtrace_rec_merge_victim(struct oomtrace_task *dst, const struct oomtrace_task *src)
{
	/* what the kill line says wins; the summary's cgroup and uid fill gaps */
	uint32_t k = src->known;

	if (k & OOMTRACE_T_PID)
		dst->pid = src->pid;
	if (k & OOMTRACE_T_UID)
		dst->uid = src->uid;
	if (k & OOMTRACE_T_OOM_SCORE_ADJ)
		dst->oom_score_adj = src->oom_score_adj;
	if (k & OOMTRACE_T_TOTAL_VM)
		dst->total_vm_kb = src->total_vm_kb;
	if (k & OOMTRACE_T_ANON_RSS)
		dst->anon_rss_kb = src->anon_rss_kb;
	if (k & OOMTRACE_T_FILE_RSS)
		dst->file_rss_kb = src->file_rss_kb;
	if (k & OOMTRACE_T_SHMEM_RSS)
		dst->shmem_rss_kb = src->shmem_rss_kb;
	if (k & OOMTRACE_T_PGTABLES)
		dst->pgtables_kb = src->pgtables_kb;
	if (k & OOMTRACE_T_COMM)
		memcpy(dst->comm, src->comm, sizeof(dst->comm));
	dst->known |= k;
}

void oomtrace_rec_reset_victim(struct oomtrace_event *ev)
{
	uint32_t keep = ev->victim.known & OOMTRACE_T_CGROUP;
	char cg[OOMTRACE_PATH_MAX];

	memcpy(cg, ev->victim.cgroup, sizeof(cg));
	memset(&ev->victim, 0, sizeof(ev->victim));
	ev->victim.known = keep;
	memcpy(ev->victim.cgroup, cg, sizeof(cg));
	ev->known &= ~(uint32_t)(OOMTRACE_E_SELECTED | OOMTRACE_E_POINTS | OOMTRACE_E_REAPED);
}

/*
 * memory.oom.group kills follow the first victim at once, from the same
 * task: within a second of kernel time (GROUP_LINES lines where the log has
 * no time) of the previous one. A later kill without a header of its own is
 * another invocation whose header was ratelimited.
 */
void oomtrace_rec_mark(const struct oomtrace_parser *p, struct mark *m)
{
	m->line = p->st.lines;
	m->uptime_ns = p->cur.uptime_ns;
	m->has_uptime = p->cur.has_uptime;
}

bool oomtrace_rec_near(const struct oomtrace_parser *p, const struct mark *m, uint64_t lines)
{
	if (m->has_uptime && p->cur.has_uptime)
		return p->cur.uptime_ns >= m->uptime_ns &&
		       p->cur.uptime_ns - m->uptime_ns <= 1000000000ULL;
	return p->st.lines <= m->line + lines;
}

int oomtrace_rec_pick_slot(struct oomtrace_parser *p, oomtrace_sink_fn sink, void *ctx)
{
	struct slot *free_sl = NULL, *lru = NULL;
	unsigned int i;

	for (i = 0; i < SLOTS; i++) {
		struct slot *sl = &p->slots[i];

		if (sl->used && sl->ckind == p->ckind && sl->cid == p->cid) {
			p->s = sl;
			sl->last_line = p->st.lines;
			return 0;
		}
		if (!sl->used && !free_sl)
			free_sl = sl;
		if (sl->used && (!lru || sl->last_line < lru->last_line))
			lru = sl;
	}
	if (!free_sl) {
		int r;

		p->s = lru;
		r = oomtrace_rec_close_cut(p, sink, ctx);
		if (r)
			return r;
		free_sl = lru;
	}
	memset(free_sl, 0, sizeof(*free_sl));
	free_sl->used = true;
	free_sl->ckind = p->ckind;
	free_sl->cid = p->cid;
	free_sl->last_line = p->st.lines;
	p->s = free_sl;
	return 0;
}
