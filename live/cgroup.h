/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup.h: memory cgroup ids (kernfs node ids) resolved to full paths by a walk of the hierarchy.
 */
#ifndef OOMTRACE_CGROUP_H
#define OOMTRACE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The mount of the hierarchy that holds the memory controller under @root
 * ("" for the real one): "<root>/sys/fs/cgroup/memory" (v1) or the cgroup2
 * mount whose cgroup.controllers lists memory. Writes it to @dir; false
 * when there is none.
 */
bool oomtrace_memcg_root(const char *root, char *dir, size_t dirsz, bool *v2);

/*
 * The path, relative to the memory hierarchy's mount ("/" for its root), of
 * the memory cgroup whose kernfs id is @id: a directory's inode number on
 * cgroupfs is its kernfs id (64-bit kernels, 5.5+). Full length, never cut.
 * Returns 0, -ENOENT when no cgroup has that id (it may be gone already),
 * -ENAMETOOLONG when @sz is too small. The last few answers are cached, each
 * checked against the id of its path before it is used again.
 */
int oomtrace_memcg_path_by_id(const char *root, uint64_t id, char *path, size_t sz);

#endif
