// SPDX-License-Identifier: GPL-2.0-or-later
/* ukill.c: a userspace killer's signals to one victim, held until its death (pure). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ukill.h"

void oomtrace_ukill_init(struct oomtrace_ukills *u)
{
	memset(u, 0, sizeof(*u));
}

static struct oomtrace_ukill_entry *find(struct oomtrace_ukills *u, int32_t tgid, unsigned int *at)
{
	unsigned int i;

	for (i = 0; i < u->n; i++)
		if (u->e[i]->tgid == tgid) {
			*at = i;
			return u->e[i];
		}
	return NULL;
}

/* Out of the table (order kept: the oldest first), emitted where it has an event, freed. */
static void finish(struct oomtrace_ukills *u, unsigned int at, oomtrace_ukill_emit_fn emit,
		   void *ctx)
{
	struct oomtrace_ukill_entry *x = u->e[at];
	struct oomtrace_killer *k;

	memmove(&u->e[at], &u->e[at + 1], (u->n - at - 1) * sizeof(u->e[0]));
	u->n--;
	if (x->has_event && emit) {
		k = &x->ev->killer;
		k->died = x->dead;
		if (x->dead) {
			k->died_after_us =
			    x->death_ns > x->first_ns ? (x->death_ns - x->first_ns) / 1000 : 0;
			k->exit_code = (int32_t)x->exit_code;
			k->known |= OOMTRACE_KL_DIED_AFTER | OOMTRACE_KL_EXIT_CODE;
		}
		emit(ctx, x->ev);
	}
	free(x->ev);
	free(x);
}

static uint64_t wait_ns(int sig)
{
	return sig == 9 ? OOMTRACE_UKILL_KILL_WAIT_NS : OOMTRACE_UKILL_TERM_WAIT_NS;
}

/* A new entry at the end; the oldest goes out first where the table is full. */
static struct oomtrace_ukill_entry *add(struct oomtrace_ukills *u, int32_t tgid,
					oomtrace_ukill_emit_fn emit, void *ctx)
{
	struct oomtrace_ukill_entry *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	if (u->n == OOMTRACE_UKILL_MAX) {
		u->forced++;
		finish(u, 0, emit, ctx);
	}
	x->tgid = tgid;
	u->e[u->n++] = x;
	return x;
}

int oomtrace_ukill_signal(struct oomtrace_ukills *u, const struct oomtrace_event *ev, int32_t tgid,
			  int sig, uint64_t ts_ns, oomtrace_ukill_emit_fn emit, void *ctx)
{
	unsigned int at = 0;
	struct oomtrace_ukill_entry *x = find(u, tgid, &at);
	struct oomtrace_killer *k;

	if (x && x->has_event) {
		/* the same victim again: the escalation is what counts */
		k = &x->ev->killer;
		if (sig == 9 || !(k->known & OOMTRACE_KL_SIGNAL)) {
			k->signal = sig;
			k->known |= OOMTRACE_KL_SIGNAL;
		}
		x->last_ns = ts_ns;
		x->deadline_ns = ts_ns + wait_ns(k->signal);
		return 0;
	}
	if (!x) {
		x = add(u, tgid, emit, ctx);
		if (!x) {
			emit(ctx, (struct oomtrace_event *)ev);
			return -ENOMEM;
		}
		at = u->n - 1;
	}
	x->ev = malloc(sizeof(*x->ev));
	if (!x->ev) {
		finish(u, at, emit, ctx);
		emit(ctx, (struct oomtrace_event *)ev);
		return -ENOMEM;
	}
	memcpy(x->ev, ev, sizeof(*ev));
	k = &x->ev->killer;
	k->signal = sig;
	k->first_signal = sig;
	k->known |= OOMTRACE_KL_SIGNAL | OOMTRACE_KL_FIRST_SIGNAL;
	x->has_event = true;
	x->first_ns = x->last_ns = ts_ns;
	x->deadline_ns = ts_ns + wait_ns(sig);
	if (x->dead)
		finish(u, at, emit, ctx);
	return 0;
}

void oomtrace_ukill_death(struct oomtrace_ukills *u, int32_t tgid, uint64_t ts_ns,
			  uint32_t exit_code, oomtrace_ukill_emit_fn emit, void *ctx)
{
	unsigned int at = 0;
	struct oomtrace_ukill_entry *x = find(u, tgid, &at);

	if (!x) {
		/* before its signal's record: kept a moment for it */
		x = add(u, tgid, emit, ctx);
		if (!x)
			return;
		x->deadline_ns = ts_ns + OOMTRACE_UKILL_EARLY_DEATH_NS;
	}
	if (x->dead)
		return;
	x->dead = true;
	x->death_ns = ts_ns;
	x->exit_code = exit_code;
	if (x->has_event)
		finish(u, at, emit, ctx);
}

void oomtrace_ukill_expire(struct oomtrace_ukills *u, uint64_t now_ns, oomtrace_ukill_emit_fn emit,
			   void *ctx)
{
	unsigned int i = 0;

	while (i < u->n) {
		if (u->e[i]->deadline_ns <= now_ns)
			finish(u, i, emit, ctx);
		else
			i++;
	}
}

void oomtrace_ukill_flush(struct oomtrace_ukills *u, oomtrace_ukill_emit_fn emit, void *ctx)
{
	while (u->n)
		finish(u, 0, emit, ctx);
}
