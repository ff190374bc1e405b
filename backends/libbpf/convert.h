/* SPDX-License-Identifier: GPL-2.0-or-later */
/* convert.h: wire records of the libbpf backend → struct oomtrace_event (no libbpf needed). */
#ifndef OOMTRACE_LIBBPF_CONVERT_H
#define OOMTRACE_LIBBPF_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "tpformat.h"
#include "wire.h"

/* The path is all there: not truncated, no component filled to the brim (and maybe cut). */
bool lb_cg_complete(const struct w_cgpath *p);
/* "/a/b" from innermost-first components ("/" for the root, "/..." prefix when cut). */
void lb_cg_path(const struct w_cgpath *p, char *dst, size_t dstsz);
/* Victim, trigger and oom_control facts of a CO-RE record (time and probe are the caller's). */
void lb_wire_to_event(const struct w_event *w, struct oomtrace_event *ev);
/* The same from a raw mark_victim record decoded with its tracefs format @f. */
void lb_raw_to_event(const struct tpf *f, const struct w_raw *r, struct oomtrace_event *ev);

#endif
