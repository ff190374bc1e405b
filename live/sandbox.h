/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sandbox.h: capabilities dropped, no_new_privs and a seccomp filter for an attached live tracer.
 */
#ifndef OOMTRACE_SANDBOX_H
#define OOMTRACE_SANDBOX_H

/*
 * Keep CAP_BPF (CAP_SYS_ADMIN before 5.8) and drop every other capability,
 * set no_new_privs, and allow only the system calls of the steady state
 * (others fail with EPERM). Each step that fails is a warning; -1 then.
 */
int oomtrace_sandbox(void);

#endif
