// SPDX-License-Identifier: GPL-2.0-or-later
/* rewrap.c: kernel lines a mailer or a terminal broke in two, joined again. */
#include "config.h"

#include <string.h>

#include "lex.h"
#include "rewrap.h"

/*
 * Lines a mailer or a terminal may have cut: an oom-kill: summary without its
 * final ",uid=N", and "Task in /a killed as a result of limit of /b" (the
 * second path may go on in the next line). Kept until the next line shows
 * whether it goes on.
 */
enum oomtrace_pend oomtrace_rewrap_needs_more(const char *m, size_t n)
{
	if (starts(m, "oom-kill:")) {
		const char *u = rfind(m, n, ",uid=");
		const char *q;

		if (!u)
			return OOMTRACE_PEND_SUMMARY;
		for (q = u + 5; *q >= '0' && *q <= '9'; q++)
			;
		return q == u + 5 || *q ? OOMTRACE_PEND_SUMMARY : OOMTRACE_PEND_NONE;
	}
	if (starts(m, "Task in "))
		return OOMTRACE_PEND_TASK_IN;
	/* the kill line's "total-vm:..., UID:.. pgtables:.. oom_score_adj:.." may go on in the next
	 * (it starts "Killed process", "Out of memory: Killed", "Memory cgroup out of memory:
	 * Killed") */
	if ((m[0] == 'K' || m[0] == 'O' || m[0] == 'M') && strstr(m, "Killed process "))
		return OOMTRACE_PEND_KILL;
	/* "COMM invoked oom-killer: gfp_mask=..., order=0," + "oom_score_adj=0" */
	if (n && m[n - 1] == ',' && strstr(m, " invoked oom-killer:"))
		return OOMTRACE_PEND_HEADER;
	return OOMTRACE_PEND_NONE;
}

/* "total-vm:640048kB," / "pgtables:1104kB" / "oom_score_adj=0": a line that starts with key:number
 */
static bool kv_start(const char *m)
{
	const char *q = m;

	while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '_' || *q == '-')
		q++;
	return q > m && (*q == ':' || *q == '=') && ((q[1] >= '0' && q[1] <= '9') || q[1] == '-');
}

/* p->join = the held line, a space if @space, then @m (@n bytes; the caller checked the size). */
static void join_to_pending(struct oomtrace_rewrap *p, const char *m, size_t n, bool space)
{
	size_t pl = p->len;

	memcpy(p->join, p->msg, pl);
	if (space)
		p->join[pl++] = ' ';
	memcpy(p->join + pl, m, n);
	p->join[pl + n] = '\0';
}

const char *oomtrace_rewrap_join(struct oomtrace_rewrap *p, const char *m, size_t n)
{
	static const char k[] = " killed as a result of limit of ";
	bool with_space = false;

	if (!n || *m == ' ' || *m == '\t' || p->len + 1 + n >= OOMTRACE_MSG_MAX)
		return NULL;
	if (p->kind == OOMTRACE_PEND_KILL || p->kind == OOMTRACE_PEND_HEADER) {
		/* a mailer broke the line at a space: what goes on is more key:value pairs */
		if (!kv_start(m))
			return NULL;
		with_space = true;
	} else if (p->kind == OOMTRACE_PEND_TASK_IN) {
		const char *phrase = strstr(p->msg, k);

		if (phrase && phrase[sizeof(k) - 1]) {
			/* whole: only a path cut by a terminal goes on (no spaces, no colon) */
			if (!p->prefixed || memchr(m, ' ', n) || memchr(m, ':', n))
				return NULL;
		} else {
			/* a mailer breaks at a space and drops it: the join that makes the phrase
			 * whole */
			join_to_pending(p, m, n, true);
			if (strstr(p->join, k))
				return p->join;
			/* else a terminal cut it anywhere: joined as it is, below */
		}
	}
	/* a summary has no spaces but inside the comm and paths: a cut is joined as it is */
	join_to_pending(p, m, n, with_space);
	return p->join;
}

void oomtrace_rewrap_hold(struct oomtrace_rewrap *w, enum oomtrace_pend kind, const char *m,
			  size_t n, bool prefixed)
{
	w->kind = kind;
	w->len = n;
	w->prefixed = prefixed;
	memmove(w->msg, m, n + 1);
}
