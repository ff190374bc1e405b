// SPDX-License-Identifier: GPL-2.0-or-later
/* live.c: shared machinery of the live backends (libbpf, bcc). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "context.h"
#include "history.h"
#include "ksyms.h"
#include "live.h"
#include "log.h"
#include "stack.h"
#include "util.h"

#define GROUP_WINDOW_NS 1000000ULL /* kills by one trigger this close are one invocation */

/* A number at the start of what @fd reads from offset 0 ("max": -1). */
static int64_t read_num_fd(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -1;
	return (int64_t)strtoull(buf, NULL, 10);
}

/*
 * The tracer's own memory cgroup, when it has a limit: its usage and limit
 * files stay open (read once, so that a later read allocates nothing).
 */
static void headroom_open(struct oomtrace_live *lv)
{
	char root[256], line[1024], path[1400], *cg = NULL;
	bool v2;
	FILE *f;
	int64_t limit;

	lv->usage_fd = lv->limit_fd = -1;
	if (!oomtrace_memcg_root("", root, sizeof(root), &v2) ||
	    !(f = fopen("/proc/self/cgroup", "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		char *c1, *c2;

		line[strcspn(line, "\n")] = '\0';
		c1 = strchr(line, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		if (v2 ? (strcmp(line, "0") == 0 && c1[1] == '\0')
		       : (strstr(c1 + 1, "memory") != NULL)) {
			cg = c2 + 1;
			break;
		}
	}
	fclose(f);
	if (!cg || strcmp(cg, "/") == 0)
		return;
	snprintf(path, sizeof(path), "%s%s/%s", root, cg,
		 v2 ? "memory.max" : "memory.limit_in_bytes");
	lv->limit_fd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "%s%s/%s", root, cg,
		 v2 ? "memory.current" : "memory.usage_in_bytes");
	lv->usage_fd = open(path, O_RDONLY | O_CLOEXEC);
	limit = lv->limit_fd >= 0 ? read_num_fd(lv->limit_fd) : -1;
	if (lv->usage_fd < 0 || limit < 0 || limit >= (1LL << 60) ||
	    read_num_fd(lv->usage_fd) < 0) {
		if (lv->usage_fd >= 0)
			close(lv->usage_fd);
		if (lv->limit_fd >= 0)
			close(lv->limit_fd);
		lv->usage_fd = lv->limit_fd = -1;
		return;
	}
	oomtrace_info("own memory cgroup %s (limit %lld KiB): events wait for headroom there", cg,
		      (long long)(limit >> 10));
}

/*
 * Right after a kill in our own memory cgroup its usage is still at the
 * limit for a few milliseconds (the victim's memory is uncharged as it is
 * torn down): any allocation of ours then, even a kernel one for opening a
 * file, would make us the next victim. Wait (at most 100 ms) until there is
 * room again before handling the event.
 */
int64_t oomtrace_live_room_kb(const struct oomtrace_live *lv)
{
	int64_t usage, limit;

	if (lv->usage_fd < 0)
		return -1;
	usage = read_num_fd(lv->usage_fd);
	limit = read_num_fd(lv->limit_fd);
	if (usage < 0 || limit < 0)
		return -1;
	return limit > usage ? (limit - usage) >> 10 : 0;
}

static void headroom_wait(const struct oomtrace_live *lv)
{
	int i;

	if (lv->usage_fd < 0)
		return;
	for (i = 0; i < 50; i++) {
		int64_t usage = read_num_fd(lv->usage_fd), limit = read_num_fd(lv->limit_fd);
		struct timespec ts = {0, 2000000};

		if (usage < 0 || limit < 0 || usage + (512 << 10) <= limit)
			return;
		nanosleep(&ts, NULL);
	}
}

void oomtrace_live_init(struct oomtrace_live *lv, enum oomtrace_source source,
			unsigned int context_mask)
{
	struct timespec mono, real;
	struct tm tm;

	memset(lv, 0, sizeof(*lv));
	lv->source = source;
	lv->context_mask = context_mask;
	lv->last_trigger = -1;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	lv->mono_to_real_ns =
	    ((int64_t)real.tv_sec - mono.tv_sec) * 1000000000LL + (real.tv_nsec - mono.tv_nsec);
	localtime_r(&real.tv_sec, &tm);
	lv->tz_off_s = (int32_t)tm.tm_gmtoff;
	if (gethostname(lv->host, sizeof(lv->host) - 1))
		lv->host[0] = '\0';
	headroom_open(lv);
}

void oomtrace_live_warm(struct oomtrace_live *lv)
{
	if (lv->ksyms && !lv->ksyms_warm) {
		int n = oomtrace_ksyms_prewarm(lv->ksyms);

		lv->ksyms_warm = true;
		oomtrace_debug("kernel stacks: %d functions of an OOM's path named ahead", n);
	}
}

void oomtrace_live_poll_begin(struct oomtrace_live *lv, oomtrace_event_fn fn, void *ctx)
{
	oomtrace_live_warm(lv); /* where the backend's start did not */
	lv->fn = fn;
	lv->ctx = ctx;
	lv->delivered = 0;
	lv->cb_error = 0;
}

void oomtrace_live_deliver(struct oomtrace_live *lv, struct oomtrace_event *ev)
{
	lv->delivered++;
	if (!lv->cb_error)
		lv->cb_error = lv->fn(lv->ctx, ev);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* a memcg on course for its limit: a pressure record, with the history that shows it */
static void pressure(void *ctx, const char *path, const struct oomtrace_history *hi, int64_t ttl_ms,
		     double kb_per_s)
{
	struct oomtrace_live *lv = ctx;
	struct oomtrace_event *ev = malloc(sizeof(*ev));

	if (!ev)
		return;
	oomtrace_live_stamp(lv, ev, mono_ms() * 1000000, OOMTRACE_PROBE_UNKNOWN);
	ev->record = OOMTRACE_RECORD_PRESSURE;
	ev->outcome = OOMTRACE_OUTCOME_UNKNOWN;
	ev->constraint = OOMTRACE_CONSTRAINT_MEMCG;
	oomtrace_strlcpy_n(ev->oom_memcg, sizeof(ev->oom_memcg), path, strlen(path));
	ev->known |= OOMTRACE_E_CONSTRAINT | OOMTRACE_E_OOM_MEMCG;
	ev->ctx.history = *hi;
	ev->ctx.known |= OOMTRACE_C_HISTORY;
	ev->growth_kb_per_s = (int64_t)(kb_per_s + 0.5);
	ev->time_to_limit_ms = ttl_ms;
	ev->known |= OOMTRACE_E_GROWTH | OOMTRACE_E_TIME_TO_LIMIT;
	oomtrace_live_deliver(lv, ev);
	free(ev);
}

static void history_tick(struct oomtrace_live *lv)
{
	if (!(lv->context_mask & OOMTRACE_CTX_HISTORY))
		return;
	if (!lv->memcgs) {
		lv->memcgs = oomtrace_memcgs_open("");
		if (!lv->memcgs) {
			lv->context_mask &= ~(unsigned int)OOMTRACE_CTX_HISTORY;
			oomtrace_debug("memcg history: no memory cgroup hierarchy");
			return;
		}
	}
	oomtrace_memcgs_tick(lv->memcgs, mono_ms(), pressure, lv);
}

void oomtrace_live_history_close(struct oomtrace_live *lv)
{
	oomtrace_memcgs_close(lv->memcgs);
	lv->memcgs = NULL;
}

int oomtrace_live_poll_end(struct oomtrace_live *lv, int r)
{
	history_tick(lv);
	if (lv->cb_error)
		return lv->cb_error;
	if (r < 0)
		return r == -EINTR ? 0 : r;
	return lv->delivered;
}

void oomtrace_live_stamp(struct oomtrace_live *lv, struct oomtrace_event *ev, uint64_t ts_ns,
			 enum oomtrace_probe probe)
{
	oomtrace_event_init(ev);
	ev->source = lv->source;
	ev->probe = probe;
	ev->uptime_ns = ts_ns;
	ev->time_us = ((int64_t)ts_ns + lv->mono_to_real_ns) / 1000;
	ev->tz_off_s = lv->tz_off_s;
	ev->known |= OOMTRACE_E_UPTIME | OOMTRACE_E_TIME | OOMTRACE_E_TIME_SUBSEC;
	if (lv->host[0]) {
		memcpy(ev->host, lv->host, sizeof(ev->host));
		ev->known |= OOMTRACE_E_HOST;
	}
}

/*
 * Where the kernel side could not read the trigger's memory cgroup (the
 * BTF-less object, BCC), ask /proc while the trigger is alive. Never for the
 * victim: a dying task's /proc/PID/cgroup already reads "/" on some kernels,
 * and a wrong path is worse than none.
 */
static void cgroup_from_proc(struct oomtrace_task *t)
{
	if (!(t->known & OOMTRACE_T_CGROUP) && (t->known & OOMTRACE_T_PID) &&
	    oomtrace_proc_cgroup(t->pid, "memory", t->cgroup, sizeof(t->cgroup)))
		t->known |= OOMTRACE_T_CGROUP;
}

/*
 * Ids that a probe read in place of paths (BCC), or beside paths that did not
 * fit (libbpf): the memory cgroup with that id, by a walk of the hierarchy,
 * while it still exists. Never a cut path: unresolved stays null. The trigger's id
 * from bpf_get_current_cgroup_id() names a cgroup of the v2 hierarchy, so it
 * says nothing of the memory cgroup on a v1 host.
 */
void oomtrace_live_cgroups(struct oomtrace_event *ev)
{
	char dir[600];
	bool v2 = false;

	if ((ev->known & OOMTRACE_E_OOM_MEMCG_ID) && !(ev->known & OOMTRACE_E_OOM_MEMCG) &&
	    oomtrace_memcg_path_by_id("", ev->oom_memcg_id, ev->oom_memcg, sizeof(ev->oom_memcg)) ==
		0)
		ev->known |= OOMTRACE_E_OOM_MEMCG;
	if ((ev->victim.known & OOMTRACE_T_CGROUP_ID) && !(ev->victim.known & OOMTRACE_T_CGROUP) &&
	    oomtrace_memcg_path_by_id("", ev->victim.cgroup_id, ev->victim.cgroup,
				      sizeof(ev->victim.cgroup)) == 0)
		ev->victim.known |= OOMTRACE_T_CGROUP;
	/* libbpf reads the trigger's memory cgroup id; BCC's helper gives its v2 one */
	if ((ev->trigger.known & OOMTRACE_T_CGROUP_ID) &&
	    !(ev->trigger.known & OOMTRACE_T_CGROUP) &&
	    oomtrace_memcg_root("", dir, sizeof(dir), &v2) &&
	    (v2 || ev->source == OOMTRACE_SOURCE_LIBBPF) &&
	    oomtrace_memcg_path_by_id("", ev->trigger.cgroup_id, ev->trigger.cgroup,
				      sizeof(ev->trigger.cgroup)) == 0)
		ev->trigger.known |= OOMTRACE_T_CGROUP;
}

void oomtrace_live_finish_kill(struct oomtrace_live *lv, struct oomtrace_event *ev, uint64_t ts_ns,
			       uint64_t kernel_inv)
{
	struct oomtrace_live_kill *r;

	headroom_wait(lv);
	if (lv->ustack_why && !ev->trigger.ustack.n)
		snprintf(ev->trigger.ustack.missing, sizeof(ev->trigger.ustack.missing), "%s",
			 lv->ustack_why);
	/*
	 * One numbering for the run: the kernel-side counter (when the oom_control
	 * probe fired) only says which kills share an invocation; numbers are
	 * given here, so they never collide with the ones given without it.
	 */
	if (kernel_inv) {
		if (kernel_inv != lv->last_kernel_inv || !lv->last_inv)
			lv->last_inv = ++lv->invocations;
		lv->last_kernel_inv = kernel_inv;
		ev->invocation = lv->last_inv;
		lv->last_trigger = -2; /* a later kill without it starts its own invocation */
	} else {
		int32_t t = ev->trigger.known & OOMTRACE_T_PID ? ev->trigger.pid : -1;

		if (!(t == lv->last_trigger && ts_ns - lv->last_ts < GROUP_WINDOW_NS &&
		      lv->last_inv))
			lv->last_inv = ++lv->invocations;
		lv->last_kernel_inv = 0;
		ev->invocation = lv->last_inv;
		lv->last_trigger = t;
		lv->last_ts = ts_ns;
	}
	ev->known |= OOMTRACE_E_INVOCATION;
	ev->outcome = OOMTRACE_OUTCOME_KILLED;
	oomtrace_live_cgroups(ev);
	if (lv->join)
		lv->join(lv->join_ctx, ev);
	/* killed with its memory.oom.group (where the report did not say so already): that says
	 * more than its place in a pid namespace */
	if ((ev->victim.known & OOMTRACE_T_CGROUP) && !oomtrace_event_group_kill(ev) &&
	    oomtrace_memcg_oom_group("", ev->victim.cgroup,
				     (ev->known & OOMTRACE_E_OOM_MEMCG) ? ev->oom_memcg : "/") == 1)
		oomtrace_event_set_role(ev, OOMTRACE_ROLE_OOM_GROUP);
	/* what the trigger's stack proves, where the probe read it (the join gives the report's) */
	if (ev->trigger.kstack.n && !(ev->known & OOMTRACE_E_ALLOCATION))
		oomtrace_stack_classify(ev);
	oomtrace_derive_totalpages(ev, "", sysconf(_SC_PAGESIZE));
	if (!(ev->victim.known & OOMTRACE_T_PID) || ev->trigger.pid != ev->victim.pid)
		cgroup_from_proc(&ev->trigger);
	oomtrace_context_snapshot(ev, "", lv->context_mask);
	/* the OOMing memcg's last minute, up to the kill */
	if (lv->memcgs && (ev->known & OOMTRACE_E_OOM_MEMCG) &&
	    oomtrace_memcgs_history(lv->memcgs, ev->oom_memcg, ts_ns / 1000000, &ev->ctx.history))
		ev->ctx.known |= OOMTRACE_C_HISTORY;
	r = &lv->recent[lv->nrecent++ % OOMTRACE_LIVE_RECENT];
	r->pid = ev->victim.pid;
	r->ts_ns = ts_ns;
	r->invocation = ev->invocation;
	memcpy(r->comm, ev->victim.comm, sizeof(r->comm));
}

void oomtrace_live_ksyms_open(struct oomtrace_live *lv)
{
	if (!lv->ksyms && !(lv->ksyms = oomtrace_ksyms_open()))
		oomtrace_debug(
		    "/proc/kallsyms: %s: kernel stacks come from the kernel's report only",
		    strerror(errno));
}

void oomtrace_live_ksyms_close(struct oomtrace_live *lv)
{
	oomtrace_ksyms_close(lv->ksyms);
	lv->ksyms = NULL;
}

void oomtrace_live_kstack(struct oomtrace_live *lv, struct oomtrace_event *ev, const uint64_t *ips,
			  unsigned int n)
{
	int r;

	if (!n || !lv->ksyms)
		return;
	/* reading kallsyms allocates in the kernel, charged to our memcg: not at its limit */
	headroom_wait(lv);
	r = oomtrace_ksyms_stack(lv->ksyms, ips, n, &ev->trigger.kstack);
	if (r && !lv->ksyms_warned) {
		lv->ksyms_warned = true;
		oomtrace_info(
		    "kernel stacks cannot be named from /proc/kallsyms (%s): taken from the "
		    "kernel's report where it has one",
		    r == -EPERM ? "its addresses are hidden" : strerror(-r));
	}
}

void oomtrace_live_reap(struct oomtrace_live *lv, struct oomtrace_event *ev, int32_t pid,
			uint64_t ts_ns, bool skipped)
{
	unsigned int i, n = lv->nrecent < OOMTRACE_LIVE_RECENT ? lv->nrecent : OOMTRACE_LIVE_RECENT;

	ev->record = OOMTRACE_RECORD_REAP;
	ev->reap_skipped = skipped;
	ev->victim.pid = pid;
	ev->victim.known |= OOMTRACE_T_PID;
	for (i = 1; i <= n; i++) {
		const struct oomtrace_live_kill *r =
		    &lv->recent[(lv->nrecent - i) % OOMTRACE_LIVE_RECENT];

		if (r->pid != pid)
			continue;
		memcpy(ev->victim.comm, r->comm, sizeof(ev->victim.comm));
		if (r->comm[0])
			ev->victim.known |= OOMTRACE_T_COMM;
		ev->invocation = r->invocation;
		ev->known |= OOMTRACE_E_INVOCATION;
		if (ts_ns >= r->ts_ns) {
			ev->reap_latency_us = (ts_ns - r->ts_ns) / 1000;
			ev->known |= OOMTRACE_E_REAP_LATENCY;
		}
		break;
	}
}

/* The effective capability set (CapEff of /proc/self/status); 0 when unreadable. */
static unsigned long long cap_eff(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long long eff = 0;

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "CapEff: %llx", &eff) == 1)
				break;
		fclose(f);
	}
	return eff;
}

bool oomtrace_have_cap(int cap)
{
	return cap >= 0 && cap < 64 && (cap_eff() >> cap) & 1;
}

bool oomtrace_live_permitted(char *why, size_t whysz)
{
	unsigned long long eff;

	if (geteuid() == 0)
		return true;
	eff = cap_eff();
	/* CAP_SYS_ADMIN (21), or CAP_PERFMON (38) + CAP_BPF (39) */
	if ((eff & (1ULL << 21)) || ((eff & (1ULL << 38)) && (eff & (1ULL << 39))))
		return true;
	snprintf(why, whysz, "live tracing needs root, or CAP_BPF and CAP_PERFMON (try sudo)");
	return false;
}

const char *oomtrace_tracefs_dir(bool mount_if_needed, char *why, size_t whysz)
{
	static const char *const dirs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	size_t i;
	char p[128];

	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/events/oom", dirs[i]);
		if (access(p, F_OK) == 0)
			return dirs[i];
	}
	if (mount_if_needed && access("/sys/kernel/tracing", F_OK) == 0 &&
	    mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0) {
		oomtrace_info("mounted tracefs on /sys/kernel/tracing");
		if (access("/sys/kernel/tracing/events/oom", F_OK) == 0)
			return dirs[0];
	}
	if (why)
		snprintf(why, whysz,
			 "tracefs with events/oom not found (mount it: mount -t tracefs tracefs "
			 "/sys/kernel/tracing)");
	return NULL;
}

bool oomtrace_tracefs_has(const char *tfs, const char *event)
{
	char p[200];

	snprintf(p, sizeof(p), "%s/events/%s", tfs, event);
	return access(p, F_OK) == 0;
}

bool oomtrace_kprobes_available(void)
{
	const char *t = oomtrace_tracefs_dir(false, NULL, 0);
	char p[128];

	/* a symbol in kallsyms proves nothing: the kernel must have kprobes */
	if (access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0)
		return true;
	if (t) {
		snprintf(p, sizeof(p), "%s/kprobe_events", t);
		return access(p, F_OK) == 0;
	}
	return false;
}

void oomtrace_protect_self(bool keep)
{
	int fd;

	if (keep)
		return;
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "-1000", 5) != 5)
		oomtrace_warn(
		    "cannot set oom_score_adj -1000 for the tracer (%s): it may be OOM-killed "
		    "itself; "
		    "give it CAP_SYS_RESOURCE, or run it with OOMScoreAdjust=-1000 (systemd)",
		    strerror(errno));
	if (fd >= 0)
		close(fd);
}

void oomtrace_live_exiting(struct oomtrace_event *ev, unsigned int seen, int target,
			   uint64_t sig_ts, uint64_t ts)
{
	if (!seen || !(ev->victim.known & OOMTRACE_T_PID))
		return;
	if (!(target == ev->victim.pid && sig_ts && sig_ts <= ts && ts - sig_ts < 50000000ULL))
		ev->known |= OOMTRACE_E_EXITING;
}
