// SPDX-License-Identifier: GPL-2.0-or-later
/* prefix_dmesg.c: the bracketed times util-linux's dmesg prints (dmesg.c, print_record): -T's
 * ctime in any locale, reltime, delta and -d's " <delta>"; pure, no I/O. */
#include "config.h"

#include <string.h>

#include "prefix_int.h"

/* " <    0.000123>" before the ']' of dmesg -d (util-linux dmesg.c: "[%5ld.%06ld <%12.06f>] ",
 * and "[%s <%12.06f>] " after a ctime); *@pp is left on the ']' */
bool oomtrace_pfx_delta_in_brackets(const char **pp, const char *end)
{
	const char *p = *pp;

	if (p + 1 >= end || *p != ' ' || p[1] != '<')
		return false;
	p += 2;
	while (p < end && (*p == ' ' || *p == '.' || isdig(*p)))
		p++;
	if (p + 1 >= end || *p != '>' || p[1] != ']')
		return false;
	*pp = p + 1;
	return true;
}

/* "[<anything> HH:MM:SS YYYY] msg": dmesg -T in any locale */
bool oomtrace_pfx_dmesg_t(const char *line, const char *end, struct oomtrace_prefix *o)
{
	const char *close, *rb, *p, *t, *tok[8];
	size_t toklen[8];
	int ntok = 0, i;
	long long y, d;
	struct oomtrace_civil c = {0};

	rb = memchr(line, ']', (size_t)(end - line) < 96 ? (size_t)(end - line) : 96);
	if (!rb || rb - line < 15)
		return false;
	close = rb;
	/* dmesg -T -d: "[%s <%12.06f>] " (util-linux dmesg.c): the ctime ends before " <" */
	if (rb[-1] == '>') {
		for (p = rb - 1; p > line && *p != '<' && rb - p < 24; p--)
			;
		t = p - 1;
		if (*p == '<' && p - line > 16 && oomtrace_pfx_delta_in_brackets(&t, end) &&
		    t == rb)
			close = p - 1;
	}
	/* year */
	p = close - 4;
	t = p;
	if (oomtrace_pfx_digits(&t, close, 4, &y) != 4 || p[-1] != ' ')
		return false;
	/* time */
	t = p - 9;
	if (t < line || !oomtrace_pfx_hms(&t, p - 1, &c) || (t[-9] != ' ' && t - 8 != line + 1))
		return false;
	c.year = (int)y;
	/* tokens between '[' and the time: weekday, month, day in locale order */
	p = line + 1;
	while (p < close - 13 && ntok < 8) {
		while (p < close - 13 && *p == ' ')
			p++;
		if (p >= close - 13)
			break;
		tok[ntok] = p;
		while (p < close - 13 && *p != ' ')
			p++;
		toklen[ntok] = (size_t)(p - tok[ntok]);
		ntok++;
	}
	if (ntok < 2)
		return false;
	/* the day is the last all-digit token; the month the token naming one */
	for (i = ntok - 1; i >= 0; i--) {
		const char *q = tok[i];

		if (oomtrace_pfx_digits(&q, tok[i] + toklen[i], 2, &d) == (int)toklen[i] &&
		    d >= 1 && d <= 31) {
			c.mday = (int)d;
			break;
		}
	}
	if (!c.mday)
		return false;
	for (i = 0; i < ntok && !c.mon; i++) {
		const char *q = tok[i];
		long long dd;

		if (oomtrace_pfx_digits(&q, tok[i] + toklen[i], 2, &dd) == (int)toklen[i])
			continue; /* the day itself */
		c.mon = oomtrace_month_from_name(tok[i], toklen[i]);
	}
	o->kind = OOMTRACE_LINE_DMESG_T;
	o->has_civil = true;
	o->civil = c;
	o->kernel = true;
	p = rb + 1;
	if (p < end && *p == ' ')
		p++;
	o->msg_off = (size_t)(p - line);
	return true;
}

/* The message after "] " at @close (the ']'); a caller id may follow. */
static void after_bracket(const char *line, const char *close, const char *end,
			  struct oomtrace_prefix *o)
{
	const char *p = close + 1;

	if (p < end && *p == ' ')
		p++;
	oomtrace_pfx_caller_id(&p, end, o);
	o->kernel = true;
	o->msg_off = (size_t)(p - line);
}

/*
 * dmesg --time-format delta "[<    0.000123>] msg" and the reltime lines after the first of a
 * minute, "[  +0.000123] msg" / "[ +12.000123] msg" (util-linux dmesg.c, print_record:
 * "[<%12.06f>] ", "[  %+8.06f] ", "[ %+9.06f] "): a time only relative to the line before.
 */
bool oomtrace_pfx_dmesg_delta(const char *line, const char *end, struct oomtrace_prefix *o)
{
	const char *p = line + 1, *d;
	bool lt;

	while (p < end && *p == ' ')
		p++;
	lt = p < end && *p == '<';
	if (p >= end || (*p != '<' && *p != '+' && *p != '-'))
		return false;
	p++;
	while (p < end && *p == ' ')
		p++;
	d = p;
	while (p < end && isdig(*p))
		p++;
	if (p == d || p >= end || *p++ != '.' || p >= end || !isdig(*p))
		return false;
	while (p < end && isdig(*p))
		p++;
	if (lt && (p >= end || *p++ != '>'))
		return false;
	if (p >= end || *p != ']')
		return false;
	o->kind = OOMTRACE_LINE_DMESG_DELTA;
	after_bracket(line, p, end, o);
	return true;
}

/* dmesg --time-format reltime, a minute's first line: "[Dec 2 18:53] msg" / "[Dec12 18:53] msg"
 * (util-linux dmesg.c, short_ctime: strftime "%b%e %H:%M", the month in the C locale or not) */
bool oomtrace_pfx_dmesg_reltime(const char *line, const char *end, struct oomtrace_prefix *o)
{
	const char *p = line + 1, *m = p;
	struct oomtrace_civil c = {0};
	long long d, h, mi;

	while (p < end && p - m < 12 && !isdig(*p) && *p != ' ' && *p != ']')
		p++;
	if (p == m || !(c.mon = oomtrace_month_from_name(m, (size_t)(p - m))))
		return false;
	while (p < end && *p == ' ')
		p++;
	if (oomtrace_pfx_digits(&p, end, 2, &d) < 1 || d < 1 || d > 31 || p >= end || *p++ != ' ' ||
	    oomtrace_pfx_digits(&p, end, 2, &h) != 2 || p >= end || *p++ != ':' ||
	    oomtrace_pfx_digits(&p, end, 2, &mi) != 2 || p >= end || *p != ']' || h > 23 || mi > 59)
		return false;
	c.mday = (int)d;
	c.hour = (int)h;
	c.min = (int)mi;
	o->kind = OOMTRACE_LINE_DMESG_T;
	o->has_civil = true;
	o->civil = c;
	after_bracket(line, p, end, o);
	return true;
}
