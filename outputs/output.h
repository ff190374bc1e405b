/* SPDX-License-Identifier: GPL-2.0-or-later */
/* output.h: where events go: every output (text, bcc, JSON, metrics, journal, summary, tallies)
 * behind one ops struct. */
#ifndef OOMTRACE_OUTPUT_H
#define OOMTRACE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "backend.h" /* OOMTRACE_EXIT_* */
#include "event.h"

/* What the run's totals hold; outputs may record in it (the event stream's write error). */
struct oomtrace_run_totals {
	uint64_t lost;	    /* events lost in transport, so far */
	uint64_t no_cgroup; /* kills --cgroup could not match: the source knew no cgroup */
	int write_error;    /* the event stream's first write error, -errno (0: none) */
	uint64_t unwritten; /* events the stream dropped once its output failed or blocked */
};

/* What the program asks of the outputs (each output takes what is its own). */
struct oomtrace_output_conf {
	const char *format;	   /* text, bcc, json: the event stream */
	unsigned int fmt_flags;	   /* OOMTRACE_FMT_* */
	const char *path;	   /* -o FILE; NULL: standard output */
	bool summary;		   /* --summary: a table at the end instead of the stream */
	uint64_t count_limit;	   /* -c N: stop after N events written (0: no limit) */
	bool print_tallies;	   /* the exit summary on stderr (live, or -v) */
	const char *cgroup_filter; /* --cgroup, named in the exit summary */
	const char *metrics_file;
	const char *metrics_listen;
	double metrics_interval;
	bool journal;
	const char *on_pressure;	    /* --on-pressure CMD: run with each pressure record */
	const char *on_pressure_user;	    /* as this user (NULL: nobody) */
	struct oomtrace_run_totals *totals; /* the run's, for outputs to record in */
};

/* Who makes the events, once attached: told to outputs before privileges are dropped. */
struct oomtrace_output_source {
	const char *backend; /* libbpf, bcc, replay */
	const char *probe;   /* as the backend names it */
};

/* One event on its way through the outputs; its JSON object is built once, when first asked for. */
struct oomtrace_out_event {
	struct oomtrace_event *ev;
	json_object *json;
};

/* The event's JSON object (owned by @oe), NULL on ENOMEM. */
json_object *oomtrace_out_json(struct oomtrace_out_event *oe);

/* event() returns this: consumed, the outputs after this one do not see the event */
#define OOMTRACE_OUT_DONE 1

/*
 * An output. open() decides from the configuration whether it is asked for
 * (*state NULL: not asked for, nothing else is called) and owns *state until
 * close(), which frees it. Errors are said by the output itself (oomtrace_err)
 * and returned as an OOMTRACE_EXIT_* code.
 */
struct oomtrace_output_ops {
	const char *name;
	/* Before the source opens: 0, or an exit code. */
	int (*open)(const struct oomtrace_output_conf *c, void **state);
	/* Optional: the source is attached; sockets may still be opened (the sandbox comes next).
	 */
	int (*start)(void *state, const struct oomtrace_output_source *src);
	/* One event: 0 to go on, OOMTRACE_OUT_DONE, or -errno, which stops the source. */
	int (*event)(void *state, struct oomtrace_out_event *oe);
	/* Optional: @n more events lost in transport, @total in all. */
	void (*lost)(void *state, uint64_t n, uint64_t total);
	/* Optional: once per turn of the event loop (@now: CLOCK_MONOTONIC seconds). */
	void (*tick)(void *state, double now);
	/* The end: the last writes (not when @t is NULL: the run failed before it began). An exit
	 * code. */
	int (*close)(void *state, const struct oomtrace_run_totals *t);
};

/* The outputs, each in its own file; outputs/registry.c lists them in the order events visit them.
 */
extern const struct oomtrace_output_ops oomtrace_output_metrics; /* outputs/metrics.c */
extern const struct oomtrace_output_ops oomtrace_output_journal; /* outputs/journal.c */
extern const struct oomtrace_output_ops oomtrace_output_summary; /* outputs/summary.c */
extern const struct oomtrace_output_ops oomtrace_output_text;	 /* outputs/stream.c */
extern const struct oomtrace_output_ops oomtrace_output_bcc;	 /* outputs/stream.c */
extern const struct oomtrace_output_ops oomtrace_output_json;	 /* outputs/stream.c */
extern const struct oomtrace_output_ops oomtrace_output_otlp;	 /* outputs/stream.c */
extern const struct oomtrace_output_ops oomtrace_output_tallies; /* outputs/tallies.c */
extern const struct oomtrace_output_ops oomtrace_output_hook;	 /* outputs/hook.c */

/* -o FILE opened for appending (created 0644), or standard output (NULL, "-"); -1 with errno. */
int oomtrace_output_open_path(const char *path);
/*
 * An output's state: @size bytes zeroed and, where @fd is given, @path opened
 * for appending into *@fd (oomtrace_output_open_path). NULL with *@code set
 * when either cannot be had (said, naming the path).
 */
void *oomtrace_output_state(size_t size, const char *path, int *fd, int *code);

/* The open outputs of one run, in registry order. */
struct oomtrace_outputs;

/* Every registered output, NULL-terminated (outputs/registry.c). */
extern const struct oomtrace_output_ops *const oomtrace_output_registry[];

/* Open what @c asks for. NULL with *@exit_code set when one cannot (it said why). */
struct oomtrace_outputs *oomtrace_outputs_open(const struct oomtrace_output_conf *c,
					       int *exit_code);
/* The source is attached: 0 or the first output's exit code. */
int oomtrace_outputs_start(struct oomtrace_outputs *o, const struct oomtrace_output_source *src);
/* Hand @ev to each output in turn: 0, or the -errno that stops the source. */
int oomtrace_outputs_event(struct oomtrace_outputs *o, struct oomtrace_event *ev);
void oomtrace_outputs_lost(struct oomtrace_outputs *o, uint64_t n, uint64_t total);
void oomtrace_outputs_tick(struct oomtrace_outputs *o, double now);
/* Close all (@t NULL: without their last writes) and free @o; the worst exit code (0: none). */
int oomtrace_outputs_close(struct oomtrace_outputs *o, const struct oomtrace_run_totals *t);

#endif
