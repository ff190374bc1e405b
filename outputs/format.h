/* SPDX-License-Identifier: GPL-2.0-or-later */
/* format.h: the formatter vtable (text, bcc, json) and the output sink events are written to. */
#ifndef OOMTRACE_FORMAT_H
#define OOMTRACE_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "util.h"

enum {
	OOMTRACE_FMT_VERBOSE = 1u << 0, /* text: detail lines under the classic line */
};

struct oomtrace_format_ops {
	const char *name;
	/* Append the rendering of @ev (whole lines, newline-terminated) to @b. */
	int (*event)(struct oomtrace_buf *b, const struct oomtrace_event *ev, unsigned int flags);
	/* Append a report of @n events lost in transport. */
	int (*lost)(struct oomtrace_buf *b, uint64_t n);
};

/* The formatter called @name, or NULL. */
const struct oomtrace_format_ops *oomtrace_format_find(const char *name);
/* "text, bcc, json" */
const char *oomtrace_format_list(void);

/*
 * Where events go. Each event is rendered into one buffer and written with a
 * single write(2), so lines appended to an O_APPEND file never interleave.
 */
struct oomtrace_output;

/* Takes ownership of @fd (closed by _free unless it is 0..2). NULL + errno on failure. */
struct oomtrace_output *oomtrace_output_new(int fd, const struct oomtrace_format_ops *ops,
					    unsigned int flags);
/* Open @path for appending (created 0644) or stdout when @path is NULL or "-". */
struct oomtrace_output *oomtrace_output_open(const char *path,
					     const struct oomtrace_format_ops *ops,
					     unsigned int flags);
/* Assigns ev->seq; 0 or -errno (write error). */
int oomtrace_output_event(struct oomtrace_output *out, struct oomtrace_event *ev);
int oomtrace_output_lost(struct oomtrace_output *out, uint64_t n);
uint64_t oomtrace_output_count(const struct oomtrace_output *out);
void oomtrace_output_free(struct oomtrace_output *out);

#endif
