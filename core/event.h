/* SPDX-License-Identifier: GPL-2.0-or-later */
/* event.h: struct oomtrace_event, the one record of an OOM kill that every source fills. */
#ifndef OOMTRACE_EVENT_H
#define OOMTRACE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OOMTRACE_SCHEMA_VERSION 1
#define OOMTRACE_COMM_MAX 64  /* log comms are not cut at TASK_COMM_LEN */
#define OOMTRACE_PATH_MAX 512 /* cgroup paths */
#define OOMTRACE_KV_MAX 64    /* counters kept per context section */
#define OOMTRACE_KEY_MAX 40
#define OOMTRACE_TOP_TASKS 10 /* largest memory holders kept from a task table */

enum oomtrace_source {
	OOMTRACE_SOURCE_UNKNOWN = 0,
	OOMTRACE_SOURCE_REPLAY,
	OOMTRACE_SOURCE_LIBBPF,
	OOMTRACE_SOURCE_BCC,
};

enum oomtrace_probe {
	OOMTRACE_PROBE_UNKNOWN = 0,
	OOMTRACE_PROBE_LOG,
	OOMTRACE_PROBE_EVENTS,
	OOMTRACE_PROBE_FENTRY,
	OOMTRACE_PROBE_KPROBE,
	OOMTRACE_PROBE_TP_BTF,
	OOMTRACE_PROBE_TRACEPOINT,
};

enum oomtrace_constraint {
	OOMTRACE_CONSTRAINT_UNKNOWN = -1,
	/* the kernel's enum oom_constraint values */
	OOMTRACE_CONSTRAINT_NONE = 0,
	OOMTRACE_CONSTRAINT_CPUSET = 1,
	OOMTRACE_CONSTRAINT_MEMORY_POLICY = 2,
	OOMTRACE_CONSTRAINT_MEMCG = 3,
};

/* What the OOM invocation ended in. */
enum oomtrace_outcome {
	OOMTRACE_OUTCOME_UNKNOWN = 0, /* header seen, the rest cut off */
	OOMTRACE_OUTCOME_KILLED,      /* a victim was killed */
	OOMTRACE_OUTCOME_NO_KILLABLE, /* "Out of memory and no killable processes" */
	OOMTRACE_OUTCOME_PANIC,	      /* "Kernel panic - not syncing" after the OOM */
};

/* What a record reports. */
enum oomtrace_record {
	OOMTRACE_RECORD_KILL = 0, /* an OOM kill (or an OOM that ended without one) */
	OOMTRACE_RECORD_REAP,	  /* the oom_reaper finished (or skipped) a victim, later */
	OOMTRACE_RECORD_EVICTION, /* the kubelet evicted a pod for memory (killer: "kubelet") */
	OOMTRACE_RECORD_PRESSURE, /* live: a memcg about to OOM (oom_memcg), before any kill */
};

/* Known-fact bits of struct oomtrace_task. */
enum {
	OOMTRACE_T_PID = 1u << 0,
	OOMTRACE_T_TGID = 1u << 1,
	OOMTRACE_T_UID = 1u << 2,
	OOMTRACE_T_OOM_SCORE_ADJ = 1u << 3,
	OOMTRACE_T_TOTAL_VM = 1u << 4,
	OOMTRACE_T_ANON_RSS = 1u << 5,
	OOMTRACE_T_FILE_RSS = 1u << 6,
	OOMTRACE_T_SHMEM_RSS = 1u << 7,
	OOMTRACE_T_PGTABLES = 1u << 8,
	OOMTRACE_T_SWAP = 1u << 9,
	OOMTRACE_T_COMM = 1u << 10,
	OOMTRACE_T_CGROUP = 1u << 11,
	OOMTRACE_T_CGROUP_ID = 1u << 12,
	OOMTRACE_T_NS_PID = 1u << 13, /* ns_pid and ns_level: read from the task's struct pid */
};

/* One frame of a kernel stack: "function+0xoffset/0xsize [module]" as the kernel prints it. */
#define OOMTRACE_FUNC_MAX 64
#define OOMTRACE_STACK_MAX 32 /* the innermost ones: they prove the allocation */
struct oomtrace_frame {
	char function[OOMTRACE_FUNC_MAX]; /* compiler suffixes (.cold, .constprop.0) folded */
	char module[32];		  /* "" for the kernel itself */
	uint32_t offset, size;		  /* 0/0 where the line gave none (ARM32's "X from") */
	bool reliable; /* false where the kernel marked it ("? ", "(unreliable)") */
};
/* A kernel stack, innermost frame first. */
struct oomtrace_stack {
	unsigned int n;
	struct oomtrace_frame f[OOMTRACE_STACK_MAX];
};

/* One frame of a user stack (live/unwind.c), named from its binary's symbols and line table. */
#define OOMTRACE_USTACK_MAX 24
enum oomtrace_umethod {
	OOMTRACE_UM_REGS = 0, /* the copied pc: where the task stood */
	OOMTRACE_UM_CFI = 1,  /* the callee's call frame information gave the return address */
	OOMTRACE_UM_FP = 2,   /* the callee had none: the frame pointer chain (may skip frames) */
};
struct oomtrace_uframe {
	uint64_t pc;
	uint64_t file_off; /* pc as an offset in its file (0: outside the copied mappings) */
	uint64_t elf_addr; /* pc as its ELF's own address, for eu-addr2line -e FILE (0: unknown) */
	uint32_t line;	   /* 0: no line table */
	uint32_t fn_off;   /* pc - the function's start */
	enum oomtrace_umethod method;
	char function[96]; /* "" where no symbol covers it (never the nearest one below) */
	char file[96];	   /* source file of the line, its tail where longer ("" none) */
	char module[96];   /* the mapping's path, its tail where longer ("" none) */
	char build_id[41]; /* hex ("" none) */
};
/* Why the unwinding stopped. */
enum oomtrace_uend {
	OOMTRACE_UEND_OUTERMOST = 0, /* the call frame information marked the first frame */
	OOMTRACE_UEND_COPY = 1,	     /* it needed stack beyond the copy */
	OOMTRACE_UEND_FULL = 2,	     /* OOMTRACE_USTACK_MAX frames */
	OOMTRACE_UEND_LOST = 3,	     /* no rule found the caller (a pc outside the mappings, ...) */
};
/* A user stack, innermost frame first; n 0: none, and @missing says why where one was wanted. */
struct oomtrace_ustack {
	unsigned int n;
	enum oomtrace_uend end;
	char missing[64];
	struct oomtrace_uframe f[OOMTRACE_USTACK_MAX];
};
const char *oomtrace_umethod_name(enum oomtrace_umethod m);
int oomtrace_umethod_parse(const char *s, enum oomtrace_umethod *out);
const char *oomtrace_uend_name(enum oomtrace_uend e);
int oomtrace_uend_parse(const char *s, enum oomtrace_uend *out);

struct oomtrace_task {
	uint32_t known; /* OOMTRACE_T_* */
	int32_t pid;
	int32_t tgid;
	uint32_t uid;
	int32_t oom_score_adj;
	uint64_t total_vm_kb;
	uint64_t anon_rss_kb;
	uint64_t file_rss_kb;
	uint64_t shmem_rss_kb;
	uint64_t swap_kb;
	uint64_t pgtables_kb;
	uint64_t cgroup_id;
	char comm[OOMTRACE_COMM_MAX];
	char cgroup[OOMTRACE_PATH_MAX]; /* memory cgroup path */
	int32_t ns_pid;	   /* its pid in its own pid namespace (1: that namespace's init) */
	uint32_t ns_level; /* how deep that namespace is: 0 the host's */
	struct oomtrace_stack kstack; /* the trigger's, from the report's call trace (n: 0 none) */
	struct oomtrace_ustack
	    ustack; /* live: the trigger's at the kill, a victim's at its SIGKILL */
};

/* Known-fact bits of struct oomtrace_event. */
enum {
	OOMTRACE_E_TIME = 1u << 0,
	OOMTRACE_E_UPTIME = 1u << 1,
	OOMTRACE_E_HOST = 1u << 2,
	OOMTRACE_E_CONSTRAINT = 1u << 3,
	OOMTRACE_E_OOM_MEMCG = 1u << 4,
	OOMTRACE_E_CPUSET = 1u << 5,
	OOMTRACE_E_MEMS_ALLOWED = 1u << 6,
	OOMTRACE_E_GFP_MASK = 1u << 7,
	OOMTRACE_E_GFP_FLAGS = 1u << 8,
	OOMTRACE_E_ORDER = 1u << 9,
	OOMTRACE_E_TOTALPAGES = 1u << 10,
	OOMTRACE_E_REAPED = 1u << 11,
	OOMTRACE_E_SELECTED = 1u << 12,
	OOMTRACE_E_POINTS = 1u << 13,
	OOMTRACE_E_INVOCATION = 1u << 14,
	OOMTRACE_E_TIME_SUBSEC = 1u << 15, /* time_us has sub-second precision */
	OOMTRACE_E_REAP_LATENCY = 1u << 16,
	OOMTRACE_E_EXITING = 1u << 17,	    /* the victim was already exiting: no SIGKILL sent */
	OOMTRACE_E_OOM_MEMCG_ID = 1u << 18, /* oom_memcg_id: resolved to oom_memcg by live.c */
	OOMTRACE_E_TOTALPAGES_DERIVED = 1u << 19, /* totalpages computed in user space, not read */
	OOMTRACE_E_ALLOCATION = 1u << 20,    /* alloc_class: derived from the trigger's stack */
	OOMTRACE_E_WHY = 1u << 21,	     /* cause and why: derived from the event's evidence */
	OOMTRACE_E_ROLE = 1u << 22,	     /* victim_role */
	OOMTRACE_E_GROWTH = 1u << 23,	     /* growth_kb_per_s: fitted to the memcg's history */
	OOMTRACE_E_TIME_TO_LIMIT = 1u << 24, /* time_to_limit_ms: a pressure record's forecast */
};

/* What the kill meant for the victim's container (its pid namespace, its memory cgroup). */
enum oomtrace_victim_role {
	OOMTRACE_ROLE_HOST_PID_NS = 0, /* a task of the host's pid namespace (level 0) */
	OOMTRACE_ROLE_PID_NS_INIT,     /* its pid namespace's init: the container died with it */
	OOMTRACE_ROLE_PID_NS_CHILD,    /* below its namespace's init: the container lives on */
	OOMTRACE_ROLE_OOM_GROUP,       /* killed with its whole memory cgroup (memory.oom.group) */
};

/* Why the memory ran out, as the event's own evidence proves it (core/why.c, docs/schema.md). */
enum oomtrace_cause {
	OOMTRACE_CAUSE_UNKNOWN = 0,	   /* nothing proves one */
	OOMTRACE_CAUSE_KERNEL_MEMORY,	   /* kernel memory (slab, stacks, page tables) held most */
	OOMTRACE_CAUSE_HUGEPAGES_RESERVED, /* reserved huge pages outweighed everything in use */
	OOMTRACE_CAUSE_FRAGMENTATION, /* order > 0 asked while a zone was above its high mark */
	OOMTRACE_CAUSE_SHMEM_TMPFS,   /* shmem/tmpfs held most */
	OOMTRACE_CAUSE_PAGE_CACHE_UNRECLAIMABLE, /* page cache held most, and was not reclaimed */
	OOMTRACE_CAUSE_MANY_TASKS,		 /* no task held most of the tasks' memory */
	OOMTRACE_CAUSE_SINGLE_TASK,		 /* one task held most of it */
	OOMTRACE_CAUSE_STEADY_GROWTH, /* the memcg grew at a steady rate for >= 10 s into its limit
				       */
	OOMTRACE_CAUSE_SPIKE,	      /* from under half its limit to the limit in <= 2 s */
};

/* What asked for the memory, as the trigger's kernel stack proves it (core/stack.c). */
enum oomtrace_alloc_class {
	OOMTRACE_ALLOC_UNKNOWN = 0, /* the frames prove nothing */
	OOMTRACE_ALLOC_ANON_FAULT, /* a page fault on anonymous memory (or a COW copy, a swap-in) */
	OOMTRACE_ALLOC_FILE_FAULT, /* a page fault on a file mapping: page cache */
	OOMTRACE_ALLOC_THP_FAULT,  /* a transparent huge page fault */
	OOMTRACE_ALLOC_SYSCALL,	   /* a system call asked (alloc_detail: its name) */
	OOMTRACE_ALLOC_KERNEL,	   /* kernel memory charged outside a syscall (detail: its kind) */
	OOMTRACE_ALLOC_KTHREAD,	   /* a kernel thread, no allocator proven */
};

/*
 * Groups of facts a live event took from the kernel's own report of the same
 * kill (/dev/kmsg) because its probe could not read them (event.from_kmsg).
 */
enum {
	OOMTRACE_K_OOM_CONTROL = 1u
				 << 0, /* constraint, oom_memcg, gfp_mask, order: oom_control's */
	OOMTRACE_K_CPUSET = 1u << 1, /* cpuset, mems_allowed, gfp_flags: only the report has them */
	OOMTRACE_K_TRIGGER = 1u << 2,  /* trigger pid, comm, oom_score_adj */
	OOMTRACE_K_VICTIM = 1u << 3,   /* victim sizes, uid, oom_score_adj, cgroup */
	OOMTRACE_K_MEMCG = 1u << 4,    /* context.memcg, context.memcg_stat as printed */
	OOMTRACE_K_MEM_INFO = 1u << 5, /* context.mem_info */
	OOMTRACE_K_TASKS = 1u << 6,    /* context.top_tasks */
	OOMTRACE_K_STACK = 1u << 7,    /* trigger.kernel_stack and allocation: the report's trace */
	OOMTRACE_K_ALL = (1u << 8) - 1,
};
/* The JSON name of one OOMTRACE_K_* bit, NULL for none. */
const char *oomtrace_kmsg_group_name(uint32_t bit);

struct oomtrace_kv {
	char key[OOMTRACE_KEY_MAX];
	int64_t val;
};

/* A bounded set of named integer counters (units in the section name). */
struct oomtrace_kvset {
	unsigned int n;
	struct oomtrace_kv kv[OOMTRACE_KV_MAX];
};

/* The same with room for a few: the numbers a userspace killer stated (its log line's). */
#define OOMTRACE_FACTS_MAX 16
struct oomtrace_facts {
	unsigned int n;
	struct oomtrace_kv kv[OOMTRACE_FACTS_MAX];
};
_Static_assert(offsetof(struct oomtrace_facts, kv) == offsetof(struct oomtrace_kvset, kv),
	       "a set of facts is read and written as a kvset of its own size");

/* Known-column bits of struct oomtrace_task_row (the table's columns changed across kernels). */
enum {
	OOMTRACE_R_UID = 1u << 0,
	OOMTRACE_R_TGID = 1u << 1,
	OOMTRACE_R_TOTAL_VM = 1u << 2,
	OOMTRACE_R_RSS = 1u << 3,
	OOMTRACE_R_PGTABLES = 1u << 4,
	OOMTRACE_R_SWAPENTS = 1u << 5,
	OOMTRACE_R_OOM_SCORE_ADJ = 1u << 6,
	OOMTRACE_R_NAME = 1u << 7,
};

/* One row of the kernel's "Tasks state" table (values as printed: pages, bytes). */
struct oomtrace_task_row {
	uint32_t known; /* OOMTRACE_R_*; pid is always known */
	int32_t pid;
	uint32_t uid;
	int32_t tgid;
	int32_t oom_score_adj;
	uint64_t total_vm_pages;
	uint64_t rss_pages;
	uint64_t pgtables_bytes;
	uint64_t swapents;
	char name[OOMTRACE_COMM_MAX];
};

struct oomtrace_psi {
	double avg10, avg60, avg300;
	uint64_t total_us;
};

enum {
	OOMTRACE_C_LOADAVG = 1u << 0,
	OOMTRACE_C_PSI_SOME = 1u << 1,
	OOMTRACE_C_PSI_FULL = 1u << 2,
	OOMTRACE_C_SWAP_FREE = 1u << 3,	 /* "Free swap  = NkB" */
	OOMTRACE_C_SWAP_TOTAL = 1u << 4, /* "Total swap = NkB" */
	OOMTRACE_C_SLAB = 1u << 5,	 /* the report's "Unreclaimable slab info:" block */
	OOMTRACE_C_HISTORY = 1u << 6,	 /* live: the OOMing memcg's last minute (history) */
	OOMTRACE_C_RECLAIM = 1u << 7,	 /* live: the trigger's reclaim before the kill */
};

/* One zone of a global OOM report's Mem-Info ("Node 0 Normal free:..kB min:..kB ..."), in kB. */
#define OOMTRACE_ZONES_MAX 8
#define OOMTRACE_Z_NODE 1u /* the line named its node (kernels built with CONFIG_NUMA) */
struct oomtrace_zone {
	uint32_t known;
	int32_t node;
	char zone[16]; /* DMA, DMA32, Normal, HighMem, Movable, Device */
	uint64_t free_kb, min_kb, low_kb, high_kb;
};

/* One slab cache of the report's "Unreclaimable slab info:" block (as printed, kB). */
#define OOMTRACE_SLAB_TOP 10 /* the largest kept, by used */
/* The OOMing memcg's last minute (live/history.c), one sample a second, oldest first. */
#define OOMTRACE_HISTORY_MAX 60
struct oomtrace_sample {
	int32_t t_ms;	   /* before the record (<= 0) */
	uint64_t usage_kb; /* the memcg's usage then */
};
#define OOMTRACE_H_OVER_90 1u /* oomtrace_history.known: over_90_ms */
#define OOMTRACE_H_TASKS 2u   /* oomtrace_history.known: the tasks' times */
/* One of the memcg's largest tasks, as read every 10 s while the memcg was above half its limit:
 * its RSS at the minute's oldest reading, the one 10 s or more before the record, the newest. */
#define OOMTRACE_HISTORY_TASKS 5
#define OOMTRACE_HT_OLDEST 1u /* known: rss_kb_oldest */
#define OOMTRACE_HT_10S 2u    /* rss_kb_10s */
#define OOMTRACE_HT_NEWEST 4u /* rss_kb_newest */
struct oomtrace_history_task {
	uint32_t known; /* OOMTRACE_HT_*: the task was there at that reading */
	int32_t pid;
	char comm[OOMTRACE_COMM_MAX];
	uint64_t rss_kb_oldest, rss_kb_10s, rss_kb_newest;
};
struct oomtrace_history {
	uint32_t known;
	uint64_t limit_kb;   /* the memcg's limit at the last sample */
	uint64_t limit_hits; /* times it hit the limit over the samples (v1 failcnt, v2 "max") */
	int32_t over_90_ms;  /* OOMTRACE_H_OVER_90: since when it stayed >= 90% of the limit */
	unsigned int n;
	struct oomtrace_sample s[OOMTRACE_HISTORY_MAX];
	/* OOMTRACE_H_TASKS: when the three readings of the tasks were taken (ms before, <= 0) */
	int32_t tasks_oldest_ms, tasks_10s_ms, tasks_newest_ms;
	unsigned int ntasks; /* the largest at the newest reading, largest first */
	struct oomtrace_history_task tasks[OOMTRACE_HISTORY_TASKS];
};
/* The trigger's reclaim episode before the kill (live, vmscan tracepoints counted in BPF). */
struct oomtrace_reclaim {
	uint32_t rounds;	  /* memcg limit reclaim and direct reclaim calls */
	uint64_t stall_us;	  /* time spent inside them */
	uint64_t reclaimed_pages; /* what they freed */
	uint64_t over_us;	  /* from the first round to the kill */
};
struct oomtrace_slab {
	char name[48];
	uint64_t used_kb, total_kb;
};

/* One hstate of one node ("Node 0 hugepages_total=.. hugepages_free=.. ..."): pages of size_kb. */
#define OOMTRACE_HUGE_MAX 8
struct oomtrace_hugepages {
	int32_t node;
	uint64_t size_kb, total, free, surplus;
};

/* What the machine looked like around the kill. */
struct oomtrace_context {
	uint32_t known;			      /* OOMTRACE_C_* */
	char loadavg[64];		      /* /proc/loadavg, as read */
	struct oomtrace_kvset mem_info;	      /* log "Mem-Info:" counters, pages */
	struct oomtrace_kvset memcg;	      /* limit/usage/failcnt/events of the OOMing memcg */
	struct oomtrace_kvset memcg_stat;     /* log "Memory cgroup stats" (as printed) */
	struct oomtrace_kvset meminfo_kb;     /* /proc/meminfo at event time */
	struct oomtrace_kvset trigger_status; /* trigger's /proc/PID/status numeric lines */
	struct oomtrace_psi psi_some, psi_full;
	unsigned int ntop;
	struct oomtrace_task_row top[OOMTRACE_TOP_TASKS]; /* by rss, largest first */
	uint32_t ntasks;	  /* rows of the task table seen (all, not only the top) */
	uint64_t tasks_rss_pages; /* their rss summed */
	/* a global OOM report's evidence (mm/show_mem.c, mm/slab_common.c) */
	unsigned int nzones;
	struct oomtrace_zone zones[OOMTRACE_ZONES_MAX];
	unsigned int nhuge;
	struct oomtrace_hugepages huge[OOMTRACE_HUGE_MAX];
	uint64_t swap_free_kb, swap_total_kb;
	unsigned int nslab;			      /* OOMTRACE_C_SLAB: the block was printed */
	struct oomtrace_slab slab[OOMTRACE_SLAB_TOP]; /* by used, largest first */
	uint32_t slab_caches;			      /* every cache the block listed */
	uint64_t slab_used_kb, slab_total_kb;	      /* their sums */
	struct oomtrace_history history;	      /* OOMTRACE_C_HISTORY */
	struct oomtrace_reclaim reclaim;	      /* OOMTRACE_C_RECLAIM */
};

/*
 * Who the victim's cgroup belongs to (core/names.c): derived from the path,
 * names looked up on the node (live). Empty strings: not known.
 */
struct oomtrace_names {
	char unit[256];		/* innermost systemd unit: foo.service, session-4.scope, x.slice */
	char pod_uid[40];	/* Kubernetes pod UID, dashed */
	char qos[12];		/* guaranteed, burstable, besteffort */
	char container_id[72];	/* runtime's id of the container (64 hex for most) */
	char runtime[16];	/* containerd, cri-o, docker, isulad, podman */
	char k8s_namespace[64]; /* from /var/log/pods (live) */
	char pod[256];
	char container[256];
};

/*
 * A death a userspace memory killer dealt (systemd-oomd, earlyoom, nohang, oomd, lmkd) or a pod
 * the kubelet evicted, as its own log line states it (replay/killers.c). name "": the kernel's.
 */
#define OOMTRACE_KILLER_NAME_MAX 24
enum {
	OOMTRACE_KL_PID = 1u << 0,	  /* pid */
	OOMTRACE_KL_SIGNAL = 1u << 1,	  /* signal */
	OOMTRACE_KL_DIED_AFTER = 1u << 2, /* died_after_us */
	/* live: what the tracer saw of the killer and the death */
	OOMTRACE_KL_FIRST_SIGNAL = 1u << 3, /* first_signal */
	OOMTRACE_KL_EXIT_CODE = 1u << 4,    /* exit_code */
	OOMTRACE_KL_EXE = 1u << 5,	    /* exe */
	OOMTRACE_KL_CGROUP = 1u << 6,	    /* cgroup */
	OOMTRACE_KL_UNIT = 1u << 7,	    /* unit */
	OOMTRACE_KL_CMDLINE = 1u << 8,	    /* cmdline */
	OOMTRACE_KL_LOG = 1u << 9,	    /* log */
};
/* live: whether the killer's own log line of the kill was joined */
enum oomtrace_killer_log {
	OOMTRACE_KLOG_JOURNAL = 0, /* its journal line joined: reason and facts are its */
	OOMTRACE_KLOG_MISSING,	   /* the journal was followed; no line of this kill came in time */
	OOMTRACE_KLOG_UNREAD,	   /* its log is in the journal, which could not be followed */
	OOMTRACE_KLOG_NONE,	   /* a killer (--killer) whose log oomtrace cannot read */
};
struct oomtrace_killer {
	uint32_t known; /* OOMTRACE_KL_* */
	char name[OOMTRACE_KILLER_NAME_MAX];
	int32_t pid;		     /* the killer's own, from its log tag */
	int32_t signal;		     /* the signal it said it sent: 9, 15 */
	bool died;		     /* its log confirmed the victim's death */
	uint64_t died_after_us;	     /* how long the death took, as it logged it (died) */
	char reason[256];	     /* why, in its own words */
	struct oomtrace_facts facts; /* the numbers it stated: badness, vm_rss_kb, pressure ... */
	/* live (the sender of the signal, seen by the tracer): */
	int32_t first_signal; /* the first signal it sent this victim (signal: the last) */
	int32_t exit_code;    /* the victim's exit code as wait(2) gives it (died) */
	char exe[256];	      /* the sender's executable (where /proc lets the tracer read it) */
	char cmdline[256];    /* the sender's command line, arguments joined by blanks */
	char cgroup[256];     /* the sender's cgroup (unified, or name=systemd on v1) */
	char unit[128];	      /* the systemd unit of that cgroup */
	enum oomtrace_killer_log log;
};

struct oomtrace_event {
	uint32_t known;	    /* OOMTRACE_E_* */
	uint64_t seq;	    /* per run, from 1; assigned by the core */
	int64_t time_us;    /* wall clock, microseconds since the epoch (UTC) */
	int32_t tz_off_s;   /* zone offset the time was recorded in */
	uint64_t uptime_ns; /* kernel timestamp, since boot */
	enum oomtrace_source source;
	enum oomtrace_probe probe;
	enum oomtrace_outcome outcome;
	enum oomtrace_record record;
	bool reap_skipped; /* REAP: the reaper gave up on this victim */
	bool partial;	   /* the record was cut off: what is known is still reported */
	enum oomtrace_alloc_class alloc_class; /* OOMTRACE_E_ALLOCATION */
	char alloc_detail[32];		       /* syscall name, kind of kernel memory ("" none) */
	char alloc_frame[OOMTRACE_FUNC_MAX];   /* the frame that proves the class */
	uint32_t from_kmsg;		       /* OOMTRACE_K_*: joined from the kernel's report */
	enum oomtrace_cause cause;	       /* OOMTRACE_E_WHY */
	enum oomtrace_victim_role victim_role; /* OOMTRACE_E_ROLE */
	char why[256];		  /* one sentence with the numbers that prove the cause */
	int64_t growth_kb_per_s;  /* OOMTRACE_E_GROWTH: the memcg's, fitted to its history */
	int64_t time_to_limit_ms; /* OOMTRACE_E_TIME_TO_LIMIT: at that rate, its limit in */
	char host[64];
	struct oomtrace_task trigger;
	struct oomtrace_task victim;
	/* pre-5.1 kernels and the live kprobe/fentry path: the task the killer chose */
	int32_t selected_pid;
	char selected_comm[OOMTRACE_COMM_MAX];
	int64_t points;
	enum oomtrace_constraint constraint;
	char oom_memcg[OOMTRACE_PATH_MAX];
	uint64_t oom_memcg_id; /* kernfs id of oom_memcg, where a probe read only that */
	char cpuset[OOMTRACE_PATH_MAX];
	char mems_allowed[64];
	uint64_t gfp_mask;
	char gfp_flags[160];
	int32_t order;
	/* size of the memory domain that ran out (memcg limit + swap, or RAM +
	 * swap), in pages; NOT the victim's size */
	uint64_t totalpages;
	uint64_t invocation; /* shared by the victims of one oom_kill_process call */
	uint64_t reap_latency_us;
	uint64_t reaped_anon_rss_kb;
	uint64_t reaped_file_rss_kb;
	uint64_t reaped_shmem_rss_kb;
	struct oomtrace_names names;
	struct oomtrace_killer killer;
	struct oomtrace_context ctx;
};

/* Reset @ev to "nothing known". */
void oomtrace_event_init(struct oomtrace_event *ev);

const char *oomtrace_source_name(enum oomtrace_source s);
const char *oomtrace_probe_name(enum oomtrace_probe p);
const char *oomtrace_constraint_name(enum oomtrace_constraint c);
const char *oomtrace_outcome_name(enum oomtrace_outcome o);
const char *oomtrace_record_name(enum oomtrace_record r);
const char *oomtrace_cause_name(enum oomtrace_cause c);
int oomtrace_cause_parse(const char *s, enum oomtrace_cause *out);
const char *oomtrace_alloc_class_name(enum oomtrace_alloc_class c);
const char *oomtrace_victim_role_name(enum oomtrace_victim_role r);
int oomtrace_victim_role_parse(const char *s, enum oomtrace_victim_role *out);
const char *oomtrace_killer_log_name(enum oomtrace_killer_log l);
int oomtrace_killer_log_parse(const char *s, enum oomtrace_killer_log *out);
/* Set victim_role (known). */
void oomtrace_event_set_role(struct oomtrace_event *ev, enum oomtrace_victim_role r);
/* Killed with its memory.oom.group: known so, from the report or the cgroup. */
static inline bool oomtrace_event_group_kill(const struct oomtrace_event *ev)
{
	return (ev->known & OOMTRACE_E_ROLE) && ev->victim_role == OOMTRACE_ROLE_OOM_GROUP;
}
/* victim_role from the victim's pid namespace facts, where they are known and no role is yet. */
void oomtrace_event_derive_role(struct oomtrace_event *ev);
int oomtrace_alloc_class_parse(const char *s, enum oomtrace_alloc_class *out);
int oomtrace_record_parse(const char *s, enum oomtrace_record *out);
/* Name → value; return -EINVAL when the name is not one of ours. */
int oomtrace_source_parse(const char *s, enum oomtrace_source *out);
int oomtrace_probe_parse(const char *s, enum oomtrace_probe *out);
int oomtrace_constraint_parse(const char *s, enum oomtrace_constraint *out);
int oomtrace_outcome_parse(const char *s, enum oomtrace_outcome *out);

/* Copy at most @n bytes of @src (not NUL-terminated) into @dst of size @dstsz. */
void oomtrace_strlcpy_n(char *dst, size_t dstsz, const char *src, size_t n);

/* Set (or add) @key among the *@n counters of @kv (room for @cap); -ENOSPC when full. */
int oomtrace_kv_set(struct oomtrace_kv *kv, unsigned int *n, unsigned int cap, const char *key,
		    size_t keylen, int64_t val);
/* Look @key up among @n counters; returns true and stores the value when present. */
bool oomtrace_kv_get(const struct oomtrace_kv *kv, unsigned int n, const char *key, int64_t *val);
/* The same for a kvset, and for a set of facts. */
int oomtrace_kvset_set(struct oomtrace_kvset *set, const char *key, size_t keylen, int64_t val);
bool oomtrace_kvset_get(const struct oomtrace_kvset *set, const char *key, int64_t *val);
int oomtrace_facts_set(struct oomtrace_facts *set, const char *key, size_t keylen, int64_t val);
bool oomtrace_facts_get(const struct oomtrace_facts *set, const char *key, int64_t *val);

/* Set the four memory sizes of @t (kB) and mark them known. */
void oomtrace_task_set_memory(struct oomtrace_task *t, uint64_t total_vm_kb, uint64_t anon_kb,
			      uint64_t file_kb, uint64_t shmem_kb);

/* Insert @row into the context's top-holders list (kept sorted by rss). */
void oomtrace_context_add_task(struct oomtrace_context *ctx, const struct oomtrace_task_row *row);
/* Count one cache of the unreclaimable-slab block, and keep it if among the largest by used. */
void oomtrace_context_add_slab(struct oomtrace_context *ctx, const struct oomtrace_slab *sl);

#endif
