// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * markdelay.bpf.c: a test's tool, not oomtrace's: holds each oom:mark_victim, before the programs
 * attached after it run, until 5 ms after its victim took its SIGKILL (signal:signal_deliver;
 * then get_signal calls do_group_exit, where oomtrace's exit hook is), or delay_ns at most. The
 * kernel sends its SIGKILL before mark_victim (mm/oom_kill.c, __oom_kill_process), so a victim
 * on another CPU then reaches its exit before oomtrace's programs hear it named: the race that
 * tests/live/ustack.sh makes on purpose. (Not until its exit's end: the killer holds the
 * victim's task_lock through mark_victim, which exit_mm() takes.) Its loop is bounded loops of
 * calls to global functions, not bpf_loop (5.17): it holds marks on 5.10 too.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u64 delay_ns; /* set by tests/markdelay through the skeleton's .bss: 0, hold none */
__u64 held;	/* the marks held */
__u64 exited;	/* of those, the marks whose victim took its SIGKILL meanwhile */

#define GRACE_NS 5000000ULL

/* the processes that took a SIGKILL while marks are held: when */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, int);
	__type(value, __u64);
} gone SEC(".maps");

struct hold {
	__u64 until;
	int pid;
	int seen;
};

/* the mark being held, per CPU: global functions take no pointer to the stack on 5.10 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hold);
} holding SEC(".maps");

#define SPINS 1024 /* checks per call of spins(), and calls at most: over 25 ms either way */

/* Check SPINS times whether the mark's time is up, its victim gone a grace ago; 1: done. A
 * global function: the verifier checks its loop once. */
__noinline int spins(void)
{
	__u32 zero = 0;
	struct hold *h = bpf_map_lookup_elem(&holding, &zero);
	__u64 *when, now;

	if (!h)
		return 1;
	for (int i = 0; i < SPINS; i++) {
		now = bpf_ktime_get_ns();
		if (!h->seen && (when = bpf_map_lookup_elem(&gone, &h->pid))) {
			h->seen = 1;
			if (*when + GRACE_NS < h->until)
				h->until = *when + GRACE_NS;
		}
		if (now >= h->until)
			return 1;
	}
	return 0;
}

/* the classic tracepoints' records: their own fields after the 8 bytes common to all */
struct mark_victim_rec {
	unsigned long long common;
	int pid;
};

struct signal_deliver_rec {
	unsigned long long common;
	int sig;
};

SEC("tracepoint/oom/mark_victim")
int hold_mark(struct mark_victim_rec *ctx)
{
	__u32 zero = 0;
	struct hold *h = bpf_map_lookup_elem(&holding, &zero);

	if (!delay_ns || !h)
		return 0;
	h->pid = ctx->pid;
	h->seen = 0;
	h->until = bpf_ktime_get_ns() + delay_ns;
	for (int i = 0; i < SPINS; i++)
		if (spins())
			break;
	__sync_fetch_and_add(&held, 1);
	if (h->seen)
		__sync_fetch_and_add(&exited, 1);
	return 0;
}

SEC("tracepoint/signal/signal_deliver")
int note_sigkill(struct signal_deliver_rec *ctx)
{
	int tgid = (int)(bpf_get_current_pid_tgid() >> 32);
	__u64 now;

	if (!delay_ns || ctx->sig != 9 /* SIGKILL */)
		return 0;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&gone, &tgid, &now, BPF_ANY);
	return 0;
}
