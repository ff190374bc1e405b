/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kill_wire.h: the record both live backends' BPF programs send for a kill
 * (and for the reaper's reports), defined once: compiled into the libbpf
 * backend's BPF objects, into the BCC backend's BPF text (stringified), and
 * into user space, where live/kill.c turns it into an event. Plain C types
 * only: no header, so that every BPF compiler can take it.
 */
#ifndef OOMTRACE_KILL_WIRE_H
#define OOMTRACE_KILL_WIRE_H

/* record kinds */
enum w_kind {
	W_KILL = 1,    /* a victim (mark_victim, or oom_kill_process entry) */
	W_WAKE_REAPER, /* oom reaper tracepoints: pid only */
	W_START_REAP,
	W_FINISH_REAP,
	W_SKIP_REAP,
	W_UKILL,  /* libbpf: a SIGTERM/SIGKILL a named userspace killer sent (sig, sig_code) */
	W_UDEATH, /* libbpf: the last thread of such a victim exited: victim_tgid, exit_code */
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
	WF_VICTIM_TASK = 1 << 0, /* pid/tgid/comm read from the victim's task_struct */
	WF_MM = 1 << 1,		 /* total_vm and rss counters */
	WF_PGTABLES = 1 << 2,
	WF_SWAP = 1 << 3,
	WF_UID = 1 << 4,
	WF_ADJ = 1 << 5,
	WF_VICTIM_CG = 1 << 6,	/* libbpf: the victim's cgroup path */
	WF_TRIGGER_CG = 1 << 7, /* libbpf: the trigger's cgroup path */
	WF_OC = 1 << 8,		/* oom_control facts (fentry/kprobe): totalpages, gfp_mask, order */
	WF_OOM_MEMCG = 1 << 9,	/* libbpf: oom_control's memcg path */
	WF_CONSTRAINT = 1 << 10,
	WF_POINTS = 1 << 11,
	WF_TRIGGER_ADJ = 1 << 13,
	WF_VICTIM_CGID = 1 << 14,
	WF_TRIGGER_CGID = 1 << 15,
	WF_OOM_MEMCG_CGID = 1 << 16,
	WF_NS = 1 << 17,      /* victim_ns_pid, victim_ns_level: from the victim's struct pid */
	WF_RECLAIM = 1 << 18, /* libbpf: the trigger's reclaim before the kill (reclaim_*) */
};

#define OOMTRACE_KILL_COMM 16

/* The fields, for BPF text that must spell the struct out (BCC). */
#define OOMTRACE_KILL_WIRE_FIELDS                                                                  \
	unsigned long long ts_ns;      /* bpf_ktime_get_ns */                                      \
	unsigned long long invocation; /* oom_kill_process calls, counted in BPF (libbpf) */       \
	long long points;                                                                          \
	unsigned long long totalpages;                                                             \
	unsigned long long total_vm_kb, anon_kb, file_kb, shmem_kb, swap_kb, pgtables_kb;          \
	unsigned long long victim_cgid, trigger_cgid, oom_memcg_cgid;                              \
	unsigned long long sig_ts_ns;                                                              \
	/* the trigger's reclaim episode before the kill: time inside its rounds, pages they       \
	 * reclaimed, when it began (bpf_ktime_get_ns), its rounds */                              \
	unsigned long long reclaim_stall_ns, reclaim_pages, reclaim_first_ns;                      \
	unsigned int reclaim_rounds, reclaim_pad;                                                  \
	unsigned int kind, probe, flags;                                                           \
	int victim_pid, victim_tgid, trigger_pid, trigger_tgid;                                    \
	unsigned int victim_uid;                                                                   \
	int victim_adj, trigger_adj;                                                               \
	unsigned int gfp_mask;                                                                     \
	int order, constraint;                                                                     \
	/* the last SIGKILL this task sent: a kill, or a victim exiting */                         \
	int sig_target;                                                                            \
	unsigned int sig_seen;                                                                     \
	int victim_ns_pid;	      /* the victim's pid in its own pid namespace */              \
	unsigned int victim_ns_level; /* that namespace's level (0: the host's) */                 \
	/* W_UKILL: the signal and its si_code; W_UDEATH: the victim's exit code (wait status) */  \
	int sig, sig_code;                                                                         \
	unsigned int exit_code;                                                                    \
	char victim_comm[OOMTRACE_KILL_COMM];                                                      \
	char trigger_comm[OOMTRACE_KILL_COMM]

#define OOMTRACE_KILL_WIRE_DEF                                                                     \
	struct oomtrace_kill_wire {                                                                \
		OOMTRACE_KILL_WIRE_FIELDS;                                                         \
	}

OOMTRACE_KILL_WIRE_DEF;

#endif
