// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trace.c: one line of a call trace into frames, as each architecture prints them:
 *   x86      arch/x86/kernel/dumpstack.c printk_stack_address: " %s%pBb" ("? " before an
 *            unreliable frame), " <TASK>" .. " </TASK>", " <IRQ>"; before 4.x " [<%p>] %s%pB"
 *   arm64    arch/arm64/kernel/stacktrace.c: " %pSb" (newer: a " (C)"-like source mark after)
 *   powerpc  arch/powerpc/kernel/process.c show_stack: "[%lx] [%lx] %pS" (" (unreliable)" on
 *            the first), "--- interrupt: N at ..."
 *   MIPS     arch/mips/kernel/traps.c print_ip_sym: "[<%px>] %pS"
 *   s390     arch/s390/kernel/dumpstack.c: " [<%016lx>] %pSR", unreliable ones "([<%016lx>] %pSR)"
 *   ARM32    arch/arm/kernel/traps.c dump_backtrace_entry: "[<%08lx>] (%ps) from [<%08lx>] (%pS)",
 *            since 5.18 " %ps from %pS"
 * A frame is "function+0xoffset/0xsize" with an optional " [module ...]"; ARM32's called function
 * comes without its offset.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "stack.h"
#include "trace.h"

static const char *blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* "[<hex>]" or "[hex]" at @s: what follows it, or NULL. */
static const char *address(const char *s)
{
	const char *p = s + 1, *h;
	bool angle;

	if (*s != '[')
		return NULL;
	angle = *p == '<';
	p += angle;
	for (h = p; isxdigit((unsigned char)*p); p++)
		;
	if (p == h || (angle && *p++ != '>') || *p != ']')
		return NULL;
	return p + 1;
}

/* "0xhex" at @s into @v: what follows, or NULL. */
static const char *hex(const char *s, uint32_t *v)
{
	char *e;
	unsigned long x;

	if (s[0] != '0' || s[1] != 'x' || !isxdigit((unsigned char)s[2]))
		return NULL;
	x = strtoul(s + 2, &e, 16);
	*v = (uint32_t)x;
	return e;
}

/* "function[+0xoff/0xsize]" at @s into @f: what follows, or NULL; *@off: it had its offset. */
static const char *symbol(const char *s, struct oomtrace_frame *f, bool *off)
{
	const char *p = s, *q;

	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '_' || *p == '.' || *p == '$')
		p++;
	if (p == s || (s[0] == '0' && s[1] == 'x') || (*s >= '0' && *s <= '9'))
		return NULL; /* a bare address: no function known */
	oomtrace_stack_fold(f->function, sizeof(f->function), s, (size_t)(p - s));
	f->offset = f->size = 0;
	*off = false;
	if (*p == '+') {
		if (!(q = hex(p + 1, &f->offset)) || *q != '/' || !(q = hex(q + 1, &f->size)))
			return NULL;
		*off = true;
		p = q;
	}
	return p;
}

/* What may follow a frame: " [module buildid]", " (unreliable)", a source mark " (C)". */
static const char *after(const char *p, struct oomtrace_frame *f)
{
	for (;;) {
		const char *q = blanks(p), *e;

		if (*q == '[' && (e = strchr(q, ']'))) {
			size_t n = strcspn(q + 1, " ]");

			oomtrace_strlcpy_n(f->module, sizeof(f->module), q + 1, n);
			p = e + 1;
		} else if (starts(q, "(unreliable)")) {
			f->reliable = false;
			p = q + 12;
		} else if (q[0] == '(' && q[1] && q[2] == ')') {
			p = q + 3;
		} else {
			return q;
		}
	}
}

/* ARM32's "A from B": A is the line before's B, but on the first line */
static void push_called(struct oomtrace_stack *st, const struct oomtrace_frame *f)
{
	if (!st->n || strcmp(st->f[st->n - 1].function, f->function) != 0)
		oomtrace_stack_push(st, f);
}

/* One "([<addr>] function+0x/0x [mod])" or "function" at @p into @f: what follows, or NULL. */
static const char *frame(const char *p, struct oomtrace_frame *f, bool *paren, bool *off)
{
	const char *q;

	memset(f, 0, sizeof(*f));
	f->reliable = true;
	*paren = false;
	while ((q = address(p)))
		p = blanks(q);
	if (p[0] == '?' && p[1] == ' ') {
		f->reliable = false;
		p = blanks(p + 2);
	}
	if (*p == '(') {
		*paren = true;
		p++;
		while ((q = address(p)))
			p = blanks(q);
	}
	if (!(p = symbol(p, f, off)))
		return NULL;
	if (*paren && *p == ')')
		p++;
	return p;
}

enum oomtrace_trace_line oomtrace_trace_line(const char *m, struct oomtrace_stack *st)
{
	struct oomtrace_frame f, g;
	const char *p = blanks(m), *q, *r;
	bool paren, off, paren2, off2;
	size_t n = strlen(p);

	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if ((n >= 3 && n <= 12 && p[0] == '<' && p[n - 1] == '>' && !memchr(p, ' ', n)) ||
	    starts(p, "--- interrupt:"))
		return OOMTRACE_TRACE_MARK;
	if (!(q = frame(p, &f, &paren, &off)))
		return OOMTRACE_TRACE_NONE;
	q = blanks(q);
	if (starts(q, "from ") && (r = frame(blanks(q + 5), &g, &paren2, &off2))) {
		/* ARM32: "A from B": A was called from B */
		push_called(st, &f);
		after(r, &g);
		oomtrace_stack_push(st, &g);
		return OOMTRACE_TRACE_FRAME;
	}
	if (!off)
		return OOMTRACE_TRACE_NONE; /* a word, not a frame */
	if (paren)
		f.reliable = false; /* s390 prints an unreliable frame in parentheses */
	q = after(q, &f);
	if (*q && *q != ')')
		return OOMTRACE_TRACE_NONE;
	oomtrace_stack_push(st, &f);
	return OOMTRACE_TRACE_FRAME;
}
