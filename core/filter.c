// SPDX-License-Identifier: GPL-2.0-or-later
/* filter.c: event filters shared by every backend. */
#include "config.h"

#include <string.h>

#include "filter.h"

static bool path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	while (n > 1 && prefix[n - 1] == '/')
		n--;
	if (strncmp(path, prefix, n) != 0)
		return false;
	return path[n] == '\0' || path[n] == '/' || (n == 1 && prefix[0] == '/');
}

bool oomtrace_filter_match(const struct oomtrace_filter *f, const struct oomtrace_event *ev)
{
	const struct oomtrace_task *v = &ev->victim, *t = &ev->trigger;

	if (f->comm && !((v->known & OOMTRACE_T_COMM && strcmp(v->comm, f->comm) == 0) ||
			 (t->known & OOMTRACE_T_COMM && strcmp(t->comm, f->comm) == 0)))
		return false;
	if (f->pid && !((v->known & OOMTRACE_T_PID && v->pid == f->pid) ||
			(t->known & OOMTRACE_T_PID && t->pid == f->pid)))
		return false;
	if (f->cgroup &&
	    !((v->known & OOMTRACE_T_CGROUP && path_under(v->cgroup, f->cgroup)) ||
	      (ev->known & OOMTRACE_E_OOM_MEMCG && path_under(ev->oom_memcg, f->cgroup))))
		return false;
	if (f->pod &&
	    !(strcmp(ev->names.pod, f->pod) == 0 || strcmp(ev->names.pod_uid, f->pod) == 0))
		return false;
	if (f->k8s_namespace && strcmp(ev->names.k8s_namespace, f->k8s_namespace) != 0)
		return false;
	if (f->unit) {
		size_t n = strlen(f->unit);

		/* "worker" matches worker.service, worker.scope, worker.slice */
		if (!(strcmp(ev->names.unit, f->unit) == 0 ||
		      (strncmp(ev->names.unit, f->unit, n) == 0 && ev->names.unit[n] == '.' &&
		       strchr(ev->names.unit + n + 1, '.') == NULL)))
			return false;
	}
	return true;
}
