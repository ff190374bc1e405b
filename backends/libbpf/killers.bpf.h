/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * killers.bpf.h: signal:signal_generate and sched:sched_process_exit, part of oomtrace.bpf.c.
 * The kernel's OOM killer sends its SIGKILL just before mark_victim (the sigkill map tells an
 * exiting victim from a killed one). A userspace memory killer (systemd-oomd, earlyoom, nohang,
 * oomd, lmkd, --killer) sends SIGTERM or SIGKILL with kill(2), pidfd_send_signal(2) or by
 * writing cgroup.kill: the tracepoint runs in the sender's context, so the sender's comm is
 * looked up in the killers map right here, and only its signals are sent to user space (the
 * machine sends SIGTERMs all day). Each victim is then watched until its last thread exits.
 */

/* comm (16 bytes, zero-padded) of each process whose SIGTERM/SIGKILL is a memory kill */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, char[W_COMM]);
	__type(value, __u32);
} killers SEC(".maps");

/* victims of those killers, by tgid, until they exit: the first signal's time */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u64);
} watched SEC(".maps");

static __always_inline void note_sigkill(int target)
{
	struct w_sigkill k = {};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	k.target = target;
	k.ts_ns = bpf_ktime_get_ns();
	bpf_map_update_elem(&sigkill, &tid, &k, BPF_ANY);
}

/* Whether the current task is one of the named killers (its comm in the killers map). */
static __always_inline int sender_is_killer(void)
{
	char comm[W_COMM] = {};

	bpf_get_current_comm(comm, sizeof(comm));
	return bpf_map_lookup_elem(&killers, comm) != 0;
}

/*
 * A memory kill's signal comes from user space: kill(2) and pidfd_send_signal(2) give SI_USER,
 * tgkill(2) SI_TKILL, a write to cgroup.kill SEND_SIG_NOINFO, which the tracepoint reports as
 * SI_USER; the kernel OOM killer's SEND_SIG_PRIV is SI_KERNEL (its trigger may be named like a
 * killer). Looked at after the sender: this path runs for every SIGTERM and SIGKILL on the host.
 */
static __always_inline int from_user(int code)
{
	return code == SI_USER || code == SI_TKILL;
}

/*
 * Report a killer's signal to @tgid: @task, where the probe has it, gives the victim's facts as
 * they are at this moment (else user space reads what /proc still shows); the sender's are the
 * trigger's (current). The victim is watched for its exit from now on.
 */
static __always_inline void killer_report(void *ctx, unsigned int probe, int sig, int code,
					  struct task_struct *task, int pid, const char *comm)
{
	struct w_event *e = new_event(W_UKILL, probe);
	__u32 tgid = pid; /* the classic tracepoint's pid: a process-wide signal names its leader */
	__u64 now;

	if (!e)
		return;
	now = e->ts_ns;
	if (task) {
		victim_facts(e, task);
		tgid = e->victim_tgid;
	} else {
		/* the target's comm is in the record: the victim is named even when it is gone
		 * before user space looks */
		e->victim_pid = pid;
		bpf_probe_read_kernel_str(e->victim_comm, sizeof(e->victim_comm), comm);
	}
	trigger_facts(e);
	e->sig = sig;
	e->sig_code = code;
	if (tgid)
		bpf_map_update_elem(&watched, &tgid, &now, BPF_NOEXIST);
	send(ctx, e);
}

/* the killers' path of the classic tracepoint (a subprogram: the every-signal path stays small) */
static __noinline int tp_killer(struct trace_event_raw_signal_generate *ctx, int sig)
{
	int code, pid;

	if (!sender_is_killer())
		return 0;
	code = BPF_CORE_READ(ctx, code);
	pid = BPF_CORE_READ(ctx, pid);
	if (from_user(code))
		killer_report(ctx, WP_TRACEPOINT, sig, code, 0, pid, ctx->comm);
	return 0;
}

SEC("tracepoint/signal/signal_generate")
int tp_signal_generate(struct trace_event_raw_signal_generate *ctx)
{
	int sig = BPF_CORE_READ(ctx, sig);

	if (sig == SIGKILL && track_signals)
		note_sigkill(BPF_CORE_READ(ctx, pid));
	if (track_killers && (sig == SIGKILL || sig == SIGTERM))
		tp_killer(ctx, sig);
	return 0;
}

/* signal_generate(int sig, struct kernel_siginfo *info, struct task_struct *task, int group, int
 * result) */
/* the killers' path, called only for a SIGTERM or SIGKILL: the every-signal path stays small */
static __noinline int btf_killer(void *ctx, int sig, struct kernel_siginfo *info,
				 struct task_struct *task)
{
	int code;

	if (!sender_is_killer())
		return 0;
	/* as the tracepoint's TP_STORE_SIGINFO: SEND_SIG_NOINFO (0), SEND_SIG_PRIV (1) */
	if ((unsigned long)info == 0)
		code = SI_USER;
	else if ((unsigned long)info == 1)
		code = SI_KERNEL;
	else
		code = BPF_CORE_READ(info, si_code);
	if (from_user(code))
		killer_report(ctx, WP_TP_BTF, sig, code, task, 0, NULL);
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(btf_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task)
{
	/* (a typed argument: read directly, cheaper than a probe read, on every signal) */
	if (sig == SIGKILL && track_signals)
		note_sigkill(task->pid);
	if (track_killers && (sig == SIGKILL || sig == SIGTERM))
		btf_killer(ctx, sig, info, task);
	return 0;
}

/* A watched victim's thread exits: when it was the last (signal->live reached 0 in do_exit()
 * before this tracepoint), the victim died; a short record says so with its exit code. */
static __always_inline void watched_exit(void *ctx, unsigned int probe)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct task_struct *t;
	struct w_event *e;

	if (!bpf_map_lookup_elem(&watched, &tgid))
		return;
	t = (void *)bpf_get_current_task();
	if (BPF_CORE_READ(t, signal, live.counter) != 0)
		return;
	bpf_map_delete_elem(&watched, &tgid);
	e = new_event(W_UDEATH, probe);
	if (!e)
		return;
	e->victim_pid = tgid;
	e->victim_tgid = tgid;
	e->exit_code = BPF_CORE_READ(t, exit_code);
	send(ctx, e);
}

SEC("tracepoint/sched/sched_process_exit")
int tp_sched_process_exit(void *ctx)
{
	watched_exit(ctx, WP_TRACEPOINT);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(btf_sched_process_exit)
{
	watched_exit(ctx, WP_TP_BTF);
	return 0;
}
