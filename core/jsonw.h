/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonw.h: a streaming JSON writer into a buffer (bpftool's json_writer, in our buffer). */
#ifndef OOMTRACE_JSONW_H
#define OOMTRACE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define OOMTRACE_JW_DEPTH 32

/*
 * Writes one JSON text into @b, appending: no blanks, strings repaired to
 * UTF-8 and escaped as json-c writes them with JSON_C_TO_STRING_PLAIN |
 * JSON_C_TO_STRING_NOSLASHESCAPE, so that the text equals what json-c would
 * write for the same values. A member's key is held until its value comes
 * (oomtrace_jw_key): a value left out is a key dropped (oomtrace_jw_drop).
 * The writer owns nothing; the caller owns @b.
 */
struct oomtrace_jw {
	struct oomtrace_buf *b;
	const char *key; /* the member's key, not written yet */
	unsigned int depth;
	bool more[OOMTRACE_JW_DEPTH]; /* a value stands before, at this depth */
	int err;		      /* the first error: -ENOMEM, -E2BIG (too deep) */
};

void oomtrace_jw_init(struct oomtrace_jw *w, struct oomtrace_buf *b);
/* The next value is member @key (a string that lives until that value is written). */
void oomtrace_jw_key(struct oomtrace_jw *w, const char *key);
/* The held key is not written after all. */
void oomtrace_jw_drop(struct oomtrace_jw *w);
/* '{' or '[' opens, '}' or ']' closes. */
void oomtrace_jw_open(struct oomtrace_jw *w, char c);
void oomtrace_jw_close(struct oomtrace_jw *w, char c);
void oomtrace_jw_null(struct oomtrace_jw *w);
void oomtrace_jw_bool(struct oomtrace_jw *w, bool v);
void oomtrace_jw_i64(struct oomtrace_jw *w, int64_t v);
void oomtrace_jw_u64(struct oomtrace_jw *w, uint64_t v);
/* A number written as given (the caller formats it: "%.2f", "123.000456"). */
void oomtrace_jw_number(struct oomtrace_jw *w, const char *text);
/* A string, cut as oomtrace_json_string cuts it (682 bytes), repaired to UTF-8, escaped. */
void oomtrace_jw_str(struct oomtrace_jw *w, const char *s);
/* 0, or the first error. */
int oomtrace_jw_error(const struct oomtrace_jw *w);

#endif
