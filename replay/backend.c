// SPDX-License-Identifier: GPL-2.0-or-later
/* backend.c: the replay backend: kernel logs through the parser, or recorded events, into the core.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "parser.h"
#include "reader.h"
#include "replay.h"

struct replay {
	struct oomtrace_backend_opts opts;
	const char *const *files;
	size_t nfiles, cur;
	const char *stdin_only[2];
	struct oomtrace_reader *rd;
	struct oomtrace_parser *parser;
	bool events_mode;
	uint64_t line_no;
	uint64_t lost;
	unsigned int errors;
	/* the current poll's destination */
	oomtrace_event_fn fn;
	void *ctx;
	int delivered;
	int cb_error;
	bool done;
	struct oomtrace_event ev; /* scratch for recorded events */
	char hostname[64];
};

static int replay_probe(const struct oomtrace_backend_opts *o, char *why, size_t whysz)
{
	(void)o;
	(void)why;
	(void)whysz;
	return 0;
}

/* zone-less local time → epoch, through the C library's TZ rules */
static int local_time(int year, int mon, int mday, int hour, int min, int sec, int64_t *epoch_s,
		      int32_t *tz_off_s)
{
	struct tm tm = {.tm_year = year - 1900,
			.tm_mon = mon - 1,
			.tm_mday = mday,
			.tm_hour = hour,
			.tm_min = min,
			.tm_sec = sec,
			.tm_isdst = -1};
	time_t t = mktime(&tm);

	if (t == (time_t)-1 && errno == EOVERFLOW)
		return -EOVERFLOW;
	*epoch_s = (int64_t)t;
	*tz_off_s = (int32_t)tm.tm_gmtoff;
	return 0;
}

static int replay_open(const struct oomtrace_backend_opts *o, void **state)
{
	struct replay *r = calloc(1, sizeof(*r));
	struct oomtrace_parser_opts po = {0};
	struct timeval now;
	size_t n = 0;

	if (!r)
		return -ENOMEM;
	r->opts = *o;
	if (o->files)
		while (o->files[n])
			n++;
	if (n) {
		r->files = (const char *const *)o->files;
		r->nfiles = n;
	} else {
		r->stdin_only[0] = "-";
		r->files = r->stdin_only;
		r->nfiles = 1;
	}
	r->events_mode = o->events_file != NULL;
	if (r->events_mode) {
		r->stdin_only[0] = o->events_file;
		r->files = r->stdin_only;
		r->nfiles = 1;
	}
	gettimeofday(&now, NULL);
	po.year = o->year;
	po.now_us = (int64_t)now.tv_sec * 1000000 + now.tv_usec;
	po.local_time = local_time;
	for (n = 0; n < r->nfiles; n++) {
		if (strcmp(r->files[n], "/dev/kmsg") == 0) {
			/* records of this boot: kernel time + boot time = wall time */
			struct timespec up;
			struct tm tm;
			time_t t = now.tv_sec;

			clock_gettime(CLOCK_BOOTTIME, &up);
			po.boot_us = po.now_us - ((int64_t)up.tv_sec * 1000000 + up.tv_nsec / 1000);
			localtime_r(&t, &tm);
			po.boot_tz_off_s = (int32_t)tm.tm_gmtoff;
			if (gethostname(r->hostname, sizeof(r->hostname) - 1) == 0)
				po.host = r->hostname;
		}
	}
	r->parser = oomtrace_parser_new(&po);
	if (!r->parser) {
		free(r);
		return -ENOMEM;
	}
	*state = r;
	return 0;
}

static int to_core(void *ctx, struct oomtrace_event *ev)
{
	struct replay *r = ctx;

	r->delivered++;
	r->cb_error = r->fn(r->ctx, ev);
	return r->cb_error;
}

static int log_line(void *ctx, const char *line, size_t len)
{
	struct replay *r = ctx;

	return oomtrace_parser_line(r->parser, line, len, to_core, r);
}

static bool log_can_skip(void *ctx)
{
	struct replay *r = ctx;

	return oomtrace_parser_idle(r->parser);
}

static const char *log_scan(void *ctx, const char *b, const char *end)
{
	struct replay *r = ctx;

	return oomtrace_parser_scan(r->parser, b, end);
}

static int event_line(void *ctx, const char *line, size_t len)
{
	struct replay *r = ctx;
	char err[256];
	uint64_t lost = 0;
	int k;

	r->line_no++;
	k = oomtrace_events_parse_line(line, len, &r->ev, &lost, err, sizeof(err));
	if (k == 1)
		return to_core(r, &r->ev);
	if (k == 2) {
		r->lost += lost;
		return 0;
	}
	if (k < 0) {
		if (k == -ENOMEM)
			return k;
		r->errors++;
		oomtrace_warn("%s:%llu: %s; line skipped", oomtrace_reader_name(r->rd),
			      (unsigned long long)r->line_no, err);
	}
	return 0;
}

/* Open the next input that can be opened; false when none is left. */
static bool next_input(struct replay *r)
{
	while (r->cur < r->nfiles) {
		const char *f = r->files[r->cur++];
		bool last = r->cur == r->nfiles;

		r->rd = oomtrace_reader_open(f, r->opts.follow && last);
		if (r->rd) {
			r->line_no = 0;
			oomtrace_parser_new_input(r->parser);
			return true;
		}
		r->errors++;
		oomtrace_err("%s: %s", strcmp(f, "-") ? f : "<stdin>", strerror(errno));
	}
	return false;
}

static int replay_poll(void *state, int timeout_ms, oomtrace_event_fn fn, void *ctx)
{
	struct replay *r = state;
	struct oomtrace_reader_cb cb = {.ctx = r};
	int rc;

	r->fn = fn;
	r->ctx = ctx;
	r->delivered = 0;
	r->cb_error = 0;
	if (r->events_mode) {
		cb.line = event_line;
	} else {
		cb.line = log_line;
		cb.can_skip = log_can_skip;
		cb.scan = log_scan;
	}
	if (r->done)
		return OOMTRACE_EOF;
	for (;;) {
		/* a kill waiting only for what may follow it is shown within 50 ms of a pause */
		if (!r->events_mode && timeout_ms > 50 && oomtrace_parser_waiting(r->parser))
			timeout_ms = 50;
		if (!r->rd && !next_input(r)) {
			rc = r->events_mode ? 0
					    : oomtrace_parser_flush(r->parser, false, to_core, r);
			if (rc)
				return rc;
			r->done = true;
			return r->delivered ? r->delivered : OOMTRACE_EOF;
		}
		rc = oomtrace_reader_poll(r->rd, timeout_ms, &cb);
		if (r->cb_error)
			return r->cb_error; /* the core asked to stop, or could not write */
		if (rc == OOMTRACE_EOF) {
			r->errors += oomtrace_reader_problems(r->rd);
			oomtrace_reader_close(r->rd);
			r->rd = NULL;
			if (r->delivered)
				return r->delivered;
			continue;
		}
		if (rc < 0) {
			if (rc == -EINTR)
				return r->delivered;
			if (rc == -ENOMEM)
				return rc;
			/* a read error: report, count, go on with the next input */
			oomtrace_err("%s: %s", oomtrace_reader_name(r->rd), strerror(-rc));
			r->errors += 1 + oomtrace_reader_problems(r->rd);
			oomtrace_reader_close(r->rd);
			r->rd = NULL;
			continue;
		}
		if (rc == 0) {
			/* following and nothing new: let held events out */
			if (!r->events_mode) {
				rc = oomtrace_parser_flush(r->parser, true, to_core, r);
				if (rc)
					return rc;
			}
			return r->delivered;
		}
		if (r->delivered)
			return r->delivered;
	}
}

static void replay_close(void *state)
{
	struct replay *r = state;

	if (!r)
		return;
	oomtrace_reader_close(r->rd);
	oomtrace_parser_free(r->parser);
	free(r);
}

static uint64_t replay_lost(void *state)
{
	return ((struct replay *)state)->lost;
}

static unsigned int replay_input_errors(void *state)
{
	struct replay *r = state;

	return r->errors + (r->rd ? oomtrace_reader_problems(r->rd) : 0);
}

static const char *replay_probe_name(void *state)
{
	return ((struct replay *)state)->events_mode ? "events" : "log";
}

const struct oomtrace_backend_ops oomtrace_replay_ops = {
    .name = "replay",
    .probe = replay_probe,
    .open = replay_open,
    .poll = replay_poll,
    .close = replay_close,
    .lost = replay_lost,
    .input_errors = replay_input_errors,
    .probe_name = replay_probe_name,
};
