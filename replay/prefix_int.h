/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prefix_int.h: what the prefix reader's two files share (prefix.c, prefix_time.c). */
#ifndef OOMTRACE_PREFIX_INT_H
#define OOMTRACE_PREFIX_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "prefix.h"

static inline bool isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* Up to @max digits at *@p (advanced past them) into *@v; returns how many were read. */
int oomtrace_pfx_digits(const char **p, const char *end, int max, long long *v);
/* A program's syslog tag @t (@n bytes: "earlyoom[812]") as @o's ident and ident_pid. */
void oomtrace_pfx_ident(struct oomtrace_prefix *o, const char *t, size_t n);
/* "HH:MM:SS" at *@p into @c. */
bool oomtrace_pfx_hms(const char **p, const char *end, struct oomtrace_civil *c);
/* ".123456" or ",123456" (any number of digits; microseconds kept), where there is one. */
void oomtrace_pfx_frac(const char **p, const char *end, int *usec, bool *subsec);
/* ISO 8601 with a zone at *@pp: the absolute time into @o. */
bool oomtrace_pfx_iso(const char **pp, const char *end, struct oomtrace_prefix *o);

/* "[ T1234]" / "[T1234]" / "[  C3]": a printk caller id (CONFIG_PRINTK_CALLER) at *@pp. */
bool oomtrace_pfx_caller_id(const char **pp, const char *end, struct oomtrace_prefix *o);
/* prefix_dmesg.c: dmesg -d's " <    0.000123>" before a ']' (*@pp left on the ']'); dmesg -T
 * "[<ctime>] msg", reltime's "[Dec 2 18:53] msg", delta's "[<  0.1>] msg" / "[  +0.1] msg". */
bool oomtrace_pfx_delta_in_brackets(const char **pp, const char *end);
bool oomtrace_pfx_dmesg_t(const char *line, const char *end, struct oomtrace_prefix *o);
bool oomtrace_pfx_dmesg_delta(const char *line, const char *end, struct oomtrace_prefix *o);
bool oomtrace_pfx_dmesg_reltime(const char *line, const char *end, struct oomtrace_prefix *o);

#endif
