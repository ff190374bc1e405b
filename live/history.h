/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * history.h: every limited memory cgroup's last minute, one usage sample a second from a file
 * kept open (a pread each), the hierarchy walked again every 10 s for new and removed ones; the
 * OOMing memcg's samples go into its kill (context.history), and a memcg on course for its limit
 * gives a pressure record first.
 */
#ifndef OOMTRACE_HISTORY_H
#define OOMTRACE_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

struct oomtrace_memcgs;

/* The memcgs under the memory hierarchy of @root ("" for the real one); NULL where none. */
struct oomtrace_memcgs *oomtrace_memcgs_open(const char *root);
void oomtrace_memcgs_close(struct oomtrace_memcgs *h);
/* How many memcgs with a limit are followed. */
unsigned int oomtrace_memcgs_count(const struct oomtrace_memcgs *h);

/* A memcg about to reach its limit: its path, history, and the forecast that says so
 * (oomtrace_growth_near_limit: the time left at that rate). */
typedef void (*oomtrace_pressure_fn)(void *ctx, const char *path, const struct oomtrace_history *hi,
				     int64_t ttl_ms, double kb_per_s);

/*
 * At @now_ms (CLOCK_MONOTONIC): a sample of each memcg when a second has passed since the last,
 * the walk when 10 s have; then @fn for each memcg about to reach its limit that had no pressure
 * record in the last minute. Returns how many.
 */
unsigned int oomtrace_memcgs_tick(struct oomtrace_memcgs *h, uint64_t now_ms,
				  oomtrace_pressure_fn fn, void *ctx);

/*
 * The history of memcg @path (relative to the hierarchy's mount) up to @now_ms into
 * @out (t_ms relative to @now_ms); false where it is not followed or has no sample.
 */
bool oomtrace_memcgs_history(const struct oomtrace_memcgs *h, const char *path, uint64_t now_ms,
			     struct oomtrace_history *out);

#endif
