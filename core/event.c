// SPDX-License-Identifier: GPL-2.0-or-later
/* event.c: initialisation, names and small helpers of struct oomtrace_event. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "event.h"

void oomtrace_event_init(struct oomtrace_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->constraint = OOMTRACE_CONSTRAINT_UNKNOWN;
	ev->order = -1;
}

static const char *const source_names[] = {
    [OOMTRACE_SOURCE_UNKNOWN] = "unknown",
    [OOMTRACE_SOURCE_REPLAY] = "replay",
    [OOMTRACE_SOURCE_LIBBPF] = "libbpf",
    [OOMTRACE_SOURCE_BCC] = "bcc",
};

static const char *const probe_names[] = {
    [OOMTRACE_PROBE_UNKNOWN] = "unknown",	[OOMTRACE_PROBE_LOG] = "log",
    [OOMTRACE_PROBE_EVENTS] = "events",		[OOMTRACE_PROBE_FENTRY] = "fentry",
    [OOMTRACE_PROBE_KPROBE] = "kprobe",		[OOMTRACE_PROBE_TP_BTF] = "tp_btf",
    [OOMTRACE_PROBE_TRACEPOINT] = "tracepoint",
};

static const char *const constraint_names[] = {
    "none",
    "cpuset",
    "memory_policy",
    "memcg",
};

static const char *const alloc_class_names[] = {
    [OOMTRACE_ALLOC_UNKNOWN] = "unknown",	[OOMTRACE_ALLOC_ANON_FAULT] = "anon_fault",
    [OOMTRACE_ALLOC_FILE_FAULT] = "file_fault", [OOMTRACE_ALLOC_THP_FAULT] = "thp_fault",
    [OOMTRACE_ALLOC_SYSCALL] = "syscall",	[OOMTRACE_ALLOC_KERNEL] = "kernel",
    [OOMTRACE_ALLOC_KTHREAD] = "kthread",
};

static const char *const umethod_names[] = {
    [OOMTRACE_UM_REGS] = "regs",
    [OOMTRACE_UM_CFI] = "cfi",
    [OOMTRACE_UM_FP] = "fp",
};

static const char *const uend_names[] = {
    [OOMTRACE_UEND_OUTERMOST] = "outermost",
    [OOMTRACE_UEND_COPY] = "stack_copy_ended",
    [OOMTRACE_UEND_FULL] = "frames_max",
    [OOMTRACE_UEND_LOST] = "caller_not_found",
};

static const char *const cause_names[] = {
    [OOMTRACE_CAUSE_UNKNOWN] = "unknown",
    [OOMTRACE_CAUSE_KERNEL_MEMORY] = "kernel_memory",
    [OOMTRACE_CAUSE_HUGEPAGES_RESERVED] = "hugepages_reserved",
    [OOMTRACE_CAUSE_FRAGMENTATION] = "fragmentation",
    [OOMTRACE_CAUSE_SHMEM_TMPFS] = "shmem_tmpfs",
    [OOMTRACE_CAUSE_PAGE_CACHE_UNRECLAIMABLE] = "page_cache_unreclaimable",
    [OOMTRACE_CAUSE_MANY_TASKS] = "many_tasks",
    [OOMTRACE_CAUSE_SINGLE_TASK] = "single_task",
    [OOMTRACE_CAUSE_STEADY_GROWTH] = "steady_growth",
    [OOMTRACE_CAUSE_SPIKE] = "spike",
};

static const char *const outcome_names[] = {
    [OOMTRACE_OUTCOME_UNKNOWN] = "unknown",
    [OOMTRACE_OUTCOME_KILLED] = "killed",
    [OOMTRACE_OUTCOME_NO_KILLABLE] = "no_killable",
    [OOMTRACE_OUTCOME_PANIC] = "panic",
};

static const char *const role_names[] = {
    [OOMTRACE_ROLE_HOST_PID_NS] = "host_pid_ns",
    [OOMTRACE_ROLE_PID_NS_INIT] = "pid_ns_init",
    [OOMTRACE_ROLE_PID_NS_CHILD] = "pid_ns_child",
    [OOMTRACE_ROLE_OOM_GROUP] = "oom_group",
};

static const char *const klog_names[] = {
    [OOMTRACE_KLOG_JOURNAL] = "journal",
    [OOMTRACE_KLOG_MISSING] = "missing",
    [OOMTRACE_KLOG_UNREAD] = "unread",
    [OOMTRACE_KLOG_NONE] = "none",
};

static const char *const record_names[] = {
    [OOMTRACE_RECORD_KILL] = "kill",
    [OOMTRACE_RECORD_REAP] = "reap",
    [OOMTRACE_RECORD_EVICTION] = "eviction",
    [OOMTRACE_RECORD_PRESSURE] = "pressure",
};

#define NAME_OF(tab, v)                                                                            \
	(((unsigned int)(v) < sizeof(tab) / sizeof((tab)[0])) ? (tab)[(v)] : "unknown")

const char *oomtrace_source_name(enum oomtrace_source s)
{
	return NAME_OF(source_names, s);
}

const char *oomtrace_probe_name(enum oomtrace_probe p)
{
	return NAME_OF(probe_names, p);
}

const char *oomtrace_constraint_name(enum oomtrace_constraint c)
{
	return NAME_OF(constraint_names, c);
}

const char *oomtrace_outcome_name(enum oomtrace_outcome o)
{
	return NAME_OF(outcome_names, o);
}

static int parse_name(const char *const *tab, size_t n, const char *s, int *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (tab[i] && strcmp(tab[i], s) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return -EINVAL;
}

#define PARSE_INTO(tab, s, out)                                                                    \
	do {                                                                                       \
		int v_, r_ = parse_name(tab, sizeof(tab) / sizeof((tab)[0]), s, &v_);              \
		if (r_ == 0)                                                                       \
			*(out) = v_;                                                               \
		return r_;                                                                         \
	} while (0)

const char *oomtrace_record_name(enum oomtrace_record r)
{
	return NAME_OF(record_names, r);
}

int oomtrace_record_parse(const char *s, enum oomtrace_record *out)
{
	PARSE_INTO(record_names, s, out);
}

const char *oomtrace_victim_role_name(enum oomtrace_victim_role r)
{
	return NAME_OF(role_names, r);
}

int oomtrace_victim_role_parse(const char *s, enum oomtrace_victim_role *out)
{
	PARSE_INTO(role_names, s, out);
}

const char *oomtrace_killer_log_name(enum oomtrace_killer_log l)
{
	return NAME_OF(klog_names, l);
}

int oomtrace_killer_log_parse(const char *s, enum oomtrace_killer_log *out)
{
	PARSE_INTO(klog_names, s, out);
}

void oomtrace_event_set_role(struct oomtrace_event *ev, enum oomtrace_victim_role r)
{
	ev->victim_role = r;
	ev->known |= OOMTRACE_E_ROLE;
}

void oomtrace_event_derive_role(struct oomtrace_event *ev)
{
	const struct oomtrace_task *v = &ev->victim;

	if ((ev->known & OOMTRACE_E_ROLE) || !(v->known & OOMTRACE_T_NS_PID))
		return;
	oomtrace_event_set_role(ev, v->ns_level == 0 ? OOMTRACE_ROLE_HOST_PID_NS
				    : v->ns_pid == 1 ? OOMTRACE_ROLE_PID_NS_INIT
						     : OOMTRACE_ROLE_PID_NS_CHILD);
}

const char *oomtrace_alloc_class_name(enum oomtrace_alloc_class c)
{
	return NAME_OF(alloc_class_names, c);
}

int oomtrace_alloc_class_parse(const char *s, enum oomtrace_alloc_class *out)
{
	PARSE_INTO(alloc_class_names, s, out);
}

const char *oomtrace_umethod_name(enum oomtrace_umethod m)
{
	return NAME_OF(umethod_names, m);
}

int oomtrace_umethod_parse(const char *s, enum oomtrace_umethod *out)
{
	PARSE_INTO(umethod_names, s, out);
}

const char *oomtrace_uend_name(enum oomtrace_uend e)
{
	return NAME_OF(uend_names, e);
}

int oomtrace_uend_parse(const char *s, enum oomtrace_uend *out)
{
	PARSE_INTO(uend_names, s, out);
}

const char *oomtrace_cause_name(enum oomtrace_cause c)
{
	return NAME_OF(cause_names, c);
}

int oomtrace_cause_parse(const char *s, enum oomtrace_cause *out)
{
	PARSE_INTO(cause_names, s, out);
}

int oomtrace_source_parse(const char *s, enum oomtrace_source *out)
{
	PARSE_INTO(source_names, s, out);
}

int oomtrace_probe_parse(const char *s, enum oomtrace_probe *out)
{
	PARSE_INTO(probe_names, s, out);
}

int oomtrace_constraint_parse(const char *s, enum oomtrace_constraint *out)
{
	PARSE_INTO(constraint_names, s, out);
}

int oomtrace_outcome_parse(const char *s, enum oomtrace_outcome *out)
{
	PARSE_INTO(outcome_names, s, out);
}

void oomtrace_strlcpy_n(char *dst, size_t dstsz, const char *src, size_t n)
{
	if (!dstsz)
		return;
	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int oomtrace_kv_set(struct oomtrace_kv *kv, unsigned int *n, unsigned int cap, const char *key,
		    size_t keylen, int64_t val)
{
	unsigned int i;

	if (keylen >= OOMTRACE_KEY_MAX)
		keylen = OOMTRACE_KEY_MAX - 1;
	for (i = 0; i < *n; i++) {
		/* the first byte first: a memcg's stat block sets some 40 keys, one by one */
		if ((!keylen || kv[i].key[0] == key[0]) && strncmp(kv[i].key, key, keylen) == 0 &&
		    kv[i].key[keylen] == '\0') {
			kv[i].val = val;
			return 0;
		}
	}
	if (*n >= cap)
		return -ENOSPC;
	oomtrace_strlcpy_n(kv[*n].key, OOMTRACE_KEY_MAX, key, keylen);
	kv[*n].val = val;
	(*n)++;
	return 0;
}

bool oomtrace_kv_get(const struct oomtrace_kv *kv, unsigned int n, const char *key, int64_t *val)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (strcmp(kv[i].key, key) == 0) {
			if (val)
				*val = kv[i].val;
			return true;
		}
	}
	return false;
}

int oomtrace_kvset_set(struct oomtrace_kvset *set, const char *key, size_t keylen, int64_t val)
{
	return oomtrace_kv_set(set->kv, &set->n, OOMTRACE_KV_MAX, key, keylen, val);
}

bool oomtrace_kvset_get(const struct oomtrace_kvset *set, const char *key, int64_t *val)
{
	return oomtrace_kv_get(set->kv, set->n, key, val);
}

int oomtrace_facts_set(struct oomtrace_facts *set, const char *key, size_t keylen, int64_t val)
{
	return oomtrace_kv_set(set->kv, &set->n, OOMTRACE_FACTS_MAX, key, keylen, val);
}

bool oomtrace_facts_get(const struct oomtrace_facts *set, const char *key, int64_t *val)
{
	return oomtrace_kv_get(set->kv, set->n, key, val);
}

void oomtrace_task_set_memory(struct oomtrace_task *t, uint64_t total_vm_kb, uint64_t anon_kb,
			      uint64_t file_kb, uint64_t shmem_kb)
{
	t->total_vm_kb = total_vm_kb;
	t->anon_rss_kb = anon_kb;
	t->file_rss_kb = file_kb;
	t->shmem_rss_kb = shmem_kb;
	t->known |=
	    OOMTRACE_T_TOTAL_VM | OOMTRACE_T_ANON_RSS | OOMTRACE_T_FILE_RSS | OOMTRACE_T_SHMEM_RSS;
}

void oomtrace_context_add_task(struct oomtrace_context *ctx, const struct oomtrace_task_row *row)
{
	unsigned int i = ctx->ntop;

	ctx->ntasks++;
	if (row->known & OOMTRACE_R_RSS)
		ctx->tasks_rss_pages += row->rss_pages;
	if (i == OOMTRACE_TOP_TASKS) {
		if (row->rss_pages <= ctx->top[i - 1].rss_pages)
			return;
		i--;
	} else {
		ctx->ntop++;
	}
	/* insertion sort: shift smaller holders down; ties keep table order */
	while (i > 0 && ctx->top[i - 1].rss_pages < row->rss_pages) {
		ctx->top[i] = ctx->top[i - 1];
		i--;
	}
	ctx->top[i] = *row;
}

void oomtrace_context_add_slab(struct oomtrace_context *ctx, const struct oomtrace_slab *sl)
{
	unsigned int i = ctx->nslab;

	ctx->known |= OOMTRACE_C_SLAB;
	ctx->slab_caches++;
	ctx->slab_used_kb += sl->used_kb;
	ctx->slab_total_kb += sl->total_kb;
	if (i == OOMTRACE_SLAB_TOP) {
		if (sl->used_kb <= ctx->slab[i - 1].used_kb)
			return;
		i--;
	} else {
		ctx->nslab++;
	}
	/* as the task table: larger first, ties in the block's order */
	while (i > 0 && ctx->slab[i - 1].used_kb < sl->used_kb) {
		ctx->slab[i] = ctx->slab[i - 1];
		i--;
	}
	ctx->slab[i] = *sl;
}

const char *oomtrace_kmsg_group_name(uint32_t bit)
{
	switch (bit) {
	case OOMTRACE_K_OOM_CONTROL:
		return "oom_control";
	case OOMTRACE_K_CPUSET:
		return "cpuset";
	case OOMTRACE_K_TRIGGER:
		return "trigger";
	case OOMTRACE_K_VICTIM:
		return "victim";
	case OOMTRACE_K_MEMCG:
		return "memcg";
	case OOMTRACE_K_MEM_INFO:
		return "mem_info";
	case OOMTRACE_K_STACK:
		return "stack";
	case OOMTRACE_K_TASKS:
		return "top_tasks";
	}
	return NULL;
}
