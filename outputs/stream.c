// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stream.c: the event stream outputs (text, bcc, json): each event rendered
 * into one buffer and written with a single write(2) to standard output or
 * -o FILE (appended), so lines appended to one file by several tracers never
 * interleave.
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

struct stream {
	int fd;
	const struct oomtrace_format_ops *fmt;
	unsigned int flags;
	struct oomtrace_run_totals *t;
	struct oomtrace_buf buf;
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

static int flush_buf(struct stream *s)
{
	int r = s->buf.len ? oomtrace_write_all(s->fd, s->buf.p, s->buf.len) : 0;

	oomtrace_buf_reset(&s->buf);
	return r;
}

static int stream_event(void *state, struct oomtrace_out_event *oe)
{
	struct stream *s = state;
	int r;

	if (s->t->write_error) {
		/* the output is gone or blocked at a stop: count what it missed, wait no more */
		s->t->unwritten++;
		return OOMTRACE_OUT_DONE;
	}
	oomtrace_buf_reset(&s->buf);
	r = s->fmt->event(&s->buf, oe, s->flags);
	r = r ? r : flush_buf(s);
	if (r) {
		s->t->write_error = r;
		s->t->unwritten++;
	}
	return r;
}

static void stream_lost(void *state, uint64_t n, uint64_t total)
{
	struct stream *s = state;

	(void)total;
	oomtrace_buf_reset(&s->buf);
	if (s->fmt->lost(&s->buf, n) == 0)
		flush_buf(s);
}

static int stream_close(void *state, const struct oomtrace_run_totals *t)
{
	struct stream *s = state;

	(void)t;
	if (s->fd > STDERR_FILENO)
		close(s->fd);
	oomtrace_buf_free(&s->buf);
	free(s);
	return 0;
}

#define STREAM_OPS(fmtname, openfn)                                                                \
	{                                                                                          \
		.name = fmtname, .open = openfn, .event = stream_event, .lost = stream_lost,       \
		.close = stream_close                                                              \
	}

const struct oomtrace_output_ops oomtrace_output_text = STREAM_OPS("text", text_open);
const struct oomtrace_output_ops oomtrace_output_bcc = STREAM_OPS("bcc", bcc_open);
const struct oomtrace_output_ops oomtrace_output_json = STREAM_OPS("json", json_open);
const struct oomtrace_output_ops oomtrace_output_otlp = STREAM_OPS("otlp-json", otlp_open);
