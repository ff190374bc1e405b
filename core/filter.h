/* SPDX-License-Identifier: GPL-2.0-or-later */
/* filter.h: which events to report (by comm, cgroup, pid), the same for every source. */
#ifndef OOMTRACE_FILTER_H
#define OOMTRACE_FILTER_H

#include <stdbool.h>

#include "event.h"

struct oomtrace_filter {
	const char *comm;   /* victim or trigger comm equals this */
	const char *cgroup; /* victim cgroup or oom_memcg starts with this path */
	int pid;	    /* victim or trigger pid (0: any) */
	const char *pod;    /* Kubernetes pod name or UID */
	const char *k8s_namespace;
	const char *unit; /* systemd unit (with or without its .service/.scope/.slice suffix) */
};

/* True when @ev passes every criterion set in @f. */
bool oomtrace_filter_match(const struct oomtrace_filter *f, const struct oomtrace_event *ev);

#endif
