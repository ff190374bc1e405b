// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ustack.bpf.c: user stacks for user space to unwind with DWARF call frame information
 * (live/unwind.c): the OOM trigger's, copied at oom:mark_victim, and a victim's that is not the
 * trigger, copied as it dies of its SIGKILL (victim_exit). A copy holds the task's user
 * registers, the top of its stack, and the executable file mappings its stack's words point
 * into, each with its path. A separate object, built twice:
 * - ustack.bpf.o, 5.17+: the registers by bpf_task_pt_regs, the mappings by bpf_find_vma, its
 *   loops by bpf_loop. A program that names those helpers does not load on an older kernel even
 *   where it never calls them.
 * - ustack_walk.bpf.o (USTACK_WALK), 5.8 to 5.16 (openEuler 22.03's 5.10, Debian 11's): the
 *   registers read at the top of the task's kernel stack, as task_pt_regs() finds them; the
 *   mappings by a bounded walk of mm->mmap's list (which 6.1 replaced by a maple tree); its loops
 *   bounded ones, their bodies global functions that the verifier checks once. Nothing in it
 *   takes a lock, so it also runs where interrupts are off: a victim's copy by kprobe on arm64.
 * Both have the same maps and programs (the loader swaps one's ELF into the other's skeleton).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "kernel_types.h"
#include "wire.h"

char LICENSE[] SEC("license") = "GPL";

const volatile unsigned int page_shift = 12;
/* ustack_walk: the kernel's THREAD_SIZE as user space expects it (tried also twice it: KASAN) */
const volatile unsigned int thread_size = 16384;

#ifdef USTACK_WALK
#define CURRENT() ((struct task_struct *)bpf_get_current_task())
#else
#define CURRENT() bpf_get_current_task_btf()
#endif

#define PF_EXITING 0x00000004
#define PF_KTHREAD 0x00200000
#define VM_EXEC 0x00000004

#if defined(__TARGET_ARCH_x86)
#define UREG_PC 16
#define UREG_SP 19
#define UREGS_BYTES 168
#define USER_TOP (1ULL << 47)
/* cs, ss: the privilege level of the code that entered the kernel */
#define USER_MODE(r) (((r)[17] & 3) == 3 && ((r)[20] & 3) == 3)
#elif defined(__TARGET_ARCH_arm64)
#define UREG_PC 32
#define UREG_SP 31
#define UREGS_BYTES 272
#define USER_TOP (1ULL << 52)
/* pstate: EL0, AArch64 (the unwinder knows no AArch32) */
#define USER_MODE(r) (((r)[33] & 0x1f) == 0)
#else
/* user space unwinds x86_64 and arm64 only, and loads this object nowhere else */
#define UREG_PC 0
#define UREG_SP 0
#define UREGS_BYTES 8
#define USER_TOP 0
#define USER_MODE(r) 0
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} ustacks_rb SEC(".maps");

/* the copy being made, and slack after it: a size that the verifier bounds by a mask (up to twice
 * the stack's bytes, where the code clamps it to them) stays inside the value; 6.1's verifier
 * does not follow the clamps clang emits */
struct ustack_scratch_value {
	struct w_ustack u;
	unsigned char slack[W_USTACK_BYTES];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ustack_scratch_value);
} ustack_scratch SEC(".maps");

/* victims whose trigger is another process, by the pid mark_victim names: when it was marked,
 * or (exited) when one that exited before any mark_victim kept its copy in ustack_early. Both
 * sides publish here with BPF_NOEXIST, under the one bucket lock, so exactly one of them is
 * first and the other sees it. LRU: a victim that never comes through the exit hook (one
 * already exiting, past do_group_exit) must not keep its entry from later ones */
struct victim_mark {
	__u64 ts_ns;
	__u64 exited;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, int);
	__type(value, struct victim_mark);
} ustack_victims SEC(".maps");

#define VICTIM_MAX_NS (5ULL * 1000000000) /* a victim that takes its SIGKILL later is not ours */

/*
 * The kernel sends its SIGKILL before mark_victim names the victim (mm/oom_kill.c,
 * __oom_kill_process: do_send_sig_info, then mark_oom_victim), so a victim on another CPU can
 * reach its exit first. The SIGKILLs the kernel itself sends (SI_KERNEL) to another process are
 * noted here, by the target's pid: when. Such a process that exits unnamed keeps its copy in
 * ustack_early, for the mark_victim that may follow.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, int);
	__type(value, __u64);
} ustack_killed SEC(".maps");

/* The copies kept, by the same pid. Few: this race is rare, and a copy that no mark_victim
 * claims (another kernel SIGKILL) is swept once it is stale; where there is no
 * bpf_for_each_map_elem (5.13), the least recently used makes room. */
#define EARLY_MAX 8
struct {
#ifdef USTACK_WALK
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
#else
	__uint(type, BPF_MAP_TYPE_HASH);
#endif
	__uint(max_entries, EARLY_MAX);
	__type(key, int);
	__type(value, struct w_ustack);
} ustack_early SEC(".maps");

/* Was @ts_ns, a mark's or a copy's time, within VICTIM_MAX_NS before @now? */
static __always_inline int fresh(__u64 ts_ns, __u64 now)
{
	return now - ts_ns <= VICTIM_MAX_NS;
}

/* @map's entry for the current process, else for its thread (a killer may name a thread);
 * @key: the one found. */
static __always_inline void *of_current(void *map, __u64 id, int *key)
{
	void *v;

	*key = (int)(id >> 32);
	v = bpf_map_lookup_elem(map, key);
	if (!v) {
		*key = (int)id;
		v = bpf_map_lookup_elem(map, key);
	}
	return v;
}

/* the classic tracepoints' records: their own fields after the 8 bytes common to all */
struct tp_mark_victim {
	unsigned long long common;
	int pid;
};

static __always_inline struct w_ustack *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ustack_scratch, &zero);
}

/* a walk up a path's dentries, into map @slot of the record */
struct walk {
	struct dentry *d;
	struct mount *mnt;
	unsigned int off, slot, done, pad;
};

#ifdef USTACK_WALK
#define WALK_VMAS 4096 /* mappings walked at most (a JVM has a few thousand) */
#define WALK_EXEC 64   /* executable file mappings kept from the walk */

/* the walk's findings: the executable file mappings in address order, and which to send */
struct walk_maps {
	unsigned long long start[WALK_EXEC], end[WALK_EXEC], pgoff[WALK_EXEC], file[WALK_EXEC];
	unsigned long long cursor; /* the next vm_area_struct */
	unsigned long long used;   /* bit i: a stack word or the pc is in mapping i */
	unsigned int n, pad;
	struct walk path; /* the walk up a path's dentries under way */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct walk_maps);
} ustack_walk SEC(".maps");

static __always_inline struct walk_maps *walk_maps(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ustack_walk, &zero);
}

#endif

/* one step of a path's walk up its dentries: bpf_loop's callback (the verifier sees it once), or
 * a global function's (ustack_walk) */
static long walk_step(__u32 i, void *ctx)
{
	struct walk *w = ctx;
	struct w_ustack *u = scratch();
	struct mount *mnt = w->mnt; /* locals: CO-RE relocates what BPF_CORE_READ names */
	struct dentry *d = w->d, *parent;
	struct w_umap *m;
	long n;

	if (!u)
		return 1;
	m = &u->maps[w->slot & (W_UMAPS - 1)];
	if (d == BPF_CORE_READ(mnt, mnt.mnt_root)) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (up == mnt) {
			w->done = 1; /* the namespace's root */
			return 1;
		}
		w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (parent == d) {
		w->done = 1; /* a filesystem's root that is mounted nowhere we can see */
		return 1;
	}
	if (w->off >= W_UPATH)
		return 1;
	n = bpf_probe_read_kernel_str(&m->path[w->off & (W_UPATH - 1)], W_UCOMP,
				      BPF_CORE_READ(d, d_name.name));
	if (n <= 0 || n >= W_UCOMP)
		return 1; /* cut: not done */
	w->off += n;
	m->path_len = w->off;
	w->d = parent;
	return 0;
}

#ifdef USTACK_WALK
/* One step up the path under way. A global function: the verifier checks it once. */
__noinline int path_step(void)
{
	struct walk_maps *s = walk_maps();

	return s ? walk_step(0, &s->path) : 1;
}
#endif

/* Map @slot of @u: the mapping [@start, @end) of @f at byte @pgoff, with @f's path as dentry
 * names, innermost first, across the mounts it sits on. */
static __always_inline void put_map(struct w_ustack *u, unsigned int slot, unsigned long long start,
				    unsigned long long end, unsigned long long pgoff,
				    struct file *f)
{
	struct w_umap *m = &u->maps[slot & (W_UMAPS - 1)];
	struct vfsmount *vm = BPF_CORE_READ(f, f_path.mnt);
	struct walk w = {
	    .d = BPF_CORE_READ(f, f_path.dentry),
	    .mnt = (void *)vm - bpf_core_field_offset(struct mount, mnt),
	    .slot = slot,
	};

	m->start = start;
	m->end = end;
	m->pgoff = pgoff;
	m->path_len = 0;
#ifdef USTACK_WALK
	struct walk_maps *s = walk_maps();

	if (s) {
		s->path = w;
		for (int i = 0; i < W_UDEPTH; i++)
			if (path_step())
				break;
		w.done = s->path.done;
	}
#else
	bpf_loop(W_UDEPTH, walk_step, &w, 0);
#endif
	m->truncated = !w.done;
}

#ifndef USTACK_WALK
/* bpf_find_vma's callback: remember the mapping, keep an executable file's */
static long on_vma(struct task_struct *task, struct vm_area_struct *vma, void *ctx)
{
	struct w_ustack *u = scratch();
	unsigned long long start, end;
	struct file *f;

	if (!u)
		return 1;
	start = BPF_CORE_READ(vma, vm_start);
	end = BPF_CORE_READ(vma, vm_end);
	if (u->nranges < W_URANGES) {
		u->ranges[u->nranges & (W_URANGES - 1)][0] = start;
		u->ranges[u->nranges & (W_URANGES - 1)][1] = end;
		u->nranges++;
	}
	if (ctx)
		u->stack_end = end; /* the lookup of sp: its mapping is the stack */
	f = BPF_CORE_READ(vma, vm_file);
	if (!(BPF_CORE_READ(vma, vm_flags) & VM_EXEC) || !f || u->nmaps >= W_UMAPS)
		return 0;
	put_map(u, u->nmaps, start, end,
		(unsigned long long)BPF_CORE_READ(vma, vm_pgoff) << page_shift, f);
	u->nmaps++;
	return 0;
}

/* bpf_loop's callback: is the address in range @i of those looked up? (a loop the verifier sees
 * once, inside scan_word's) */
struct lookup {
	unsigned long long a;
	int found, pad;
};

static long range_step(__u32 i, void *ctx)
{
	struct w_ustack *u = scratch();
	struct lookup *l = ctx;

	if (!u)
		return 1;
	if (l->a >= u->ranges[i & (W_URANGES - 1)][0] && l->a < u->ranges[i & (W_URANGES - 1)][1]) {
		l->found = 1;
		return 1;
	}
	return 0;
}

static __always_inline int looked_up(struct w_ustack *u, unsigned long long a)
{
	struct lookup l = {.a = a};

	bpf_loop(u->nranges < W_URANGES ? u->nranges : W_URANGES, range_step, &l, 0);
	return l.found;
}

/* bpf_loop's callback: word @i of the copied stack, looked up where it may be code */
static long scan_word(__u32 i, void *ctx)
{
	struct w_ustack *u = scratch();
	unsigned long long w;

	if (!u || i * 8 + 8 > u->stack_bytes)
		return 1;
	w = *(unsigned long long *)&u->stack[(i * 8) & (W_USTACK_BYTES - 8)];
	if (w < 4096 || w >= USER_TOP || looked_up(u, w))
		return 0;
	bpf_find_vma(bpf_get_current_task_btf(), w, on_vma, NULL, 0);
	return 0;
}

/* @u's user registers, as @t entered the kernel; 0, or -1 where they are not user mode's */
static __always_inline int user_regs(struct task_struct *t, struct w_ustack *u)
{
	unsigned long long *r = (unsigned long long *)u->regs;

	if (bpf_probe_read_kernel(u->regs, UREGS_BYTES, (void *)bpf_task_pt_regs(t)) ||
	    !USER_MODE(r))
		return -1;
	return 0;
}

/* the end of the mapping that @u's sp is in: where its stack ends */
static __always_inline void stack_mapping(struct task_struct *t, struct w_ustack *u)
{
	int stack_ctx = 1;

	bpf_find_vma(t, u->sp, on_vma, &stack_ctx, 0);
}

/* the executable file mappings that @u's pc and its stack's words are in */
static __always_inline void code_mappings(struct task_struct *t, struct w_ustack *u)
{
	unsigned long long *r = (unsigned long long *)u->regs;

	if (!looked_up(u, r[UREG_PC]))
		bpf_find_vma(t, r[UREG_PC], on_vma, NULL, 0);
	bpf_loop(u->stack_bytes / 8, scan_word, NULL, 0);
}

#else  /* USTACK_WALK */

/*
 * The registers at the top of @t's kernel stack, as task_pt_regs() finds them (x86_64 and arm64:
 * stack + THREAD_SIZE - sizeof(struct pt_regs)). THREAD_SIZE as user space expects it, else
 * twice it (KASAN doubles it); only registers whose mode is user's, with pc and sp in user space.
 */
static __always_inline int user_regs(struct task_struct *t, struct w_ustack *u)
{
	unsigned long long *r = (unsigned long long *)u->regs;
	unsigned long top = (unsigned long)BPF_CORE_READ(t, stack);
	unsigned long size = bpf_core_type_size(struct pt_regs___kernel);

	for (int i = 0; i < 2; i++) {
		if (!bpf_probe_read_kernel(
			u->regs, UREGS_BYTES,
			(void *)(top + ((unsigned long)thread_size << i) - size)) &&
		    USER_MODE(r) && r[UREG_PC] >= 4096 && r[UREG_PC] < USER_TOP &&
		    r[UREG_SP] >= 4096 && r[UREG_SP] < USER_TOP)
			return 0;
	}
	return -1;
}

/* One step of the walk of the mappings' list: the end of sp's mapping (the stack's), and the
 * executable file mappings kept. A global function: the verifier checks it once. 1: the end. */
__noinline int walk_vma(void)
{
	struct w_ustack *u = scratch();
	struct walk_maps *s = walk_maps();
	struct vm_area_struct *v;
	unsigned long long start, end;
	unsigned int i;
	struct file *f;

	if (!u || !s || !s->cursor)
		return 1;
	v = (void *)s->cursor;
	start = BPF_CORE_READ(v, vm_start);
	end = BPF_CORE_READ(v, vm_end);
	s->cursor = (unsigned long long)BPF_CORE_READ(v, vm_next);
	if (u->sp >= start && u->sp < end)
		u->stack_end = end;
	f = BPF_CORE_READ(v, vm_file);
	if (!(BPF_CORE_READ(v, vm_flags) & VM_EXEC) || !f || s->n >= WALK_EXEC)
		return 0;
	i = s->n & (WALK_EXEC - 1);
	s->start[i] = start;
	s->end[i] = end;
	s->pgoff[i] = (unsigned long long)BPF_CORE_READ(v, vm_pgoff) << page_shift;
	s->file[i] = (unsigned long long)f;
	s->n++;
	return 0;
}

/* Mark the kept mapping that @a is in; its index, or -1. A global function. */
__noinline int mark_addr(unsigned long long a)
{
	struct walk_maps *s = walk_maps();

	if (!s || a < 4096 || a >= USER_TOP)
		return -1;
	for (int i = 0; i < WALK_EXEC; i++) {
		if (i >= s->n)
			break;
		if (a >= s->start[i] && a < s->end[i]) {
			s->used |= 1ULL << i;
			return i;
		}
	}
	return -1;
}

/* Mark the mapping that word @i of the copied stack is in, if any. A global function. */
__noinline int mark_word(int i)
{
	struct w_ustack *u = scratch();

	if (!u || i < 0 || (unsigned int)i * 8 + 8 > u->stack_bytes)
		return 1;
	mark_addr(*(unsigned long long *)&u->stack[(i * 8) & (W_USTACK_BYTES - 8)]);
	return 0;
}

/* Send kept mapping @i, unless it is @skip, in the record's next slot where a stack word or the pc
 * is in it. A global function. 1: no more room, or no more mappings. */
__noinline int send_map(int i, int skip)
{
	struct w_ustack *u = scratch();
	struct walk_maps *s = walk_maps();
	unsigned int k = (unsigned int)i & (WALK_EXEC - 1);

	if (!u || !s || u->nmaps >= W_UMAPS || i < 0 || i >= (int)s->n || i >= WALK_EXEC)
		return 1;
	if (i == skip || !(s->used & (1ULL << k)))
		return 0;
	put_map(u, u->nmaps, s->start[k], s->end[k], s->pgoff[k], (struct file *)s->file[k]);
	u->nmaps++;
	return 0;
}

/*
 * The loops: each a global function, whose body is one call, so that the verifier checks a
 * bounded loop of calls once per program and no path after it multiplies. 5.10's (and later
 * kernels') verifier walks a bounded loop iteration by iteration.
 */
__noinline int walk_vmas(void)
{
	for (int i = 0; i < WALK_VMAS; i++)
		if (walk_vma())
			break;
	return 0;
}

__noinline int mark_words(void)
{
	for (int i = 0; i < W_USTACK_BYTES / 8; i++)
		if (mark_word(i))
			break;
	return 0;
}

__noinline int send_maps(int pc)
{
	if (pc >= 0)
		send_map(pc, -1); /* first: marked by mark_addr */
	for (int i = 0; i < WALK_EXEC; i++)
		if (send_map(i, pc))
			break;
	return 0;
}

/* the end of the mapping that @u's sp is in, and the executable file mappings, from the list */
static __always_inline void stack_mapping(struct task_struct *t, struct w_ustack *u)
{
	struct walk_maps *s = walk_maps();

	if (!s)
		return;
	s->n = 0;
	s->used = 0;
	s->cursor = (unsigned long long)BPF_CORE_READ(t, mm, mmap);
	walk_vmas();
}

/* the executable file mappings that @u's pc and its stack's words are in: the pc's first */
static __always_inline void code_mappings(struct task_struct *t, struct w_ustack *u)
{
	unsigned long long *r = (unsigned long long *)u->regs;
	int pc = mark_addr(r[UREG_PC]);

	mark_words();
	send_maps(pc);
}
#endif /* USTACK_WALK */

/* Copy the top of @u's stack, from sp to the end of its mapping or W_USTACK_BYTES; 0, or -1
 * where none of it was resident. */
static __always_inline int copy_stack(struct w_ustack *u)
{
	unsigned long long len, off;
	unsigned int tried;

	len = u->stack_end > u->sp ? u->stack_end - u->sp : 0;
	if (len > W_USTACK_BYTES)
		len = W_USTACK_BYTES;
	len &= W_USTACK_BYTES * 2 - 1;
	/* What is not resident cannot be read here (no faults). Chunk by chunk, so that a page
	 * never touched (a large buffer of a frame) is a hole, zeros, and the return addresses
	 * above it are still copied. */
	u->holes = 0;
	off = 0;
	tried = 0;
#pragma unroll
	for (int i = 0; i < W_USTACK_CHUNKS; i++) {
		unsigned long long n =
		    i ? W_USTACK_CHUNK : W_USTACK_CHUNK - (u->sp & (W_USTACK_CHUNK - 1));

		if (off >= len)
			break;
		if (n > len - off)
			n = len - off;
		off &= W_USTACK_BYTES - 1;
		n &= W_USTACK_CHUNK * 2 - 1; /* (the slack behind the copy holds a masked size) */
		tried |= 1u << i;
		if (bpf_probe_read_user(u->stack + off, n, (void *)(u->sp + off)))
			u->holes |= 1u << i; /* (a failed read leaves zeros) */
		off += n;
	}
	if (len && u->holes == tried)
		return -1;
	u->stack_bytes = len;
	return 0;
}

/* Copy the current task's user state into @u; the state to report. */
static __always_inline unsigned int copy(struct w_ustack *u)
{
	struct task_struct *t = CURRENT();
	unsigned long long *r = (unsigned long long *)u->regs;

	if ((BPF_CORE_READ(t, flags) & PF_KTHREAD) || !BPF_CORE_READ(t, mm))
		return W_US_KTHREAD;
	u->mnt_ns = BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum);
	if (user_regs(t, u))
		return W_US_NO_REGS;
	u->regs_bytes = UREGS_BYTES;
	u->sp = r[UREG_SP];
	stack_mapping(t, u);
	if (copy_stack(u))
		return W_US_NO_STACK;
	code_mappings(t, u);
	return W_US_SENT;
}

/* Copy the current task's user state into the scratch record, as one of @kind. */
static __always_inline struct w_ustack *fill(unsigned int kind)
{
	struct w_ustack *u = scratch();
	__u64 id = bpf_get_current_pid_tgid();

	if (!u)
		return NULL;
	u->ts_ns = bpf_ktime_get_ns();
	u->tid = (int)id;
	u->tgid = (int)(id >> 32);
	u->kind = kind;
	u->nmaps = 0;
	u->nranges = 0;
	u->regs_bytes = 0;
	u->stack_bytes = 0;
	u->holes = 0;
	u->stack_end = 0;
	u->mnt_ns = 0;
	u->early = 0;
	u->state = copy(u);
	return u;
}

/* Send @size bytes of record @u; no room: a short record says so, where it fits. */
static __always_inline void ring_out(struct w_ustack *u, unsigned long long size)
{
	if (bpf_ringbuf_output(&ustacks_rb, u, size, 0)) {
		u->state = W_US_FULL;
		bpf_ringbuf_output(&ustacks_rb, u, W_USTACK_MIN, 0);
	}
}

/* Send the record @u, as far as its stack goes. */
static __always_inline void output(struct w_ustack *u)
{
	unsigned long long size = W_USTACK_HEAD;

	if (u->state == W_US_SENT)
		size += u->stack_bytes & (W_USTACK_BYTES * 2 - 1);
	if (size > sizeof(*u))
		size = sizeof(*u);
	ring_out(u, size);
}

/* Copy the current task's user state as a record of @kind and send it. */
static __always_inline void send(unsigned int kind)
{
	struct w_ustack *u = fill(kind);

	if (u)
		output(u);
}

/* The copy that victim @key kept as it exited, sent for the mark_victim that named it. */
static __always_inline void send_early(int key)
{
	struct w_ustack *u = bpf_map_lookup_elem(&ustack_early, &key);

	if (!u)
		return;
	/* the whole value: a size the verifier needs no bound for (user space reads stack_bytes) */
	ring_out(u, sizeof(*u));
	bpf_map_delete_elem(&ustack_early, &key);
}

/* Name @victim for its exit; where it exited first and kept its copy, send that. */
static __always_inline void mark(int victim)
{
	struct victim_mark m = {.ts_ns = bpf_ktime_get_ns()}, *old;

	if (bpf_map_update_elem(&ustack_victims, &victim, &m, BPF_NOEXIST) == 0)
		return; /* first: its exit sends its copy */
	old = bpf_map_lookup_elem(&ustack_victims, &victim);
	if (old && old->exited && fresh(old->ts_ns, m.ts_ns)) {
		if (bpf_map_delete_elem(&ustack_victims, &victim) == 0)
			send_early(victim);
		return;
	}
	bpf_map_update_elem(&ustack_victims, &victim, &m, BPF_ANY); /* a stale entry's place */
}

/* The trigger's stack; a victim that is another process is remembered for its SIGKILL. */
SEC("tracepoint/oom/mark_victim")
int tp_mark_victim_ustack(struct tp_mark_victim *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	int victim = ctx->pid;

	if (victim != (int)id && victim != (int)(id >> 32))
		mark(victim);
	send(W_UK_TRIGGER);
	return 0;
}

/*
 * The kernel's own SIGKILLs to another process: the OOM killer's come before mark_victim. Not
 * those of an exiting sender: a pid namespace's init zapping its namespace (a container torn
 * down) sends each of its processes one, and none is an OOM victim.
 */
SEC("tracepoint/signal/signal_generate")
int tp_signal_generate_ustack(struct trace_event_raw_signal_generate *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), now;
	int pid = ctx->pid;

	if (ctx->sig != SIGKILL || ctx->code != SI_KERNEL || pid == (int)id ||
	    pid == (int)(id >> 32) || (BPF_CORE_READ(CURRENT(), flags) & PF_EXITING))
		return 0;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&ustack_killed, &pid, &now, BPF_ANY);
	return 0;
}

#ifndef USTACK_WALK
struct bpf_map;

/* bpf_for_each_map_elem's callback: drop a kept copy that no mark_victim claimed in time */
static long sweep_early(struct bpf_map *map, int *key, struct w_ustack *u, void *ctx)
{
	if (!fresh(u->ts_ns, *(__u64 *)ctx))
		bpf_map_delete_elem(map, key);
	return 0;
}
#endif

/*
 * An exit that no mark_victim has named yet, of a process the kernel SIGKILLed: its copy is kept
 * for a mark_victim to come; where one came meanwhile (its entry is there first), sent here.
 */
static __always_inline void keep_early(__u64 id)
{
	struct victim_mark m = {.exited = 1}, *marked;
	__u64 *killed;
	struct w_ustack *u;
	int key;

	killed = of_current(&ustack_killed, id, &key);
	if (!killed)
		return;
	m.ts_ns = bpf_ktime_get_ns();
	/* the delete decides which thread keeps a copy */
	if (!fresh(*killed, m.ts_ns) || bpf_map_delete_elem(&ustack_killed, &key))
		return;
	u = fill(W_UK_VICTIM);
	if (!u)
		return;
	u->early = 1;
	if (bpf_map_update_elem(&ustack_early, &key, u, BPF_ANY)) {
#ifdef USTACK_WALK
		return;
#else
		bpf_for_each_map_elem(&ustack_early, sweep_early, &m.ts_ns, 0);
		if (bpf_map_update_elem(&ustack_early, &key, u, BPF_ANY))
			return;
#endif
	}
	if (bpf_map_update_elem(&ustack_victims, &key, &m, BPF_NOEXIST) == 0)
		return; /* first: mark_victim sends it */
	marked = bpf_map_lookup_elem(&ustack_victims, &key);
	if (marked && !marked->exited && fresh(marked->ts_ns, m.ts_ns) &&
	    bpf_map_delete_elem(&ustack_victims, &key) == 0)
		output(u);
	bpf_map_delete_elem(&ustack_early, &key);
}

/*
 * A remembered victim's stack, by the first of its threads to exit: its user registers are where
 * it entered the kernel (a system call, a fault, an interrupt), before its SIGKILL. Where
 * sched:sched_process_exit runs before exit_mm() (6.16+), there; elsewhere at fentry of
 * do_group_exit, which each thread that dies of a signal calls. By a kprobe there only in
 * ustack_walk, which takes no lock: on arm64 a kprobe runs in its breakpoint's exception,
 * interrupts off, where bpf_find_vma finds one mapping per program run (tried on arm64 6.1: the
 * pc's was not found). Not at signal:signal_deliver, which would be earlier: it runs under the
 * siglock with interrupts off, where bpf_find_vma takes the mmap lock once per program run (the
 * unlock waits for an irq_work), and a stack needs a lookup per mapping.
 */
static __always_inline int victim_exit(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct victim_mark *marked;
	int key, stale;

	marked = of_current(&ustack_victims, id, &key);
	if (!marked) {
		keep_early(id);
		return 0;
	}
	if (marked->exited)
		return 0;			   /* another of its threads kept its copy */
	bpf_map_delete_elem(&ustack_killed, &key); /* no copy to keep at its other threads' exits */
	stale = !fresh(marked->ts_ns, bpf_ktime_get_ns());
	/* the delete decides which thread sends: one copy per victim */
	if (bpf_map_delete_elem(&ustack_victims, &key) == 0 && !stale)
		send(W_UK_VICTIM);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int tp_process_exit_ustack(void *ctx)
{
	return victim_exit();
}

SEC("fentry/do_group_exit")
int BPF_PROG(fentry_do_group_exit_ustack)
{
	return victim_exit();
}

#ifdef USTACK_WALK
/* where fentry is refused (arm64 before 6.4): ustack_walk only */
SEC("kprobe/do_group_exit")
int kprobe_do_group_exit_ustack(void *ctx)
{
	return victim_exit();
}
#endif
