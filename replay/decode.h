/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode.h: one message of the kernel's OOM report (its prefix already cut)
 * into the facts it states. Pure: no parser state, no I/O; what each wording
 * looked like in which kernel is said at each decoder.
 */
#ifndef OOMTRACE_DECODE_H
#define OOMTRACE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* Columns of the "Tasks state" table that are kept (the table changed across kernels). */
enum oomtrace_col {
	OOMTRACE_COL_OTHER = 0,
	OOMTRACE_COL_UID,
	OOMTRACE_COL_TGID,
	OOMTRACE_COL_TOTAL_VM,
	OOMTRACE_COL_RSS,
	OOMTRACE_COL_PGTABLES,
	OOMTRACE_COL_SWAPENTS,
	OOMTRACE_COL_OOM_SCORE_ADJ,
	OOMTRACE_COL_NAME,
};
#define OOMTRACE_TASK_COLS 16

/* "Task in /a killed as a result of limit of /b" (memcg, <= 4.18): the phrase in the middle */
#define OOMTRACE_TASK_IN_PHRASE " killed as a result of limit of "

/* What the killer chose before it killed (<= 5.0: "Kill process N (c) score S or sacrifice child").
 */
struct oomtrace_choice {
	int32_t pid;
	bool has_comm, has_points;
	char comm[OOMTRACE_COMM_MAX];
	int64_t points;
};

/*
 * "total-vm:68268kB, anon-rss:65280kB, ..., UID:0 pgtables:168kB oom_score_adj:0" into @t; true
 * when the text was cut inside a field (a size without its unit, a key without its value): that
 * field is left unknown, never read short.
 */
bool oomtrace_decode_task_kv(const char *s, struct oomtrace_task *t);
/* The kill line after "Killed process " (every wording, RHEL's too); false when it names no pid.
 * *@cut: the line ends inside a field (an author or a console cut it). */
bool oomtrace_decode_kill(const char *s, struct oomtrace_task *t, bool *cut);
/* The header: @inv is where " invoked oom-killer:" stands in @m; the trigger's comm and the
 * request. */
void oomtrace_decode_header(const char *m, const char *inv, struct oomtrace_event *ev);
/* "CPU: 0 UID: 0 PID: 2286 Comm: ..." or 2.6's "Pid: 1234, comm: ...": the pid, 0 when none. */
int32_t oomtrace_decode_cpu_pid(const char *m);
/* The summary after "oom-kill:": constraint, cpuset, mems_allowed, oom_memcg, the victim. */
void oomtrace_decode_summary(const char *s, struct oomtrace_event *ev);
/* The choice after "Kill process "; false when it names no pid and comm. */
bool oomtrace_decode_select(const char *s, struct oomtrace_choice *c);
/* After "oom_reaper: reaped process ": the pid and what it holds now; false when neither. */
bool oomtrace_decode_reaped(const char *s, int64_t *pid, struct oomtrace_task *t);
/* "memory: usage 65536kB, limit 65536kB, failcnt 19" and its siblings (memory+swap, kmem, swap). */
void oomtrace_decode_memcg_usage(const char *m, struct oomtrace_kvset *set);
/* One counter of the report; an unlimited "hierarchical_*_limit" is -1. */
void oomtrace_decode_stat_set(struct oomtrace_kvset *set, const char *k, size_t n, int64_t v);
/*
 * "active_anon:4575 inactive_anon:1652614 ...": true when every token is
 * key:number; then (with @set) all are added, else none. @strip_kb: <= 4.x's
 * "rss:65536KB", turned into bytes.
 */
bool oomtrace_decode_kv_tokens(struct oomtrace_kvset *set, const char *s, bool strip_kb);
/* "rss 66920448" (v1 6.x, v2: one memory.stat counter a line): added, true; else false. */
bool oomtrace_decode_stat_line(const char *m, struct oomtrace_kvset *set);
/*
 * "Memory cgroup stats for /a: [cache:0KB rss:...]" after its first words (@path):
 * the memcg (when @ev has none) and counters on the same line. -1: not such a line;
 * 1: the counters were on it; 0: they follow, one a line.
 */
int oomtrace_decode_memcg_stats_for(const char *path, struct oomtrace_event *ev);
/* The table's header "[  pid  ]   uid  tgid total_vm ... name": its columns (at most @max). */
int oomtrace_decode_tasks_header(const char *s, enum oomtrace_col *cols, int max);
/* A row "[   2286]     0  2286    17067 ... my hog" by the header's columns; false when not one. */
bool oomtrace_decode_task_row(const char *s, const enum oomtrace_col *cols, int ncols,
			      struct oomtrace_task_row *row);
/* "Task in /a killed as a result of limit of /b" after "Task in ": the victim's cgroup, oom_memcg.
 */
void oomtrace_decode_task_in(const char *s, struct oomtrace_event *ev);

#endif
