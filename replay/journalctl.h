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
	bool export;  /* this input is "journalctl -o export" (told by its first line) */
	bool verbose; /* inside "journalctl -o verbose" entries (told by their header lines) */
	bool in_msg;  /* verbose: the MESSAGE field is being read (continuation lines may follow) */
	bool kernel;  /* the entry is the kernel's (_TRANSPORT=kernel) */
	bool bin;     /* inside a binary MESSAGE field */
	size_t len;
	struct oomtrace_prefix pfx;
	char host[64];
	char ident[64]; /* json: the entry's SYSLOG_IDENTIFIER */
	char xhost[64]; /* verbose: the host of the entry handed out (its reader starts the next) */
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

/*
 * "journalctl -o verbose" (systemd src/shared/logs-show.c, output_verbose): a header
 * "Sun 2025-03-02 10:11:12.123456 CET [s=...;i=...]", then "    FIELD=value" lines, a value's
 * further lines indented under it. An entry ends at the next header, or at a line of neither
 * shape (the verbose text ended). Returns OOMTRACE_JV_* bits: DONE when a kernel entry ended
 * (its stamp in @x, its MESSAGE in @msg, newlines kept), NOT when @line is no part of it (the
 * caller reads it as a line of its own). Call only where oomtrace_jctl_verbose_on() says so.
 */
enum { OOMTRACE_JV_DONE = 1, OOMTRACE_JV_NOT = 2 };
int oomtrace_jctl_verbose(struct oomtrace_jctl *j, const char *line, size_t len,
			  struct oomtrace_prefix *x, char *msg);
/* Whether @line goes to oomtrace_jctl_verbose: inside entries, or a verbose header. */
bool oomtrace_jctl_verbose_on(const struct oomtrace_jctl *j, const char *line, size_t len);
/* An entry read to its last line, ended by the end of the input or a pause: as DONE above. */
bool oomtrace_jctl_verbose_end(struct oomtrace_jctl *j, struct oomtrace_prefix *x, char *msg);

#endif
