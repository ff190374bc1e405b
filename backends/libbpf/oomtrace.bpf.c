// SPDX-License-Identifier: GPL-2.0-or-later
/* oomtrace.bpf.c: the CO-RE programs: oom_kill_process (fentry/kprobe), mark_victim
 * (tp_btf/tracepoint), reaper tracepoints. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "kernel_types.h"
#include "wire.h"

char LICENSE[] SEC("license") = "GPL";

/* set by user space before load */
const volatile unsigned int page_shift = 12;
const volatile int want_trigger_cg = 1;
/* no mark_victim program attached: oom_kill_process entry reports the victim itself */
const volatile int okp_emits = 0;
/* signal_generate is attached: report the last SIGKILL with each victim */
const volatile int track_signals = 0;
/* the killers map is filled: report their SIGTERMs and SIGKILLs, and their victims' deaths */
const volatile int track_killers = 0;

/* Where records go: a ring buffer where the kernel has one, else a perf buffer. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024); /* OOMTRACE_BUFFER_KB_DEFAULT; --buffer-size sets it */
} events_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events_pb SEC(".maps");

/* scratch for building a record (too big for the stack) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct w_event);
} scratch SEC(".maps");

/*
 * records the BPF side could not hand over: one shared counter, memory-mapped by user space so
 * that the sandboxed tracer reads it without bpf(2) and without CAP_BPF (the flag is cleared
 * before load where the kernel, before 5.5, has no memory-mapped arrays)
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/*
 * oom_control facts of the oom_kill_process() call running in this task,
 * for the mark_victim events it causes (several with memory.oom.group).
 */
struct oc_facts {
	__u64 invocation;
	__u64 totalpages;
	__s64 points;
	__u32 gfp_mask;
	__s32 order;
	__s32 constraint;
	__u32 flags;
	__u64 chosen; /* struct task_struct *: the selected victim, held by the kernel meanwhile */
	__u64 oom_memcg_cgid;
	struct w_cgpath oom_memcg;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct oc_facts);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct oc_facts);
} oc_scratch SEC(".maps");

/* never written: the source to clear records from (memset of this size is not inlined) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct w_event);
} zeroes SEC(".maps");

__u64 invocations = 0;

/* the last SIGKILL each task generated: the OOM killer sends it just before mark_victim */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct w_sigkill);
} sigkill SEC(".maps");

static __always_inline void sigkill_facts(struct w_event *e)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct w_sigkill *k = bpf_map_lookup_elem(&sigkill, &tid);

	e->sig_seen = 1;
	if (k) {
		e->sig_target = k->target;
		e->sig_ts_ns = k->ts_ns;
	}
}

static __always_inline void clear(void *p, __u32 size)
{
	__u32 zero = 0;
	void *z = bpf_map_lookup_elem(&zeroes, &zero);

	if (z)
		bpf_probe_read_kernel(p, size, z);
}
const volatile int use_ringbuf = 1;

static __always_inline void count_drop(void)
{
	__u32 zero = 0;
	__u64 *d = bpf_map_lookup_elem(&drops, &zero);

	if (d)
		__sync_fetch_and_add(d, 1);
}

static __always_inline void send(void *ctx, struct w_event *e)
{
	__u64 size = W_SIZE_HEAD;
	long r;

	if (e->kind == W_UKILL) {
		/* the victim's facts and cgroup path, the sender's path (it may be gone before
		 * user space reads /proc) */
		size = sizeof(*e);
	} else if (e->kind == W_KILL) {
		if ((e->flags & (WF_TRIGGER_CG | WF_TRIGGER_CGID)) == WF_TRIGGER_CG ||
		    (e->flags & (WF_OOM_MEMCG | WF_OOM_MEMCG_CGID)) == WF_OOM_MEMCG) {
			size = sizeof(*e);
		} else {
			/* the ids stand for those paths: not sent, so not claimed; the stack as far
			 * as it was read (masked too: older verifiers keep the bound that way) */
			__u64 b = e->kstack_bytes & 0x1ff;

			if (b > sizeof(e->kstack))
				b = sizeof(e->kstack);
			e->flags &= ~(__u32)(WF_TRIGGER_CG | WF_OOM_MEMCG);
			size = W_SIZE_VICTIM + b;
		}
	}
	if (use_ringbuf)
		r = bpf_ringbuf_output(&events_rb, e, size, 0);
	else
		r = bpf_perf_event_output(ctx, &events_pb, BPF_F_CURRENT_CPU, e, size);
	if (r)
		count_drop();
}

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	struct kernfs_node___new *n = (void *)kn;

	if (bpf_core_field_exists(n->__parent))
		return BPF_CORE_READ(n, __parent);
	return BPF_CORE_READ(kn, parent);
}

/* The memory cgroup of @t: its kernfs node (v1 or v2 alike). */
static __always_inline struct kernfs_node *memcg_kn(struct task_struct *t)
{
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *css;

	if (id < 0 || id >= 14)
		return 0;
	css = BPF_CORE_READ(t, cgroups, subsys[id]);
	if (!css)
		return 0;
	return BPF_CORE_READ(css, cgroup, kn);
}

static __always_inline void kn_path(struct kernfs_node *kn, struct w_cgpath *p)
{
	int i;

	p->depth = 0;
	p->truncated = 0;
#pragma unroll
	for (i = 0; i < W_CG_DEPTH; i++) {
		struct kernfs_node *parent;
		const char *name;

		if (!kn)
			return;
		parent = kn_parent(kn);
		if (!parent)
			return; /* the root has no name of its own */
		name = BPF_CORE_READ(kn, name);
		bpf_probe_read_kernel_str(p->name[i], W_CG_NAME, name);
		p->depth = i + 1;
		kn = parent;
	}
	if (kn && kn_parent(kn))
		p->truncated = 1;
}

static __always_inline __u64 kn_id(struct kernfs_node *kn)
{
	if (!kn || bpf_core_field_size(kn->id) != 8)
		return 0;
	return BPF_CORE_READ(kn, id);
}

/* CO-RE needs constant array indexes: one read per counter */
#define MM_COUNTER(mm, i)                                                                          \
	({                                                                                         \
		struct mm_struct___new *n_ = (void *)(mm);                                         \
		struct mm_struct___old *o_ = (void *)(mm);                                         \
		long long v_;                                                                      \
		/* struct mm_rss_stat went away in 6.2 when the counters became percpu */          \
		if (bpf_core_type_exists(struct mm_rss_stat))                                      \
			v_ = BPF_CORE_READ(o_, rss_stat.count[i].counter);                         \
		else                                                                               \
			v_ = BPF_CORE_READ(n_, rss_stat[i].count);                                 \
		v_ < 0 ? 0 : (__u64)v_;                                                            \
	})

/*
 * The victim's pid in its own pid namespace and how deep that namespace is
 * (struct pid's numbers[level], as task_pid_vnr() reads it): pid 1 there is
 * the namespace's init, whose death ends the container.
 */
static __always_inline void victim_ns(struct w_event *e, struct task_struct *v)
{
	struct pid *p;
	unsigned int lvl;
	int nr = 0;

	if (!bpf_core_field_exists(v->thread_pid))
		return;
	p = BPF_CORE_READ(v, thread_pid);
	if (!p)
		return;
	lvl = BPF_CORE_READ(p, level);
	if (lvl > 32) /* MAX_PID_NS_LEVEL */
		return;
	if (bpf_core_read(&nr, sizeof(nr), &p->numbers[lvl].nr) || nr <= 0)
		return;
	e->victim_ns_pid = nr;
	e->victim_ns_level = lvl;
	e->flags |= WF_NS;
}

/* Everything known from the victim's task_struct. */
static __always_inline void victim_facts(struct w_event *e, struct task_struct *v)
{
	struct mm_struct *mm;
	struct kernfs_node *kn;
	unsigned int shift = page_shift - 10;

	e->victim_pid = BPF_CORE_READ(v, pid);
	e->victim_tgid = BPF_CORE_READ(v, tgid);
	BPF_CORE_READ_STR_INTO(&e->victim_comm, v, comm);
	e->flags |= WF_VICTIM_TASK;
	e->victim_uid = BPF_CORE_READ(v, real_cred, uid.val);
	e->victim_adj = BPF_CORE_READ(v, signal, oom_score_adj);
	e->flags |= WF_UID | WF_ADJ;
	victim_ns(e, v);
	mm = BPF_CORE_READ(v, mm);
	if (mm) {
		e->total_vm_kb = (__u64)BPF_CORE_READ(mm, total_vm) << shift;
		e->anon_kb = MM_COUNTER(mm, 1) << shift;  /* MM_ANONPAGES */
		e->file_kb = MM_COUNTER(mm, 0) << shift;  /* MM_FILEPAGES */
		e->shmem_kb = MM_COUNTER(mm, 3) << shift; /* MM_SHMEMPAGES */
		e->swap_kb = MM_COUNTER(mm, 2) << shift;  /* MM_SWAPENTS */
		e->flags |= WF_MM | WF_SWAP;
		if (bpf_core_field_exists(mm->pgtables_bytes)) {
			e->pgtables_kb = BPF_CORE_READ(mm, pgtables_bytes.counter) >> 10;
			e->flags |= WF_PGTABLES;
		}
	}
	kn = memcg_kn(v);
	if (kn) {
		kn_path(kn, &e->victim_cg);
		e->flags |= WF_VICTIM_CG;
		e->victim_cgid = kn_id(kn);
		if (e->victim_cgid)
			e->flags |= WF_VICTIM_CGID;
	}
}

#include "reclaim.bpf.h" /* vmscan: the trigger's reclaim before its OOM */

/* The trigger is the task allocating: current. */
static __always_inline void trigger_facts(struct w_event *e)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct kernfs_node *kn;

	e->trigger_pid = (__u32)id;
	e->trigger_tgid = id >> 32;
	bpf_get_current_comm(&e->trigger_comm, sizeof(e->trigger_comm));
	e->trigger_adj = BPF_CORE_READ(t, signal, oom_score_adj);
	e->flags |= WF_TRIGGER_ADJ;
	reclaim_take(e, (__u32)id);
	if (!want_trigger_cg)
		return;
	kn = memcg_kn(t);
	if (kn) {
		kn_path(kn, &e->trigger_cg);
		e->flags |= WF_TRIGGER_CG;
		e->trigger_cgid = kn_id(kn);
		if (e->trigger_cgid)
			e->flags |= WF_TRIGGER_CGID;
	}
}

static __always_inline struct w_event *new_event(unsigned int kind, unsigned int probe)
{
	__u32 zero = 0;
	struct w_event *e = bpf_map_lookup_elem(&scratch, &zero);

	if (!e)
		return 0;
	clear(e, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = kind;
	e->probe = probe;
	return e;
}

/*
 * The trigger's kernel stack, where the probe stands: the allocation path (fault or syscall →
 * charge → out_of_memory → oom_kill_process). bpf_get_stack is 4.18+; this object needs 5.2+
 * (global data) anyway.
 */
const volatile int want_kstack = 1; /* 0: --stacks none */

static __always_inline void kernel_stack(void *ctx, struct w_event *e)
{
	long n;

	if (!want_kstack)
		return;
	n = bpf_get_stack(ctx, e->kstack, sizeof(e->kstack), 0);

	e->kstack_bytes = n > 0 ? (unsigned int)n : 0;
}

/* Merge the oom_control facts of the call in progress in this task, if any. */
static __always_inline void merge_oc(struct w_event *e)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct oc_facts *f = bpf_map_lookup_elem(&inflight, &tid);

	if (!f)
		return;
	e->invocation = f->invocation;
	e->totalpages = f->totalpages;
	e->points = f->points;
	e->gfp_mask = f->gfp_mask;
	e->order = f->order;
	e->constraint = f->constraint;
	e->oom_memcg_cgid = f->oom_memcg_cgid;
	e->flags |= f->flags;
	__builtin_memcpy(&e->oom_memcg, &f->oom_memcg, sizeof(e->oom_memcg));
}

/*
 * A mark_victim that gives only a pid (before 6.9, no bpf_task_from_pid):
 * when oom_kill_process is probed too, its chosen task is that victim
 * (but not the other tasks of a memory.oom.group kill).
 */
static __always_inline void victim_from_chosen(struct w_event *e, int pid)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct oc_facts *f = bpf_map_lookup_elem(&inflight, &tid);
	struct task_struct *t;

	if (!f || !f->chosen)
		return;
	t = (struct task_struct *)f->chosen;
	if (BPF_CORE_READ(t, pid) == pid)
		victim_facts(e, t);
}

/* ---- oom_kill_process(struct oom_control *oc, const char *message) ------------ */

static __always_inline int on_oom_kill_process(void *ctx, struct oom_control *oc,
					       unsigned int probe)
{
	__u32 zero = 0, tid = (__u32)bpf_get_current_pid_tgid();
	struct oc_facts *f = bpf_map_lookup_elem(&oc_scratch, &zero);
	struct mem_cgroup *memcg;
	struct w_event *e;

	if (!f)
		return 0;
	clear(f, sizeof(*f));
	/*
	 * oom_kill_process() runs under the kernel's oom_lock, so calls never
	 * overlap: a plain increment. (An atomic fetch-and-add that returns the
	 * value is BPF_FETCH, which kernels before 5.12 refuse with EINVAL: it
	 * kept fentry and kprobe from loading on 5.10.)
	 */
	f->invocation = ++invocations;
	f->totalpages = BPF_CORE_READ(oc, totalpages);
	f->gfp_mask = BPF_CORE_READ(oc, gfp_mask);
	f->order = BPF_CORE_READ(oc, order);
	f->flags = WF_OC;
	/* unsigned long before ~5.9, long since: the same 8 bytes */
	f->points = BPF_CORE_READ(oc, chosen_points);
	f->flags |= WF_POINTS;
	f->chosen = (__u64)BPF_CORE_READ(oc, chosen);
	if (bpf_core_field_exists(oc->constraint)) {
		f->constraint = BPF_CORE_READ(oc, constraint);
		f->flags |= WF_CONSTRAINT;
	}
	memcg = BPF_CORE_READ(oc, memcg);
	if (memcg) {
		struct kernfs_node *kn = BPF_CORE_READ(memcg, css.cgroup, kn);

		kn_path(kn, &f->oom_memcg);
		f->flags |= WF_OOM_MEMCG;
		f->oom_memcg_cgid = kn_id(kn);
		if (f->oom_memcg_cgid)
			f->flags |= WF_OOM_MEMCG_CGID;
	}
	bpf_map_update_elem(&inflight, &tid, f, BPF_ANY);

	if (!okp_emits)
		return 0; /* mark_victim reports each victim, with these facts merged */
	/* the chosen victim, as oom_kill_process sees it on entry */
	e = new_event(W_KILL, probe);
	if (!e)
		return 0;
	merge_oc(e);
	victim_facts(e, BPF_CORE_READ(oc, chosen));
	trigger_facts(e);
	kernel_stack(ctx, e);
#ifndef __TARGET_ARCH_x86
	/* at the first instruction the return address is in the link register, not on the stack:
	 * the unwinder would skip the caller (out_of_memory) */
	if (probe == WP_KPROBE && e->kstack_bytes)
		e->kstack_lr = PT_REGS_RET((struct pt_regs *)ctx);
#endif
	send(ctx, e);
	return 0;
}

SEC("fentry/oom_kill_process")
int BPF_PROG(fentry_oom_kill_process, struct oom_control *oc, const char *message)
{
	return on_oom_kill_process(ctx, oc, WP_FENTRY);
}

SEC("fexit/oom_kill_process")
int BPF_PROG(fexit_oom_kill_process, struct oom_control *oc, const char *message)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

SEC("kprobe/oom_kill_process")
int BPF_KPROBE(kprobe_oom_kill_process, struct oom_control *oc)
{
	return on_oom_kill_process(ctx, oc, WP_KPROBE);
}

SEC("kretprobe/oom_kill_process")
int BPF_KRETPROBE(kretprobe_oom_kill_process)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

/* ---- mark_victim ------------------------------------------------------------- */

/* 6.9+: mark_victim(struct task_struct *task, uid_t uid) */
SEC("tp_btf/mark_victim")
int BPF_PROG(tp_btf_mark_victim, struct task_struct *task)
{
	struct w_event *e = new_event(W_KILL, WP_TP_BTF);

	if (!e)
		return 0;
	merge_oc(e);
	victim_facts(e, task);
	trigger_facts(e);
	if (track_signals)
		sigkill_facts(e);
	kernel_stack(ctx, e);
	send(ctx, e);
	return 0;
}

#ifndef OOMTRACE_NO_KFUNC
extern struct task_struct *bpf_task_from_pid(int pid) __ksym __weak;
extern void bpf_task_release(struct task_struct *p) __ksym __weak;
#endif

/* before 6.9: mark_victim(int pid); 6.2+ can look the task up */
SEC("tp_btf/mark_victim")
int BPF_PROG(tp_btf_mark_victim_pid, int pid)
{
	struct w_event *e = new_event(W_KILL, WP_TP_BTF);
#ifndef OOMTRACE_NO_KFUNC
	struct task_struct *t;
#endif

	if (!e)
		return 0;
	merge_oc(e);
	e->victim_pid = pid;
#ifndef OOMTRACE_NO_KFUNC
	t = bpf_task_from_pid(pid);
	if (t) {
		victim_facts(e, t);
		bpf_task_release(t);
	} else {
		victim_from_chosen(e, pid);
	}
#else
	/*
	 * The variant for a kernel without /sys/kernel/btf/vmlinux: typed
	 * ksyms would make libbpf want that BTF. Never loaded there (tp_btf
	 * needs it too); kept so both objects have the same skeleton.
	 */
	victim_from_chosen(e, pid);
#endif
	trigger_facts(e);
	if (track_signals)
		sigkill_facts(e);
	kernel_stack(ctx, e);
	send(ctx, e);
	return 0;
}

/* the classic tracepoint, read through CO-RE: whatever fields this kernel's format has */
SEC("tracepoint/oom/mark_victim")
int tp_mark_victim(struct trace_event_raw_mark_victim *ctx)
{
	struct w_event *e = new_event(W_KILL, WP_TRACEPOINT);

	if (!e)
		return 0;
	merge_oc(e);
	e->victim_pid = BPF_CORE_READ(ctx, pid);
	if (bpf_core_field_exists(ctx->total_vm)) {
		unsigned int loc = BPF_CORE_READ(ctx, __data_loc_comm);

		bpf_probe_read_kernel_str(e->victim_comm, sizeof(e->victim_comm),
					  (void *)ctx + (loc & 0xffff));
		e->total_vm_kb = BPF_CORE_READ(ctx, total_vm);
		e->anon_kb = BPF_CORE_READ(ctx, anon_rss);
		e->file_kb = BPF_CORE_READ(ctx, file_rss);
		e->shmem_kb = BPF_CORE_READ(ctx, shmem_rss);
		e->pgtables_kb = BPF_CORE_READ(ctx, pgtables);
		e->victim_uid = BPF_CORE_READ(ctx, uid);
		e->victim_adj = BPF_CORE_READ(ctx, oom_score_adj);
		e->flags |= WF_MM | WF_PGTABLES | WF_UID | WF_ADJ;
	}
	/* tgid, swap and the memory cgroup are not in the format: from the chosen task */
	victim_from_chosen(e, e->victim_pid);
	trigger_facts(e);
	if (track_signals)
		sigkill_facts(e);
	kernel_stack(ctx, e);
	send(ctx, e);
	return 0;
}

/* ---- the oom reaper ------------------------------------------------------------ */

static __always_inline int reaper(void *ctx, int pid, unsigned int kind)
{
	struct w_event *e = new_event(kind, WP_TRACEPOINT);

	if (!e)
		return 0;
	e->victim_pid = pid;
	/* only the head of the record matters: send a short one */
	if (use_ringbuf) {
		if (bpf_ringbuf_output(&events_rb, e, W_SIZE_HEAD, 0))
			count_drop();
	} else if (bpf_perf_event_output(ctx, &events_pb, BPF_F_CURRENT_CPU, e, W_SIZE_HEAD)) {
		count_drop();
	}
	return 0;
}

SEC("tracepoint/oom/finish_task_reaping")
int tp_finish_task_reaping(struct trace_event_raw_wake_reaper *ctx)
{
	return reaper(ctx, BPF_CORE_READ(ctx, pid), W_FINISH_REAP);
}

SEC("tracepoint/oom/skip_task_reaping")
int tp_skip_task_reaping(struct trace_event_raw_wake_reaper *ctx)
{
	return reaper(ctx, BPF_CORE_READ(ctx, pid), W_SKIP_REAP);
}

/*
 * The same through BTF-typed raw tracepoints, where the kernel has them:
 * attaching and detaching those costs no RCU grace period per tracepoint
 * (a classic tracepoint costs ~70 ms to detach here).
 */
SEC("tp_btf/finish_task_reaping")
int BPF_PROG(btf_finish_task_reaping, int pid)
{
	return reaper(ctx, pid, W_FINISH_REAP);
}

SEC("tp_btf/skip_task_reaping")
int BPF_PROG(btf_skip_task_reaping, int pid)
{
	return reaper(ctx, pid, W_SKIP_REAP);
}

#include "killers.bpf.h" /* signal_generate: the kernel's SIGKILLs, userspace killers */
