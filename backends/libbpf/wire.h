/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wire.h: the records the libbpf backend's BPF programs send to user space (private to this backend). */
#ifndef OOMTRACE_LIBBPF_WIRE_H
#define OOMTRACE_LIBBPF_WIRE_H

#define W_COMM 16
#define W_CG_DEPTH 8   /* cgroup path components kept, innermost first */
#define W_CG_NAME 48
#define W_RAW_MAX 256  /* bytes of a raw tracepoint record copied by the BTF-less object */

/* record kinds */
enum w_kind {
	W_KILL = 1,    /* a victim (mark_victim, or oom_kill_process entry) */
	W_WAKE_REAPER, /* oom reaper tracepoints: pid only */
	W_START_REAP,
	W_FINISH_REAP,
	W_SKIP_REAP,
};

/* which program produced it */
enum w_probe {
	WP_FENTRY = 1,
	WP_KPROBE,
	WP_TP_BTF,
	WP_TRACEPOINT,
};

/* W_KILL facts present */
enum w_flags {
	WF_VICTIM_TASK = 1 << 0,   /* pid/tgid/comm read from the victim's task_struct */
	WF_MM = 1 << 1,            /* total_vm and rss counters */
	WF_PGTABLES = 1 << 2,
	WF_SWAP = 1 << 3,
	WF_UID = 1 << 4,
	WF_ADJ = 1 << 5,
	WF_VICTIM_CG = 1 << 6,
	WF_TRIGGER_CG = 1 << 7,
	WF_OC = 1 << 8,            /* oom_control facts (fentry/kprobe) */
	WF_OOM_MEMCG = 1 << 9,
	WF_CONSTRAINT = 1 << 10,
	WF_POINTS = 1 << 11,
	WF_TRIGGER_ADJ = 1 << 13,
	WF_VICTIM_CGID = 1 << 14,
	WF_TRIGGER_CGID = 1 << 15,
	WF_OOM_MEMCG_CGID = 1 << 16,
};

/*
 * A cgroup path as far as it fits: user space resolves the cgroup's id to the
 * full path and takes this one only when it is complete (no component filled
 * to the brim, not truncated), so a path is never reported cut.
 */
struct w_cgpath {
	unsigned int depth; /* components filled; truncated when the path was deeper */
	unsigned int truncated;
	char name[W_CG_DEPTH][W_CG_NAME]; /* [0] is the innermost */
};

/* Record of the CO-RE object. */
struct w_event {
	unsigned long long ts_ns; /* bpf_ktime_get_ns */
	unsigned long long invocation;
	unsigned int kind;
	unsigned int probe;
	unsigned int flags;
	int victim_pid, victim_tgid;
	int trigger_pid, trigger_tgid;
	unsigned int victim_uid;
	int victim_adj, trigger_adj;
	unsigned int gfp_mask;
	int order;
	int constraint;
	long long points;
	unsigned long long totalpages;
	unsigned long long total_vm_kb, anon_kb, file_kb, shmem_kb, swap_kb, pgtables_kb;
	unsigned long long victim_cgid, trigger_cgid, oom_memcg_cgid;
	/* the last SIGKILL this task sent (signal:signal_generate), to tell a kill from an exiting victim */
	int sig_target;
	unsigned int sig_seen;
	unsigned long long sig_ts_ns;
	char victim_comm[W_COMM];
	char trigger_comm[W_COMM];
	/*
	 * Records are sized to what they carry: a reaper record ends here
	 * (W_SIZE_HEAD), a kill carries the victim's path (W_SIZE_VICTIM), and
	 * the other two paths only where no cgroup id can stand for them.
	 */
	struct w_cgpath victim_cg;
	struct w_cgpath trigger_cg, oom_memcg;
};
#define W_SIZE_HEAD ((unsigned long)&((struct w_event *)0)->victim_cg)
#define W_SIZE_VICTIM ((unsigned long)&((struct w_event *)0)->trigger_cg)

/* Record of the BTF-less object: the raw tracepoint record, decoded with the tracefs format. */
struct w_raw {
	unsigned long long ts_ns;
	unsigned int kind;
	int cur_pid, cur_tgid;
	unsigned int raw_len;
	int sig_target;
	unsigned int sig_seen;
	unsigned long long sig_ts_ns;
	char cur_comm[W_COMM];
	unsigned char raw[W_RAW_MAX];
};

/* the last SIGKILL a task generated */
struct w_sigkill {
	int target;
	unsigned int pad;
	unsigned long long ts_ns;
};

#endif
