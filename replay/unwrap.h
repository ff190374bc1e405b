/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unwrap.h: what a transport did to a line undone before it is parsed: quoted-printable (RFC 2045
 * 6.7: "=XX" escapes, "=" soft breaks), lines hand-wrapped with a trailing backslash, and a
 * terminal's colouring. */
#ifndef OOMTRACE_UNWRAP_H
#define OOMTRACE_UNWRAP_H

#include <stdbool.h>
#include <stddef.h>

#include "lex.h"

enum oomtrace_unwrap_held {
	OOMTRACE_UW_NONE,
	OOMTRACE_UW_QP,	    /* a quoted-printable line that ended in a soft break */
	OOMTRACE_UW_BSLASH, /* a line that ended in a backslash */
};

/* One input's state: the line held for its continuation. */
struct oomtrace_unwrap {
	enum oomtrace_unwrap_held held;
	bool qp;	    /* this input has shown quoted-printable escapes: it is read whole */
	bool spaces;	    /* ... or a web page's spaces: the pre-filter's phrases hold blanks */
	bool evidence;	    /* the held line showed "=XX" escapes (not a lone trailing '=') */
	unsigned int quote; /* the held line's mail quoting ("> " depth), stripped from the next */
	size_t len;
	char buf[OOMTRACE_MSG_MAX];
	char plain[OOMTRACE_MSG_MAX]; /* the current line without its colouring */
};

/* What oomtrace_unwrap_line says of a line. */
enum oomtrace_unwrap_out {
	OOMTRACE_UW_TAKEN,   /* held for its continuation: nothing to parse yet */
	OOMTRACE_UW_LINE,    /* parse *out (the line, decoded or joined) */
	OOMTRACE_UW_HELD_TOO /* first parse the held line alone (*out), then call again */
};

/*
 * Feed one physical line. @starts_record says whether a line has a known prefix of its own
 * (then it is no backslash continuation, nor the continuation of a lone trailing '='). *@out
 * and *@outlen: the line to parse, which may point into @u, valid until the next call.
 */
enum oomtrace_unwrap_out oomtrace_unwrap_line(struct oomtrace_unwrap *u, const char *line,
					      size_t len,
					      bool (*starts_record)(const char *, size_t),
					      const char **out, size_t *outlen);
/*
 * @s (@n bytes) into @dst (@dstsz bytes) as the log wrote it, without what a terminal or a web
 * page added: ECMA-48 CSI sequences (ESC '[' parameters, intermediates, a final byte: dmesg
 * --color, journalctl) and OSC ones (ESC ']' ... BEL or ESC '\\': journalctl's links), and where
 * the line starts with the debris of one whose ESC a page dropped ("[32m[ 12.3] [0m..."), every
 * "[<digits;>m"; no-break spaces (U+00A0, U+2007, U+202F) made blanks, U+200B and a byte order
 * mark dropped (a comm that holds U+00A0 itself is then read with a blank). Another ESC stays (a
 * comm may hold one). The new length, or (size_t)-1 where there is nothing to do (or no room);
 * *@spaces set where a page's spaces were found (left as it was otherwise).
 */
size_t oomtrace_unwrap_plain(char *dst, size_t dstsz, const char *s, size_t n, bool *spaces);
/* The end of the input, or a pause: the held line as it is (true), or nothing. */
bool oomtrace_unwrap_flush(struct oomtrace_unwrap *u, const char **out, size_t *outlen);
/* A new input begins (a held line was flushed first). */
void oomtrace_unwrap_new_input(struct oomtrace_unwrap *u);

#endif
