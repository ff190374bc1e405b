/* SPDX-License-Identifier: GPL-2.0-or-later */
/* journalctl.h: journalctl -o json and -o export as replay input: the kernel's messages and their
 * stamps. */
#ifndef OOMTRACE_JOURNALCTL_H
#define OOMTRACE_JOURNALCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "lex.h"
#include "prefix.h"

/* The state of one input: whether it is an export, and the entry being read. */
struct oomtrace_jctl {
	bool export; /* this input is "journalctl -o export" (told by its first line) */
	bool kernel; /* the entry is the kernel's (_TRANSPORT=kernel) */
	bool bin;    /* inside a binary MESSAGE field */
	size_t len;
	struct oomtrace_prefix pfx;
	char host[64];
	char exp[OOMTRACE_MSG_MAX];
};

/* A new input begins. */
void oomtrace_jctl_new_input(struct oomtrace_jctl *j);
/* The first line of an input: whether it starts an export (then the rest of it is read as one). */
bool oomtrace_jctl_detect(struct oomtrace_jctl *j, const char *line, size_t len);
/*
 * A "journalctl -o json" line (one object an entry): false when @line is not
 * one; else its stamp in @x (x->kernel: the kernel's entry) and its MESSAGE in
 * @msg (OOMTRACE_MSG_MAX bytes, NULs made spaces).
 */
bool oomtrace_jctl_json(struct oomtrace_jctl *j, const char *line, size_t len,
			struct oomtrace_prefix *x, char *msg);
/* One field line of an export: 1 at the end of a kernel entry (its stamp in @x, MESSAGE in @msg),
 * else 0. */
int oomtrace_jctl_export(struct oomtrace_jctl *j, const char *line, size_t len,
			 struct oomtrace_prefix *x, char *msg);

#endif
