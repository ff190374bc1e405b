// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * journal.c: each event as one structured journal entry (--journal): a human
 * MESSAGE (the classic line), our MESSAGE_ID, a PRIORITY, and every fact of
 * the event's JSON object as an OOMTRACE_* field, so that `journalctl
 * MESSAGE_ID=...` and `journalctl OOMTRACE_POD=cart` find kills. The fields
 * are the JSON object flattened (one rule, docs/schema.md): nothing is
 * written twice by hand.
 *
 * libsystemd is loaded with dlopen, only for --journal (linked, it would
 * bring libgcrypt, liblzma, libzstd and liblz4 into every tracer).
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#include <json-c/json.h>

#include "event_json.h"
#include "format.h"
#include "journal.h"
#include "log.h"
#include "output.h"
#include "util.h"

static int (*journal_sendv)(const struct iovec *iov, int n);

#ifdef WITH_JOURNAL
#include "dl.h"

#define LIBSYSTEMD "libsystemd.so.0"

static int load(void)
{
	static const struct oomtrace_dlsym syms[] = {{"sd_journal_sendv", 0}};
	const char *missing;

	if (!journal_sendv && !oomtrace_dl_load(LIBSYSTEMD, syms, 1, &journal_sendv, &missing))
		return -ENOENT;
	return 0;
}
#else

static int load(void)
{
	return -ENOTSUP;
}
#endif

/* where sd_journal_sendv sends (libsystemd's own constant) */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

#define FIELD_MAX 64 /* journald drops longer field names */

void oomtrace_journal_field_name(char *dst, size_t dstsz, const char *prefix, const char *key)
{
	size_t n = 0;
	const char *s;

	if (!dstsz)
		return;
	for (s = prefix; *s && n + 1 < dstsz && n < FIELD_MAX; s++)
		dst[n++] = *s;
	if (n && dst[n - 1] != '_' && n + 1 < dstsz && n < FIELD_MAX)
		dst[n++] = '_';
	for (s = key; *s && n + 1 < dstsz && n < FIELD_MAX; s++) {
		unsigned char c = (unsigned char)*s;

		dst[n++] = isalnum(c) && c < 0x80 ? (char)toupper(c) : '_';
	}
	dst[n] = '\0';
}

/* The entry: "NAME=value" items back to back in one buffer, their ends in @ends. */
struct entry {
	struct oomtrace_buf b;
	size_t ends[512];
	int n;
};

static int add(struct entry *e, const char *name, const char *value, size_t len)
{
	if (e->n == (int)(sizeof(e->ends) / sizeof(e->ends[0])))
		return 0; /* an entry this large is not a real event: the rest is left out */
	if (oomtrace_buf_printf(&e->b, "%s=", name) || oomtrace_buf_append(&e->b, value, len))
		return -ENOMEM;
	e->ends[e->n++] = e->b.len;
	return 0;
}

/*
 * Every non-null leaf of @o as a field named @prefix_KEY; arrays of scalars
 * space-separated, other arrays as JSON. At the top (@top), "seq" is left
 * out (it numbers one output stream) and the k8s object's keys stand alone.
 */
static int flatten(struct entry *e, const char *prefix, json_object *o, bool top)
{
	char name[FIELD_MAX + 1];
	const char *v;
	size_t i, len;
	int r;

	json_object_object_foreach(o, key, val)
	{
		if (!val || (top && strcmp(key, "seq") == 0))
			continue; /* null: not known */
		if (json_object_is_type(val, json_type_object)) {
			oomtrace_journal_field_name(name, sizeof(name), prefix,
						    top && strcmp(key, "k8s") == 0 ? "" : key);
			if (flatten(e, name, val, false))
				return -ENOMEM;
			continue;
		}
		oomtrace_journal_field_name(name, sizeof(name), prefix, key);
		if (json_object_is_type(val, json_type_array)) {
			struct oomtrace_buf list = {0};
			bool scalars = true;

			for (i = 0; i < json_object_array_length(val); i++) {
				json_object *x = json_object_array_get_idx(val, i);

				if (json_object_is_type(x, json_type_object) ||
				    json_object_is_type(x, json_type_array))
					scalars = false;
			}
			if (!scalars) {
				v = oomtrace_json_line(val);
				r = add(e, name, v, strlen(v));
			} else {
				for (i = 0, r = 0; i < json_object_array_length(val) && !r; i++) {
					json_object *x = json_object_array_get_idx(val, i);

					r = oomtrace_buf_printf(&list, "%s%s", i ? " " : "",
								x ? json_object_get_string(x)
								  : "null");
				}
				if (!r)
					r = add(e, name, list.p ? list.p : "", list.len);
				oomtrace_buf_free(&list);
			}
			if (r)
				return r;
			continue;
		}
		if (json_object_is_type(val, json_type_string)) {
			v = json_object_get_string(val);
			len = (size_t)json_object_get_string_len(val);
		} else {
			v = oomtrace_json_line(val);
			len = strlen(v);
		}
		if (add(e, name, v, len))
			return -ENOMEM;
	}
	return 0;
}

static int send_entry(struct entry *e)
{
	struct iovec iov[sizeof(e->ends) / sizeof(e->ends[0])];
	size_t start = 0;
	int i, r;

	for (i = 0; i < e->n; i++) {
		iov[i].iov_base = e->b.p + start;
		iov[i].iov_len = e->ends[i] - start;
		start = e->ends[i];
	}
	r = journal_sendv(iov, e->n);
	oomtrace_buf_free(&e->b);
	return r < 0 ? r : 0;
}

static int add_common(struct entry *e, const char *message, const char *id, int prio)
{
	char p[4];

	snprintf(p, sizeof(p), "%d", prio);
	if (add(e, "MESSAGE", message, strlen(message)) || add(e, "MESSAGE_ID", id, strlen(id)) ||
	    add(e, "PRIORITY", p, strlen(p)) || add(e, "SYSLOG_IDENTIFIER", "oomtrace", 8))
		return -ENOMEM;
	return 0;
}

int oomtrace_journal_open(const char *backend, const char *probe)
{
	struct entry e = {.n = 0};
	char msg[160];
	int r = load();

	if (r)
		return r;
	/* libsystemd drops entries in silence when nobody listens: say so once, at the start */
	if (access(JOURNAL_SOCKET, F_OK) != 0)
		return -ENOTCONN;
	snprintf(msg, sizeof(msg), "oomtrace " PACKAGE_VERSION " started: %s/%s", backend, probe);
	if (add_common(&e, msg, OOMTRACE_JOURNAL_ID_START, LOG_INFO) ||
	    add(&e, "OOMTRACE_BACKEND", backend, strlen(backend)) ||
	    add(&e, "OOMTRACE_PROBE", probe, strlen(probe))) {
		oomtrace_buf_free(&e.b);
		return -ENOMEM;
	}
	return send_entry(&e);
}

/*
 * Where the victim ran, after the classic line in MESSAGE: the one field a log-line reader sees
 * (node-problem-detector's journald monitor passes MESSAGE alone: deploy/node-problem-detector/).
 * "; pod NS/NAME, container C" (the pod by its uid where its name is not known), "; container
 * RUNTIME ID", "; unit U"; nothing where none is known.
 */
static int where(struct oomtrace_buf *b, const struct oomtrace_names *n)
{
	char tmp[800];

	if (n->pod_uid[0]) {
		if (n->pod[0])
			snprintf(tmp, sizeof(tmp), "; pod %s/%s",
				 n->k8s_namespace[0] ? n->k8s_namespace : "?", n->pod);
		else
			snprintf(tmp, sizeof(tmp), "; pod uid %s", n->pod_uid);
		if (oomtrace_buf_append(b, tmp, strlen(tmp)))
			return -ENOMEM;
		if (n->container[0])
			return oomtrace_buf_printf(b, ", container %s", n->container);
		return n->container_id[0]
			   ? oomtrace_buf_printf(b, ", container %.12s", n->container_id)
			   : 0;
	}
	if (n->container_id[0])
		return oomtrace_buf_printf(b, "; container %s %.12s",
					   n->runtime[0] ? n->runtime : "?", n->container_id);
	return n->unit[0] ? oomtrace_buf_printf(b, "; unit %s", n->unit) : 0;
}

int oomtrace_journal_event(struct oomtrace_out_event *oe)
{
	const struct oomtrace_event *ev = oe->ev;
	struct oomtrace_buf line = {0};
	struct entry e = {.n = 0};
	json_object *o;
	char *nl;
	int prio, r = -ENOMEM;

	if (!journal_sendv)
		return -ENOTSUP;
	if (oomtrace_format_text.event(&line, oe, 0) || !line.p)
		goto out;
	nl = strchr(line.p, '\n');
	if (nl) {
		*nl = '\0';
		line.len = (size_t)(nl - line.p);
	}
	if (where(&line, &ev->names))
		goto out;
	prio = ev->record == OOMTRACE_RECORD_REAP	? LOG_INFO
	       : ev->outcome == OOMTRACE_OUTCOME_PANIC	? LOG_CRIT
	       : ev->outcome == OOMTRACE_OUTCOME_KILLED ? LOG_ERR
							: LOG_WARNING;
	o = oomtrace_out_json(oe);
	if (!o)
		goto out;
	if (add_common(&e, line.p,
		       ev->record == OOMTRACE_RECORD_REAP	? OOMTRACE_JOURNAL_ID_REAP
		       : ev->record == OOMTRACE_RECORD_PRESSURE ? OOMTRACE_JOURNAL_ID_PRESSURE
								: OOMTRACE_JOURNAL_ID_KILL,
		       prio) == 0 &&
	    flatten(&e, "OOMTRACE", o, true) == 0) {
		json_object *unit;

		/* journalctl -u UNIT shows a root sender's entries about UNIT: the victim's unit's
		 * log */
		r = 0;
		if (json_object_object_get_ex(o, "unit", &unit) &&
		    json_object_is_type(unit, json_type_string))
			r = add(&e, "OBJECT_SYSTEMD_UNIT", json_object_get_string(unit),
				(size_t)json_object_get_string_len(unit));
		if (!r)
			r = send_entry(&e);
	}
out:
	oomtrace_buf_free(&e.b);
	oomtrace_buf_free(&line);
	return r;
}

int oomtrace_journal_lost(uint64_t n, uint64_t total)
{
	struct entry e = {.n = 0};
	char msg[120], num[24], tot[24];

	if (!journal_sendv)
		return -ENOTSUP;
	snprintf(msg, sizeof(msg), "%" PRIu64 " OOM event%s lost in transport (%" PRIu64 " in all)",
		 n, n == 1 ? "" : "s", total);
	snprintf(num, sizeof(num), "%" PRIu64, n);
	snprintf(tot, sizeof(tot), "%" PRIu64, total);
	if (add_common(&e, msg, OOMTRACE_JOURNAL_ID_LOST, LOG_WARNING) ||
	    add(&e, "OOMTRACE_LOST", num, strlen(num)) ||
	    add(&e, "OOMTRACE_LOST_TOTAL", tot, strlen(tot))) {
		oomtrace_buf_free(&e.b);
		return -ENOMEM;
	}
	return send_entry(&e);
}

/* ---- the output ------------------------------------------------------------- */

struct journal_out {
	bool warned; /* an entry could not be sent: said once */
};

static int journal_out_open(const struct oomtrace_output_conf *c, void **state)
{
	int code = 0;

	*state = c->journal ? oomtrace_output_state(sizeof(struct journal_out), NULL, NULL, &code)
			    : NULL;
	return code;
}

static int journal_out_start(void *state, const struct oomtrace_output_source *src)
{
	/* before the sandbox: the first entry opens the journal's socket */
	int r = oomtrace_journal_open(src->backend, src->probe);

	(void)state;
	if (!r)
		return 0;
	oomtrace_err(
	    "--journal: %s",
	    r == -ENOTSUP  ? "not built with libsystemd (reconfigure with libsystemd-dev)"
	    : r == -ENOENT ? "libsystemd.so.0 not found: install libsystemd0 (Debian) or "
			     "systemd-libs (openEuler)"
	    : r == -ENOTCONN
		? "no journal here (/run/systemd/journal/socket): is systemd-journald running?"
		: strerror(-r));
	return r == -ENOTSUP || r == -ENOENT ? OOMTRACE_EXIT_USAGE : OOMTRACE_EXIT_RUNTIME;
}

static int journal_out_event(void *state, struct oomtrace_out_event *oe)
{
	struct journal_out *j = state;
	int r = oomtrace_journal_event(oe);

	if (r && !j->warned) {
		j->warned = true;
		oomtrace_warn("--journal: cannot send an event to the journal: %s", strerror(-r));
	}
	return 0;
}

static void journal_out_lost(void *state, uint64_t n, uint64_t total)
{
	(void)state;
	oomtrace_journal_lost(n, total);
}

static int journal_out_close(void *state, const struct oomtrace_run_totals *t)
{
	(void)t;
	free(state);
	return 0;
}

const struct oomtrace_output_ops oomtrace_output_journal = {
    .name = "journal",
    .open = journal_out_open,
    .start = journal_out_start,
    .event = journal_out_event,
    .lost = journal_out_lost,
    .close = journal_out_close,
};
