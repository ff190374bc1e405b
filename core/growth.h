/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * growth.h: what a memcg's last minute (struct oomtrace_history) proves: its rate, whether it
 * grew steadily into its limit or leapt to it, and when it will reach it. Pure; the rules are
 * in docs/schema.md ("why").
 */
#ifndef OOMTRACE_GROWTH_H
#define OOMTRACE_GROWTH_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

/*
 * The usage rate fitted (least squares) to the samples of the last @window_ms before the newest,
 * in kB/s, and how well a line fits them (r², 0..1; 1 for a flat line); false with fewer than
 * 3 samples there.
 */
bool oomtrace_growth_rate(const struct oomtrace_history *hi, int32_t window_ms, double *kb_per_s,
			  double *r2);

/*
 * Steady growth into the limit: a window ending at the newest sample, >= 10 s long, where every
 * step grew and a line fits (r² >= 0.9), the newest sample at half the limit or more. Its start
 * (ms, <= 0) and rate; false where none.
 */
bool oomtrace_growth_steady(const struct oomtrace_history *hi, int32_t *from_ms, double *kb_per_s);

/*
 * A spike: the last sample under half the limit is at most 2 s before the record (t_ms >=
 * -2000). That sample; false where none.
 */
bool oomtrace_growth_spike(const struct oomtrace_history *hi, const struct oomtrace_sample **under);

/*
 * About to reach the limit: the last 5 s fit a rising line (r² >= 0.9) that reaches the limit
 * within 10 s of the newest sample. The time left (ms) and rate.
 */
bool oomtrace_growth_near_limit(const struct oomtrace_history *hi, int64_t *ttl_ms,
				double *kb_per_s);

#endif
