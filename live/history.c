// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * history.c: the last minute of every memory cgroup that has a limit. The cost stays flat on busy
 * nodes: a memcg's usage file stays open and a sample is one pread (~9 us with cold caches on a
 * 6.18 VM, bench/history.sh), a memcg at a quarter of its limit or more is read every second, the
 * others in turn, at most COLD_PER_S of them a second (all of them every second on a node with
 * fewer); the hierarchy is walked when inotify says a directory was made or removed in it (else
 * every 10 s), and for changed limits every minute, or less often where a walk costs more than
 * 0.05% of a core; the limit-hit counter is read only above half the limit, and its tasks
 * (memcg_tasks.c) only there, every 10 s. All memcgs share the sample times: one ring of times, one
 * ring of usages per memcg (no sample: NONE). Two descriptors a memcg are kept: the soft
 * RLIMIT_NOFILE is raised toward the hard one for them.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "history.h"
#include "memcg_tasks.h"
#include "log.h"
#include "growth.h"

#define WALK_MS 10000	      /* at least this long between walks */
#define WATCHED_WALK_MS 60000 /* between walks where inotify tells of new and removed memcgs */
#define WALK_COST_SHARE 2000  /* and at least this many times the last walk's CPU time */
#define COLD_PER_S 50	      /* memcgs under a quarter of their limit read a second */
#define SAMPLE_MS 1000
#define MAX_MEMCGS 4096
#define MAX_DEPTH 32
#define NONE UINT32_MAX /* no sample in this slot */
#define PRESSURE_EVERY_MS 60000
#define TASKS_EVERY_MS 10000 /* between readings of a memcg's tasks */

struct memcg {
	char *path; /* relative to the mount: "/a/b" */
	int usage_fd, limit_fd, hits_fd;
	uint64_t limit_kb;
	uint64_t pressure_ms; /* the last pressure record (0: none) */
	uint32_t usage[OOMTRACE_HISTORY_MAX], hits[OOMTRACE_HISTORY_MAX];
	uint32_t last; /* the newest sample (NONE: none yet) */
	bool seen;
	struct oomtrace_memcg_tasks *tasks; /* who grew: read while above half the limit */
};

struct oomtrace_memcgs {
	char root[256]; /* "" or a test's tree: <root>/proc */
	char dir[512];
	bool v2;
	uint64_t t[OOMTRACE_HISTORY_MAX]; /* each slot's time, ms */
	unsigned int slots;		  /* samples taken (the newest is (slots - 1) % MAX) */
	uint64_t last_sample, last_walk, walk_every;
	unsigned int rr; /* the next memcg under a quarter of its limit to read */
	struct memcg *m;
	unsigned int n, cap;
	bool full_warned;
	int ifd; /* inotify: a directory made or removed anywhere in the hierarchy; -1 none */
	bool watch_failed; /* a watch could not be added: walks every WALK_MS */
};

static uint64_t read_u64_fd(int fd, bool v2_max_word)
{
	char b[64];
	ssize_t r = pread(fd, b, sizeof(b) - 1, 0);

	if (r <= 0)
		return UINT64_MAX;
	b[r] = '\0';
	if (v2_max_word && strncmp(b, "max", 3) == 0)
		return UINT64_MAX - 1; /* no limit */
	return strtoull(b, NULL, 10);
}

/* v2 memory.events' "max" count (times usage was about to go over memory.max) */
static uint64_t read_events_max(int fd)
{
	char b[512], *p;
	ssize_t r = pread(fd, b, sizeof(b) - 1, 0);

	if (r <= 0)
		return UINT64_MAX;
	b[r] = '\0';
	for (p = b; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, "max ", 4) == 0)
			return strtoull(p + 4, NULL, 10);
	return UINT64_MAX;
}

static int open_in(int dfd, const char *name)
{
	return openat(dfd, name, O_RDONLY | O_CLOEXEC);
}

static void memcg_close(struct memcg *m)
{
	if (m->usage_fd >= 0)
		close(m->usage_fd);
	if (m->limit_fd >= 0)
		close(m->limit_fd);
	if (m->hits_fd >= 0)
		close(m->hits_fd);
	free(m->path);
	m->path = NULL;
	free(m->tasks);
	m->tasks = NULL;
}

/* the limit in kB, or 0 where there is none (v1's "unlimited" is near 2^63) */
static uint64_t limit_of(const struct oomtrace_memcgs *h, int fd)
{
	uint64_t b = read_u64_fd(fd, h->v2);

	return b >= (UINT64_MAX >> 2) ? 0 : b / 1024;
}

static struct memcg *find(struct oomtrace_memcgs *h, const char *path, unsigned int hint)
{
	unsigned int i;

	if (hint < h->n && h->m[hint].path && strcmp(h->m[hint].path, path) == 0)
		return &h->m[hint];
	for (i = 0; i < h->n; i++)
		if (h->m[i].path && strcmp(h->m[i].path, path) == 0)
			return &h->m[i];
	return NULL;
}

/* a memcg found by the walk at @dfd: followed where it has a limit */
static void found(struct oomtrace_memcgs *h, int dfd, const char *path, unsigned int *cursor)
{
	struct memcg *m = find(h, path, *cursor), nm;
	int lfd;
	uint64_t lim;

	if (m) {
		m->seen = true;
		m->limit_kb = limit_of(h, m->limit_fd);
		*cursor = (unsigned int)(m - h->m) + 1;
		return;
	}
	lfd = open_in(dfd, h->v2 ? "memory.max" : "memory.limit_in_bytes");
	if (lfd < 0) {
		if (errno == EMFILE && !h->full_warned)
			oomtrace_info(
			    "memcg history: out of file descriptors after %u memcgs (raise "
			    "the hard RLIMIT_NOFILE, LimitNOFILE=): the rest are not followed",
			    h->n);
		h->full_warned |= errno == EMFILE;
		return;
	}
	lim = limit_of(h, lfd);
	if (!lim || h->n >= MAX_MEMCGS) {
		if (lim && !h->full_warned)
			oomtrace_debug(
			    "memcg history: more than %d limited memcgs; the rest are not "
			    "followed",
			    MAX_MEMCGS);
		h->full_warned |= lim != 0;
		close(lfd);
		return;
	}
	memset(&nm, 0, sizeof(nm));
	nm.limit_fd = lfd;
	nm.limit_kb = lim;
	nm.hits_fd = -1;
	nm.usage_fd = open_in(dfd, h->v2 ? "memory.current" : "memory.usage_in_bytes");
	nm.path = strdup(path);
	if (nm.usage_fd < 0 || !nm.path) {
		memcg_close(&nm);
		return;
	}
	memset(nm.usage, 0xff, sizeof(nm.usage));
	memset(nm.hits, 0xff, sizeof(nm.hits));
	nm.last = NONE;
	nm.seen = true;
	if (h->n == h->cap) {
		unsigned int cap = h->cap ? h->cap * 2 : 64;
		struct memcg *g = realloc(h->m, cap * sizeof(*g));

		if (!g) {
			memcg_close(&nm);
			return;
		}
		h->m = g;
		h->cap = cap;
	}
	h->m[h->n++] = nm;
}

/* told of directories made and removed under @path (already watched: the same watch) */
static void watch(struct oomtrace_memcgs *h, const char *path)
{
	char p[4700];

	if (h->ifd < 0 || h->watch_failed)
		return;
	snprintf(p, sizeof(p), "%s%s", h->dir, path);
	if (inotify_add_watch(h->ifd, p, IN_CREATE | IN_DELETE | IN_ONLYDIR | IN_DONT_FOLLOW) < 0) {
		h->watch_failed = true; /* max_user_watches: back to walks every WALK_MS */
		oomtrace_debug(
		    "memcg history: %s: cannot watch (%s): the hierarchy is walked every "
		    "%d s",
		    p, strerror(errno), WALK_MS / 1000);
	}
}

static void walk(struct oomtrace_memcgs *h, int dfd, char *path, size_t len, int depth,
		 unsigned int *cursor)
{
	DIR *d;
	struct dirent *e;

	watch(h, path);
	if (len)
		found(h, dfd, path, cursor);
	if (depth >= MAX_DEPTH || !(d = fdopendir(dfd))) {
		close(dfd);
		return;
	}
	while ((e = readdir(d))) {
		size_t nl = strlen(e->d_name);
		int sub;

		if (e->d_type != DT_DIR || e->d_name[0] == '.' || len + 1 + nl >= 4096)
			continue;
		sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, e->d_name, nl + 1);
		walk(h, sub, path, len + 1 + nl, depth + 1, cursor);
		path[len] = '\0';
	}
	closedir(d);
}

/* new memcgs followed, gone ones dropped, limits read again */
static void rewalk(struct oomtrace_memcgs *h)
{
	char *path = malloc(4096);
	unsigned int i, j, cursor = 0;
	int dfd;

	if (!path)
		return;
	path[0] = '\0';
	for (i = 0; i < h->n; i++)
		h->m[i].seen = false;
	dfd = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		walk(h, dfd, path, 0, 0, &cursor);
	free(path);
	for (i = j = 0; i < h->n; i++) {
		if (!h->m[i].seen || !h->m[i].limit_kb) {
			memcg_close(&h->m[i]);
			continue;
		}
		if (i != j)
			h->m[j] = h->m[i];
		j++;
	}
	h->n = j;
}

struct oomtrace_memcgs *oomtrace_memcgs_open(const char *root)
{
	struct oomtrace_memcgs *h = calloc(1, sizeof(*h));
	struct rlimit rl;

	if (!h)
		return NULL;
	h->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	/* two descriptors a memcg: room for MAX_MEMCGS of them where the hard limit allows */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 3 * MAX_MEMCGS) {
		rl.rlim_cur = rl.rlim_max < 3 * MAX_MEMCGS ? rl.rlim_max : 3 * MAX_MEMCGS;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	snprintf(h->root, sizeof(h->root), "%s", root);
	if (!oomtrace_memcg_root(root, h->dir, sizeof(h->dir), &h->v2)) {
		if (h->ifd >= 0)
			close(h->ifd);
		free(h);
		return NULL;
	}
	return h;
}

void oomtrace_memcgs_close(struct oomtrace_memcgs *h)
{
	unsigned int i;

	if (!h)
		return;
	for (i = 0; i < h->n; i++)
		memcg_close(&h->m[i]);
	if (h->ifd >= 0)
		close(h->ifd);
	free(h->m);
	free(h);
}

unsigned int oomtrace_memcgs_count(const struct oomtrace_memcgs *h)
{
	return h ? h->n : 0;
}

static uint32_t clamp32(uint64_t v)
{
	return v >= NONE ? NONE - 1 : (uint32_t)v;
}

/* the limit-hit counter of @m, opened the first time it is wanted */
static uint32_t hits_of(struct oomtrace_memcgs *h, struct memcg *m)
{
	char p[4700];
	uint64_t v;

	if (m->hits_fd < 0) {
		snprintf(p, sizeof(p), "%s%s/%s", h->dir, m->path,
			 h->v2 ? "memory.events" : "memory.failcnt");
		m->hits_fd = open(p, O_RDONLY | O_CLOEXEC);
		if (m->hits_fd < 0)
			return NONE;
	}
	v = h->v2 ? read_events_max(m->hits_fd) : read_u64_fd(m->hits_fd, false);
	return v == UINT64_MAX ? NONE : clamp32(v);
}

static uint64_t cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void read_usage(struct memcg *m, unsigned int s)
{
	uint64_t u = read_u64_fd(m->usage_fd, false);

	m->usage[s] = u == UINT64_MAX ? NONE : clamp32(u / 1024);
	m->last = m->usage[s];
}

/* who is in @m, how large (above half its limit, every TASKS_EVERY_MS) */
static void tasks_of(struct oomtrace_memcgs *h, struct memcg *m, uint64_t now_ms)
{
	char dir[4700];

	if (!m->tasks && !(m->tasks = calloc(1, sizeof(*m->tasks))))
		return;
	snprintf(dir, sizeof(dir), "%s%s", h->dir, m->path);
	oomtrace_memcg_tasks_read(m->tasks, h->root, dir, now_ms);
}

/* at a quarter of its limit or more at its last sample (or never sampled): read every second */
static bool hot(const struct memcg *m, uint32_t last)
{
	return last == NONE || last >= m->limit_kb / 4;
}

/*
 * A sample of the memcgs into slot @s: each hot one, and up to COLD_PER_S of the others in turn;
 * the hit counter only where usage is above half.
 */
static void sample(struct oomtrace_memcgs *h, unsigned int s, uint64_t now_ms)
{
	unsigned int i, k, budget = COLD_PER_S,
			   prev = (s + OOMTRACE_HISTORY_MAX - 1) % OOMTRACE_HISTORY_MAX;

	h->t[s] = now_ms;
	for (i = 0; i < h->n; i++) {
		struct memcg *m = &h->m[i];

		m->hits[s] = h->slots ? m->hits[prev] : NONE;
		m->usage[s] = NONE;
		if (!hot(m, m->last))
			continue;
		read_usage(m, s);
		if (m->usage[s] == NONE || m->usage[s] < m->limit_kb / 2)
			continue;
		m->hits[s] = hits_of(h, m);
		/* when it first passes half its limit, then every 10 s */
		if (!m->tasks || now_ms - oomtrace_memcg_tasks_last(m->tasks) >= TASKS_EVERY_MS)
			tasks_of(h, m, now_ms);
	}
	/* the cold ones in turn, from where the last second stopped */
	for (k = 0; k < h->n && budget; k++) {
		struct memcg *m = &h->m[(h->rr + k) % h->n];

		if (m->usage[s] != NONE || hot(m, m->last))
			continue;
		read_usage(m, s);
		budget--;
	}
	h->rr = h->n ? (h->rr + k) % h->n : 0;
	h->slots++;
}

/* @m's samples up to @now_ms, oldest first */
static bool history_of(const struct oomtrace_memcgs *h, const struct memcg *m, uint64_t now_ms,
		       struct oomtrace_history *out)
{
	unsigned int k, n = h->slots < OOMTRACE_HISTORY_MAX ? h->slots : OOMTRACE_HISTORY_MAX;
	uint32_t first_hits = NONE, last_hits = NONE;
	int i;

	memset(out, 0, sizeof(*out));
	out->limit_kb = m->limit_kb;
	for (k = 0; k < n; k++) {
		unsigned int s = (h->slots - n + k) % OOMTRACE_HISTORY_MAX;

		if (m->usage[s] == NONE || h->t[s] > now_ms ||
		    now_ms - h->t[s] > (uint64_t)OOMTRACE_HISTORY_MAX * SAMPLE_MS + SAMPLE_MS / 2)
			continue;
		out->s[out->n].t_ms = -(int32_t)(now_ms - h->t[s]);
		out->s[out->n++].usage_kb = m->usage[s];
		if (m->hits[s] != NONE) {
			if (first_hits == NONE)
				first_hits = m->hits[s];
			last_hits = m->hits[s];
		}
	}
	if (first_hits != NONE && last_hits >= first_hits)
		out->limit_hits = last_hits - first_hits;
	/* since when it stayed at 90% of its limit or more */
	for (i = (int)out->n - 1; i >= 0 && out->s[i].usage_kb * 10 >= out->limit_kb * 9; i--)
		;
	if (out->n && i < (int)out->n - 1) {
		out->over_90_ms = -out->s[i + 1].t_ms;
		out->known |= OOMTRACE_H_OVER_90;
	}
	if (m->tasks)
		oomtrace_memcg_tasks_history(m->tasks, now_ms, out);
	return out->n > 0;
}

static bool watched(const struct oomtrace_memcgs *h)
{
	return h->ifd >= 0 && !h->watch_failed;
}

/* a directory made or removed since the last look (every event read: one walk answers all) */
static bool changed(struct oomtrace_memcgs *h)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;

	while (watched(h) && read(h->ifd, buf, sizeof(buf)) > 0)
		any = true;
	return any;
}

unsigned int oomtrace_memcgs_tick(struct oomtrace_memcgs *h, uint64_t now_ms,
				  oomtrace_pressure_fn fn, void *ctx)
{
	struct oomtrace_history hi;
	unsigned int i, nr = 0, s;

	if (!h)
		return 0;
	if (h->slots && now_ms - h->last_sample < SAMPLE_MS)
		return 0;
	if (!h->last_walk || now_ms - h->last_walk >= h->walk_every || changed(h)) {
		uint64_t c0 = cpu_us();

		rewalk(h);
		if (!h->last_walk)
			oomtrace_debug("memcg history: %u memory cgroups with a limit followed",
				       h->n);
		h->last_walk = now_ms;
		/* a walk's CPU time at most 1/WALK_COST_SHARE of the time between walks */
		h->walk_every = (cpu_us() - c0) * WALK_COST_SHARE / 1000;
		/* told of new and removed memcgs, a walk only reads the limits again */
		if (h->walk_every < (watched(h) ? WATCHED_WALK_MS : WALK_MS))
			h->walk_every = watched(h) ? WATCHED_WALK_MS : WALK_MS;
	}
	h->last_sample = now_ms;
	s = h->slots % OOMTRACE_HISTORY_MAX;
	sample(h, s, now_ms);
	for (i = 0; i < h->n; i++) {
		struct memcg *m = &h->m[i];
		int64_t ttl;
		double rate;

		/* (cheap first: only a memcg above half its limit can be seconds from it) */
		if (m->usage[s] == NONE || m->usage[s] < m->limit_kb / 2 ||
		    (m->pressure_ms && now_ms - m->pressure_ms < PRESSURE_EVERY_MS))
			continue;
		if (!history_of(h, m, now_ms, &hi) || !oomtrace_growth_near_limit(&hi, &ttl, &rate))
			continue;
		m->pressure_ms = now_ms;
		fn(ctx, m->path, &hi, ttl, rate);
		nr++;
	}
	return nr;
}

bool oomtrace_memcgs_history(const struct oomtrace_memcgs *h, const char *path, uint64_t now_ms,
			     struct oomtrace_history *out)
{
	unsigned int i;

	if (!h)
		return false;
	for (i = 0; i < h->n; i++)
		if (strcmp(h->m[i].path, path) == 0)
			return history_of(h, &h->m[i], now_ms, out);
	return false;
}
