// SPDX-License-Identifier: GPL-2.0-or-later
/* cgroup.c: memory cgroup ids (kernfs node ids) resolved to full paths by a walk of the hierarchy.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"

/* Whether the comma-separated list [@s, @e) has the item @want. */
static bool lists(const char *s, const char *e, const char *want)
{
	size_t n = strlen(want);

	while (s < e) {
		const char *c = memchr(s, ',', (size_t)(e - s));

		if (!c)
			c = e;
		if ((size_t)(c - s) == n && memcmp(s, want, n) == 0)
			return true;
		s = c + 1;
	}
	return false;
}

bool oomtrace_proc_cgroup(int32_t pid, const char *controller, char *dst, size_t dstsz)
{
	char path[64], line[OOMTRACE_PATH_MAX + 32], v2[OOMTRACE_PATH_MAX] = "";
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (c2 - c1 == 1 && strncmp(line, "0:", 2) == 0) {
			oomtrace_strlcpy_n(v2, sizeof(v2), c2 + 1, strlen(c2 + 1));
		} else if (lists(c1 + 1, c2, controller)) {
			oomtrace_strlcpy_n(dst, dstsz, c2 + 1, strlen(c2 + 1));
			found = true;
		}
	}
	fclose(f);
	if (!found && v2[0]) {
		oomtrace_strlcpy_n(dst, dstsz, v2, strlen(v2));
		found = true;
	}
	return found;
}

bool oomtrace_memcg_root(const char *root, char *dir, size_t dirsz, bool *v2)
{
	static const char *const v2dirs[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
	char p[600], buf[512];
	size_t i;

	snprintf(p, sizeof(p), "%s/sys/fs/cgroup/memory/memory.limit_in_bytes", root);
	if (access(p, F_OK) == 0) {
		snprintf(dir, dirsz, "%s/sys/fs/cgroup/memory", root);
		*v2 = false;
		return true;
	}
	for (i = 0; i < sizeof(v2dirs) / sizeof(v2dirs[0]); i++) {
		int fd;
		ssize_t n;

		snprintf(p, sizeof(p), "%s%s/cgroup.controllers", root, v2dirs[i]);
		fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		if (strstr(buf, "memory")) {
			snprintf(dir, dirsz, "%s%s", root, v2dirs[i]);
			*v2 = true;
			return true;
		}
	}
	return false;
}

/* Depth-first under @dir (path @rel below the mount) for the directory with inode @id. */
static int walk(int fd, uint64_t id, char *rel, size_t len, size_t sz, int depth)
{
	DIR *d;
	struct dirent *de;
	int r = -ENOENT;

	if (depth > 64)
		return -ENOENT;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOENT;
	}
	while (r == -ENOENT && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (len + 1 + n + 1 > sz) {
			r = -ENAMETOOLONG;
			break;
		}
		rel[len] = '/';
		memcpy(rel + len + 1, de->d_name, n + 1);
		if ((uint64_t)de->d_ino == id)
			r = 0;
		else if ((sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >=
			 0)
			r = walk(sub, id, rel, len + 1 + n, sz, depth + 1);
		if (r)
			rel[len] = '\0';
	}
	closedir(d);
	return r;
}

/*
 * The last ids resolved: a storm of kills in one pod asks for the same few.
 * An entry is used only while its path still has that id (a cgroup removed
 * and another made under the same name gets a new id).
 */
#define CACHE_SLOTS 16
static struct {
	uint64_t id;
	char root[64];
	char path[4096];
} cache[CACHE_SLOTS];
static unsigned int cache_next;

static bool cached(const char *root, const char *dir, uint64_t id, char *path, size_t sz)
{
	char p[4700];
	struct stat st;
	unsigned int i;

	for (i = 0; i < CACHE_SLOTS; i++) {
		if (cache[i].id != id || strcmp(cache[i].root, root) || strlen(cache[i].path) >= sz)
			continue;
		snprintf(p, sizeof(p), "%s%s", dir, cache[i].path);
		if (stat(p, &st) == 0 && (uint64_t)st.st_ino == id) {
			snprintf(path, sz, "%s", cache[i].path);
			return true;
		}
		cache[i].id = 0;
	}
	return false;
}

static void remember(const char *root, uint64_t id, const char *path)
{
	if (strlen(root) >= sizeof(cache[0].root) || strlen(path) >= sizeof(cache[0].path))
		return;
	cache[cache_next].id = id;
	snprintf(cache[cache_next].root, sizeof(cache[0].root), "%s", root);
	snprintf(cache[cache_next].path, sizeof(cache[0].path), "%s", path);
	cache_next = (cache_next + 1) % CACHE_SLOTS;
}

int oomtrace_memcg_path_by_id(const char *root, uint64_t id, char *path, size_t sz)
{
	char dir[600];
	struct stat st;
	bool v2;
	int fd, r;

	if (sz < 2 || !id || !oomtrace_memcg_root(root, dir, sizeof(dir), &v2))
		return -ENOENT;
	if (cached(root, dir, id, path, sz))
		return 0;
	if (stat(dir, &st) == 0 && (uint64_t)st.st_ino == id) {
		snprintf(path, sz, "/");
		return 0;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	path[0] = '\0';
	r = walk(fd, id, path, 0, sz, 0);
	if (r == 0)
		remember(root, id, path);
	return r;
}

/* memory.oom.group of the memcg at @rel below @dir: 1 set, 0 not, -1 unreadable */
static int oom_group_file(const char *dir, const char *rel)
{
	char p[OOMTRACE_PATH_MAX + 640], buf[8];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s%s/memory.oom.group", dir, rel);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	return buf[0] == '1';
}

int oomtrace_memcg_oom_group(const char *root, const char *victim_cg, const char *oom_domain)
{
	char dir[600], rel[OOMTRACE_PATH_MAX];
	size_t dl = strlen(oom_domain);
	bool v2 = false;
	int r, any = 0;

	if (!oomtrace_memcg_root(root, dir, sizeof(dir), &v2) || !v2 || victim_cg[0] != '/')
		return -1;
	/* the victim's memcg must be the domain or below it */
	if (strcmp(oom_domain, "/") != 0 &&
	    (strncmp(victim_cg, oom_domain, dl) != 0 || (victim_cg[dl] && victim_cg[dl] != '/')))
		return -1;
	snprintf(rel, sizeof(rel), "%s", victim_cg);
	while (strcmp(rel, "/") != 0 && rel[0]) { /* the root memcg has no oom.group */
		char *slash;

		if ((r = oom_group_file(dir, rel)) < 0)
			return any ? 1 : -1;
		any |= r;
		if (strcmp(rel, oom_domain) == 0)
			break;
		slash = strrchr(rel, '/');
		if (slash == rel)
			break;
		*slash = '\0';
	}
	return any;
}
