/* SPDX-License-Identifier: GPL-2.0-or-later */
/* format.h: the renderers of the event stream (text, bcc, JSON Lines): an event in, whole lines
 * out. */
#ifndef OOMTRACE_FORMAT_H
#define OOMTRACE_FORMAT_H

#include <stdint.h>

#include "output.h"
#include "util.h"

enum {
	OOMTRACE_FMT_VERBOSE = 1u << 0, /* text: detail lines under the classic line */
};

struct oomtrace_format_ops {
	const char *name;
	/* Append the rendering of the event (whole lines, newline-terminated; maybe none) to @b. */
	int (*event)(struct oomtrace_buf *b, struct oomtrace_out_event *oe, unsigned int flags);
	/* Append a report of @n events lost in transport. */
	int (*lost)(struct oomtrace_buf *b, uint64_t n);
};

extern const struct oomtrace_format_ops oomtrace_format_text; /* outputs/text.c */
extern const struct oomtrace_format_ops oomtrace_format_bcc;  /* outputs/text.c */
extern const struct oomtrace_format_ops oomtrace_format_json; /* outputs/json.c */
extern const struct oomtrace_format_ops oomtrace_format_otlp; /* outputs/otlp.c */

/* The renderer called @name, or NULL. */
const struct oomtrace_format_ops *oomtrace_format_find(const char *name);
/* "text, bcc, json, otlp-json" */
const char *oomtrace_format_list(void);

#endif
