// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * anchor.c: prefixes of no known format, found by the OOM report's own phrases (anchor.h).
 * The phrases are the kernel's: mm/oom_kill.c (dump_header, __oom_kill_process, oom_reap_task),
 * mm/memcontrol.c (mem_cgroup_print_oom_*), mm/show_mem.c (Mem-Info), lib/dump_stack.c and each
 * architecture's show_stack ("Call Trace:", "Call trace:").
 */
#include "config.h"

#include <string.h>

#include "anchor.h"
#include "prefix_int.h"

struct phrase {
	const char *s;
	size_t n;
};
#define PH(x)                                                                                      \
	{                                                                                          \
		x, sizeof(x) - 1                                                                   \
	}

/* Phrases a message of the OOM report starts with. */
static const struct phrase starts_with[] = {
    PH("Out of memory"),
    PH("Out of Memory"), /* 2.6 */
    PH("Memory cgroup out of memory"),
    PH("Killed process "),
    PH("Kill process "), /* <= 5.0: the choice */
    PH("oom-kill:"),
    PH("oom_reaper: "),
    PH("Mem-Info:"),
    PH("Tasks state (memory values in pages):"),
    PH("[  pid  ]"),
    PH("Task in /"),
    PH("Tasks in /"),
    PH("memory: usage "),
    PH("memory+swap: usage "),
    PH("kmem: usage "),
    PH("swap: usage "),
    PH("Memory cgroup stats for "),
    PH("Kernel panic - not syncing: "),
    PH("Unreclaimable slab info:"),
    PH("Call Trace:"),
    PH("Call trace:"),
    PH("Hardware name: "),
    PH("Free swap  = "),
    PH("Total swap = "),
};

#define HEADER " invoked oom-killer:"

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool wordc(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isdig(c) ||
	       (unsigned char)c >= 0x80;
}

/* "bash invoked oom-killer:" at @h (where HEADER stands): where the comm starts. */
static size_t comm_start(const char *s, size_t h)
{
	size_t i = h;

	while (i > 0 && !blank(s[i - 1]))
		i--;
	return i;
}

/* The earliest anchored message in @s, -1 when none; *@header: it is the report's header, whose
 * phrase stands at *@hdr. */
static long find(const char *s, size_t n, bool *header, size_t *hdr)
{
	long best = -1;
	const char *q;
	size_t i;

	*header = false;
	for (i = 0; i < sizeof(starts_with) / sizeof(starts_with[0]); i++) {
		/* a phrase later than the best so far cannot win: look no further (nor past @n) */
		size_t lim = best < 0 ? n : (size_t)best + starts_with[i].n;

		q = memmem(s, lim < n ? lim : n, starts_with[i].s, starts_with[i].n);
		if (q && (best < 0 || q - s < best))
			best = q - s;
	}
	/* "CPU: 1 PID: 2286 Comm: hog" (6.x: "CPU: 1 UID: 0 PID: ..."): the dump_stack header */
	for (q = memmem(s, n, "CPU: ", 5); q && (best < 0 || q - s < best);
	     q = memmem(q + 1, n - (size_t)(q + 1 - s), "CPU: ", 5)) {
		if (q + 5 < s + n && isdig(q[5]) && memmem(q, (size_t)(s + n - q), " PID: ", 6)) {
			best = q - s;
			break;
		}
	}
	q = memmem(s, n, HEADER, sizeof(HEADER) - 1);
	if (q && q > s) {
		size_t c = comm_start(s, (size_t)(q - s));

		if (c < (size_t)(q - s) && (best < 0 || (long)c < best)) {
			best = (long)c;
			*header = true;
			*hdr = (size_t)(q - s);
		}
	}
	return best;
}

/* Phrases that start a record and never stand inside another message. */
static const struct phrase splits[] = {
    PH("oom-kill:constraint="),
    PH("oom_reaper: reaped process "),
    PH("Memory cgroup out of memory: "),
    PH("Out of memory: Kill"),
    PH("Out of memory (oom_kill_allocating_task): "),
    PH("Mem-Info:"),
    PH("Tasks state (memory values in pages):"),
    PH("Killed process "),
};

/* The start of a record's line before the message at @ms: its known prefix, if one ends there. */
static size_t line_start(const char *m, size_t n, size_t ms)
{
	struct oomtrace_prefix y;
	size_t i;

	for (i = ms > 96 ? ms - 96 : 0; i < ms; i++) {
		/* a prefix starts after a blank, or with its bracket right after the text before */
		if (blank(m[i]) || (i && !blank(m[i - 1]) && m[i] != '[' && m[i] != '<'))
			continue;
		oomtrace_prefix_parse(m + i, n - i, &y);
		if (y.kind != OOMTRACE_LINE_BARE && i + y.msg_off == ms)
			return i;
	}
	return ms;
}

/* @q: a split phrase at @k of @m; false where it is part of the message before it. */
static bool starts_record(const char *m, size_t k, const struct phrase *ph)
{
	if (!k || !(blank(m[k - 1]) || m[k - 1] == ']'))
		return false;
	/* "Out of memory: Killed process", "Memory cgroup out of memory: Killed process",
	 * "Out of memory (oom_kill_allocating_task): Killed process" */
	if (ph->s[0] == 'K' && k >= 2 && m[k - 2] == ':')
		return false;
	return true;
}

/*
 * One pass, left to right (it runs on every line the parser reads): the first place where a split
 * phrase starts a record is the earliest over all phrases, and the header's first place is noted
 * on the way. A header after that place cannot start earlier: its comm starts after the blank or
 * ']' before the phrase found.
 */
size_t oomtrace_anchor_split(const char *m, size_t n)
{
	size_t best = 0, hdr = 0, i, j, k;

	if (n < 16)
		return 0;
	for (k = 1; k < n && !best; k++) {
		switch (m[k]) {
		case ' ':
			if (!hdr && n - k >= sizeof(HEADER) - 1 && m[k + 1] == 'i' &&
			    memcmp(m + k, HEADER, sizeof(HEADER) - 1) == 0)
				hdr = k;
			continue;
		case 'o':
		case 'M':
		case 'O':
		case 'T':
		case 'K':
			break;
		default:
			continue;
		}
		for (i = 0; i < sizeof(splits) / sizeof(splits[0]); i++)
			if (splits[i].s[0] == m[k] && n - k >= splits[i].n &&
			    memcmp(m + k, splits[i].s, splits[i].n) == 0 &&
			    starts_record(m, k, &splits[i])) {
				best = k;
				break;
			}
	}
	if (hdr) {
		/* a comm may hold blanks ("my hog invoked oom-killer:"): a header starts a record
		 * of its own only after a known prefix */
		size_t c = comm_start(m, hdr);

		if (c > 0 && c < hdr && (!best || c < best) && (j = line_start(m, n, c)) < c)
			best = j;
	}
	if (!best)
		return 0;
	j = line_start(m, n, best);
	/* the record before must keep something */
	for (i = 0; i < j && blank(m[i]); i++)
		;
	return i < j ? j : 0;
}

/* ---- the shape of a head: learned from one line, matched on the next ---- */

static void learn(struct oomtrace_anchor *a, const char *h, size_t n)
{
	const char *e = h + n;
	unsigned int k = 0;

	a->n = 0;
	while (h < e) {
		struct oomtrace_shape_el *el;

		if (k == OOMTRACE_SHAPE_MAX)
			return; /* too long to be a prefix: nothing learned */
		el = &a->el[k++];
		if (wordc(*h)) {
			el->cls = 'w';
			while (h < e && wordc(*h))
				h++;
		} else if (blank(*h)) {
			unsigned int c = 0;

			el->cls = ' ';
			while (h < e && blank(*h)) {
				h++;
				c++;
			}
			el->cnt = (unsigned char)(c > 255 ? 255 : c);
		} else {
			el->cls = 'p';
			el->lit = *h++;
		}
	}
	a->n = k;
}

/* How long the learned head is at the start of @s, 0 when it is not there. */
static size_t match(const struct oomtrace_anchor *a, const char *s, size_t n)
{
	const char *p = s, *e = s + n;
	unsigned int k;

	for (k = 0; k < a->n; k++) {
		const struct oomtrace_shape_el *el = &a->el[k];

		if (el->cls == 'w') {
			if (p >= e || !wordc(*p))
				return 0;
			while (p < e && wordc(*p))
				p++;
		} else if (el->cls == ' ') {
			unsigned int c = 0;

			/* padding inside a head varies ("[  12.3]", "[123.4]"); its last blanks are
			 * taken as many as were learned, so a message's own leading blank stays */
			if (k + 1 == a->n) {
				while (p < e && blank(*p) && c < el->cnt) {
					p++;
					c++;
				}
				if (c < el->cnt)
					return 0;
			} else {
				while (p < e && blank(*p))
					p++;
			}
		} else if (p >= e || *p++ != el->lit) {
			return 0;
		}
	}
	return (size_t)(p - s);
}

/*
 * Before a header's comm: a head that ends in a word ("nginx: worker " of "nginx: worker process
 * invoked oom-killer:" in a log of bare messages) may be the comm's own start; a prefix ends in a
 * delimiter or a number ("] ", ": ", "| ", "12:03:04 ").
 */
static bool comm_like(const char *h, size_t n)
{
	while (n && blank(h[n - 1]))
		n--;
	return n && ((h[n - 1] >= 'a' && h[n - 1] <= 'z') || (h[n - 1] >= 'A' && h[n - 1] <= 'Z'));
}

/* ---- a time out of a head of no known format ---- */

/* "Mar 2, 2025 @ 10:11:12.104", "2 Mar 2025 10:11:12": a month name, a day, a year, a time. */
static bool civil_in(const char *h, size_t n, struct oomtrace_prefix *x)
{
	const char *e = h + n, *p = h, *t = NULL;
	struct oomtrace_civil c = {0};

	for (p = h; p + 8 <= e; p++)
		if (isdig(p[0]) && isdig(p[1]) && p[2] == ':' && isdig(p[3]) && isdig(p[4]) &&
		    p[5] == ':' && isdig(p[6]) && isdig(p[7]) && (p == h || !isdig(p[-1]))) {
			t = p;
			break;
		}
	if (!t || !oomtrace_pfx_hms(&t, e, &c))
		return false;
	oomtrace_pfx_frac(&t, e, &c.usec, &c.subsec);
	for (p = h; p < e;) {
		const char *w = p;
		long long v;

		if (!wordc(*p)) {
			p++;
			continue;
		}
		while (p < e && wordc(*p))
			p++;
		if (isdig(*w)) {
			const char *q = w;
			int nd = oomtrace_pfx_digits(&q, p, 4, &v);

			if (q != p)
				continue;
			if (nd == 4 && v >= 1970 && !c.year)
				c.year = (int)v;
			else if (nd <= 2 && v >= 1 && v <= 31 && !c.mday && w < t - 3)
				c.mday = (int)v;
		} else if (!c.mon) {
			c.mon = oomtrace_month_from_name(w, (size_t)(p - w));
		}
	}
	if (!c.mon || !c.mday)
		return false;
	x->has_civil = true;
	x->civil = c;
	return true;
}

/* The time fields of @src into @dst. */
static void copy_time(struct oomtrace_prefix *dst, const struct oomtrace_prefix *src)
{
	dst->has_uptime = src->has_uptime;
	dst->uptime_ns = src->uptime_ns;
	dst->has_abs = src->has_abs;
	dst->abs_us = src->abs_us;
	dst->tz_off_s = src->tz_off_s;
	dst->subsec = src->subsec;
	dst->has_civil = src->has_civil;
	dst->civil = src->civil;
}

/* A time in the head @h (@n bytes, the line going on to @end): a known stamp anywhere in it. */
static void head_time(const char *h, size_t n, const char *end, struct oomtrace_prefix *x)
{
	struct oomtrace_prefix y;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((i && wordc(h[i - 1])) || !(wordc(h[i]) || h[i] == '['))
			continue;
		oomtrace_prefix_parse(h + i, (size_t)(end - h) - i, &y);
		if (y.has_uptime || y.has_abs || y.has_civil) {
			copy_time(x, &y);
			return;
		}
	}
	civil_in(h, n, x);
}

/*
 * A known format starting inside the head [@off, @ms) of @line whose message starts by @ms (the
 * anchored message, or for a header the phrase itself: its comm may hold blanks); its offset, 0
 * when none. The line is
 * then read as that format, as it would be without the head: its own message start, time, caller
 * id and whether it is the kernel's.
 */
static size_t known_inside(const char *line, size_t len, size_t off, size_t ms,
			   struct oomtrace_prefix *y)
{
	size_t i;

	for (i = off + 1; i < ms; i++) {
		if (blank(line[i]) || !(blank(line[i - 1]) || line[i - 1] == '|'))
			continue;
		oomtrace_prefix_parse(line + i, len - i, y);
		if ((y->kind != OOMTRACE_LINE_BARE || y->quote) && i + y->msg_off <= ms)
			return i;
	}
	return 0;
}

/* @x: the prefix of known format @y found @at bytes into @line */
static void take_known(struct oomtrace_prefix *x, const struct oomtrace_prefix *y, size_t at)
{
	unsigned int q = x->quote;

	*x = *y;
	x->msg_off += at;
	x->quote = q;
}

/* The time a head of no known format carries, else the one the line had before (@was). */
static void anchored(struct oomtrace_prefix *x, const struct oomtrace_prefix *was, const char *h,
		     size_t n, const char *end, size_t msg_off)
{
	x->kind = OOMTRACE_LINE_ANCHORED;
	x->kernel = true;
	x->msg_off = msg_off;
	x->has_uptime = x->has_abs = x->has_civil = false;
	head_time(h, n, end, x);
	if (!x->has_uptime && !x->has_abs && !x->has_civil)
		copy_time(x, was);
}

void oomtrace_anchor_prefix(struct oomtrace_anchor *a, const char *line, size_t len,
			    struct oomtrace_prefix *x)
{
	size_t off = x->msg_off, ms, h, k, hdr = 0;
	struct oomtrace_prefix y, was = *x;
	bool header;
	long f;

	if (off >= len)
		return;
	if (x->kind == OOMTRACE_LINE_DMESG_ISO) {
		/* a time with nothing to end it ("<ISO> msg", CRI's "<ISO> stdout F msg"): a known
		 * format may follow ("... stdout F [ 12.3] msg"); the outer time stays where the
		 * inner one has none */
		oomtrace_prefix_parse(line + off, len - off, &y);
		if (y.kind != OOMTRACE_LINE_BARE || y.quote) {
			take_known(x, &y, off);
			if (!x->has_abs && !x->has_civil) {
				x->has_abs = was.has_abs;
				x->abs_us = was.abs_us;
				x->tz_off_s = was.tz_off_s;
				x->subsec = was.subsec;
			}
			return;
		}
	}
	h = a->n ? match(a, line + off, len - off) : 0;
	f = find(line + off, len - off, &header, &hdr);
	if (f == 0)
		return; /* the message starts the line: nothing to strip */
	if (f > 0) {
		ms = off + (size_t)f;
		if ((k = known_inside(line, len, off, header ? off + hdr : ms, &y))) {
			learn(a, line + off, k - off);
			a->inner = true;
			take_known(x, &y, k);
			return;
		}
		if (header && h && h < (size_t)f)
			ms = off + h; /* a comm that holds a blank: the learned head says where it
					 starts */
		else if (header && comm_like(line + off, ms - off))
			return; /* "my hog invoked oom-killer:" in a log of bare messages: no head
				 */
		else
			learn(a, line + off, ms - off);
		a->inner = false;
		anchored(x, &was, line + off, ms - off, line + len, ms);
		return;
	}
	if (!h)
		return;
	/* a line of the same report: the learned head, then a known format or the message */
	oomtrace_prefix_parse(line + off + h, len - off - h, &y);
	if (y.kind != OOMTRACE_LINE_BARE || (a->inner && y.quote)) {
		take_known(x, &y, off + h);
		return;
	}
	if (a->inner) {
		/* the head stood before a known format: a line without one is a continuation */
		x->msg_off = off + h + y.msg_off;
		return;
	}
	anchored(x, &was, line + off, h, line + len, off + h);
}
