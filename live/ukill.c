// SPDX-License-Identifier: GPL-2.0-or-later
/* ukill.c: a userspace killer's signals to one victim, held until its death (pure). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
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

/* Whether the killer's line @l tells of the kill @ev. */
static bool tells_of(const struct oomtrace_ukill_logged *l, const struct oomtrace_event *ev)
{
	const struct oomtrace_task *v = &ev->victim;
	size_t n = strlen(l->cgroup);

	if (strcmp(l->k.name, ev->killer.name) != 0)
		return false;
	if (l->pid)
		return ((v->known & OOMTRACE_T_PID) && v->pid == l->pid) ||
		       ((v->known & OOMTRACE_T_NS_PID) && v->ns_pid == l->pid);
	/* a cgroup killer's victim: a task in that cgroup or below */
	return n && (v->known & OOMTRACE_T_CGROUP) && strncmp(v->cgroup, l->cgroup, n) == 0 &&
	       (v->cgroup[n] == '\0' || v->cgroup[n] == '/' || l->cgroup[n - 1] == '/');
}

/* Its reason and facts into the held kill: true where it was awaited. */
static bool join(struct oomtrace_ukill_entry *x, const struct oomtrace_ukill_logged *l)
{
	struct oomtrace_killer *k = &x->ev->killer;

	if (!x->want_log)
		return false;
	memcpy(k->reason, l->k.reason, sizeof(k->reason));
	k->facts = l->k.facts;
	k->log = OOMTRACE_KLOG_JOURNAL;
	k->known |= OOMTRACE_KL_LOG;
	x->want_log = false;
	return true;
}

/* A new kill: the killer's line may have been read already. */
static void logged_before(struct oomtrace_ukills *u, struct oomtrace_ukill_entry *x)
{
	unsigned int i,
	    n = u->nlogged < OOMTRACE_UKILL_LOGGED_MAX ? u->nlogged : OOMTRACE_UKILL_LOGGED_MAX;

	for (i = 0; i < n && x->want_log; i++) {
		const struct oomtrace_ukill_logged *l = &u->logged[i];

		if (l->at_ns && x->first_ns <= l->at_ns + OOMTRACE_UKILL_LOGGED_NS &&
		    tells_of(l, x->ev))
			join(x, l);
	}
}

/* Its victim died: out now, unless its killer's line is still awaited (then a while more). */
static void dead(struct oomtrace_ukills *u, unsigned int at, oomtrace_ukill_emit_fn emit, void *ctx)
{
	struct oomtrace_ukill_entry *x = u->e[at];

	if (!x->want_log) {
		finish(u, at, emit, ctx);
		return;
	}
	x->deadline_ns = x->death_ns + OOMTRACE_UKILL_LOG_WAIT_NS;
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
	x->want_log = (k->known & OOMTRACE_KL_LOG) && k->log == OOMTRACE_KLOG_MISSING;
	x->first_ns = x->last_ns = ts_ns;
	x->deadline_ns = ts_ns + wait_ns(sig);
	logged_before(u, x);
	if (x->dead)
		dead(u, at, emit, ctx);
	return 0;
}

bool oomtrace_ukill_holds(const struct oomtrace_ukills *u, int32_t tgid)
{
	unsigned int i;

	for (i = 0; i < u->n; i++)
		if (u->e[i]->tgid == tgid)
			return u->e[i]->has_event;
	return false;
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
		dead(u, at, emit, ctx);
}

void oomtrace_ukill_log(struct oomtrace_ukills *u, const struct oomtrace_event *logged,
			uint64_t now_ns, oomtrace_ukill_emit_fn emit, void *ctx)
{
	struct oomtrace_ukill_logged *l = &u->logged[u->nlogged++ % OOMTRACE_UKILL_LOGGED_MAX];
	unsigned int i = 0;

	memset(l, 0, sizeof(*l));
	l->at_ns = now_ns;
	l->k = logged->killer;
	if (logged->victim.known & OOMTRACE_T_PID)
		l->pid = logged->victim.pid;
	else if (logged->victim.known & OOMTRACE_T_CGROUP)
		memcpy(l->cgroup, logged->victim.cgroup, sizeof(l->cgroup));
	else
		return; /* it names no victim */
	while (i < u->n) {
		struct oomtrace_ukill_entry *x = u->e[i];

		if (x->has_event && tells_of(l, x->ev) && join(x, l) && x->dead)
			finish(u, i, emit, ctx);
		else
			i++;
	}
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
