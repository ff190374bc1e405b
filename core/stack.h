/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stack.h: kernel stacks: a frame's function named as in the source, and the allocation class a
 * stack proves (docs/schema.md, "allocation"). Pure: no I/O. */
#ifndef OOMTRACE_STACK_H
#define OOMTRACE_STACK_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

/*
 * @sym (@n bytes) into @dst as its function: what the compiler appended to the name of a C
 * function (.cold, .constprop.0, .isra.0, .part.0, .lto_priv.0, .llvm.123: everything from the
 * first '.', since a kernel C function's name has none) taken off.
 */
void oomtrace_stack_fold(char *dst, size_t dstsz, const char *sym, size_t n);

/* Append a frame to @st (dropped where full). */
void oomtrace_stack_push(struct oomtrace_stack *st, const struct oomtrace_frame *f);

/*
 * A function the rules below name, or one of the entry paths an OOM's stack goes through (the
 * fault and syscall entries, mark_oom_victim, kthread): the names live/ksyms.c learns at the
 * start, so that the first kill's stack is named without reading /proc/kallsyms.
 */
bool oomtrace_stack_known_function(const char *fn);

/* The allocation class of the trigger's stack of @ev into @ev (alloc_*, OOMTRACE_E_ALLOCATION);
 * nothing where it has no stack. */
void oomtrace_stack_classify(struct oomtrace_event *ev);

#endif
