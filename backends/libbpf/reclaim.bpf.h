/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reclaim.bpf.h (part of oomtrace.bpf.c): the trigger's reclaim before its OOM. The kernel tries
 * to reclaim before it kills: a memcg at its limit calls try_to_free_mem_cgroup_pages() up to
 * MAX_RECLAIM_RETRIES times from try_charge_memcg() (vmscan:mm_vmscan_memcg_reclaim_begin/end
 * around each), an allocation short of free pages reclaims directly in __alloc_pages_slowpath()
 * (vmscan:mm_vmscan_direct_reclaim_begin/end); both in the allocating task's context, which is
 * the OOM's trigger when reclaim fails. Per thread: rounds, time inside them, pages they
 * reclaimed, since the episode began (rounds more than 1 s apart start a new one). The kill's
 * record takes the trigger's and clears it. These tracepoints fire only under memory pressure.
 */

/* set by user space: the reclaim programs are attached */
const volatile int track_reclaim = 0;

#define RECLAIM_GAP_NS 1000000000ULL

struct w_reclaim_state {
	__u64 begin_ns; /* the round in progress (0: none) */
	__u64 first_ns, last_ns;
	__u64 stall_ns, pages;
	__u32 rounds, pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct w_reclaim_state);
} reclaims SEC(".maps");

static __always_inline void reclaim_begin(void)
{
	__u32 pid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();
	struct w_reclaim_state *r = bpf_map_lookup_elem(&reclaims, &pid), z = {};

	if (!r) {
		z.first_ns = now;
		z.begin_ns = now;
		bpf_map_update_elem(&reclaims, &pid, &z, BPF_ANY);
		return;
	}
	if (now - r->last_ns > RECLAIM_GAP_NS) { /* a new episode */
		r->first_ns = now;
		r->stall_ns = 0;
		r->pages = 0;
		r->rounds = 0;
	}
	r->begin_ns = now;
}

static __always_inline void reclaim_end(unsigned long nr_reclaimed)
{
	__u32 pid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();
	struct w_reclaim_state *r = bpf_map_lookup_elem(&reclaims, &pid);

	if (!r || !r->begin_ns)
		return;
	r->stall_ns += now - r->begin_ns;
	r->pages += nr_reclaimed;
	r->rounds++;
	r->begin_ns = 0;
	r->last_ns = now;
}

/* the trigger's episode into its kill record, where it reclaimed within the last second */
static __always_inline void reclaim_take(struct w_event *e, __u32 pid)
{
	struct w_reclaim_state *r;

	if (!track_reclaim || e->kind != W_KILL || !(r = bpf_map_lookup_elem(&reclaims, &pid)))
		return;
	if (r->rounds && e->ts_ns - r->last_ns <= RECLAIM_GAP_NS) {
		e->reclaim_rounds = r->rounds;
		e->reclaim_stall_ns = r->stall_ns;
		e->reclaim_pages = r->pages;
		e->reclaim_first_ns = r->first_ns;
		e->flags |= WF_RECLAIM;
	}
	bpf_map_delete_elem(&reclaims, &pid);
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_begin")
int BPF_PROG(btf_memcg_reclaim_begin)
{
	reclaim_begin();
	return 0;
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(btf_memcg_reclaim_end, unsigned long nr_reclaimed)
{
	reclaim_end(nr_reclaimed);
	return 0;
}

SEC("tp_btf/mm_vmscan_direct_reclaim_begin")
int BPF_PROG(btf_direct_reclaim_begin)
{
	reclaim_begin();
	return 0;
}

SEC("tp_btf/mm_vmscan_direct_reclaim_end")
int BPF_PROG(btf_direct_reclaim_end, unsigned long nr_reclaimed)
{
	reclaim_end(nr_reclaimed);
	return 0;
}

/* where the kernel's BTF is a file: the classic tracepoints (end: nr_reclaimed, since 2.6.36) */
SEC("tracepoint/vmscan/mm_vmscan_memcg_reclaim_begin")
int tp_memcg_reclaim_begin(void *ctx)
{
	reclaim_begin();
	return 0;
}

SEC("tracepoint/vmscan/mm_vmscan_memcg_reclaim_end")
int tp_memcg_reclaim_end(struct trace_event_raw_mm_vmscan_direct_reclaim_end_template *ctx)
{
	reclaim_end(BPF_CORE_READ(ctx, nr_reclaimed));
	return 0;
}

SEC("tracepoint/vmscan/mm_vmscan_direct_reclaim_begin")
int tp_direct_reclaim_begin(void *ctx)
{
	reclaim_begin();
	return 0;
}

SEC("tracepoint/vmscan/mm_vmscan_direct_reclaim_end")
int tp_direct_reclaim_end(struct trace_event_raw_mm_vmscan_direct_reclaim_end_template *ctx)
{
	reclaim_end(BPF_CORE_READ(ctx, nr_reclaimed));
	return 0;
}
