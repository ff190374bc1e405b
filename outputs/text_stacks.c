// SPDX-License-Identifier: GPL-2.0-or-later
/* text_stacks.c: the stack lines of the text detail (text_stacks.h). */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "text_stacks.h"

#define SHOWN_MAX 12

void oomtrace_text_kstack(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	const struct oomtrace_stack *st = &ev->trigger.kstack;
	unsigned int i = 0, shown = 0;
	bool reliable_only;

	if (!st->n)
		return;
	if (ev->alloc_frame[0])
		while (i < st->n && strcmp(st->f[i].function, ev->alloc_frame) != 0)
			i++;
	if (i == st->n)
		i = 0;
	for (shown = 0; shown < st->n && !st->f[shown].reliable; shown++)
		;
	reliable_only = shown < st->n; /* none reliable: all, with the kernel's "? " */
	shown = 0;
	oomtrace_buf_printf(b, "    kernel stack:");
	for (; i < st->n; i++) {
		if (reliable_only && !st->f[i].reliable)
			continue;
		if (shown == SHOWN_MAX) {
			oomtrace_buf_printf(b, " < ...");
			break;
		}
		oomtrace_buf_printf(b, "%s%s%s", shown++ ? " < " : " ",
				    st->f[i].reliable ? "" : "? ", st->f[i].function);
		if (st->f[i].module[0])
			oomtrace_buf_printf(b, " [%s]", st->f[i].module);
	}
	oomtrace_buf_append(b, "\n", 1);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

void oomtrace_text_ustack(struct oomtrace_buf *b, const char *label,
			  const struct oomtrace_ustack *st)
{
	if (!st->n) {
		if (st->missing[0])
			oomtrace_buf_printf(b, "    %s: none (%s)\n", label, st->missing);
		return;
	}
	oomtrace_buf_printf(b, "    %s:", label);
	for (unsigned int i = 0; i < st->n; i++) {
		const struct oomtrace_uframe *f = &st->f[i];

		if (i == SHOWN_MAX) {
			oomtrace_buf_printf(b, " < ...");
			break;
		}
		oomtrace_buf_printf(b, "%s%s", i ? " < " : " ",
				    f->method == OOMTRACE_UM_FP ? "? " : "");
		if (f->function[0] && f->line)
			oomtrace_buf_printf(b, "%s (%s:%" PRIu32 ")", f->function,
					    base_name(f->file), f->line);
		else if (f->function[0])
			oomtrace_buf_printf(b, "%s (%s)", f->function, base_name(f->module));
		else if (f->module[0])
			oomtrace_buf_printf(b, "%s+0x%" PRIx64, base_name(f->module), f->file_off);
		else
			oomtrace_buf_printf(b, "0x%" PRIx64, f->pc);
	}
	if (st->end != OOMTRACE_UEND_OUTERMOST)
		oomtrace_buf_printf(b, " (%s)", oomtrace_uend_name(st->end));
	oomtrace_buf_append(b, "\n", 1);
}
