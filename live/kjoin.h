/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kjoin.h: the kernel's own report of a kill (/dev/kmsg, through the replay parser) joined to live
 * events. */
#ifndef OOMTRACE_KJOIN_H
#define OOMTRACE_KJOIN_H

#include <stdbool.h>

#include "event.h"

/* How long a live event may wait for its report to reach /dev/kmsg (documented in oomtrace(1)). */
#define OOMTRACE_KJOIN_WAIT_MS 100

struct oomtrace_kjoin;

/* Read /dev/kmsg from now on (older records are skipped). NULL + errno when it cannot be read. */
struct oomtrace_kjoin *oomtrace_kjoin_open(void);
void oomtrace_kjoin_close(struct oomtrace_kjoin *kj);

/*
 * Merge into @ev the report of the kill of the same victim pid, within 10 s
 * of its kernel time, waiting up to @wait_ms for it to arrive. True when one
 * was found; a report joins one event only.
 */
bool oomtrace_kjoin_merge(struct oomtrace_kjoin *kj, struct oomtrace_event *ev, int wait_ms);

/*
 * The merge itself (pure): every fact @rep knows and @ev does not, by group;
 * facts read in the kernel by the probe win. Sets ev->from_kmsg.
 */
void oomtrace_kjoin_apply(const struct oomtrace_event *rep, struct oomtrace_event *ev);

/* A live backend's join hook for oomtrace_live (ctx is the kjoin). */
int oomtrace_kjoin_hook(void *ctx, struct oomtrace_event *ev);

struct oomtrace_live;
struct oomtrace_backend_opts;
/* Join @lv's events to /dev/kmsg unless --no-kmsg; a kmsg that cannot be read is said at warning
 * level. */
void oomtrace_kjoin_attach(struct oomtrace_live *lv, const struct oomtrace_backend_opts *o);
/* Stop joining and free what attach took (safe when it took nothing). */
void oomtrace_kjoin_detach(struct oomtrace_live *lv);

#endif
