/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rewrap.h: a kernel line that may go on in the next one (re-wrapped by a mailer or cut by a
 * terminal). */
#ifndef OOMTRACE_REWRAP_H
#define OOMTRACE_REWRAP_H

#include <stdbool.h>
#include <stddef.h>

#include "lex.h"

/* Which line is held, waiting for its rest. */
enum oomtrace_pend {
	OOMTRACE_PEND_NONE = 0,
	OOMTRACE_PEND_SUMMARY, /* an oom-kill: summary without its final ",uid=N" */
	OOMTRACE_PEND_TASK_IN, /* "Task in /a killed as a result of limit of /b" */
	OOMTRACE_PEND_KILL,    /* the kill line: its key:value pairs may go on */
	OOMTRACE_PEND_HEADER,  /* "COMM invoked oom-killer: gfp_mask=..., order=0," */
};

struct oomtrace_rewrap {
	enum oomtrace_pend kind; /* NONE: nothing held */
	size_t len;
	bool prefixed; /* the held line had a prefix of its own (a terminal cut, not a mailer) */
	char msg[OOMTRACE_MSG_MAX];
	char join[OOMTRACE_MSG_MAX];
};

/* Whether @m (@n bytes) may go on in the next line, and as what. */
enum oomtrace_pend oomtrace_rewrap_needs_more(const char *m, size_t n);
/* Hold @m (@n < OOMTRACE_MSG_MAX bytes) as a line of @kind. */
void oomtrace_rewrap_hold(struct oomtrace_rewrap *w, enum oomtrace_pend kind, const char *m,
			  size_t n, bool prefixed);
/*
 * @m (a continuation: no prefix of its own) goes on the held line? Then the
 * two joined (in @w, until the next call), else NULL. The held line stays held.
 */
const char *oomtrace_rewrap_join(struct oomtrace_rewrap *w, const char *m, size_t n);

#endif
