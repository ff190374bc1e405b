/* SPDX-License-Identifier: GPL-2.0-or-later */
/* why.h: the cause of a kill, from the event's own evidence (docs/schema.md, "why"). */
#ifndef OOMTRACE_WHY_H
#define OOMTRACE_WHY_H

#include "event.h"

/*
 * Set @ev's cause and its one-sentence proof (OOMTRACE_E_WHY) for a kill record that has none
 * yet: the first rule its evidence satisfies, else unknown. Other records are left alone.
 */
void oomtrace_why(struct oomtrace_event *ev);

#endif
