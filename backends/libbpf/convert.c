// SPDX-License-Identifier: GPL-2.0-or-later
/* convert.c: the libbpf backend's records to core events (its cgroup paths, the BTF-less records);
 * pure, unit-tested. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "convert.h"
#include "kill.h"
#include "live.h"

/* a w_event is the shared kill record followed by the stack and the paths: read as one, it must
 * start as one */
_Static_assert(offsetof(struct w_event, kstack_bytes) == sizeof(struct oomtrace_kill_wire),
	       "struct w_event begins with the fields of struct oomtrace_kill_wire, nothing else");

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
	/* the facts both backends read, then the paths only this one has */
	oomtrace_kill_to_event((const struct oomtrace_kill_wire *)w, ev);
	/* a path that may be cut is left to live.c, which resolves the id to the full one */
	if ((w->flags & WF_VICTIM_CG) && lb_cg_complete(&w->victim_cg)) {
		lb_cg_path(&w->victim_cg, ev->victim.cgroup, sizeof(ev->victim.cgroup));
		ev->victim.known |= OOMTRACE_T_CGROUP;
	}
	if ((w->flags & WF_TRIGGER_CG) && lb_cg_complete(&w->trigger_cg)) {
		lb_cg_path(&w->trigger_cg, ev->trigger.cgroup, sizeof(ev->trigger.cgroup));
		ev->trigger.known |= OOMTRACE_T_CGROUP;
	}
	if ((w->flags & WF_OOM_MEMCG) && lb_cg_complete(&w->oom_memcg)) {
		lb_cg_path(&w->oom_memcg, ev->oom_memcg, sizeof(ev->oom_memcg));
		ev->known |= OOMTRACE_E_OOM_MEMCG;
	}
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
