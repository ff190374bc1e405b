/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bcc_wire.h: the BCC backend's record: the live backends' shared kill record, spelled into the BPF
 * text. */
#ifndef OOMTRACE_BCC_WIRE_H
#define OOMTRACE_BCC_WIRE_H

#include "kill_wire.h"

/* The BPF text's names for the shared kinds, probes and flags (#defined into it by bcc_program.c).
 */
#define BW_KILL W_KILL
#define BW_FINISH_REAP W_FINISH_REAP
#define BW_SKIP_REAP W_SKIP_REAP

#define BWP_KPROBE WP_KPROBE
#define BWP_TRACEPOINT WP_TRACEPOINT

#define BWF_MM WF_MM
#define BWF_PGTABLES WF_PGTABLES
#define BWF_UID WF_UID
#define BWF_ADJ WF_ADJ
#define BWF_OC WF_OC
#define BWF_POINTS WF_POINTS
#define BWF_CONSTRAINT WF_CONSTRAINT
#define BWF_VTASK WF_VICTIM_TASK
#define BWF_TRIGGER_CGID WF_TRIGGER_CGID
#define BWF_OOM_MEMCG_CGID WF_OOM_MEMCG_CGID
#define BWF_SWAP WF_SWAP
#define BWF_VICTIM_CGID WF_VICTIM_CGID
#define BWF_NS WF_NS

/*
 * A kill's record: the shared one, then the trigger's kernel stack (bpf_get_stack, 4.18+; built
 * in a per-CPU map, too big for the BPF stack). The reaper's records are the shared one alone.
 */
#define BCC_KSTACK_MAX 48
#define BCC_KILL_DEF                                                                               \
	struct bcc_kill {                                                                          \
		OOMTRACE_KILL_WIRE_FIELDS;                                                         \
		unsigned int kstack_bytes; /* 8 per address, innermost first; 0: none */           \
		unsigned int kstack_pad;                                                           \
		unsigned long long kstack_lr; /* a kprobe at entry: the caller, or 0 */            \
		unsigned long long kstack[BCC_KSTACK_MAX];                                         \
	}

BCC_KILL_DEF;

/* the records' structs, as BPF C text */
#define BCC_STR2(...) #__VA_ARGS__
#define BCC_STR(...) BCC_STR2(__VA_ARGS__)
#define BCC_WIRE_TEXT BCC_STR(OOMTRACE_KILL_WIRE_DEF)
#define BCC_KILL_TEXT BCC_STR(BCC_KILL_DEF)

#endif
