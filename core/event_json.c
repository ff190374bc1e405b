// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * event_json.c: the JSON form of struct oomtrace_event (schema 1), written
 * and read with json-c. One table of fields drives both directions (and the
 * journal, which flattens the written object): a field is named, typed and
 * placed once, so it cannot be written without being read, or read back
 * into another place.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "event_json.h"
#include "util.h"

const char *oomtrace_json_line(json_object *obj)
{
	return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
}

json_object *oomtrace_json_string(const char *s)
{
	char tmp[2048];
	size_t n = strlen(s);

	if (n * 3 + 1 > sizeof(tmp))
		n = (sizeof(tmp) - 1) / 3;
	oomtrace_utf8_repair(tmp, sizeof(tmp), s, n);
	return json_object_new_string(tmp);
}

/* ---- the table ---------------------------------------------------------------- */

enum kind {
	K_INT,   /* signed (or JF_UNSIGNED) integer of .size bytes; read within [lo, hi] */
	K_U64,   /* uint64_t; read: a non-negative integer */
	K_STR,   /* char[.size], repaired to UTF-8 */
	K_NAME,  /* char[.size], known when not empty (no known bit) */
	K_ENUM,  /* an enum, by its name (.aux: struct enum_names) */
	K_FLAG,  /* true when .bit is known; left out otherwise */
	K_BOOL,  /* a bool field, always written */
	K_OBJ,   /* a nested object (.aux: struct table) */
	K_KVSET, /* struct oomtrace_kvset: an object of integers, left out when empty */
	K_FN,    /* written and read by functions of its own (.aux: struct codec) */
};

enum {
	JF_ABSENT = 1u << 0,   /* not known: left out (default: null) */
	JF_UNSIGNED = 1u << 1, /* K_INT: the field is unsigned */
	JF_VICTIM = 1u << 2,   /* a task fact written for the victim only */
	JF_TRIGGER = 1u << 3,  /* K_OBJ: the trigger's task (its JF_VICTIM facts are left out) */
	JF_STRICT = 1u << 4,   /* K_OBJ: a member that is not an object is an error */
	JF_SETBIT = 1u << 5,   /* K_OBJ: the member's presence sets .bit */
	JF_NOBIT = 1u << 6,    /* read without setting .bit (the fact is known by another field) */
	JF_TRUE = 1u << 7,     /* K_BOOL: written only when true */
};

struct field;

/* The fields of one object: .known is where its struct keeps its known bits (NO_KNOWN: none). */
#define NO_KNOWN ((size_t)-1)
struct table {
	const struct field *f;
	size_t n;
	size_t known;
};

struct enum_names {
	const char *(*name)(int v);
	int (*parse)(const char *s, int *v);
	const char *unknown; /* the error when the name is not one of ours */
};

struct jctx;

struct codec {
	json_object *(*write)(const void *base);
	void (*read)(struct jctx *c, json_object *v, void *base);
};

struct field {
	const char *name;
	enum kind kind;
	unsigned int flags;
	uint32_t bit;     /* known bit(s) in the table's known word; 0: always known */
	size_t off;       /* where the value is, from the base of the table's struct */
	size_t size;      /* K_INT: 4 or 8; K_STR, K_NAME: the buffer */
	int64_t lo, hi;   /* K_INT: what reading accepts */
	const void *aux;  /* per kind, see enum kind */
	bool (*present)(const void *base); /* K_OBJ: written when true (else by .bit) */
	const char *errname; /* K_OBJ: the name errors use (NULL: .name) */
};

#define INT(nm, type, m, b, l, h, fl) { .name = nm, .kind = K_INT, .flags = fl, .bit = b, .off = offsetof(type, m), \
					.size = sizeof(((type *)0)->m), .lo = l, .hi = h }
#define U64(nm, type, m, b, fl) { .name = nm, .kind = K_U64, .flags = fl, .bit = b, .off = offsetof(type, m) }
#define STR(nm, type, m, b, fl) { .name = nm, .kind = K_STR, .flags = fl, .bit = b, .off = offsetof(type, m), \
				  .size = sizeof(((type *)0)->m) }
#define NAME(nm, type, m) { .name = nm, .kind = K_NAME, .off = offsetof(type, m), .size = sizeof(((type *)0)->m) }
#define KVSET(nm, type, m) { .name = nm, .kind = K_KVSET, .flags = JF_ABSENT, .off = offsetof(type, m) }
#define TABLE(type, fields) { fields, sizeof(fields) / sizeof(fields[0]), offsetof(type, known) }

/* the names of the event's enums, by int */
#define ENUM_NAMES(id, type, namefn, parsefn, msg)                              \
	static const char *id##_name(int v)                                     \
	{                                                                       \
		return namefn((type)v);                                         \
	}                                                                       \
	static int id##_parse(const char *s, int *v)                            \
	{                                                                       \
		type t = (type)0;                                               \
		int r = parsefn(s, &t);                                         \
		*v = (int)t;                                                    \
		return r;                                                       \
	}                                                                       \
	static const struct enum_names id = { id##_name, id##_parse, msg }
ENUM_NAMES(record_e, enum oomtrace_record, oomtrace_record_name, oomtrace_record_parse, "unknown record type");
ENUM_NAMES(source_e, enum oomtrace_source, oomtrace_source_name, oomtrace_source_parse, "unknown source");
ENUM_NAMES(probe_e, enum oomtrace_probe, oomtrace_probe_name, oomtrace_probe_parse, "unknown probe");
ENUM_NAMES(outcome_e, enum oomtrace_outcome, oomtrace_outcome_name, oomtrace_outcome_parse, "unknown outcome");
ENUM_NAMES(constraint_e, enum oomtrace_constraint, oomtrace_constraint_name, oomtrace_constraint_parse,
	   "unknown constraint");
#define ENUM(nm, m, b, names) { .name = nm, .kind = K_ENUM, .bit = b, .off = offsetof(struct oomtrace_event, m), \
				.aux = &names }

/* trigger and victim; the victim's sizes and uid only for the victim */
static const struct field task_fields[] = {
	INT("pid", struct oomtrace_task, pid, OOMTRACE_T_PID, INT32_MIN, INT32_MAX, 0),
	INT("tgid", struct oomtrace_task, tgid, OOMTRACE_T_TGID, INT32_MIN, INT32_MAX, 0),
	STR("comm", struct oomtrace_task, comm, OOMTRACE_T_COMM, 0),
	INT("uid", struct oomtrace_task, uid, OOMTRACE_T_UID, 0, UINT32_MAX, JF_UNSIGNED | JF_VICTIM),
	INT("oom_score_adj", struct oomtrace_task, oom_score_adj, OOMTRACE_T_OOM_SCORE_ADJ, -1000, 1000, 0),
	U64("total_vm_kb", struct oomtrace_task, total_vm_kb, OOMTRACE_T_TOTAL_VM, JF_VICTIM),
	U64("anon_rss_kb", struct oomtrace_task, anon_rss_kb, OOMTRACE_T_ANON_RSS, JF_VICTIM),
	U64("file_rss_kb", struct oomtrace_task, file_rss_kb, OOMTRACE_T_FILE_RSS, JF_VICTIM),
	U64("shmem_rss_kb", struct oomtrace_task, shmem_rss_kb, OOMTRACE_T_SHMEM_RSS, JF_VICTIM),
	U64("swap_kb", struct oomtrace_task, swap_kb, OOMTRACE_T_SWAP, JF_VICTIM),
	U64("pgtables_kb", struct oomtrace_task, pgtables_kb, OOMTRACE_T_PGTABLES, JF_VICTIM),
	STR("cgroup", struct oomtrace_task, cgroup, OOMTRACE_T_CGROUP, 0),
	U64("cgroup_id", struct oomtrace_task, cgroup_id, OOMTRACE_T_CGROUP_ID, 0),
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
static const struct table container_table = { container_fields, 2, NO_KNOWN };
static const struct table k8s_table = { k8s_fields, 5, NO_KNOWN };

static bool has_container(const void *names)
{
	return ((const struct oomtrace_names *)names)->container_id[0] != '\0';
}

static bool has_pod(const void *names)
{
	return ((const struct oomtrace_names *)names)->pod_uid[0] != '\0';
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
	INT("oom_score_adj", struct oomtrace_task_row, oom_score_adj, OOMTRACE_R_OOM_SCORE_ADJ, -1000, 1000, 0),
	STR("name", struct oomtrace_task_row, name, OOMTRACE_R_NAME, 0),
};
static const struct table row_table = TABLE(struct oomtrace_task_row, row_fields);

/* defined with their functions, at the end */
static const struct codec psi_codec, top_tasks_codec, schema_codec, time_codec, uptime_codec, kmsg_codec;

/* what the machine looked like around the kill */
static const struct field context_fields[] = {
	STR("loadavg", struct oomtrace_context, loadavg, OOMTRACE_C_LOADAVG, JF_ABSENT),
	KVSET("mem_info_pages", struct oomtrace_context, mem_info),
	KVSET("memcg", struct oomtrace_context, memcg),
	KVSET("memcg_stat", struct oomtrace_context, memcg_stat),
	KVSET("meminfo_kb", struct oomtrace_context, meminfo_kb),
	{ .name = "psi_memory", .kind = K_FN, .flags = JF_ABSENT, .aux = &psi_codec },
	KVSET("trigger_status", struct oomtrace_context, trigger_status),
	{ .name = "top_tasks", .kind = K_FN, .flags = JF_ABSENT, .aux = &top_tasks_codec },
};
static const struct table context_table = TABLE(struct oomtrace_context, context_fields);

#define OBJ(nm, m, b, tab, fl) { .name = nm, .kind = K_OBJ, .flags = fl, .bit = b, \
				 .off = offsetof(struct oomtrace_event, m), .aux = &tab }
#define FN(nm, codec) { .name = nm, .kind = K_FN, .aux = &codec }

static const struct field event_fields[] = {
	FN("schema", schema_codec),
	U64("seq", struct oomtrace_event, seq, 0, 0),
	ENUM("record", record, 0, record_e),
	FN("time", time_codec),
	FN("uptime_s", uptime_codec),
	ENUM("source", source, 0, source_e),
	ENUM("probe", probe, 0, probe_e),
	STR("host", struct oomtrace_event, host, OOMTRACE_E_HOST, 0),
	ENUM("outcome", outcome, 0, outcome_e),
	U64("invocation", struct oomtrace_event, invocation, OOMTRACE_E_INVOCATION, 0),
	{ .name = "trigger", .kind = K_OBJ, .flags = JF_STRICT | JF_TRIGGER, .off = offsetof(struct oomtrace_event, trigger),
	  .aux = &task_table, .errname = "trigger/victim" },
	{ .name = "victim", .kind = K_OBJ, .flags = JF_STRICT, .off = offsetof(struct oomtrace_event, victim),
	  .aux = &task_table, .errname = "trigger/victim" },
	{ .name = "victim_exiting", .kind = K_FLAG, .bit = OOMTRACE_E_EXITING },
	{ .name = "selected", .kind = K_OBJ, .flags = JF_ABSENT, .bit = OOMTRACE_E_SELECTED | OOMTRACE_E_POINTS,
	  .aux = &selected_table },
	ENUM("constraint", constraint, OOMTRACE_E_CONSTRAINT, constraint_e),
	STR("oom_memcg", struct oomtrace_event, oom_memcg, OOMTRACE_E_OOM_MEMCG, 0),
	STR("cpuset", struct oomtrace_event, cpuset, OOMTRACE_E_CPUSET, 0),
	STR("mems_allowed", struct oomtrace_event, mems_allowed, OOMTRACE_E_MEMS_ALLOWED, 0),
	U64("gfp_mask", struct oomtrace_event, gfp_mask, OOMTRACE_E_GFP_MASK, 0),
	STR("gfp_flags", struct oomtrace_event, gfp_flags, OOMTRACE_E_GFP_FLAGS, 0),
	INT("order", struct oomtrace_event, order, OOMTRACE_E_ORDER, 0, 64, 0),
	U64("totalpages", struct oomtrace_event, totalpages, OOMTRACE_E_TOTALPAGES, 0),
	{ .name = "totalpages_derived", .kind = K_FLAG, .bit = OOMTRACE_E_TOTALPAGES_DERIVED },
	{ .name = "reaped", .kind = K_OBJ, .flags = JF_SETBIT, .bit = OOMTRACE_E_REAPED, .aux = &reaped_table },
	U64("reap_latency_us", struct oomtrace_event, reap_latency_us, OOMTRACE_E_REAP_LATENCY, 0),
	{ .name = "reap_skipped", .kind = K_BOOL, .flags = JF_TRUE, .off = offsetof(struct oomtrace_event, reap_skipped) },
	NAME("unit", struct oomtrace_event, names.unit),
	{ .name = "container", .kind = K_OBJ, .off = offsetof(struct oomtrace_event, names), .aux = &container_table,
	  .present = has_container },
	{ .name = "k8s", .kind = K_OBJ, .off = offsetof(struct oomtrace_event, names), .aux = &k8s_table,
	  .present = has_pod },
	OBJ("context", ctx, 0, context_table, JF_STRICT),
	{ .name = "from_kmsg", .kind = K_FN, .flags = JF_ABSENT, .aux = &kmsg_codec },
	{ .name = "partial", .kind = K_BOOL, .off = offsetof(struct oomtrace_event, partial) },
};
static const struct table event_table = TABLE(struct oomtrace_event, event_fields);

/* ---- values in place -------------------------------------------------------------- */

static uint32_t *known_of(const struct table *t, const void *base)
{
	return t->known == NO_KNOWN ? NULL : (uint32_t *)((char *)base + t->known);
}

static bool is_known(const struct table *t, const struct field *f, const void *base)
{
	const uint32_t *k = known_of(t, base);

	return !f->bit || (k && (*k & f->bit));
}

static int64_t int_at(const struct field *f, const void *p)
{
	int32_t i32;
	uint32_t u32;
	int64_t i64;

	if (f->size == 8) {
		memcpy(&i64, p, 8);
		return i64;
	}
	if (f->flags & JF_UNSIGNED) {
		memcpy(&u32, p, 4);
		return u32;
	}
	memcpy(&i32, p, 4);
	return i32;
}

static void int_put(const struct field *f, void *p, int64_t v)
{
	uint32_t u32 = (uint32_t)(uint64_t)v;

	if (f->size == 8)
		memcpy(p, &v, 8);
	else
		memcpy(p, &u32, 4); /* two's complement: the same bits for int32_t */
}

/* ---- writing --------------------------------------------------------------------- */

static json_object *table_json(const struct table *t, const void *base, unsigned int flags);

static json_object *kvset_json(const struct oomtrace_kvset *set)
{
	json_object *o = json_object_new_object();
	unsigned int i;

	for (i = 0; i < set->n; i++)
		json_object_object_add(o, set->kv[i].key, json_object_new_int64(set->kv[i].val));
	return o;
}

/* The value of @f, or NULL (JSON null); *@absent when it is to be left out. */
static json_object *field_json(const struct table *t, const struct field *f, const void *base, bool *absent)
{
	const char *p = (const char *)base + f->off;
	bool known = is_known(t, f, base);

	*absent = false;
	switch (f->kind) {
	case K_FLAG:
		*absent = !known;
		return known ? json_object_new_boolean(1) : NULL;
	case K_BOOL:
		*absent = (f->flags & JF_TRUE) && !*(const bool *)p;
		return json_object_new_boolean(*(const bool *)p);
	case K_KVSET:
		*absent = !((const struct oomtrace_kvset *)p)->n;
		return *absent ? NULL : kvset_json((const struct oomtrace_kvset *)p);
	case K_FN: {
		json_object *v = ((const struct codec *)f->aux)->write(base);

		*absent = !v && (f->flags & JF_ABSENT);
		return v;
	}
	case K_NAME:
		return *p ? oomtrace_json_string(p) : NULL;
	case K_OBJ:
		known = f->present ? f->present(p) : (!f->bit || (*known_of(t, base) & f->bit));
		break;
	default:
		break;
	}
	if (!known) {
		*absent = f->flags & JF_ABSENT;
		return NULL;
	}
	switch (f->kind) {
	case K_INT:
		return json_object_new_int64(int_at(f, p));
	case K_U64:
		return json_object_new_uint64(*(const uint64_t *)p);
	case K_STR:
		return oomtrace_json_string(p);
	case K_ENUM:
		return json_object_new_string(((const struct enum_names *)f->aux)->name(*(const int *)p));
	case K_OBJ:
		return table_json(f->aux, p, f->flags);
	default:
		return NULL;
	}
}

static json_object *table_json(const struct table *t, const void *base, unsigned int flags)
{
	json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; o && i < t->n; i++) {
		const struct field *f = &t->f[i];
		json_object *v;
		bool absent;

		if ((flags & JF_TRIGGER) && (f->flags & JF_VICTIM))
			continue;
		v = field_json(t, f, base, &absent);
		if (!absent)
			json_object_object_add(o, f->name, v); /* a NULL v is JSON null */
	}
	return o;
}

json_object *oomtrace_event_to_json(const struct oomtrace_event *ev)
{
	return table_json(&event_table, ev, 0);
}

/* ---- reading ---------------------------------------------------------------------- */

struct jctx {
	char *err;
	size_t errsz;
	int failed;
};

static void fail(struct jctx *c, const char *field, const char *what)
{
	if (!c->failed)
		snprintf(c->err, c->errsz, "field \"%s\": %s", field, what);
	c->failed = 1;
}

/* Return the member or NULL when absent or null. */
static json_object *member(json_object *o, const char *k)
{
	json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, k, &v))
		return NULL;
	return v;
}

static bool get_i64(struct jctx *c, json_object *v, const char *k, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int)) {
		fail(c, k, "not an integer");
		return false;
	}
	errno = 0;
	x = json_object_get_int64(v);
	if (errno || x < lo || x > hi) {
		fail(c, k, "out of range");
		return false;
	}
	*out = x;
	return true;
}

static bool get_u64(struct jctx *c, json_object *v, const char *k, uint64_t *out)
{
	if (!json_object_is_type(v, json_type_int)) {
		fail(c, k, "not an integer");
		return false;
	}
	if (json_object_get_int64(v) < 0) {
		fail(c, k, "negative");
		return false;
	}
	*out = json_object_get_uint64(v);
	return true;
}

static bool get_str(struct jctx *c, json_object *v, const char *k, char *dst, size_t dstsz)
{
	if (!json_object_is_type(v, json_type_string)) {
		fail(c, k, "not a string");
		return false;
	}
	oomtrace_utf8_repair(dst, dstsz, json_object_get_string(v), (size_t)json_object_get_string_len(v));
	return true;
}

static void table_read(struct jctx *c, const struct table *t, json_object *o, void *base);

static void kvset_read(struct jctx *c, json_object *o, const char *name, struct oomtrace_kvset *set)
{
	if (!json_object_is_type(o, json_type_object)) {
		fail(c, name, "not an object");
		return;
	}
	json_object_object_foreach(o, key, val)
	{
		if (!json_object_is_type(val, json_type_int)) {
			fail(c, key, "not an integer");
			return;
		}
		if (oomtrace_kvset_set(set, key, strlen(key), json_object_get_int64(val)))
			return; /* more counters than we keep: the rest is dropped */
	}
}

/* The value of @f read from @v (not null) into its place: true when it is known now. */
static bool field_read(struct jctx *c, const struct field *f, json_object *v, void *base)
{
	char *p = (char *)base + f->off, s[64];
	const struct enum_names *en;
	int64_t x;
	int e;

	switch (f->kind) {
	case K_INT:
		if (!get_i64(c, v, f->name, f->lo, f->hi, &x))
			return false;
		int_put(f, p, x);
		return true;
	case K_U64:
		return get_u64(c, v, f->name, (uint64_t *)p);
	case K_STR:
	case K_NAME:
		return get_str(c, v, f->name, p, f->size);
	case K_ENUM:
		en = f->aux;
		if (!get_str(c, v, f->name, s, sizeof(s)))
			return false;
		if (en->parse(s, &e)) {
			fail(c, f->name, en->unknown);
			return false;
		}
		*(int *)p = e;
		return true;
	case K_FLAG:
		return json_object_get_boolean(v);
	case K_BOOL:
		*(bool *)p = json_object_get_boolean(v);
		return false;
	case K_KVSET:
		kvset_read(c, v, f->name, (struct oomtrace_kvset *)p);
		return false;
	case K_FN:
		((const struct codec *)f->aux)->read(c, v, base);
		return false;
	case K_OBJ:
		if (!json_object_is_type(v, json_type_object)) {
			if (f->flags & JF_STRICT)
				fail(c, f->errname ? f->errname : f->name, "not an object");
			return f->flags & JF_SETBIT;
		}
		table_read(c, f->aux, v, p);
		return f->flags & JF_SETBIT;
	}
	return false;
}

static void table_read(struct jctx *c, const struct table *t, json_object *o, void *base)
{
	uint32_t *known = known_of(t, base);
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct field *f = &t->f[i];
		json_object *v = member(o, f->name);

		if ((v || f->kind == K_FN) && field_read(c, f, v, base) && f->bit && !(f->flags & JF_NOBIT) && known)
			*known |= f->bit;
	}
}

int oomtrace_event_from_json(json_object *obj, struct oomtrace_event *ev, char *err, size_t errsz)
{
	struct jctx c = { .err = err, .errsz = errsz };

	oomtrace_event_init(ev);
	if (!json_object_is_type(obj, json_type_object)) {
		snprintf(err, errsz, "not a JSON object");
		return -EINVAL;
	}
	table_read(&c, &event_table, obj, ev);
	return c.failed ? -EINVAL : 0;
}

/* ---- the fields with rules of their own -------------------------------------------- */

/* schema: always 1 here, and required */
static json_object *schema_write(const void *base)
{
	(void)base;
	return json_object_new_int(OOMTRACE_SCHEMA_VERSION);
}

static void schema_read(struct jctx *c, json_object *v, void *base)
{
	int64_t schema = 0;

	(void)base;
	if (!v) {
		if (!c->failed)
			fail(c, "schema", "missing");
	} else if (get_i64(c, v, "schema", 1, INT32_MAX, &schema) && schema != OOMTRACE_SCHEMA_VERSION) {
		fail(c, "schema", "unsupported version (this oomtrace reads 1)");
	}
}

/* time: ISO 8601 in the zone it was recorded in, with microseconds where known */
static json_object *time_write(const void *base)
{
	const struct oomtrace_event *ev = base;
	char s[64];

	if (!(ev->known & OOMTRACE_E_TIME))
		return NULL;
	oomtrace_format_iso8601(s, sizeof(s), ev->time_us, ev->tz_off_s, !!(ev->known & OOMTRACE_E_TIME_SUBSEC));
	return json_object_new_string(s);
}

static void time_read(struct jctx *c, json_object *v, void *base)
{
	struct oomtrace_event *ev = base;
	char s[64];
	int subsec;

	if (!v || !get_str(c, v, "time", s, sizeof(s)))
		return;
	if (oomtrace_parse_iso8601(s, &ev->time_us, &ev->tz_off_s, &subsec))
		fail(c, "time", "not an ISO 8601 time");
	else
		ev->known |= OOMTRACE_E_TIME | (subsec ? OOMTRACE_E_TIME_SUBSEC : 0);
}

/* uptime_s: kernel time in seconds, written with exactly its microseconds */
static json_object *uptime_write(const void *base)
{
	const struct oomtrace_event *ev = base;
	char s[64];

	if (!(ev->known & OOMTRACE_E_UPTIME))
		return NULL;
	snprintf(s, sizeof(s), "%" PRIu64 ".%06" PRIu64, ev->uptime_ns / 1000000000, ev->uptime_ns % 1000000000 / 1000);
	return json_object_new_double_s((double)ev->uptime_ns / 1e9, s);
}

static void uptime_read(struct jctx *c, json_object *v, void *base)
{
	struct oomtrace_event *ev = base;
	const char *t, *d;
	unsigned long long sec, frac = 0;
	int digits = 0;

	if (!v)
		return;
	/* from the text, so the microseconds survive exactly: plain decimal seconds only */
	t = json_object_get_string(v);
	for (d = t; *d >= '0' && *d <= '9'; d++)
		;
	if (*d == '.')
		for (d++; *d >= '0' && *d <= '9'; d++)
			;
	if ((!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int)) || *d ||
	    !(*t >= '0' && *t <= '9') || strcspn(t, ".") > 11) {
		fail(c, "uptime_s", "not a plain non-negative number of seconds below 10^11");
		return;
	}
	sec = strtoull(t, (char **)&t, 10);
	if (*t == '.')
		for (t++; *t >= '0' && *t <= '9'; t++)
			if (digits < 9) {
				frac = frac * 10 + (unsigned)(*t - '0');
				digits++;
			}
	while (digits++ < 9)
		frac *= 10;
	ev->uptime_ns = sec * 1000000000ULL + frac;
	ev->known |= OOMTRACE_E_UPTIME;
}

/* from_kmsg: the groups of facts joined from the kernel's own report */
static json_object *kmsg_write(const void *base)
{
	const struct oomtrace_event *ev = base;
	json_object *a;
	uint32_t bit;

	if (!ev->from_kmsg)
		return NULL;
	a = json_object_new_array();
	for (bit = 1; bit & OOMTRACE_K_ALL; bit <<= 1)
		if (ev->from_kmsg & bit)
			json_object_array_add(a, json_object_new_string(oomtrace_kmsg_group_name(bit)));
	return a;
}

static void kmsg_read(struct jctx *c, json_object *v, void *base)
{
	struct oomtrace_event *ev = base;
	size_t i, n;

	if (!v)
		return;
	if (!json_object_is_type(v, json_type_array)) {
		fail(c, "from_kmsg", "not an array");
		return;
	}
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(v, i));
		uint32_t bit;

		for (bit = 1; bit & OOMTRACE_K_ALL; bit <<= 1)
			if (name && strcmp(name, oomtrace_kmsg_group_name(bit)) == 0)
				break;
		if (bit & OOMTRACE_K_ALL)
			ev->from_kmsg |= bit;
		else
			fail(c, "from_kmsg", "unknown group");
	}
}

/* psi_memory: {"some": {...}, "full": {...}}, each where known; averages as printed (2 decimals) */
static json_object *psi_one(const struct oomtrace_psi *p)
{
	const double avg[3] = { p->avg10, p->avg60, p->avg300 };
	static const char *const names[3] = { "avg10", "avg60", "avg300" };
	json_object *o = json_object_new_object();
	char s[32];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(s, sizeof(s), "%.2f", avg[i]);
		json_object_object_add(o, names[i], json_object_new_double_s(avg[i], s));
	}
	json_object_object_add(o, "total_us", json_object_new_uint64(p->total_us));
	return o;
}

static json_object *psi_write(const void *base)
{
	const struct oomtrace_context *c = base;
	json_object *p;

	if (!(c->known & (OOMTRACE_C_PSI_SOME | OOMTRACE_C_PSI_FULL)))
		return NULL;
	p = json_object_new_object();
	if (c->known & OOMTRACE_C_PSI_SOME)
		json_object_object_add(p, "some", psi_one(&c->psi_some));
	if (c->known & OOMTRACE_C_PSI_FULL)
		json_object_object_add(p, "full", psi_one(&c->psi_full));
	return p;
}

static void psi_read_one(struct jctx *c, json_object *o, struct oomtrace_psi *p)
{
	json_object *v;

	if ((v = member(o, "avg10")))
		p->avg10 = json_object_get_double(v);
	if ((v = member(o, "avg60")))
		p->avg60 = json_object_get_double(v);
	if ((v = member(o, "avg300")))
		p->avg300 = json_object_get_double(v);
	if ((v = member(o, "total_us")))
		get_u64(c, v, "total_us", &p->total_us);
}

static void psi_read(struct jctx *c, json_object *v, void *base)
{
	struct oomtrace_context *x = base;
	json_object *a;

	if ((a = member(v, "some"))) {
		psi_read_one(c, a, &x->psi_some);
		x->known |= OOMTRACE_C_PSI_SOME;
	}
	if ((a = member(v, "full"))) {
		psi_read_one(c, a, &x->psi_full);
		x->known |= OOMTRACE_C_PSI_FULL;
	}
}

/* top_tasks: the largest rows of the kernel's task table */
static json_object *top_tasks_write(const void *base)
{
	const struct oomtrace_context *c = base;
	json_object *a;
	unsigned int i;

	if (!c->ntop)
		return NULL;
	a = json_object_new_array();
	for (i = 0; i < c->ntop; i++)
		json_object_array_add(a, table_json(&row_table, &c->top[i], 0));
	return a;
}

static void top_tasks_read(struct jctx *c, json_object *a, void *base)
{
	struct oomtrace_context *x = base;
	size_t i, n;

	if (!a)
		return;
	if (!json_object_is_type(a, json_type_array)) {
		fail(c, "top_tasks", "not an array");
		return;
	}
	n = json_object_array_length(a);
	for (i = 0; i < n && x->ntop < OOMTRACE_TOP_TASKS; i++)
		table_read(c, &row_table, json_object_array_get_idx(a, i), &x->top[x->ntop++]);
}

static const struct codec schema_codec = { schema_write, schema_read };
static const struct codec time_codec = { time_write, time_read };
static const struct codec uptime_codec = { uptime_write, uptime_read };
static const struct codec kmsg_codec = { kmsg_write, kmsg_read };
static const struct codec psi_codec = { psi_write, psi_read };
static const struct codec top_tasks_codec = { top_tasks_write, top_tasks_read };
