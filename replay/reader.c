// SPDX-License-Identifier: GPL-2.0-or-later
/* reader.c: buffered line reading over read(2), zlib and /dev/kmsg, with skipping of lines that
 * cannot matter. */
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
#define ZIN_SIZE (64u << 10)
#define FP_MAX 64 /* bytes of a followed file's beginning kept to notice truncation */

enum kind {
	K_FILE,	  /* a regular file, read(2) */
	K_STREAM, /* a pipe, FIFO, terminal or socket: poll(2) + read(2), lines as they come */
	K_KMSG,	  /* /dev/kmsg: one record per read */
};

struct oomtrace_reader {
	char *name;
	char *path; /* for reopening a followed file; NULL for stdin */
	enum kind kind;
	int fd;
	bool follow;
	bool eof;
	bool sniffed; /* the first bytes were looked at (gzip or not) */
	z_stream *z;  /* gzip: inflate state, NULL for plain text */
	bool z_end;   /* the last gzip member ended */
	unsigned char *zin;
	size_t zin_len;
	char *buf;
	size_t start, len; /* unconsumed bytes: buf[start, start+len) */
	bool discarding;   /* inside an over-long line: drop until its newline */
	uint64_t offset;   /* bytes consumed so far (for messages) */
	off_t pos;	   /* followed file: bytes read from it */
	dev_t dev;	   /* followed file: which file the fd is */
	ino_t ino;
	char fp[FP_MAX]; /* followed file: its first bytes, as read */
	size_t fp_len;
	unsigned int problems;
	bool warned_nul, warned_long;
	bool idle; /* a followed file was at its end at the last look */
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

static void note_file(struct oomtrace_reader *r)
{
	struct stat st;

	if (fstat(r->fd, &st) == 0) {
		r->dev = st.st_dev;
		r->ino = st.st_ino;
	}
	r->pos = 0;
	r->fp_len = 0;
}

struct oomtrace_reader *oomtrace_reader_open(const char *path, bool follow)
{
	struct oomtrace_reader *r = calloc(1, sizeof(*r));
	bool is_stdin = !path || strcmp(path, "-") == 0;
	struct stat st;
	int e;

	if (!r)
		return NULL;
	r->fd = -1;
	r->follow = follow;
	r->name = strdup(is_stdin ? "<stdin>" : path);
	r->path = is_stdin ? NULL : strdup(path);
	r->buf = malloc(BUF_SIZE);
	if (!r->name || (!is_stdin && !r->path) || !r->buf) {
		e = ENOMEM;
		goto fail;
	}
	if (is_stdin) {
		r->fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	} else if (strcmp(path, "/dev/kmsg") == 0) {
		r->kind = K_KMSG;
		r->sniffed = true;
		r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (r->fd < 0) {
		e = errno;
		goto fail;
	}
	if (r->kind != K_KMSG && fstat(r->fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			e = EISDIR;
			goto fail;
		}
		r->kind = S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) ? K_FILE : K_STREAM;
	}
	if (r->kind == K_FILE)
		note_file(r);
	return r;
fail:
	if (r->fd >= 0)
		close(r->fd);
	free(r->name);
	free(r->path);
	free(r->buf);
	free(r);
	errno = e;
	return NULL;
}

static int start_gzip(struct oomtrace_reader *r)
{
	r->z = calloc(1, sizeof(*r->z));
	r->zin = malloc(ZIN_SIZE);
	if (!r->z || !r->zin)
		return -ENOMEM;
	/* 15 + 32: a gzip or zlib header, detected */
	if (inflateInit2(r->z, 15 + 32) != Z_OK) {
		free(r->z);
		r->z = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* read(2) with EINTR retried; for a stream, wait up to @timeout_ms first (-EAGAIN: nothing yet). */
static ssize_t raw_read(struct oomtrace_reader *r, void *dst, size_t room, int timeout_ms)
{
	ssize_t n;

	if (r->kind == K_STREAM) {
		struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
		int k = poll(&pfd, 1, timeout_ms < 0 ? -1 : timeout_ms);

		if (k == 0)
			return -EAGAIN;
		if (k < 0)
			return errno == EINTR ? -EINTR : -errno;
	}
	for (;;) {
		n = read(r->fd, dst, room);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno == EPIPE && r->kind == K_KMSG) {
			problem(r, "records were overwritten before they were read");
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			struct pollfd pfd = {.fd = r->fd, .events = POLLIN};

			if (!r->follow || timeout_ms == 0)
				return r->follow ? -EAGAIN : 0;
			if (poll(&pfd, 1, timeout_ms) <= 0)
				return -EAGAIN;
			continue;
		}
		return -errno;
	}
}

/* Remember the first bytes of a followed file, to notice when it is truncated and rewritten. */
static void keep_fp(struct oomtrace_reader *r, const char *b, size_t n)
{
	if (r->kind != K_FILE || !r->follow || r->z)
		return;
	if (r->pos < FP_MAX && (size_t)r->pos == r->fp_len) {
		size_t k = n < FP_MAX - r->fp_len ? n : FP_MAX - r->fp_len;

		memcpy(r->fp + r->fp_len, b, k);
		r->fp_len += k;
	}
	r->pos += (off_t)n;
}

/*
 * The first bytes of the input, read into the line buffer: gzip (then *@gzip
 * and the inflate state is set up with them) or text. Returns the text bytes
 * added, 0 at the end of input, -EAGAIN for fewer than two bytes yet, -errno.
 */
static ssize_t sniff(struct oomtrace_reader *r, int timeout_ms, bool *gzip)
{
	ssize_t n = raw_read(r, r->buf + r->len, ZIN_SIZE - r->len, timeout_ms);
	int e;

	*gzip = false;
	if (n < 0)
		return n;
	if (n == 0) {
		r->sniffed = true;
		return 0;
	}
	keep_fp(r, r->buf + r->len, (size_t)n);
	if (r->len + (size_t)n < 2) {
		r->len += (size_t)n;
		return -EAGAIN;
	}
	r->sniffed = true;
	/* journalctl -o export: binary fields hold NUL bytes by design */
	if (r->len + (size_t)n >= 9 && memcmp(r->buf, "__CURSOR=", 9) == 0)
		r->warned_nul = true;
	if (!((unsigned char)r->buf[0] == 0x1f && (unsigned char)r->buf[1] == 0x8b))
		return n;
	if ((e = start_gzip(r)))
		return e;
	r->zin_len = r->len + (size_t)n;
	memcpy(r->zin, r->buf, r->zin_len);
	r->z->next_in = r->zin;
	r->z->avail_in = (uInt)r->zin_len;
	r->len = 0;
	*gzip = true;
	return 0;
}

/* Damage in the gzip stream: what was inflated before it is still read (@n), then the input ends.
 */
static ssize_t gzip_damaged(struct oomtrace_reader *r, ssize_t n)
{
	problem(r, "corrupt gzip stream (%s)", r->z->msg ? r->z->msg : "inflate failed");
	r->zin_len = 0;
	r->z_end = true;
	r->follow = false;
	if (n > 0)
		return n;
	/* skip the rest of the input */
	while (raw_read(r, r->zin, ZIN_SIZE, -1) > 0)
		;
	return 0;
}

/* gzip: inflate what has arrived into @room bytes of the buffer; never wait for more than the
 * stream gives now. */
static ssize_t inflate_more(struct oomtrace_reader *r, size_t room, int timeout_ms)
{
	ssize_t n;

	for (;;) {
		int zr;

		if (!r->zin_len) {
			if (r->z_end && r->follow)
				return 0;
			n = raw_read(r, r->zin, ZIN_SIZE, timeout_ms);
			if (n < 0)
				return n;
			if (n == 0) {
				if (!r->z_end)
					problem(r, "truncated or corrupt gzip stream (it ends "
						   "inside a member)");
				return 0;
			}
			r->zin_len = (size_t)n;
			r->z->next_in = r->zin;
			r->z->avail_in = (uInt)n;
		}
		if (r->z_end) {
			/* another gzip member follows (concatenated .gz files, as zcat reads them)
			 */
			if (inflateReset(r->z) != Z_OK)
				return -EIO;
			r->z_end = false;
		}
		r->z->next_out = (Bytef *)(r->buf + r->len);
		r->z->avail_out = (uInt)room;
		zr = inflate(r->z, Z_NO_FLUSH);
		r->zin_len = r->z->avail_in;
		n = (ssize_t)(room - r->z->avail_out);
		if (zr == Z_STREAM_END)
			r->z_end = true;
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			return gzip_damaged(r, n);
		if (n > 0)
			return n;
	}
}

/*
 * Fill the buffer; returns bytes added, 0 at the end of input (or nothing
 * new in a followed file), -EAGAIN when a stream has nothing yet, -errno.
 */
static ssize_t fill(struct oomtrace_reader *r, int timeout_ms)
{
	size_t room;
	ssize_t n;
	bool gzip;

	if (r->start && r->len)
		memmove(r->buf, r->buf + r->start, r->len);
	r->start = 0;
	room = BUF_SIZE - r->len;
	if (!r->sniffed) {
		n = sniff(r, timeout_ms, &gzip);
		if (!gzip)
			return n;
	}
	if (!r->z) {
		n = raw_read(r, r->buf + r->len, room, timeout_ms);
		if (n > 0)
			keep_fp(r, r->buf + r->len, (size_t)n);
		return n;
	}
	return inflate_more(r, room, timeout_ms);
}

/* A followed file was truncated (copytruncate), perhaps already rewritten past where we were? */
static bool truncated(struct oomtrace_reader *r)
{
	struct stat cur;
	char head[FP_MAX];

	if (r->kind != K_FILE || !r->follow || r->z || fstat(r->fd, &cur) != 0)
		return false;
	if (cur.st_size < r->pos ||
	    (r->fp_len && (pread(r->fd, head, r->fp_len, 0) != (ssize_t)r->fp_len ||
			   memcmp(head, r->fp, r->fp_len) != 0))) {
		lseek(r->fd, 0, SEEK_SET);
		r->pos = 0;
		r->fp_len = 0;
		oomtrace_info("%s: truncated; reading it again from its start", r->name);
		return true;
	}
	return false;
}

/* A followed file read to its end was replaced (rename + recreate): go on with the new one. */
static bool replaced(struct oomtrace_reader *r)
{
	struct stat st;
	int fd;

	if (r->kind != K_FILE || !r->follow || !r->path || r->z)
		return false;
	if (stat(r->path, &st) != 0 || (st.st_ino == r->ino && st.st_dev == r->dev))
		return false;
	fd = open(r->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false; /* not there again yet: keep the old one */
	close(r->fd);
	r->fd = fd;
	note_file(r);
	oomtrace_info("%s: replaced (rotated); reading the new file from its start", r->name);
	return true;
}

/* An over-long line is cut at OOMTRACE_LINE_MAX; said once, with where it was. */
static void warn_long(struct oomtrace_reader *r, const char *b)
{
	if (r->warned_long)
		return;
	r->warned_long = true;
	problem(r, "a line longer than %d bytes was cut there (at byte %llu)", OOMTRACE_LINE_MAX,
		(unsigned long long)(r->offset + (uint64_t)(b - (r->buf + r->start))));
}

/*
 * Where the next line in which the pre-filter finds something begins, from
 * @b. *@wait when nothing more can be read here before more input comes (the
 * tail is kept: a needle may be split across reads).
 */
static const char *skip_ahead(const struct oomtrace_reader_cb *cb, const char *b, const char *end,
			      bool at_end, bool *wait)
{
	const char *hit = cb->scan(cb->ctx, b, end), *nl;

	*wait = false;
	if (hit) {
		nl = memrchr(b, '\n', (size_t)(hit - b));
		return nl ? nl + 1 : b;
	}
	nl = memrchr(b, '\n', (size_t)(end - b));
	if (nl)
		b = nl + 1;
	/* an over-long line is cut and reported by the caller; so is the final line, without a
	 * newline */
	if ((size_t)(end - b) < OOMTRACE_LINE_MAX && (!at_end || b == end))
		*wait = true;
	return b;
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
		if (cb->can_skip && cb->scan && cb->can_skip(cb->ctx)) {
			/* jump to the next line in which the pre-filter finds something */
			bool wait;

			b = skip_ahead(cb, b, end, at_end, &wait);
			if (wait)
				break;
		}
		nl = memchr(b, '\n', (size_t)(end - b));
		if (!nl) {
			if ((size_t)(end - b) >= OOMTRACE_LINE_MAX) {
				warn_long(r, b);
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
			warn_long(r, b);
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
	if (r->kind == K_FILE && r->follow && r->idle && truncated(r)) {
		/*
		 * Checked before reading on from where we were: a file truncated and
		 * rewritten past that point would otherwise give its tail first.
		 */
		r->len = r->start = 0;
		r->discarding = false;
	}
	r->idle = false;
	for (;;) {
		/* a stream waits only until its first lines of this call have come */
		n = fill(r, lines && r->kind != K_FILE ? 0 : timeout_ms);
		if (n == -EAGAIN || n == -EINTR)
			return lines;
		if (n < 0)
			return (int)n;
		if (n == 0 && r->kind == K_FILE && r->follow) {
			/* a followed file: wait for it to grow, be replaced or truncated */
			if (replaced(r) || truncated(r)) {
				/* the old file's unterminated last line is complete now */
				rc = drain(r, cb, true, &lines);
				if (rc)
					return rc;
				r->len = r->start = 0;
				r->discarding = false;
				continue;
			}
			rc = drain(r, cb, false, &lines);
			if (rc)
				return rc;
			r->idle = true;
			if (lines || timeout_ms == 0)
				return lines;
			usleep((useconds_t)(timeout_ms < 100 ? timeout_ms : 100) * 1000);
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
			problem(r, "binary data (NUL bytes) in the input; the text lines around it "
				   "are still read");
		}
		r->len += (size_t)n;
		if (r->kind == K_KMSG && r->buf[r->start + r->len - 1] != '\n' &&
		    r->len < BUF_SIZE) {
			r->buf[r->start + r->len] = '\n';
			r->len++;
		}
		rc = drain(r, cb, false, &lines);
		if (rc)
			return rc;
		if (lines >= 4096 || (r->kind != K_FILE && lines))
			return lines;
		if (r->kind == K_FILE && r->follow && lines && timeout_ms == 0)
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
	if (r->z) {
		inflateEnd(r->z);
		free(r->z);
	}
	free(r->zin);
	free(r->path);
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r->name);
	free(r);
}
