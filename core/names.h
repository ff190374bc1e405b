/* SPDX-License-Identifier: GPL-2.0-or-later */
/* names.h: who a cgroup path belongs to: systemd unit, Kubernetes pod/container (pure, no I/O). */
#ifndef OOMTRACE_NAMES_H
#define OOMTRACE_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

/*
 * Derive from @path (a memory cgroup path as the kernel prints it, v1 or v2):
 * the innermost systemd unit (a directory named as systemd names a unit that
 * owns a cgroup: *.service, *.scope, *.slice, *.socket, *.mount, *.swap),
 * written as the directory names it (\x2d escapes kept), container scopes
 * included; and for Kubernetes the pod UID (dashed), QoS class, container id
 * and runtime. Fields not found stay empty. True when anything was found.
 */
bool oomtrace_names_from_cgroup(const char *path, struct oomtrace_names *out);

/*
 * The unit as a metrics label or a summary key: the unit where no container or
 * pod stands for it, else "" (container scopes and pod slices churn: one label
 * value per container would grow a series per restart).
 */
const char *oomtrace_names_label(const struct oomtrace_names *n);

/*
 * Kubernetes names from the node's own files, no API server: the pod's
 * namespace and name from /var/log/pods/<namespace>_<pod>_<uid>/, the
 * container's name from /var/log/containers/<pod>_<namespace>_<container>-<id>.log
 * (kubelet writes both). @root prefixes the paths ("" on a host). Fills what
 * it finds; true when the pod was found. What was found is remembered (8 pods).
 */
bool oomtrace_names_resolve(const char *root, struct oomtrace_names *n);

/* Derive (and, with @resolve, look up) the names of @ev from its victim's cgroup or its OOM memcg.
 */
void oomtrace_names_of_event(struct oomtrace_event *ev, bool resolve);

#endif
