/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stamp.h: the time and host of a log line, from its prefix, as events carry them. */
#ifndef OOMTRACE_STAMP_H
#define OOMTRACE_STAMP_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "parser.h"
#include "prefix.h"

struct oomtrace_stamp {
	bool has_uptime;
	uint64_t uptime_ns;
	bool has_time;
	int64_t time_us;
	int32_t tz_off_s;
	bool subsec;
	bool has_host;
	char host[64];
};

/* Turns zone-less local times into epoch ones (one mktime per hour of log, cached). */
struct oomtrace_clock {
	const struct oomtrace_parser_opts *opts;
	int64_t cache_key;
	int64_t cache_epoch;
	int32_t cache_off;
};

void oomtrace_clock_init(struct oomtrace_clock *c, const struct oomtrace_parser_opts *opts);
/* The stamp of a line with prefix @x into @t; a continuation line (no prefix) leaves @t as it was.
 */
void oomtrace_clock_stamp(struct oomtrace_clock *c, const struct oomtrace_prefix *x,
			  struct oomtrace_stamp *t);
/* Stamp @ev with @t (what @t does not know stays as it was in @ev). */
void oomtrace_stamp_event(const struct oomtrace_stamp *t, struct oomtrace_event *ev);

#endif
