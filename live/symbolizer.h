/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * symbolizer.h: user stacks unwound and named away from the tracer. The binaries and their debug
 * information are untrusted (a container's files), so they are parsed in a worker forked for
 * each stack, which holds only the files of that stack: no capabilities, no_new_privs, a seccomp
 * filter, memory, CPU and time limits. A supervisor, forked at the start while the tracer may
 * still fork, opens the files and forks the workers; a worker that crashes costs one stack.
 */
#ifndef OOMTRACE_SYMBOLIZER_H
#define OOMTRACE_SYMBOLIZER_H

#include <sys/types.h>

#include "unwind.h"

struct oomtrace_symbolizer;

/* Fork the supervisor. NULL with errno set. */
struct oomtrace_symbolizer *oomtrace_symbolizer_start(void);

/*
 * Unwind @c (its maps' fd ignored: the supervisor opens each path, under @root where it is not
 * NULL, "/proc/PID/root" for a process in a container) into @out, waiting at most @timeout_ms.
 * 0; -ETIMEDOUT (the stack's answer, when it comes, is dropped); -ECHILD where the worker died
 * (a file that crashed or exhausted it); -EPIPE where the supervisor is gone; -EINVAL.
 */
int oomtrace_symbolizer_unwind(struct oomtrace_symbolizer *s, const struct oomtrace_ucopy *c,
			       const char *root, struct oomtrace_ustack *out, int timeout_ms);

/* The supervisor's pid (for the tests). */
pid_t oomtrace_symbolizer_pid(const struct oomtrace_symbolizer *s);

/* Stop the supervisor and wait for it; accepts NULL. */
void oomtrace_symbolizer_stop(struct oomtrace_symbolizer *s);

#endif
