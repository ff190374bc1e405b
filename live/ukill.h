/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ukill.h: kills by userspace memory killers, live: a killer's SIGTERM and SIGKILL to one
 * victim become one event, held until the victim's last thread exits (or a deadline), so that
 * the event says whether and when it died. The table is pure (unit-tested); the glue that reads
 * /proc for the killer's identity is oomtrace_live_ukill() in live.h.
 */
#ifndef OOMTRACE_UKILL_H
#define OOMTRACE_UKILL_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

/* victims held at once; one more delivers the oldest at once (never dropped) */
#define OOMTRACE_UKILL_MAX 1024
/* how long a victim may take to die after the last signal: SIGKILL, and SIGTERM (which it may
 * handle; killers escalate within seconds) */
#define OOMTRACE_UKILL_KILL_WAIT_NS 2000000000ull
#define OOMTRACE_UKILL_TERM_WAIT_NS 5000000000ull
/* a death seen before its signal (perf buffers are per CPU: no order across CPUs) is kept this
 * long for the signal to arrive */
#define OOMTRACE_UKILL_EARLY_DEATH_NS 1000000000ull

/* a dead victim waits this long for its killer's own log line (the journal lags the kernel) */
#define OOMTRACE_UKILL_LOG_WAIT_NS 1000000000ull
/* a killer's log line read before the signal it tells of is kept this long, this many at most */
#define OOMTRACE_UKILL_LOGGED_NS 2000000000ull
#define OOMTRACE_UKILL_LOGGED_MAX 32

typedef void (*oomtrace_ukill_emit_fn)(void *ctx, struct oomtrace_event *ev);

/* A kill as the killer's log line told it (the replay reader's event, kept in part). */
struct oomtrace_ukill_logged {
	uint64_t at_ns;			/* when it was read */
	int32_t pid;			/* its victim's pid as the killer saw it; 0: a cgroup */
	char cgroup[OOMTRACE_PATH_MAX]; /* a cgroup killer's victim (systemd-oomd) */
	struct oomtrace_killer k;
};

struct oomtrace_ukill_entry {
	int32_t tgid;
	bool has_event; /* else only the death was seen so far */
	bool dead;
	bool want_log; /* its killer's line is awaited (killer.log "missing" until joined) */
	uint32_t exit_code;
	uint64_t first_ns, last_ns, death_ns, deadline_ns;
	struct oomtrace_event *ev; /* has_event: the kill as first reported, signals merged */
};

struct oomtrace_ukills {
	unsigned int n;
	struct oomtrace_ukill_entry *e[OOMTRACE_UKILL_MAX];
	uint64_t forced; /* delivered before their deadline because the table was full */
	struct oomtrace_ukill_logged logged[OOMTRACE_UKILL_LOGGED_MAX]; /* the latest, a ring */
	unsigned int nlogged;
};

void oomtrace_ukill_init(struct oomtrace_ukills *u);
/*
 * A killer's signal @sig at @ts_ns to the process @tgid, as @ev (victim facts, killer set; its
 * log "missing": its log line is awaited, up to OOMTRACE_UKILL_LOG_WAIT_NS after the death).
 * The first signal to a victim is kept (copied); a later one (SIGKILL after SIGTERM) updates it.
 * A victim whose death was already seen is emitted at once. -ENOMEM: @ev emitted as it is.
 */
int oomtrace_ukill_signal(struct oomtrace_ukills *u, const struct oomtrace_event *ev, int32_t tgid,
			  int sig, uint64_t ts_ns, oomtrace_ukill_emit_fn emit, void *ctx);
/*
 * A killer's own log line of a kill, read at @now_ns (CLOCK_MONOTONIC): its reason and facts go
 * to every held kill it tells of (same killer name; the victim's pid or pid in its namespace,
 * or, for a cgroup killer, a victim in that cgroup); a kill that waited only for it is emitted.
 * Kept a while for a signal not yet seen.
 */
void oomtrace_ukill_log(struct oomtrace_ukills *u, const struct oomtrace_event *logged,
			uint64_t now_ns, oomtrace_ukill_emit_fn emit, void *ctx);
/* A kill of @tgid is held already (a later signal needs nothing read: it only updates it). */
bool oomtrace_ukill_holds(const struct oomtrace_ukills *u, int32_t tgid);
/* The last thread of @tgid exited at @ts_ns with @exit_code (wait status): its kill, emitted. */
void oomtrace_ukill_death(struct oomtrace_ukills *u, int32_t tgid, uint64_t ts_ns,
			  uint32_t exit_code, oomtrace_ukill_emit_fn emit, void *ctx);
/* Kills past their deadline at @now_ns, emitted without a death (died: false). */
void oomtrace_ukill_expire(struct oomtrace_ukills *u, uint64_t now_ns, oomtrace_ukill_emit_fn emit,
			   void *ctx);
/* Every kill held, emitted as it stands (the tracer stops); the table is empty after. */
void oomtrace_ukill_flush(struct oomtrace_ukills *u, oomtrace_ukill_emit_fn emit, void *ctx);

#endif
