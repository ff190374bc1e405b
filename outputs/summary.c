// SPDX-License-Identifier: GPL-2.0-or-later
/* summary.c: --summary: kills per pod, unit, container or comm, as an SRE pastes them into an
 * incident. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "event_json.h"
#include "format.h"
#include "log.h"
#include "names.h"
#include "output.h"
#include "util.h"

/* When a kill happened, as far as known: what the first/last columns need of an event. */
struct stamp {
	uint32_t known; /* OOMTRACE_E_TIME, OOMTRACE_E_UPTIME */
	int64_t time_us;
	int32_t tz_off_s;
	uint64_t uptime_ns;
};

struct row {
	char kind[12]; /* pod, unit, container, comm */
	char name[320];
	uint64_t kills;
	bool has_first;
	struct stamp first, last;
	int32_t big_pid;
	char big_comm[OOMTRACE_COMM_MAX];
	uint64_t big_kb;
	bool has_big;
	uint32_t constraints; /* 1 << enum oomtrace_constraint */
	char killers[96];     /* who killed: "kernel", "earlyoom", ... (comma-separated, first seen
				 first) */
	char causes[96];      /* why (core/why.c): "steady_growth", ... (the same way) */
};

/* @name added to the comma-separated @list (of @sz) where it is not there yet */
static void add_word(char *list, size_t sz, const char *name)
{
	size_t n = strlen(name), o = strlen(list);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return;
		p += n;
	}
	if (o + n + 2 <= sz)
		snprintf(list + o, sz - o, "%s%s", o ? "," : "", name);
}

struct report {
	struct row *rows;
	size_t n, cap;
	int fd;	   /* where the table goes: -o FILE (opened at the start) or standard output */
	bool json; /* JSON Lines rows (--format json) */
	const char *path;
	const struct oomtrace_format_ops *fmt; /* says at once what was lost */
};

/* Who a kill is counted for: the pod, else the systemd unit, else the container, else the victim's
 * comm. */
static void key_of(const struct oomtrace_event *ev, char *kind, size_t ksz, char *name, size_t nsz)
{
	const struct oomtrace_names *n = &ev->names;

	if (n->pod_uid[0]) {
		snprintf(kind, ksz, "pod");
		if (n->pod[0])
			snprintf(name, nsz, "%s/%s", n->k8s_namespace[0] ? n->k8s_namespace : "?",
				 n->pod);
		else
			snprintf(name, nsz, "uid %s", n->pod_uid);
	} else if (oomtrace_names_label(n)[0]) {
		snprintf(kind, ksz, "unit");
		snprintf(name, nsz, "%s", n->unit);
	} else if (n->container_id[0]) {
		snprintf(kind, ksz, "container");
		snprintf(name, nsz, "%s %.12s", n->runtime[0] ? n->runtime : "?", n->container_id);
	} else {
		snprintf(kind, ksz, "comm");
		snprintf(name, nsz, "%s",
			 (ev->victim.known & OOMTRACE_T_COMM) ? ev->victim.comm : "?");
	}
}

/* Which of two events came first: wall time where both have it, else kernel time; unknown last. */
static bool earlier(const struct stamp *a, const struct stamp *b)
{
	if ((a->known & OOMTRACE_E_TIME) && (b->known & OOMTRACE_E_TIME))
		return a->time_us < b->time_us;
	if ((a->known & OOMTRACE_E_UPTIME) && (b->known & OOMTRACE_E_UPTIME))
		return a->uptime_ns < b->uptime_ns;
	return false;
}

static int report_add(struct report *r, const struct oomtrace_event *ev)
{
	char kind[12], name[320];
	struct row *w = NULL;
	size_t i;
	uint64_t kb = 0;
	bool sized = false;
	struct stamp at = {.known = ev->known & (OOMTRACE_E_TIME | OOMTRACE_E_UPTIME),
			   .time_us = ev->time_us,
			   .tz_off_s = ev->tz_off_s,
			   .uptime_ns = ev->uptime_ns};

	if (ev->record != OOMTRACE_RECORD_KILL || ev->outcome != OOMTRACE_OUTCOME_KILLED)
		return 0;
	key_of(ev, kind, sizeof(kind), name, sizeof(name));
	for (i = 0; i < r->n && !w; i++)
		if (strcmp(r->rows[i].kind, kind) == 0 && strcmp(r->rows[i].name, name) == 0)
			w = &r->rows[i];
	if (!w) {
		struct row *nr = oomtrace_grow(r->rows, &r->cap, r->n, sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		r->rows = nr;
		w = &r->rows[r->n++];
		memset(w, 0, sizeof(*w));
		snprintf(w->kind, sizeof(w->kind), "%s", kind);
		snprintf(w->name, sizeof(w->name), "%s", name);
	}
	w->kills++;
	if (!w->has_first || earlier(&at, &w->first))
		w->first = at;
	if (!w->has_first || earlier(&w->last, &at))
		w->last = at;
	w->has_first = true;
	if (ev->known & OOMTRACE_E_CONSTRAINT)
		w->constraints |= 1u << ev->constraint;
	add_word(w->killers, sizeof(w->killers), ev->killer.name[0] ? ev->killer.name : "kernel");
	if (ev->known & OOMTRACE_E_WHY)
		add_word(w->causes, sizeof(w->causes), oomtrace_cause_name(ev->cause));
	/* the largest victim, by what it held: anon + file + shmem rss */
	if (ev->victim.known & OOMTRACE_T_ANON_RSS) {
		kb += ev->victim.anon_rss_kb;
		sized = true;
	}
	if (ev->victim.known & OOMTRACE_T_FILE_RSS)
		kb += ev->victim.file_rss_kb;
	if (ev->victim.known & OOMTRACE_T_SHMEM_RSS)
		kb += ev->victim.shmem_rss_kb;
	if (!sized && ev->killer.name[0]) { /* a userspace killer states the RSS it saw */
		int64_t v;

		if (oomtrace_facts_get(&ev->killer.facts, "vm_rss_kb", &v) ||
		    oomtrace_facts_get(&ev->killer.facts, "rss_kb", &v)) {
			kb = (uint64_t)(v > 0 ? v : 0);
			sized = true;
		}
	}
	if (sized && (!w->has_big || kb > w->big_kb)) {
		w->has_big = true;
		w->big_kb = kb;
		w->big_pid = (ev->victim.known & OOMTRACE_T_PID) ? ev->victim.pid : -1;
		snprintf(w->big_comm, sizeof(w->big_comm), "%s",
			 (ev->victim.known & OOMTRACE_T_COMM) ? ev->victim.comm : "?");
	}
	return 0;
}

static int by_kills(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	if (a->kills != b->kills)
		return a->kills < b->kills ? 1 : -1;
	return strcmp(a->name, b->name);
}

/* "2026-11-27T03:56:23+00:00", or kernel time "+131.705 s", or "?" */
static void when(char *dst, size_t sz, const struct stamp *ev)
{
	if (ev->known & OOMTRACE_E_TIME) {
		char iso[64];

		oomtrace_format_iso8601(iso, sizeof(iso), ev->time_us, ev->tz_off_s, false);
		snprintf(dst, sz, "%s", iso);
	} else if (ev->known & OOMTRACE_E_UPTIME) {
		snprintf(dst, sz, "+%.3f s", (double)ev->uptime_ns / 1e9);
	} else {
		snprintf(dst, sz, "?");
	}
}

static void constraints(char *dst, size_t sz, uint32_t mask)
{
	int c;
	size_t o = 0;

	dst[0] = '\0';
	for (c = 0; c < 32; c++)
		if (mask & (1u << c))
			o +=
			    (size_t)snprintf(dst + o, o < sz ? sz - o : 0, "%s%s", o ? "," : "",
					     oomtrace_constraint_name((enum oomtrace_constraint)c));
	if (!dst[0])
		snprintf(dst, sz, "?");
}

/* Rows by kills (most first): a text table, or JSON Lines with @json. 0 or -EIO. */
static int report_write(struct report *r, FILE *f, bool json)
{
	size_t i;

	qsort(r->rows, r->n, sizeof(*r->rows), by_kills);
	if (!json)
		fprintf(f, "%-9s %-40s %6s  %-25s  %-25s  %-32s %-10s %-10s %s\n", "KIND", "NAME",
			"KILLS", "FIRST", "LAST", "LARGEST VICTIM (rss)", "CONSTRAINT", "KILLER",
			"CAUSE");
	for (i = 0; i < r->n; i++) {
		const struct row *w = &r->rows[i];
		char first[64], last[64], big[320], cons[64], name[sizeof(w->name) * 3];

		when(first, sizeof(first), &w->first);
		when(last, sizeof(last), &w->last);
		constraints(cons, sizeof(cons), w->constraints);
		oomtrace_utf8_repair(name, sizeof(name), w->name, strlen(w->name));
		if (json) {
			json_object *o = json_object_new_object(), *b = NULL;
			const char *s;

			json_object_object_add(o, "kind", json_object_new_string(w->kind));
			json_object_object_add(o, "name", oomtrace_json_string(w->name));
			json_object_object_add(o, "kills", json_object_new_uint64(w->kills));
			json_object_object_add(o, "first", json_object_new_string(first));
			json_object_object_add(o, "last", json_object_new_string(last));
			if (w->has_big) {
				b = json_object_new_object();
				json_object_object_add(
				    b, "pid",
				    w->big_pid >= 0 ? json_object_new_int(w->big_pid) : NULL);
				json_object_object_add(b, "comm",
						       oomtrace_json_string(w->big_comm));
				json_object_object_add(b, "rss_kb",
						       json_object_new_uint64(w->big_kb));
			}
			json_object_object_add(o, "largest_victim", b);
			json_object_object_add(o, "constraint", json_object_new_string(cons));
			json_object_object_add(o, "killer", json_object_new_string(w->killers));
			json_object_object_add(
			    o, "cause", json_object_new_string(w->causes[0] ? w->causes : "?"));
			s = oomtrace_json_line(o);
			fprintf(f, "%s\n", s);
			json_object_put(o);
			continue;
		}
		if (w->has_big) {
			char c[OOMTRACE_COMM_MAX * 3];

			oomtrace_utf8_repair(c, sizeof(c), w->big_comm, strlen(w->big_comm));
			snprintf(big, sizeof(big), "%d \"%s\" %" PRIu64 " kB", (int)w->big_pid, c,
				 w->big_kb);
		} else {
			snprintf(big, sizeof(big), "?");
		}
		fprintf(f, "%-9s %-40s %6" PRIu64 "  %-25s  %-25s  %-32s %-10s %-10s %s\n", w->kind,
			name, w->kills, first, last, big, cons, w->killers,
			w->causes[0] ? w->causes : "?");
	}
	return ferror(f) ? -EIO : 0;
}

static int summary_open(const struct oomtrace_output_conf *c, void **state)
{
	struct report *r;
	int fd, code;

	*state = NULL;
	if (!c->summary)
		return 0;
	if (!(r = oomtrace_output_state(sizeof(*r), c->path, &fd, &code)))
		return code;
	r->fd = fd;
	r->json = strcmp(c->format, "json") == 0;
	r->fmt = oomtrace_format_find(c->format);
	r->path = c->path;
	*state = r;
	return 0;
}

static int summary_event(void *state, struct oomtrace_out_event *oe)
{
	return report_add(state, oe->ev);
}

/* Events lost in transport are said when they are, as the event stream would say it. */
static void summary_lost(void *state, uint64_t n, uint64_t total)
{
	struct report *r = state;
	struct oomtrace_buf b = {0};

	(void)total;
	if (r->fmt->lost(&b, n) == 0)
		oomtrace_write_all(r->fd, b.p, b.len);
	oomtrace_buf_free(&b);
}

static int summary_close(void *state, const struct oomtrace_run_totals *t)
{
	struct report *r = state;
	FILE *f = NULL;
	int code = 0;

	if (t) {
		f = r->fd == STDOUT_FILENO ? stdout : fdopen(r->fd, "a");
		if (!f || report_write(r, f, r->json) || fflush(f)) {
			oomtrace_err("%s: cannot write the summary: %s",
				     r->path ? r->path : "<stdout>", strerror(errno));
			code = OOMTRACE_EXIT_RUNTIME;
		}
	}
	if (f && f != stdout)
		fclose(f);
	else if (!f && r->fd > STDERR_FILENO)
		close(r->fd);
	free(r->rows);
	free(r);
	return code;
}

const struct oomtrace_output_ops oomtrace_output_summary = {
    .name = "summary",
    .open = summary_open,
    .event = summary_event,
    .lost = summary_lost,
    .close = summary_close,
};
