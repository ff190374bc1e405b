// SPDX-License-Identifier: GPL-2.0-or-later
/* parser.c: the OOM record state machine over kernel-log lines, from 2.6 to 6.x wording. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "parser.h"
#include "prefix.h"
#include "util.h"

#define HELD_MAX 8          /* kills held back waiting for their oom_reaper line */
#define HELD_LINES 400      /* ... for at most this many lines */
#define HELD_NS 2000000000ULL /* ... or this long in kernel time */
#define RECORD_MAX_LINES 200000 /* an open record with no end is cut off after this */
#define GROUP_LINES 200     /* memory.oom.group kills follow each other within this (no time) */
#define MSG_MAX 8192

enum section {
	SEC_NONE = 0,
	SEC_MEMINFO,
	SEC_MEMCG_STAT,
	SEC_TASKS,
};

/* columns of the "Tasks state" table we keep */
enum col {
	COL_OTHER = 0,
	COL_UID,
	COL_TGID,
	COL_TOTAL_VM,
	COL_RSS,
	COL_PGTABLES,
	COL_SWAPENTS,
	COL_OOM_SCORE_ADJ,
	COL_NAME,
};
#define MAX_COLS 16

struct stamp {
	bool has_uptime;
	uint64_t uptime_ns;
	bool has_time;
	int64_t time_us;
	int32_t tz_off_s;
	bool subsec;
	bool has_host;
	char host[64];
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
	enum col cols[MAX_COLS];
	int ncols;
	struct oomtrace_event rec;
	/*
	 * Lines of other reports are mixed in (two headers without a kill between
	 * them and no caller ids): only facts a line proves by itself are kept.
	 */
	unsigned int mixed; /* headers still waiting for their kill */
	struct mark hdr;    /* the last header */

	bool group;
	struct mark grp; /* the last member of a memory.oom.group kill */
	int32_t group_pids[64]; /* victims already reported for this invocation */
	unsigned int ngroup_pids;
	struct oomtrace_event tmpl; /* invocation facts of the last record */
	bool have_tmpl;
};
#define SLOTS 16

enum pend_kind { PEND_NONE = 0, PEND_SUMMARY, PEND_TASK_IN, PEND_KILL, PEND_HEADER };

struct oomtrace_parser {
	struct oomtrace_parser_opts opts;
	struct oomtrace_parser_stats st;
	struct stamp cur;
	enum oomtrace_line_kind last_kind;
	uint64_t input_lines; /* lines of the current input */
	/* syslog year guess cache */
	int64_t civil_cache_key;
	int64_t civil_cache_epoch;
	int32_t civil_cache_off;

	struct slot slots[SLOTS];
	struct slot *s; /* the slot of the current line */
	char ckind;     /* the current line's caller id */
	int32_t cid;
	uint64_t invocations;

	/* a line that may go on in the next one (re-wrapped by a mailer or a terminal) */
	enum pend_kind pend;
	struct slot *pend_slot;
	size_t pend_len;
	bool pend_prefixed;
	struct stamp pend_cur; /* the time of the pending line */
	char pend_msg[MSG_MAX];

	/* journalctl -o export: the entry being read */
	bool export;
	bool exp_kernel;
	bool exp_bin;   /* inside a binary MESSAGE field */
	size_t exp_len;
	struct oomtrace_prefix exp_pfx;
	char exp_host[64];
	char exp_msg[MSG_MAX];

	struct held held[HELD_MAX];
	unsigned int head, nheld;
	char msg[MSG_MAX];
	char join[MSG_MAX];
};

/* ---- small text helpers (on NUL-terminated strings) ---------------------- */

/* @s starts with the string literal @lit (the first byte compared inline: most lines differ there) */
#define starts(s, lit) ((s)[0] == (lit)[0] && strncmp((s), (lit), sizeof(lit) - 1) == 0)

static const char *skip_sp(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Parse a decimal (optionally signed) integer; returns the end or NULL. */
static const char *num(const char *s, int64_t *v)
{
	int neg = 0;
	uint64_t x = 0;
	const char *b;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	b = s;
	while (*s >= '0' && *s <= '9') {
		if (x > (UINT64_MAX - 9) / 10)
			return NULL;
		x = x * 10 + (uint64_t)(*s - '0');
		s++;
	}
	if (s == b || x > (uint64_t)INT64_MAX)
		return NULL;
	*v = neg ? -(int64_t)x : (int64_t)x;
	return s;
}

static const char *hexnum(const char *s, uint64_t *v)
{
	char *e;

	if (!(s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		return NULL;
	errno = 0;
	*v = strtoull(s, &e, 16);
	if (errno || e == s + 2)
		return NULL;
	return e;
}

/* Last occurrence of @needle in [s, s+n). */
static const char *rfind(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	const char *p;

	if (n < k)
		return NULL;
	for (p = s + n - k;; p--) {
		if (memcmp(p, needle, k) == 0)
			return p;
		if (p == s)
			return NULL;
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void copy(char *dst, size_t dstsz, const char *s, size_t n)
{
	oomtrace_strlcpy_n(dst, dstsz, s, n);
}

/* ---- events and timing -------------------------------------------------- */

static void stamp_event(struct oomtrace_parser *p, struct oomtrace_event *ev)
{
	const struct stamp *t = &p->cur;

	if (t->has_uptime) {
		ev->uptime_ns = t->uptime_ns;
		ev->known |= OOMTRACE_E_UPTIME;
	}
	if (t->has_time) {
		ev->time_us = t->time_us;
		ev->tz_off_s = t->tz_off_s;
		ev->known |= OOMTRACE_E_TIME;
		if (t->subsec)
			ev->known |= OOMTRACE_E_TIME_SUBSEC;
		else
			ev->known &= ~(uint32_t)OOMTRACE_E_TIME_SUBSEC;
	}
	if (t->has_host) {
		memcpy(ev->host, t->host, sizeof(ev->host));
		ev->known |= OOMTRACE_E_HOST;
	}
}

static void new_event(struct oomtrace_parser *p, struct oomtrace_event *ev)
{
	oomtrace_event_init(ev);
	ev->source = OOMTRACE_SOURCE_REPLAY;
	ev->probe = OOMTRACE_PROBE_LOG;
	stamp_event(p, ev);
}

static int emit(struct oomtrace_parser *p, struct oomtrace_event *ev, oomtrace_sink_fn sink,
		void *ctx)
{
	p->st.events++;
	if (ev->partial)
		p->st.partial++;
	return sink(ctx, ev);
}

/* Emit held events from the head while they are done (or all, with @force). */
static int release(struct oomtrace_parser *p, bool force, oomtrace_sink_fn sink, void *ctx)
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

/* Queue a finished kill, to wait a little for its oom_reaper line. */
static int hold(struct oomtrace_parser *p, const struct oomtrace_event *ev, oomtrace_sink_fn sink,
		void *ctx)
{
	struct held *h;
	int r;

	if (p->nheld == HELD_MAX) {
		p->held[p->head].done = true;
		r = release(p, false, sink, ctx);
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

static void open_record(struct oomtrace_parser *p, bool partial)
{
	new_event(p, &p->s->rec);
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
static int close_cut(struct oomtrace_parser *p, oomtrace_sink_fn sink, void *ctx)
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
	r = release(p, true, sink, ctx);
	if (r)
		return r;
	return emit(p, &sl->rec, sink, ctx);
}

static void save_template(struct oomtrace_parser *p)
{
	p->s->tmpl = p->s->rec;
	p->s->have_tmpl = true;
}

/* ---- line handlers ------------------------------------------------------ */

static void task_from_kv(struct oomtrace_task *t, const char *s)
{
	/* "total-vm:68268kB, anon-rss:65280kB, file-rss:1084kB, shmem-rss:0kB,
	 *  UID:0 pgtables:168kB oom_score_adj:0" */
	while (*s) {
		const char *k = s, *c, *e;
		int64_t v;

		while (*s && *s != ':' && *s != ' ' && *s != ',')
			s++;
		if (*s != ':') {
			while (*s && *s != ' ' && *s != ',')
				s++;
			while (*s == ' ' || *s == ',')
				s++;
			continue;
		}
		c = s + 1;
		e = num(c, &v);
		if (!e) {
			s = c;
			continue;
		}
		s = e;
#define KEY(name) ((size_t)(c - 1 - k) == strlen(name) && memcmp(k, name, strlen(name)) == 0)
		if (KEY("total-vm")) {
			t->total_vm_kb = (uint64_t)v;
			t->known |= OOMTRACE_T_TOTAL_VM;
		} else if (KEY("anon-rss")) {
			t->anon_rss_kb = (uint64_t)v;
			t->known |= OOMTRACE_T_ANON_RSS;
		} else if (KEY("file-rss")) {
			t->file_rss_kb = (uint64_t)v;
			t->known |= OOMTRACE_T_FILE_RSS;
		} else if (KEY("shmem-rss")) {
			t->shmem_rss_kb = (uint64_t)v;
			t->known |= OOMTRACE_T_SHMEM_RSS;
		} else if (KEY("UID")) {
			t->uid = (uint32_t)v;
			t->known |= OOMTRACE_T_UID;
		} else if (KEY("pgtables")) {
			t->pgtables_kb = (uint64_t)v;
			t->known |= OOMTRACE_T_PGTABLES;
		} else if (KEY("oom_score_adj")) {
			t->oom_score_adj = (int32_t)v;
			t->known |= OOMTRACE_T_OOM_SCORE_ADJ;
		}
#undef KEY
		while (*s && *s != ' ' && *s != ',')
			s++;
		while (*s == ' ' || *s == ',')
			s++;
	}
}

/*
 * "Killed process 2286 (my hog) total-vm:..." and the RHEL forms
 * "Killed process N, UID U, (c) total-vm:..." / "Killed process N (c), UID U, total-vm:...",
 * 2.6's "Killed process N (c)." — @s points after "Killed process ".
 */
static bool parse_kill(const char *s, struct oomtrace_task *t)
{
	const char *open, *close = NULL, *rest = "";
	int64_t pid, uid;
	size_t n;

	s = num(s, &pid);
	if (!s || pid <= 0 || pid > INT32_MAX)
		return false;
	t->pid = (int32_t)pid;
	t->known |= OOMTRACE_T_PID;
	if (starts(s, ", UID ")) {
		const char *e = num(s + 6, &uid);

		if (e) {
			t->uid = (uint32_t)uid;
			t->known |= OOMTRACE_T_UID;
			s = e;
			if (*s == ',')
				s++;
		}
	}
	s = skip_sp(s);
	if (*s != '(')
		return true;
	open = s + 1;
	n = strlen(open);
	/* the comm may hold parentheses: find the ')' that ends it from the right */
	if ((close = rfind(open, n, ") total-vm:")))
		rest = close + 2;
	else if ((close = rfind(open, n, "), UID ")))
		rest = close + 1;
	else if (n >= 2 && strcmp(open + n - 2, ").") == 0)
		close = open + n - 2;
	else if (n >= 1 && open[n - 1] == ')')
		close = open + n - 1;
	else if ((close = rfind(open, n, ")")))
		rest = close + 1;
	if (!close)
		return true;
	copy(t->comm, sizeof(t->comm), open, (size_t)(close - open));
	t->known |= OOMTRACE_T_COMM;
	if (starts(rest, ", UID ")) {
		const char *e = num(rest + 6, &uid);

		if (e) {
			t->uid = (uint32_t)uid;
			t->known |= OOMTRACE_T_UID;
			rest = e;
		}
	}
	task_from_kv(t, rest);
	return true;
}

static void merge_victim(struct oomtrace_task *dst, const struct oomtrace_task *src)
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

static void reset_victim_facts(struct oomtrace_event *ev)
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
static void mark_here(const struct oomtrace_parser *p, struct mark *m)
{
	m->line = p->st.lines;
	m->uptime_ns = p->cur.uptime_ns;
	m->has_uptime = p->cur.has_uptime;
}

/* The current line is within a second of kernel time of @m (@lines lines where there is no time). */
static bool near(const struct oomtrace_parser *p, const struct mark *m, uint64_t lines)
{
	if (m->has_uptime && p->cur.has_uptime)
		return p->cur.uptime_ns >= m->uptime_ns && p->cur.uptime_ns - m->uptime_ns <= 1000000000ULL;
	return p->st.lines <= m->line + lines;
}

static int on_kill(struct oomtrace_parser *p, const char *m, const char *after,
		   oomtrace_sink_fn sink, void *ctx)
{
	struct oomtrace_task t = { 0 };
	struct oomtrace_event *ev;
	int r;

	if (!parse_kill(after, &t))
		return 0;
	if (p->s->group && (p->s->open || !near(p, &p->s->grp, GROUP_LINES)))
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
			reset_victim_facts(&p->s->rec);
			p->s->rec.victim.known &= ~(uint32_t)OOMTRACE_T_CGROUP;
			stamp_event(p, &p->s->rec);
			p->s->open = true;
			p->s->rec_line = p->st.lines;
			mark_here(p, &p->s->grp);
		} else {
			/* the header was ratelimited (or cut off): still an event */
			open_record(p, true);
		}
	}
	ev = &p->s->rec;
	if (p->s->mixed && (ev->victim.known & OOMTRACE_T_PID) && ev->victim.pid != t.pid) {
		/* lines of two reports interleaved: that summary was another kill's */
		open_record(p, true);
	}
	/* the summary line named the victim: a different pid means a new kill */
	if ((ev->victim.known & OOMTRACE_T_PID) && ev->victim.pid != t.pid &&
	    !(ev->known & OOMTRACE_E_SELECTED)) {
		ev->victim.known &= ~(uint32_t)(OOMTRACE_T_PID | OOMTRACE_T_COMM | OOMTRACE_T_UID |
						OOMTRACE_T_CGROUP);
	}
	merge_victim(&ev->victim, &t);
	if (starts(m, "Memory cgroup out of memory") && !(ev->known & OOMTRACE_E_CONSTRAINT)) {
		ev->constraint = OOMTRACE_CONSTRAINT_MEMCG;
		ev->known |= OOMTRACE_E_CONSTRAINT;
	}
	ev->outcome = OOMTRACE_OUTCOME_KILLED;
	stamp_event(p, ev);
	p->s->open = false;
	if (p->s->mixed) {
		ev->partial = true;
		ev->invocation = ++p->invocations;
		ev->known |= OOMTRACE_E_INVOCATION;
		p->s->mixed--;
		r = release(p, false, sink, ctx);
		return r ? r : hold(p, ev, sink, ctx);
	}
	if (p->s->ngroup_pids < sizeof(p->s->group_pids) / sizeof(p->s->group_pids[0]))
		p->s->group_pids[p->s->ngroup_pids++] = t.pid;
	save_template(p);
	r = release(p, false, sink, ctx);
	if (r)
		return r;
	return hold(p, ev, sink, ctx);
}

/* "COMM invoked oom-killer: gfp_mask=0x..(FLAGS), order=0, oom_score_adj=0" */
static int on_header(struct oomtrace_parser *p, const char *m, const char *inv,
		     oomtrace_sink_fn sink, void *ctx)
{
	struct slot *sl = p->s;
	struct oomtrace_event *ev;
	const char *s;
	bool recent = near(p, &sl->hdr, 400);
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
			/* the abandoned record's number goes back: kills are numbered as they come */
			if ((sl->rec.known & OOMTRACE_E_INVOCATION) && sl->rec.invocation == p->invocations)
				p->invocations--;
			sl->mixed = 1;
			open_record(p, true);
		}
		sl->mixed++;
		mark_here(p, &sl->hdr);
		return 0;
	}
	r = close_cut(p, sink, ctx);
	if (r)
		return r;
	sl->mixed = 0;
	mark_here(p, &sl->hdr);
	open_record(p, false);
	ev = &p->s->rec;
	copy(ev->trigger.comm, sizeof(ev->trigger.comm), m, (size_t)(inv - m));
	ev->trigger.known |= OOMTRACE_T_COMM;
	s = inv + strlen(" invoked oom-killer:");
	while (*s) {
		int64_t v;
		const char *e;

		s = skip_sp(s);
		if (starts(s, "gfp_mask=")) {
			uint64_t g;

			s += 9;
			if ((e = hexnum(s, &g))) {
				ev->gfp_mask = g;
				ev->known |= OOMTRACE_E_GFP_MASK;
				s = e;
			}
			if (*s == '(') {
				const char *c = strchr(s, ')');

				if (c) {
					copy(ev->gfp_flags, sizeof(ev->gfp_flags), s + 1,
					     (size_t)(c - s - 1));
					ev->known |= OOMTRACE_E_GFP_FLAGS;
					s = c + 1;
				}
			}
		} else if (starts(s, "order=")) {
			if ((e = num(s + 6, &v)) && v >= 0 && v <= 64) {
				ev->order = (int32_t)v;
				ev->known |= OOMTRACE_E_ORDER;
				s = e;
			}
		} else if (starts(s, "oom_score_adj=") || starts(s, "oomkilladj=") ||
			   starts(s, "oom_adj=")) {
			bool adj = starts(s, "oom_score_adj=");

			s = strchr(s, '=') + 1;
			if ((e = num(s, &v)) && (adj || !(ev->trigger.known & OOMTRACE_T_OOM_SCORE_ADJ))) {
				/* oom_score_adj is -1000..1000; the old oom_adj -17..15 kept when alone */
				ev->trigger.oom_score_adj = (int32_t)v;
				ev->trigger.known |= OOMTRACE_T_OOM_SCORE_ADJ;
				s = e;
			}
		}
		while (*s && *s != ',')
			s++;
		if (*s == ',')
			s++;
	}
	return 0;
}

/* "CPU: 0 UID: 0 PID: 2286 Comm: my hog Not tainted ..." / 2.6 "Pid: 1234, comm: x ..." */
static void on_cpu_line(struct oomtrace_parser *p, const char *m)
{
	const char *s = strstr(m, " PID: ");
	int64_t pid;

	if (starts(m, "Pid: "))
		s = m + 5;
	else if (s)
		s += 6;
	if (!s || !num(s, &pid) || pid <= 0 || pid > INT32_MAX)
		return;
	if (!(p->s->rec.trigger.known & OOMTRACE_T_PID)) {
		p->s->rec.trigger.pid = (int32_t)pid;
		p->s->rec.trigger.known |= OOMTRACE_T_PID;
	}
}

/* "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,
 *  oom_memcg=/oomtest,task_memcg=/oomtest,task=my hog,pid=2286,uid=0" */
static void on_summary(struct oomtrace_parser *p, const char *s)
{
	struct oomtrace_event *ev;
	static const char *const keys[] = { "constraint=", ",nodemask=", ",cpuset=",
					    ",mems_allowed=", ",oom_memcg=", ",task_memcg=" };
	const char *at[6], *end, *task, *pidp, *uidp, *pos;
	size_t n = strlen(s), i;
	int64_t v;

	if (!p->s->open || (p->s->mixed && (p->s->rec.victim.known & OOMTRACE_T_PID)))
		open_record(p, true);
	ev = &p->s->rec;
	/* right to left: uid, pid, task (the comm may hold commas) */
	uidp = rfind(s, n, ",uid=");
	pidp = uidp ? rfind(s, (size_t)(uidp - s), ",pid=") : rfind(s, n, ",pid=");
	task = pidp ? rfind(s, (size_t)(pidp - s), ",task=") : NULL;
	if (uidp && num(uidp + 5, &v)) {
		ev->victim.uid = (uint32_t)v;
		ev->victim.known |= OOMTRACE_T_UID;
	}
	if (pidp && num(pidp + 5, &v) && v > 0 && v <= INT32_MAX) {
		ev->victim.pid = (int32_t)v;
		ev->victim.known |= OOMTRACE_T_PID;
	}
	if (task && pidp) {
		copy(ev->victim.comm, sizeof(ev->victim.comm), task + 6, (size_t)(pidp - task - 6));
		ev->victim.known |= OOMTRACE_T_COMM;
	}
	end = task ? task : s + n;
	/* left to right for the fixed keys; each value runs to the next key found */
	for (i = 0, pos = s; i < 6; i++) {
		at[i] = strstr(pos, keys[i]);
		if (at[i] && at[i] >= end)
			at[i] = NULL;
		if (at[i])
			pos = at[i] + 1;
	}
	for (i = 0; i < 6; i++) {
		const char *v0, *v1 = end;
		size_t j;

		if (!at[i])
			continue;
		v0 = at[i] + strlen(keys[i]);
		for (j = i + 1; j < 6; j++)
			if (at[j]) {
				v1 = at[j];
				break;
			}
		switch (i) {
		case 0:
			if (starts(v0, "CONSTRAINT_")) {
				char c[32];
				size_t k;

				copy(c, sizeof(c), v0 + 11, (size_t)(v1 - v0 - 11));
				for (k = 0; c[k]; k++)
					c[k] = (char)(c[k] >= 'A' && c[k] <= 'Z' ? c[k] + 32 : c[k]);
				if (oomtrace_constraint_parse(c, &ev->constraint) == 0)
					ev->known |= OOMTRACE_E_CONSTRAINT;
			}
			break;
		case 2:
			copy(ev->cpuset, sizeof(ev->cpuset), v0, (size_t)(v1 - v0));
			ev->known |= OOMTRACE_E_CPUSET;
			break;
		case 3:
			/* a global OOM says ",global_oom" where a memcg one names oom_memcg */
			if (v1 - v0 >= 11 && memcmp(v1 - 11, ",global_oom", 11) == 0)
				v1 -= 11;
			copy(ev->mems_allowed, sizeof(ev->mems_allowed), v0, (size_t)(v1 - v0));
			ev->known |= OOMTRACE_E_MEMS_ALLOWED;
			break;
		case 4:
			copy(ev->oom_memcg, sizeof(ev->oom_memcg), v0, (size_t)(v1 - v0));
			ev->known |= OOMTRACE_E_OOM_MEMCG;
			break;
		case 5:
			copy(ev->victim.cgroup, sizeof(ev->victim.cgroup), v0, (size_t)(v1 - v0));
			ev->victim.known |= OOMTRACE_T_CGROUP;
			break;
		default:
			break;
		}
	}
	p->s->sec = SEC_NONE;
}

/* "Out of memory: Kill process N (c) score S or sacrifice child" (≤ 5.0) */
static void on_select(struct oomtrace_parser *p, const char *m, const char *s)
{
	struct oomtrace_event *ev;
	const char *open, *close;
	int64_t pid, score;

	if (!(s = num(s, &pid)) || pid <= 0 || pid > INT32_MAX)
		return;
	s = skip_sp(s);
	if (*s != '(')
		return;
	open = s + 1;
	close = rfind(open, strlen(open), ") score ");
	if (!p->s->open)
		open_record(p, true);
	ev = &p->s->rec;
	ev->selected_pid = (int32_t)pid;
	ev->known |= OOMTRACE_E_SELECTED;
	if (close) {
		copy(ev->selected_comm, sizeof(ev->selected_comm), open, (size_t)(close - open));
		if (num(close + 8, &score)) {
			ev->points = score;
			ev->known |= OOMTRACE_E_POINTS;
		}
	}
	if (starts(m, "Memory cgroup out of memory") && !(ev->known & OOMTRACE_E_CONSTRAINT)) {
		ev->constraint = OOMTRACE_CONSTRAINT_MEMCG;
		ev->known |= OOMTRACE_E_CONSTRAINT;
	}
}

/* "oom_reaper: reaped process N (c), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB" */
static int on_reaped(struct oomtrace_parser *p, const char *s, oomtrace_sink_fn sink, void *ctx)
{
	struct oomtrace_task t = { 0 };
	const char *now = strstr(s, "), now ");
	int64_t pid;
	unsigned int i;

	if (!num(s, &pid) || !now)
		return 0;
	task_from_kv(&t, now + 7);
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
		return release(p, false, sink, ctx);
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
			return release(p, false, sink, ctx);
		}
	}
	if (!p->s->open)
		open_record(p, true);
	p->s->rec.outcome = outcome;
	stamp_event(p, &p->s->rec);
	p->s->open = false;
	return hold(p, &p->s->rec, sink, ctx);
}

/* "memory: usage 65536kB, limit 65536kB, failcnt 19" and its swap/kmem siblings */
static void on_memcg_usage(struct oomtrace_parser *p, const char *m, size_t klen)
{
	static const char *const names[][3] = {
		{ "usage_kb", "limit_kb", "failcnt" },
		{ "memsw_usage_kb", "memsw_limit_kb", "memsw_failcnt" },
		{ "kmem_usage_kb", "kmem_limit_kb", "kmem_failcnt" },
		{ "swap_usage_kb", "swap_limit_kb", "swap_failcnt" },
	};
	const char *const *nm;
	const char *s = m + klen;
	int64_t v;
	int i;

	if (starts(m, "memory: "))
		nm = names[0];
	else if (starts(m, "memory+swap: "))
		nm = names[1];
	else if (starts(m, "kmem: "))
		nm = names[2];
	else
		nm = names[3];
	for (i = 0; i < 3; i++) {
		const char *w = i == 0 ? "usage " : i == 1 ? "limit " : "failcnt ";
		const char *f = strstr(s, w);

		if (f && num(f + strlen(w), &v)) {
			/* "no limit" is PAGE_COUNTER_MAX pages (9007199254740988kB on 4 KiB pages): -1, as live */
			if (i == 1 && v >= (1LL << 52))
				v = -1;
			oomtrace_kvset_set(&p->s->rec.ctx.memcg, nm[i], strlen(nm[i]), v);
		}
	}
}

/* A counter of the report; "hierarchical_*_limit" of an unlimited memcg (~2^63 bytes) is -1 (no limit). */
static void stat_set(struct oomtrace_kvset *set, const char *k, size_t n, int64_t v)
{
	if (n > 18 && memcmp(k, "hierarchical_", 13) == 0 && memcmp(k + n - 5, "limit", 5) == 0 &&
	    v >= (1LL << 62))
		v = -1;
	oomtrace_kvset_set(set, k, n, v);
}

/* "active_anon:4575 inactive_anon:1652614 isolated_anon:0" → true when every token is key:num */
static bool kv_tokens(struct oomtrace_kvset *set, const char *s, bool strip_kb)
{
	bool any = false;

	/* all or nothing: a line that is not entirely counters adds none */
	if (set && !kv_tokens(NULL, s, strip_kb))
		return false;

	s = skip_sp(s);
	while (*s) {
		const char *k = s, *c = NULL, *e;
		int64_t v;

		while (*s && *s != ' ' && *s != ':')
			s++;
		if (*s != ':')
			return any && !*skip_sp(s);
		c = s;
		e = num(c + 1, &v);
		if (!e)
			return false;
		if (strip_kb && (starts(e, "KB") || starts(e, "kB"))) {
			/* <= 4.x "rss:65536KB": bytes, as memory.stat and later kernels print them */
			e += 2;
			v = v > INT64_MAX / 1024 ? INT64_MAX : v * 1024;
		}
		if (*e && *e != ' ')
			return false;
		if (set)
			stat_set(set, k, (size_t)(c - k), v);
		any = true;
		s = skip_sp(e);
	}
	return any;
}

static void on_tasks_header(struct oomtrace_parser *p, const char *s)
{
	const char *close = strchr(s, ']');

	p->s->ncols = 0;
	if (!close)
		return;
	s = close + 1;
	while (*(s = skip_sp(s)) && p->s->ncols < MAX_COLS) {
		const char *b = s;
		size_t n;
		enum col c = COL_OTHER;

		while (*s && *s != ' ')
			s++;
		n = (size_t)(s - b);
#define IS(w) (n == strlen(w) && memcmp(b, w, n) == 0)
		if (IS("uid"))
			c = COL_UID;
		else if (IS("tgid"))
			c = COL_TGID;
		else if (IS("total_vm"))
			c = COL_TOTAL_VM;
		else if (IS("rss"))
			c = COL_RSS;
		else if (IS("pgtables_bytes"))
			c = COL_PGTABLES;
		else if (IS("swapents"))
			c = COL_SWAPENTS;
		else if (IS("oom_score_adj"))
			c = COL_OOM_SCORE_ADJ;
		else if (IS("name"))
			c = COL_NAME;
#undef IS
		p->s->cols[p->s->ncols++] = c;
	}
}

/* "[   2286]     0  2286    17067    16591 ... 0 my hog" */
static bool on_task_row(struct oomtrace_parser *p, const char *s)
{
	struct oomtrace_task_row row = { 0 };
	int64_t v;
	int i;

	s = skip_sp(s + 1);
	if (!(s = num(s, &v)) || *s != ']')
		return false;
	row.pid = (int32_t)v;
	s++;
	for (i = 0; i < p->s->ncols; i++) {
		s = skip_sp(s);
		if (p->s->cols[i] == COL_NAME) {
			copy(row.name, sizeof(row.name), s, strlen(s));
			row.known |= OOMTRACE_R_NAME;
			break;
		}
		if (!(s = num(s, &v)))
			return false;
		switch (p->s->cols[i]) {
		case COL_UID:
			row.uid = (uint32_t)v;
			row.known |= OOMTRACE_R_UID;
			break;
		case COL_TGID:
			row.tgid = (int32_t)v;
			row.known |= OOMTRACE_R_TGID;
			break;
		case COL_TOTAL_VM:
			row.total_vm_pages = (uint64_t)v;
			row.known |= OOMTRACE_R_TOTAL_VM;
			break;
		case COL_RSS:
			row.rss_pages = (uint64_t)v;
			row.known |= OOMTRACE_R_RSS;
			break;
		case COL_PGTABLES:
			row.pgtables_bytes = (uint64_t)v;
			row.known |= OOMTRACE_R_PGTABLES;
			break;
		case COL_SWAPENTS:
			row.swapents = (uint64_t)v;
			row.known |= OOMTRACE_R_SWAPENTS;
			break;
		case COL_OOM_SCORE_ADJ:
			row.oom_score_adj = (int32_t)v;
			row.known |= OOMTRACE_R_OOM_SCORE_ADJ;
			break;
		default:
			break;
		}
	}
	oomtrace_context_add_task(&p->s->rec.ctx, &row);
	return true;
}

/* Lines inside an open record that are not events by themselves. */
static void on_record_line(struct oomtrace_parser *p, const char *m)
{
	const char *s;

	/*
	 * Sections end only where another begins (or at the summary and kill
	 * lines): other CPUs' messages can land in the middle of a table.
	 */
	switch (p->s->sec) {
	case SEC_MEMINFO:
		if (kv_tokens(&p->s->rec.ctx.mem_info, m, false))
			return;
		break;
	case SEC_MEMCG_STAT: {
		/* v1 6.x / v2: "rss 66920448" one per line */
		const char *sp = strchr(m, ' ');
		int64_t v;
		const char *e;

		if (sp && sp > m && (e = num(sp + 1, &v)) && !*e && !strchr(m, ':')) {
			stat_set(&p->s->rec.ctx.memcg_stat, m, (size_t)(sp - m), v);
			return;
		}
		break;
	}
	case SEC_TASKS:
		s = skip_sp(m);
		if (*s == '[') {
			if (*skip_sp(s + 1) == 'p')
				on_tasks_header(p, s);
			else
				on_task_row(p, s);
			return;
		}
		break;
	default:
		break;
	}
	if (starts(m, "CPU: ") || starts(m, "Pid: ")) {
		on_cpu_line(p, m);
	} else if (starts(m, "Mem-Info:")) {
		p->s->sec = SEC_MEMINFO;
	} else if (starts(m, "Tasks state (memory values in pages)") ||
		   starts(m, "[ pid ]") || starts(m, "[  pid  ]")) {
		p->s->sec = SEC_TASKS;
		p->s->ncols = 0;
		if (*m == '[')
			on_tasks_header(p, m);
	} else if (starts(m, "memory: usage ")) {
		on_memcg_usage(p, m, 8);
	} else if (starts(m, "memory+swap: usage ")) {
		on_memcg_usage(p, m, 13);
	} else if (starts(m, "kmem: usage ")) {
		on_memcg_usage(p, m, 6);
	} else if (starts(m, "swap: usage ")) {
		on_memcg_usage(p, m, 6);
	} else if (starts(m, "Memory cgroup stats for ")) {
		const char *path = m + 24, *colon = strstr(path, ": ");

		if (!colon && *path && path[strlen(path) - 1] == ':')
			colon = path + strlen(path) - 1;

		if (colon) {
			if (!(p->s->rec.known & OOMTRACE_E_OOM_MEMCG)) {
				copy(p->s->rec.oom_memcg, sizeof(p->s->rec.oom_memcg), path,
				     (size_t)(colon - path));
				p->s->rec.known |= OOMTRACE_E_OOM_MEMCG;
			}
			/* ≤ 4.x prints "cache:0KB rss:65536KB ..." on the same line */
			if (!kv_tokens(&p->s->rec.ctx.memcg_stat, colon + 1, true))
				p->s->sec = SEC_MEMCG_STAT;
		}
	}
}

/* "Task in /a killed as a result of limit of /b" (memcg, ≤ 4.18) */
static void on_task_in(struct oomtrace_parser *p, const char *s)
{
	const char *k = strstr(s, " killed as a result of limit of ");

	if (!k)
		return;
	if (!p->s->open)
		open_record(p, true);
	copy(p->s->rec.victim.cgroup, sizeof(p->s->rec.victim.cgroup), s, (size_t)(k - s));
	p->s->rec.victim.known |= OOMTRACE_T_CGROUP;
	copy(p->s->rec.oom_memcg, sizeof(p->s->rec.oom_memcg), k + 32, strlen(k + 32));
	p->s->rec.known |= OOMTRACE_E_OOM_MEMCG;
	if (!(p->s->rec.known & OOMTRACE_E_CONSTRAINT)) {
		p->s->rec.constraint = OOMTRACE_CONSTRAINT_MEMCG;
		p->s->rec.known |= OOMTRACE_E_CONSTRAINT;
	}
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
			if (p->s->open || strstr(m, "ut of memory") || strstr(m, "deadlocked on memory"))
				return on_end_without_kill(p, OOMTRACE_OUTCOME_PANIC, sink, ctx);
			return 0;
		}
		break;
	case 'O':
		/* "Out of memory: ", 2.6's "Out of Memory: ", "Out of memory (oom_kill_allocating_task): " */
		if (starts(m, "Out of memory and no killable processes"))
			return on_end_without_kill(p, OOMTRACE_OUTCOME_NO_KILLABLE, sink, ctx);
		if ((starts(m, "Out of memory") || starts(m, "Out of Memory")) && (s = strstr(m, ": ")))
			return on_kill_wording(p, m, s + 2, sink, ctx);
		break;
	case 'M':
		if (starts(m, "Memory cgroup out of memory: "))
			return on_kill_wording(p, m, m + 29, sink, ctx);
		break;
	case 'o':
		if (starts(m, "oom-kill:")) {
			if (p->s->open && !p->s->mixed && (p->s->rec.victim.known & OOMTRACE_T_PID)) {
				/* the last summary's kill line never came: that kill is an event of its own */
				int r = close_cut(p, sink, ctx);

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
			p->s->group = true;
			mark_here(p, &p->s->grp);
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

/* ---- time of a line -------------------------------------------------------- */

static bool civil_to_abs(struct oomtrace_parser *p, const struct oomtrace_civil *c, int64_t *us,
			 int32_t *off)
{
	int year = c->year;
	int64_t key, epoch;

	if (!c->mon)
		return false;
	if (!year) {
		year = p->opts.year;
		if (!year) {
			int64_t d = (p->opts.now_us ? p->opts.now_us : 0) / 86400000000LL;
			int64_t y = 1970 + d / 366;

			/* the year of now_us: walk up from a safe lower bound */
			while (oomtrace_days_from_civil(y + 1, 1, 1) <= d)
				y++;
			year = (int)y;
			if (p->opts.now_us &&
			    (oomtrace_days_from_civil(year, (unsigned int)c->mon, (unsigned int)c->mday) -
			     1) * 86400000000LL > p->opts.now_us)
				year--; /* a December line read in January */
		}
	}
	key = ((int64_t)year * 16 + c->mon) * 32 * 24 + c->mday * 24 + c->hour;
	if (key != p->civil_cache_key) {
		int32_t o = 0;

		if (p->opts.local_time) {
			if (p->opts.local_time(year, c->mon, c->mday, c->hour, 0, 0, &epoch, &o))
				return false;
		} else {
			epoch = oomtrace_days_from_civil(year, (unsigned int)c->mon,
							 (unsigned int)c->mday) *
					86400 +
				c->hour * 3600;
		}
		p->civil_cache_key = key;
		p->civil_cache_epoch = epoch;
		p->civil_cache_off = o;
	}
	*us = (p->civil_cache_epoch + c->min * 60 + c->sec) * 1000000LL + c->usec;
	*off = p->civil_cache_off;
	return true;
}

static void set_stamp(struct oomtrace_parser *p, const struct oomtrace_prefix *x)
{
	struct stamp *t = &p->cur;

	if (x->kind == OOMTRACE_LINE_BARE)
		return; /* a continuation keeps the time of the line before */
	memset(t, 0, sizeof(*t));
	if (x->has_uptime) {
		t->has_uptime = true;
		t->uptime_ns = x->uptime_ns;
	}
	if (x->has_abs) {
		t->has_time = true;
		t->time_us = x->abs_us;
		t->tz_off_s = x->tz_off_s;
		t->subsec = x->subsec;
	} else if (x->has_civil) {
		t->has_time = civil_to_abs(p, &x->civil, &t->time_us, &t->tz_off_s);
		t->subsec = x->civil.subsec;
	} else if (x->has_uptime && p->opts.boot_us) {
		t->has_time = true;
		t->time_us = p->opts.boot_us + (int64_t)(x->uptime_ns / 1000);
		t->tz_off_s = p->opts.boot_tz_off_s;
		t->subsec = true;
	}
	if (x->host_len) {
		t->has_host = true;
		copy(t->host, sizeof(t->host), x->host, x->host_len);
	} else if (p->opts.host) {
		t->has_host = true;
		copy(t->host, sizeof(t->host), p->opts.host, strlen(p->opts.host));
	}
}

/* ---- public ---------------------------------------------------------------- */

struct oomtrace_parser *oomtrace_parser_new(const struct oomtrace_parser_opts *opts)
{
	struct oomtrace_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (opts)
		p->opts = *opts;
	p->civil_cache_key = -1;
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
	p->export = false;
	p->exp_bin = false;
	memset(&p->cur, 0, sizeof(p->cur));
}

/*
 * The pre-filter: one Wu-Manber scan (shift table on 3-byte hashes over the first
 * SCAN_L bytes of each needle) for every word a line that starts, ends or
 * annotates an OOM record must hold:
 *   "illed process"        Killed process
 *   "ill process "         Kill process / kill process (the choice before the kill, <= 5.0)
 *   "invoked oom-kill"     COMM invoked oom-killer:
 *   "oom-kill:constr"      oom-kill:constraint=... (the summary, 4.19+)
 *   "oom_reaper: reaped"   oom_reaper: reaped process
 *   "killed as a result"   Task in /a killed as a result of limit of /b
 *   "no killable process"  Out of memory and no killable processes...
 *   "panic - not syncing"  Kernel panic - not syncing: (Out of memory / deadlocked on memory)
 *   "memory.oom.group"     Tasks in /a are going to be killed due to memory.oom.group set
 */
#define SCAN_L 12
static const char *const scan_needles[] = { "illed process",	    "ill process ",
					    "invoked oom-kill",	    "oom-kill:constr",
					    "oom_reaper: reaped",   "killed as a result",
					    "no killable process", "panic - not syncing",
					    "memory.oom.group" };
#define NNEEDLES (sizeof(scan_needles) / sizeof(scan_needles[0]))
#define SCAN_HASH(a, b, c) ((((unsigned int)(a) << 10) ^ ((unsigned int)(b) << 5) ^ (unsigned int)(c)) & 0x3fffu)
static unsigned char scan_shift[16384]; /* by the hash of the window's last 3 bytes */
static uint16_t scan_cand[16384];       /* bit i: needle i's first SCAN_L bytes end so */
static bool scan_ready;

static void scan_init(void)
{
	size_t i, q;

	memset(scan_shift, SCAN_L - 2, sizeof(scan_shift));
	for (i = 0; i < NNEEDLES; i++) {
		const unsigned char *n = (const unsigned char *)scan_needles[i];

		for (q = 2; q < SCAN_L; q++) {
			unsigned int h = SCAN_HASH(n[q - 2], n[q - 1], n[q]);
			unsigned char sh = (unsigned char)(SCAN_L - 1 - q);

			if (sh < scan_shift[h])
				scan_shift[h] = sh;
		}
		scan_cand[SCAN_HASH(n[SCAN_L - 3], n[SCAN_L - 2], n[SCAN_L - 1])] |= (uint16_t)(1u << i);
	}
	scan_ready = true;
}

/* Is a needle at the window ending at @w (hash @h)? */
static const char *scan_verify(const unsigned char *w, const unsigned char *e, unsigned int h)
{
	unsigned int c = scan_cand[h];
	const unsigned char *st = w - (SCAN_L - 1);
	size_t i;

	for (i = 0; c; i++, c >>= 1) {
		size_t k;

		if (!(c & 1))
			continue;
		k = strlen(scan_needles[i]);
		if ((size_t)(e - st) >= k && memcmp(st, scan_needles[i], k) == 0)
			return (const char *)st;
	}
	return NULL;
}

/* One stream: windows ending in [w, stop), needles checked up to @e. */
static const char *scan_one(const unsigned char *w, const unsigned char *stop, const unsigned char *e)
{
	while (w < stop) {
		unsigned int h = SCAN_HASH(w[-2], w[-1], w[0]);
		unsigned char sh = scan_shift[h];
		const char *hit;

		if (sh) {
			w += sh;
			continue;
		}
		if ((hit = scan_verify(w, e, h)))
			return hit;
		w++;
	}
	return NULL;
}

/*
 * Windows ending in [t + SCAN_L - 1, e). Each step waits on the table load of
 * the step before, so two halves of each 32 KiB chunk are scanned at once; the
 * first half's windows run past its end by SCAN_L - 1 bytes, so that no
 * needle across the middle is missed.
 */
const char *oomtrace_parser_scan(const char *b, const char *end)
{
	const unsigned char *t = (const unsigned char *)b, *e = (const unsigned char *)end;
	const unsigned char *w1 = t + SCAN_L - 1;

	if (!scan_ready)
		scan_init();
	while (e - w1 > 2 * 16384) {
		const unsigned char *stop1 = w1 + 16384, *w2 = stop1, *stop2 = stop1 + 16384;
		const char *hit2 = NULL, *hit;

		while (w1 < stop1 && w2 < stop2) {
			unsigned int h1 = SCAN_HASH(w1[-2], w1[-1], w1[0]);
			unsigned int h2 = SCAN_HASH(w2[-2], w2[-1], w2[0]);
			unsigned char s1 = scan_shift[h1], s2 = scan_shift[h2];

			if (!s1) {
				if ((hit = scan_verify(w1, e, h1)))
					return hit;
				s1 = 1;
			}
			if (!s2) {
				if ((hit2 = scan_verify(w2, e, h2)))
					break;
				s2 = 1;
			}
			w1 += s1;
			w2 += s2;
		}
		if (w1 < stop1 && (hit = scan_one(w1, stop1, e)))
			return hit;
		if (hit2)
			return hit2;
		if (w2 < stop2 && (hit = scan_one(w2, stop2, e)))
			return hit;
		/* both halves done: go on where the second one stopped (it may have jumped past its end) */
		w1 = w2 > stop2 ? w2 : stop2;
	}
	return scan_one(w1, e, e);
}

bool oomtrace_parser_idle(const struct oomtrace_parser *p)
{
	unsigned int i;

	/* held kills wait only for oom_reaper lines, which the pre-filter finds */
	if (!p->input_lines || p->export || p->pend)
		return false;
	for (i = 0; i < SLOTS; i++)
		if (p->slots[i].open || p->slots[i].mixed)
			return false;
	return true;
}

bool oomtrace_parser_waiting(const struct oomtrace_parser *p)
{
	return p->nheld || p->pend;
}

const struct oomtrace_parser_stats *oomtrace_parser_stats(const struct oomtrace_parser *p)
{
	return &p->st;
}

/* The slot for the current line's caller id (a new or the least recently used one). */
static int pick_slot(struct oomtrace_parser *p, oomtrace_sink_fn sink, void *ctx)
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
		r = close_cut(p, sink, ctx);
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

/*
 * Lines a mailer or a terminal may have cut: an oom-kill: summary without its
 * final ",uid=N", and "Task in /a killed as a result of limit of /b" (the
 * second path may go on in the next line). Kept until the next line shows
 * whether it goes on.
 */
static enum pend_kind needs_more(const char *m, size_t n)
{
	if (starts(m, "oom-kill:")) {
		const char *u = rfind(m, n, ",uid=");
		const char *q;

		if (!u)
			return PEND_SUMMARY;
		for (q = u + 5; *q >= '0' && *q <= '9'; q++)
			;
		return q == u + 5 || *q ? PEND_SUMMARY : PEND_NONE;
	}
	if (starts(m, "Task in "))
		return PEND_TASK_IN;
	/* the kill line's "total-vm:..., UID:.. pgtables:.. oom_score_adj:.." may go on in the next
	 * (it starts "Killed process", "Out of memory: Killed", "Memory cgroup out of memory: Killed") */
	if ((m[0] == 'K' || m[0] == 'O' || m[0] == 'M') && strstr(m, "Killed process "))
		return PEND_KILL;
	/* "COMM invoked oom-killer: gfp_mask=..., order=0," + "oom_score_adj=0" */
	if (n && m[n - 1] == ',' && strstr(m, " invoked oom-killer:"))
		return PEND_HEADER;
	return PEND_NONE;
}

/* "total-vm:640048kB," / "pgtables:1104kB" / "oom_score_adj=0": a line that starts with key:number */
static bool kv_start(const char *m)
{
	const char *q = m;

	while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '_' || *q == '-')
		q++;
	return q > m && (*q == ':' || *q == '=') && ((q[1] >= '0' && q[1] <= '9') || q[1] == '-');
}

static int dispatch_pending(struct oomtrace_parser *p, oomtrace_sink_fn sink, void *ctx)
{
	struct slot *keep = p->s;
	struct stamp now;
	int r;

	if (!p->pend)
		return 0;
	p->pend = PEND_NONE;
	p->s = p->pend_slot;
	now = p->cur;
	p->cur = p->pend_cur;
	r = dispatch(p, p->pend_msg, sink, ctx);
	p->cur = now;
	p->s = keep;
	return r;
}

/* p->join = the pending line, a space if @space, then @m (@n bytes; the caller checked the size). */
static void join_to_pending(struct oomtrace_parser *p, const char *m, size_t n, bool space)
{
	size_t pl = p->pend_len;

	memcpy(p->join, p->pend_msg, pl);
	if (space)
		p->join[pl++] = ' ';
	memcpy(p->join + pl, m, n);
	p->join[pl + n] = '\0';
}

/*
 * @m (a continuation line: no prefix of its own) goes on the pending line?
 * Then joins them in p->join and returns true.
 */
static bool join_pending(struct oomtrace_parser *p, const char *m, size_t n)
{
	static const char k[] = " killed as a result of limit of ";
	bool with_space = false;

	if (!n || *m == ' ' || *m == '\t' || p->pend_len + 1 + n >= MSG_MAX)
		return false;
	if (p->pend == PEND_KILL || p->pend == PEND_HEADER) {
		/* a mailer broke the line at a space: what goes on is more key:value pairs */
		if (!kv_start(m))
			return false;
		with_space = true;
	} else if (p->pend == PEND_TASK_IN) {
		const char *phrase = strstr(p->pend_msg, k);

		if (phrase && phrase[sizeof(k) - 1]) {
			/* whole: only a path cut by a terminal goes on (no spaces, no colon) */
			if (!p->pend_prefixed || memchr(m, ' ', n) || memchr(m, ':', n))
				return false;
		} else {
			/* a mailer breaks at a space and drops it: the join that makes the phrase whole */
			join_to_pending(p, m, n, true);
			if (strstr(p->join, k))
				return true;
			/* else a terminal cut it anywhere: joined as it is, below */
		}
	}
	/* a summary has no spaces but inside the comm and paths: a cut is joined as it is */
	join_to_pending(p, m, n, with_space);
	return true;
}

/* One message of the current line (a kmsg record may hold several). */
static int feed(struct oomtrace_parser *p, char *seg, bool bare, oomtrace_sink_fn sink, void *ctx)
{
	size_t n = strlen(seg);
	enum pend_kind k;
	int r;

	if (p->pend) {
		if (bare && join_pending(p, seg, n)) {
			p->pend = PEND_NONE;
			seg = p->join;
			n = strlen(seg);
		} else {
			r = dispatch_pending(p, sink, ctx);
			if (r)
				return r;
		}
	}
	k = needs_more(seg, n);
	if (k && n < MSG_MAX) {
		p->pend = k;
		p->pend_slot = p->s;
		p->pend_len = n;
		p->pend_prefixed = !bare;
		p->pend_cur = p->cur;
		memmove(p->pend_msg, seg, n + 1);
		return 0;
	}
	return dispatch(p, seg, sink, ctx);
}

/* Copy a message into p->msg: kmsg's \xHH escapes decoded, NULs made spaces. */
static void take_msg(struct oomtrace_parser *p, const char *m, size_t n, bool kmsg)
{
	size_t i, o;

	if (!kmsg) {
		if (n > MSG_MAX - 1)
			n = MSG_MAX - 1;
		memcpy(p->msg, m, n);
		p->msg[n] = '\0';
		for (char *z = memchr(p->msg, '\0', n); z; z = memchr(z, '\0', (size_t)(p->msg + n - z)))
			*z = ' ';
		return;
	}
	for (i = o = 0; i < n && o < MSG_MAX - 1; i++) {
		char c = m[i];

		if (c == '\\' && i + 3 < n && m[i + 1] == 'x' && hexval(m[i + 2]) >= 0 &&
		    hexval(m[i + 3]) >= 0) {
			c = (char)(hexval(m[i + 2]) * 16 + hexval(m[i + 3]));
			i += 3;
		}
		p->msg[o++] = c ? c : ' ';
	}
	p->msg[o] = '\0';
}

/* p->msg is the current message: route, split into lines, dispatch. */
static int run_msg(struct oomtrace_parser *p, bool bare, oomtrace_sink_fn sink, void *ctx)
{
	char *seg, *nl;
	int r;

	if (!bare) {
		r = pick_slot(p, sink, ctx);
		if (r)
			return r;
	} else if (!p->s) {
		p->ckind = 0;
		p->cid = 0;
		r = pick_slot(p, sink, ctx);
		if (r)
			return r;
	}
	if (p->s->open && p->st.lines > p->s->rec_line + RECORD_MAX_LINES) {
		r = close_cut(p, sink, ctx);
		if (r)
			return r;
	}
	r = release(p, false, sink, ctx);
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

/* ---- journalctl -o json / -o export ----------------------------------------- */

static void journal_stamp(struct oomtrace_prefix *x, const char *rt, const char *mono,
			  const char *host)
{
	int64_t v;

	memset(x, 0, sizeof(*x));
	x->kind = OOMTRACE_LINE_ISO;
	x->kernel = true;
	if (rt && num(rt, &v) && v > 0) {
		/* the journal keeps UTC: shown as UTC */
		x->has_abs = true;
		x->abs_us = v;
		x->subsec = true;
	}
	if (mono && num(mono, &v) && v >= 0) {
		x->has_uptime = true;
		x->uptime_ns = (uint64_t)v * 1000ULL;
	}
	if (host) {
		x->host = host;
		x->host_len = strlen(host);
	}
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A journal entry is the kernel's: _TRANSPORT=kernel (or SYSLOG_IDENTIFIER=kernel in exports). */
static bool journal_kernel(const char *transport, const char *ident)
{
	if (transport)
		return strcmp(transport, "kernel") == 0;
	return ident && strcmp(ident, "kernel") == 0;
}

/* "journalctl -o json": one object a line. Returns false when @line is not one. */
static bool json_line(struct oomtrace_parser *p, const char *line, size_t len,
		      struct oomtrace_prefix *x)
{
	struct json_tokener *tok;
	struct json_object *o, *msg;
	const char *mono;
	size_t n = 0;

	tok = json_tokener_new();
	if (!tok)
		return false;
	o = json_tokener_parse_ex(tok, line, (int)(len < INT32_MAX ? len : INT32_MAX));
	json_tokener_free(tok);
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "MESSAGE", &msg)) {
		json_object_put(o);
		return false;
	}
	mono = jstr(o, "_SOURCE_MONOTONIC_TIMESTAMP");
	journal_stamp(x, jstr(o, "__REALTIME_TIMESTAMP"), mono ? mono : jstr(o, "__MONOTONIC_TIMESTAMP"),
		      NULL);
	x->kernel = journal_kernel(jstr(o, "_TRANSPORT"), jstr(o, "SYSLOG_IDENTIFIER"));
	if (jstr(o, "_HOSTNAME"))
		snprintf(p->exp_host, sizeof(p->exp_host), "%s", jstr(o, "_HOSTNAME"));
	else
		p->exp_host[0] = '\0';
	if (p->exp_host[0]) {
		x->host = p->exp_host;
		x->host_len = strlen(p->exp_host);
	}
	if (json_object_is_type(msg, json_type_string)) {
		const char *m = json_object_get_string(msg);

		n = (size_t)json_object_get_string_len(msg);
		if (n > MSG_MAX - 1)
			n = MSG_MAX - 1;
		memcpy(p->msg, m, n);
	} else if (json_object_is_type(msg, json_type_array)) {
		/* not valid UTF-8: the message as an array of byte values */
		size_t i, k = json_object_array_length(msg);

		for (i = 0; i < k && n < MSG_MAX - 1; i++)
			p->msg[n++] = (char)json_object_get_int(json_object_array_get_idx(msg, i));
	}
	p->msg[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!p->msg[i])
			p->msg[i] = ' ';
	json_object_put(o);
	return true;
}

/* One field line of "journalctl -o export"; an empty line ends the entry. Returns 1 at the end of a kernel entry. */
static int export_line(struct oomtrace_parser *p, const char *line, size_t len)
{
	const char *eq;

	if (p->exp_bin) {
		/* "MESSAGE\n" + 64-bit little-endian size + data + "\n": the data may hold newlines */
		uint64_t sz = 0;
		size_t i;

		if (p->exp_len + len + 1 >= MSG_MAX) {
			p->exp_bin = false;
			p->exp_len = 0;
			return 0;
		}
		memcpy(p->exp_msg + p->exp_len, line, len);
		p->exp_len += len;
		if (p->exp_len < 8) {
			p->exp_msg[p->exp_len++] = '\n';
			return 0;
		}
		for (i = 0; i < 8; i++)
			sz |= (uint64_t)(unsigned char)p->exp_msg[i] << (8 * i);
		if (p->exp_len < 8 + sz) {
			p->exp_msg[p->exp_len++] = '\n';
			return 0;
		}
		p->exp_bin = false;
		if (p->exp_len != 8 + sz) {
			p->exp_len = 0; /* damaged: the entry has no message */
			return 0;
		}
		memmove(p->exp_msg, p->exp_msg + 8, (size_t)sz);
		p->exp_len = (size_t)sz;
		p->exp_msg[p->exp_len] = '\0';
		return 0;
	}
	if (!len) {
		int done = p->exp_kernel && p->exp_len;

		if (done) {
			memcpy(p->msg, p->exp_msg, p->exp_len + 1);
			for (size_t i = 0; i < p->exp_len; i++)
				if (!p->msg[i])
					p->msg[i] = ' ';
		}
		p->exp_kernel = false;
		p->exp_len = 0;
		return done;
	}
	if (len == 7 && memcmp(line, "MESSAGE", 7) == 0) {
		p->exp_bin = true;
		p->exp_len = 0;
		return 0;
	}
	eq = memchr(line, '=', len);
	if (!eq)
		return 0;
#define FIELD(name) ((size_t)(eq - line) == sizeof(name) - 1 && memcmp(line, name, sizeof(name) - 1) == 0)
	{
		const char *v = eq + 1;
		size_t vl = len - (size_t)(v - line);
		char tmp[32];

		if (FIELD("MESSAGE")) {
			if (vl > MSG_MAX - 1)
				vl = MSG_MAX - 1;
			memcpy(p->exp_msg, v, vl);
			p->exp_msg[vl] = '\0';
			p->exp_len = vl;
		} else if (FIELD("__REALTIME_TIMESTAMP") || FIELD("_SOURCE_MONOTONIC_TIMESTAMP") ||
			   (FIELD("__MONOTONIC_TIMESTAMP") && !p->exp_pfx.has_uptime)) {
			copy(tmp, sizeof(tmp), v, vl);
			if (FIELD("__REALTIME_TIMESTAMP")) {
				int64_t t;

				if (num(tmp, &t) && t > 0) {
					p->exp_pfx.has_abs = true;
					p->exp_pfx.abs_us = t;
					p->exp_pfx.subsec = true;
				}
			} else {
				int64_t t;

				if (num(tmp, &t) && t >= 0) {
					p->exp_pfx.has_uptime = true;
					p->exp_pfx.uptime_ns = (uint64_t)t * 1000ULL;
				}
			}
		} else if (FIELD("_HOSTNAME")) {
			copy(p->exp_host, sizeof(p->exp_host), v, vl);
		} else if (FIELD("_TRANSPORT")) {
			p->exp_kernel = vl == 6 && memcmp(v, "kernel", 6) == 0;
		} else if (FIELD("__CURSOR")) {
			/* a new entry */
			p->exp_host[0] = '\0';
			memset(&p->exp_pfx, 0, sizeof(p->exp_pfx));
			p->exp_pfx.kind = OOMTRACE_LINE_ISO;
			p->exp_pfx.kernel = true;
		}
	}
#undef FIELD
	return 0;
}

int oomtrace_parser_line(struct oomtrace_parser *p, const char *line, size_t len,
			 oomtrace_sink_fn sink, void *ctx)
{
	struct oomtrace_prefix x;
	bool bare;

	p->st.lines++;
	while (len && line[len - 1] == '\r')
		len--;
	if (!p->input_lines++ && ((len > 9 && memcmp(line, "__CURSOR=", 9) == 0) ||
				  (len > 21 && memcmp(line, "__REALTIME_TIMESTAMP=", 21) == 0))) {
		p->export = true;
		memset(&p->exp_pfx, 0, sizeof(p->exp_pfx));
		p->exp_pfx.kind = OOMTRACE_LINE_ISO;
	}
	if (p->export) {
		if (!export_line(p, line, len))
			return 0;
		x = p->exp_pfx;
		x.kernel = true;
		if (p->exp_host[0]) {
			x.host = p->exp_host;
			x.host_len = strlen(p->exp_host);
		}
		memset(&p->exp_pfx, 0, sizeof(p->exp_pfx));
		p->ckind = 0;
		p->cid = 0;
		set_stamp(p, &x);
		return run_msg(p, false, sink, ctx);
	}
	if (len && line[0] == '{' && json_line(p, line, len, &x)) {
		if (!x.kernel)
			return 0;
		p->ckind = 0;
		p->cid = 0;
		set_stamp(p, &x);
		return run_msg(p, false, sink, ctx);
	}
	oomtrace_prefix_parse(line, len, &x);
	if (x.kind == OOMTRACE_LINE_BARE && len - x.msg_off && line[x.msg_off] == ' ' &&
	    p->last_kind == OOMTRACE_LINE_KMSG)
		return 0; /* a kmsg dictionary line (" SUBSYSTEM=...") */
	bare = x.kind == OOMTRACE_LINE_BARE;
	if (!bare)
		p->last_kind = x.kind;
	if (!x.kernel)
		return 0;
	if (!bare) {
		p->ckind = x.caller_kind;
		p->cid = x.caller_id;
	}
	set_stamp(p, &x);
	take_msg(p, line + x.msg_off, len - x.msg_off, x.kind == OOMTRACE_LINE_KMSG);
	return run_msg(p, bare, sink, ctx);
}

int oomtrace_parser_flush(struct oomtrace_parser *p, bool idle, oomtrace_sink_fn sink, void *ctx)
{
	struct slot *keep = p->s;
	unsigned int i;
	int r;

	/* a pause in a stream: the line that might have gone on did not */
	r = dispatch_pending(p, sink, ctx);
	if (r)
		return r;
	r = release(p, true, sink, ctx);
	if (r || idle)
		return r;
	for (i = 0; i < SLOTS; i++) {
		p->s = &p->slots[i];
		if (!p->s->used)
			continue;
		r = close_cut(p, sink, ctx);
		p->s->mixed = 0;
		if (r)
			break;
	}
	p->s = keep;
	return r;
}
