// SPDX-License-Identifier: GPL-2.0-or-later
/* plan.c: the libbpf backend's probe chain as data: richest first, combined where useful. */
#include "config.h"

#include <string.h>

#include "plan.h"

const char *const lb_pr_names[] = {"none",   "fentry",	   "kprobe",
				   "tp_btf", "tracepoint", "tracepoint"};

static bool usable(const struct lb_features *f, enum pr p)
{
	switch (p) {
	case PR_NONE:
		return true;
	case PR_FENTRY:
		return f->btf && f->okp_btf && !f->fentry_err;
	case PR_KPROBE:
		return (f->btf || f->ext_btf) && f->kprobes && f->okp_symbol;
	case PR_TP_BTF:
		return f->btf && f->tp_btf && (f->tp_task_arg || f->task_from_pid);
	case PR_TRACEPOINT:
		return (f->btf || f->ext_btf) && f->tracepoint;
	case PR_NOBTF:
		return f->tracepoint;
	}
	return false;
}

static void add(const struct lb_features *f, struct lb_step *s, int max, int *n, enum pr inv,
		enum pr vic)
{
	if (*n < max && usable(f, inv) && usable(f, vic) && !(inv == PR_NONE && vic == PR_NONE)) {
		s[*n].inv = inv;
		s[*n].vic = vic;
		(*n)++;
	}
}

int lb_plan(const struct lb_features *f, const char *forced, bool no_btf, struct lb_step *steps,
	    int max)
{
	static const enum pr vics[] = {PR_TP_BTF, PR_TRACEPOINT};
	static const enum pr invs[] = {PR_FENTRY, PR_KPROBE, PR_NONE};
	struct lb_features g = *f;
	int n = 0;
	size_t i, j;

	if (no_btf)
		g.btf = g.ext_btf = false;
	if (forced) {
		if (strcmp(forced, "fentry") == 0)
			add(&g, steps, max, &n, PR_FENTRY, PR_NONE);
		else if (strcmp(forced, "kprobe") == 0)
			add(&g, steps, max, &n, PR_KPROBE, PR_NONE);
		else if (strcmp(forced, "tp_btf") == 0)
			add(&g, steps, max, &n, PR_NONE, PR_TP_BTF);
		else if (strcmp(forced, "tracepoint") == 0) {
			add(&g, steps, max, &n, PR_NONE, PR_TRACEPOINT);
			add(&g, steps, max, &n, PR_NONE, PR_NOBTF);
		} else
			return -1;
		return n;
	}
	/* every victim through mark_victim, with oom_control facts from an invocation probe */
	for (i = 0; i < sizeof(vics) / sizeof(vics[0]); i++)
		for (j = 0; j < sizeof(invs) / sizeof(invs[0]); j++)
			add(&g, steps, max, &n, invs[j], vics[i]);
	/* no mark_victim (before 4.13): the invocation probe reports the victim itself */
	add(&g, steps, max, &n, PR_FENTRY, PR_NONE);
	add(&g, steps, max, &n, PR_KPROBE, PR_NONE);
	add(&g, steps, max, &n, PR_NONE, PR_NOBTF);
	return n;
}
