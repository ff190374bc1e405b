// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unwrap.c: a transport's line breaks undone before a line is parsed (unwrap.h).
 *
 * Quoted-printable, RFC 2045 section 6.7: a byte may be written "=XX" (two
 * uppercase hex digits, rule 1; '=' itself is always "=3D"), and a line may end
 * in a "soft" break, a lone '=' (rule 5), to be joined with the next. A line is
 * read as quoted-printable when each of its '=' is such an escape or its last
 * byte, and one escape at least is one only an encoder writes (qp_escape_sure):
 * the kernel's own report lines are not ("gfp_mask=0x", "constraint=CO", and
 * "Node 0 hugepages_total=1024 hugepages_free=1024 hugepages_surp=10
 * hugepages_size=2048kB" has digits only). A lone trailing '=' with no escape
 * seen is a soft break only where the next line has no prefix of its own.
 *
 * A hand-wrapped line ends in one backslash; the next, its own mail quoting taken
 * off (and its indentation, where the break was at a blank), goes on with it,
 * unless it starts a record of its own.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "unwrap.h"

static int uhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * "=XX" at @q (before @e) that only an encoder writes: a hex letter in it (=3D for '=', a UTF-8
 * lead byte, ESC), or a blank escaped where it ends the line (=20, =09: rule 3). Two decimal
 * digits elsewhere are as likely the text's own: "hugepages_total=512", "pid=48211".
 */
static bool qp_escape_sure(const char *q, const char *e)
{
	bool end = q + 3 == e || (q + 4 == e && q[3] == '=');

	return q[1] > '9' || q[2] > '9' ||
	       (end && ((q[1] == '2' && q[2] == '0') || (q[1] == '0' && q[2] == '9')));
}

/*
 * Each '=' of @s an escape or the last byte, and at least one escape sure (or none but the
 * soft break); *@escapes: at least one "=XX".
 */
static bool qp_shape(const char *s, size_t n, bool *escapes)
{
	const char *e = s + n, *q = memchr(s, '=', n);
	bool sure = false;

	*escapes = false;
	for (; q; q = q < e ? memchr(q, '=', (size_t)(e - q)) : NULL) {
		if (q == e - 1)
			return sure || !*escapes;
		if (e - q < 3 || uhex(q[1]) < 0 || uhex(q[2]) < 0)
			return false;
		*escapes = true;
		sure = sure || qp_escape_sure(q, e);
		q += 3;
	}
	return sure;
}

/* "=XX" decoded (a '=' not so followed kept), a last '=' dropped (*@soft); in place is safe. */
static size_t qp_decode(char *dst, const char *s, size_t n, bool *soft)
{
	size_t i, o = 0;

	*soft = n && s[n - 1] == '=';
	if (*soft)
		n--;
	for (i = 0; i < n; i++) {
		if (s[i] == '=' && i + 2 < n && uhex(s[i + 1]) >= 0 && uhex(s[i + 2]) >= 0) {
			dst[o++] = (char)(uhex(s[i + 1]) * 16 + uhex(s[i + 2]));
			i += 2;
		} else {
			dst[o++] = s[i];
		}
	}
	return o;
}

/* Mail quoting at @s: its depth ("> ", ">> ", "> > "), and where the text starts (*@off). */
static unsigned int quote_depth(const char *s, size_t n, size_t *off)
{
	unsigned int d = 0;
	size_t i = 0;

	while (i < n && s[i] == '>') {
		d++;
		i++;
		if (i < n && s[i] == ' ')
			i++;
	}
	*off = d ? i : 0;
	return d;
}

/*
 * A backslash continuation: the held line's quoting off; then, where the line was broken at a
 * blank ("text \\"), the indentation that only decorates the wrap. Broken inside a word ("tex\\"),
 * the continuation is the rest as it is, a leading blank included (as a shell reads it).
 */
static const char *bslash_rest(const struct oomtrace_unwrap *u, const char *c, size_t *n)
{
	size_t off;

	if (u->quote && quote_depth(c, *n, &off) == u->quote) {
		c += off;
		*n -= off;
	}
	while (u->len && (u->buf[u->len - 1] == ' ' || u->buf[u->len - 1] == '\t') && *n &&
	       (*c == ' ' || *c == '\t')) {
		c++;
		(*n)--;
	}
	return c;
}

/* Hold or hand out the logical line now in u->buf (u->len bytes). */
static enum oomtrace_unwrap_out settle(struct oomtrace_unwrap *u, bool soft, bool escapes,
				       const char **out, size_t *outlen)
{
	size_t off;

	if (soft) {
		u->held = OOMTRACE_UW_QP;
		u->evidence = escapes || u->qp;
		return OOMTRACE_UW_TAKEN;
	}
	if (u->len && u->buf[u->len - 1] == '\\' && (u->len < 2 || u->buf[u->len - 2] != '\\')) {
		u->held = OOMTRACE_UW_BSLASH;
		u->quote = quote_depth(u->buf, u->len, &off);
		u->len--;
		return OOMTRACE_UW_TAKEN;
	}
	u->held = OOMTRACE_UW_NONE;
	*out = u->buf;
	*outlen = u->len;
	return OOMTRACE_UW_LINE;
}

/* The held line handed out alone; the caller feeds @line again. */
static enum oomtrace_unwrap_out held_alone(struct oomtrace_unwrap *u, const char **out,
					   size_t *outlen)
{
	u->held = OOMTRACE_UW_NONE;
	*out = u->buf;
	*outlen = u->len;
	return OOMTRACE_UW_HELD_TOO;
}

static enum oomtrace_unwrap_out go_on(struct oomtrace_unwrap *u, const char *line, size_t len,
				      bool (*starts_record)(const char *, size_t), const char **out,
				      size_t *outlen)
{
	bool soft = false, esc = false;
	const char *c = line;
	size_t n = len;

	if (u->held == OOMTRACE_UW_BSLASH) {
		c = bslash_rest(u, line, &n);
		if (starts_record(c, n))
			return held_alone(u, out, outlen);
	} else if (!u->evidence && starts_record(line, len)) {
		return held_alone(u, out, outlen); /* a lone '=' that was the line's own */
	}
	if (u->len + n >= sizeof(u->buf))
		return held_alone(u, out, outlen);
	if (u->held == OOMTRACE_UW_QP) {
		if (qp_shape(c, n, &esc) && esc)
			u->qp = true;
		u->len += qp_decode(u->buf + u->len, c, n, &soft);
	} else {
		memcpy(u->buf + u->len, c, n);
		u->len += n;
	}
	return settle(u, soft, esc, out, outlen);
}

enum oomtrace_unwrap_out oomtrace_unwrap_line(struct oomtrace_unwrap *u, const char *line,
					      size_t len,
					      bool (*starts_record)(const char *, size_t),
					      const char **out, size_t *outlen)
{
	bool esc, soft = false;
	char last = len ? line[len - 1] : 0;

	if (u->held)
		return go_on(u, line, len, starts_record, out, outlen);
	*out = line;
	*outlen = len;
	/* most lines: no '=' at all, no backslash at the end */
	if (last != '\\' && (!len || !memchr(line, '=', len)))
		return OOMTRACE_UW_LINE;
	if (len >= sizeof(u->buf))
		return OOMTRACE_UW_LINE;
	if (qp_shape(line, len, &esc)) {
		if (esc)
			u->qp = true;
		u->len = qp_decode(u->buf, line, len, &soft);
	} else if (last == '\\') {
		memcpy(u->buf, line, len);
		u->len = len;
	} else {
		return OOMTRACE_UW_LINE;
	}
	return settle(u, soft, esc, out, outlen);
}

bool oomtrace_unwrap_flush(struct oomtrace_unwrap *u, const char **out, size_t *outlen)
{
	if (!u->held)
		return false;
	u->held = OOMTRACE_UW_NONE;
	*out = u->buf;
	*outlen = u->len;
	return true;
}

void oomtrace_unwrap_new_input(struct oomtrace_unwrap *u)
{
	u->held = OOMTRACE_UW_NONE;
	u->qp = false;
	u->spaces = false;
	u->evidence = false;
}

/* "[<digits;>m" at @s (the debris of an SGR sequence without its ESC): its length, or 0. */
static size_t sgr_debris(const char *s, size_t n)
{
	size_t i = 1;

	if (n < 3 || s[0] != '[')
		return 0;
	while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == ';'))
		i++;
	return i > 1 && i < n && s[i] == 'm' ? i + 1 : 0;
}

/* A CSI or OSC sequence at @s (ESC first): its length (all of @n where it does not end), or 0. */
static size_t escape_len(const char *s, size_t n)
{
	size_t i = 2;

	if (n < 2)
		return 0;
	if (s[1] == '[') { /* CSI: parameters 0x30-0x3f, intermediates 0x20-0x2f, final 0x40-0x7e */
		while (i < n && s[i] >= 0x30 && s[i] <= 0x3f)
			i++;
		while (i < n && s[i] >= 0x20 && s[i] <= 0x2f)
			i++;
		return i < n && s[i] >= 0x40 && s[i] <= 0x7e ? i + 1 : n;
	}
	if (s[1] == ']') { /* OSC: ends at BEL or ST (ESC '\\') */
		for (; i < n; i++) {
			if (s[i] == '\a')
				return i + 1;
			if (s[i] == 0x1b && i + 1 < n && s[i + 1] == '\\')
				return i + 2;
		}
		return n;
	}
	return 0; /* no CSI or OSC: the ESC is the text's own (a comm may hold one) */
}

/*
 * What a web page writes for a blank, at @s: U+00A0, U+2007 and U+202F (no-break spaces) stand
 * for one blank (*@blank), U+200B (zero width) and U+FEFF (a byte order mark) for none. Its
 * length in bytes, or 0.
 */
static size_t page_space(const unsigned char *s, size_t n, bool *blank)
{
	*blank = true;
	if (n >= 2 && s[0] == 0xc2 && s[1] == 0xa0)
		return 2;
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0x87 || s[2] == 0xaf))
		return 3;
	*blank = false;
	if (n >= 3 && ((s[0] == 0xe2 && s[1] == 0x80 && s[2] == 0x8b) ||
		       (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)))
		return 3;
	return 0;
}

/* Does @s hold an ESC or a byte >= 0x80 (where a page's spaces start)? Eight bytes a step. */
static bool suspect(const char *s, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v;

		memcpy(&v, s + i, 8);
		/* a high bit, or a byte equal to 0x1b: (v ^ 0x1b..) has a zero byte */
		if ((v & 0x8080808080808080ULL) ||
		    (((v ^ 0x1b1b1b1b1b1b1b1bULL) - 0x0101010101010101ULL) &
		     ~(v ^ 0x1b1b1b1b1b1b1b1bULL) & 0x8080808080808080ULL))
			return true;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] >= 0x80 || s[i] == 0x1b)
			return true;
	return false;
}

size_t oomtrace_unwrap_plain(char *dst, size_t dstsz, const char *s, size_t n, bool *spaces)
{
	bool debris = sgr_debris(s, n) > 0, blank;
	size_t i = 0, o = 0, k;

	if (n >= dstsz || (!debris && !suspect(s, n)))
		return (size_t)-1;
	while (i < n) {
		if (s[i] == 0x1b && (k = escape_len(s + i, n - i))) {
			i += k;
		} else if (debris && s[i] == '[' && (k = sgr_debris(s + i, n - i))) {
			i += k;
		} else if ((unsigned char)s[i] >= 0xc2 &&
			   (k = page_space((const unsigned char *)s + i, n - i, &blank))) {
			i += k;
			*spaces = true;
			if (blank)
				dst[o++] = ' ';
		} else {
			dst[o++] = s[i++];
		}
	}
	dst[o] = '\0';
	return o;
}
