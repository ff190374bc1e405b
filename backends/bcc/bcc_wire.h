/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bcc_wire.h: the BCC backend's record, defined once for both the embedded BPF text and user space. */
#ifndef OOMTRACE_BCC_WIRE_H
#define OOMTRACE_BCC_WIRE_H

/* kinds and flags, also #defined into the BPF text by bcc_program.c */
#define BW_KILL 1
#define BW_FINISH_REAP 2
#define BW_SKIP_REAP 3

#define BWP_KPROBE 1
#define BWP_TRACEPOINT 2

#define BWF_MM 0x1
#define BWF_PGTABLES 0x2
#define BWF_UID 0x4
#define BWF_ADJ 0x8
#define BWF_OC 0x10
#define BWF_CONSTRAINT 0x20
#define BWF_VTASK 0x40
#define BWF_TRIGGER_CGID 0x80
#define BWF_OOM_MEMCG_CGID 0x100
#define BWF_SWAP 0x200
#define BWF_VICTIM_CGID 0x400

#define BCC_WIRE_DEF                                                                    \
	struct bcc_wire {                                                               \
		unsigned long long ts_ns;                                               \
		unsigned long long total_vm_kb, anon_kb, file_kb, shmem_kb, swap_kb;    \
		unsigned long long pgtables_kb, totalpages, sig_ts_ns;                  \
		unsigned long long trigger_cgid, oom_memcg_cgid, victim_cgid;           \
		long long points;                                                       \
		unsigned int kind, probe, flags, victim_uid, gfp_mask, sig_seen;        \
		int victim_pid, victim_tgid, trigger_pid, trigger_tgid;                 \
		int victim_adj, order, constraint, sig_target;                          \
		char victim_comm[16];                                                   \
		char trigger_comm[16];                                                  \
	}

BCC_WIRE_DEF;

#define BCC_STR2(...) #__VA_ARGS__
#define BCC_STR(...) BCC_STR2(__VA_ARGS__)

#endif
