// SPDX-License-Identifier: GPL-2.0-or-later
/* kill.c: the kill record both live backends send, into the core event: one conversion for both. */
#include "config.h"

#include <string.h>

#include "kill.h"
#include "live.h"

enum oomtrace_probe oomtrace_kill_probe(const struct oomtrace_kill_wire *w)
{
	switch (w->probe) {
	case WP_FENTRY:
		return OOMTRACE_PROBE_FENTRY;
	case WP_KPROBE:
		return OOMTRACE_PROBE_KPROBE;
	case WP_TP_BTF:
		return OOMTRACE_PROBE_TP_BTF;
	default:
		return OOMTRACE_PROBE_TRACEPOINT;
	}
}

static void victim_of(const struct oomtrace_kill_wire *w, struct oomtrace_task *v)
{
	v->pid = w->victim_pid;
	v->known |= OOMTRACE_T_PID;
	if (w->victim_comm[0]) {
		oomtrace_strlcpy_n(v->comm, sizeof(v->comm), w->victim_comm,
				   strnlen(w->victim_comm, OOMTRACE_KILL_COMM));
		v->known |= OOMTRACE_T_COMM;
	}
	if (w->flags & WF_VICTIM_TASK) {
		v->tgid = w->victim_tgid;
		v->known |= OOMTRACE_T_TGID;
	}
	if (w->flags & WF_UID) {
		v->uid = w->victim_uid;
		v->known |= OOMTRACE_T_UID;
	}
	if (w->flags & WF_ADJ) {
		v->oom_score_adj = w->victim_adj;
		v->known |= OOMTRACE_T_OOM_SCORE_ADJ;
	}
	if (w->flags & WF_MM)
		oomtrace_task_set_memory(v, w->total_vm_kb, w->anon_kb, w->file_kb, w->shmem_kb);
	if (w->flags & WF_SWAP) {
		v->swap_kb = w->swap_kb;
		v->known |= OOMTRACE_T_SWAP;
	}
	if (w->flags & WF_PGTABLES) {
		v->pgtables_kb = w->pgtables_kb;
		v->known |= OOMTRACE_T_PGTABLES;
	}
	if (w->flags & WF_VICTIM_CGID) {
		v->cgroup_id = w->victim_cgid;
		v->known |= OOMTRACE_T_CGROUP_ID;
	}
	if ((w->flags & WF_NS) && w->victim_ns_pid > 0 && w->victim_ns_level <= 32) {
		v->ns_pid = w->victim_ns_pid;
		v->ns_level = w->victim_ns_level;
		v->known |= OOMTRACE_T_NS_PID;
	}
}

/* the trigger is the task the probe ran in: always known */
static void trigger_of(const struct oomtrace_kill_wire *w, struct oomtrace_task *t)
{
	t->pid = w->trigger_pid;
	t->tgid = w->trigger_tgid;
	oomtrace_strlcpy_n(t->comm, sizeof(t->comm), w->trigger_comm,
			   strnlen(w->trigger_comm, OOMTRACE_KILL_COMM));
	t->known |= OOMTRACE_T_PID | OOMTRACE_T_TGID | OOMTRACE_T_COMM;
	if (w->flags & WF_TRIGGER_ADJ) {
		t->oom_score_adj = w->trigger_adj;
		t->known |= OOMTRACE_T_OOM_SCORE_ADJ;
	}
	if (w->flags & WF_TRIGGER_CGID) {
		t->cgroup_id = w->trigger_cgid;
		t->known |= OOMTRACE_T_CGROUP_ID;
	}
}

void oomtrace_kill_to_event(const struct oomtrace_kill_wire *w, struct oomtrace_event *ev)
{
	victim_of(w, &ev->victim);
	trigger_of(w, &ev->trigger);
	if (w->flags & WF_OC) {
		ev->totalpages = w->totalpages;
		ev->gfp_mask = w->gfp_mask;
		ev->order = w->order;
		ev->known |= OOMTRACE_E_TOTALPAGES | OOMTRACE_E_GFP_MASK | OOMTRACE_E_ORDER;
	}
	if (w->flags & WF_POINTS) {
		ev->points = w->points;
		ev->known |= OOMTRACE_E_POINTS;
	}
	if ((w->flags & WF_CONSTRAINT) && w->constraint >= 0 && w->constraint <= 3) {
		ev->constraint = (enum oomtrace_constraint)w->constraint;
		ev->known |= OOMTRACE_E_CONSTRAINT;
	}
	if (w->flags & WF_OOM_MEMCG_CGID) {
		ev->oom_memcg_id = w->oom_memcg_cgid;
		ev->known |= OOMTRACE_E_OOM_MEMCG_ID;
	}
	if ((w->flags & WF_RECLAIM) && w->reclaim_first_ns <= w->ts_ns) {
		ev->ctx.reclaim.rounds = w->reclaim_rounds;
		ev->ctx.reclaim.stall_us = w->reclaim_stall_ns / 1000;
		ev->ctx.reclaim.reclaimed_pages = w->reclaim_pages;
		ev->ctx.reclaim.over_us = (w->ts_ns - w->reclaim_first_ns) / 1000;
		ev->ctx.known |= OOMTRACE_C_RECLAIM;
	}
	oomtrace_live_exiting(ev, w->sig_seen, w->sig_target, w->sig_ts_ns, w->ts_ns);
	oomtrace_event_derive_role(ev);
}
