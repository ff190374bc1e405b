/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bcc_program.h: the BPF C text the BCC backend compiles at run time (pure). */
#ifndef OOMTRACE_BCC_PROGRAM_H
#define OOMTRACE_BCC_PROGRAM_H

#include <stdbool.h>

#include "bcc_wire.h"
#include "event.h"
#include "util.h"

struct bcc_features {
	bool kprobe;	 /* oom_kill_process kprobe (needs the running kernel's own headers) */
	bool tracepoint; /* oom:mark_victim */
	bool members;	 /* with the kprobe, mark_victim too: the other tasks of a memory.oom.group
			  * kill, which oom_kill_process kills without being called again */
	bool tp_mem;   /* its format has comm, total_vm, rss, uid, pgtables, oom_score_adj (6.9+) */
	bool signals;  /* signal:signal_generate, to tell kills from exiting victims */
	bool reaper;   /* oom:finish_task_reaping and skip_task_reaping */
	bool raw_tp;   /* raw tracepoints (4.17+) for those */
	bool ringbuf;  /* BPF ring buffer (5.8+ and a libbcc that has it), else perf buffer */
	bool kstack;   /* the trigger's kernel stack (not with --stacks none; 4.18+ headers) */
	bool mmapable; /* the drops counter memory-mapped (BPF_F_MMAPABLE, 5.5+) */
	unsigned int page_shift;
	unsigned int ring_pages; /* ring buffer pages (a power of two); 0: the default */
};

/* Append the program for @f to @b; 0 or -ENOMEM. */
int bcc_program_text(const struct bcc_features *f, struct oomtrace_buf *b);

#endif
