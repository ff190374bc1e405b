// SPDX-License-Identifier: GPL-2.0-or-later
/* prefix.c: per-line detection of the kernel-log formats oomtrace replays; pure, no I/O. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "prefix_int.h"
#include "util.h"

/* "kern.err", "user.notice": a syslog facility.level token */
static bool facility_level(const char *t, const char *e)
{
	const char *dot = memchr(t, '.', (size_t)(e - t));
	const char *q;

	if (!dot || dot == t || dot + 1 == e)
		return false;
	for (q = t; q < e; q++)
		if (q != dot && !((*q >= 'a' && *q <= 'z') || isdig(*q)))
			return false;
	return true;
}

/* "[ T1234]" / "[T1234]" / "[  C3]": a printk caller id (CONFIG_PRINTK_CALLER) at p */
bool oomtrace_pfx_caller_id(const char **pp, const char *end, struct oomtrace_prefix *o)
{
	const char *p = *pp;
	long long v;
	char k;

	if (p + 1 < end && *p == ' ' && p[1] == '[')
		p++;
	if (p >= end || *p++ != '[')
		return false;
	while (p < end && *p == ' ')
		p++;
	if (p >= end || (*p != 'T' && *p != 'C'))
		return false;
	k = *p++;
	if (oomtrace_pfx_digits(&p, end, 9, &v) < 1 || p >= end || *p++ != ']')
		return false;
	if (p < end && *p == ' ')
		p++;
	o->caller_kind = k;
	o->caller_id = (int32_t)v;
	*pp = p;
	return true;
}

void oomtrace_pfx_ident(struct oomtrace_prefix *o, const char *t, size_t n)
{
	const char *b = memchr(t, '[', n);
	long long v;

	o->ident = t;
	o->ident_len = b ? (size_t)(b - t) : n;
	o->ident_pid = 0;
	if (b) {
		const char *q = b + 1;

		if (oomtrace_pfx_digits(&q, t + n, 10, &v) > 0 && q < t + n && *q == ']' &&
		    v <= INT32_MAX)
			o->ident_pid = (int32_t)v;
	}
}

/* "host kernel: " or "host kernel[0]: " after a syslog/journal timestamp; returns the message */
static const char *host_tag(const char *p, const char *end, struct oomtrace_prefix *o)
{
	const char *h = p, *t;

	while (p < end && *p != ' ' && *p != ':' && *p != '=')
		p++;
	if (p == h || p >= end || *p != ' ')
		return NULL; /* a host name holds no ':' or '=' ("active_anon:12 inactive_anon:3")
			      */
	o->host = h;
	o->host_len = (size_t)(p - h);
	t = ++p;
	while (p < end && *p != ':' && *p != ' ')
		p++;
	if (p < end && *p == ' ' && facility_level(t, p)) {
		/* busybox syslogd: "host kern.err kernel: msg" */
		t = ++p;
		while (p < end && *p != ':' && *p != ' ')
			p++;
	}
	if (p >= end || *p != ':')
		return NULL;
	o->kernel = (p - t == 6 && memcmp(t, "kernel", 6) == 0) ||
		    (p - t > 7 && memcmp(t, "kernel[", 7) == 0);
	oomtrace_pfx_ident(o, t, (size_t)(p - t));
	p++;
	if (p < end && *p == ' ')
		p++;
	return p;
}

/* "[ 1234.567890]" at p; */
static bool bracket_uptime(const char **pp, const char *end, uint64_t *ns)
{
	const char *p = *pp;
	long long sec, f = 0;
	int nf = 0;

	if (p >= end || *p != '[')
		return false;
	p++;
	while (p < end && *p == ' ')
		p++;
	if (oomtrace_pfx_digits(&p, end, 12, &sec) < 1 || p >= end || *p != '.')
		return false;
	p++;
	while (p < end && isdig(*p)) {
		if (nf < 9) {
			f = f * 10 + (*p - '0');
			nf++;
		}
		p++;
	}
	if (!nf || p >= end)
		return false;
	if (*p == ' ' && !oomtrace_pfx_delta_in_brackets(&p, end))
		return false;
	if (*p != ']')
		return false;
	while (nf++ < 9)
		f *= 10;
	*ns = (uint64_t)sec * 1000000000ULL + (uint64_t)f;
	p++;
	if (p < end && *p == ' ')
		p++;
	*pp = p;
	return true;
}

/* After "host kernel: ", rsyslog may keep the printk time: "[ 123.456] msg". */
static void inner_uptime(const char *line, const char *end, struct oomtrace_prefix *o)
{
	const char *p = line + o->msg_off;

	if (bracket_uptime(&p, end, &o->uptime_ns)) {
		o->has_uptime = true;
		oomtrace_pfx_caller_id(&p, end, o);
		o->msg_off = (size_t)(p - line);
	}
}

static bool try_kmsg(const char *line, const char *end, struct oomtrace_prefix *o)
{
	const char *p = line;
	long long pri, seq, usec;

	if (oomtrace_pfx_digits(&p, end, 4, &pri) < 1 || p >= end || *p++ != ',' ||
	    oomtrace_pfx_digits(&p, end, 20, &seq) < 1 || p >= end || *p++ != ',' ||
	    oomtrace_pfx_digits(&p, end, 16, &usec) < 1 || p >= end ||
	    *p++ != ',') /* 16: ns fit 64 bits */
		return false;
	while (p < end && *p != ';' && *p != ' ') {
		/* "-,caller=T123;": the printk caller id */
		if (*p == ',' && end - p > 9 && memcmp(p + 1, "caller=", 7) == 0 &&
		    (p[8] == 'T' || p[8] == 'C')) {
			const char *q = p + 9;
			long long v;

			if (oomtrace_pfx_digits(&q, end, 9, &v) > 0) {
				o->caller_kind = p[8];
				o->caller_id = (int32_t)v;
			}
		}
		p++;
	}
	if (p >= end || *p != ';')
		return false;
	o->kind = OOMTRACE_LINE_KMSG;
	o->has_uptime = true;
	o->uptime_ns = (uint64_t)usec * 1000ULL;
	o->msg_off = (size_t)(p + 1 - line);
	/* facility 0 is the kernel; other facilities are user messages written to /dev/kmsg */
	o->kernel = (pri >> 3) == 0;
	return true;
}

/* "May 11 15:41:12[.123456] host kernel: msg" */
static bool try_syslog(const char *line, const char *end, struct oomtrace_prefix *o)
{
	const char *p = line, *m = line;
	struct oomtrace_civil c = {0};
	long long d;

	while (p < end && *p != ' ' && p - line < 12)
		p++;
	if (p >= end || p == m)
		return false;
	c.mon = oomtrace_month_from_name(m, (size_t)(p - m));
	if (!c.mon || c.mon > 12 || isdig(*m))
		return false;
	while (p < end && *p == ' ')
		p++;
	if (oomtrace_pfx_digits(&p, end, 2, &d) < 1 || d < 1 || d > 31 || p >= end || *p++ != ' ')
		return false;
	c.mday = (int)d;
	if (!oomtrace_pfx_hms(&p, end, &c))
		return false;
	oomtrace_pfx_frac(&p, end, &c.usec, &c.subsec);
	if (p >= end || *p++ != ' ')
		return false;
	if (end - p > 7 && memcmp(p, "kernel: ", 8) == 0) {
		/* no host name (a syslogd that leaves it out, or a paste that cut it) */
		o->host = NULL;
		o->host_len = 0;
		o->kernel = true;
		m = p + 8;
	} else if (!(m = host_tag(p, end, o))) {
		return false;
	}
	o->msg_off = (size_t)(m - line);
	o->kind = OOMTRACE_LINE_SYSLOG;
	o->has_civil = true;
	o->civil = c;
	return true;
}

static bool try_iso(const char *line, const char *end, struct oomtrace_prefix *o)
{
	const char *p = line, *m;

	if (!oomtrace_pfx_iso(&p, end, o) || p >= end || *p++ != ' ')
		return false;
	if (end - p > 9 && (memcmp(p, "stdout ", 7) == 0 || memcmp(p, "stderr ", 7) == 0) &&
	    (p[7] == 'F' || p[7] == 'P') && p[8] == ' ') {
		/* a container's log as the CRI runtime writes it: "<RFC 3339 nano> stdout F msg"
		 * (kubernetes cri-api, "CRI container log format"; P: a partial line) */
		o->host = NULL;
		o->host_len = 0;
		o->kernel = true;
		o->msg_off = (size_t)(p + 9 - line);
		o->kind = OOMTRACE_LINE_DMESG_ISO;
		return true;
	}
	if (!(m = host_tag(p, end, o))) {
		/* dmesg --time-format iso: "2025-03-02T10:11:12,123456+01:00 msg", no host, no tag
		 * (util-linux dmesg.c, iso_8601_time) */
		o->host = NULL;
		o->host_len = 0;
		o->kernel = true;
		o->msg_off = (size_t)(p - line);
		o->kind = OOMTRACE_LINE_DMESG_ISO;
		return true;
	}
	o->msg_off = (size_t)(m - line);
	o->kind = OOMTRACE_LINE_ISO;
	return true;
}

/* "<4>1 2025-05-11T15:41:12.123+08:00 host kernel - - - msg" (RFC 5424) */
static bool try_rfc5424(const char *line, const char *end, struct oomtrace_prefix *o)
{
	const char *p = line, *f[4];
	size_t fl[4];
	long long pri;
	int i;

	if (*p++ != '<' || oomtrace_pfx_digits(&p, end, 3, &pri) < 1 || p + 3 > end ||
	    *p++ != '>' || *p++ != '1' || *p++ != ' ')
		return false;
	if (!oomtrace_pfx_iso(&p, end, o) || p >= end || *p++ != ' ') {
		o->has_abs = false;
		return false;
	}
	for (i = 0; i < 4; i++) { /* host app procid msgid */
		f[i] = p;
		while (p < end && *p != ' ')
			p++;
		fl[i] = (size_t)(p - f[i]);
		if (p < end)
			p++;
	}
	/* structured data: "-" or [..]...  */
	if (p < end && *p == '-') {
		p++;
	} else {
		while (p < end && *p == '[') {
			while (p < end && *p != ']')
				p++;
			if (p < end)
				p++;
		}
	}
	if (p < end && *p == ' ')
		p++;
	o->host = f[0];
	o->host_len = fl[0];
	o->kernel = fl[1] == 6 && memcmp(f[1], "kernel", 6) == 0;
	o->ident = f[1];
	o->ident_len = fl[1];
	o->ident_pid = 0;
	{
		const char *q = f[2];
		long long v;

		if (oomtrace_pfx_digits(&q, f[2] + fl[2], 10, &v) > 0 && q == f[2] + fl[2] &&
		    v <= INT32_MAX)
			o->ident_pid = (int32_t)v;
	}
	o->kind = OOMTRACE_LINE_RFC5424;
	o->msg_off = (size_t)(p - line);
	return true;
}

static bool isalpha_(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* "Sat Jan 25 09:40:15 2020 kern.err kernel: msg": OpenWrt/busybox logread (ctime + facility) */
static bool try_logread(const char *line, const char *end, struct oomtrace_prefix *o)
{
	const char *p = line, *m, *t;
	struct oomtrace_civil c = {0};
	long long d, y;

	if (end - p < 30 || !isalpha_(p[0]) || !isalpha_(p[1]) || !isalpha_(p[2]) || p[3] != ' ')
		return false;
	p += 4;
	m = p;
	while (p < end && *p != ' ')
		p++;
	if (!(c.mon = oomtrace_month_from_name(m, (size_t)(p - m))) || isdig(*m))
		return false;
	while (p < end && *p == ' ')
		p++;
	if (oomtrace_pfx_digits(&p, end, 2, &d) < 1 || d < 1 || d > 31 || p >= end || *p++ != ' ' ||
	    !oomtrace_pfx_hms(&p, end, &c) || p >= end || *p++ != ' ' ||
	    oomtrace_pfx_digits(&p, end, 4, &y) != 4 || p >= end || *p++ != ' ')
		return false;
	c.mday = (int)d;
	c.year = (int)y;
	t = p;
	while (p < end && *p != ' ')
		p++;
	if (p >= end || !facility_level(t, p))
		return false;
	t = ++p;
	while (p < end && *p != ':' && *p != ' ')
		p++;
	if (p >= end || *p != ':')
		return false;
	o->kernel = (p - t == 6 && memcmp(t, "kernel", 6) == 0) ||
		    (p - t > 7 && memcmp(t, "kernel[", 7) == 0);
	p++;
	if (p < end && *p == ' ')
		p++;
	o->kind = OOMTRACE_LINE_LOGREAD;
	o->has_civil = true;
	o->civil = c;
	o->msg_off = (size_t)(p - line);
	return true;
}

/* "1732790000.123456 host kernel: msg" (journalctl -o short-unix) */
static bool try_unix(const char *line, const char *end, struct oomtrace_prefix *o)
{
	const char *p = line, *m;
	long long sec;
	int usec = 0;
	bool sub = false;

	if (oomtrace_pfx_digits(&p, end, 12, &sec) < 9 || p >= end || *p != '.')
		return false;
	oomtrace_pfx_frac(&p, end, &usec, &sub);
	if (!sub || p >= end || *p++ != ' ' || !(m = host_tag(p, end, o)))
		return false;
	o->kind = OOMTRACE_LINE_UNIX;
	o->has_abs = true;
	o->abs_us = sec * 1000000LL + usec;
	o->subsec = true;
	o->msg_off = (size_t)(m - line);
	return true;
}

const char *oomtrace_prefix_full_time(const char *line, const char *end, struct oomtrace_prefix *o)
{
	const char *p = line, *z;
	struct oomtrace_civil c = {0};
	long long y, mo, d;

	while (p < end && isalpha_(*p))
		p++;
	if (p - line < 2 || p >= end || *p++ != ' ')
		return NULL;
	if (oomtrace_pfx_digits(&p, end, 4, &y) != 4 || p >= end || *p++ != '-' ||
	    oomtrace_pfx_digits(&p, end, 2, &mo) != 2 || p >= end || *p++ != '-' ||
	    oomtrace_pfx_digits(&p, end, 2, &d) != 2 || p >= end || *p++ != ' ' ||
	    !oomtrace_pfx_hms(&p, end, &c) || mo < 1 || mo > 12 || d < 1 || d > 31)
		return NULL;
	oomtrace_pfx_frac(&p, end, &c.usec, &c.subsec);
	if (p >= end || *p++ != ' ')
		return NULL;
	z = p;
	while (p < end && *p != ' ')
		p++;
	if (p == z)
		return NULL;
	c.year = (int)y;
	c.mon = (int)mo;
	c.mday = (int)d;
	if ((p - z == 3 && (memcmp(z, "UTC", 3) == 0 || memcmp(z, "GMT", 3) == 0))) {
		o->has_abs = true;
		o->abs_us =
		    (oomtrace_days_from_civil(y, (unsigned int)mo, (unsigned int)d) * 86400 +
		     c.hour * 3600 + c.min * 60 + c.sec) *
			1000000LL +
		    c.usec;
		o->subsec = c.subsec;
	} else {
		/* a zone abbreviation is ambiguous: the time is read in the local zone (TZ) */
		o->has_civil = true;
		o->civil = c;
	}
	return p;
}

/* "Sat 2025-05-11 15:41:12 CST host kernel: msg" (journalctl -o short-full, -o with-unit) */
static bool try_full(const char *line, const char *end, struct oomtrace_prefix *o)
{
	const char *p = oomtrace_prefix_full_time(line, end, o), *m;

	if (!p || p >= end || !(m = host_tag(p + 1, end, o)))
		return false;
	o->kind = OOMTRACE_LINE_FULL;
	o->msg_off = (size_t)(m - line);
	return true;
}

/* The rest of a line after a prefix of @off bytes, parsed on its own. */
static void parse_rest(const char *line, size_t len, size_t off, struct oomtrace_prefix *o)
{
	oomtrace_prefix_parse(line + off, len - off, o);
	o->msg_off += off;
}

/* Quoted in a mail or an issue: "> ", ">> ", "> > " before the line proper. */
static void quoted(const char *line, size_t len, struct oomtrace_prefix *o)
{
	const char *end = line + len, *p = line;
	unsigned int q = 0;

	while (p < end && *p == '>') {
		q++;
		p++;
		while (p < end && *p == ' ' && p + 1 < end && p[1] == '>')
			p++;
	}
	if (p < end && *p == ' ')
		p++;
	parse_rest(line, len, (size_t)(p - line), o);
	o->quote = q;
}

/* "[  123.456789] msg" (dmesg, journalctl -o short-monotonic "[ 12.3] host kernel: msg") or dmesg
 * -T. */
static bool bracketed(const char *line, const char *end, struct oomtrace_prefix *o)
{
	const char *p = line, *m;
	struct oomtrace_prefix h;

	if (!bracket_uptime(&p, end, &o->uptime_ns))
		return oomtrace_pfx_dmesg_delta(line, end, o) ||
		       oomtrace_pfx_dmesg_reltime(line, end, o) ||
		       oomtrace_pfx_dmesg_t(line, end, o);
	o->kind = OOMTRACE_LINE_DMESG;
	o->has_uptime = true;
	oomtrace_pfx_caller_id(&p, end, o);
	o->msg_off = (size_t)(p - line);
	h = *o;
	m = host_tag(p, end, &h);
	if (m && h.kernel) {
		o->host = h.host;
		o->host_len = h.host_len;
		o->msg_off = (size_t)(m - line);
	}
	return true;
}

/* RFC 5424 "<4>1 2025-..." or a priority alone: "<4>[ 1770.37] msg" / "<4>msg" (dmesg -r,
 * /proc/kmsg). */
static bool with_priority(const char *line, size_t len, struct oomtrace_prefix *o)
{
	const char *end = line + len, *p;
	long long pri;

	if (try_rfc5424(line, end, o)) {
		inner_uptime(line, end, o);
		return true;
	}
	memset(o, 0, sizeof(*o));
	p = line + 1;
	if (oomtrace_pfx_digits(&p, end, 3, &pri) < 1 || p >= end || *p != '>')
		return false;
	parse_rest(line, len, (size_t)(p + 1 - line), o);
	if (o->kind == OOMTRACE_LINE_BARE)
		o->kind = OOMTRACE_LINE_PRI;
	/* facility 0 is the kernel; others were written to /dev/kmsg by programs */
	o->kernel = o->kernel && (pri >> 3) == 0;
	return true;
}

/* dmesg -x: "kern  :warn  : " before the time (util-linux dmesg.c, print_record: "%-6s:%-6s: " of
 * facility_names[] and level_names[]); the kernel's facility is "kern". */
static bool decoded(const char *line, size_t len, struct oomtrace_prefix *o)
{
	static const char *const levels[] = {"emerg", "alert",	"crit", "err",
					     "warn",  "notice", "info", "debug"};
	const char *end = line + len, *p = line, *f = line, *l;
	size_t fl, ll, i;
	bool kern;

	while (p < end && ((*p >= 'a' && *p <= 'z') || isdig(*p)))
		p++;
	fl = (size_t)(p - f);
	while (p < end && *p == ' ')
		p++;
	if (!fl || fl > 8 || p >= end || *p++ != ':')
		return false;
	l = p;
	while (p < end && *p >= 'a' && *p <= 'z')
		p++;
	ll = (size_t)(p - l);
	while (p < end && *p == ' ')
		p++;
	if (p + 1 >= end || *p != ':' || p[1] != ' ')
		return false;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strlen(levels[i]) == ll && memcmp(levels[i], l, ll) == 0)
			break;
	if (i == sizeof(levels) / sizeof(levels[0]))
		return false;
	kern = fl == 4 && memcmp(f, "kern", 4) == 0;
	parse_rest(line, len, (size_t)(p + 2 - line), o);
	if (o->kind == OOMTRACE_LINE_BARE)
		o->kind = OOMTRACE_LINE_PRI; /* --time-format notime */
	o->kernel = kern && o->kernel;
	return true;
}

/* A line that starts with its time: /dev/kmsg, ISO 8601, Unix seconds, syslog, logread, short-full.
 */
static bool timed(const char *line, const char *end, struct oomtrace_prefix *o)
{
	if (isdig(line[0])) {
		if (try_kmsg(line, end, o))
			return true;
		if (!try_iso(line, end, o)) {
			memset(o, 0, sizeof(*o));
			if (!try_unix(line, end, o))
				return false;
		}
	} else if (!try_syslog(line, end, o)) {
		if (!isalpha_(line[0]))
			return false;
		memset(o, 0, sizeof(*o));
		if (!try_logread(line, end, o) &&
		    (memset(o, 0, sizeof(*o)), !try_full(line, end, o)))
			return false;
	}
	if (o->kind != OOMTRACE_LINE_DMESG_ISO)
		inner_uptime(line, end, o); /* the parser reads what follows an untagged time */
	return true;
}

void oomtrace_prefix_parse(const char *line, size_t len, struct oomtrace_prefix *o)
{
	const char *end = line + len;
	bool known;

	memset(o, 0, sizeof(*o));
	o->kernel = true;
	if (!len)
		return;
	switch (line[0]) {
	case '>':
		quoted(line, len, o);
		return;
	case '[':
		known = bracketed(line, end, o);
		break;
	case '<':
		known = with_priority(line, len, o);
		break;
	case ' ':
	case '\t':
		/* continuation (a kmsg dict line is recognised by the caller's context) */
		known = false;
		break;
	default:
		known = timed(line, end, o) || (line[0] >= 'a' && line[0] <= 'z' &&
						(memset(o, 0, sizeof(*o)), decoded(line, len, o)));
		break;
	}
	if (!known) {
		memset(o, 0, sizeof(*o));
		o->kernel = true;
	}
}
