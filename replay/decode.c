// SPDX-License-Identifier: GPL-2.0-or-later
/* decode.c: each message of the kernel's OOM report into the facts it states, from 2.6 to 6.x
 * wording. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "lex.h"

/* A size of the kill line: "65280kB"; a number without its unit was cut inside ("anon-rss:12"). */
static bool kb_unit(const char *e)
{
	return (e[0] == 'k' || e[0] == 'K') && e[1] == 'B';
}

bool oomtrace_decode_task_kv(const char *s, struct oomtrace_task *t)
{
	/* "total-vm:68268kB, anon-rss:65280kB, file-rss:1084kB, shmem-rss:0kB,
	 *  UID:0 pgtables:168kB oom_score_adj:0" */
	while (*s) {
		const char *k = s, *c, *e;
		bool kb;
		int64_t v;

		while (*s && *s != ':' && *s != ' ' && *s != ',')
			s++;
		if (*s != ':') {
			if (!*s && s > k)
				return true; /* a key cut short ("shmem-r") */
			while (*s && *s != ' ' && *s != ',')
				s++;
			while (*s == ' ' || *s == ',')
				s++;
			continue;
		}
		c = s + 1;
		e = num(c, &v);
		if (!e) {
			if (!*c)
				return true; /* "anon-rss:" and nothing after */
			s = c;
			continue;
		}
		s = e;
#define KEY(name) ((size_t)(c - 1 - k) == strlen(name) && memcmp(k, name, strlen(name)) == 0)
		kb = KEY("total-vm") || KEY("anon-rss") || KEY("file-rss") || KEY("shmem-rss") ||
		     KEY("pgtables");
		if (kb && !kb_unit(e)) {
			/* no unit: the line was cut inside this number (or its unit) */
			if (!*e || !e[1] || (!e[2] && (*e == 'k' || *e == 'K')))
				return true;
		} else if (KEY("total-vm")) {
			t->total_vm_kb = (uint64_t)v;
			t->known |= OOMTRACE_T_TOTAL_VM;
		} else if (KEY("anon-rss")) {
			t->anon_rss_kb = (uint64_t)v;
			t->known |= OOMTRACE_T_ANON_RSS;
		} else if (KEY("file-rss")) {
			t->file_rss_kb = (uint64_t)v;
			t->known |= OOMTRACE_T_FILE_RSS;
		} else if (KEY("shmem-rss")) {
			t->shmem_rss_kb = (uint64_t)v;
			t->known |= OOMTRACE_T_SHMEM_RSS;
		} else if (KEY("UID")) {
			t->uid = (uint32_t)v;
			t->known |= OOMTRACE_T_UID;
		} else if (KEY("pgtables")) {
			t->pgtables_kb = (uint64_t)v;
			t->known |= OOMTRACE_T_PGTABLES;
		} else if (KEY("oom_score_adj")) {
			t->oom_score_adj = (int32_t)v;
			t->known |= OOMTRACE_T_OOM_SCORE_ADJ;
		}
#undef KEY
		while (*s && *s != ' ' && *s != ',')
			s++;
		while (*s == ' ' || *s == ',')
			s++;
	}
	return false;
}

/*
 * "Killed process 2286 (my hog) total-vm:..." and the RHEL forms
 * "Killed process N, UID U, (c) total-vm:..." / "Killed process N (c), UID U, total-vm:...",
 * 2.6's "Killed process N (c)." — @s points after "Killed process ".
 */
bool oomtrace_decode_kill(const char *s, struct oomtrace_task *t, bool *cut)
{
	const char *open, *close = NULL, *rest = "";
	int64_t pid, uid;
	size_t n;

	*cut = false;
	s = num(s, &pid);
	if (!s || pid <= 0 || pid > INT32_MAX)
		return false;
	if (!*s) {
		*cut = true; /* "Killed process 12" may be "Killed process 1234" cut */
		return false;
	}
	t->pid = (int32_t)pid;
	t->known |= OOMTRACE_T_PID;
	if (starts(s, ", UID ")) {
		const char *e = num(s + 6, &uid);

		if (e) {
			t->uid = (uint32_t)uid;
			t->known |= OOMTRACE_T_UID;
			s = e;
			if (*s == ',')
				s++;
		}
	}
	s = skip_sp(s);
	if (*s != '(') {
		*cut = !*s && s[-1] == ' ';
		return true;
	}
	open = s + 1;
	n = strlen(open);
	/* the comm may hold parentheses: find the ')' that ends it from the right */
	if ((close = rfind(open, n, ") total-vm:")))
		rest = close + 2;
	else if ((close = rfind(open, n, "), UID ")))
		rest = close + 1;
	else if (n >= 2 && strcmp(open + n - 2, ").") == 0)
		close = open + n - 2;
	else if (n >= 1 && open[n - 1] == ')')
		close = open + n - 1;
	else if ((close = rfind(open, n, ")")))
		rest = close + 1;
	if (!close) {
		*cut = true; /* "(my ho": the comm was cut */
		return true;
	}
	copy(t->comm, sizeof(t->comm), open, (size_t)(close - open));
	t->known |= OOMTRACE_T_COMM;
	if (starts(rest, ", UID ")) {
		const char *e = num(rest + 6, &uid);

		if (e) {
			t->uid = (uint32_t)uid;
			t->known |= OOMTRACE_T_UID;
			rest = e;
		}
	}
	if (oomtrace_decode_task_kv(rest, t))
		*cut = true;
	return true;
}

/* "COMM invoked oom-killer: gfp_mask=0x..(FLAGS), order=0, oom_score_adj=0" (older: oom_adj=,
 * oomkilladj=) */
void oomtrace_decode_header(const char *m, const char *inv, struct oomtrace_event *ev)
{
	const char *s;

	copy(ev->trigger.comm, sizeof(ev->trigger.comm), m, (size_t)(inv - m));
	ev->trigger.known |= OOMTRACE_T_COMM;
	s = inv + strlen(" invoked oom-killer:");
	while (*s) {
		int64_t v;
		const char *e;

		s = skip_sp(s);
		if (starts(s, "gfp_mask=")) {
			uint64_t g;

			s += 9;
			if ((e = hexnum(s, &g))) {
				ev->gfp_mask = g;
				ev->known |= OOMTRACE_E_GFP_MASK;
				s = e;
			}
			if (*s == '(') {
				const char *c = strchr(s, ')');

				if (c) {
					copy(ev->gfp_flags, sizeof(ev->gfp_flags), s + 1,
					     (size_t)(c - s - 1));
					ev->known |= OOMTRACE_E_GFP_FLAGS;
					s = c + 1;
				}
			}
		} else if (starts(s, "order=")) {
			if ((e = num(s + 6, &v)) && v >= 0 && v <= 64) {
				ev->order = (int32_t)v;
				ev->known |= OOMTRACE_E_ORDER;
				s = e;
			}
		} else if (starts(s, "oom_score_adj=") || starts(s, "oomkilladj=") ||
			   starts(s, "oom_adj=")) {
			bool adj = starts(s, "oom_score_adj=");

			s = strchr(s, '=') + 1;
			if ((e = num(s, &v)) &&
			    (adj || !(ev->trigger.known & OOMTRACE_T_OOM_SCORE_ADJ))) {
				/* oom_score_adj is -1000..1000; the old oom_adj -17..15 kept when
				 * alone */
				ev->trigger.oom_score_adj = (int32_t)v;
				ev->trigger.known |= OOMTRACE_T_OOM_SCORE_ADJ;
				s = e;
			}
		}
		while (*s && *s != ',')
			s++;
		if (*s == ',')
			s++;
	}
}

/* "CPU: 0 UID: 0 PID: 2286 Comm: my hog Not tainted ..." / 2.6 "Pid: 1234, comm: x ..." */
int32_t oomtrace_decode_cpu_pid(const char *m)
{
	const char *s = strstr(m, " PID: ");
	int64_t pid;

	if (starts(m, "Pid: "))
		s = m + 5;
	else if (s)
		s += 6;
	if (!s || !num(s, &pid) || pid <= 0 || pid > INT32_MAX)
		return 0;
	return (int32_t)pid;
}

/* One keyed value of the summary, [v0, v1), into @ev: @i indexes the keys of
 * oomtrace_decode_summary(). */
static void summary_value(size_t i, const char *v0, const char *v1, struct oomtrace_event *ev)
{
	char c[32];
	size_t k;

	switch (i) {
	case 0:
		if (!starts(v0, "CONSTRAINT_"))
			break;
		copy(c, sizeof(c), v0 + 11, (size_t)(v1 - v0 - 11));
		for (k = 0; c[k]; k++)
			c[k] = (char)(c[k] >= 'A' && c[k] <= 'Z' ? c[k] + 32 : c[k]);
		if (oomtrace_constraint_parse(c, &ev->constraint) == 0)
			ev->known |= OOMTRACE_E_CONSTRAINT;
		break;
	case 2:
		copy(ev->cpuset, sizeof(ev->cpuset), v0, (size_t)(v1 - v0));
		ev->known |= OOMTRACE_E_CPUSET;
		break;
	case 3:
		/* a global OOM says ",global_oom" where a memcg one names oom_memcg */
		if (v1 - v0 >= 11 && memcmp(v1 - 11, ",global_oom", 11) == 0)
			v1 -= 11;
		copy(ev->mems_allowed, sizeof(ev->mems_allowed), v0, (size_t)(v1 - v0));
		ev->known |= OOMTRACE_E_MEMS_ALLOWED;
		break;
	case 4:
		copy(ev->oom_memcg, sizeof(ev->oom_memcg), v0, (size_t)(v1 - v0));
		ev->known |= OOMTRACE_E_OOM_MEMCG;
		break;
	case 5:
		copy(ev->victim.cgroup, sizeof(ev->victim.cgroup), v0, (size_t)(v1 - v0));
		ev->victim.known |= OOMTRACE_T_CGROUP;
		break;
	default:
		break;
	}
}

/* The summary's victim, right to left: uid, pid, task (the comm may hold commas). Where task=
 * begins. */
static const char *summary_victim(const char *s, size_t n, struct oomtrace_event *ev)
{
	const char *task, *pidp, *uidp;
	int64_t v;

	uidp = rfind(s, n, ",uid=");
	pidp = uidp ? rfind(s, (size_t)(uidp - s), ",pid=") : rfind(s, n, ",pid=");
	task = pidp ? rfind(s, (size_t)(pidp - s), ",task=") : NULL;
	if (uidp && num(uidp + 5, &v)) {
		ev->victim.uid = (uint32_t)v;
		ev->victim.known |= OOMTRACE_T_UID;
	}
	if (pidp && num(pidp + 5, &v) && v > 0 && v <= INT32_MAX) {
		ev->victim.pid = (int32_t)v;
		ev->victim.known |= OOMTRACE_T_PID;
	}
	if (task && pidp) {
		copy(ev->victim.comm, sizeof(ev->victim.comm), task + 6, (size_t)(pidp - task - 6));
		ev->victim.known |= OOMTRACE_T_COMM;
	}
	return task ? task : s + n;
}

/* "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,
 *  oom_memcg=/oomtest,task_memcg=/oomtest,task=my hog,pid=2286,uid=0" */
void oomtrace_decode_summary(const char *s, struct oomtrace_event *ev)
{
	static const char *const keys[] = {"constraint=",    ",nodemask=",  ",cpuset=",
					   ",mems_allowed=", ",oom_memcg=", ",task_memcg="};
	const char *at[6], *end, *pos;
	size_t i, j;

	end = summary_victim(s, strlen(s), ev);
	/* left to right for the fixed keys; each value runs to the next key found */
	for (i = 0, pos = s; i < 6; i++) {
		at[i] = strstr(pos, keys[i]);
		if (at[i] && at[i] >= end)
			at[i] = NULL;
		if (at[i])
			pos = at[i] + 1;
	}
	for (i = 0; i < 6; i++) {
		const char *v1 = end;

		if (!at[i])
			continue;
		for (j = i + 1; j < 6; j++)
			if (at[j]) {
				v1 = at[j];
				break;
			}
		summary_value(i, at[i] + strlen(keys[i]), v1, ev);
	}
}

/* "Out of memory: Kill process N (c) score S or sacrifice child" (<= 5.0), after "Kill process " */
bool oomtrace_decode_select(const char *s, struct oomtrace_choice *c)
{
	const char *open, *close;
	int64_t pid, score;

	memset(c, 0, sizeof(*c));
	if (!(s = num(s, &pid)) || pid <= 0 || pid > INT32_MAX)
		return false;
	s = skip_sp(s);
	if (*s != '(')
		return false;
	open = s + 1;
	close = rfind(open, strlen(open), ") score ");
	c->pid = (int32_t)pid;
	if (close) {
		copy(c->comm, sizeof(c->comm), open, (size_t)(close - open));
		c->has_comm = true;
		if (num(close + 8, &score)) {
			c->points = score;
			c->has_points = true;
		}
	}
	return true;
}

/* "oom_reaper: reaped process N (c), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB" */
bool oomtrace_decode_reaped(const char *s, int64_t *pid, struct oomtrace_task *t)
{
	const char *now = strstr(s, "), now ");

	if (!num(s, pid) || !now)
		return false;
	oomtrace_decode_task_kv(now + 7, t);
	return true;
}

/* "memory: usage 65536kB, limit 65536kB, failcnt 19" and its swap/kmem siblings */
void oomtrace_decode_memcg_usage(const char *m, struct oomtrace_kvset *set)
{
	static const char *const names[][3] = {
	    {"usage_kb", "limit_kb", "failcnt"},
	    {"memsw_usage_kb", "memsw_limit_kb", "memsw_failcnt"},
	    {"kmem_usage_kb", "kmem_limit_kb", "kmem_failcnt"},
	    {"swap_usage_kb", "swap_limit_kb", "swap_failcnt"},
	};
	const char *const *nm;
	const char *s;
	int64_t v;
	int i;

	if (starts(m, "memory: ")) {
		nm = names[0];
		s = m + 8;
	} else if (starts(m, "memory+swap: ")) {
		nm = names[1];
		s = m + 13;
	} else if (starts(m, "kmem: ")) {
		nm = names[2];
		s = m + 6;
	} else {
		nm = names[3];
		s = m + 6;
	}
	for (i = 0; i < 3; i++) {
		const char *w = i == 0 ? "usage " : i == 1 ? "limit " : "failcnt ";
		const char *f = strstr(s, w);

		if (f && num(f + strlen(w), &v)) {
			/* "no limit" is PAGE_COUNTER_MAX pages (9007199254740988kB on 4 KiB pages):
			 * -1, as live */
			if (i == 1 && v >= (1LL << 52))
				v = -1;
			oomtrace_kvset_set(set, nm[i], strlen(nm[i]), v);
		}
	}
}

/* A counter of the report; "hierarchical_*_limit" of an unlimited memcg (~2^63 bytes) is -1 (no
 * limit). */
void oomtrace_decode_stat_set(struct oomtrace_kvset *set, const char *k, size_t n, int64_t v)
{
	if (n > 18 && memcmp(k, "hierarchical_", 13) == 0 && memcmp(k + n - 5, "limit", 5) == 0 &&
	    v >= (1LL << 62))
		v = -1;
	oomtrace_kvset_set(set, k, n, v);
}

/* "active_anon:4575 inactive_anon:1652614 isolated_anon:0" → true when every token is key:num */
bool oomtrace_decode_kv_tokens(struct oomtrace_kvset *set, const char *s, bool strip_kb)
{
	bool any = false;

	/* all or nothing: a line that is not entirely counters adds none */
	if (set && !oomtrace_decode_kv_tokens(NULL, s, strip_kb))
		return false;

	s = skip_sp(s);
	while (*s) {
		const char *k = s, *c = NULL, *e;
		int64_t v;

		while (*s && *s != ' ' && *s != ':')
			s++;
		if (*s != ':')
			return any && !*skip_sp(s);
		c = s;
		e = num(c + 1, &v);
		if (!e)
			return false;
		if (strip_kb && (starts(e, "KB") || starts(e, "kB"))) {
			/* <= 4.x "rss:65536KB": bytes, as memory.stat and later kernels print them
			 */
			e += 2;
			v = v > INT64_MAX / 1024 ? INT64_MAX : v * 1024;
		}
		if (*e && *e != ' ')
			return false;
		if (set)
			oomtrace_decode_stat_set(set, k, (size_t)(c - k), v);
		any = true;
		s = skip_sp(e);
	}
	return any;
}

bool oomtrace_decode_stat_line(const char *m, struct oomtrace_kvset *set)
{
	const char *sp;
	int64_t v;
	const char *e;

	/* a record of several lines (v2 memory.stat) shows its further lines indented in dmesg */
	while (*m == ' ' || *m == '\t')
		m++;
	sp = strchr(m, ' ');

	if (sp && sp > m && (e = num(sp + 1, &v)) && !*e && !strchr(m, ':')) {
		oomtrace_decode_stat_set(set, m, (size_t)(sp - m), v);
		return true;
	}
	return false;
}

int oomtrace_decode_memcg_stats_for(const char *path, struct oomtrace_event *ev)
{
	const char *colon = strstr(path, ": ");

	if (!colon && *path && path[strlen(path) - 1] == ':')
		colon = path + strlen(path) - 1;
	if (!colon)
		return -1;
	if (!(ev->known & OOMTRACE_E_OOM_MEMCG)) {
		copy(ev->oom_memcg, sizeof(ev->oom_memcg), path, (size_t)(colon - path));
		ev->known |= OOMTRACE_E_OOM_MEMCG;
	}
	/* <= 4.x prints "cache:0KB rss:65536KB ..." on the same line */
	return oomtrace_decode_kv_tokens(&ev->ctx.memcg_stat, colon + 1, true) ? 1 : 0;
}

int oomtrace_decode_tasks_header(const char *s, enum oomtrace_col *cols, int max)
{
	const char *close = strchr(s, ']');
	int ncols = 0;

	if (!close)
		return 0;
	s = close + 1;
	while (*(s = skip_sp(s)) && ncols < max) {
		const char *b = s;
		size_t n;
		enum oomtrace_col c = OOMTRACE_COL_OTHER;

		while (*s && *s != ' ')
			s++;
		n = (size_t)(s - b);
#define IS(w) (n == strlen(w) && memcmp(b, w, n) == 0)
		if (IS("uid"))
			c = OOMTRACE_COL_UID;
		else if (IS("tgid"))
			c = OOMTRACE_COL_TGID;
		else if (IS("total_vm"))
			c = OOMTRACE_COL_TOTAL_VM;
		else if (IS("rss"))
			c = OOMTRACE_COL_RSS;
		else if (IS("pgtables_bytes"))
			c = OOMTRACE_COL_PGTABLES;
		else if (IS("swapents"))
			c = OOMTRACE_COL_SWAPENTS;
		else if (IS("oom_score_adj"))
			c = OOMTRACE_COL_OOM_SCORE_ADJ;
		else if (IS("name"))
			c = OOMTRACE_COL_NAME;
#undef IS
		cols[ncols++] = c;
	}
	return ncols;
}

/* "[   2286]     0  2286    17067    16591 ... 0 my hog" */
bool oomtrace_decode_task_row(const char *s, const enum oomtrace_col *cols, int ncols,
			      struct oomtrace_task_row *row)
{
	int64_t v;
	int i;

	memset(row, 0, sizeof(*row));
	s = skip_sp(s + 1);
	if (!(s = num(s, &v)) || *s != ']')
		return false;
	row->pid = (int32_t)v;
	s++;
	for (i = 0; i < ncols; i++) {
		s = skip_sp(s);
		if (cols[i] == OOMTRACE_COL_NAME) {
			copy(row->name, sizeof(row->name), s, strlen(s));
			row->known |= OOMTRACE_R_NAME;
			break;
		}
		if (!(s = num(s, &v)))
			return false;
		switch (cols[i]) {
		case OOMTRACE_COL_UID:
			row->uid = (uint32_t)v;
			row->known |= OOMTRACE_R_UID;
			break;
		case OOMTRACE_COL_TGID:
			row->tgid = (int32_t)v;
			row->known |= OOMTRACE_R_TGID;
			break;
		case OOMTRACE_COL_TOTAL_VM:
			row->total_vm_pages = (uint64_t)v;
			row->known |= OOMTRACE_R_TOTAL_VM;
			break;
		case OOMTRACE_COL_RSS:
			row->rss_pages = (uint64_t)v;
			row->known |= OOMTRACE_R_RSS;
			break;
		case OOMTRACE_COL_PGTABLES:
			row->pgtables_bytes = (uint64_t)v;
			row->known |= OOMTRACE_R_PGTABLES;
			break;
		case OOMTRACE_COL_SWAPENTS:
			row->swapents = (uint64_t)v;
			row->known |= OOMTRACE_R_SWAPENTS;
			break;
		case OOMTRACE_COL_OOM_SCORE_ADJ:
			row->oom_score_adj = (int32_t)v;
			row->known |= OOMTRACE_R_OOM_SCORE_ADJ;
			break;
		default:
			break;
		}
	}
	return true;
}

/* "Task in /a killed as a result of limit of /b" (memcg, <= 4.18), after "Task in " */
void oomtrace_decode_task_in(const char *s, struct oomtrace_event *ev)
{
	const char *k = strstr(s, OOMTRACE_TASK_IN_PHRASE);

	if (!k)
		return;
	copy(ev->victim.cgroup, sizeof(ev->victim.cgroup), s, (size_t)(k - s));
	ev->victim.known |= OOMTRACE_T_CGROUP;
	copy(ev->oom_memcg, sizeof(ev->oom_memcg), k + 32, strlen(k + 32));
	ev->known |= OOMTRACE_E_OOM_MEMCG;
	if (!(ev->known & OOMTRACE_E_CONSTRAINT)) {
		ev->constraint = OOMTRACE_CONSTRAINT_MEMCG;
		ev->known |= OOMTRACE_E_CONSTRAINT;
	}
}
