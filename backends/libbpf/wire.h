/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wire.h: the records the libbpf backend's BPF programs send to user space (private to this
 * backend). */
#ifndef OOMTRACE_LIBBPF_WIRE_H
#define OOMTRACE_LIBBPF_WIRE_H

#define W_COMM OOMTRACE_KILL_COMM
#define W_CG_DEPTH 8 /* cgroup path components kept, innermost first */
#define W_CG_NAME 48
#define W_RAW_MAX 256	/* bytes of a raw tracepoint record copied by the BTF-less object */
#define W_KSTACK_MAX 48 /* return addresses of the trigger's kernel stack (bpf_get_stack) */

#include "kill_wire.h" /* the kill record both live backends share; its kinds, probes and flags */

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

/* Record of the CO-RE object: the shared kill record, then the cgroup paths it could read. */
struct w_event {
	OOMTRACE_KILL_WIRE_FIELDS;
	/*
	 * Records are sized to what they carry: a reaper record ends here
	 * (W_SIZE_HEAD); a kill carries the victim's path (W_SIZE_VICTIM) and as
	 * much of the trigger's kernel stack as was read, and the other two paths
	 * only where no cgroup id can stand for them (then the whole record).
	 */
	unsigned int kstack_bytes; /* of kstack filled, 8 per address, innermost first; 0: none */
	unsigned int kstack_pad;
	/* a kprobe at a function's entry where the return address is still in a register (not
	 * x86): the caller, which the unwinder cannot see yet; 0: none */
	unsigned long long kstack_lr;
	struct w_cgpath victim_cg;
	unsigned long long kstack[W_KSTACK_MAX];
	struct w_cgpath trigger_cg, oom_memcg;
};
#define W_SIZE_HEAD ((unsigned long)&((struct w_event *)0)->kstack_bytes)
#define W_SIZE_VICTIM ((unsigned long)&((struct w_event *)0)->kstack)

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
	/* a kill: the trigger's kernel stack where the kernel has bpf_get_stack (4.18+) */
	unsigned int kstack_bytes; /* 8 per address, innermost first; 0: none */
	unsigned int kstack_pad;
	unsigned long long kstack[W_KSTACK_MAX];
};

/*
 * Record of the user stack object (ustack.bpf.c), on a ring of its own so that stacks never take a
 * kill's room: the trigger's registers, the top of its stack and the executable mappings that
 * its stack's words point into, each with its path as dentry names, innermost first.
 */
#define W_UMAPS 16
#define W_UPATH 256	    /* a path's bytes: "name\0" per component, innermost first */
#define W_UCOMP 64	    /* a component's bytes at most (longer: the path is cut) */
#define W_UDEPTH 24	    /* components at most */
#define W_USTACK_BYTES 8192 /* of the stack copied, from sp up */
#define W_USTACK_CHUNK 4096 /* copied one at a time: the one sp is in, then whole ones above */
#define W_USTACK_CHUNKS (W_USTACK_BYTES / W_USTACK_CHUNK + 1)
#define W_UREGS_BYTES 272 /* the user registers: x86_64 pt_regs (168), arm64 user_pt_regs */
#define W_URANGES 32	  /* mappings looked up already, executable or not */

/* why a kill has no user stack */
enum w_ustate {
	W_US_SENT = 1,	   /* the record went out */
	W_US_KTHREAD = 2,  /* the trigger has no user space: a kernel thread, or exiting */
	W_US_NO_REGS = 3,  /* its saved registers are not a user mode's */
	W_US_NO_STACK = 4, /* its stack could not be read without faulting */
	W_US_FULL = 5,	   /* the ring had no room */
};

/* whose stack a record is */
enum w_ukind {
	W_UK_TRIGGER = 0, /* the trigger's, at oom:mark_victim */
	W_UK_VICTIM = 1,  /* a victim's that is not the trigger, as it takes its SIGKILL */
};

struct w_umap {
	unsigned long long start, end, pgoff;
	unsigned int path_len;	/* bytes of path used */
	unsigned int truncated; /* deeper than W_UDEPTH, longer than W_UPATH or a component */
	char path[W_UPATH + W_UCOMP];
};

struct w_ustack {
	unsigned long long ts_ns;
	int tid, tgid;
	unsigned int state; /* enum w_ustate */
	unsigned int nmaps;
	unsigned int regs_bytes, stack_bytes;
	unsigned int mnt_ns; /* the inode of its mount namespace: the paths are in it */
	unsigned int kind;   /* enum w_ukind */
	unsigned int holes;  /* chunks of the copy not resident (bit i: chunk i; zeros sent) */
	unsigned int early;  /* a victim's copied at its exit before mark_victim named it */
	unsigned char regs[W_UREGS_BYTES];
	struct w_umap maps[W_UMAPS];
	unsigned char stack[W_USTACK_BYTES]; /* sent as far as stack_bytes */
	/* not sent: the mappings looked up so far (start, end) */
	unsigned long long ranges[W_URANGES][2];
	unsigned int nranges, pad;
	unsigned long long stack_end, sp;
};
#define W_USTACK_HEAD ((unsigned long)&((struct w_ustack *)0)->stack)
#define W_USTACK_MIN                                                                               \
	((unsigned long)&((struct w_ustack *)0)->regs) /* a record of its state only               \
							*/

/* the last SIGKILL a task generated */
struct w_sigkill {
	int target;
	unsigned int pad;
	unsigned long long ts_ns;
};

#endif
