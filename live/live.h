/* SPDX-License-Identifier: GPL-2.0-or-later */
/* live.h: what every live backend shares: permissions, tracefs, timestamps, invocations, reaper
 * matching. */
#ifndef OOMTRACE_LIVE_H
#define OOMTRACE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "event.h"

#define OOMTRACE_LIVE_RECENT 256

struct oomtrace_ksyms;
struct oomtrace_ukills;
struct oomtrace_klog;
struct oomtrace_memcgs;

struct oomtrace_live_kill {
	int32_t pid;
	uint64_t ts_ns;
	uint64_t invocation;
	char comm[OOMTRACE_COMM_MAX];
};

/* Per-run state of a live backend (kept in the backend's own state). */
struct oomtrace_live {
	unsigned int context_mask;
	enum oomtrace_source source;
	int64_t mono_to_real_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC at start */
	int32_t tz_off_s;
	char host[64];
	struct oomtrace_live_kill recent[OOMTRACE_LIVE_RECENT];
	unsigned int nrecent;
	uint64_t invocations;
	int32_t last_trigger;
	uint64_t last_ts, last_inv;
	uint64_t last_kernel_inv; /* the kernel-side id last_inv was given for (0: none) */
	/*
	 * Optional: merge the kernel's own report of the kill into an event
	 * (live/kjoin.c, through the replay parser; core knows nothing of log syntax), before the
	 * context snapshots.
	 */
	int (*join)(void *join_ctx, struct oomtrace_event *ev);
	void *join_ctx;
	/* /proc/kallsyms, opened while addresses are shown to us (oomtrace_live_ksyms_open) */
	struct oomtrace_ksyms *ksyms;
	bool ksyms_warned;
	bool ksyms_warm; /* the names of an OOM's path learned (oomtrace_ksyms_prewarm) */
	/* our own memory cgroup's usage and limit, kept open; -1 when unlimited or unknown */
	int usage_fd, limit_fd;
	/* kills by userspace killers held for their victims' deaths (live/killer.c); NULL: none
	 * yet */
	struct oomtrace_ukills *ukills;
	/* their own log lines, followed in the journal (live/klog.c); NULL: not followed */
	struct oomtrace_klog *klog;
	bool klog_unread; /* it could not be followed */
	/* the last killer named from /proc, and when: its next signals reuse it for a second */
	struct oomtrace_killer killer_seen;
	uint64_t killer_seen_ns;
	/* every limited memcg's last minute (live/history.c); NULL: not followed */
	struct oomtrace_memcgs *memcgs;
	/* --stacks all where the backend takes no user stack: why, in each kill (NULL: it takes
	 * them, or none was asked for) */
	const char *ustack_why;
	/* where the current poll delivers */
	oomtrace_event_fn fn;
	void *ctx;
	int delivered, cb_error;
};

void oomtrace_live_init(struct oomtrace_live *lv, enum oomtrace_source source,
			unsigned int context_mask);
/*
 * Attached: learn the names of an OOM's path from /proc/kallsyms now (a backend's start), before
 * the tracer says it is tracing, so that no record waits behind that pass once it has (a whole
 * kallsyms pass: ~100 ms on a host, seconds in an emulated guest, where a short-lived killer was
 * gone from /proc by the time its signal was read). Once; the first poll does it otherwise.
 */
void oomtrace_live_warm(struct oomtrace_live *lv);
/* A poll begins: events go to @fn(@ctx) until oomtrace_live_poll_end(). */
void oomtrace_live_poll_begin(struct oomtrace_live *lv, oomtrace_event_fn fn, void *ctx);
/* Hand @ev to the poll's receiver (after a receiver error, nothing more is handed over). */
void oomtrace_live_deliver(struct oomtrace_live *lv, struct oomtrace_event *ev);
/*
 * The poll's result from the transport's return @r (-errno or >= 0): the
 * receiver's error if any, 0 for an interrupted wait, else events delivered.
 */
int oomtrace_live_poll_end(struct oomtrace_live *lv, int r);

/* Start a new event for a record taken at @ts_ns (CLOCK_MONOTONIC, as bpf_ktime_get_ns). */
void oomtrace_live_stamp(struct oomtrace_live *lv, struct oomtrace_event *ev, uint64_t ts_ns,
			 enum oomtrace_probe probe);
/*
 * A kill is complete: give it an invocation (@kernel_inv from oom_control
 * when known; else one per trigger burst), fill missing cgroups from /proc,
 * take the context snapshots, remember it for the reaper.
 */
void oomtrace_live_finish_kill(struct oomtrace_live *lv, struct oomtrace_event *ev, uint64_t ts_ns,
			       uint64_t kernel_inv);
/*
 * The memory cgroups a probe gave as ids only (or beside paths that did not fit): their paths,
 * by a walk of the hierarchy, while they exist.
 */
void oomtrace_live_cgroups(struct oomtrace_event *ev);

/*
 * A userspace killer's SIGTERM/SIGKILL (@sig, si_code @code) as @ev (stamped; the victim's
 * facts, the sender as the trigger): the sender becomes ev->killer, and the kill is held until
 * the victim's death (oomtrace_live_udeath) or a deadline (oomtrace_live_ukill_tick), then
 * delivered (live/killer.c).
 */
void oomtrace_live_ukill(struct oomtrace_live *lv, struct oomtrace_event *ev, int sig, int code);
/* The last thread of a watched victim @tgid exited at @ts_ns with @exit_code (wait status). */
void oomtrace_live_udeath(struct oomtrace_live *lv, int32_t tgid, uint64_t ts_ns,
			  uint32_t exit_code);
/*
 * Userspace killers' kills will be reported (before the sandbox): follow the journal for the
 * own log lines of those in @killers whose words the replay reader knows.
 */
void oomtrace_live_killers_open(struct oomtrace_live *lv, const char *const *killers);
/* Kills held for their victims' deaths or their killers' lines: the poll should come back soon. */
bool oomtrace_live_ukill_held(const struct oomtrace_live *lv);
/* The killers' new log lines joined, then the kills whose victims did not die in time delivered
 * (each poll). */
void oomtrace_live_ukill_tick(struct oomtrace_live *lv);
/* The end: every kill still held delivered (@deliver) or dropped, the table freed. */
void oomtrace_live_ukill_end(struct oomtrace_live *lv, bool deliver);

/*
 * The memcgs' history (OOMTRACE_CTX_HISTORY): followed from the first poll, sampled at each poll's
 * end (a second apart), closed with the backend.
 */
void oomtrace_live_history_close(struct oomtrace_live *lv);

/* Open /proc/kallsyms for naming kernel stacks (before the sandbox); close it. */
void oomtrace_live_ksyms_open(struct oomtrace_live *lv);
void oomtrace_live_ksyms_close(struct oomtrace_live *lv);
/*
 * The trigger's kernel stack as the probe read it (@n addresses, innermost first), named into
 * @ev. Where they cannot be named, nothing: the kernel's report may still give it (the join).
 */
/* Room left in the tracer's own memory cgroup, kB; -1: no limit (or unknown). */
int64_t oomtrace_live_room_kb(const struct oomtrace_live *lv);

void oomtrace_live_kstack(struct oomtrace_live *lv, struct oomtrace_event *ev, const uint64_t *ips,
			  unsigned int n);
/* Turn a reaper finish/skip of @pid at @ts_ns into a REAP record (after _stamp). */
void oomtrace_live_reap(struct oomtrace_live *lv, struct oomtrace_event *ev, int32_t pid,
			uint64_t ts_ns, bool skipped);

/*
 * The kernel sends SIGKILL just before mark_victim: a victim marked with no
 * SIGKILL from this task right before was already exiting (no kill sent).
 * @seen: the last SIGKILL was tracked at all; @target/@sig_ts: its pid and time.
 */
void oomtrace_live_exiting(struct oomtrace_event *ev, unsigned int seen, int target,
			   uint64_t sig_ts, uint64_t ts);

/* Root, or CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN)? Else false with a reason. */
bool oomtrace_live_permitted(char *why, size_t whysz);
/* Whether capability @cap (CAP_SYS_ADMIN 21, CAP_PERFMON 38, CAP_BPF 39 ...) is effective. */
bool oomtrace_have_cap(int cap);
/* tracefs with events/oom, mounting it when @mount and we may; NULL with a reason. */
const char *oomtrace_tracefs_dir(bool mount, char *why, size_t whysz);
bool oomtrace_tracefs_has(const char *tfs, const char *event);
bool oomtrace_kprobes_available(void);
/* oom_score_adj -1000 for the tracer itself, unless @keep. */
void oomtrace_protect_self(bool keep);

#endif
