/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sandbox.h: capabilities dropped, no_new_privs and a seccomp filter for an attached live tracer.
 */
#ifndef OOMTRACE_SANDBOX_H
#define OOMTRACE_SANDBOX_H

#include <stdbool.h>

/*
 * Drop every capability (but CAP_BPF, or CAP_SYS_ADMIN before 5.8, when @keep_bpf: the
 * backend still reads a map through bpf(2)), set no_new_privs, and allow only the system calls
 * of the steady state (others fail with EPERM). Each step that fails is a warning; -1 then.
 */
int oomtrace_sandbox(bool keep_bpf);

#endif
