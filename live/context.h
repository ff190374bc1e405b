/* SPDX-License-Identifier: GPL-2.0-or-later */
/* context.h: snapshots of the machine around a live event (loadavg, meminfo, PSI, memcg, trigger
 * status). */
#ifndef OOMTRACE_CONTEXT_H
#define OOMTRACE_CONTEXT_H

#include "event.h"

enum {
	OOMTRACE_CTX_LOADAVG = 1u << 0,
	OOMTRACE_CTX_MEMINFO = 1u << 1,
	OOMTRACE_CTX_PSI = 1u << 2,
	OOMTRACE_CTX_MEMCG = 1u << 3,
	OOMTRACE_CTX_STATUS = 1u << 4,
	OOMTRACE_CTX_HISTORY = 1u << 5, /* the OOMing memcg's last minute (live/history.c) */
	OOMTRACE_CTX_ALL = 0x3f,
};

/* Parse "loadavg,meminfo,psi,memcg,status,history", "all" or "none" into @mask; -EINVAL on a bad
 * word. */
int oomtrace_context_parse(const char *list, unsigned int *mask);

/*
 * Fill @ev->ctx from files under @root ("" for the real /proc and /sys; a
 * directory holding proc/ and sys/fs/cgroup/ in tests). Each file is read
 * once with a bounded buffer; what cannot be read is left unknown.
 */
void oomtrace_context_snapshot(struct oomtrace_event *ev, const char *root, unsigned int mask);

/*
 * totalpages where the probe could not read oom_control's, with the kernel's
 * own formula and the inputs as they are now: memcg (mem_cgroup_get_max()):
 * the limit, plus swap where the memcg may swap (v1: memsw limit - limit;
 * v2: swap.max), at most the swap there is; global: RAM + swap. Needs the
 * constraint (and oom_memcg for memcg); cpuset/mempolicy are left unknown.
 * Marks the event's totalpages derived. @page_size in bytes.
 */
void oomtrace_derive_totalpages(struct oomtrace_event *ev, const char *root, long page_size);

#endif
