/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.h: --summary: one row per pod, systemd unit, container or victim comm. */
#ifndef OOMTRACE_REPORT_H
#define OOMTRACE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "event.h"

struct oomtrace_report;

struct oomtrace_report *oomtrace_report_new(void);
void oomtrace_report_free(struct oomtrace_report *r);
/* Count a kill (other records and outcomes are not kills); 0 or -ENOMEM. */
int oomtrace_report_add(struct oomtrace_report *r, const struct oomtrace_event *ev);
/*
 * Rows by kills (most first): kind, name, kills, first and last time, the
 * largest victim (anon + file + shmem rss) and the constraints seen; a text
 * table, or JSON Lines with @json. 0 or -EIO.
 */
int oomtrace_report_write(struct oomtrace_report *r, FILE *f, bool json);

#endif
