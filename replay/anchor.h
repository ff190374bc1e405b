/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * anchor.h: lines whose prefix is of no known format, found by the kernel's own words in them.
 *
 * The OOM report's phrases ("invoked oom-killer:", "Killed process", "oom-kill:", "Mem-Info:",
 * the task table's header ...) are the anchors. Where a line of no known prefix holds one, the
 * bytes before its message are that report's prefix; their shape (runs of letters and digits,
 * runs of blanks, punctuation as it stands) is learned and stripped from the report's other lines,
 * whatever it is. A known format that follows a head of no known format ("  | [ 12.3] msg",
 * "# May 11 15:41:12 host kernel: msg") is read as that format, the head learned the same way.
 * Pure: no I/O, no globals; the learned shape is the caller's.
 */
#ifndef OOMTRACE_ANCHOR_H
#define OOMTRACE_ANCHOR_H

#include <stdbool.h>
#include <stddef.h>

#include "prefix.h"

#define OOMTRACE_SHAPE_MAX 48 /* elements of a learned prefix shape */

struct oomtrace_shape_el {
	char cls; /* 'w': a run of letters and digits, ' ': a run of blanks, 'p': punctuation */
	char lit; /* the punctuation byte */
	unsigned char cnt; /* blanks: how many there were */
};

struct oomtrace_anchor {
	unsigned int n; /* 0: nothing learned */
	bool inner;	/* a known format followed the head */
	struct oomtrace_shape_el el[OOMTRACE_SHAPE_MAX];
};

/*
 * Where, after its first bytes, a second kernel record starts in the message @m (@n bytes):
 * two records run together on one line. The offset of that record's line (its prefix where it
 * has a known one), or 0 when there is none.
 */
size_t oomtrace_anchor_split(const char *m, size_t n);
/*
 * @x is the parse of @line (@len bytes) that found no known prefix (from x->msg_off, after mail
 * quoting). Where the line holds an anchor after a head, or starts with the shape @a learned
 * before, @x becomes that line's prefix (kind ANCHORED, or the known format after the head), a
 * time read out of the head where it has one; else @x stays as it is.
 */
void oomtrace_anchor_prefix(struct oomtrace_anchor *a, const char *line, size_t len,
			    struct oomtrace_prefix *x);

#endif
