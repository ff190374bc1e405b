// SPDX-License-Identifier: GPL-2.0-or-later
/* prefix_time.c: the times log prefixes carry: digits, HH:MM:SS[.frac], month names in a few
 * locales, ISO 8601. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "prefix_int.h"
#include "util.h"

/* Parse up to @max digits at *p; returns digits read. */
int oomtrace_pfx_digits(const char **p, const char *end, int max, long long *v)
{
	int n = 0;

	*v = 0;
	/* max <= 18 digits always fits a long long */
	if (max > 18)
		max = 18;
	while (*p < end && n < max && isdig(**p)) {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n;
}

/* "HH:MM:SS" at p; */
bool oomtrace_pfx_hms(const char **p, const char *end, struct oomtrace_civil *c)
{
	long long h, m, s;
	const char *q = *p;

	if (oomtrace_pfx_digits(&q, end, 2, &h) < 1 || q >= end || *q++ != ':' ||
	    oomtrace_pfx_digits(&q, end, 2, &m) != 2 || q >= end || *q++ != ':' ||
	    oomtrace_pfx_digits(&q, end, 2, &s) != 2)
		return false;
	if (h > 23 || m > 59 || s > 60)
		return false;
	c->hour = (int)h;
	c->min = (int)m;
	c->sec = (int)s;
	*p = q;
	return true;
}

/* ".123456" or ISO 8601's ",123456" (dmesg --time-format iso) fraction (any number of digits;
 * microseconds kept) */
void oomtrace_pfx_frac(const char **p, const char *end, int *usec, bool *subsec)
{
	const char *q = *p;
	int n = 0, u = 0;

	if (q >= end || (*q != '.' && *q != ','))
		return;
	q++;
	while (q < end && isdig(*q)) {
		if (n < 6) {
			u = u * 10 + (*q - '0');
			n++;
		}
		q++;
	}
	if (q == *p + 1)
		return;
	while (n++ < 6)
		u *= 10;
	*usec = u;
	*subsec = true;
	*p = q;
}

static const char *const months[][12] = {
    {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"},
    /* de */
    {"jan", "feb", "mär", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "dez"},
    /* fr */
    {"janv", "févr", "mars", "avr", "mai", "juin", "juil", "août", "sept", "oct", "nov", "déc"},
    /* es */
    {"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"},
    /* it */
    {"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"},
    /* pt */
    {"jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"},
    /* ru */
    {"янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"},
};

int oomtrace_month_from_name(const char *s, size_t len)
{
	size_t i, j, ml;

	/* numeric month followed by a unit: "5月" (zh/ja), "5월" (ko), "5." */
	if (len && isdig(s[0])) {
		int m = s[0] - '0';

		if (len > 1 && isdig(s[1]))
			m = m * 10 + (s[1] - '0');
		return m >= 1 && m <= 12 ? m : 0;
	}
	while (len && s[len - 1] == '.')
		len--;
	for (i = 0; i < sizeof(months) / sizeof(months[0]); i++) {
		for (j = 0; j < 12; j++) {
			ml = strlen(months[i][j]);
			if (len >= ml && strncasecmp(s, months[i][j], ml) == 0)
				return (int)j + 1;
		}
	}
	return 0;
}

/* ISO 8601 with zone at p: sets abs time */
bool oomtrace_pfx_iso(const char **pp, const char *end, struct oomtrace_prefix *o)
{
	const char *p = *pp;
	long long y, mo, d, oh = 0, om = 0;
	struct oomtrace_civil c = {0};
	int sign = 1;

	if (oomtrace_pfx_digits(&p, end, 4, &y) != 4 || p >= end || *p++ != '-' ||
	    oomtrace_pfx_digits(&p, end, 2, &mo) != 2 || p >= end || *p++ != '-' ||
	    oomtrace_pfx_digits(&p, end, 2, &d) != 2 || p >= end || (*p != 'T' && *p != ' '))
		return false;
	p++;
	if (!oomtrace_pfx_hms(&p, end, &c) || mo < 1 || mo > 12 || d < 1 || d > 31)
		return false;
	oomtrace_pfx_frac(&p, end, &c.usec, &c.subsec);
	if (p < end && *p == 'Z') {
		p++;
	} else if (p < end && (*p == '+' || *p == '-')) {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (oomtrace_pfx_digits(&p, end, 2, &oh) != 2)
			return false;
		if (p < end && *p == ':')
			p++;
		if (oomtrace_pfx_digits(&p, end, 2, &om) != 2)
			return false;
	} else {
		return false;
	}
	o->tz_off_s = (int32_t)(sign * (oh * 3600 + om * 60));
	o->abs_us = ((oomtrace_days_from_civil(y, (unsigned int)mo, (unsigned int)d) * 86400 +
		      c.hour * 3600 + c.min * 60 + c.sec) -
		     o->tz_off_s) *
			1000000LL +
		    c.usec;
	o->has_abs = true;
	o->subsec = c.subsec;
	*pp = p;
	return true;
}
