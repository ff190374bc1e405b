/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replay.h: the replay backend (kernel logs and recorded event files). */
#ifndef OOMTRACE_REPLAY_H
#define OOMTRACE_REPLAY_H

#include "backend.h"

extern const struct oomtrace_backend_ops oomtrace_replay_ops;

/*
 * Parse one JSON Lines record of a recorded event file. Returns 1 and fills
 * @ev for an event, 2 and sets @lost for a {"lost":N} record, 0 for a blank
 * line, -EINVAL with a reason in @err for anything else.
 */
int oomtrace_events_parse_line(const char *line, size_t len, struct oomtrace_event *ev,
			       uint64_t *lost, char *err, size_t errsz);

#endif
