/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kill.h: a live backend's kill record (live/kill_wire.h) into the core event (pure). */
#ifndef OOMTRACE_KILL_H
#define OOMTRACE_KILL_H

#include "event.h"
#include "kill_wire.h"

/* The probe the record says it came from. */
enum oomtrace_probe oomtrace_kill_probe(const struct oomtrace_kill_wire *w);
/*
 * Victim, trigger and oom_control facts of a W_KILL record, as its flags say
 * (time and probe are the caller's; the libbpf backend adds its cgroup paths).
 */
void oomtrace_kill_to_event(const struct oomtrace_kill_wire *w, struct oomtrace_event *ev);

#endif
