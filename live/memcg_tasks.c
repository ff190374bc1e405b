// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memcg_tasks.c: who grew in a memcg on its way to the limit (memcg_tasks.h). Bounded: at most
 * MAX_PIDS tasks of a memcg read, a statm each (and a comm for the kept ones), only for memcgs
 * above half their limit, every 10 s.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memcg_tasks.h"
#include "util.h"

#define MAX_PIDS 512
#define TEN_S_MS 10000

/* /proc/PID/statm's resident pages in kB; 0 where gone */
static uint32_t rss_of(const char *root, long pid, long page_kb)
{
	char p[96], b[128];
	unsigned long size, resident;

	snprintf(p, sizeof(p), "%s/proc/%ld/statm", root, pid);
	if (oomtrace_read_small(p, b, sizeof(b)) <= 0 ||
	    sscanf(b, "%lu %lu", &size, &resident) != 2)
		return 0;
	return (uint32_t)(resident * (unsigned long)page_kb);
}

/* @t into the reading's largest, largest first */
static void keep(struct oomtrace_memcg_reading *r, int32_t pid, uint32_t rss_kb)
{
	unsigned int i = r->n < OOMTRACE_TASKS_KEPT ? r->n++ : OOMTRACE_TASKS_KEPT;

	if (i == OOMTRACE_TASKS_KEPT && rss_kb <= r->t[i - 1].rss_kb)
		return;
	if (i == OOMTRACE_TASKS_KEPT)
		i--;
	for (; i > 0 && r->t[i - 1].rss_kb < rss_kb; i--)
		r->t[i] = r->t[i - 1];
	r->t[i].pid = pid;
	r->t[i].rss_kb = rss_kb;
	r->t[i].comm[0] = '\0';
}

void oomtrace_memcg_tasks_read(struct oomtrace_memcg_tasks *mt, const char *root, const char *cgdir,
			       uint64_t now_ms)
{
	struct oomtrace_memcg_reading *r = &mt->r[mt->readings % OOMTRACE_TASK_READINGS];
	long page_kb = sysconf(_SC_PAGESIZE) / 1024;
	char p[4700], *buf = malloc(MAX_PIDS * 12), *s, *end;
	unsigned int i, npids = 0;

	if (!buf)
		return;
	memset(r, 0, sizeof(*r));
	r->t_ms = now_ms;
	snprintf(p, sizeof(p), "%s/cgroup.procs", cgdir);
	if (oomtrace_read_small(p, buf, MAX_PIDS * 12) < 0) {
		free(buf);
		return;
	}
	for (s = buf; *s && npids < MAX_PIDS; s = end, npids++) {
		long pid = strtol(s, &end, 10);

		if (end == s)
			break;
		if (pid > 0)
			keep(r, (int32_t)pid, rss_of(root, pid, page_kb > 0 ? page_kb : 4));
	}
	free(buf);
	for (i = 0; i < r->n; i++) {
		char c[64];
		ssize_t n;

		snprintf(p, sizeof(p), "%s/proc/%d/comm", root, (int)r->t[i].pid);
		if ((n = oomtrace_read_small(p, c, sizeof(c))) > 0) {
			if (c[n - 1] == '\n')
				c[--n] = '\0';
			oomtrace_strlcpy_n(r->t[i].comm, sizeof(r->t[i].comm), c, (size_t)n);
		}
	}
	mt->readings++;
}

uint64_t oomtrace_memcg_tasks_last(const struct oomtrace_memcg_tasks *mt)
{
	return mt->readings ? mt->r[(mt->readings - 1) % OOMTRACE_TASK_READINGS].t_ms : 0;
}

static const struct oomtrace_memcg_task *find(const struct oomtrace_memcg_reading *r, int32_t pid)
{
	unsigned int i;

	for (i = 0; r && i < r->n; i++)
		if (r->t[i].pid == pid)
			return &r->t[i];
	return NULL;
}

void oomtrace_memcg_tasks_history(const struct oomtrace_memcg_tasks *mt, uint64_t now_ms,
				  struct oomtrace_history *out)
{
	const struct oomtrace_memcg_reading *newest = NULL, *oldest = NULL, *ten = NULL;
	unsigned int k,
	    n = mt->readings < OOMTRACE_TASK_READINGS ? mt->readings : OOMTRACE_TASK_READINGS;

	/* oldest to newest, those up to the record and within its minute and ten seconds */
	for (k = 0; k < n; k++) {
		const struct oomtrace_memcg_reading *r =
		    &mt->r[(mt->readings - n + k) % OOMTRACE_TASK_READINGS];

		if (r->t_ms > now_ms || now_ms - r->t_ms > 6 * TEN_S_MS + TEN_S_MS / 2 || !r->n)
			continue;
		if (!oldest)
			oldest = r;
		if (now_ms - r->t_ms >= TEN_S_MS)
			ten = r;
		newest = r;
	}
	if (!newest)
		return;
	if (!ten)
		ten = oldest;
	out->tasks_oldest_ms = -(int32_t)(now_ms - oldest->t_ms);
	out->tasks_10s_ms = -(int32_t)(now_ms - ten->t_ms);
	out->tasks_newest_ms = -(int32_t)(now_ms - newest->t_ms);
	out->known |= OOMTRACE_H_TASKS;
	for (k = 0; k < newest->n && k < OOMTRACE_HISTORY_TASKS; k++) {
		struct oomtrace_history_task *t = &out->tasks[out->ntasks++];
		const struct oomtrace_memcg_task *o = find(oldest, newest->t[k].pid),
						 *m = find(ten, newest->t[k].pid);

		memset(t, 0, sizeof(*t));
		t->pid = newest->t[k].pid;
		memcpy(t->comm, newest->t[k].comm, sizeof(t->comm));
		t->rss_kb_newest = newest->t[k].rss_kb;
		t->known = OOMTRACE_HT_NEWEST;
		if (o) {
			t->rss_kb_oldest = o->rss_kb;
			t->known |= OOMTRACE_HT_OLDEST;
		}
		if (m) {
			t->rss_kb_10s = m->rss_kb;
			t->known |= OOMTRACE_HT_10S;
		}
	}
}
