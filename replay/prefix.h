/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prefix.h: recognise the prefix of one kernel-log line (dmesg, dmesg -T, journalctl, syslog,
 * kmsg). */
#ifndef OOMTRACE_PREFIX_H
#define OOMTRACE_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum oomtrace_line_kind {
	OOMTRACE_LINE_BARE = 0,	 /* no prefix: a continuation line or a bare message */
	OOMTRACE_LINE_DMESG,	 /* "[  123.456789] msg" (also journalctl -o short-monotonic) */
	OOMTRACE_LINE_DMESG_T,	 /* "[Sun May 11 15:41:12 2025] msg", any locale */
	OOMTRACE_LINE_SYSLOG,	 /* "May 11 15:41:12[.123456] host kernel: msg" */
	OOMTRACE_LINE_ISO,	 /* "2025-05-11T15:41:12[.f](Z|+hh[:]mm) host kernel: msg" */
	OOMTRACE_LINE_RFC5424,	 /* "<4>1 2025-05-11T15:41:12.1+08:00 host kernel - - - msg" */
	OOMTRACE_LINE_KMSG,	 /* "4,344,128103407,-;msg" (/dev/kmsg) */
	OOMTRACE_LINE_KMSG_DICT, /* " SUBSYSTEM=..." continuation of a kmsg record */
	OOMTRACE_LINE_PRI,	 /* "<4>msg": dmesg -r / /proc/kmsg without a time */
	OOMTRACE_LINE_LOGREAD, /* "Sat Jan 25 09:40:15 2020 kern.err kernel: msg" (OpenWrt/busybox)
				*/
	OOMTRACE_LINE_UNIX,    /* "1732790000.123456 host kernel: msg" (journalctl -o short-unix) */
	OOMTRACE_LINE_FULL,    /* "Sat 2025-05-11 15:41:12 CST host kernel: msg" (-o short-full) */
	OOMTRACE_LINE_DMESG_ISO, /* "2025-03-02T10:11:12,123456+01:00 msg" (dmesg --time-format iso)
				  */
	OOMTRACE_LINE_DMESG_DELTA, /* "[  +0.000123] msg", "[<    0.000123>] msg": no time of its
				    * own (dmesg --time-format reltime / delta) */
	OOMTRACE_LINE_ANCHORED,	   /* a prefix of no known format, found by the kernel's own words
				    * after it (anchor.c) */
};

/* Broken-down local time without zone (dmesg -T, BSD syslog). */
struct oomtrace_civil {
	int year; /* 0 when the line has none (syslog) */
	int mon;  /* 1..12, 0 when the month name is not understood */
	int mday, hour, min, sec;
	int usec;
	bool subsec;
};

struct oomtrace_prefix {
	enum oomtrace_line_kind kind;
	size_t msg_off; /* where the kernel's message starts */
	bool kernel;	/* false for syslog lines of other programs */
	bool has_uptime;
	uint64_t uptime_ns;
	bool has_abs; /* absolute time with zone: abs_us valid */
	int64_t abs_us;
	int32_t tz_off_s;
	bool subsec;
	bool has_civil; /* local time without zone: civil valid */
	struct oomtrace_civil civil;
	const char *host; /* points into the line, not NUL-terminated */
	size_t host_len;
	const char
	    *ident; /* a program's syslog tag ("earlyoom" of "earlyoom[812]:"), in the line */
	size_t ident_len;
	int32_t ident_pid; /* its pid, 0: none given */
	char caller_kind;  /* 'T' (thread) or 'C' (CPU) of a printk caller id, 0: none */
	int32_t caller_id;
	unsigned int quote; /* depth of mail/issue quoting ("> ", ">> ") stripped first */
};

/* Parse the prefix of @line (@len bytes, no newline). Never fails: unknown → BARE. */
void oomtrace_prefix_parse(const char *line, size_t len, struct oomtrace_prefix *out);

/*
 * The time of journalctl's -o short-full / with-unit / verbose: "Sat 2025-05-11 15:41:12[.123456]
 * CST" at @line, into @o's time fields (UTC or GMT: absolute; another zone: civil, read in TZ).
 * Where it ends (before the blank after the zone), or NULL when @line does not start with one.
 */
const char *oomtrace_prefix_full_time(const char *line, const char *end, struct oomtrace_prefix *o);

/* Month number (1..12) of a month name or abbreviation in a few locales, 0 if unknown. */
int oomtrace_month_from_name(const char *s, size_t len);

#endif
