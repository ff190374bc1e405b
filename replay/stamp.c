// SPDX-License-Identifier: GPL-2.0-or-later
/* stamp.c: a line's time (uptime, wall time with its zone, or a zone-less local time) and host. */
#include "config.h"

#include <string.h>

#include "lex.h"
#include "stamp.h"
#include "util.h"

void oomtrace_clock_init(struct oomtrace_clock *c, const struct oomtrace_parser_opts *opts)
{
	memset(c, 0, sizeof(*c));
	c->opts = opts;
	c->cache_key = -1;
}

static bool civil_to_abs(struct oomtrace_clock *p, const struct oomtrace_civil *c, int64_t *us,
			 int32_t *off)
{
	int year = c->year;
	int64_t key, epoch;

	if (!c->mon)
		return false;
	if (!year) {
		year = p->opts->year;
		if (!year) {
			int64_t d = (p->opts->now_us ? p->opts->now_us : 0) / 86400000000LL;
			int64_t y = 1970 + d / 366;

			/* the year of now_us: walk up from a safe lower bound */
			while (oomtrace_days_from_civil(y + 1, 1, 1) <= d)
				y++;
			year = (int)y;
			if (p->opts->now_us && (oomtrace_days_from_civil(year, (unsigned int)c->mon,
									 (unsigned int)c->mday) -
						1) * 86400000000LL >
						   p->opts->now_us)
				year--; /* a December line read in January */
		}
	}
	key = ((int64_t)year * 16 + c->mon) * 32 * 24 + c->mday * 24 + c->hour;
	if (key != p->cache_key) {
		int32_t o = 0;

		if (p->opts->local_time) {
			if (p->opts->local_time(year, c->mon, c->mday, c->hour, 0, 0, &epoch, &o))
				return false;
		} else {
			epoch = oomtrace_days_from_civil(year, (unsigned int)c->mon,
							 (unsigned int)c->mday) *
				    86400 +
				c->hour * 3600;
		}
		p->cache_key = key;
		p->cache_epoch = epoch;
		p->cache_off = o;
	}
	*us = (p->cache_epoch + c->min * 60 + c->sec) * 1000000LL + c->usec;
	*off = p->cache_off;
	return true;
}

void oomtrace_clock_stamp(struct oomtrace_clock *p, const struct oomtrace_prefix *x,
			  struct oomtrace_stamp *t)
{

	if (x->kind == OOMTRACE_LINE_BARE)
		return; /* a continuation keeps the time of the line before */
	if ((x->kind == OOMTRACE_LINE_DMESG_DELTA || x->kind == OOMTRACE_LINE_ANCHORED) &&
	    !x->has_uptime && !x->has_abs && !x->has_civil)
		return; /* a time relative to the line before, or none in a prefix of no known
			   format */
	/* every field but the host's bytes, set or cleared (this runs for every line) */
	t->has_uptime = t->has_time = t->subsec = t->has_host = false;
	t->uptime_ns = 0;
	t->time_us = 0;
	t->tz_off_s = 0;
	t->host[0] = '\0';
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
	} else if (x->has_uptime && p->opts->boot_us) {
		t->has_time = true;
		t->time_us = p->opts->boot_us + (int64_t)(x->uptime_ns / 1000);
		t->tz_off_s = p->opts->boot_tz_off_s;
		t->subsec = true;
	}
	if (x->host_len) {
		t->has_host = true;
		copy(t->host, sizeof(t->host), x->host, x->host_len);
	} else if (p->opts->host) {
		t->has_host = true;
		copy(t->host, sizeof(t->host), p->opts->host, strlen(p->opts->host));
	}
}

void oomtrace_stamp_event(const struct oomtrace_stamp *t, struct oomtrace_event *ev)
{

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
