/* SPDX-License-Identifier: GPL-2.0-or-later */
/* text_stacks.h: the stack lines of the text detail (-v): kernel and user stacks, compact. */
#ifndef OOMTRACE_TEXT_STACKS_H
#define OOMTRACE_TEXT_STACKS_H

#include "event.h"
#include "util.h"

/* "    kernel stack: do_anonymous_page < __handle_mm_fault < ...": the trigger's, from the frame
 * that asked outwards, reliable frames only (all, with the kernel's "? ", where none is). */
void oomtrace_text_kstack(struct oomtrace_buf *b, const struct oomtrace_event *ev);

/* "    LABEL: ustack_take (ustack.c:29) < main (ustack.c:52) < libc.so.6+0x2724a", or
 * "    LABEL: none (why)"; nothing where none was asked for. */
void oomtrace_text_ustack(struct oomtrace_buf *b, const char *label,
			  const struct oomtrace_ustack *st);

#endif
