/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * symbolizer.h: user stacks unwound and named away from the tracer. The binaries and their debug
 * information are untrusted (a container's files), so they are parsed in a worker that holds
 * only the files it is given: no capabilities, no_new_privs, a seccomp filter, an address space
 * and a time limit per stack, oom_score_adj 0 (the kernel's own choice, not the tracer's -1000). A
 * supervisor, forked at the start while the tracer may still fork, opens each stack's files and
 * hands them to the worker; the worker keeps the line tables it read (the first read of libc's
 * costs ~50 ms, later ones are cheap). A worker that crashes or takes too long costs that stack,
 * and the next stack gets a new worker.
 */
#ifndef OOMTRACE_SYMBOLIZER_H
#define OOMTRACE_SYMBOLIZER_H

#include <sys/types.h>

#include "unwind.h"

struct oomtrace_symbolizer;

/* Fork the supervisor. NULL with errno set. */
struct oomtrace_symbolizer *oomtrace_symbolizer_start(void);

/*
 * Unwind @c (its maps' fd and open_paths ignored: the supervisor opens each path under @root, ""
 * for the tracer's own mount namespace, "/proc/PID/root" for another; NULL: no file is opened,
 * the frames keep their offsets) into @out, waiting at most @timeout_ms.
 * 0; -ETIMEDOUT (the stack's answer, when it comes, is dropped); -ECHILD where the worker died
 * (a file that crashed or exhausted it); -EAGAIN where the helper's queue is full (it never
 * waits for room); -EPIPE where the supervisor is gone; -EINVAL.
 */
int oomtrace_symbolizer_unwind(struct oomtrace_symbolizer *s, const struct oomtrace_ucopy *c,
			       const char *root, struct oomtrace_ustack *out, int timeout_ms);

/* The supervisor's pid (for the tests). */
pid_t oomtrace_symbolizer_pid(const struct oomtrace_symbolizer *s);

/* Stop the supervisor and wait for it; accepts NULL. */
void oomtrace_symbolizer_stop(struct oomtrace_symbolizer *s);

#endif
