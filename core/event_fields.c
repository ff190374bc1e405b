// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * event_fields.c: every field of the JSON form of struct oomtrace_event
 * (docs/schema.md), once: its name, type, place, known bit and what reading
 * accepts. event_json.c writes and reads by this table (and the journal
 * flattens what it writes), so a field cannot be added to one side only.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "event_fields.h"
#include "jsonw.h"
#include "util.h"

#define INT(nm, type, m, b, l, h, fl)                                                              \
	{                                                                                          \
		.name = nm, .kind = K_INT, .flags = fl, .bit = b, .off = offsetof(type, m),        \
		.size = sizeof(((type *)0)->m), .lo = l, .hi = h                                   \
	}
#define U64(nm, type, m, b, fl)                                                                    \
	{                                                                                          \
		.name = nm, .kind = K_U64, .flags = fl, .bit = b, .off = offsetof(type, m)         \
	}
#define STR(nm, type, m, b, fl)                                                                    \
	{                                                                                          \
		.name = nm, .kind = K_STR, .flags = fl, .bit = b, .off = offsetof(type, m),        \
		.size = sizeof(((type *)0)->m)                                                     \
	}
#define NAME(nm, type, m)                                                                          \
	{                                                                                          \
		.name = nm, .kind = K_NAME, .off = offsetof(type, m),                              \
		.size = sizeof(((type *)0)->m)                                                     \
	}
#define KVSET(nm, type, m)                                                                         \
	{                                                                                          \
		.name = nm, .kind = K_KVSET, .flags = JF_ABSENT, .off = offsetof(type, m),         \
		.size = sizeof(((type *)0)->m)                                                     \
	}
#define TABLE(type, fields)                                                                        \
	{                                                                                          \
		fields, sizeof(fields) / sizeof(fields[0]), offsetof(type, known)                  \
	}

/* the names of the event's enums, by int */
#define ENUM_NAMES(id, type, namefn, parsefn, msg)                                                 \
	static const char *id##_name(int v)                                                        \
	{                                                                                          \
		return namefn((type)v);                                                            \
	}                                                                                          \
	static int id##_parse(const char *s, int *v)                                               \
	{                                                                                          \
		type t = (type)0;                                                                  \
		int r = parsefn(s, &t);                                                            \
		*v = (int)t;                                                                       \
		return r;                                                                          \
	}                                                                                          \
	static const struct enum_names id = {id##_name, id##_parse, msg}
ENUM_NAMES(record_e, enum oomtrace_record, oomtrace_record_name, oomtrace_record_parse,
	   "unknown record type");
ENUM_NAMES(source_e, enum oomtrace_source, oomtrace_source_name, oomtrace_source_parse,
	   "unknown source");
ENUM_NAMES(probe_e, enum oomtrace_probe, oomtrace_probe_name, oomtrace_probe_parse,
	   "unknown probe");
ENUM_NAMES(outcome_e, enum oomtrace_outcome, oomtrace_outcome_name, oomtrace_outcome_parse,
	   "unknown outcome");
ENUM_NAMES(constraint_e, enum oomtrace_constraint, oomtrace_constraint_name,
	   oomtrace_constraint_parse, "unknown constraint");
ENUM_NAMES(alloc_e, enum oomtrace_alloc_class, oomtrace_alloc_class_name,
	   oomtrace_alloc_class_parse, "unknown allocation class");
ENUM_NAMES(cause_e, enum oomtrace_cause, oomtrace_cause_name, oomtrace_cause_parse,
	   "unknown cause");
ENUM_NAMES(role_e, enum oomtrace_victim_role, oomtrace_victim_role_name, oomtrace_victim_role_parse,
	   "unknown victim role");
ENUM_NAMES(klog_e, enum oomtrace_killer_log, oomtrace_killer_log_name, oomtrace_killer_log_parse,
	   "unknown killer log state");
#define ENUM(nm, m, b, names)                                                                      \
	{                                                                                          \
		.name = nm, .kind = K_ENUM, .bit = b, .off = offsetof(struct oomtrace_event, m),   \
		.aux = &names                                                                      \
	}

/* trigger and victim; the victim's sizes and uid only for the victim */

/* what asked for the memory (core/stack.c), where the trigger's stack is known */
static const struct field alloc_fields[] = {
    ENUM("class", alloc_class, 0, alloc_e),
    NAME("detail", struct oomtrace_event, alloc_detail),
    NAME("frame", struct oomtrace_event, alloc_frame),
};
static const struct table alloc_table = {alloc_fields,
					 sizeof(alloc_fields) / sizeof(alloc_fields[0]), NO_KNOWN};

/* why: the cause the event's evidence proves, and the sentence with its numbers */
static const struct field why_fields[] = {
    ENUM("cause", cause, 0, cause_e),
    NAME("summary", struct oomtrace_event, why),
    INT("growth_kb_per_s", struct oomtrace_event, growth_kb_per_s, OOMTRACE_E_GROWTH, INT64_MIN,
	INT64_MAX, JF_ABSENT),
    INT("time_to_limit_ms", struct oomtrace_event, time_to_limit_ms, OOMTRACE_E_TIME_TO_LIMIT, 0,
	INT64_MAX, JF_ABSENT),
};
static const struct table why_table = TABLE(struct oomtrace_event, why_fields);

static const struct field task_fields[] = {
    INT("pid", struct oomtrace_task, pid, OOMTRACE_T_PID, INT32_MIN, INT32_MAX, 0),
    INT("tgid", struct oomtrace_task, tgid, OOMTRACE_T_TGID, INT32_MIN, INT32_MAX, 0),
    STR("comm", struct oomtrace_task, comm, OOMTRACE_T_COMM, 0),
    INT("uid", struct oomtrace_task, uid, OOMTRACE_T_UID, 0, UINT32_MAX, JF_UNSIGNED | JF_VICTIM),
    INT("oom_score_adj", struct oomtrace_task, oom_score_adj, OOMTRACE_T_OOM_SCORE_ADJ, -1000, 1000,
	0),
    U64("total_vm_kb", struct oomtrace_task, total_vm_kb, OOMTRACE_T_TOTAL_VM, JF_VICTIM),
    U64("anon_rss_kb", struct oomtrace_task, anon_rss_kb, OOMTRACE_T_ANON_RSS, JF_VICTIM),
    U64("file_rss_kb", struct oomtrace_task, file_rss_kb, OOMTRACE_T_FILE_RSS, JF_VICTIM),
    U64("shmem_rss_kb", struct oomtrace_task, shmem_rss_kb, OOMTRACE_T_SHMEM_RSS, JF_VICTIM),
    U64("swap_kb", struct oomtrace_task, swap_kb, OOMTRACE_T_SWAP, JF_VICTIM),
    U64("pgtables_kb", struct oomtrace_task, pgtables_kb, OOMTRACE_T_PGTABLES, JF_VICTIM),
    STR("cgroup", struct oomtrace_task, cgroup, OOMTRACE_T_CGROUP, 0),
    U64("cgroup_id", struct oomtrace_task, cgroup_id, OOMTRACE_T_CGROUP_ID, 0),
    INT("ns_pid", struct oomtrace_task, ns_pid, OOMTRACE_T_NS_PID, 1, INT32_MAX,
	JF_VICTIM | JF_ABSENT),
    INT("ns_level", struct oomtrace_task, ns_level, OOMTRACE_T_NS_PID, 0, 32,
	JF_UNSIGNED | JF_VICTIM | JF_ABSENT | JF_NOBIT),
    {.name = "kernel_stack", .kind = K_FN, .flags = JF_ABSENT, .aux = &oomtrace_kstack_codec},
    {.name = "user_stack", .kind = K_FN, .flags = JF_ABSENT, .aux = &oomtrace_ustack_codec},
};
static const struct table task_table = TABLE(struct oomtrace_task, task_fields);

/* the task the killer chose (<= 5.0, kprobe/fentry), and its score */
static const struct field selected_fields[] = {
    INT("pid", struct oomtrace_event, selected_pid, OOMTRACE_E_SELECTED, INT32_MIN, INT32_MAX, 0),
    STR("comm", struct oomtrace_event, selected_comm, OOMTRACE_E_SELECTED, JF_NOBIT),
    INT("points", struct oomtrace_event, points, OOMTRACE_E_POINTS, INT64_MIN, INT64_MAX, 0),
};
static const struct table selected_table = TABLE(struct oomtrace_event, selected_fields);

/* what the oom_reaper left of the victim */
static const struct field reaped_fields[] = {
    U64("anon_rss_kb", struct oomtrace_event, reaped_anon_rss_kb, 0, 0),
    U64("file_rss_kb", struct oomtrace_event, reaped_file_rss_kb, 0, 0),
    U64("shmem_rss_kb", struct oomtrace_event, reaped_shmem_rss_kb, 0, 0),
};
static const struct table reaped_table = TABLE(struct oomtrace_event, reaped_fields);

/* who the victim's cgroup belongs to (core/names.c) */
static const struct field container_fields[] = {
    NAME("id", struct oomtrace_names, container_id),
    NAME("runtime", struct oomtrace_names, runtime),
};
static const struct field k8s_fields[] = {
    NAME("namespace", struct oomtrace_names, k8s_namespace),
    NAME("pod", struct oomtrace_names, pod),
    NAME("pod_uid", struct oomtrace_names, pod_uid),
    NAME("container", struct oomtrace_names, container),
    NAME("qos", struct oomtrace_names, qos),
};
/* (names have no known word: each is known when it is not empty) */
static const struct table container_table = {container_fields, 2, NO_KNOWN};
static const struct table k8s_table = {k8s_fields, 5, NO_KNOWN};

static bool has_container(const void *names)
{
	return ((const struct oomtrace_names *)names)->container_id[0] != '\0';
}

static bool has_pod(const void *names)
{
	const struct oomtrace_names *n = names;

	return n->pod_uid[0] != '\0' || n->pod[0] != '\0'; /* an eviction names the pod only */
}

/* who killed, where it was not the kernel: a userspace memory killer, or the kubelet */
static const struct field killer_fields[] = {
    NAME("name", struct oomtrace_killer, name),
    INT("pid", struct oomtrace_killer, pid, OOMTRACE_KL_PID, 1, INT32_MAX, JF_ABSENT),
    INT("signal", struct oomtrace_killer, signal, OOMTRACE_KL_SIGNAL, 1, 64, JF_ABSENT),
    NAME("reason", struct oomtrace_killer, reason),
    KVSET("facts", struct oomtrace_killer, facts),
    {.name = "died",
     .kind = K_BOOL,
     .flags = JF_TRUE,
     .off = offsetof(struct oomtrace_killer, died)},
    U64("died_after_us", struct oomtrace_killer, died_after_us, OOMTRACE_KL_DIED_AFTER, JF_ABSENT),
    INT("first_signal", struct oomtrace_killer, first_signal, OOMTRACE_KL_FIRST_SIGNAL, 1, 64,
	JF_ABSENT),
    INT("exit_code", struct oomtrace_killer, exit_code, OOMTRACE_KL_EXIT_CODE, 0, 65535, JF_ABSENT),
    STR("exe", struct oomtrace_killer, exe, OOMTRACE_KL_EXE, JF_ABSENT),
    STR("cmdline", struct oomtrace_killer, cmdline, OOMTRACE_KL_CMDLINE, JF_ABSENT),
    STR("cgroup", struct oomtrace_killer, cgroup, OOMTRACE_KL_CGROUP, JF_ABSENT),
    STR("unit", struct oomtrace_killer, unit, OOMTRACE_KL_UNIT, JF_ABSENT),
    {.name = "log",
     .kind = K_ENUM,
     .flags = JF_ABSENT,
     .bit = OOMTRACE_KL_LOG,
     .off = offsetof(struct oomtrace_killer, log),
     .aux = &klog_e},
};
static const struct table killer_table = TABLE(struct oomtrace_killer, killer_fields);

static bool has_killer(const void *killer)
{
	return ((const struct oomtrace_killer *)killer)->name[0] != '\0';
}

/* one row of the kernel's task table: a column this kernel's table lacks is null */
static const struct field row_fields[] = {
    INT("pid", struct oomtrace_task_row, pid, 0, INT32_MIN, INT32_MAX, 0),
    INT("uid", struct oomtrace_task_row, uid, OOMTRACE_R_UID, 0, UINT32_MAX, JF_UNSIGNED),
    INT("tgid", struct oomtrace_task_row, tgid, OOMTRACE_R_TGID, INT32_MIN, INT32_MAX, 0),
    U64("total_vm_pages", struct oomtrace_task_row, total_vm_pages, OOMTRACE_R_TOTAL_VM, 0),
    U64("rss_pages", struct oomtrace_task_row, rss_pages, OOMTRACE_R_RSS, 0),
    U64("pgtables_bytes", struct oomtrace_task_row, pgtables_bytes, OOMTRACE_R_PGTABLES, 0),
    U64("swapents", struct oomtrace_task_row, swapents, OOMTRACE_R_SWAPENTS, 0),
    INT("oom_score_adj", struct oomtrace_task_row, oom_score_adj, OOMTRACE_R_OOM_SCORE_ADJ, -1000,
	1000, 0),
    STR("name", struct oomtrace_task_row, name, OOMTRACE_R_NAME, 0),
};
static const struct table row_table = TABLE(struct oomtrace_task_row, row_fields);
#define ARRAY(nm, type, m, n, tab, mx)                                                             \
	{                                                                                          \
		.name = nm, .kind = K_ARRAY, .flags = JF_ABSENT, .off = offsetof(type, m),         \
		.aux = &(const struct array_of)                                                    \
		{                                                                                  \
			&tab, offsetof(type, n), sizeof(((type *)0)->m[0]), mx                     \
		}                                                                                  \
	}
#define NO_KNOWN_TABLE(fields)                                                                     \
	{                                                                                          \
		fields, sizeof(fields) / sizeof(fields[0]), NO_KNOWN                               \
	}

/* a zone of a global report's Mem-Info, kB */
static const struct field zone_fields[] = {
    INT("node", struct oomtrace_zone, node, OOMTRACE_Z_NODE, 0, INT32_MAX, JF_ABSENT),
    STR("zone", struct oomtrace_zone, zone, 0, 0),
    U64("free_kb", struct oomtrace_zone, free_kb, 0, 0),
    U64("min_kb", struct oomtrace_zone, min_kb, 0, 0),
    U64("low_kb", struct oomtrace_zone, low_kb, 0, 0),
    U64("high_kb", struct oomtrace_zone, high_kb, 0, 0),
};
static const struct table zone_table = TABLE(struct oomtrace_zone, zone_fields);

/* one hstate of one node: counts of pages of size_kb */
static const struct field huge_fields[] = {
    INT("node", struct oomtrace_hugepages, node, 0, 0, INT32_MAX, 0),
    U64("size_kb", struct oomtrace_hugepages, size_kb, 0, 0),
    U64("total", struct oomtrace_hugepages, total, 0, 0),
    U64("free", struct oomtrace_hugepages, free, 0, 0),
    U64("surplus", struct oomtrace_hugepages, surplus, 0, 0),
};
static const struct table huge_table = NO_KNOWN_TABLE(huge_fields);

/* the free and total swap the report printed */
static const struct field swap_fields[] = {
    U64("free_kb", struct oomtrace_context, swap_free_kb, OOMTRACE_C_SWAP_FREE, JF_ABSENT),
    U64("total_kb", struct oomtrace_context, swap_total_kb, OOMTRACE_C_SWAP_TOTAL, JF_ABSENT),
};
static const struct table swap_table = TABLE(struct oomtrace_context, swap_fields);

/* the unreclaimable-slab block: every cache counted, the largest kept */
static const struct field slab_fields[] = {
    STR("name", struct oomtrace_slab, name, 0, 0),
    U64("used_kb", struct oomtrace_slab, used_kb, 0, 0),
    U64("total_kb", struct oomtrace_slab, total_kb, 0, 0),
};
static const struct table slab_table = NO_KNOWN_TABLE(slab_fields);
static const struct field slab_block_fields[] = {
    INT("caches", struct oomtrace_context, slab_caches, 0, 0, UINT32_MAX, JF_UNSIGNED),
    U64("used_kb", struct oomtrace_context, slab_used_kb, 0, 0),
    U64("total_kb", struct oomtrace_context, slab_total_kb, 0, 0),
    ARRAY("top", struct oomtrace_context, slab, nslab, slab_table, OOMTRACE_SLAB_TOP),
};
static const struct table slab_block_table = TABLE(struct oomtrace_context, slab_block_fields);

/* live: the OOMing memcg's last minute, a sample a second */
static const struct field sample_fields[] = {
    INT("t_ms", struct oomtrace_sample, t_ms, 0, INT32_MIN, 0, 0),
    U64("usage_kb", struct oomtrace_sample, usage_kb, 0, 0),
};
static const struct table sample_table = NO_KNOWN_TABLE(sample_fields);
static const struct field history_task_fields[] = {
    INT("pid", struct oomtrace_history_task, pid, 0, INT32_MIN, INT32_MAX, 0),
    NAME("comm", struct oomtrace_history_task, comm),
    U64("rss_kb_oldest", struct oomtrace_history_task, rss_kb_oldest, OOMTRACE_HT_OLDEST, 0),
    U64("rss_kb_10s", struct oomtrace_history_task, rss_kb_10s, OOMTRACE_HT_10S, 0),
    U64("rss_kb_newest", struct oomtrace_history_task, rss_kb_newest, OOMTRACE_HT_NEWEST, 0),
};
static const struct table history_task_table =
    TABLE(struct oomtrace_history_task, history_task_fields);
static const struct field history_fields[] = {
    U64("limit_kb", struct oomtrace_history, limit_kb, 0, 0),
    U64("limit_hits", struct oomtrace_history, limit_hits, 0, 0),
    INT("over_90_ms", struct oomtrace_history, over_90_ms, OOMTRACE_H_OVER_90, 0, INT32_MAX,
	JF_ABSENT),
    ARRAY("samples", struct oomtrace_history, s, n, sample_table, OOMTRACE_HISTORY_MAX),
    INT("tasks_oldest_ms", struct oomtrace_history, tasks_oldest_ms, OOMTRACE_H_TASKS, INT32_MIN, 0,
	JF_ABSENT),
    INT("tasks_10s_ms", struct oomtrace_history, tasks_10s_ms, OOMTRACE_H_TASKS, INT32_MIN, 0,
	JF_ABSENT),
    INT("tasks_newest_ms", struct oomtrace_history, tasks_newest_ms, OOMTRACE_H_TASKS, INT32_MIN, 0,
	JF_ABSENT),
    ARRAY("tasks", struct oomtrace_history, tasks, ntasks, history_task_table,
	  OOMTRACE_HISTORY_TASKS),
};
static const struct table history_table = TABLE(struct oomtrace_history, history_fields);

/* live: the trigger's reclaim before the kill */
static const struct field reclaim_fields[] = {
    INT("rounds", struct oomtrace_reclaim, rounds, 0, 0, UINT32_MAX, JF_UNSIGNED),
    U64("stall_us", struct oomtrace_reclaim, stall_us, 0, 0),
    U64("reclaimed_pages", struct oomtrace_reclaim, reclaimed_pages, 0, 0),
    U64("over_us", struct oomtrace_reclaim, over_us, 0, 0),
};
static const struct table reclaim_table = NO_KNOWN_TABLE(reclaim_fields);

/* the whole task table, as counted (top_tasks keeps only its largest rows) */
static const struct field task_table_fields[] = {
    INT("rows", struct oomtrace_context, ntasks, 0, 0, UINT32_MAX, JF_UNSIGNED),
    U64("rss_pages", struct oomtrace_context, tasks_rss_pages, 0, 0),
};
static const struct table task_table_table = TABLE(struct oomtrace_context, task_table_fields);
static bool has_task_table(const void *base)
{
	return ((const struct oomtrace_context *)base)->ntasks > 0;
}

/* what the machine looked like around the kill */
static const struct field context_fields[] = {
    STR("loadavg", struct oomtrace_context, loadavg, OOMTRACE_C_LOADAVG, JF_ABSENT),
    KVSET("mem_info_pages", struct oomtrace_context, mem_info),
    KVSET("memcg", struct oomtrace_context, memcg),
    KVSET("memcg_stat", struct oomtrace_context, memcg_stat),
    KVSET("meminfo_kb", struct oomtrace_context, meminfo_kb),
    {.name = "psi_memory", .kind = K_FN, .flags = JF_ABSENT, .aux = &oomtrace_psi_codec},
    KVSET("trigger_status", struct oomtrace_context, trigger_status),
    ARRAY("top_tasks", struct oomtrace_context, top, ntop, row_table, OOMTRACE_TOP_TASKS),
    {.name = "task_table",
     .kind = K_OBJ,
     .flags = JF_ABSENT,
     .aux = &task_table_table,
     .present = has_task_table},
    ARRAY("zones", struct oomtrace_context, zones, nzones, zone_table, OOMTRACE_ZONES_MAX),
    ARRAY("hugepages", struct oomtrace_context, huge, nhuge, huge_table, OOMTRACE_HUGE_MAX),
    {.name = "swap",
     .kind = K_OBJ,
     .flags = JF_ABSENT,
     .bit = OOMTRACE_C_SWAP_FREE | OOMTRACE_C_SWAP_TOTAL,
     .aux = &swap_table},
    {.name = "unreclaimable_slab",
     .kind = K_OBJ,
     .flags = JF_ABSENT | JF_SETBIT,
     .bit = OOMTRACE_C_SLAB,
     .aux = &slab_block_table},
    {.name = "history",
     .kind = K_OBJ,
     .flags = JF_ABSENT | JF_SETBIT,
     .bit = OOMTRACE_C_HISTORY,
     .off = offsetof(struct oomtrace_context, history),
     .aux = &history_table},
    {.name = "reclaim",
     .kind = K_OBJ,
     .flags = JF_ABSENT | JF_SETBIT,
     .bit = OOMTRACE_C_RECLAIM,
     .off = offsetof(struct oomtrace_context, reclaim),
     .aux = &reclaim_table},
};
static const struct table context_table = TABLE(struct oomtrace_context, context_fields);

#define OBJ(nm, m, b, tab, fl)                                                                     \
	{                                                                                          \
		.name = nm, .kind = K_OBJ, .flags = fl, .bit = b,                                  \
		.off = offsetof(struct oomtrace_event, m), .aux = &tab                             \
	}
#define FN(nm, codec)                                                                              \
	{                                                                                          \
		.name = nm, .kind = K_FN, .aux = &codec                                            \
	}

static const struct field event_fields[] = {
    FN("schema", oomtrace_schema_codec),
    U64("seq", struct oomtrace_event, seq, 0, 0),
    ENUM("record", record, 0, record_e),
    FN("time", oomtrace_time_codec),
    FN("uptime_s", oomtrace_uptime_codec),
    ENUM("source", source, 0, source_e),
    ENUM("probe", probe, 0, probe_e),
    STR("host", struct oomtrace_event, host, OOMTRACE_E_HOST, 0),
    ENUM("outcome", outcome, 0, outcome_e),
    U64("invocation", struct oomtrace_event, invocation, OOMTRACE_E_INVOCATION, 0),
    {.name = "trigger",
     .kind = K_OBJ,
     .flags = JF_STRICT | JF_TRIGGER,
     .off = offsetof(struct oomtrace_event, trigger),
     .aux = &task_table,
     .errname = "trigger/victim"},
    {.name = "victim",
     .kind = K_OBJ,
     .flags = JF_STRICT,
     .off = offsetof(struct oomtrace_event, victim),
     .aux = &task_table,
     .errname = "trigger/victim"},
    {.name = "victim_exiting", .kind = K_FLAG, .bit = OOMTRACE_E_EXITING},
    ENUM("victim_role", victim_role, OOMTRACE_E_ROLE, role_e),
    {.name = "selected",
     .kind = K_OBJ,
     .flags = JF_ABSENT,
     .bit = OOMTRACE_E_SELECTED | OOMTRACE_E_POINTS,
     .aux = &selected_table},
    ENUM("constraint", constraint, OOMTRACE_E_CONSTRAINT, constraint_e),
    STR("oom_memcg", struct oomtrace_event, oom_memcg, OOMTRACE_E_OOM_MEMCG, 0),
    STR("cpuset", struct oomtrace_event, cpuset, OOMTRACE_E_CPUSET, 0),
    STR("mems_allowed", struct oomtrace_event, mems_allowed, OOMTRACE_E_MEMS_ALLOWED, 0),
    U64("gfp_mask", struct oomtrace_event, gfp_mask, OOMTRACE_E_GFP_MASK, 0),
    STR("gfp_flags", struct oomtrace_event, gfp_flags, OOMTRACE_E_GFP_FLAGS, 0),
    INT("order", struct oomtrace_event, order, OOMTRACE_E_ORDER, 0, 64, 0),
    U64("totalpages", struct oomtrace_event, totalpages, OOMTRACE_E_TOTALPAGES, 0),
    {.name = "totalpages_derived", .kind = K_FLAG, .bit = OOMTRACE_E_TOTALPAGES_DERIVED},
    {.name = "reaped",
     .kind = K_OBJ,
     .flags = JF_SETBIT,
     .bit = OOMTRACE_E_REAPED,
     .aux = &reaped_table},
    U64("reap_latency_us", struct oomtrace_event, reap_latency_us, OOMTRACE_E_REAP_LATENCY, 0),
    {.name = "reap_skipped",
     .kind = K_BOOL,
     .flags = JF_TRUE,
     .off = offsetof(struct oomtrace_event, reap_skipped)},
    {.name = "allocation",
     .kind = K_OBJ,
     .flags = JF_ABSENT | JF_SETBIT,
     .bit = OOMTRACE_E_ALLOCATION,
     .aux = &alloc_table},
    {.name = "why",
     .kind = K_OBJ,
     .flags = JF_ABSENT | JF_SETBIT,
     .bit = OOMTRACE_E_WHY,
     .aux = &why_table},
    NAME("unit", struct oomtrace_event, names.unit),
    {.name = "container",
     .kind = K_OBJ,
     .off = offsetof(struct oomtrace_event, names),
     .aux = &container_table,
     .present = has_container},
    {.name = "k8s",
     .kind = K_OBJ,
     .off = offsetof(struct oomtrace_event, names),
     .aux = &k8s_table,
     .present = has_pod},
    {.name = "killer",
     .kind = K_OBJ,
     .off = offsetof(struct oomtrace_event, killer),
     .aux = &killer_table,
     .present = has_killer},
    OBJ("context", ctx, 0, context_table, JF_STRICT),
    {.name = "from_kmsg", .kind = K_FN, .flags = JF_ABSENT, .aux = &oomtrace_kmsg_codec},
    {.name = "partial", .kind = K_BOOL, .off = offsetof(struct oomtrace_event, partial)},
};
const struct table oomtrace_event_table = TABLE(struct oomtrace_event, event_fields);
