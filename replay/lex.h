/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lex.h: the small text scanners the replay parser's pieces share (NUL-terminated strings). */
#ifndef OOMTRACE_LEX_H
#define OOMTRACE_LEX_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "util.h"

#define OOMTRACE_MSG_MAX 8192 /* one message of the log, as the parser keeps it */

/* @s starts with the string literal @lit (the first byte compared inline: most lines differ there)
 */
#define starts(s, lit) ((s)[0] == (lit)[0] && strncmp((s), (lit), sizeof(lit) - 1) == 0)

static inline const char *skip_sp(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Parse a decimal (optionally signed) integer; returns the end or NULL. */
static inline const char *num(const char *s, int64_t *v)
{
	int neg = 0;
	uint64_t x = 0;
	const char *b;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	b = s;
	while (*s >= '0' && *s <= '9') {
		if (x > (UINT64_MAX - 9) / 10)
			return NULL;
		x = x * 10 + (uint64_t)(*s - '0');
		s++;
	}
	if (s == b || x > (uint64_t)INT64_MAX)
		return NULL;
	*v = neg ? -(int64_t)x : (int64_t)x;
	return s;
}

static inline const char *hexnum(const char *s, uint64_t *v)
{
	char *e;

	if (!(s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		return NULL;
	errno = 0;
	*v = strtoull(s, &e, 16);
	if (errno || e == s + 2)
		return NULL;
	return e;
}

/* Last occurrence of @needle in [s, s+n). */
static inline const char *rfind(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	const char *p;

	if (n < k)
		return NULL;
	for (p = s + n - k;; p--) {
		if (memcmp(p, needle, k) == 0)
			return p;
		if (p == s)
			return NULL;
	}
}

static inline int hexval(char c)
{
	return oomtrace_hexval(c);
}

static inline void copy(char *dst, size_t dstsz, const char *s, size_t n)
{
	oomtrace_strlcpy_n(dst, dstsz, s, n);
}

#endif
