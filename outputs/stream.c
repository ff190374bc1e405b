// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stream.c: the event stream outputs (text, bcc, json, otlp-json): events
 * rendered into one buffer and written with a single write(2) of whole events
 * to standard output or -o FILE (appended), so lines appended to one file by
 * several tracers never interleave. The buffer is written at the end of each
 * turn of the event loop (before the source may wait: a live kill shows at
 * once) or when it holds STREAM_BATCH bytes (a replayed log: one write per
 * batch, not per kill).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "log.h"
#include "output.h"
#include "util.h"

#define STREAM_BATCH 65536

struct stream {
	int fd;
	const struct oomtrace_format_ops *fmt;
	unsigned int flags;
	struct oomtrace_run_totals *t;
	struct oomtrace_buf buf;
	uint64_t nbuf; /* events in buf */
	const char *path;
};

/* -o FILE opened for appending (created 0644), or standard output; -1 with errno. */
int oomtrace_output_open_path(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return STDOUT_FILENO;
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

static int stream_open(const struct oomtrace_output_conf *c, const struct oomtrace_format_ops *fmt,
		       void **state)
{
	struct stream *s;
	int fd, code;

	*state = NULL;
	if (c->summary || strcmp(c->format, fmt->name) != 0)
		return 0;
	if (!(s = oomtrace_output_state(sizeof(*s), c->path, &fd, &code)))
		return code;
	s->fd = fd;
	s->fmt = fmt;
	s->flags = c->fmt_flags;
	s->t = c->totals;
	s->path = c->path && strcmp(c->path, "-") != 0 ? c->path : NULL;
	*state = s;
	return 0;
}

static int text_open(const struct oomtrace_output_conf *c, void **state)
{
	return stream_open(c, &oomtrace_format_text, state);
}

static int bcc_open(const struct oomtrace_output_conf *c, void **state)
{
	return stream_open(c, &oomtrace_format_bcc, state);
}

static int json_open(const struct oomtrace_output_conf *c, void **state)
{
	return stream_open(c, &oomtrace_format_json, state);
}

static int otlp_open(const struct oomtrace_output_conf *c, void **state)
{
	return stream_open(c, &oomtrace_format_otlp, state);
}

/* Write what the buffer holds; a failure is the run's write error, and the buffer's events are
 * counted unwritten. */
static int flush_buf(struct stream *s)
{
	int r = 0;

	if (s->buf.len && !s->t->write_error) {
		r = oomtrace_write_all(s->fd, s->buf.p, s->buf.len);
		if (r) {
			s->t->write_error = r;
			s->t->unwritten += s->nbuf;
		}
	} else if (s->t->write_error) {
		s->t->unwritten += s->nbuf;
	}
	oomtrace_buf_reset(&s->buf);
	s->nbuf = 0;
	return r;
}

static int stream_event(void *state, struct oomtrace_out_event *oe)
{
	struct stream *s = state;
	size_t mark = s->buf.len;
	int r;

	if (s->t->write_error) {
		/* the output is gone or blocked at a stop: count what it missed, wait no more */
		s->t->unwritten++;
		return OOMTRACE_OUT_DONE;
	}
	r = s->fmt->event(&s->buf, oe, s->flags);
	if (r) {
		/* not rendered (no memory): what came before it is still written */
		s->buf.len = mark;
		if (s->buf.p)
			s->buf.p[mark] = '\0';
		flush_buf(s);
		s->t->write_error = r;
		s->t->unwritten++;
		return r;
	}
	s->nbuf++;
	return s->buf.len >= STREAM_BATCH ? flush_buf(s) : 0;
}

static void stream_lost(void *state, uint64_t n, uint64_t total)
{
	struct stream *s = state;

	(void)total;
	s->fmt->lost(&s->buf, n);
}

static void stream_tick(void *state, double now)
{
	struct stream *s = state;

	(void)now;
	if (s->buf.len)
		flush_buf(s); /* a failure: the run's write error, which ends its loop */
}

static int stream_close(void *state, const struct oomtrace_run_totals *t)
{
	struct stream *s = state;
	int code = 0, r;

	(void)t;
	if (s->buf.len && (r = flush_buf(s)) && r != -EPIPE && r != -ETIMEDOUT && r != -EINTR) {
		/* (a reader gone ends the run quietly; one blocked at a stop is reported by the
		 * run)
		 */
		oomtrace_err("%s: cannot write: %s", s->path ? s->path : "<stdout>", strerror(-r));
		code = OOMTRACE_EXIT_RUNTIME;
	}
	if (s->fd > STDERR_FILENO)
		close(s->fd);
	oomtrace_buf_free(&s->buf);
	free(s);
	return code;
}

#define STREAM_OPS(fmtname, openfn)                                                                \
	{                                                                                          \
		.name = fmtname, .open = openfn, .event = stream_event, .lost = stream_lost,       \
		.tick = stream_tick, .close = stream_close                                         \
	}

const struct oomtrace_output_ops oomtrace_output_text = STREAM_OPS("text", text_open);
const struct oomtrace_output_ops oomtrace_output_bcc = STREAM_OPS("bcc", bcc_open);
const struct oomtrace_output_ops oomtrace_output_json = STREAM_OPS("json", json_open);
const struct oomtrace_output_ops oomtrace_output_otlp = STREAM_OPS("otlp-json", otlp_open);
