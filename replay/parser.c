// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * parser.c: the OOM record state machine over kernel-log lines, from 2.6 to
 * 6.x wording: each message routed by its first words to the handler of
 * its wording, which decodes it (decode.c) into the record of its report
 * (record.c). The messages come from intake.c (a line's prefix, the
 * journal's own formats, a transport's breaks undone); lines broken by a
 * mailer are joined again here first (rewrap.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "parser_int.h"
#include "util.h"

static int on_kill(struct oomtrace_parser *p, const char *m, const char *after,
		   oomtrace_sink_fn sink, void *ctx)
{
	struct oomtrace_task t = {0};
	struct oomtrace_event *ev;
	bool cut;
	int r;

	if (!oomtrace_decode_kill(after, &t, &cut))
		return 0;
	if (p->s->group && (p->s->open || !oomtrace_rec_near(p, &p->s->grp, GROUP_LINES)))
		p->s->group = false;
	if (!p->s->open) {
		if (p->s->group && p->s->have_tmpl) {
			unsigned int i;

			/* the group kill walks every task, the first victim again too */
			for (i = 0; i < p->s->ngroup_pids; i++)
				if (p->s->group_pids[i] == t.pid)
					return 0;
			/* another member of a memory.oom.group kill: same invocation */
			p->s->rec = p->s->tmpl;
			oomtrace_rec_reset_victim(&p->s->rec);
			p->s->rec.victim.known &= ~(uint32_t)OOMTRACE_T_CGROUP;
			oomtrace_stamp_event(&p->cur, &p->s->rec);
			p->s->open = true;
			p->s->rec_line = p->st.lines;
			oomtrace_rec_mark(p, &p->s->grp);
		} else {
			/* the header was ratelimited (or cut off): still an event */
			oomtrace_rec_open(p, true);
		}
	}
	ev = &p->s->rec;
	if (p->s->mixed && (ev->victim.known & OOMTRACE_T_PID) && ev->victim.pid != t.pid) {
		/* lines of two reports interleaved: that summary was another kill's */
		oomtrace_rec_open(p, true);
	}
	/* the summary line named the victim: a different pid means a new kill */
	if ((ev->victim.known & OOMTRACE_T_PID) && ev->victim.pid != t.pid &&
	    !(ev->known & OOMTRACE_E_SELECTED)) {
		ev->victim.known &= ~(uint32_t)(OOMTRACE_T_PID | OOMTRACE_T_COMM | OOMTRACE_T_UID |
						OOMTRACE_T_CGROUP);
	}
	oomtrace_rec_merge_victim(&ev->victim, &t);
	if (starts(m, "Memory cgroup out of memory") && !(ev->known & OOMTRACE_E_CONSTRAINT)) {
		ev->constraint = OOMTRACE_CONSTRAINT_MEMCG;
		ev->known |= OOMTRACE_E_CONSTRAINT;
	}
	ev->outcome = OOMTRACE_OUTCOME_KILLED;
	if (cut)
		ev->partial = true; /* what the line printed is kept; the rest is unknown */
	oomtrace_stamp_event(&p->cur, ev);
	p->s->open = false;
	if (p->s->mixed) {
		ev->partial = true;
		ev->invocation = ++p->invocations;
		ev->known |= OOMTRACE_E_INVOCATION;
		p->s->mixed--;
		r = oomtrace_rec_release(p, false, sink, ctx);
		return r ? r : oomtrace_rec_hold(p, ev, sink, ctx);
	}
	if (p->s->ngroup_pids < sizeof(p->s->group_pids) / sizeof(p->s->group_pids[0]))
		p->s->group_pids[p->s->ngroup_pids++] = t.pid;
	oomtrace_rec_save_template(p);
	r = oomtrace_rec_release(p, false, sink, ctx);
	if (r)
		return r;
	return oomtrace_rec_hold(p, ev, sink, ctx);
}

/* "COMM invoked oom-killer: gfp_mask=0x..(FLAGS), order=0, oom_score_adj=0" */
static int on_header(struct oomtrace_parser *p, const char *m, const char *inv,
		     oomtrace_sink_fn sink, void *ctx)
{
	struct slot *sl = p->s;
	bool recent = oomtrace_rec_near(p, &sl->hdr, 400);
	int r;

	if (!sl->ckind && recent &&
	    (sl->mixed || (sl->open && !(sl->rec.victim.known & OOMTRACE_T_PID) &&
			   !(sl->rec.known & OOMTRACE_E_SELECTED)))) {
		/*
		 * A second report began before the first one's kill, and the log has
		 * no caller ids to tell their lines apart: from here on only facts
		 * a line proves by itself are kept (victims by pid), and each kill
		 * is a partial event of its own.
		 */
		if (!sl->mixed) {
			/* the abandoned record's number goes back: kills are numbered as they come
			 */
			if ((sl->rec.known & OOMTRACE_E_INVOCATION) &&
			    sl->rec.invocation == p->invocations)
				p->invocations--;
			sl->mixed = 1;
			oomtrace_rec_open(p, true);
		}
		sl->mixed++;
		oomtrace_rec_mark(p, &sl->hdr);
		return 0;
	}
	r = oomtrace_rec_close_cut(p, sink, ctx);
	if (r)
		return r;
	sl->mixed = 0;
	oomtrace_rec_mark(p, &sl->hdr);
	oomtrace_rec_open(p, false);
	oomtrace_decode_header(m, inv, &p->s->rec);
	return 0;
}

/* "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,
 *  oom_memcg=/oomtest,task_memcg=/oomtest,task=my hog,pid=2286,uid=0" */
static void on_summary(struct oomtrace_parser *p, const char *s)
{
	if (!p->s->open || (p->s->mixed && (p->s->rec.victim.known & OOMTRACE_T_PID)))
		oomtrace_rec_open(p, true);
	oomtrace_decode_summary(s, &p->s->rec);
	p->s->sec = SEC_NONE;
}

/* "Out of memory: Kill process N (c) score S or sacrifice child" (<= 5.0) */
static void on_select(struct oomtrace_parser *p, const char *m, const char *s)
{
	struct oomtrace_event *ev;
	struct oomtrace_choice c;

	if (!oomtrace_decode_select(s, &c))
		return;
	if (!p->s->open)
		oomtrace_rec_open(p, true);
	ev = &p->s->rec;
	ev->selected_pid = c.pid;
	ev->known |= OOMTRACE_E_SELECTED;
	if (c.has_comm)
		memcpy(ev->selected_comm, c.comm, sizeof(ev->selected_comm));
	if (c.has_points) {
		ev->points = c.points;
		ev->known |= OOMTRACE_E_POINTS;
	}
	if (starts(m, "Memory cgroup out of memory") && !(ev->known & OOMTRACE_E_CONSTRAINT)) {
		ev->constraint = OOMTRACE_CONSTRAINT_MEMCG;
		ev->known |= OOMTRACE_E_CONSTRAINT;
	}
}

/* "oom_reaper: reaped process N (c), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB" */
static int on_reaped(struct oomtrace_parser *p, const char *s, oomtrace_sink_fn sink, void *ctx)
{
	struct oomtrace_task t = {0};
	int64_t pid;
	unsigned int i;

	if (!oomtrace_decode_reaped(s, &pid, &t))
		return 0;
	for (i = 0; i < p->nheld; i++) {
		struct held *h = &p->held[(p->head + i) % HELD_MAX];
		struct oomtrace_event *ev = &h->ev;

		if (h->done || !(ev->victim.known & OOMTRACE_T_PID) || ev->victim.pid != pid)
			continue;
		ev->reaped_anon_rss_kb = t.anon_rss_kb;
		ev->reaped_file_rss_kb = t.file_rss_kb;
		ev->reaped_shmem_rss_kb = t.shmem_rss_kb;
		ev->known |= OOMTRACE_E_REAPED;
		if (p->cur.has_uptime && (ev->known & OOMTRACE_E_UPTIME) &&
		    p->cur.uptime_ns >= ev->uptime_ns) {
			ev->reap_latency_us = (p->cur.uptime_ns - ev->uptime_ns) / 1000;
			ev->known |= OOMTRACE_E_REAP_LATENCY;
		}
		h->done = true;
		return oomtrace_rec_release(p, false, sink, ctx);
	}
	p->st.orphan_reaper++;
	return 0;
}

/* "Out of memory and no killable processes..." / "Kernel panic - not syncing: ..." */
static int on_end_without_kill(struct oomtrace_parser *p, enum oomtrace_outcome outcome,
			       oomtrace_sink_fn sink, void *ctx)
{
	if (outcome == OOMTRACE_OUTCOME_PANIC && !p->s->open && p->nheld) {
		/* "System is deadlocked on memory" right after "no killable processes" */
		struct held *h = &p->held[(p->head + p->nheld - 1) % HELD_MAX];

		if (h->ev.outcome == OOMTRACE_OUTCOME_NO_KILLABLE) {
			h->ev.outcome = OOMTRACE_OUTCOME_PANIC;
			h->done = true;
			return oomtrace_rec_release(p, false, sink, ctx);
		}
	}
	if (!p->s->open)
		oomtrace_rec_open(p, true);
	p->s->rec.outcome = outcome;
	oomtrace_stamp_event(&p->cur, &p->s->rec);
	p->s->open = false;
	return oomtrace_rec_hold(p, &p->s->rec, sink, ctx);
}

/* The lines of a record that start a section, or state a fact of their own. */
static void on_section_start(struct oomtrace_parser *p, const char *m)
{
	struct slot *sl = p->s;
	int32_t pid;

	if (starts(m, "CPU: ") || starts(m, "Pid: ")) {
		pid = oomtrace_decode_cpu_pid(m);
		if (pid && !(sl->rec.trigger.known & OOMTRACE_T_PID)) {
			sl->rec.trigger.pid = pid;
			sl->rec.trigger.known |= OOMTRACE_T_PID;
		}
	} else if (starts(m, "Call Trace:") || starts(m, "Call trace:") ||
		   starts(m, "Backtrace:")) {
		/* the report's dump_stack, run by the trigger: its kernel stack */
		sl->sec = SEC_STACK;
		sl->rec.trigger.kstack.n = 0;
	} else if (starts(m, "Mem-Info:")) {
		sl->sec = SEC_MEMINFO;
	} else if (starts(m, "Unreclaimable slab info:")) {
		sl->sec = SEC_SLAB;
		sl->rec.ctx.known |= OOMTRACE_C_SLAB;
	} else if (starts(m, "Free swap  = ") || starts(m, "Total swap = ")) {
		oomtrace_decode_swap(m, &sl->rec.ctx);
	} else if (starts(m, "Tasks state (memory values in pages)") || starts(m, "[ pid ]") ||
		   starts(m, "[  pid  ]")) {
		sl->sec = SEC_TASKS;
		sl->ncols = 0;
		if (*m == '[')
			sl->ncols = oomtrace_decode_tasks_header(m, sl->cols, OOMTRACE_TASK_COLS);
	} else if (starts(m, "memory: usage ") || starts(m, "memory+swap: usage ") ||
		   starts(m, "kmem: usage ") || starts(m, "swap: usage ")) {
		oomtrace_decode_memcg_usage(m, &sl->rec.ctx.memcg);
	} else if (starts(m, "Memory cgroup stats for ")) {
		if (oomtrace_decode_memcg_stats_for(m + 24, &sl->rec) == 0)
			sl->sec = SEC_MEMCG_STAT;
	}
}

/* Lines inside an open record that are not events by themselves. */
static void on_record_line(struct oomtrace_parser *p, const char *m)
{
	struct slot *sl = p->s;
	struct oomtrace_event *ev = &sl->rec;
	struct oomtrace_task_row row;
	const char *s;

	/*
	 * Sections end only where another begins (or at the summary and kill
	 * lines): other CPUs' messages can land in the middle of a table.
	 */
	switch (sl->sec) {
	case SEC_MEMINFO:
		if (oomtrace_decode_kv_tokens(&ev->ctx.mem_info, m, false))
			return;
		/* a global report's zones and huge pages, after the counters */
		if (oomtrace_decode_zone(m, &ev->ctx) || oomtrace_decode_hugepages(m, &ev->ctx))
			return;
		break;
	case SEC_SLAB:
		if (oomtrace_decode_slab_line(m, &ev->ctx))
			return;
		break;
	case SEC_MEMCG_STAT:
		/* v1 6.x / v2: "rss 66920448" one per line */
		if (oomtrace_decode_stat_line(m, &ev->ctx.memcg_stat))
			return;
		break;
	case SEC_STACK:
		/* frames, markers (<TASK>), and the registers between them, until another section
		 */
		if (oomtrace_trace_line(m, &ev->trigger.kstack) != OOMTRACE_TRACE_NONE)
			return;
		break;
	case SEC_TASKS:
		s = skip_sp(m);
		if (*s == '[') {
			if (*skip_sp(s + 1) == 'p')
				sl->ncols =
				    oomtrace_decode_tasks_header(s, sl->cols, OOMTRACE_TASK_COLS);
			else if (oomtrace_decode_task_row(s, sl->cols, sl->ncols, &row))
				oomtrace_context_add_task(&ev->ctx, &row);
			return;
		}
		break;
	default:
		/* ARM32 prints its trace without a header: "unwind_backtrace from
		 * show_stack+0x10/.." */
		if (!ev->trigger.kstack.n && strstr(m, " from ") &&
		    oomtrace_trace_line(m, &ev->trigger.kstack) == OOMTRACE_TRACE_FRAME) {
			sl->sec = SEC_STACK;
			return;
		}
		break;
	}
	on_section_start(p, m);
}

/* "Task in /a killed as a result of limit of /b" (memcg, <= 4.18) */
static void on_task_in(struct oomtrace_parser *p, const char *s)
{
	if (!strstr(s, OOMTRACE_TASK_IN_PHRASE))
		return;
	if (!p->s->open)
		oomtrace_rec_open(p, true);
	oomtrace_decode_task_in(s, &p->s->rec);
}

/* "Killed process " / "Kill process " / "kill process " after "...out of memory: " at @s */
static int on_kill_wording(struct oomtrace_parser *p, const char *m, const char *s,
			   oomtrace_sink_fn sink, void *ctx)
{
	if (starts(s, "Killed process "))
		return on_kill(p, m, s + 15, sink, ctx);
	if (starts(s, "Kill process ") || starts(s, "kill process "))
		on_select(p, m, s + 13);
	return 0;
}

/*
 * One message (without prefix), classified by its first bytes: every
 * wording that starts or ends a record begins with a fixed word, except the
 * header ("COMM invoked oom-killer:"), found by one search when nothing
 * else matched.
 */
static int dispatch(struct oomtrace_parser *p, const char *m, oomtrace_sink_fn sink, void *ctx)
{
	const char *s;

	switch (m[0]) {
	case 'K':
		if (starts(m, "Killed process "))
			return on_kill(p, m, m + 15, sink, ctx);
		if (starts(m, "Kill process ")) {
			on_select(p, m, m + 13);
			return 0;
		}
		if (starts(m, "Kernel panic - not syncing: ")) {
			if (p->s->open || strstr(m, "ut of memory") ||
			    strstr(m, "deadlocked on memory"))
				return on_end_without_kill(p, OOMTRACE_OUTCOME_PANIC, sink, ctx);
			return 0;
		}
		break;
	case 'O':
		/* "Out of memory: ", 2.6's "Out of Memory: ", "Out of memory
		 * (oom_kill_allocating_task): " */
		if (starts(m, "Out of memory and no killable processes"))
			return on_end_without_kill(p, OOMTRACE_OUTCOME_NO_KILLABLE, sink, ctx);
		if ((starts(m, "Out of memory") || starts(m, "Out of Memory")) &&
		    (s = strstr(m, ": ")))
			return on_kill_wording(p, m, s + 2, sink, ctx);
		break;
	case 'M':
		if (starts(m, "Memory cgroup out of memory: "))
			return on_kill_wording(p, m, m + 29, sink, ctx);
		break;
	case 'o':
		if (starts(m, "oom-kill:")) {
			if (p->s->open && !p->s->mixed &&
			    (p->s->rec.victim.known & OOMTRACE_T_PID)) {
				/* the last summary's kill line never came: that kill is an event of
				 * its own */
				int r = oomtrace_rec_close_cut(p, sink, ctx);

				if (r)
					return r;
			}
			on_summary(p, m + 9);
			return 0;
		}
		if (starts(m, "oom_reaper: reaped process "))
			return on_reaped(p, m + 27, sink, ctx);
		break;
	case 'T':
		if (starts(m, "Task in ")) {
			if (!p->s->mixed)
				on_task_in(p, m + 8);
			return 0;
		}
		if (starts(m, "Tasks in ") && strstr(m, "memory.oom.group")) {
			oomtrace_rec_take_template(p);
			oomtrace_rec_mark_group(p);
			p->s->group = true;
			oomtrace_rec_mark(p, &p->s->grp);
			if (p->s->have_tmpl && !(p->s->tmpl.known & OOMTRACE_E_CONSTRAINT)) {
				p->s->tmpl.constraint = OOMTRACE_CONSTRAINT_MEMCG;
				p->s->tmpl.known |= OOMTRACE_E_CONSTRAINT;
			}
			return 0;
		}
		break;
	default:
		break;
	}
	if ((s = strstr(m, " invoked oom-killer:")))
		return on_header(p, m, s, sink, ctx);
	if (p->s->open && !p->s->mixed)
		on_record_line(p, m);
	return 0;
}

struct oomtrace_parser *oomtrace_parser_new(const struct oomtrace_parser_opts *opts)
{
	struct oomtrace_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (opts)
		p->opts = *opts;
	oomtrace_clock_init(&p->clock, &p->opts);
	oomtrace_scan_init(&p->scan);
	return p;
}

void oomtrace_parser_free(struct oomtrace_parser *p)
{
	free(p);
}

void oomtrace_parser_new_input(struct oomtrace_parser *p)
{
	p->last_kind = OOMTRACE_LINE_BARE;
	p->input_lines = 0;
	p->anchor.n = 0;
	oomtrace_jctl_new_input(&p->jctl);
	memset(&p->cur, 0, sizeof(p->cur));
}

bool oomtrace_parser_idle(const struct oomtrace_parser *p)
{
	unsigned int i;

	/* held kills wait only for oom_reaper lines, which the pre-filter finds; journalctl -o
	 * verbose is told by a header in its first lines (after "-- Logs begin at ..."), then read
	 * whole; so is a quoted-printable input (a soft break may cut a phrase the pre-filter looks
	 * for) and one with a web page's spaces (its phrases hold blanks); a held line waits for
	 * its continuation */
	if (p->input_lines < 3 || p->jctl.export || p->jctl.verbose || p->rw.kind || p->uw.held ||
	    p->uw.qp || p->uw.spaces)
		return false;
	for (i = 0; i < SLOTS; i++)
		if (p->slots[i].open || p->slots[i].mixed)
			return false;
	return !oomtrace_killers_busy(&p->kl); /* a killer's next lines hold no phrase to find */
}

const char *oomtrace_parser_scan(const struct oomtrace_parser *p, const char *b, const char *end)
{
	return oomtrace_scan_find(&p->scan, b, end);
}

bool oomtrace_parser_waiting(const struct oomtrace_parser *p)
{
	return p->nheld || p->rw.kind || oomtrace_killers_busy(&p->kl);
}

const struct oomtrace_parser_stats *oomtrace_parser_stats(const struct oomtrace_parser *p)
{
	return &p->st;
}

static int dispatch_pending(struct oomtrace_parser *p, oomtrace_sink_fn sink, void *ctx)
{
	struct slot *keep = p->s;
	struct oomtrace_stamp now;
	int r;

	if (!p->rw.kind)
		return 0;
	p->rw.kind = OOMTRACE_PEND_NONE;
	p->s = p->pend_slot;
	now = p->cur;
	p->cur = p->pend_cur;
	r = dispatch(p, p->rw.msg, sink, ctx);
	p->cur = now;
	p->s = keep;
	return r;
}

/* One message of the current line (a kmsg record may hold several). */
static int feed(struct oomtrace_parser *p, char *seg, bool bare, oomtrace_sink_fn sink, void *ctx)
{
	size_t n = strlen(seg);
	enum oomtrace_pend k;
	int r;

	if (p->rw.kind) {
		const char *joined = bare ? oomtrace_rewrap_join(&p->rw, seg, n) : NULL;

		if (joined) {
			p->rw.kind = OOMTRACE_PEND_NONE;
			seg = p->rw.join;
			n = strlen(seg);
		} else {
			r = dispatch_pending(p, sink, ctx);
			if (r)
				return r;
		}
	}
	k = oomtrace_rewrap_needs_more(seg, n);
	if (k && n < OOMTRACE_MSG_MAX) {
		oomtrace_rewrap_hold(&p->rw, k, seg, n, !bare);
		p->pend_slot = p->s;
		p->pend_cur = p->cur;
		return 0;
	}
	return dispatch(p, seg, sink, ctx);
}

/* Copy a message into p->msg: kmsg's \xHH escapes decoded, NULs made spaces. */
/* p->msg is the current message: route, split into lines, dispatch. */
int oomtrace_run_msg(struct oomtrace_parser *p, bool bare, oomtrace_sink_fn sink, void *ctx)
{
	char *seg, *nl;
	int r;

	if (!bare) {
		r = oomtrace_rec_pick_slot(p, sink, ctx);
		if (r)
			return r;
	} else if (!p->s) {
		p->ckind = 0;
		p->cid = 0;
		r = oomtrace_rec_pick_slot(p, sink, ctx);
		if (r)
			return r;
	}
	if (p->s->open && p->st.lines > p->s->rec_line + RECORD_MAX_LINES) {
		r = oomtrace_rec_close_cut(p, sink, ctx);
		if (r)
			return r;
	}
	r = oomtrace_rec_release(p, false, sink, ctx);
	if (r)
		return r;
	for (seg = p->msg;; seg = nl + 1) {
		nl = strchr(seg, '\n');
		if (nl)
			*nl = '\0';
		r = feed(p, seg, bare || seg != p->msg, sink, ctx);
		if (r || !nl)
			return r;
	}
}

int oomtrace_parser_flush(struct oomtrace_parser *p, bool idle, oomtrace_sink_fn sink, void *ctx)
{
	struct slot *keep = p->s;
	unsigned int i;
	int r;

	/* a pause in a stream: the verbose entry did not go on (first: its message may be held as a
	 * line that might), nor did the line that might have */
	if ((r = oomtrace_intake_end(p, sink, ctx)))
		return r;
	r = dispatch_pending(p, sink, ctx);
	if (r)
		return r;
	r = oomtrace_rec_killers_expire(p, true, sink, ctx);
	if (!r)
		r = oomtrace_rec_release(p, true, sink, ctx);
	if (r || idle)
		return r;
	for (i = 0; i < SLOTS; i++) {
		p->s = &p->slots[i];
		if (!p->s->used)
			continue;
		r = oomtrace_rec_close_cut(p, sink, ctx);
		p->s->mixed = 0;
		if (r)
			break;
	}
	p->s = keep;
	return r;
}
