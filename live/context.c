// SPDX-License-Identifier: GPL-2.0-or-later
/* context.c: bounded reads of /proc and cgroupfs right when a live event arrives. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "util.h"

#define READ_MAX 8192

/* Read at most READ_MAX-1 bytes of root/path into buf; returns length or -1. */
static ssize_t slurp(const char *root, const char *path, char *buf)
{
	char full[1024];

	if (snprintf(full, sizeof(full), "%s%s", root, path) >= (int)sizeof(full))
		return -1;
	return oomtrace_read_small(full, buf, READ_MAX);
}

int oomtrace_context_parse(const char *list, unsigned int *mask)
{
	static const char *const names[] = {"loadavg", "meminfo", "psi",
					    "memcg",   "status",  "history"};
	const char *s = list;

	*mask = 0;
	if (strcmp(list, "none") == 0)
		return 0;
	while (*s) {
		size_t n = strcspn(s, ","), i;
		int found = 0;

		if (n == 3 && strncmp(s, "all", 3) == 0) {
			*mask |= OOMTRACE_CTX_ALL;
			found = 1;
		}
		for (i = 0; i < sizeof(names) / sizeof(names[0]) && !found; i++)
			if (strlen(names[i]) == n && strncmp(s, names[i], n) == 0) {
				*mask |= 1u << i;
				found = 1;
			}
		if (!found)
			return -EINVAL;
		s += n;
		if (*s == ',')
			s++;
	}
	return 0;
}

/* "Key:   123 kB" lines → kv (numeric lines only) */
static void kb_lines(struct oomtrace_kvset *set, char *buf, bool kb_only)
{
	char *line, *save = NULL;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *end;
		long long v;

		if (!colon)
			continue;
		errno = 0;
		v = strtoll(colon + 1, &end, 10);
		if (errno || end == colon + 1)
			continue;
		while (*end == ' ' || *end == '\t')
			end++;
		if (kb_only && strcmp(end, "kB") != 0 && strncmp(line, "Threads:", 8) != 0)
			continue;
		if (*end && strcmp(end, "kB") != 0)
			continue;
		oomtrace_kvset_set(set, line, (size_t)(colon - line), v);
	}
}

static void psi_line(const char *buf, const char *which, struct oomtrace_psi *p, bool *ok)
{
	const char *l = strstr(buf, which);

	*ok = l && sscanf(l + strlen(which), " avg10=%lf avg60=%lf avg300=%lf total=%" SCNu64,
			  &p->avg10, &p->avg60, &p->avg300, &p->total_us) == 4;
}

/* The memcg's directory under the v2 or v1 mount. */
static bool memcg_dir(const char *root, const char *path, char *dir, size_t dirsz, bool *v2)
{
	static const struct {
		const char *mnt;
		bool v2;
		const char *probe;
	} mounts[] = {
	    {"/sys/fs/cgroup", true, "memory.max"},
	    {"/sys/fs/cgroup/unified", true, "memory.max"},
	    {"/sys/fs/cgroup/memory", false, "memory.limit_in_bytes"},
	};
	size_t i;

	for (i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		char f[1200];

		snprintf(dir, dirsz, "%s%s", mounts[i].mnt, strcmp(path, "/") ? path : "");
		snprintf(f, sizeof(f), "%s%s/%s", root, dir, mounts[i].probe);
		if (access(f, R_OK) == 0) {
			*v2 = mounts[i].v2;
			return true;
		}
	}
	return false;
}

static void memcg_value(struct oomtrace_kvset *set, const char *root, const char *dir,
			const char *file, const char *key, bool bytes_to_kb, char *buf)
{
	char path[1200];
	long long v;
	int64_t at_kill;
	char *end;

	/* the kernel's report (joined first) said it at the kill: later values do not replace it
	 * (a victim's pipes or sockets are gone from the usage by now) */
	if (oomtrace_kvset_get(set, key, &at_kill))
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (slurp(root, path, buf) <= 0)
		return;
	if (strncmp(buf, "max", 3) == 0) {
		oomtrace_kvset_set(set, key, strlen(key), -1); /* no limit */
		return;
	}
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf)
		return;
	oomtrace_kvset_set(set, key, strlen(key), bytes_to_kb ? v / 1024 : v);
}

/* "name value" lines (memory.events, memory.oom_control) → kv */
static void memcg_pairs(struct oomtrace_kvset *set, const char *root, const char *dir,
			const char *file, char *buf)
{
	char path[1200], *line, *save = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (slurp(root, path, buf) <= 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' '), *end;
		long long v;

		if (!sp)
			continue;
		errno = 0;
		v = strtoll(sp + 1, &end, 10);
		if (!errno && end != sp + 1)
			oomtrace_kvset_set(set, line, (size_t)(sp - line), v);
	}
}

void oomtrace_context_snapshot(struct oomtrace_event *ev, const char *root, unsigned int mask)
{
	struct oomtrace_context *c = &ev->ctx;
	char *buf = malloc(READ_MAX);
	ssize_t n;

	if (!buf)
		return;
	if ((mask & OOMTRACE_CTX_LOADAVG) && (n = slurp(root, "/proc/loadavg", buf)) > 0) {
		while (n && buf[n - 1] == '\n')
			buf[--n] = '\0';
		oomtrace_strlcpy_n(c->loadavg, sizeof(c->loadavg), buf, (size_t)n);
		c->known |= OOMTRACE_C_LOADAVG;
	}
	if ((mask & OOMTRACE_CTX_MEMINFO) && slurp(root, "/proc/meminfo", buf) > 0)
		kb_lines(&c->meminfo_kb, buf, true);
	if ((mask & OOMTRACE_CTX_PSI) && slurp(root, "/proc/pressure/memory", buf) > 0) {
		bool ok;

		psi_line(buf, "some", &c->psi_some, &ok);
		if (ok)
			c->known |= OOMTRACE_C_PSI_SOME;
		psi_line(buf, "full", &c->psi_full, &ok);
		if (ok)
			c->known |= OOMTRACE_C_PSI_FULL;
	}
	if ((mask & OOMTRACE_CTX_STATUS) && (ev->trigger.known & OOMTRACE_T_PID)) {
		char p[64];

		snprintf(p, sizeof(p), "/proc/%d/status",
			 (int)(ev->trigger.known & OOMTRACE_T_TGID ? ev->trigger.tgid
								   : ev->trigger.pid));
		if (slurp(root, p, buf) > 0)
			kb_lines(&c->trigger_status, buf, true);
	}
	if (mask & OOMTRACE_CTX_MEMCG) {
		const char *path = ev->known & OOMTRACE_E_OOM_MEMCG	  ? ev->oom_memcg
				   : ev->victim.known & OOMTRACE_T_CGROUP ? ev->victim.cgroup
									  : NULL;
		char dir[1024];
		bool v2;

		if (path && path[0] == '/' && !strstr(path, "/../") &&
		    memcg_dir(root, path, dir, sizeof(dir), &v2)) {
			if (v2) {
				memcg_value(&c->memcg, root, dir, "memory.max", "limit_kb", true,
					    buf);
				memcg_value(&c->memcg, root, dir, "memory.current", "usage_kb",
					    true, buf);
				memcg_value(&c->memcg, root, dir, "memory.swap.max",
					    "swap_limit_kb", true, buf);
				memcg_value(&c->memcg, root, dir, "memory.swap.current",
					    "swap_usage_kb", true, buf);
				memcg_pairs(&c->memcg, root, dir, "memory.events", buf);
			} else {
				memcg_value(&c->memcg, root, dir, "memory.limit_in_bytes",
					    "limit_kb", true, buf);
				memcg_value(&c->memcg, root, dir, "memory.usage_in_bytes",
					    "usage_kb", true, buf);
				memcg_value(&c->memcg, root, dir, "memory.max_usage_in_bytes",
					    "max_usage_kb", true, buf);
				memcg_value(&c->memcg, root, dir, "memory.failcnt", "failcnt",
					    false, buf);
				memcg_pairs(&c->memcg, root, dir, "memory.oom_control", buf);
			}
		}
	}
	free(buf);
}

/* A number from a file ("max" as UINT64_MAX); false when unreadable. */
static bool read_u64(const char *root, const char *path, char *buf, uint64_t *v)
{
	char *end;

	if (slurp(root, path, buf) <= 0)
		return false;
	if (strncmp(buf, "max", 3) == 0) {
		*v = UINT64_MAX;
		return true;
	}
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return !errno && end != buf;
}

static uint64_t meminfo_kb(const char *buf, const char *key)
{
	const char *l = strstr(buf, key);
	unsigned long long v;

	return l && sscanf(l + strlen(key), " %llu", &v) == 1 ? v : 0;
}

void oomtrace_derive_totalpages(struct oomtrace_event *ev, const char *root, long page_size)
{
	char *buf, dir[1024], p[1200];
	uint64_t ram_kb, swap_pages, limit, x, total = 0;
	bool v2, ok = false;

	if ((ev->known & OOMTRACE_E_TOTALPAGES) || !(ev->known & OOMTRACE_E_CONSTRAINT) ||
	    page_size <= 0)
		return;
	buf = malloc(READ_MAX);
	if (!buf || slurp(root, "/proc/meminfo", buf) <= 0)
		goto out;
	ram_kb = meminfo_kb(buf, "MemTotal:");
	swap_pages = meminfo_kb(buf, "SwapTotal:") * 1024 / (uint64_t)page_size;
	if (ev->constraint == OOMTRACE_CONSTRAINT_NONE && ram_kb) {
		total = ram_kb * 1024 / (uint64_t)page_size + swap_pages;
		ok = true;
	} else if (ev->constraint == OOMTRACE_CONSTRAINT_MEMCG &&
		   (ev->known & OOMTRACE_E_OOM_MEMCG) && ev->oom_memcg[0] == '/' &&
		   !strstr(ev->oom_memcg, "/../") &&
		   memcg_dir(root, ev->oom_memcg, dir, sizeof(dir), &v2)) {
		uint64_t swappiness = 60, sw = 0;

		snprintf(p, sizeof(p), "%s/%s", dir, v2 ? "memory.max" : "memory.limit_in_bytes");
		/* an unlimited memcg did not run out itself */
		if (!read_u64(root, p, buf, &limit) || limit == UINT64_MAX ||
		    limit / (uint64_t)page_size > (1ULL << 50))
			goto out;
		limit /= (uint64_t)page_size;
		snprintf(p, sizeof(p), "%s/memory.swappiness", dir);
		if (!read_u64(root, p, buf, &swappiness))
			read_u64(root, "/proc/sys/vm/swappiness", buf, &swappiness);
		snprintf(p, sizeof(p), "%s/%s", dir,
			 v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes");
		if (swappiness && read_u64(root, p, buf, &x)) {
			if (x != UINT64_MAX)
				x /= (uint64_t)page_size;
			sw = v2 ? x : (x > limit ? x - limit : 0);
		}
		total = limit + (sw < swap_pages ? sw : swap_pages);
		ok = true;
	}
	if (ok) {
		ev->totalpages = total;
		ev->known |= OOMTRACE_E_TOTALPAGES | OOMTRACE_E_TOTALPAGES_DERIVED;
	}
out:
	free(buf);
}
