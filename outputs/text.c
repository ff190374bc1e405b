// SPDX-License-Identifier: GPL-2.0-or-later
/* text.c: the text renderer (the classic oomkill line, -v details) and the bcc renderer (the line
 * alone). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "text_stacks.h"

/* ---- the classic line ---------------------------------------------------- */

/* comm for display: repaired UTF-8, "unknown" when not known */
static const char *comm_of(const struct oomtrace_task *t, char *tmp, size_t tmpsz)
{
	if (!(t->known & OOMTRACE_T_COMM))
		return "unknown";
	oomtrace_utf8_repair(tmp, tmpsz, t->comm, strlen(t->comm));
	return tmp;
}

static void fmt_i32(char *dst, size_t n, bool known, int32_t v)
{
	if (known)
		snprintf(dst, n, "%" PRId32, v);
	else
		snprintf(dst, n, "?");
}

static int classic_line(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	char hms[16] = "?", tpid[16], vpid[16], pages[24] = "?";
	char tc[OOMTRACE_COMM_MAX * 3], vc[OOMTRACE_COMM_MAX * 3];
	char load[sizeof(ev->ctx.loadavg) * 3];

	if (ev->known & OOMTRACE_E_TIME)
		oomtrace_format_hms(hms, sizeof(hms), ev->time_us, ev->tz_off_s);
	fmt_i32(tpid, sizeof(tpid), ev->trigger.known & OOMTRACE_T_PID, ev->trigger.pid);
	fmt_i32(vpid, sizeof(vpid), ev->victim.known & OOMTRACE_T_PID, ev->victim.pid);
	if (ev->known & OOMTRACE_E_TOTALPAGES)
		snprintf(pages, sizeof(pages), "%" PRIu64, ev->totalpages);
	if (ev->ctx.known & OOMTRACE_C_LOADAVG)
		oomtrace_utf8_repair(load, sizeof(load), ev->ctx.loadavg, strlen(ev->ctx.loadavg));
	else
		strcpy(load, "?");
	switch (ev->outcome) {
	case OOMTRACE_OUTCOME_PANIC:
		/* each outcome its own line: there is no victim to name */
		return oomtrace_buf_printf(
		    b,
		    "%s Triggered by PID %s (\"%s\"), Kernel panic on OOM (nothing killed), "
		    "%s pages, loadavg: %s\n",
		    hms, tpid, comm_of(&ev->trigger, tc, sizeof(tc)), pages, load);
	case OOMTRACE_OUTCOME_NO_KILLABLE:
		return oomtrace_buf_printf(b,
					   "%s Triggered by PID %s (\"%s\"), OOM with no killable "
					   "process (nothing killed), "
					   "%s pages, loadavg: %s\n",
					   hms, tpid, comm_of(&ev->trigger, tc, sizeof(tc)), pages,
					   load);
	case OOMTRACE_OUTCOME_UNKNOWN:
		if (ev->victim.known & OOMTRACE_T_PID)
			break; /* a victim is named: the kill line */
		return oomtrace_buf_printf(
		    b,
		    "%s Triggered by PID %s (\"%s\"), OOM report cut off before its kill, "
		    "%s pages, loadavg: %s\n",
		    hms, tpid, comm_of(&ev->trigger, tc, sizeof(tc)), pages, load);
	default:
		break;
	}
	return oomtrace_buf_printf(b,
				   "%s Triggered by PID %s (\"%s\"), OOM kill of PID %s (\"%s\"), "
				   "%s pages, loadavg: %s\n",
				   hms, tpid, comm_of(&ev->trigger, tc, sizeof(tc)), vpid,
				   comm_of(&ev->victim, vc, sizeof(vc)), pages, load);
}

/* ---- text details ------------------------------------------------------- */

static void kb(struct oomtrace_buf *b, const char *name, bool known, uint64_t v, bool last)
{
	if (known)
		oomtrace_buf_printf(b, "%s %" PRIu64 " kB%s", name, v, last ? "" : ", ");
	else
		oomtrace_buf_printf(b, "%s ?%s", name, last ? "" : ", ");
}

static void path_or_q(struct oomtrace_buf *b, const char *label, bool known, const char *p)
{
	char tmp[OOMTRACE_PATH_MAX * 3];

	if (known)
		oomtrace_utf8_repair(tmp, sizeof(tmp), p, strlen(p));
	oomtrace_buf_printf(b, "%s %s", label, known ? tmp : "?");
}

/* One line of counters; with @terse, zeros and v1's hierarchical "total_" copies are left to JSON.
 */
static void kvline(struct oomtrace_buf *b, const char *title, const struct oomtrace_kvset *set,
		   bool terse)
{
	unsigned int i;

	if (!set->n)
		return;
	oomtrace_buf_printf(b, "    %s:", title);
	for (i = 0; i < set->n; i++) {
		if (terse && (!set->kv[i].val || strncmp(set->kv[i].key, "total_", 6) == 0))
			continue;
		oomtrace_buf_printf(b, " %s %" PRId64, set->kv[i].key, set->kv[i].val);
	}
	oomtrace_buf_append(b, "\n", 1);
}

/* "victim: pid N ("comm") uid U oom_score_adj A, cgroup /x" and its memory */
/* "    meant: the init (pid 1) of its pid namespace died: its container ended" */
static void role_line(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	const struct oomtrace_task *v = &ev->victim;

	if (!(ev->known & OOMTRACE_E_ROLE))
		return;
	oomtrace_buf_printf(b, "\n    meant: ");
	switch (ev->victim_role) {
	case OOMTRACE_ROLE_OOM_GROUP:
		oomtrace_buf_printf(b, "killed with all of its memory.oom.group cgroup");
		break;
	case OOMTRACE_ROLE_PID_NS_INIT:
		oomtrace_buf_printf(
		    b, "the init (pid 1) of its pid namespace died: its container ended");
		break;
	case OOMTRACE_ROLE_PID_NS_CHILD:
		oomtrace_buf_printf(b,
				    "a child (pid %" PRId32 ") in its pid namespace: the container "
				    "lives on without it",
				    v->ns_pid);
		break;
	case OOMTRACE_ROLE_HOST_PID_NS:
		oomtrace_buf_printf(b, "a task of the host's pid namespace");
		break;
	}
	if ((v->known & OOMTRACE_T_NS_PID) && ev->victim_role != OOMTRACE_ROLE_PID_NS_CHILD)
		oomtrace_buf_printf(b, " (pid %" PRId32 " at pid namespace level %" PRIu32 ")",
				    v->ns_pid, v->ns_level);
}

static void victim_lines(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	const struct oomtrace_task *v = &ev->victim;
	char tmp[OOMTRACE_COMM_MAX * 3];

	oomtrace_buf_printf(b, "    victim: pid %s", v->known & OOMTRACE_T_PID ? "" : "?");
	if (v->known & OOMTRACE_T_PID)
		oomtrace_buf_printf(b, "%" PRId32, v->pid);
	oomtrace_buf_printf(b, " (\"%s\")", comm_of(v, tmp, sizeof(tmp)));
	if (v->known & OOMTRACE_T_UID)
		oomtrace_buf_printf(b, " uid %" PRIu32, v->uid);
	if (v->known & OOMTRACE_T_OOM_SCORE_ADJ)
		oomtrace_buf_printf(b, " oom_score_adj %" PRId32, v->oom_score_adj);
	oomtrace_buf_append(b, ", ", 2);
	path_or_q(b, "cgroup", v->known & OOMTRACE_T_CGROUP, v->cgroup);
	if (ev->known & OOMTRACE_E_EXITING)
		oomtrace_buf_printf(b, " (already exiting: no SIGKILL sent)");
	role_line(b, ev);
	oomtrace_buf_printf(b, "\n    victim memory: ");
	kb(b, "total-vm", v->known & OOMTRACE_T_TOTAL_VM, v->total_vm_kb, false);
	kb(b, "anon-rss", v->known & OOMTRACE_T_ANON_RSS, v->anon_rss_kb, false);
	kb(b, "file-rss", v->known & OOMTRACE_T_FILE_RSS, v->file_rss_kb, false);
	kb(b, "shmem-rss", v->known & OOMTRACE_T_SHMEM_RSS, v->shmem_rss_kb, false);
	kb(b, "swap", v->known & OOMTRACE_T_SWAP, v->swap_kb, false);
	kb(b, "pgtables", v->known & OOMTRACE_T_PGTABLES, v->pgtables_kb, true);
}

/* who the victim's cgroup belongs to: only lines with something to say */
static void names_lines(struct oomtrace_buf *b, const struct oomtrace_names *n)
{
	char na[300], nc[300];

	if (n->pod_uid[0] || n->pod[0]) {
		oomtrace_utf8_repair(na, sizeof(na), n->pod, strlen(n->pod));
		oomtrace_utf8_repair(nc, sizeof(nc), n->container, strlen(n->container));
		oomtrace_buf_printf(
		    b, "\n    kubernetes: namespace %s, pod %s (uid %s, qos %s), container %s",
		    n->k8s_namespace[0] ? n->k8s_namespace : "?", na[0] ? na : "?",
		    n->pod_uid[0] ? n->pod_uid : "?", n->qos[0] ? n->qos : "?", nc[0] ? nc : "?");
	}
	if (n->container_id[0])
		oomtrace_buf_printf(b, "%s container id %s (%s)", n->pod_uid[0] ? "," : "\n   ",
				    n->container_id, n->runtime[0] ? n->runtime : "runtime ?");
	if (n->unit[0]) {
		oomtrace_utf8_repair(na, sizeof(na), n->unit, strlen(n->unit));
		oomtrace_buf_printf(b, "\n    systemd unit: %s", na);
	}
}

/* "trigger: pid N ("comm") oom_score_adj A, cgroup /x" and the killer's choice (<= 5.0, kprobe) */
static void trigger_lines(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	const struct oomtrace_task *t = &ev->trigger;
	char tmp[OOMTRACE_COMM_MAX * 3];

	oomtrace_buf_printf(b, "\n    trigger: pid ");
	if (t->known & OOMTRACE_T_PID)
		oomtrace_buf_printf(b, "%" PRId32, t->pid);
	else
		oomtrace_buf_append(b, "?", 1);
	oomtrace_buf_printf(b, " (\"%s\")", comm_of(t, tmp, sizeof(tmp)));
	if (t->known & OOMTRACE_T_OOM_SCORE_ADJ)
		oomtrace_buf_printf(b, " oom_score_adj %" PRId32, t->oom_score_adj);
	oomtrace_buf_append(b, ", ", 2);
	path_or_q(b, "cgroup", t->known & OOMTRACE_T_CGROUP, t->cgroup);
	if (ev->known & (OOMTRACE_E_SELECTED | OOMTRACE_E_POINTS)) {
		oomtrace_buf_printf(b, "\n    selected:");
		if (ev->known & OOMTRACE_E_SELECTED)
			oomtrace_buf_printf(b, " pid %" PRId32 " (\"%s\")", ev->selected_pid,
					    ev->selected_comm);
		if (ev->known & OOMTRACE_E_POINTS)
			oomtrace_buf_printf(b, " score %" PRId64, ev->points);
	}
}

/* the domain that ran out, the allocation that found it so, and what the reaper freed */
static void request_lines(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	uint32_t k = ev->known;

	oomtrace_buf_printf(b, "\n    constraint %s, ",
			    k & OOMTRACE_E_CONSTRAINT ? oomtrace_constraint_name(ev->constraint)
						      : "?");
	path_or_q(b, "oom_memcg", k & OOMTRACE_E_OOM_MEMCG, ev->oom_memcg);
	oomtrace_buf_append(b, ", ", 2);
	path_or_q(b, "cpuset", k & OOMTRACE_E_CPUSET, ev->cpuset);
	oomtrace_buf_append(b, ", ", 2);
	path_or_q(b, "mems_allowed", k & OOMTRACE_E_MEMS_ALLOWED, ev->mems_allowed);
	oomtrace_buf_printf(b, "\n    request: gfp_mask ");
	if (k & OOMTRACE_E_GFP_MASK)
		oomtrace_buf_printf(b, "%#" PRIx64, ev->gfp_mask);
	else
		oomtrace_buf_append(b, "?", 1);
	if (k & OOMTRACE_E_GFP_FLAGS)
		oomtrace_buf_printf(b, " (%s)", ev->gfp_flags);
	if (k & OOMTRACE_E_ORDER)
		oomtrace_buf_printf(b, ", order %" PRId32, ev->order);
	else
		oomtrace_buf_printf(b, ", order ?");
	if (k & OOMTRACE_E_TOTALPAGES)
		oomtrace_buf_printf(
		    b, ", domain size %" PRIu64 " pages (memory that ran out, not the victim's)",
		    ev->totalpages);
	oomtrace_buf_append(b, "\n", 1);
	if (k & OOMTRACE_E_REAPED) {
		oomtrace_buf_printf(b, "    reaped: now ");
		kb(b, "anon-rss", true, ev->reaped_anon_rss_kb, false);
		kb(b, "file-rss", true, ev->reaped_file_rss_kb, false);
		kb(b, "shmem-rss", true, ev->reaped_shmem_rss_kb, true);
		if (k & OOMTRACE_E_REAP_LATENCY)
			oomtrace_buf_printf(b, " (%" PRIu64 ".%03" PRIu64 " ms after the kill)",
					    ev->reap_latency_us / 1000, ev->reap_latency_us % 1000);
		oomtrace_buf_append(b, "\n", 1);
	}
}

static void psi_line(struct oomtrace_buf *b, const char *which, const struct oomtrace_psi *p)
{
	oomtrace_buf_printf(
	    b, "    psi memory: %s avg10=%.2f avg60=%.2f avg300=%.2f total=%" PRIu64 "\n", which,
	    p->avg10, p->avg60, p->avg300, p->total_us);
}

/* a global report's evidence: zones against their min watermark, huge pages, swap, slab */
static void evidence_lines(struct oomtrace_buf *b, const struct oomtrace_context *c)
{
	char tmp[sizeof(c->slab[0].name) * 3];
	unsigned int i;

	for (i = 0; i < c->nzones; i++) {
		const struct oomtrace_zone *z = &c->zones[i];

		oomtrace_buf_printf(b, "%s", i ? "," : "    zones (kB):");
		if (z->known & OOMTRACE_Z_NODE)
			oomtrace_buf_printf(b, " node %" PRId32, z->node);
		oomtrace_buf_printf(
		    b, " %s free %" PRIu64 " min %" PRIu64 " low %" PRIu64 " high %" PRIu64 "%s",
		    z->zone, z->free_kb, z->min_kb, z->low_kb, z->high_kb,
		    z->free_kb < z->min_kb ? " (below min)" : "");
		if (i + 1 == c->nzones)
			oomtrace_buf_append(b, "\n", 1);
	}
	for (i = 0; i < c->nhuge; i++)
		oomtrace_buf_printf(b,
				    "%s node %" PRId32 " %" PRIu64 " x %" PRIu64
				    " kB (free %" PRIu64 ", surplus %" PRIu64 ")%s",
				    i ? "," : "    hugepages:", c->huge[i].node, c->huge[i].total,
				    c->huge[i].size_kb, c->huge[i].free, c->huge[i].surplus,
				    i + 1 == c->nhuge ? "\n" : "");
	if (c->known & (OOMTRACE_C_SWAP_FREE | OOMTRACE_C_SWAP_TOTAL)) {
		oomtrace_buf_printf(b, "    swap (kB):");
		if (c->known & OOMTRACE_C_SWAP_FREE)
			oomtrace_buf_printf(b, " free %" PRIu64, c->swap_free_kb);
		if (c->known & OOMTRACE_C_SWAP_TOTAL)
			oomtrace_buf_printf(b, " total %" PRIu64, c->swap_total_kb);
		oomtrace_buf_append(b, "\n", 1);
	}
	if (!(c->known & OOMTRACE_C_SLAB))
		return;
	oomtrace_buf_printf(b,
			    "    unreclaimable slab: %" PRIu64 " kB used (%" PRIu64
			    " kB total) in %" PRIu32 " caches",
			    c->slab_used_kb, c->slab_total_kb, c->slab_caches);
	for (i = 0; i < c->nslab; i++) {
		oomtrace_utf8_repair(tmp, sizeof(tmp), c->slab[i].name, strlen(c->slab[i].name));
		oomtrace_buf_printf(b, "%s %s %" PRIu64 " kB", i ? "," : "; largest:", tmp,
				    c->slab[i].used_kb);
	}
	oomtrace_buf_append(b, "\n", 1);
}

/* what the machine and the memcg looked like: counters, pressure, the largest tasks */
static void context_lines(struct oomtrace_buf *b, const struct oomtrace_context *c)
{
	char tmp[OOMTRACE_COMM_MAX * 3];
	unsigned int i;

	kvline(b, "memcg", &c->memcg, false);
	kvline(b, "memcg stat (non-zero)", &c->memcg_stat, true);
	kvline(b, "mem-info (pages)", &c->mem_info, false);
	kvline(b, "meminfo (kB)", &c->meminfo_kb, false);
	if (c->known & OOMTRACE_C_PSI_SOME)
		psi_line(b, "some", &c->psi_some);
	if (c->known & OOMTRACE_C_PSI_FULL)
		psi_line(b, "full", &c->psi_full);
	kvline(b, "trigger status", &c->trigger_status, false);
	evidence_lines(b, c);
	if (!c->ntop)
		return;
	oomtrace_buf_printf(b, "    largest tasks (rss pages):");
	for (i = 0; i < c->ntop; i++) {
		oomtrace_utf8_repair(tmp, sizeof(tmp), c->top[i].name, strlen(c->top[i].name));
		oomtrace_buf_printf(b, "%s %" PRId32 " \"%s\" %" PRIu64, i ? "," : "",
				    c->top[i].pid, tmp, c->top[i].rss_pages);
	}
	oomtrace_buf_append(b, "\n", 1);
}

/* "source replay/log, outcome killed, time ..., uptime ..., host ..., invocation N" */
static void source_line(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	uint32_t k = ev->known;
	char s[64];

	oomtrace_buf_printf(b, "    source %s/%s, outcome %s", oomtrace_source_name(ev->source),
			    oomtrace_probe_name(ev->probe), oomtrace_outcome_name(ev->outcome));
	if (k & OOMTRACE_E_TIME) {
		oomtrace_format_iso8601(s, sizeof(s), ev->time_us, ev->tz_off_s,
					!!(k & OOMTRACE_E_TIME_SUBSEC));
		oomtrace_buf_printf(b, ", time %s", s);
	}
	if (k & OOMTRACE_E_UPTIME)
		oomtrace_buf_printf(b, ", uptime %" PRIu64 ".%06" PRIu64 " s",
				    ev->uptime_ns / 1000000000, ev->uptime_ns % 1000000000 / 1000);
	if (k & OOMTRACE_E_HOST)
		oomtrace_buf_printf(b, ", host %s", ev->host);
	if (k & OOMTRACE_E_INVOCATION)
		oomtrace_buf_printf(b, ", invocation %" PRIu64, ev->invocation);
	if (ev->partial)
		oomtrace_buf_printf(b, ", partial record");
	oomtrace_buf_append(b, "\n", 1);
}

/* who grew: "tasks (kB at -58.2 s, -10.1 s, -0.4 s): 4242 "java" 10240 61440 122880, ..." */
static void history_tasks(struct oomtrace_buf *b, const struct oomtrace_history *h)
{
	char c[OOMTRACE_COMM_MAX * 3];
	unsigned int i;

	if (!(h->known & OOMTRACE_H_TASKS) || !h->ntasks)
		return;
	oomtrace_buf_printf(
	    b, "    tasks (kB at %.1f s, %.1f s, %.1f s):", h->tasks_oldest_ms / 1000.0,
	    h->tasks_10s_ms / 1000.0, h->tasks_newest_ms / 1000.0);
	for (i = 0; i < h->ntasks; i++) {
		const struct oomtrace_history_task *t = &h->tasks[i];

		oomtrace_utf8_repair(c, sizeof(c), t->comm, strlen(t->comm));
		oomtrace_buf_printf(b, "%s %" PRId32 " \"%s\"", i ? "," : "", t->pid, c);
		if (t->known & OOMTRACE_HT_OLDEST)
			oomtrace_buf_printf(b, " %" PRIu64, t->rss_kb_oldest);
		else
			oomtrace_buf_printf(b, " -");
		if (t->known & OOMTRACE_HT_10S)
			oomtrace_buf_printf(b, " %" PRIu64, t->rss_kb_10s);
		else
			oomtrace_buf_printf(b, " -");
		oomtrace_buf_printf(b, " %" PRIu64, t->rss_kb_newest);
	}
	oomtrace_buf_append(b, "\n", 1);
}

/*
 * The OOMing memcg's last minute: "history: 1024 -> 130048 kB of 131072 kB in 13.0 s (14
 * samples), growth 10112 kB/s, >= 90% for 1.2 s, 3 limit hits"
 */
static void history_line(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	const struct oomtrace_history *h = &ev->ctx.history;

	if (!(ev->ctx.known & OOMTRACE_C_HISTORY) || !h->n)
		return;
	oomtrace_buf_printf(b,
			    "    history: %" PRIu64 " -> %" PRIu64 " kB of %" PRIu64
			    " kB in %.1f s (%u samples)",
			    h->s[0].usage_kb, h->s[h->n - 1].usage_kb, h->limit_kb,
			    (h->s[h->n - 1].t_ms - h->s[0].t_ms) / 1000.0, h->n);
	if (ev->known & OOMTRACE_E_GROWTH)
		oomtrace_buf_printf(b, ", growth %" PRId64 " kB/s", ev->growth_kb_per_s);
	if (h->known & OOMTRACE_H_OVER_90)
		oomtrace_buf_printf(b, ", >= 90%% for %.1f s", h->over_90_ms / 1000.0);
	oomtrace_buf_printf(b, ", %" PRIu64 " limit hit%s\n", h->limit_hits,
			    h->limit_hits == 1 ? "" : "s");
	history_tasks(b, h);
}

/* "reclaim: 16 rounds in the 3.1 ms before the kill, 2.9 ms in them, 0 pages reclaimed" */
static void reclaim_line(struct oomtrace_buf *b, const struct oomtrace_context *c)
{
	const struct oomtrace_reclaim *r = &c->reclaim;

	if (c->known & OOMTRACE_C_RECLAIM)
		oomtrace_buf_printf(b,
				    "    reclaim: %" PRIu32
				    " round%s in the %.1f ms before the kill, "
				    "%.1f ms in them, %" PRIu64 " pages reclaimed\n",
				    r->rounds, r->rounds == 1 ? "" : "s", r->over_us / 1000.0,
				    r->stall_us / 1000.0, r->reclaimed_pages);
}

/*
 * "why: single_task: hog (pid 7) held 98% of ..." (core/why.c),
 * "allocation: anon_fault at do_anonymous_page (in read)" and the trigger's kernel stack from
 * the frame that asked outwards, reliable frames only: "kernel stack: do_anonymous_page <
 * __handle_mm_fault < ..." (all of it, and every frame's offset, in --format json).
 */
static void why_lines(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	if (ev->known & OOMTRACE_E_WHY)
		oomtrace_buf_printf(b, "    why: %s: %s\n", oomtrace_cause_name(ev->cause),
				    ev->why);
	history_line(b, ev);
	reclaim_line(b, &ev->ctx);
	if (ev->known & OOMTRACE_E_ALLOCATION) {
		oomtrace_buf_printf(b, "    allocation: %s",
				    oomtrace_alloc_class_name(ev->alloc_class));
		if (ev->alloc_class == OOMTRACE_ALLOC_SYSCALL && ev->alloc_detail[0])
			oomtrace_buf_printf(b, " %s", ev->alloc_detail);
		if (ev->alloc_frame[0])
			oomtrace_buf_printf(b, " at %s", ev->alloc_frame);
		if (ev->alloc_class != OOMTRACE_ALLOC_SYSCALL && ev->alloc_detail[0])
			oomtrace_buf_printf(b, " (%s%s)",
					    ev->alloc_class == OOMTRACE_ALLOC_KERNEL ? "" : "in ",
					    ev->alloc_detail);
		oomtrace_buf_append(b, "\n", 1);
	}
	oomtrace_text_kstack(b, ev);
	oomtrace_text_ustack(b, "user stack", &ev->trigger.ustack);
	oomtrace_text_ustack(b, "victim's user stack", &ev->victim.ustack);
}

/* The detail lines of -v under the classic line. */
static void details(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	victim_lines(b, ev);
	names_lines(b, &ev->names);
	trigger_lines(b, ev);
	request_lines(b, ev);
	why_lines(b, ev);
	context_lines(b, &ev->ctx);
	source_line(b, ev);
}

/* "HH:MM:SS oom_reaper: PID N ("comm") reaped 12.345 ms after the kill" */
static int reap_line(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	char hms[16] = "?", vc[OOMTRACE_COMM_MAX * 3];

	if (ev->known & OOMTRACE_E_TIME)
		oomtrace_format_hms(hms, sizeof(hms), ev->time_us, ev->tz_off_s);
	oomtrace_buf_printf(b, "%s oom_reaper: PID %" PRId32 " (\"%s\") %s", hms, ev->victim.pid,
			    comm_of(&ev->victim, vc, sizeof(vc)),
			    ev->reap_skipped ? "skipped" : "reaped");
	if (ev->known & OOMTRACE_E_REAP_LATENCY)
		oomtrace_buf_printf(b, " %" PRIu64 ".%03" PRIu64 " ms after the kill",
				    ev->reap_latency_us / 1000, ev->reap_latency_us % 1000);
	return oomtrace_buf_append(b, "\n", 1);
}

/* "HH:MM:SS memcg /x (x.service) near OOM: /x grows 10.0 MiB/s: at ..., in 6.4 s" */
static int pressure_line(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	char hms[16] = "?", tmp[OOMTRACE_PATH_MAX * 3];

	if (ev->known & OOMTRACE_E_TIME)
		oomtrace_format_hms(hms, sizeof(hms), ev->time_us, ev->tz_off_s);
	oomtrace_utf8_repair(tmp, sizeof(tmp), ev->oom_memcg, strlen(ev->oom_memcg));
	oomtrace_buf_printf(b, "%s memcg %s", hms, tmp);
	if (ev->names.pod[0])
		oomtrace_buf_printf(b, " (pod %s/%s)", ev->names.k8s_namespace, ev->names.pod);
	else if (ev->names.unit[0])
		oomtrace_buf_printf(b, " (%s)", ev->names.unit);
	oomtrace_utf8_repair(tmp, sizeof(tmp), ev->why, strlen(ev->why));
	return oomtrace_buf_printf(b, " near OOM: %s\n", tmp);
}

/*
 * A userspace killer's kill or the kubelet's eviction: "HH:MM:SS earlyoom (PID 812) sent SIGKILL
 * to PID 4242 ("java") uid 1000, cgroup /x, died after 1.100 s: <reason>"
 */
static int killer_line(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	const struct oomtrace_killer *k = &ev->killer;
	char hms[16] = "?", tmp[sizeof(k->reason) * 3];

	if (ev->known & OOMTRACE_E_TIME)
		oomtrace_format_hms(hms, sizeof(hms), ev->time_us, ev->tz_off_s);
	oomtrace_buf_printf(b, "%s %s", hms, k->name);
	if (k->known & OOMTRACE_KL_PID)
		oomtrace_buf_printf(b, " (PID %" PRId32 ")", k->pid);
	if (ev->record == OOMTRACE_RECORD_EVICTION) {
		oomtrace_buf_printf(b, " evicted pod %s/%s",
				    ev->names.k8s_namespace[0] ? ev->names.k8s_namespace : "?",
				    ev->names.pod[0] ? ev->names.pod : "?");
	} else {
		oomtrace_buf_printf(b, " %s",
				    !(k->known & OOMTRACE_KL_SIGNAL) ? "killed"
				    : k->signal == 9		     ? "sent SIGKILL to"
				    : k->signal == 15		     ? "sent SIGTERM to"
								     : "signalled");
		if (ev->victim.known & OOMTRACE_T_PID)
			oomtrace_buf_printf(b, " PID %" PRId32 " (\"%s\")", ev->victim.pid,
					    comm_of(&ev->victim, tmp, sizeof(tmp)));
		if (ev->victim.known & OOMTRACE_T_UID)
			oomtrace_buf_printf(b, " uid %" PRIu32, ev->victim.uid);
		if (ev->victim.known & OOMTRACE_T_CGROUP) {
			oomtrace_utf8_repair(tmp, sizeof(tmp), ev->victim.cgroup,
					     strlen(ev->victim.cgroup));
			oomtrace_buf_printf(b, "%s cgroup %s",
					    ev->victim.known & OOMTRACE_T_PID ? "," : "", tmp);
		}
	}
	/* a live death is measured to the microsecond; a log's to the millisecond at best */
	if ((k->known & OOMTRACE_KL_DIED_AFTER) && k->died_after_us < 1000)
		oomtrace_buf_printf(b, ", died after %" PRIu64 " us", k->died_after_us);
	else if ((k->known & OOMTRACE_KL_DIED_AFTER) && k->died_after_us < 10000)
		oomtrace_buf_printf(b, ", died after %" PRIu64 ".%03" PRIu64 " ms",
				    k->died_after_us / 1000, k->died_after_us % 1000);
	else if (k->known & OOMTRACE_KL_DIED_AFTER)
		oomtrace_buf_printf(b, ", died after %" PRIu64 ".%03" PRIu64 " s",
				    k->died_after_us / 1000000, k->died_after_us / 1000 % 1000);
	if (k->reason[0]) {
		oomtrace_utf8_repair(tmp, sizeof(tmp), k->reason, strlen(k->reason));
		oomtrace_buf_printf(b, ": %s", tmp);
	}
	return oomtrace_buf_append(b, "\n", 1);
}

/* What the tracer saw of a killer (live): the process, the first signal, how the victim ended. */
static void killer_seen(struct oomtrace_buf *b, const struct oomtrace_killer *k)
{
	char tmp[sizeof(k->cmdline) * 3];

	if (k->known & OOMTRACE_KL_CMDLINE) {
		oomtrace_utf8_repair(tmp, sizeof(tmp), k->cmdline, strlen(k->cmdline));
		oomtrace_buf_printf(b, "\n    killer process: %s", tmp);
	} else if (k->known & (OOMTRACE_KL_EXE | OOMTRACE_KL_UNIT | OOMTRACE_KL_CGROUP)) {
		oomtrace_buf_printf(b, "\n    killer process: ?");
	}
	if (k->known & OOMTRACE_KL_EXE) {
		oomtrace_utf8_repair(tmp, sizeof(tmp), k->exe, strlen(k->exe));
		oomtrace_buf_printf(b, " (%s)", tmp);
	}
	if (k->known & OOMTRACE_KL_UNIT) {
		oomtrace_utf8_repair(tmp, sizeof(tmp), k->unit, strlen(k->unit));
		oomtrace_buf_printf(b, ", unit %s", tmp);
	} else if (k->known & OOMTRACE_KL_CGROUP) {
		oomtrace_utf8_repair(tmp, sizeof(tmp), k->cgroup, strlen(k->cgroup));
		oomtrace_buf_printf(b, ", cgroup %s", tmp);
	}
	if ((k->known & OOMTRACE_KL_FIRST_SIGNAL) && (k->known & OOMTRACE_KL_SIGNAL) &&
	    k->first_signal != k->signal)
		oomtrace_buf_printf(b, "\n    signals: %s first, then %s",
				    k->first_signal == 15 ? "SIGTERM" : "SIGKILL",
				    k->signal == 9 ? "SIGKILL" : "SIGTERM");
	if ((k->known & OOMTRACE_KL_EXIT_CODE) && (k->exit_code & 0x7f))
		oomtrace_buf_printf(b, "\n    victim ended: killed by signal %d",
				    k->exit_code & 0x7f);
	else if (k->known & OOMTRACE_KL_EXIT_CODE)
		oomtrace_buf_printf(b, "\n    victim ended: exited with status %d",
				    (k->exit_code >> 8) & 0xff);
	else if ((k->known & OOMTRACE_KL_FIRST_SIGNAL) && !k->died)
		oomtrace_buf_printf(b, "\n    victim ended: not seen to die (still alive when the "
				       "event was sent)");
}

/* -v under a killer's line: the numbers it stated, the names, the source */
static void killer_details(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	const struct oomtrace_facts *f = &ev->killer.facts;
	unsigned int i;

	oomtrace_buf_printf(b, "    killer: %s, stated:%s", ev->killer.name,
			    f->n ? "" : " nothing more");
	for (i = 0; i < f->n; i++)
		oomtrace_buf_printf(b, " %s=%" PRId64, f->kv[i].key, f->kv[i].val);
	killer_seen(b, &ev->killer);
	/* live: the victim as it was when the signal was sent */
	if (ev->victim.known & OOMTRACE_T_ANON_RSS) {
		oomtrace_buf_append(b, "\n", 1);
		victim_lines(b, ev);
	}
	names_lines(b, &ev->names);
	oomtrace_buf_append(b, "\n", 1);
	source_line(b, ev);
}

static int text_event(struct oomtrace_buf *b, struct oomtrace_out_event *oe, unsigned int flags)
{
	const struct oomtrace_event *ev = oe->ev;
	int r;

	if (ev->record == OOMTRACE_RECORD_REAP)
		return flags & OOMTRACE_FMT_VERBOSE ? reap_line(b, ev) : 0;
	if (ev->record == OOMTRACE_RECORD_PRESSURE) {
		r = pressure_line(b, ev);
		if (r == 0 && (flags & OOMTRACE_FMT_VERBOSE))
			history_line(b, ev);
		return r;
	}
	if (ev->killer.name[0]) {
		r = killer_line(b, ev);
		if (r == 0 && (flags & OOMTRACE_FMT_VERBOSE))
			killer_details(b, ev);
		return r;
	}
	r = classic_line(b, ev);

	if (r == 0 && (flags & OOMTRACE_FMT_VERBOSE))
		details(b, ev);
	return r;
}

static int text_lost(struct oomtrace_buf *b, uint64_t n)
{
	return oomtrace_buf_printf(b, "LOST %" PRIu64 " events\n", n);
}

static int bcc_event(struct oomtrace_buf *b, struct oomtrace_out_event *oe, unsigned int flags)
{
	const struct oomtrace_event *ev = oe->ev;

	(void)flags;
	if (ev->record == OOMTRACE_RECORD_REAP || ev->record == OOMTRACE_RECORD_PRESSURE ||
	    ev->killer.name[0])
		return 0; /* the classic tool has no such line */
	return classic_line(b, ev);
}

const struct oomtrace_format_ops oomtrace_format_text = {
    .name = "text", .event = text_event, .lost = text_lost};
const struct oomtrace_format_ops oomtrace_format_bcc = {
    .name = "bcc", .event = bcc_event, .lost = text_lost};
