/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup.h: memory cgroup ids (kernfs node ids) resolved to full paths by a walk of the hierarchy.
 */
#ifndef OOMTRACE_CGROUP_H
#define OOMTRACE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

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

/*
 * Where /proc/@pid/cgroup puts the process: the path in the v1 hierarchy whose controller list
 * names @controller ("memory", "name=systemd"), else in the unified one ("0::"). False when
 * neither is there (or the process is gone).
 */
bool oomtrace_proc_cgroup(int32_t pid, const char *controller, char *dst, size_t dstsz);

/*
 * Did the victim die with its memory.oom.group? As mem_cgroup_get_oom_group() (mm/memcontrol.c)
 * decides: cgroup v2 only; from the victim's memcg @victim_cg up to the OOM's domain @oom_domain
 * ("/" for a global OOM), any memcg with memory.oom.group set has all its tasks killed together.
 * 1 yes, 0 no, -1 cannot tell (v1, the memcg gone, the victim not under the domain).
 */
int oomtrace_memcg_oom_group(const char *root, const char *victim_cg, const char *oom_domain);

#endif
