/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options.h: the program's options, parsed into one struct before anything runs. */
#ifndef OOMTRACE_OPTIONS_H
#define OOMTRACE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "filter.h"

/* the comms --killer may add to the defaults (the BPF map holds 64) */
#define OOMTRACE_KILLERS_MAX 48

struct oomtrace_config {
	struct oomtrace_backend_opts bo; /* what the backends are given */
	const char *backend;		 /* auto, libbpf, bcc, replay */
	const char *format;		 /* text, bcc, json */
	unsigned int fmt_flags;		 /* OOMTRACE_FMT_* */
	const char *output;		 /* -o FILE; NULL: standard output */
	int verbose;
	uint64_t count_limit; /* -c N (0: none) */
	double duration;      /* -d SECS (< 0: none) */
	struct oomtrace_filter filter;
	bool check;		      /* --check: what this kernel offers, no tracing */
	bool no_sandbox;	      /* --no-sandbox */
	bool summary;		      /* --summary */
	bool journal;		      /* --journal */
	const char *on_pressure;      /* --on-pressure CMD */
	const char *on_pressure_user; /* --on-pressure-user USER */
	bool context_set;	      /* --context was given */
	const char *metrics_file;
	const char *metrics_listen;
	double metrics_interval;
	/* userspace memory killers, by comm: the defaults, --killer's, NULL-terminated (bo.killers)
	 */
	const char *killers[OOMTRACE_KILLERS_MAX + 1];
	unsigned int nkillers;
	bool no_killers; /* --no-killers */
};

/*
 * Parse @argv into @c (program/options.c). -1: run (or --check); else the
 * exit code to leave with: --help, --version, or a bad argument (said).
 */
int oomtrace_options_parse(int argc, char **argv, struct oomtrace_config *c);
/* One line "OPT 'VAL': WHY (see --help)"; returns OOMTRACE_EXIT_USAGE. */
int oomtrace_bad_arg(const char *opt, const char *val, const char *why);

/* Trace (or replay) until done or stopped (program/run.c): the exit code. */
int oomtrace_run(struct oomtrace_config *c);
/* oomtrace --check: this kernel's mechanisms and what auto picks (program/check.c). */
int oomtrace_check_run(struct oomtrace_config *c);

/*
 * The first live backend that can run here and attaches a probe, opened
 * (program/select.c): its state in *@state, or NULL when none does. @note
 * hears of each one passed over: @why its reason, or NULL when it probed
 * fine but attached nothing.
 */
const struct oomtrace_backend_info *
oomtrace_select_live(const struct oomtrace_backend_opts *bo, void **state,
		     void (*note)(void *ctx, const char *backend, const char *why), void *ctx);

#endif
