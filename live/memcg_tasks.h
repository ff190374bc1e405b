/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memcg_tasks.h: the largest tasks of a memory cgroup, read every 10 s while it is above half its
 * limit (its cgroup.procs, each one's /proc/PID/statm, the largest ones' comm): who grew, for
 * its kill's history (live/history.c).
 */
#ifndef OOMTRACE_MEMCG_TASKS_H
#define OOMTRACE_MEMCG_TASKS_H

#include <stdint.h>

#include "event.h"

#define OOMTRACE_TASK_READINGS 7 /* every 10 s: a minute and the newest */
#define OOMTRACE_TASKS_KEPT 8	 /* the largest of each reading */

struct oomtrace_memcg_task {
	int32_t pid;
	uint32_t rss_kb;
	char comm[OOMTRACE_COMM_MAX];
};
struct oomtrace_memcg_reading {
	uint64_t t_ms;
	unsigned int n;
	struct oomtrace_memcg_task t[OOMTRACE_TASKS_KEPT]; /* largest first */
};
struct oomtrace_memcg_tasks {
	unsigned int readings; /* taken so far (the newest at (readings - 1) % MAX) */
	struct oomtrace_memcg_reading r[OOMTRACE_TASK_READINGS];
};

/*
 * A reading at @now_ms of the memcg whose directory is @cgdir: its tasks' RSS from
 * "<root>/proc/PID/statm" (@root "" for the real /proc), the largest kept.
 */
void oomtrace_memcg_tasks_read(struct oomtrace_memcg_tasks *mt, const char *root, const char *cgdir,
			       uint64_t now_ms);

/* When the newest reading was taken (0: none yet). */
uint64_t oomtrace_memcg_tasks_last(const struct oomtrace_memcg_tasks *mt);

/*
 * Into @out (its tasks and their times, ms before @now_ms): the largest tasks of the newest
 * reading up to @now_ms, each with its RSS then, at the newest reading 10 s or more before (else
 * the oldest) and at the oldest of the minute.
 */
void oomtrace_memcg_tasks_history(const struct oomtrace_memcg_tasks *mt, uint64_t now_ms,
				  struct oomtrace_history *out);

#endif
