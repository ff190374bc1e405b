// SPDX-License-Identifier: GPL-2.0-or-later
/* reader.c: buffered line reading over read(2), zlib and /dev/kmsg, with skipping of lines that cannot matter. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "backend.h"
#include "log.h"
#include "reader.h"

#define BUF_SIZE (1u << 20)

enum kind {
	K_FILE, /* through zlib: plain or gzip */
	K_KMSG,
	K_PIPE_FOLLOW, /* a plain file followed with read(2) */
	K_RAW,         /* a plain file read with read(2) */
};

struct oomtrace_reader {
	char *name;
	enum kind kind;
	int fd;
	gzFile gz;
	bool follow;
	bool eof;
	char *buf;
	size_t start, len; /* unconsumed bytes: buf[start, start+len) */
	bool discarding;   /* inside an over-long line: drop until its newline */
	uint64_t offset;   /* bytes consumed so far (for messages) */
	unsigned int problems;
	bool warned_nul, warned_long;
};

static void problem(struct oomtrace_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct oomtrace_reader *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->problems++;
	oomtrace_warn("%s: %s", r->name, msg);
}

struct oomtrace_reader *oomtrace_reader_open(const char *path, bool follow)
{
	struct oomtrace_reader *r = calloc(1, sizeof(*r));
	int e;

	if (!r)
		return NULL;
	r->fd = -1;
	r->follow = follow;
	r->name = strdup(!path || strcmp(path, "-") == 0 ? "<stdin>" : path);
	r->buf = malloc(BUF_SIZE);
	if (!r->name || !r->buf) {
		e = ENOMEM;
		goto fail;
	}
	if (!path || strcmp(path, "-") == 0) {
		r->fd = dup(STDIN_FILENO);
	} else if (strcmp(path, "/dev/kmsg") == 0) {
		r->kind = K_KMSG;
		r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	} else {
		struct stat st;

		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd >= 0 && fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			e = EISDIR;
			goto fail;
		}
	}
	if (r->fd < 0) {
		e = errno;
		goto fail;
	}
	if (r->kind == K_FILE) {
		/*
		 * Plain files are read with read(2) (zlib's transparent mode would
		 * copy every byte once more); a followed file is read raw so that
		 * growth is seen. Pipes cannot be peeked at: they go through zlib.
		 */
		unsigned char magic[2];
		ssize_t n = pread(r->fd, magic, 2, 0);

		if (n >= 0 && !(n == 2 && magic[0] == 0x1f && magic[1] == 0x8b))
			r->kind = follow ? K_PIPE_FOLLOW : K_RAW;
	}
	if (r->kind == K_FILE) {
		r->gz = gzdopen(r->fd, "rb");
		if (!r->gz) {
			e = ENOMEM;
			goto fail;
		}
		r->fd = -1; /* owned by gz now */
		gzbuffer(r->gz, 256 * 1024);
	}
	return r;
fail:
	if (r->fd >= 0)
		close(r->fd);
	free(r->name);
	free(r->buf);
	free(r);
	errno = e;
	return NULL;
}

/* Fill the buffer; returns bytes read, 0 at end/nothing now, -errno. */
static ssize_t fill(struct oomtrace_reader *r, int timeout_ms)
{
	size_t room;
	ssize_t n;

	if (r->start && r->len)
		memmove(r->buf, r->buf + r->start, r->len);
	r->start = 0;
	room = BUF_SIZE - r->len;
	if (r->kind == K_FILE) {
		int got = gzread(r->gz, r->buf + r->len, (unsigned int)room);

		if (got < 0) {
			int zerr;
			const char *msg = gzerror(r->gz, &zerr);

			if (zerr == Z_ERRNO)
				return -errno;
			problem(r, "corrupt gzip stream (%s)", msg);
			return 0;
		}
		if (got == 0) {
			int zerr;
			const char *msg = gzerror(r->gz, &zerr);

			if (zerr != Z_OK && zerr != Z_STREAM_END)
				problem(r, "truncated or corrupt gzip stream (%s)", msg);
		}
		return got;
	}
	for (;;) {
		n = read(r->fd, r->buf + r->len, room);
		if (n >= 0) {
			/* /dev/kmsg hands out one record per read, newline included */
			return n;
		}
		if (errno == EINTR)
			continue;
		if (errno == EPIPE && r->kind == K_KMSG) {
			problem(r, "records were overwritten before they were read");
			continue;
		}
		if (errno == EAGAIN) {
			struct pollfd pfd = { .fd = r->fd, .events = POLLIN };

			if (!r->follow || timeout_ms == 0)
				return r->follow ? -EAGAIN : 0;
			if (poll(&pfd, 1, timeout_ms) <= 0)
				return -EAGAIN;
			continue;
		}
		return -errno;
	}
}

/* Deliver complete lines from the buffer; returns lines delivered or a callback's error. */
static int drain(struct oomtrace_reader *r, const struct oomtrace_reader_cb *cb, bool at_end,
		 int *lines)
{
	const char *b = r->buf + r->start, *end = b + r->len, *nl;
	int rc = 0;

	while (b < end) {
		if (r->discarding) {
			nl = memchr(b, '\n', (size_t)(end - b));
			if (!nl) {
				b = end;
				break;
			}
			r->discarding = false;
			b = nl + 1;
			continue;
		}
		if (cb->can_skip && cb->needle && cb->can_skip(cb->ctx)) {
			const char *hit = b;
			size_t nl_len = strlen(cb->needle);

			/* jump to the next line holding the needle in a place that can matter */
			while ((hit = memmem(hit, (size_t)(end - hit), cb->needle, nl_len)) &&
			       cb->hit_matters && !cb->hit_matters(hit, end))
				hit += nl_len;

			if (!hit) {
				/* keep the tail that might start a needle split across reads */
				const char *last = memrchr(b, '\n', (size_t)(end - b));

				if (last)
					b = last + 1;
				if ((size_t)(end - b) >= OOMTRACE_LINE_MAX)
					goto line; /* an over-long line: cut and reported below */
				if (!at_end || b == end)
					break;
				goto line; /* the final line, without a newline */
			}
			nl = memrchr(b, '\n', (size_t)(hit - b));
			if (nl)
				b = nl + 1;
		}
line:
		nl = memchr(b, '\n', (size_t)(end - b));
		if (!nl) {
			if ((size_t)(end - b) >= OOMTRACE_LINE_MAX) {
				if (!r->warned_long) {
					r->warned_long = true;
					problem(r, "a line longer than %d bytes was cut there (at byte %llu)", OOMTRACE_LINE_MAX, (unsigned long long)(r->offset + (uint64_t)(b - (r->buf + r->start))));
				}
				rc = cb->line(cb->ctx, b, OOMTRACE_LINE_MAX);
				(*lines)++;
				b += OOMTRACE_LINE_MAX;
				r->discarding = true;
				if (rc)
					break;
				continue;
			}
			if (!at_end)
				break;
			rc = cb->line(cb->ctx, b, (size_t)(end - b));
			(*lines)++;
			b = end;
			break;
		}
		if ((size_t)(nl - b) > OOMTRACE_LINE_MAX) {
			if (!r->warned_long) {
				r->warned_long = true;
				problem(r, "a line longer than %d bytes was cut there (at byte %llu)", OOMTRACE_LINE_MAX, (unsigned long long)(r->offset + (uint64_t)(b - (r->buf + r->start))));
			}
			rc = cb->line(cb->ctx, b, OOMTRACE_LINE_MAX);
		} else {
			rc = cb->line(cb->ctx, b, (size_t)(nl - b));
		}
		(*lines)++;
		b = nl + 1;
		if (rc)
			break;
	}
	r->offset += (uint64_t)(b - (r->buf + r->start));
	r->len = (size_t)(end - b);
	r->start = (size_t)(b - r->buf);
	return rc;
}

int oomtrace_reader_poll(struct oomtrace_reader *r, int timeout_ms,
			 const struct oomtrace_reader_cb *cb)
{
	int lines = 0, rc;
	ssize_t n;

	if (r->eof)
		return OOMTRACE_EOF;
	for (;;) {
		n = fill(r, timeout_ms);
		if (n == -EAGAIN)
			return lines;
		if (n < 0)
			return (int)n;
		if (n == 0 && r->kind == K_PIPE_FOLLOW) {
			/* a followed file: wait for it to grow (or be truncated) */
			struct stat st;
			off_t pos = lseek(r->fd, 0, SEEK_CUR);

			rc = drain(r, cb, false, &lines);
			if (rc)
				return rc;
			if (fstat(r->fd, &st) == 0 && pos > st.st_size)
				lseek(r->fd, 0, SEEK_SET); /* truncated (rotated by copy): start over */
			if (lines || timeout_ms == 0)
				return lines;
			usleep((useconds_t)(timeout_ms < 200 ? timeout_ms : 200) * 1000);
			return 0;
		}
		if (n == 0) {
			rc = drain(r, cb, true, &lines);
			if (rc)
				return rc;
			r->eof = true;
			return lines ? lines : OOMTRACE_EOF;
		}
		if (!r->warned_nul && memchr(r->buf + r->start + r->len, '\0', (size_t)n)) {
			/* a kernel log is text: NUL bytes mean a damaged or wrong file */
			r->warned_nul = true;
			problem(r, "binary data (NUL bytes) in the input; the text lines around it are still read");
		}
		r->len += (size_t)n;
		if (r->kind == K_KMSG && r->buf[r->start + r->len - 1] != '\n' && r->len < BUF_SIZE) {
			r->buf[r->start + r->len] = '\n';
			r->len++;
		}
		rc = drain(r, cb, false, &lines);
		if (rc)
			return rc;
		if (lines >= 4096 || ((r->kind == K_KMSG || r->kind == K_PIPE_FOLLOW) && lines))
			return lines;
	}
}

unsigned int oomtrace_reader_problems(const struct oomtrace_reader *r)
{
	return r->problems;
}

const char *oomtrace_reader_name(const struct oomtrace_reader *r)
{
	return r->name;
}

void oomtrace_reader_close(struct oomtrace_reader *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz);
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r->name);
	free(r);
}
