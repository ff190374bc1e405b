/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan.h: which probes the libbpf backend tries, in which order, for a described kernel (pure). */
#ifndef OOMTRACE_LIBBPF_PLAN_H
#define OOMTRACE_LIBBPF_PLAN_H

#include <stdbool.h>

enum pr {
	PR_NONE = 0,
	PR_FENTRY,
	PR_KPROBE,
	PR_TP_BTF,
	PR_TRACEPOINT,
	PR_NOBTF, /* the classic tracepoint through the BTF-less object */
};

extern const char *const lb_pr_names[];

/* What the kernel offers, as far as can be seen without loading anything. */
struct lb_features {
	bool btf;	    /* /sys/kernel/btf/vmlinux: the kernel's own BTF */
	bool ext_btf;	    /* a BTF file for CO-RE (--btf, search path): kprobe, tracepoint */
	bool okp_btf;	    /* oom_kill_process in BTF: an fentry target */
	int fentry_err;	    /* errno of a two-instruction fentry program at it; 0: loads */
	bool kprobes;	    /* kprobe PMU or kprobe_events */
	bool okp_symbol;    /* oom_kill_process (or a clone) in kallsyms */
	bool tp_btf;	    /* btf_trace_mark_victim */
	bool tp_task_arg;   /* mark_victim(task, uid): 6.9+ */
	bool task_from_pid; /* bpf_task_from_pid kfunc: 6.2+ */
	bool tracepoint;    /* tracefs events/oom/mark_victim */
	bool tp_signal;	    /* btf_trace_signal_generate (attach cheaply) */
	bool tp_reaper;	    /* btf_trace_{finish,skip}_task_reaping */
	bool tp_reclaim;    /* btf_trace_mm_vmscan_{memcg,direct}_reclaim_{begin,end} */
};

/* One attempt: an invocation probe (fentry/kprobe/none) with a victim probe. */
struct lb_step {
	enum pr inv, vic;
};

/*
 * Fill @steps (room for @max) with the attempts in order, richest first, for
 * @forced (NULL: auto; else "fentry", "kprobe", "tp_btf", "tracepoint") and
 * @no_btf. Returns the number of steps, 0 when nothing can work, -1 for an
 * unknown probe name.
 */
int lb_plan(const struct lb_features *f, const char *forced, bool no_btf, struct lb_step *steps,
	    int max);

#endif
