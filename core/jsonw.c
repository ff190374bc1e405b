// SPDX-License-Identifier: GPL-2.0-or-later
/* jsonw.c: a streaming JSON writer into a buffer (jsonw.h). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "jsonw.h"

void oomtrace_jw_init(struct oomtrace_jw *w, struct oomtrace_buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
}

static void put(struct oomtrace_jw *w, const char *s, size_t n)
{
	struct oomtrace_buf *b = w->b;

	/* most pieces are a few bytes: copied in place while there is room (and for the NUL) */
	if (!w->err && b->p && b->cap - b->len > n) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
		b->p[b->len] = '\0';
	} else if (!w->err && oomtrace_buf_append(b, s, n)) {
		w->err = -ENOMEM;
	}
}

/* @s (@n bytes) between quotes, escaped as json-c's json_escape_str does ('/' left as it is). */
static void quoted(struct oomtrace_jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	put(w, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = {'\\', 0, 0, 0, 0, 0};
		size_t k = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		switch (c) {
		case '\b':
			esc[1] = 'b';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			k = 6;
		}
		put(w, s + run, i - run);
		put(w, esc, k);
		run = i + 1;
	}
	put(w, s + run, n - run);
	put(w, "\"", 1);
}

/* The length of @s where it is printable ASCII with nothing to escape (up to @max), else 0. */
static size_t plain(const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\'; i++)
		;
	return s[i] ? 0 : i;
}

/* Before a value: the comma after the one before, and the held key (one piece where it is
 * plain, as every key of ours is). */
static void before(struct oomtrace_jw *w)
{
	bool comma = w->more[w->depth];
	char piece[96];
	size_t n;

	w->more[w->depth] = true;
	if (w->key && (n = plain(w->key, sizeof(piece) - 4))) {
		piece[0] = ',';
		piece[1] = '"';
		memcpy(piece + 2, w->key, n);
		piece[n + 2] = '"';
		piece[n + 3] = ':';
		put(w, piece + !comma, n + 4 - !comma);
		w->key = NULL;
		return;
	}
	if (comma)
		put(w, ",", 1);
	if (w->key) {
		quoted(w, w->key, strlen(w->key));
		put(w, ":", 1);
		w->key = NULL;
	}
}

void oomtrace_jw_key(struct oomtrace_jw *w, const char *key)
{
	w->key = key;
}

void oomtrace_jw_drop(struct oomtrace_jw *w)
{
	w->key = NULL;
}

void oomtrace_jw_open(struct oomtrace_jw *w, char c)
{
	before(w);
	if (w->depth + 1 >= OOMTRACE_JW_DEPTH) {
		if (!w->err)
			w->err = -E2BIG;
		return;
	}
	put(w, &c, 1);
	w->more[++w->depth] = false;
}

void oomtrace_jw_close(struct oomtrace_jw *w, char c)
{
	if (!w->depth)
		return;
	put(w, &c, 1);
	w->depth--;
}

void oomtrace_jw_null(struct oomtrace_jw *w)
{
	before(w);
	put(w, "null", 4);
}

void oomtrace_jw_bool(struct oomtrace_jw *w, bool v)
{
	before(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

/* Decimal digits of @v, written backwards from the end of @end; the first one. */
static char *digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void oomtrace_jw_u64(struct oomtrace_jw *w, uint64_t v)
{
	char s[24], *p = digits(s + sizeof(s), v);

	before(w);
	put(w, p, (size_t)(s + sizeof(s) - p));
}

void oomtrace_jw_i64(struct oomtrace_jw *w, int64_t v)
{
	char s[24], *p = digits(s + sizeof(s), v < 0 ? 0 - (uint64_t)v : (uint64_t)v);

	if (v < 0)
		*--p = '-';
	before(w);
	put(w, p, (size_t)(s + sizeof(s) - p));
}

void oomtrace_jw_number(struct oomtrace_jw *w, const char *text)
{
	before(w);
	put(w, text, strlen(text));
}

void oomtrace_jw_str(struct oomtrace_jw *w, const char *s)
{
	char tmp[2048];
	size_t n, i;

	/* most strings are printable ASCII with nothing to escape: as they are */
	if ((i = plain(s, 683)) || !*s) {
		before(w);
		put(w, "\"", 1);
		put(w, s, i);
		put(w, "\"", 1);
		return;
	}
	n = strlen(s);

	/* as oomtrace_json_string: room for every byte to become a three-byte U+FFFD */
	if (n * 3 + 1 > sizeof(tmp))
		n = (sizeof(tmp) - 1) / 3;
	n = oomtrace_utf8_repair(tmp, sizeof(tmp), s, n);
	before(w);
	quoted(w, tmp, n);
}

int oomtrace_jw_error(const struct oomtrace_jw *w)
{
	return w->err;
}
