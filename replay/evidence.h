/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evidence.h: a global OOM report's lines of where the memory was (zones against their
 * watermarks, huge pages, swap, unreclaimable slab) into the event's context. Pure, as decode.h:
 * each returns whether the message was such a line.
 */
#ifndef OOMTRACE_EVIDENCE_H
#define OOMTRACE_EVIDENCE_H

#include <stdbool.h>

#include "event.h"

/* "Node 0 Normal free:..kB boost:..kB min:..kB low:..kB high:..kB ...": one zone */
bool oomtrace_decode_zone(const char *m, struct oomtrace_context *ctx);
/* "Node 0 hugepages_total=.. hugepages_free=.. hugepages_surp=.. hugepages_size=..kB" */
bool oomtrace_decode_hugepages(const char *m, struct oomtrace_context *ctx);
/* "Free swap  = ..kB", "Total swap = ..kB" */
bool oomtrace_decode_swap(const char *m, struct oomtrace_context *ctx);
/* a line of the "Unreclaimable slab info:" block: its heading, or one cache "name  ..KB  ..KB" */
bool oomtrace_decode_slab_line(const char *m, struct oomtrace_context *ctx);

#endif
