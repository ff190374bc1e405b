/* SPDX-License-Identifier: GPL-2.0-or-later */
/* klog.h: userspace killers' own log lines, followed live in the systemd journal (klog.c). */
#ifndef OOMTRACE_KLOG_H
#define OOMTRACE_KLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

struct oomtrace_klog;

typedef void (*oomtrace_klog_fn)(void *ctx, struct oomtrace_event *logged);

/* Whether the killer named @killer logs to the journal in words the reader knows. */
bool oomtrace_klog_knows(const char *killer);
/* Follow the local journal from its end (before the sandbox): NULL with the reason in @why. */
struct oomtrace_klog *oomtrace_klog_open(char *why, size_t whysz);
/* The entries written since: each kill they tell of to @fn (a kill event, killer set). */
void oomtrace_klog_read(struct oomtrace_klog *g, oomtrace_klog_fn fn, void *ctx);
void oomtrace_klog_close(struct oomtrace_klog *g);

#endif
