/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parser_int.h: the replay parser's state, shared by its record keeping (record.c) and its dispatch
 * (parser.c). */
#ifndef OOMTRACE_PARSER_INT_H
#define OOMTRACE_PARSER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "anchor.h"
#include "decode.h"
#include "event.h"
#include "journalctl.h"
#include "killers.h"
#include "lex.h"
#include "parser.h"
#include "prefix.h"
#include "rewrap.h"
#include "unwrap.h"
#include "trace.h"
#include "scan.h"
#include "stamp.h"

#define HELD_MAX 8		/* kills held back waiting for their oom_reaper line */
#define HELD_LINES 400		/* ... for at most this many lines */
#define HELD_NS 2000000000ULL	/* ... or this long in kernel time */
#define RECORD_MAX_LINES 200000 /* an open record with no end is cut off after this */
#define GROUP_LINES 200		/* memory.oom.group kills follow each other within this (no time) */

enum section {
	SEC_NONE = 0,
	SEC_MEMINFO,
	SEC_MEMCG_STAT,
	SEC_TASKS,
	SEC_STACK, /* the call trace of the report's dump_stack */
	SEC_SLAB,  /* "Unreclaimable slab info:" */
};

struct held {
	struct oomtrace_event ev;
	uint64_t line;
	bool done;
};

/* Where a line was: its number and kernel time, to tell whether a later line is near it. */
struct mark {
	uint64_t line;
	uint64_t uptime_ns;
	bool has_uptime;
};

/*
 * One OOM report being assembled. Reports are keyed by the printk caller id
 * ([T1234] / [C3]) where the log has one, so that reports printed at once on
 * several CPUs separate; lines without one share slot key 0.
 */
struct slot {
	bool used;
	char ckind; /* 'T', 'C' or 0 */
	int32_t cid;
	uint64_t last_line; /* for reuse of the least recently used slot */

	bool open;
	uint64_t rec_line;
	enum section sec;
	enum oomtrace_col cols[OOMTRACE_TASK_COLS];
	int ncols;
	struct oomtrace_event rec;
	/*
	 * Lines of other reports are mixed in (two headers without a kill between
	 * them and no caller ids): only facts a line proves by itself are kept.
	 */
	unsigned int mixed; /* headers still waiting for their kill */
	struct mark hdr;    /* the last header */

	bool group;
	struct mark grp;	/* the last member of a memory.oom.group kill */
	int32_t group_pids[64]; /* victims already reported for this invocation */
	unsigned int ngroup_pids;
	struct oomtrace_event tmpl; /* invocation facts of the last record */
	bool have_tmpl;
	bool tmpl_pending; /* the record just killed is the template, if a group line comes */
};
#define SLOTS 16

struct oomtrace_parser {
	struct oomtrace_parser_opts opts;
	struct oomtrace_parser_stats st;
	struct oomtrace_stamp cur; /* the current line's */
	struct oomtrace_clock clock;
	enum oomtrace_line_kind last_kind;
	uint64_t input_lines; /* lines of the current input */

	struct slot slots[SLOTS];
	struct slot *s; /* the slot of the current line */
	char ckind;	/* the current line's caller id */
	int32_t cid;
	uint64_t invocations;

	/* a line that may go on in the next one (re-wrapped by a mailer or a terminal) */
	struct oomtrace_rewrap rw;
	struct oomtrace_unwrap uw; /* quoted-printable and backslash line breaks undone */
	struct slot *pend_slot;
	struct oomtrace_stamp pend_cur; /* the time of the held line */

	struct oomtrace_jctl jctl;     /* journalctl -o json / -o export input */
	struct oomtrace_anchor anchor; /* the head of no known format learned from the report */

	struct held held[HELD_MAX];
	unsigned int head, nheld;
	struct oomtrace_scan scan;  /* the pre-filter's tables */
	struct oomtrace_killers kl; /* userspace killers' lines (killers.c) */
	struct oomtrace_event kev;  /* a kill they finished */
	char msg[OOMTRACE_MSG_MAX];
};

/* ---- record.c: records, the slots they are kept in, and kills held for their reaper line ---- */

/* A new event stamped with the current line's time. */
void oomtrace_rec_new_event(struct oomtrace_parser *p, struct oomtrace_event *ev);
/* Start a record in the current slot (@partial: its header was not seen). */
void oomtrace_rec_open(struct oomtrace_parser *p, bool partial);
/* Close the open record before its kill line: emitted as partial (see record.c). */
int oomtrace_rec_close_cut(struct oomtrace_parser *p, oomtrace_sink_fn sink, void *ctx);
/* Emit held events from the head while they are done (or all, with @force). */
int oomtrace_rec_release(struct oomtrace_parser *p, bool force, oomtrace_sink_fn sink, void *ctx);
/* Queue a finished kill, to wait a little for its oom_reaper line. */
int oomtrace_rec_hold(struct oomtrace_parser *p, const struct oomtrace_event *ev,
		      oomtrace_sink_fn sink, void *ctx);
/* Queue a finished event behind the kills held before it (so that events keep their order). */
int oomtrace_rec_hold_done(struct oomtrace_parser *p, const struct oomtrace_event *ev,
			   oomtrace_sink_fn sink, void *ctx);
/* A line of a program, not the kernel (@x its prefix, @m its message): a userspace memory
 * killer's, or the kubelet's, read by killers.c. */
int oomtrace_rec_killer_line(struct oomtrace_parser *p, const struct oomtrace_prefix *x,
			     const char *m, size_t n, oomtrace_sink_fn sink, void *ctx);
/* Kills of userspace killers held past their last line handed on (all of them: @force). */
int oomtrace_rec_killers_expire(struct oomtrace_parser *p, bool force, oomtrace_sink_fn sink,
				void *ctx);
/* The invocation facts of the last record, for the next member of a memory.oom.group kill:
 * marked at the kill, taken (copied) at the group line. */
void oomtrace_rec_save_template(struct oomtrace_parser *p);
/* A memory.oom.group line: the kill it follows (held for its reaper line) and the members to
 * come (the template) are the group's. */
void oomtrace_rec_mark_group(struct oomtrace_parser *p);
void oomtrace_rec_take_template(struct oomtrace_parser *p);
/* What the kill line says wins; the summary's cgroup and uid fill gaps. */
void oomtrace_rec_merge_victim(struct oomtrace_task *dst, const struct oomtrace_task *src);
/* The template's victim facts forgotten, but for its cgroup. */
void oomtrace_rec_reset_victim(struct oomtrace_event *ev);
/* Remember where the current line is. */
void oomtrace_rec_mark(const struct oomtrace_parser *p, struct mark *m);
/* The current line is within a second of kernel time of @m (@lines lines where there is no time).
 */
bool oomtrace_rec_near(const struct oomtrace_parser *p, const struct mark *m, uint64_t lines);
/* The slot for the current line's caller id (a new or the least recently used one). */
int oomtrace_rec_pick_slot(struct oomtrace_parser *p, oomtrace_sink_fn sink, void *ctx);

/* parser.c: p->msg, the current message, routed, split into lines and dispatched (@bare: it
 * came without a prefix of its own, a continuation). */
int oomtrace_run_msg(struct oomtrace_parser *p, bool bare, oomtrace_sink_fn sink, void *ctx);
/* intake.c: the input ended or paused: a verbose entry and a line held for its continuation go
 * through now. */
int oomtrace_intake_end(struct oomtrace_parser *p, oomtrace_sink_fn sink, void *ctx);

#endif
