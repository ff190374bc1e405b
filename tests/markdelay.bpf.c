// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * markdelay.bpf.c: a test's tool, not oomtrace's: holds each oom:mark_victim for delay_ns before
 * the programs attached after it run. The kernel sends its SIGKILL before mark_victim
 * (mm/oom_kill.c, __oom_kill_process), so a victim on another CPU then reaches its exit before
 * oomtrace's programs hear it named: the race that tests/live/ustack.sh makes on purpose.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u64 delay_ns; /* set by tests/markdelay through the skeleton's .bss */
__u64 held;	/* the marks held */

static long spin(__u32 i, void *ctx)
{
	return bpf_ktime_get_ns() >= *(__u64 *)ctx;
}

SEC("tracepoint/oom/mark_victim")
int hold_mark(void *ctx)
{
	__u64 until;

	if (!delay_ns)
		return 0;
	until = bpf_ktime_get_ns() + delay_ns;
	bpf_loop(1 << 23, spin, &until, 0);
	__sync_fetch_and_add(&held, 1);
	return 0;
}
