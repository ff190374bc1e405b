/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace.h: the lines of an OOM report's call trace, on every architecture's format (pure). */
#ifndef OOMTRACE_TRACE_H
#define OOMTRACE_TRACE_H

#include "event.h"

enum oomtrace_trace_line {
	OOMTRACE_TRACE_NONE,  /* not a line of a call trace */
	OOMTRACE_TRACE_FRAME, /* frames appended */
	OOMTRACE_TRACE_MARK,  /* a marker inside a trace: <TASK>, </IRQ>, "--- interrupt:" */
};

/*
 * A message @m (its log prefix gone) inside a call trace: its frames appended to @st (one, or
 * ARM32's two: "A from B"), innermost first as the kernel prints them.
 */
enum oomtrace_trace_line oomtrace_trace_line(const char *m, struct oomtrace_stack *st);

#endif
