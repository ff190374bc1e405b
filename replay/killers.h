/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * killers.h: the log lines of userspace memory killers (systemd-oomd, earlyoom, nohang, oomd,
 * lmkd) and of the kubelet's eviction manager, as events (killers.c; docs/schema.md "killer").
 */
#ifndef OOMTRACE_KILLERS_H
#define OOMTRACE_KILLERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* The killers whose kill is told over several lines: kept until its last one. */
enum { KL_EARLYOOM, KL_NOHANG, KL_OPEN_MAX };

struct oomtrace_killers {
	struct oomtrace_event ev[KL_OPEN_MAX]; /* a kill waiting for its death line */
	bool open[KL_OPEN_MAX];
	uint64_t opened[KL_OPEN_MAX];	 /* the line it was opened at */
	char reason[KL_OPEN_MAX][256];	 /* the memory state it logged before choosing a victim */
	struct oomtrace_facts ea_stats;	 /* earlyoom's last "mem avail:" line, as facts */
	struct oomtrace_facts ea_reason; /* ... and its limits, kept with its "low memory!" line */
	bool nohang_block;		 /* reading nohang's indented lines after a heading */
	uint64_t ea_wait;	/* the line of earlyoom's "low memory!": its kill line follows */
	char kube_resource[32]; /* what the eviction manager said it reclaims */
	char kube_pod[256], kube_msg[256]; /* its last "Evicting pod" line (-v 3) */
};

/* What the killers module needs of a line: its message, the program's tag, its line number. */
struct oomtrace_killer_line {
	const char *msg;
	size_t len;
	const char *ident; /* the program's syslog tag, or NULL */
	size_t ident_len;
	int32_t pid; /* the tag's pid, 0 none */
	uint64_t line;
};

/*
 * Read one line. Returns 1 with an event in @out (a finished kill; its time is for the caller
 * to set), 0 when the line finished nothing. @ev_new starts an event (stamped with the line's
 * time) for the module.
 */
int oomtrace_killers_line(struct oomtrace_killers *k, const struct oomtrace_killer_line *l,
			  void (*ev_new)(void *arg, struct oomtrace_event *ev), void *arg,
			  struct oomtrace_event *out);
/* Hand over a kill held longer than @max_lines lines (or any, @force); 1 with @out set. */
int oomtrace_killers_expire(struct oomtrace_killers *k, uint64_t line, uint64_t max_lines,
			    bool force, struct oomtrace_event *out);
/*
 * Hand over a held kill now, as it stands (1 with @out set), leaving what the reader waits for
 * (earlyoom's kill line after its "low memory!", nohang's block) as it is: a live log gone quiet.
 */
int oomtrace_killers_hand_over(struct oomtrace_killers *k, struct oomtrace_event *out);
/* Something is held, or a block is being read: the pre-filter must not skip lines. */
bool oomtrace_killers_busy(const struct oomtrace_killers *k);
/* Does a message of the kernel's own log come from a killer (oomd writes to /dev/kmsg)? */
bool oomtrace_killers_in_kmsg(const char *msg, size_t len);

#endif
