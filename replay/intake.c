// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * intake.c: lines in, messages out for the parser (parser.c): a line's prefix (prefix.c, or one
 * learned by the report's own phrases: anchor.c), the journal's own formats (journalctl.c), a
 * transport's line breaks undone (unwrap.c), two records run together split; each message is then
 * run through the parser (oomtrace_run_msg).
 */
#include "config.h"

#include <string.h>

#include "parser_int.h"

/*
 * @n bytes to @dst, NULs made blanks, in one pass of 8 bytes a step (a zero byte found by the
 * (v - 0x01..) & ~v & 0x80.. test): two libc calls cost more than an 80-byte line's copy.
 */
static void copy_msg(char *dst, const char *src, size_t n)
{
	size_t i = 0, k;

	for (; i + 8 <= n; i += 8) {
		uint64_t v;

		memcpy(&v, src + i, 8);
		if ((v - 0x0101010101010101ULL) & ~v & 0x8080808080808080ULL)
			for (k = i; k < i + 8; k++)
				dst[k] = src[k] ? src[k] : ' ';
		else
			memcpy(dst + i, &v, 8);
	}
	for (; i < n; i++)
		dst[i] = src[i] ? src[i] : ' ';
}

static void take_msg(struct oomtrace_parser *p, const char *m, size_t n, bool kmsg)
{
	size_t i, o;

	if (!kmsg) {
		if (n > OOMTRACE_MSG_MAX - 1)
			n = OOMTRACE_MSG_MAX - 1;
		copy_msg(p->msg, m, n);
		p->msg[n] = '\0';
		return;
	}
	for (i = o = 0; i < n && o < OOMTRACE_MSG_MAX - 1; i++) {
		char c = m[i];

		if (c == '\\' && i + 3 < n && m[i + 1] == 'x' && hexval(m[i + 2]) >= 0 &&
		    hexval(m[i + 3]) >= 0) {
			c = (char)(hexval(m[i + 2]) * 16 + hexval(m[i + 3]));
			i += 3;
		}
		p->msg[o++] = c ? c : ' ';
	}
	p->msg[o] = '\0';
}

/*
 * A line of text: its prefix (a known format, or one found by the report's phrases), then its
 * message; two records run together on one line are split where the second one starts.
 */
static int one_line(struct oomtrace_parser *p, const char *line, size_t len, oomtrace_sink_fn sink,
		    void *ctx)
{
	struct oomtrace_prefix x;
	size_t n, cut;
	bool bare;
	int r;

	for (;;) {
		oomtrace_prefix_parse(line, len, &x);
		/* in dmesg --time-format iso, "<ISO> Call Trace:" is the kernel's "Call Trace:",
		 * not host "Call" with a program's tag (dmesg prints the kernel's records only) */
		if (x.kind == OOMTRACE_LINE_ISO && !x.kernel && x.host &&
		    p->last_kind == OOMTRACE_LINE_DMESG_ISO) {
			x.kind = OOMTRACE_LINE_DMESG_ISO;
			x.kernel = true;
			x.msg_off = (size_t)(x.host - line);
			x.host = NULL;
			x.host_len = 0;
		}
		/* dmesg --time-format iso has no tag to end its prefix: a head may follow the time
		 * (CRI's "2025-...Z stdout F msg") */
		if (x.kind == OOMTRACE_LINE_BARE || x.kind == OOMTRACE_LINE_DMESG_ISO)
			oomtrace_anchor_prefix(&p->anchor, line, len, &x);
		if ((x.kind == OOMTRACE_LINE_BARE || x.kind == OOMTRACE_LINE_ANCHORED) &&
		    len - x.msg_off && line[x.msg_off] == ' ' && p->last_kind == OOMTRACE_LINE_KMSG)
			return 0; /* a kmsg dictionary line (" SUBSYSTEM=...") */
		bare = x.kind == OOMTRACE_LINE_BARE;
		if (!bare && x.kind != OOMTRACE_LINE_ANCHORED)
			p->last_kind = x.kind;
		if (!x.kernel)
			return oomtrace_rec_killer_line(p, &x, line + x.msg_off, len - x.msg_off,
							sink, ctx);
		if (oomtrace_killers_in_kmsg(line + x.msg_off, len - x.msg_off))
			return oomtrace_rec_killer_line(p, &x, line + x.msg_off, len - x.msg_off,
							sink, ctx); /* oomd writes to /dev/kmsg */
		if (!bare) {
			p->ckind = x.caller_kind;
			p->cid = x.caller_id;
		}
		oomtrace_clock_stamp(&p->clock, &x, &p->cur);
		n = len - x.msg_off;
		cut = x.kind == OOMTRACE_LINE_KMSG ? 0 : oomtrace_anchor_split(line + x.msg_off, n);
		if (cut) {
			size_t k = cut;

			while (k &&
			       (line[x.msg_off + k - 1] == ' ' || line[x.msg_off + k - 1] == '\t'))
				k--;
			take_msg(p, line + x.msg_off, k, false);
		} else {
			take_msg(p, line + x.msg_off, n, x.kind == OOMTRACE_LINE_KMSG);
		}
		r = oomtrace_run_msg(p, bare, sink, ctx);
		if (r || !cut)
			return r;
		line += x.msg_off + cut;
		len -= x.msg_off + cut;
	}
}

/* A line with a known prefix of its own: no continuation of the line before it. */
static bool starts_record(const char *line, size_t len)
{
	struct oomtrace_prefix x;
	char head[512];
	bool spaces = false;
	size_t n;

	/* its head is enough, as the log wrote it */
	if (len >= sizeof(head))
		len = sizeof(head) - 1;
	n = oomtrace_unwrap_plain(head, sizeof(head), line, len, &spaces);
	if (n != (size_t)-1) {
		line = head;
		len = n;
	}
	oomtrace_prefix_parse(line, len, &x);
	return x.kind != OOMTRACE_LINE_BARE;
}

/* A logical line without a terminal's colouring (dmesg --color=always, journalctl into a file)
 * or a web page's spaces, parsed. */
static int plain_line(struct oomtrace_parser *p, const char *line, size_t len,
		      oomtrace_sink_fn sink, void *ctx)
{
	size_t n =
	    oomtrace_unwrap_plain(p->uw.plain, sizeof(p->uw.plain), line, len, &p->uw.spaces);

	if (n != (size_t)-1) {
		line = p->uw.plain;
		len = n;
	}
	return one_line(p, line, len, sink, ctx);
}

/* A physical line, its transport's breaks undone (unwrap.c; an escape sequence may be cut by
 * them), then parsed. */
static int unwrapped(struct oomtrace_parser *p, const char *line, size_t len, oomtrace_sink_fn sink,
		     void *ctx)
{
	const char *o;
	size_t n;
	int r;

	for (;;) {
		switch (oomtrace_unwrap_line(&p->uw, line, len, starts_record, &o, &n)) {
		case OOMTRACE_UW_TAKEN:
			return 0;
		case OOMTRACE_UW_LINE:
			return plain_line(p, o, n, sink, ctx);
		case OOMTRACE_UW_HELD_TOO:
			r = plain_line(p, o, n, sink, ctx);
			if (r)
				return r;
			break;
		}
	}
}

/* The line held for a continuation that did not come (the input ended, or paused). */
static int unwrap_end(struct oomtrace_parser *p, oomtrace_sink_fn sink, void *ctx)
{
	const char *o;
	size_t n;

	return oomtrace_unwrap_flush(&p->uw, &o, &n) ? plain_line(p, o, n, sink, ctx) : 0;
}

/* A journal entry read whole (-o verbose): its stamp in @x, its message in p->msg. */
static int journal_entry(struct oomtrace_parser *p, struct oomtrace_prefix *x,
			 oomtrace_sink_fn sink, void *ctx)
{
	p->ckind = 0;
	p->cid = 0;
	oomtrace_clock_stamp(&p->clock, x, &p->cur);
	return oomtrace_run_msg(p, false, sink, ctx);
}

int oomtrace_parser_line(struct oomtrace_parser *p, const char *line, size_t len,
			 oomtrace_sink_fn sink, void *ctx)
{
	struct oomtrace_prefix x;

	p->st.lines++;
	while (len && line[len - 1] == '\r')
		len--;
	if (oomtrace_killers_busy(&p->kl)) {
		int r = oomtrace_rec_killers_expire(p, false, sink, ctx);

		if (r)
			return r;
	}
	if (!p->input_lines++) {
		/* a verbose entry or a wrapped line open at the end of the input before ended there
		 */
		int r = oomtrace_jctl_verbose_end(&p->jctl, &x, p->msg)
			    ? journal_entry(p, &x, sink, ctx)
			    : 0;

		if (r || (r = unwrap_end(p, sink, ctx)))
			return r;
		oomtrace_unwrap_new_input(&p->uw);
		oomtrace_jctl_detect(&p->jctl, line, len);
	}
	if (p->jctl.export) {
		if (!oomtrace_jctl_export(&p->jctl, line, len, &x, p->msg))
			return 0;
		p->ckind = 0;
		p->cid = 0;
		oomtrace_clock_stamp(&p->clock, &x, &p->cur);
		return oomtrace_run_msg(p, false, sink, ctx);
	}
	if (oomtrace_jctl_verbose_on(&p->jctl, line, len)) {
		int v = oomtrace_jctl_verbose(&p->jctl, line, len, &x, p->msg), r;

		if ((v & OOMTRACE_JV_DONE) && (r = journal_entry(p, &x, sink, ctx)))
			return r;
		if (!(v & OOMTRACE_JV_NOT))
			return 0;
	}
	if (len && line[0] == '{' && oomtrace_jctl_json(&p->jctl, line, len, &x, p->msg)) {
		if (!x.kernel || oomtrace_killers_in_kmsg(p->msg, strlen(p->msg)))
			return oomtrace_rec_killer_line(p, &x, p->msg, strlen(p->msg), sink, ctx);
		p->ckind = 0;
		p->cid = 0;
		oomtrace_clock_stamp(&p->clock, &x, &p->cur);
		return oomtrace_run_msg(p, false, sink, ctx);
	}
	return unwrapped(p, line, len, sink, ctx);
}

int oomtrace_intake_end(struct oomtrace_parser *p, oomtrace_sink_fn sink, void *ctx)
{
	struct oomtrace_prefix x;
	int r;

	/* first the verbose entry: its message may then be held as a line that might go on */
	if (oomtrace_jctl_verbose_end(&p->jctl, &x, p->msg) &&
	    (r = journal_entry(p, &x, sink, ctx)))
		return r;
	return unwrap_end(p, sink, ctx);
}
