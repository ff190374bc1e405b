// SPDX-License-Identifier: GPL-2.0-or-later
/* convert.c: the libbpf backend's wire records to core events; pure, so it is unit-tested without a kernel. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "convert.h"
#include "live.h"

bool lb_cg_complete(const struct w_cgpath *p)
{
	unsigned int i;

	if (p->truncated || p->depth > W_CG_DEPTH)
		return false;
	for (i = 0; i < p->depth; i++)
		if (strnlen(p->name[i], W_CG_NAME) >= W_CG_NAME - 1)
			return false; /* filled to the brim: the name may go on */
	return true;
}

void lb_cg_path(const struct w_cgpath *p, char *dst, size_t dstsz)
{
	size_t o = 0;
	int i;

	dst[0] = '\0';
	if (p->truncated && o + 4 < dstsz)
		o += (size_t)snprintf(dst + o, dstsz - o, "/...");
	for (i = (int)p->depth - 1; i >= 0 && o < dstsz; i--)
		o += (size_t)snprintf(dst + o, dstsz - o, "/%.*s", W_CG_NAME, p->name[i]);
	if (!p->depth && !p->truncated)
		snprintf(dst, dstsz, "/");
}

void lb_wire_to_event(const struct w_event *w, struct oomtrace_event *ev)
{
	struct oomtrace_task *v = &ev->victim, *t = &ev->trigger;

	v->pid = w->victim_pid;
	v->known |= OOMTRACE_T_PID;
	if (w->victim_comm[0]) {
		oomtrace_strlcpy_n(v->comm, sizeof(v->comm), w->victim_comm, strnlen(w->victim_comm, W_COMM));
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
	/* a path that may be cut is left to live.c, which resolves the id to the full one */
	if ((w->flags & WF_VICTIM_CG) && lb_cg_complete(&w->victim_cg)) {
		lb_cg_path(&w->victim_cg, v->cgroup, sizeof(v->cgroup));
		v->known |= OOMTRACE_T_CGROUP;
	}
	if (w->flags & WF_VICTIM_CGID) {
		v->cgroup_id = w->victim_cgid;
		v->known |= OOMTRACE_T_CGROUP_ID;
	}
	t->pid = w->trigger_pid;
	t->tgid = w->trigger_tgid;
	oomtrace_strlcpy_n(t->comm, sizeof(t->comm), w->trigger_comm, strnlen(w->trigger_comm, W_COMM));
	t->known |= OOMTRACE_T_PID | OOMTRACE_T_TGID | OOMTRACE_T_COMM;
	if (w->flags & WF_TRIGGER_ADJ) {
		t->oom_score_adj = w->trigger_adj;
		t->known |= OOMTRACE_T_OOM_SCORE_ADJ;
	}
	if ((w->flags & WF_TRIGGER_CG) && lb_cg_complete(&w->trigger_cg)) {
		lb_cg_path(&w->trigger_cg, t->cgroup, sizeof(t->cgroup));
		t->known |= OOMTRACE_T_CGROUP;
	}
	if (w->flags & WF_TRIGGER_CGID) {
		t->cgroup_id = w->trigger_cgid;
		t->known |= OOMTRACE_T_CGROUP_ID;
	}
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
	if ((w->flags & WF_OOM_MEMCG) && lb_cg_complete(&w->oom_memcg)) {
		lb_cg_path(&w->oom_memcg, ev->oom_memcg, sizeof(ev->oom_memcg));
		ev->known |= OOMTRACE_E_OOM_MEMCG;
	}
	if (w->flags & WF_OOM_MEMCG_CGID) {
		ev->oom_memcg_id = w->oom_memcg_cgid;
		ev->known |= OOMTRACE_E_OOM_MEMCG_ID;
	}
	oomtrace_live_exiting(ev, w->sig_seen, w->sig_target, w->sig_ts_ns, w->ts_ns);
}

void lb_raw_to_event(const struct tpf *f, const struct w_raw *r, struct oomtrace_event *ev)
{
	struct oomtrace_task *v = &ev->victim;
	size_t len = r->raw_len < W_RAW_MAX ? r->raw_len : W_RAW_MAX;
	int64_t x;

	if (tpf_int(f, r->raw, len, "pid", &x)) {
		v->pid = (int32_t)x;
		v->known |= OOMTRACE_T_PID;
	}
	if (tpf_str(f, r->raw, len, "comm", v->comm, sizeof(v->comm)) && v->comm[0])
		v->known |= OOMTRACE_T_COMM;
	if (tpf_int(f, r->raw, len, "total_vm", &x)) {
		v->total_vm_kb = (uint64_t)x;
		v->known |= OOMTRACE_T_TOTAL_VM;
	}
	if (tpf_int(f, r->raw, len, "anon_rss", &x)) {
		v->anon_rss_kb = (uint64_t)x;
		v->known |= OOMTRACE_T_ANON_RSS;
	}
	if (tpf_int(f, r->raw, len, "file_rss", &x)) {
		v->file_rss_kb = (uint64_t)x;
		v->known |= OOMTRACE_T_FILE_RSS;
	}
	if (tpf_int(f, r->raw, len, "shmem_rss", &x)) {
		v->shmem_rss_kb = (uint64_t)x;
		v->known |= OOMTRACE_T_SHMEM_RSS;
	}
	if (tpf_int(f, r->raw, len, "uid", &x)) {
		v->uid = (uint32_t)x;
		v->known |= OOMTRACE_T_UID;
	}
	if (tpf_int(f, r->raw, len, "pgtables", &x)) {
		v->pgtables_kb = (uint64_t)x;
		v->known |= OOMTRACE_T_PGTABLES;
	}
	if (tpf_int(f, r->raw, len, "oom_score_adj", &x)) {
		v->oom_score_adj = (int32_t)x;
		v->known |= OOMTRACE_T_OOM_SCORE_ADJ;
	}
	ev->trigger.pid = r->cur_pid;
	ev->trigger.tgid = r->cur_tgid;
	oomtrace_strlcpy_n(ev->trigger.comm, sizeof(ev->trigger.comm), r->cur_comm,
			   strnlen(r->cur_comm, W_COMM));
	ev->trigger.known |= OOMTRACE_T_PID | OOMTRACE_T_TGID | OOMTRACE_T_COMM;
	oomtrace_live_exiting(ev, r->sig_seen, r->sig_target, r->sig_ts_ns, r->ts_ns);
}
