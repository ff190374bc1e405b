// SPDX-License-Identifier: GPL-2.0-or-later
/* check.c: rows of the oomtrace --check table. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "event.h"

void oomtrace_check_add(struct oomtrace_check *c, const char *name, const char *state,
			const char *fmt, ...)
{
	struct oomtrace_check_row *r;
	va_list ap;

	if (c->n >= sizeof(c->rows) / sizeof(c->rows[0]))
		return;
	r = &c->rows[c->n++];
	oomtrace_strlcpy_n(r->name, sizeof(r->name), name, strlen(name));
	oomtrace_strlcpy_n(r->state, sizeof(r->state), state, strlen(state));
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}
