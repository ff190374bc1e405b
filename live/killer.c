// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * killer.c: a userspace memory killer's signal, as a live backend's probe reported it (the
 * victim's facts, the sender as the trigger), into a kill event with the killer named: its
 * pid, executable, cgroup and unit from /proc while it lives; held (live/ukill.c) until the
 * victim's death or a deadline.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "context.h"
#include "klog.h"
#include "live.h"
#include "log.h"
#include "names.h"
#include "ukill.h"
#include "util.h"

static void emit(void *ctx, struct oomtrace_event *ev)
{
	oomtrace_live_deliver(ctx, ev);
}

/* Its command line: /proc/PID/cmdline is readable by all (exe is not, to a tracer without
 * capabilities, when the killer runs as root). */
static void cmdline_of(struct oomtrace_killer *k)
{
	char path[64];
	ssize_t n, i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)k->pid);
	f = fopen(path, "re");
	if (!f)
		return;
	n = (ssize_t)fread(k->cmdline, 1, sizeof(k->cmdline) - 1, f);
	fclose(f);
	while (n > 0 && k->cmdline[n - 1] == '\0')
		n--;
	if (n <= 0)
		return;
	for (i = 0; i < n; i++)
		if (k->cmdline[i] == '\0')
			k->cmdline[i] = ' ';
	k->cmdline[n] = '\0';
	k->known |= OOMTRACE_KL_CMDLINE;
}

#define KILLER_SEEN_NS 1000000000ull
#define KILLER_IDENT (OOMTRACE_KL_EXE | OOMTRACE_KL_CMDLINE | OOMTRACE_KL_CGROUP | OOMTRACE_KL_UNIT)

/*
 * The same killer as the last one named, within a second (a killer signals many victims at
 * once: systemd-oomd a whole cgroup): its identity again, without reading /proc again.
 */
static bool killer_again(struct oomtrace_live *lv, struct oomtrace_killer *k, uint64_t ts_ns)
{
	const struct oomtrace_killer *s = &lv->killer_seen;

	if (!lv->killer_seen_ns || s->pid != k->pid || strcmp(s->name, k->name) != 0 ||
	    ts_ns < lv->killer_seen_ns || ts_ns - lv->killer_seen_ns > KILLER_SEEN_NS)
		return false;
	memcpy(k->exe, s->exe, sizeof(k->exe));
	memcpy(k->cmdline, s->cmdline, sizeof(k->cmdline));
	memcpy(k->cgroup, s->cgroup, sizeof(k->cgroup));
	memcpy(k->unit, s->unit, sizeof(k->unit));
	k->known |= s->known & KILLER_IDENT;
	return true;
}

/* The sender (the probe's trigger) becomes the killer: who it is, while it still runs. */
static void killer_of(struct oomtrace_live *lv, struct oomtrace_event *ev)
{
	struct oomtrace_killer *k = &ev->killer;
	struct oomtrace_names n;
	char path[64];
	ssize_t r;

	oomtrace_strlcpy_n(k->name, sizeof(k->name), ev->trigger.comm, strlen(ev->trigger.comm));
	k->pid = ev->trigger.tgid;
	k->known |= OOMTRACE_KL_PID;
	if (killer_again(lv, k, ev->uptime_ns)) {
		memset(&ev->trigger, 0, sizeof(ev->trigger));
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)k->pid);
	r = readlink(path, k->exe, sizeof(k->exe) - 1);
	if (r > 0) {
		k->exe[r] = '\0';
		k->known |= OOMTRACE_KL_EXE;
	}
	cmdline_of(k);
	/* the cgroup systemd placed it in: v1's name=systemd hierarchy, else the unified one */
	if (!oomtrace_proc_cgroup(k->pid, "name=systemd", k->cgroup, sizeof(k->cgroup)) &&
	    (ev->trigger.known & OOMTRACE_T_CGROUP))
		/* where it is gone already: the memory cgroup the probe read */
		oomtrace_strlcpy_n(k->cgroup, sizeof(k->cgroup), ev->trigger.cgroup,
				   strlen(ev->trigger.cgroup));
	if (k->cgroup[0]) {
		k->known |= OOMTRACE_KL_CGROUP;
		memset(&n, 0, sizeof(n));
		if (oomtrace_names_from_cgroup(k->cgroup, &n) && n.unit[0]) {
			oomtrace_strlcpy_n(k->unit, sizeof(k->unit), n.unit, strlen(n.unit));
			k->known |= OOMTRACE_KL_UNIT;
		}
	}
	lv->killer_seen = *k;
	lv->killer_seen_ns = ev->uptime_ns;
	memset(&ev->trigger, 0, sizeof(ev->trigger));
}

/* A "Key:   N kB" line of /proc/PID/status. */
static bool status_kb(const char *line, const char *key, uint64_t *v)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) != 0)
		return false;
	*v = strtoull(line + n, NULL, 10);
	return true;
}

/* "NSpid:\t4242\t7": its pid in each namespace, the host's first, its own last. */
static void ns_pid(const char *s, struct oomtrace_task *v)
{
	unsigned int level = 0;
	long last = 0;
	char *end;

	for (;;) {
		long x = strtol(s, &end, 10);

		if (end == s)
			break;
		last = x;
		level++;
		s = end;
	}
	if (level >= 1 && last > 0) {
		v->ns_pid = (int32_t)last;
		v->ns_level = level - 1;
		v->known |= OOMTRACE_T_NS_PID;
	}
}

/*
 * A probe that could not read the victim's task (the classic tracepoint gives its pid only):
 * what /proc still shows of it. A SIGKILLed task may be gone already; then the pid is all.
 */
static void victim_from_proc(struct oomtrace_task *v)
{
	uint64_t vm = 0, anon = 0, file = 0, shmem = 0, x;
	unsigned int seen = 0;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)v->pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "Name:\t", 6) == 0) {
			oomtrace_strlcpy_n(v->comm, sizeof(v->comm), line + 6, strlen(line + 6));
			v->known |= OOMTRACE_T_COMM;
		} else if (sscanf(line, "Tgid: %d", &v->tgid) == 1) {
			v->known |= OOMTRACE_T_TGID;
		} else if (sscanf(line, "Uid: %u", &v->uid) == 1) {
			v->known |= OOMTRACE_T_UID;
		} else if (strncmp(line, "NSpid:", 6) == 0) {
			ns_pid(line + 6, v);
		} else if (status_kb(line, "VmSize:", &vm) || status_kb(line, "RssAnon:", &anon) ||
			   status_kb(line, "RssFile:", &file) ||
			   status_kb(line, "RssShmem:", &shmem)) {
			seen++;
		} else if (status_kb(line, "VmSwap:", &x)) {
			v->swap_kb = x;
			v->known |= OOMTRACE_T_SWAP;
		} else if (status_kb(line, "VmPTE:", &x)) {
			v->pgtables_kb = x;
			v->known |= OOMTRACE_T_PGTABLES;
		}
	}
	fclose(f);
	if (seen == 4)
		oomtrace_task_set_memory(v, vm, anon, file, shmem);
}

void oomtrace_live_ukill(struct oomtrace_live *lv, struct oomtrace_event *ev, int sig, int code)
{
	int32_t tgid;

	if (!lv->ukills) {
		lv->ukills = malloc(sizeof(*lv->ukills));
		if (!lv->ukills) {
			oomtrace_warn("out of memory: a kill by %s is reported without its death",
				      ev->trigger.comm);
			killer_of(lv, ev);
			oomtrace_live_deliver(lv, ev);
			return;
		}
		oomtrace_ukill_init(lv->ukills);
	}
	oomtrace_debug("%s (%d) sent signal %d (si_code %d) to %d", ev->trigger.comm,
		       (int)ev->trigger.tgid, sig, code, (int)ev->victim.pid);
	/* the key the kernel side watches it by: its tgid, or (the classic tracepoint) the pid */
	tgid = (ev->victim.known & OOMTRACE_T_TGID) ? ev->victim.tgid : ev->victim.pid;
	if (oomtrace_ukill_holds(lv->ukills, tgid)) {
		/* a later signal to a victim held: it only updates that kill */
		oomtrace_ukill_signal(lv->ukills, ev, tgid, sig, ev->uptime_ns, emit, lv);
		return;
	}
	oomtrace_live_cgroups(ev);
	killer_of(lv, ev);
	/* whether its own log line will be joined */
	ev->killer.log = !oomtrace_klog_knows(ev->killer.name) ? OOMTRACE_KLOG_NONE
			 : lv->klog			       ? OOMTRACE_KLOG_MISSING
							       : OOMTRACE_KLOG_UNREAD;
	ev->killer.known |= OOMTRACE_KL_LOG;
	if (!(ev->victim.known & OOMTRACE_T_TGID)) {
		victim_from_proc(&ev->victim);
		oomtrace_event_derive_role(ev);
	}
	ev->outcome = OOMTRACE_OUTCOME_KILLED;
	oomtrace_context_snapshot(ev, "", lv->context_mask);
	oomtrace_ukill_signal(lv->ukills, ev, tgid, sig, ev->uptime_ns, emit, lv);
}

void oomtrace_live_udeath(struct oomtrace_live *lv, int32_t tgid, uint64_t ts_ns,
			  uint32_t exit_code)
{
	if (lv->ukills)
		oomtrace_ukill_death(lv->ukills, tgid, ts_ns, exit_code, emit, lv);
}

static uint64_t now_ns(void)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now))
		return 0;
	return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

void oomtrace_live_killers_open(struct oomtrace_live *lv, const char *const *killers)
{
	char why[200];

	for (; killers && *killers; killers++)
		if (oomtrace_klog_knows(*killers))
			break;
	if (!killers || !*killers || lv->klog)
		return;
	lv->klog = oomtrace_klog_open(why, sizeof(why));
	lv->klog_unread = !lv->klog;
	if (!lv->klog)
		oomtrace_warn("userspace killers' own log lines will not be joined to their kills "
			      "(killer.log \"unread\"): %s",
			      why);
}

bool oomtrace_live_ukill_held(const struct oomtrace_live *lv)
{
	return lv->ukills && lv->ukills->n;
}

/* A kill as its killer's log line tells it: for the kill held for it. */
static void logged(void *ctx, struct oomtrace_event *ev)
{
	struct oomtrace_live *lv = ctx;

	oomtrace_debug("%s's log: a kill of %d (%s)", ev->killer.name, (int)ev->victim.pid,
		       ev->victim.cgroup);
	if (lv->ukills)
		oomtrace_ukill_log(lv->ukills, ev, now_ns(), emit, lv);
}

void oomtrace_live_ukill_tick(struct oomtrace_live *lv)
{
	uint64_t now;

	if (lv->klog)
		oomtrace_klog_read(lv->klog, logged, lv);
	if (!lv->ukills || !lv->ukills->n || !(now = now_ns()))
		return;
	oomtrace_ukill_expire(lv->ukills, now, emit, lv);
}

void oomtrace_live_ukill_end(struct oomtrace_live *lv, bool deliver)
{
	if (deliver && lv->klog)
		oomtrace_klog_read(lv->klog, logged, lv); /* the last lines, for what is held */
	if (!deliver) {
		oomtrace_klog_close(lv->klog);
		lv->klog = NULL;
	}
	if (!lv->ukills)
		return;
	if (deliver)
		oomtrace_ukill_flush(lv->ukills, emit, lv);
	else
		oomtrace_ukill_flush(lv->ukills, NULL, NULL);
	free(lv->ukills);
	lv->ukills = NULL;
}
