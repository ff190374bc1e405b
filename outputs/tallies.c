// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tallies.c: what the run saw, counted: events written (and partial ones),
 * reaper reports, lost, kills by victim comm and by cgroup; said on stderr
 * at the end (live runs, or -v). It also stops the run after -c N events.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "output.h"

#define TALLY_MAX 32

struct tally {
	char key[OOMTRACE_PATH_MAX];
	uint64_t n;
};

struct table {
	struct tally t[TALLY_MAX];
	unsigned int n;
	uint64_t other; /* keys beyond TALLY_MAX */
};

struct tallies {
	const struct oomtrace_output_conf *c;
	uint64_t emitted, partial, reaps, pressures;
	struct table by_comm, by_cgroup;
};

static int tallies_open(const struct oomtrace_output_conf *c, void **state)
{
	int code;
	struct tallies *t = oomtrace_output_state(sizeof(*t), NULL, NULL, &code);

	if (!t)
		return code;
	t->c = c;
	*state = t;
	return 0;
}

static void tally_add(struct table *tb, const char *key)
{
	unsigned int i;

	for (i = 0; i < tb->n; i++) {
		if (strcmp(tb->t[i].key, key) == 0) {
			tb->t[i].n++;
			return;
		}
	}
	if (tb->n == TALLY_MAX) {
		tb->other++;
		return;
	}
	oomtrace_strlcpy_n(tb->t[tb->n].key, sizeof(tb->t[tb->n].key), key, strlen(key));
	tb->t[tb->n++].n = 1;
}

static int tallies_event(void *state, struct oomtrace_out_event *oe)
{
	struct tallies *t = state;
	const struct oomtrace_event *ev = oe->ev;

	if (t->c->summary) {
		/* the kills went into the table: counted, never a reason to stop */
		if (ev->record == OOMTRACE_RECORD_KILL) {
			t->emitted++;
			t->partial += ev->partial;
		}
		return 0;
	}
	if (ev->record == OOMTRACE_RECORD_REAP) {
		t->reaps++;
		return 0;
	}
	if (ev->record == OOMTRACE_RECORD_PRESSURE) {
		t->pressures++; /* a warning, not a kill: never counted by --count */
		return 0;
	}
	t->emitted++;
	t->partial += ev->partial;
	if (ev->outcome == OOMTRACE_OUTCOME_KILLED) {
		tally_add(&t->by_comm, ev->victim.known & OOMTRACE_T_COMM ? ev->victim.comm : "?");
		tally_add(&t->by_cgroup, ev->victim.known & OOMTRACE_T_CGROUP ? ev->victim.cgroup
					 : ev->known & OOMTRACE_E_OOM_MEMCG   ? ev->oom_memcg
									      : "?");
	}
	if (t->c->count_limit && t->emitted >= t->c->count_limit)
		return -ECANCELED;
	return 0;
}

static void table_line(const char *title, const struct table *tb)
{
	unsigned int i;

	fprintf(stderr, "oomtrace: kills by %s:", title);
	for (i = 0; i < tb->n; i++)
		fprintf(stderr, " %s=%" PRIu64, tb->t[i].key, tb->t[i].n);
	if (tb->other)
		fprintf(stderr, " (others)=%" PRIu64, tb->other);
	fprintf(stderr, "\n");
}

static int tallies_close(void *state, const struct oomtrace_run_totals *rt)
{
	struct tallies *t = state;

	if (rt && t->c->print_tallies) {
		fprintf(stderr,
			"oomtrace: %" PRIu64 " event%s (%" PRIu64 " partial), %" PRIu64
			" reaper report%s, %" PRIu64 " lost\n",
			t->emitted, t->emitted == 1 ? "" : "s", t->partial, t->reaps,
			t->reaps == 1 ? "" : "s", rt->lost);
		if (t->pressures)
			fprintf(stderr,
				"oomtrace: %" PRIu64 " pressure record%s (memcgs near OOM)\n",
				t->pressures, t->pressures == 1 ? "" : "s");
		if (rt->no_cgroup)
			fprintf(stderr,
				"oomtrace: %" PRIu64
				" kill%s not shown: no cgroup known to match --cgroup %s\n",
				rt->no_cgroup, rt->no_cgroup == 1 ? "" : "s", t->c->cgroup_filter);
		if (t->by_comm.n) {
			table_line("victim comm", &t->by_comm);
			table_line("cgroup", &t->by_cgroup);
		}
	}
	free(t);
	return 0;
}

const struct oomtrace_output_ops oomtrace_output_tallies = {
    .name = "tallies",
    .open = tallies_open,
    .event = tallies_event,
    .close = tallies_close,
};
