// SPDX-License-Identifier: GPL-2.0-or-later
/* registry.c: the outputs, in the order each event visits them, and the list of one run's open
 * ones. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "event_json.h"
#include "format.h"
#include "log.h"
#include "output.h"

/*
 * Metrics and the journal count every event that passes the filters; the
 * summary or one event stream writes it; the tallies count what was written
 * (and stop the run at -c N). Adding an output: its file, and its line here.
 */
const struct oomtrace_output_ops *const oomtrace_output_registry[] = {
    &oomtrace_output_metrics, /* --metrics-file, --metrics-listen */
    &oomtrace_output_journal, /* --journal */
    &oomtrace_output_hook,    /* --on-pressure */
    &oomtrace_output_summary, /* --summary */
    &oomtrace_output_text,    /* --format text (the default) */
    &oomtrace_output_bcc,     /* --format bcc */
    &oomtrace_output_json,    /* --format json */
    &oomtrace_output_otlp,    /* --format otlp-json */
    &oomtrace_output_tallies, /* the exit summary; -c N */
    NULL,
};

static const struct oomtrace_format_ops *const formats[] = {
    &oomtrace_format_text,
    &oomtrace_format_bcc,
    &oomtrace_format_json,
    &oomtrace_format_otlp,
};

const struct oomtrace_format_ops *oomtrace_format_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i]->name, name) == 0)
			return formats[i];
	return NULL;
}

const char *oomtrace_format_list(void)
{
	return "text, bcc, json, otlp-json";
}

void *oomtrace_output_state(size_t size, const char *path, int *fd, int *code)
{
	void *state = calloc(1, size);

	*code = OOMTRACE_EXIT_RUNTIME;
	if (!state) {
		oomtrace_err("out of memory");
		return NULL;
	}
	if (fd && (*fd = oomtrace_output_open_path(path)) < 0) {
		oomtrace_err("%s: cannot open for appending: %s", path, strerror(errno));
		free(state);
		return NULL;
	}
	*code = 0;
	return state;
}

json_object *oomtrace_out_json(struct oomtrace_out_event *oe)
{
	if (!oe->json)
		oe->json = oomtrace_event_to_json(oe->ev);
	return oe->json;
}

#define OUTPUTS_MAX (sizeof(oomtrace_output_registry) / sizeof(oomtrace_output_registry[0]))

struct oomtrace_outputs {
	unsigned int n;
	struct {
		const struct oomtrace_output_ops *ops;
		void *state;
	} o[OUTPUTS_MAX];
};

struct oomtrace_outputs *oomtrace_outputs_open(const struct oomtrace_output_conf *c, int *exit_code)
{
	struct oomtrace_outputs *o = calloc(1, sizeof(*o));
	const struct oomtrace_output_ops *const *ops;

	*exit_code = 0;
	if (!o) {
		oomtrace_err("out of memory");
		*exit_code = OOMTRACE_EXIT_RUNTIME;
		return NULL;
	}
	for (ops = oomtrace_output_registry; *ops; ops++) {
		void *state = NULL;

		*exit_code = (*ops)->open(c, &state);
		if (*exit_code) {
			oomtrace_outputs_close(o, NULL);
			return NULL;
		}
		if (state) {
			o->o[o->n].ops = *ops;
			o->o[o->n++].state = state;
		}
	}
	return o;
}

int oomtrace_outputs_start(struct oomtrace_outputs *o, const struct oomtrace_output_source *src)
{
	unsigned int i;
	int code;

	for (i = 0; i < o->n; i++)
		if (o->o[i].ops->start && (code = o->o[i].ops->start(o->o[i].state, src)))
			return code;
	return 0;
}

int oomtrace_outputs_event(struct oomtrace_outputs *o, struct oomtrace_event *ev)
{
	struct oomtrace_out_event oe = {.ev = ev};
	unsigned int i;
	int r = 0;

	for (i = 0; i < o->n && !r; i++)
		r = o->o[i].ops->event(o->o[i].state, &oe);
	json_object_put(oe.json);
	return r < 0 ? r : 0;
}

void oomtrace_outputs_lost(struct oomtrace_outputs *o, uint64_t n, uint64_t total)
{
	unsigned int i;

	for (i = 0; i < o->n; i++)
		if (o->o[i].ops->lost)
			o->o[i].ops->lost(o->o[i].state, n, total);
}

void oomtrace_outputs_tick(struct oomtrace_outputs *o, double now)
{
	unsigned int i;

	for (i = 0; i < o->n; i++)
		if (o->o[i].ops->tick)
			o->o[i].ops->tick(o->o[i].state, now);
}

int oomtrace_outputs_close(struct oomtrace_outputs *o, const struct oomtrace_run_totals *t)
{
	unsigned int i;
	int code = 0, c;

	if (!o)
		return 0;
	for (i = 0; i < o->n; i++)
		if ((c = o->o[i].ops->close(o->o[i].state, t)))
			code = c;
	free(o);
	return code;
}
