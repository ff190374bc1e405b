/* SPDX-License-Identifier: GPL-2.0-or-later */
/* journal.h: events as structured entries in the systemd journal (--journal). */
#ifndef OOMTRACE_JOURNAL_H
#define OOMTRACE_JOURNAL_H

#include <stdint.h>

#include "event.h"
#include "output.h"

/* MESSAGE_IDs (journalctl MESSAGE_ID=...); docs/schema.md lists them */
#define OOMTRACE_JOURNAL_ID_KILL "4c8b90766c1a41f9b39c327ded64a202"
#define OOMTRACE_JOURNAL_ID_REAP "053402437941459a869c4e0250c8b886"
#define OOMTRACE_JOURNAL_ID_PRESSURE "ee7614eab0b74d76abd3bc7c54754b63"
#define OOMTRACE_JOURNAL_ID_LOST "756e17e7207d4a90ae4b522249d39a81"
#define OOMTRACE_JOURNAL_ID_START "0db255e65b8748d1a3fe7464ff4472b5"

/*
 * Load libsystemd and send the "started" entry (which opens the journal
 * socket, before a sandbox forbids socket()). 0, -ENOTSUP (built without
 * libsystemd), -ENOENT (libsystemd.so.0 not found), -ENOTCONN (no journald
 * socket) or -errno from sending.
 */
int oomtrace_journal_open(const char *backend, const char *probe);
/* One entry for @ev: MESSAGE, MESSAGE_ID, PRIORITY and every known fact as OOMTRACE_* fields. */
int oomtrace_journal_event(struct oomtrace_out_event *oe);
/* @n more events lost in transport (@total so far). */
int oomtrace_journal_lost(uint64_t n, uint64_t total);
/*
 * The journal field name of a JSON path ("victim", "pid" -> OOMTRACE_VICTIM_PID):
 * upper case, any other character '_', at most 64 bytes; the "k8s" object's
 * keys stand alone (OOMTRACE_POD, OOMTRACE_NAMESPACE). Written to @dst.
 */
void oomtrace_journal_field_name(char *dst, size_t dstsz, const char *prefix, const char *key);

#endif
