/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parser.h: kernel-log lines in, OOM events out; a pure state machine (no I/O, no globals) that can
 * be fuzzed. */
#ifndef OOMTRACE_PARSER_H
#define OOMTRACE_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* Called for every finished event; a non-zero return stops the parser and is passed up. */
typedef int (*oomtrace_sink_fn)(void *ctx, struct oomtrace_event *ev);

struct oomtrace_parser_opts {
	/* Year for syslog lines, which carry none (0: the year of @now_us). */
	int year;
	/* "Now" (µs since the epoch) used to pick a syslog line's year; 0: no guess */
	int64_t now_us;
	/* Boot time (µs since the epoch) to turn kernel timestamps into wall time; 0: unknown */
	int64_t boot_us;
	/* Zone offset used to show times derived from @boot_us */
	int32_t boot_tz_off_s;
	/* Host name to stamp on events from logs that do not carry one; NULL: none */
	const char *host;
	/*
	 * Converts a zone-less local time (dmesg -T, BSD syslog) to µs since the
	 * epoch and its zone offset; NULL: treat such times as UTC.
	 */
	int (*local_time)(int year, int mon, int mday, int hour, int min, int sec, int64_t *epoch_s,
			  int32_t *tz_off_s);
};

struct oomtrace_parser_stats {
	uint64_t lines;		/* lines seen by the parser */
	uint64_t events;	/* events emitted */
	uint64_t partial;	/* of which partial */
	uint64_t orphan_reaper; /* reaper lines that matched no kill */
};

struct oomtrace_parser;

/* NULL + errno on failure. */
struct oomtrace_parser *oomtrace_parser_new(const struct oomtrace_parser_opts *opts);
void oomtrace_parser_free(struct oomtrace_parser *p);

/*
 * Feed one line of log text (@len bytes, without the newline; any bytes).
 * Returns 0 or the sink's non-zero return.
 */
int oomtrace_parser_line(struct oomtrace_parser *p, const char *line, size_t len,
			 oomtrace_sink_fn sink, void *ctx);
/*
 * End of input (or, with @idle, a pause in a followed stream): emit every
 * event still held back; a record cut off mid-way is emitted as partial
 * (only at end of input, not on @idle).
 */
int oomtrace_parser_flush(struct oomtrace_parser *p, bool idle, oomtrace_sink_fn sink, void *ctx);
/* Forget per-input state (the next line starts a new file); held events stay. */
void oomtrace_parser_new_input(struct oomtrace_parser *p);

/*
 * True when no record is open (or waiting for a line that may go on): lines
 * in which oomtrace_parser_scan() finds nothing cannot change anything then,
 * so a reader may skip them without calling oomtrace_parser_line().
 */
bool oomtrace_parser_idle(const struct oomtrace_parser *p);
/* Kills are held back (for their oom_reaper line) or a line may go on: flush soon when input
 * pauses. */
bool oomtrace_parser_waiting(const struct oomtrace_parser *p);
/* The pre-filter (replay/scan.c): the first place in [b, end) where a line that matters may be, or
 * NULL. */
const char *oomtrace_parser_scan(const struct oomtrace_parser *p, const char *b, const char *end);

const struct oomtrace_parser_stats *oomtrace_parser_stats(const struct oomtrace_parser *p);

#endif
