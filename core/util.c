// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c: byte buffer, full writes, UTF-8 repair and ISO 8601 time helpers. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static int buf_grow(struct oomtrace_buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->len + need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + need + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

void *oomtrace_grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	size_t c;
	void *p;

	if (n < *cap)
		return arr;
	c = *cap ? *cap * 2 : 16;
	if (c < *cap || c > SIZE_MAX / elem)
		return NULL;
	p = realloc(arr, c * elem);
	if (p)
		*cap = c;
	return p;
}

int oomtrace_buf_append(struct oomtrace_buf *b, const char *s, size_t n)
{
	if (buf_grow(b, n))
		return -ENOMEM;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int oomtrace_buf_printf(struct oomtrace_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (buf_grow(b, 128))
		return -ENOMEM;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= b->cap - b->len) {
		if (buf_grow(b, (size_t)n))
			return -ENOMEM;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
	return 0;
}

void oomtrace_buf_reset(struct oomtrace_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void oomtrace_buf_free(struct oomtrace_buf *b)
{
	if (!b)
		return;
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static volatile sig_atomic_t *write_cancel;

void oomtrace_write_set_cancel(volatile sig_atomic_t *flag)
{
	write_cancel = flag;
}

int64_t oomtrace_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Once asked to stop: no more blocking. A record not begun is not written
 * (-EINTR); one begun is finished within OOMTRACE_WRITE_GRACE_MS or given up
 * (-ETIMEDOUT), so a reader never sees half a line from a clean stop.
 */
static int write_bounded(int fd, const char *c, size_t n, bool begun)
{
	int64_t deadline = oomtrace_mono_ms() + OOMTRACE_WRITE_GRACE_MS;

	while (n) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int left = (int)(deadline - oomtrace_mono_ms());
		ssize_t w;

		if (left <= 0)
			return begun ? -ETIMEDOUT : -EINTR;
		if (poll(&p, 1, left) <= 0 || (p.revents & (POLLERR | POLLHUP)))
			continue;
		/* POLLOUT: a pipe takes at least PIPE_BUF bytes now; never more than that at once
		 */
		w = write(fd, c, n < PIPE_BUF ? n : PIPE_BUF);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		begun = true;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int oomtrace_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	bool begun = false;

	if (write_cancel && *write_cancel)
		return write_bounded(fd, c, n, false);
	while (n) {
		ssize_t w;

		/* a signal in a pipe write that had moved some bytes ends it short, not with EINTR:
		 * looked at after each part, or a stop waits for a reader that never reads */
		if (begun && write_cancel && *write_cancel)
			return write_bounded(fd, c, n, true);
		w = write(fd, c, n);

		if (w < 0) {
			if (errno != EINTR)
				return -errno;
			if (write_cancel && *write_cancel)
				return write_bounded(fd, c, n, begun);
			continue;
		}
		begun = true;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return c ? 1 : 0;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

size_t oomtrace_utf8_repair(char *dst, size_t dstsz, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0;

	if (!dstsz)
		return 0;
	while (i < n) {
		size_t l = utf8_seq_len(s + i, n - i);

		if (l) {
			if (o + l >= dstsz)
				break;
			memcpy(dst + o, s + i, l);
			o += l;
			i += l;
		} else {
			if (o + 3 >= dstsz)
				break;
			memcpy(dst + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	dst[o] = '\0';
	return o;
}

int64_t oomtrace_days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	/* Howard Hinnant's algorithm */
	int64_t era;
	unsigned int yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned int *m, unsigned int *d)
{
	int64_t era;
	unsigned int doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned int)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y += *m <= 2;
}

static void split_time(int64_t time_us, int32_t tz_off_s, int64_t *days, int64_t *sod,
		       int64_t *usec)
{
	int64_t t = time_us + (int64_t)tz_off_s * 1000000;
	int64_t secs = t >= 0 ? t / 1000000 : -((-t + 999999) / 1000000);

	*usec = t - secs * 1000000;
	*days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	*sod = secs - *days * 86400;
}

void oomtrace_format_iso8601(char *dst, size_t dstsz, int64_t time_us, int32_t tz_off_s, int subsec)
{
	int64_t days, sod, usec, y;
	unsigned int m, d;
	int32_t off = tz_off_s < 0 ? -tz_off_s : tz_off_s;
	char frac[24] = "";

	split_time(time_us, tz_off_s, &days, &sod, &usec);
	civil_from_days(days, &y, &m, &d);
	if (subsec)
		snprintf(frac, sizeof(frac), ".%06lld", (long long)usec);
	snprintf(dst, dstsz, "%04lld-%02u-%02uT%02d:%02d:%02d%s%c%02d:%02d", (long long)y, m, d,
		 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), frac,
		 tz_off_s < 0 ? '-' : '+', (int)(off / 3600), (int)(off / 60 % 60));
}

void oomtrace_format_hms(char *dst, size_t dstsz, int64_t time_us, int32_t tz_off_s)
{
	int64_t days, sod, usec;

	split_time(time_us, tz_off_s, &days, &sod, &usec);
	snprintf(dst, dstsz, "%02d:%02d:%02d", (int)(sod / 3600), (int)(sod / 60 % 60),
		 (int)(sod % 60));
}

int oomtrace_parse_iso8601(const char *s, int64_t *time_us, int32_t *tz_off_s, int *subsec)
{
	long long y;
	unsigned int mo, d, h, mi, sec, oh = 0, om = 0;
	long usec = 0;
	int n = 0, sign = 1;
	const char *p;

	/* a year of four digits, as ISO 8601 has it: no sign, and nothing that overflows below */
	for (n = 0; n < 4; n++)
		if (s[n] < '0' || s[n] > '9')
			return -EINVAL;
	if (sscanf(s, "%4lld-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n < 19)
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	p = s + n;
	*subsec = 0;
	if (*p == '.') {
		int digits = 0;

		p++;
		while (*p >= '0' && *p <= '9') {
			if (digits < 6) {
				usec = usec * 10 + (*p - '0');
				digits++;
			}
			p++;
		}
		if (!digits)
			return -EINVAL;
		while (digits++ < 6)
			usec *= 10;
		*subsec = 1;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (sscanf(p + 1, "%2u:%2u%n", &oh, &om, &n) != 2 || oh > 23 || om > 59)
			return -EINVAL;
		p += 1 + n;
	} else {
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	*tz_off_s = sign * (int32_t)(oh * 3600 + om * 60);
	*time_us =
	    ((oomtrace_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) - *tz_off_s) *
		1000000LL +
	    usec;
	return 0;
}

ssize_t oomtrace_read_small(const char *path, char *buf, size_t sz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n, got = 0;

	if (fd < 0)
		return -1;
	while ((size_t)got < sz - 1 && (n = read(fd, buf + got, sz - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}
