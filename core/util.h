/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h: a growable byte buffer, full writes, UTF-8 repair and time formatting shared by the core.
 */
#ifndef OOMTRACE_UTIL_H
#define OOMTRACE_UTIL_H

#include <stdarg.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

struct oomtrace_buf {
	char *p;
	size_t len;
	size_t cap;
};

/* Append; return 0 or -ENOMEM. The buffer stays NUL-terminated. */
int oomtrace_buf_append(struct oomtrace_buf *b, const char *s, size_t n);
int oomtrace_buf_printf(struct oomtrace_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void oomtrace_buf_reset(struct oomtrace_buf *b);
/*
 * Room for one more element in the array @arr of @n elements of @elem bytes
 * (capacity *@cap, doubled from 16): the array, moved or not, or NULL on
 * ENOMEM (then @arr is unchanged and still the caller's).
 */
void *oomtrace_grow(void *arr, size_t *cap, size_t n, size_t elem);
void oomtrace_buf_free(struct oomtrace_buf *b);

/* write(2) all of @n bytes, retrying on EINTR and short writes; 0 or -errno. */
/* CLOCK_MONOTONIC in milliseconds. */
int64_t oomtrace_mono_ms(void);
int oomtrace_write_all(int fd, const void *p, size_t n);
/* A small file (/proc, /sys) whole into @buf, at most @sz - 1 bytes, NUL-terminated: its length,
 * or -1 where it cannot be opened. */
ssize_t oomtrace_read_small(const char *path, char *buf, size_t sz);
/*
 * A flag a signal handler sets to stop the program: from then on writes no
 * longer block (see oomtrace_write_all: a record is written whole or not at
 * all, waiting at most OOMTRACE_WRITE_GRACE_MS for a blocked reader).
 */
#define OOMTRACE_WRITE_GRACE_MS 1500
void oomtrace_write_set_cancel(volatile sig_atomic_t *flag);

/*
 * Copy @src (@n bytes) into @dst (size @dstsz, NUL-terminated) as valid UTF-8:
 * each invalid byte becomes U+FFFD, NUL bytes become U+FFFD too.
 * Returns the number of bytes written (without the NUL).
 */
size_t oomtrace_utf8_repair(char *dst, size_t dstsz, const char *src, size_t n);

/* Format @time_us shifted by @tz_off_s as ISO 8601 ("2025-05-11T15:41:12[.123456]+08:00"). */
void oomtrace_format_iso8601(char *dst, size_t dstsz, int64_t time_us, int32_t tz_off_s,
			     int subsec);
/* "HH:MM:SS" of @time_us in the zone @tz_off_s. */
void oomtrace_format_hms(char *dst, size_t dstsz, int64_t time_us, int32_t tz_off_s);
/* Parse ISO 8601 as written by oomtrace_format_iso8601; 0 or -EINVAL. */
int oomtrace_parse_iso8601(const char *s, int64_t *time_us, int32_t *tz_off_s, int *subsec);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t oomtrace_days_from_civil(int64_t y, unsigned int m, unsigned int d);

/* The value of hex digit @c, or -1. */
static inline int oomtrace_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
