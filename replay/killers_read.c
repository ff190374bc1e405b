// SPDX-License-Identifier: GPL-2.0-or-later
/* killers_read.c: reading a killer's line (killers.c): literals, numbers, the event's facts. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "killers_int.h"

/* ---- reading helpers: none reads past @e ---------------------------------------- */

const char *find(const char *s, const char *e, const char *w)
{
	size_t n = strlen(w);

	for (; s && s + n <= e; s++)
		if (*s == *w && memcmp(s, w, n) == 0)
			return s;
	return NULL;
}

/* The literal @w at *@p: consumed, true. */
bool lit(const char **p, const char *e, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(e - *p) < n || memcmp(*p, w, n) != 0)
		return false;
	*p += n;
	return true;
}

void blanks(const char **p, const char *e)
{
	while (*p < e && **p == ' ')
		(*p)++;
}

/* A decimal integer (a sign allowed) at *@p, after blanks. */
bool num(const char **p, const char *e, int64_t *v)
{
	const char *q;
	bool neg = false;
	int64_t x = 0;

	blanks(p, e);
	q = *p;
	if (q < e && *q == '-') {
		neg = true;
		q++;
	}
	if (q >= e || *q < '0' || *q > '9')
		return false;
	for (; q < e && *q >= '0' && *q <= '9'; q++) {
		if (x > (INT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (*q - '0');
	}
	*v = neg ? -x : x;
	*p = q;
	return true;
}

/* A non-negative decimal at *@p in units of 10^-@digits: "12.3" with 2 digits is 1230 (more
 * digits than @digits are cut). */
static bool decimal(const char **p, const char *e, int digits, int64_t *v)
{
	int64_t whole, frac = 0, scale = 1;
	int n = 0;

	while (n++ < digits)
		scale *= 10;
	n = 0;
	if (!num(p, e, &whole) || whole < 0 || whole > INT64_MAX / scale - 1)
		return false;
	if (*p < e && **p == '.')
		for ((*p)++; *p < e && **p >= '0' && **p <= '9'; (*p)++)
			if (n < digits) {
				frac = frac * 10 + (**p - '0');
				n++;
			}
	for (; n < digits; n++)
		frac *= 10;
	*v = whole * scale + frac;
	return true;
}

/* "12.34" (or "12", "12.3", "12.345" cut) at *@p as hundredths: 1234. */
bool hundredths(const char **p, const char *e, int64_t *v)
{
	return decimal(p, e, 2, v);
}

void fact(struct oomtrace_event *ev, const char *key, int64_t v)
{
	(void)oomtrace_facts_set(&ev->killer.facts, key, strlen(key), v);
}

void set_comm(struct oomtrace_task *t, const char *s, const char *e)
{
	oomtrace_strlcpy_n(t->comm, sizeof(t->comm), s, (size_t)(e - s));
	t->known |= OOMTRACE_T_COMM;
}

void set_cgroup(struct oomtrace_task *t, const char *s, const char *e)
{
	size_t n = (size_t)(e - s);

	if (!n || n >= sizeof(t->cgroup))
		return;
	if (*s == '/') {
		memcpy(t->cgroup, s, n);
		t->cgroup[n] = '\0';
	} else { /* oomd prints the path under the cgroup root without its '/' */
		t->cgroup[0] = '/';
		oomtrace_strlcpy_n(t->cgroup + 1, sizeof(t->cgroup) - 1, s, n);
	}
	t->known |= OOMTRACE_T_CGROUP;
}

void set_reason(struct oomtrace_event *ev, const char *s, const char *e)
{
	while (e > s && (e[-1] == ' ' || e[-1] == '.' || e[-1] == '\t'))
		e--;
	oomtrace_strlcpy_n(ev->killer.reason, sizeof(ev->killer.reason), s, (size_t)(e - s));
}

/* A new kill by @name, from line @l. */
void start(struct oomtrace_event *ev, const struct oomtrace_killer_line *l, const char *name,
	   void (*ev_new)(void *, struct oomtrace_event *), void *arg)
{
	ev_new(arg, ev);
	ev->record = OOMTRACE_RECORD_KILL;
	ev->outcome = OOMTRACE_OUTCOME_KILLED;
	oomtrace_strlcpy_n(ev->killer.name, sizeof(ev->killer.name), name, strlen(name));
	if (l->pid > 0) {
		ev->killer.pid = l->pid;
		ev->killer.known |= OOMTRACE_KL_PID;
	}
}

void set_signal(struct oomtrace_event *ev, int sig)
{
	ev->killer.signal = sig;
	ev->killer.known |= OOMTRACE_KL_SIGNAL;
}

void set_died(struct oomtrace_event *ev, uint64_t us)
{
	ev->killer.died = true;
	ev->killer.died_after_us = us;
	ev->killer.known |= OOMTRACE_KL_DIED_AFTER;
}

/* "SIGKILL" / "SIGTERM" at *@p. */
int signal_name(const char **p, const char *e)
{
	if (lit(p, e, "SIGKILL"))
		return SIGKILL;
	if (lit(p, e, "SIGTERM"))
		return SIGTERM;
	return 0;
}

/* "1.234 seconds" / "1.234s" at *@p as microseconds. */
bool seconds_us(const char **p, const char *e, uint64_t *us)
{
	int64_t v;

	if (!decimal(p, e, 6, &v))
		return false;
	*us = (uint64_t)v;
	return true;
}

/* The held kill of @i handed over in @out. */
int hand_over(struct oomtrace_killers *k, int i, struct oomtrace_event *out)
{
	if (!k->open[i])
		return 0;
	*out = k->ev[i];
	k->open[i] = false;
	return 1;
}
