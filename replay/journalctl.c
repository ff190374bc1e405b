// SPDX-License-Identifier: GPL-2.0-or-later
/* journalctl.c: the journal's own formats as replay input: journalctl -o json (a line an entry),
 * -o export and -o verbose (short, short-full and with-unit are prefixes: prefix.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "journalctl.h"
#include "lex.h"

bool oomtrace_jctl_detect(struct oomtrace_jctl *p, const char *line, size_t len)
{
	p->export = (len > 9 && memcmp(line, "__CURSOR=", 9) == 0) ||
		    (len > 21 && memcmp(line, "__REALTIME_TIMESTAMP=", 21) == 0);
	if (p->export) {
		memset(&p->pfx, 0, sizeof(p->pfx));
		p->pfx.kind = OOMTRACE_LINE_ISO;
	}
	return p->export;
}

void oomtrace_jctl_new_input(struct oomtrace_jctl *p)
{
	p->export = false;
	p->bin = false;
	/* a verbose entry open at the end of the input before stays: the parser ends it at this
	 * input's first line (oomtrace_jctl_verbose_end) */
}

static void jctl_stamp(struct oomtrace_prefix *x, const char *rt, const char *mono,
		       const char *host)
{
	int64_t v;

	memset(x, 0, sizeof(*x));
	x->kind = OOMTRACE_LINE_ISO;
	x->kernel = true;
	if (rt && num(rt, &v) && v > 0) {
		/* the journal keeps UTC: shown as UTC */
		x->has_abs = true;
		x->abs_us = v;
		x->subsec = true;
	}
	if (mono && num(mono, &v) && v >= 0) {
		x->has_uptime = true;
		x->uptime_ns = (uint64_t)v * 1000ULL;
	}
	if (host) {
		x->host = host;
		x->host_len = strlen(host);
	}
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A journal entry is the kernel's: _TRANSPORT=kernel (or SYSLOG_IDENTIFIER=kernel in exports). */
static bool journal_kernel(const char *transport, const char *ident)
{
	if (transport)
		return strcmp(transport, "kernel") == 0;
	return ident && strcmp(ident, "kernel") == 0;
}

/* "journalctl -o json": one object a line. Returns false when @line is not one. */
bool oomtrace_jctl_json(struct oomtrace_jctl *p, const char *line, size_t len,
			struct oomtrace_prefix *x, char *out)
{
	struct json_tokener *tok;
	struct json_object *o, *jm;
	const char *mono;
	size_t n = 0;

	tok = json_tokener_new();
	if (!tok)
		return false;
	o = json_tokener_parse_ex(tok, line, (int)(len < INT32_MAX ? len : INT32_MAX));
	json_tokener_free(tok);
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "MESSAGE", &jm)) {
		json_object_put(o);
		return false;
	}
	mono = jstr(o, "_SOURCE_MONOTONIC_TIMESTAMP");
	jctl_stamp(x, jstr(o, "__REALTIME_TIMESTAMP"),
		   mono ? mono : jstr(o, "__MONOTONIC_TIMESTAMP"), NULL);
	x->kernel = journal_kernel(jstr(o, "_TRANSPORT"), jstr(o, "SYSLOG_IDENTIFIER"));
	if (jstr(o, "_HOSTNAME"))
		snprintf(p->host, sizeof(p->host), "%s", jstr(o, "_HOSTNAME"));
	else
		p->host[0] = '\0';
	if (p->host[0]) {
		x->host = p->host;
		x->host_len = strlen(p->host);
	}
	snprintf(p->ident, sizeof(p->ident), "%s",
		 jstr(o, "SYSLOG_IDENTIFIER") ? jstr(o, "SYSLOG_IDENTIFIER") : "");
	x->ident = p->ident;
	x->ident_len = strlen(p->ident);
	x->ident_pid = 0;
	if (jstr(o, "_PID") || jstr(o, "SYSLOG_PID")) {
		long long v = atoll(jstr(o, "_PID") ? jstr(o, "_PID") : jstr(o, "SYSLOG_PID"));

		x->ident_pid = v > 0 && v <= INT32_MAX ? (int32_t)v : 0;
	}
	if (json_object_is_type(jm, json_type_string)) {
		const char *m = json_object_get_string(jm);

		n = (size_t)json_object_get_string_len(jm);
		if (n > OOMTRACE_MSG_MAX - 1)
			n = OOMTRACE_MSG_MAX - 1;
		memcpy(out, m, n);
	} else if (json_object_is_type(jm, json_type_array)) {
		/* not valid UTF-8: the message as an array of byte values */
		size_t i, k = json_object_array_length(jm);

		for (i = 0; i < k && n < OOMTRACE_MSG_MAX - 1; i++)
			out[n++] = (char)json_object_get_int(json_object_array_get_idx(jm, i));
	}
	out[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!out[i])
			out[i] = ' ';
	json_object_put(o);
	return true;
}

/* A binary MESSAGE: "MESSAGE\n" + 64-bit little-endian size + data + "\n"; the data may hold
 * newlines. */
static void export_binary(struct oomtrace_jctl *p, const char *line, size_t len)
{
	uint64_t sz = 0;
	size_t i;

	if (p->len + len + 1 >= OOMTRACE_MSG_MAX) {
		p->bin = false;
		p->len = 0;
		return;
	}
	memcpy(p->exp + p->len, line, len);
	p->len += len;
	if (p->len < 8) {
		p->exp[p->len++] = '\n';
		return;
	}
	for (i = 0; i < 8; i++)
		sz |= (uint64_t)(unsigned char)p->exp[i] << (8 * i);
	if (p->len < 8 + sz) {
		p->exp[p->len++] = '\n';
		return;
	}
	p->bin = false;
	if (p->len != 8 + sz) {
		p->len = 0; /* damaged: the entry has no message */
		return;
	}
	memmove(p->exp, p->exp + 8, (size_t)sz);
	p->len = (size_t)sz;
	p->exp[p->len] = '\0';
}

/* The empty line that ends an entry: 1 when it was the kernel's and had a message (@x, @msg). */
static int export_end(struct oomtrace_jctl *p, struct oomtrace_prefix *x, char *msg)
{
	int done = p->kernel && p->len;

	if (done) {
		memcpy(msg, p->exp, p->len + 1);
		for (size_t i = 0; i < p->len; i++)
			if (!msg[i])
				msg[i] = ' ';
		*x = p->pfx;
		x->kernel = true;
		if (p->host[0]) {
			x->host = p->host;
			x->host_len = strlen(p->host);
		}
		memset(&p->pfx, 0, sizeof(p->pfx));
	}
	p->kernel = false;
	p->len = 0;
	return done;
}

/* A decimal time field into the entry's stamp: wall time (µs), or kernel time. */
static void export_time(struct oomtrace_jctl *p, bool realtime, const char *v, size_t vl)
{
	char tmp[32];
	int64_t t;

	copy(tmp, sizeof(tmp), v, vl);
	if (realtime) {
		if (num(tmp, &t) && t > 0) {
			p->pfx.has_abs = true;
			p->pfx.abs_us = t;
			p->pfx.subsec = true;
		}
	} else if (num(tmp, &t) && t >= 0) {
		p->pfx.has_uptime = true;
		p->pfx.uptime_ns = (uint64_t)t * 1000ULL;
	}
}

/* One "NAME=value" field of the entry being read. */
static void export_field(struct oomtrace_jctl *p, const char *line, size_t len, const char *eq)
{
	const char *v = eq + 1;
	size_t vl = len - (size_t)(v - line);

#define FIELD(name)                                                                                \
	((size_t)(eq - line) == sizeof(name) - 1 && memcmp(line, name, sizeof(name) - 1) == 0)
	if (FIELD("MESSAGE")) {
		if (vl > OOMTRACE_MSG_MAX - 1)
			vl = OOMTRACE_MSG_MAX - 1;
		memcpy(p->exp, v, vl);
		p->exp[vl] = '\0';
		p->len = vl;
	} else if (FIELD("__REALTIME_TIMESTAMP") || FIELD("_SOURCE_MONOTONIC_TIMESTAMP") ||
		   (FIELD("__MONOTONIC_TIMESTAMP") && !p->pfx.has_uptime)) {
		export_time(p, FIELD("__REALTIME_TIMESTAMP"), v, vl);
	} else if (FIELD("_HOSTNAME")) {
		copy(p->host, sizeof(p->host), v, vl);
	} else if (FIELD("_TRANSPORT")) {
		p->kernel = vl == 6 && memcmp(v, "kernel", 6) == 0;
	} else if (FIELD("__CURSOR")) {
		/* a new entry */
		p->host[0] = '\0';
		memset(&p->pfx, 0, sizeof(p->pfx));
		p->pfx.kind = OOMTRACE_LINE_ISO;
		p->pfx.kernel = true;
	}
#undef FIELD
}

int oomtrace_jctl_export(struct oomtrace_jctl *p, const char *line, size_t len,
			 struct oomtrace_prefix *x, char *msg)
{
	const char *eq;

	if (p->bin) {
		export_binary(p, line, len);
		return 0;
	}
	if (!len)
		return export_end(p, x, msg);
	if (len == 7 && memcmp(line, "MESSAGE", 7) == 0) {
		p->bin = true;
		p->len = 0;
		return 0;
	}
	eq = memchr(line, '=', len);
	if (eq)
		export_field(p, line, len, eq);
	return 0;
}

/* ---- journalctl -o verbose ------------------------------------------------------------- */

/* "Sun 2025-03-02 10:11:12.123456 CET [s=<32 hex>;i=...]": the time into @x. */
static bool verbose_header(const char *line, size_t len, struct oomtrace_prefix *x)
{
	const char *end = line + len, *p;

	if (len < 40 || line[len - 1] != ']')
		return false;
	memset(x, 0, sizeof(*x));
	p = oomtrace_prefix_full_time(line, end, x);
	return p && end - p > 4 && memcmp(p, " [s=", 4) == 0 && memchr(p, ';', (size_t)(end - p));
}

bool oomtrace_jctl_verbose_on(const struct oomtrace_jctl *p, const char *line, size_t len)
{
	struct oomtrace_prefix x;

	return p->verbose || (len > 40 && line[len - 1] == ']' && verbose_header(line, len, &x));
}

bool oomtrace_jctl_verbose_end(struct oomtrace_jctl *p, struct oomtrace_prefix *x, char *msg)
{
	bool was = p->verbose;

	p->verbose = false;
	p->in_msg = false;
	return was && export_end(p, x, msg);
}

/* "    FIELD=value": the field's name length, or 0 when @line is not one. */
static size_t verbose_field(const char *line, size_t len)
{
	size_t i;

	if (len < 6 || memcmp(line, "    ", 4) != 0)
		return 0;
	for (i = 4; i < len && ((line[i] >= 'A' && line[i] <= 'Z') ||
				(line[i] >= '0' && line[i] <= '9') || line[i] == '_');
	     i++)
		;
	return i > 4 && i < len && line[i] == '=' ? i - 4 : 0;
}

/* A further line of the MESSAGE value: indented under it (4 + "MESSAGE=" = 12 columns). */
static bool verbose_more(struct oomtrace_jctl *p, const char *line, size_t len)
{
	size_t k = 12;

	if (!p->in_msg || len < k || memcmp(line, "            ", k) != 0)
		return false;
	if (p->len + 1 + (len - k) < OOMTRACE_MSG_MAX) {
		p->exp[p->len++] = '\n';
		memcpy(p->exp + p->len, line + k, len - k);
		p->len += len - k;
		p->exp[p->len] = '\0';
	}
	return true;
}

int oomtrace_jctl_verbose(struct oomtrace_jctl *p, const char *line, size_t len,
			  struct oomtrace_prefix *x, char *msg)
{
	struct oomtrace_prefix h;
	size_t f;
	int r = 0;

	if (verbose_header(line, len, &h)) {
		if (p->verbose && export_end(p, x, msg)) {
			r = OOMTRACE_JV_DONE;
			if (x->host) {
				snprintf(p->xhost, sizeof(p->xhost), "%s", p->host);
				x->host = p->xhost;
			}
		}
		/* a new entry: its time from the header, kernel time and host from its fields */
		p->verbose = true;
		p->in_msg = false;
		p->kernel = false;
		p->len = 0;
		p->host[0] = '\0';
		p->pfx = h;
		p->pfx.kind = OOMTRACE_LINE_FULL;
		p->pfx.kernel = true;
		return r;
	}
	if (verbose_more(p, line, len))
		return 0;
	f = verbose_field(line, len);
	if (!f)
		return (oomtrace_jctl_verbose_end(p, x, msg) ? OOMTRACE_JV_DONE : 0) |
		       OOMTRACE_JV_NOT;
	p->in_msg = f == 7 && memcmp(line + 4, "MESSAGE", 7) == 0;
	/* "MESSAGE=[1.2K blob data]": a value journalctl did not print, no message */
	if (p->in_msg && line[len - 1] == ']' && len > 23 &&
	    memcmp(line + len - 11, " blob data]", 11) == 0 && line[12] == '[')
		p->in_msg = false;
	else
		export_field(p, line + 4, len - 4, line + 4 + f);
	return 0;
}
