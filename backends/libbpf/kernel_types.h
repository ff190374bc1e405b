/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kernel_types.h: the few kernel structs and fields oomtrace reads, for CO-RE (see docs/libbpf.md).
 */
#ifndef OOMTRACE_KERNEL_TYPES_H
#define OOMTRACE_KERNEL_TYPES_H

/*
 * Only the members we read, marked preserve_access_index: libbpf relocates
 * each access against the running kernel's BTF, so one object serves x86 and
 * arm64 and kernels of any layout. Names ending in ___suffix are "flavors"
 * for fields whose type or name changed between kernels.
 */
#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

typedef struct {
	long counter;
} atomic_long_t;

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	unsigned int val;
} kuid_t;

struct kernfs_node {
	const char *name;
	struct kernfs_node *parent;
	unsigned long long id; /* 5.5+: the cgroup id */
};

/* 6.15 renamed kernfs_node::parent to __parent */
struct kernfs_node___new {
	const char *name;
	struct kernfs_node *__parent;
};

struct cgroup {
	struct kernfs_node *kn;
};

struct cgroup_subsys_state {
	struct cgroup *cgroup;
};

struct css_set {
	struct cgroup_subsys_state *subsys[14];
};

struct mem_cgroup {
	struct cgroup_subsys_state css;
};

/* mm->rss_stat before 6.2: atomic counters in pages */
struct mm_rss_stat {
	atomic_long_t count[4];
};

struct mm_struct___old {
	struct mm_rss_stat rss_stat;
};

/* 6.2+: an array of percpu_counter; .count is the value get_mm_counter() reads */
struct percpu_counter {
	long long count;
};

struct mm_struct___new {
	struct percpu_counter rss_stat[4];
};

struct vm_area_struct;

struct mm_struct {
	unsigned long total_vm;
	atomic_long_t pgtables_bytes;
	struct vm_area_struct *mmap; /* before 6.1: the mappings' list (then a maple tree) */
};

struct signal_struct {
	short oom_score_adj;
	unsigned int flags;
	atomic_t live; /* threads not yet through do_exit() */
};

/* the siginfo a signal is generated with (the kernel's fields sit in an anonymous struct: CO-RE
 * finds them there by name) */
struct kernel_siginfo {
	int si_signo;
	int si_errno;
	int si_code;
};

struct cred {
	kuid_t uid;
};

/* a task's pid in one namespace; struct pid holds one per level, the host's first */
struct upid {
	int nr;
	void *ns;
};

struct pid {
	unsigned int level;
	struct upid numbers[1];
};

/* the user stack object: which mount namespace the trigger's paths are in */
struct ns_common {
	unsigned int inum;
};

struct mnt_namespace {
	struct ns_common ns;
};

struct nsproxy {
	struct mnt_namespace *mnt_ns;
};

struct task_struct {
	unsigned int flags;
	int pid;
	int tgid;
	char comm[16];
	struct mm_struct *mm;
	struct signal_struct *signal;
	const struct cred *real_cred;
	struct css_set *cgroups;
	struct pid *thread_pid; /* 4.19+ */
	int exit_code;		/* set in do_exit() before sched_process_exit */
	struct nsproxy *nsproxy;
	void *stack; /* its kernel stack: the user registers sit at its top */
};

/*
 * The kernel declares the field as this enum: libbpf's CO-RE field check
 * wants the same BTF kind, so an 'int' here would never match and the
 * constraint would never be read.
 */
enum oom_constraint {
	CONSTRAINT_NONE,
	CONSTRAINT_CPUSET,
	CONSTRAINT_MEMORY_POLICY,
	CONSTRAINT_MEMCG,
};

struct oom_control {
	struct mem_cgroup *memcg;
	unsigned int gfp_mask;
	int order;
	unsigned long totalpages;
	struct task_struct *chosen;
	long chosen_points;
	enum oom_constraint constraint; /* 5.0+ */
};

struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

/* oom:mark_victim; 6.9+ (and backports) has the memory fields */
struct trace_event_raw_mark_victim {
	struct trace_entry ent;
	int pid;
	unsigned int __data_loc_comm;
	unsigned long total_vm;
	unsigned long anon_rss;
	unsigned long file_rss;
	unsigned long shmem_rss;
	unsigned int uid;
	unsigned long pgtables;
	short oom_score_adj;
};

/* signal:signal_generate */
struct trace_event_raw_signal_generate {
	struct trace_entry ent;
	int sig;
	int errno;
	int code;
	char comm[16];
	int pid;
	int group;
	int result;
};

/* vmscan:mm_vmscan_{direct,memcg}_reclaim_end */
struct trace_event_raw_mm_vmscan_direct_reclaim_end_template {
	struct trace_entry ent;
	unsigned long nr_reclaimed;
};

/* the four reaper tracepoints share this shape */
struct trace_event_raw_wake_reaper {
	struct trace_entry ent;
	int pid;
};

/* the user stack object (ustack.bpf.c): a mapping's file, named by walking its dentries */
struct qstr {
	const unsigned char *name;
};

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
};

struct vfsmount {
	struct dentry *mnt_root;
};

/* fs/mount.h: the vfsmount is embedded; its parent mount and where it is mounted on that */
struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file {
	struct path f_path;
};

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_flags;
	unsigned long vm_pgoff;
	struct file *vm_file;
	struct vm_area_struct *vm_next; /* before 6.1 */
};

/* only its size: where the user registers begin below the top of a kernel stack */
struct pt_regs___kernel {
};

#pragma clang attribute pop

enum cgroup_subsys_id {
	memory_cgrp_id = 4, /* a placeholder: read with bpf_core_enum_value() */
};

/* an anonymous enum in the kernel (no CO-RE for it); stable since 4.5 */
enum {
	MM_FILEPAGES = 0,
	MM_ANONPAGES = 1,
	MM_SWAPENTS = 2,
	MM_SHMEMPAGES = 3,
};

/* include/uapi/asm-generic/siginfo.h: si_code, as signal:signal_generate reports it */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TKILL (-6)

/* include/uapi/asm-generic/signal.h */
#define SIGKILL 9
#define SIGTERM 15

#endif
