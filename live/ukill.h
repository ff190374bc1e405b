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

typedef void (*oomtrace_ukill_emit_fn)(void *ctx, struct oomtrace_event *ev);

struct oomtrace_ukill_entry {
	int32_t tgid;
	bool has_event; /* else only the death was seen so far */
	bool dead;
	uint32_t exit_code;
	uint64_t first_ns, last_ns, death_ns, deadline_ns;
	struct oomtrace_event *ev; /* has_event: the kill as first reported, signals merged */
};

struct oomtrace_ukills {
	unsigned int n;
	struct oomtrace_ukill_entry *e[OOMTRACE_UKILL_MAX];
	uint64_t forced; /* delivered before their deadline because the table was full */
};

void oomtrace_ukill_init(struct oomtrace_ukills *u);
/*
 * A killer's signal @sig at @ts_ns to the process @tgid, as @ev (victim facts, killer set).
 * The first signal to a victim is kept (copied); a later one (SIGKILL after SIGTERM) updates it.
 * A victim whose death was already seen is emitted at once. -ENOMEM: @ev emitted as it is.
 */
int oomtrace_ukill_signal(struct oomtrace_ukills *u, const struct oomtrace_event *ev, int32_t tgid,
			  int sig, uint64_t ts_ns, oomtrace_ukill_emit_fn emit, void *ctx);
/* The last thread of @tgid exited at @ts_ns with @exit_code (wait status): its kill, emitted. */
void oomtrace_ukill_death(struct oomtrace_ukills *u, int32_t tgid, uint64_t ts_ns,
			  uint32_t exit_code, oomtrace_ukill_emit_fn emit, void *ctx);
/* Kills past their deadline at @now_ns, emitted without a death (died: false). */
void oomtrace_ukill_expire(struct oomtrace_ukills *u, uint64_t now_ns, oomtrace_ukill_emit_fn emit,
			   void *ctx);
/* Every kill held, emitted as it stands (the tracer stops); the table is empty after. */
void oomtrace_ukill_flush(struct oomtrace_ukills *u, oomtrace_ukill_emit_fn emit, void *ctx);

#endif
