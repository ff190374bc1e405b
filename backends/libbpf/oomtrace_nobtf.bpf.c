// SPDX-License-Identifier: GPL-2.0-or-later
/* oomtrace_nobtf.bpf.c: the BTF-less object: no CO-RE at all, so it loads on kernels without BTF
 * (4.13+). */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "wire.h"

/*
 * It copies each oom tracepoint's raw record; user space decodes the fields
 * with the offsets of this kernel's tracefs format file. No global data
 * (kernels before 5.2 have none): the record size comes from a map.
 */
char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct w_raw));
} scratch SEC(".maps");

/*
 * [0]: drops; [1 + kind] (2..6): the raw record size of that tracepoint;
 * [CONF_SIG_OFF], [CONF_PID_OFF]: offsets of sig and pid in signal_generate (set by user space)
 */
#define CONF_SIG_OFF 8
#define CONF_PID_OFF 9
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 10);
	__uint(map_flags, BPF_F_MMAPABLE); /* [0] read without bpf(2); cleared before 5.5 */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u64));
} conf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct w_sigkill));
} sigkill SEC(".maps");

/*
 * [0]: the program that adds the trigger's kernel stack to a kill's record and sends it
 * (raw_kstack): loaded only where the kernel has bpf_get_stack (4.18+). A tail call into it;
 * where the slot is empty, the record goes without. (The helper cannot stand in this object's
 * other programs: kernels before 5.2 would refuse them whole.)
 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} kstack_jmp SEC(".maps");

struct sigbuf {
	unsigned char b[128]; /* offsets are masked to 0..63: reads of 4 stay inside */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct sigbuf));
} sigscratch SEC(".maps");

static __always_inline int conf_off(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&conf, &key);

	return v ? (int)(*v & 63) : -1;
}

/* signal:signal_generate: remember the last SIGKILL each task sent (the OOM killer sends one). */
SEC("tracepoint/signal/signal_generate")
int raw_signal_generate(void *ctx)
{
	__u32 zero = 0, tid = (__u32)bpf_get_current_pid_tgid();
	struct sigbuf *b = bpf_map_lookup_elem(&sigscratch, &zero);
	int so = conf_off(CONF_SIG_OFF), po = conf_off(CONF_PID_OFF), sig = 0;
	struct w_sigkill k = {};

	if (!b || so < 0 || po < 0)
		return 0;
	if (bpf_probe_read(b->b, 64, ctx))
		return 0;
	__builtin_memcpy(&sig, &b->b[so], 4);
	if (sig != 9)
		return 0;
	__builtin_memcpy(&k.target, &b->b[po], 4);
	k.ts_ns = bpf_ktime_get_ns();
	bpf_map_update_elem(&sigkill, &tid, &k, BPF_ANY);
	return 0;
}

static __always_inline void send(void *ctx, struct w_raw *r)
{
	__u32 zero = 0;
	__u64 *drops;

	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, r, sizeof(*r))) {
		drops = bpf_map_lookup_elem(&conf, &zero);
		if (drops)
			__sync_fetch_and_add(drops, 1);
	}
}

static __always_inline int capture(void *ctx, unsigned int kind)
{
	__u32 zero = 0, k = 1 + kind;
	struct w_raw *r = bpf_map_lookup_elem(&scratch, &zero);
	__u64 *size = bpf_map_lookup_elem(&conf, &k);
	__u64 id = bpf_get_current_pid_tgid();
	__u32 n;

	if (!r || !size)
		return 0;
	r->ts_ns = bpf_ktime_get_ns();
	r->kind = kind;
	r->cur_pid = (__u32)id;
	r->cur_tgid = id >> 32;
	bpf_get_current_comm(r->cur_comm, sizeof(r->cur_comm));
	/* the whole record with its dynamic part when it fits, else the fixed part */
	n = W_RAW_MAX;
	if (bpf_probe_read(r->raw, W_RAW_MAX, ctx)) {
		n = *size & (W_RAW_MAX - 1);
		if (!n || bpf_probe_read(r->raw, n, ctx))
			n = 0;
	}
	r->raw_len = n;
	r->sig_seen = 0;
	if (kind == W_KILL) {
		__u32 tid = (__u32)id;
		__u32 k6 = CONF_SIG_OFF;
		__u64 *tracked = bpf_map_lookup_elem(&conf, &k6);
		struct w_sigkill *s = bpf_map_lookup_elem(&sigkill, &tid);

		r->sig_seen = tracked && *tracked;
		r->sig_target = s ? s->target : 0;
		r->sig_ts_ns = s ? s->ts_ns : 0;
	}
	r->kstack_bytes = 0;
	if (kind == W_KILL)
		bpf_tail_call(ctx, &kstack_jmp, 0); /* returns only where the slot is empty */
	send(ctx, r);
	return 0;
}

/* The kill's record in this CPU's scratch, with the trigger's stack: a tail call's target. */
SEC("tracepoint")
int raw_kstack(void *ctx)
{
	__u32 zero = 0;
	struct w_raw *r = bpf_map_lookup_elem(&scratch, &zero);
	long n;

	if (!r)
		return 0;
	n = bpf_get_stack(ctx, r->kstack, sizeof(r->kstack), 0);
	r->kstack_bytes = n > 0 ? (unsigned int)n : 0;
	send(ctx, r);
	return 0;
}

SEC("tracepoint/oom/mark_victim")
int raw_mark_victim(void *ctx)
{
	return capture(ctx, W_KILL);
}

SEC("tracepoint/oom/wake_reaper")
int raw_wake_reaper(void *ctx)
{
	return capture(ctx, W_WAKE_REAPER);
}

SEC("tracepoint/oom/start_task_reaping")
int raw_start_task_reaping(void *ctx)
{
	return capture(ctx, W_START_REAP);
}

SEC("tracepoint/oom/finish_task_reaping")
int raw_finish_task_reaping(void *ctx)
{
	return capture(ctx, W_FINISH_REAP);
}

SEC("tracepoint/oom/skip_task_reaping")
int raw_skip_task_reaping(void *ctx)
{
	return capture(ctx, W_SKIP_REAP);
}
