// SPDX-License-Identifier: GPL-2.0-or-later
/* event_json.c: the JSON form of struct oomtrace_event (schema 1), written and read with json-c. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
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

/* ---- writing ---------------------------------------------------------- */

static void add(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v); /* a NULL v is JSON null */
}

static json_object *u64_if(bool known, uint64_t v)
{
	return known ? json_object_new_uint64(v) : NULL;
}

static json_object *i64_if(bool known, int64_t v)
{
	return known ? json_object_new_int64(v) : NULL;
}

static json_object *str_if(bool known, const char *s)
{
	return known ? oomtrace_json_string(s) : NULL;
}

static json_object *kvset_json(const struct oomtrace_kvset *set)
{
	json_object *o = json_object_new_object();
	unsigned int i;

	for (i = 0; i < set->n; i++)
		add(o, set->kv[i].key, json_object_new_int64(set->kv[i].val));
	return o;
}

static json_object *psi_json(const struct oomtrace_psi *p)
{
	json_object *o = json_object_new_object();
	char s[32];

	snprintf(s, sizeof(s), "%.2f", p->avg10);
	add(o, "avg10", json_object_new_double_s(p->avg10, s));
	snprintf(s, sizeof(s), "%.2f", p->avg60);
	add(o, "avg60", json_object_new_double_s(p->avg60, s));
	snprintf(s, sizeof(s), "%.2f", p->avg300);
	add(o, "avg300", json_object_new_double_s(p->avg300, s));
	add(o, "total_us", json_object_new_uint64(p->total_us));
	return o;
}

static json_object *task_json(const struct oomtrace_task *t, bool victim)
{
	json_object *o = json_object_new_object();
	uint32_t k = t->known;

	add(o, "pid", i64_if(k & OOMTRACE_T_PID, t->pid));
	add(o, "tgid", i64_if(k & OOMTRACE_T_TGID, t->tgid));
	add(o, "comm", str_if(k & OOMTRACE_T_COMM, t->comm));
	if (victim)
		add(o, "uid", u64_if(k & OOMTRACE_T_UID, t->uid));
	add(o, "oom_score_adj", i64_if(k & OOMTRACE_T_OOM_SCORE_ADJ, t->oom_score_adj));
	if (victim) {
		add(o, "total_vm_kb", u64_if(k & OOMTRACE_T_TOTAL_VM, t->total_vm_kb));
		add(o, "anon_rss_kb", u64_if(k & OOMTRACE_T_ANON_RSS, t->anon_rss_kb));
		add(o, "file_rss_kb", u64_if(k & OOMTRACE_T_FILE_RSS, t->file_rss_kb));
		add(o, "shmem_rss_kb", u64_if(k & OOMTRACE_T_SHMEM_RSS, t->shmem_rss_kb));
		add(o, "swap_kb", u64_if(k & OOMTRACE_T_SWAP, t->swap_kb));
		add(o, "pgtables_kb", u64_if(k & OOMTRACE_T_PGTABLES, t->pgtables_kb));
	}
	add(o, "cgroup", str_if(k & OOMTRACE_T_CGROUP, t->cgroup));
	add(o, "cgroup_id", u64_if(k & OOMTRACE_T_CGROUP_ID, t->cgroup_id));
	return o;
}

static json_object *context_json(const struct oomtrace_context *c)
{
	json_object *o = json_object_new_object();
	unsigned int i;

	if (c->known & OOMTRACE_C_LOADAVG)
		add(o, "loadavg", oomtrace_json_string(c->loadavg));
	if (c->mem_info.n)
		add(o, "mem_info_pages", kvset_json(&c->mem_info));
	if (c->memcg.n)
		add(o, "memcg", kvset_json(&c->memcg));
	if (c->memcg_stat.n)
		add(o, "memcg_stat", kvset_json(&c->memcg_stat));
	if (c->meminfo_kb.n)
		add(o, "meminfo_kb", kvset_json(&c->meminfo_kb));
	if (c->known & (OOMTRACE_C_PSI_SOME | OOMTRACE_C_PSI_FULL)) {
		json_object *p = json_object_new_object();

		if (c->known & OOMTRACE_C_PSI_SOME)
			add(p, "some", psi_json(&c->psi_some));
		if (c->known & OOMTRACE_C_PSI_FULL)
			add(p, "full", psi_json(&c->psi_full));
		add(o, "psi_memory", p);
	}
	if (c->trigger_status.n)
		add(o, "trigger_status", kvset_json(&c->trigger_status));
	if (c->ntop) {
		json_object *a = json_object_new_array();

		for (i = 0; i < c->ntop; i++) {
			const struct oomtrace_task_row *r = &c->top[i];
			json_object *t = json_object_new_object();

			/* null: a column this kernel's table does not have */
			add(t, "pid", json_object_new_int64(r->pid));
			add(t, "uid", u64_if(r->known & OOMTRACE_R_UID, r->uid));
			add(t, "tgid", i64_if(r->known & OOMTRACE_R_TGID, r->tgid));
			add(t, "total_vm_pages", u64_if(r->known & OOMTRACE_R_TOTAL_VM, r->total_vm_pages));
			add(t, "rss_pages", u64_if(r->known & OOMTRACE_R_RSS, r->rss_pages));
			add(t, "pgtables_bytes", u64_if(r->known & OOMTRACE_R_PGTABLES, r->pgtables_bytes));
			add(t, "swapents", u64_if(r->known & OOMTRACE_R_SWAPENTS, r->swapents));
			add(t, "oom_score_adj", i64_if(r->known & OOMTRACE_R_OOM_SCORE_ADJ, r->oom_score_adj));
			add(t, "name", (r->known & OOMTRACE_R_NAME) ? oomtrace_json_string(r->name) : NULL);
			json_object_array_add(a, t);
		}
		add(o, "top_tasks", a);
	}
	return o;
}

json_object *oomtrace_event_to_json(const struct oomtrace_event *ev)
{
	json_object *o = json_object_new_object();
	uint32_t k = ev->known;
	char s[64];

	if (!o)
		return NULL;
	add(o, "schema", json_object_new_int(OOMTRACE_SCHEMA_VERSION));
	add(o, "seq", json_object_new_uint64(ev->seq));
	add(o, "record", json_object_new_string(oomtrace_record_name(ev->record)));
	if (k & OOMTRACE_E_TIME) {
		oomtrace_format_iso8601(s, sizeof(s), ev->time_us, ev->tz_off_s,
					!!(k & OOMTRACE_E_TIME_SUBSEC));
		add(o, "time", json_object_new_string(s));
	} else {
		add(o, "time", NULL);
	}
	if (k & OOMTRACE_E_UPTIME) {
		snprintf(s, sizeof(s), "%" PRIu64 ".%06" PRIu64, ev->uptime_ns / 1000000000,
			 ev->uptime_ns % 1000000000 / 1000);
		add(o, "uptime_s", json_object_new_double_s((double)ev->uptime_ns / 1e9, s));
	} else {
		add(o, "uptime_s", NULL);
	}
	add(o, "source", json_object_new_string(oomtrace_source_name(ev->source)));
	add(o, "probe", json_object_new_string(oomtrace_probe_name(ev->probe)));
	add(o, "host", str_if(k & OOMTRACE_E_HOST, ev->host));
	add(o, "outcome", json_object_new_string(oomtrace_outcome_name(ev->outcome)));
	add(o, "invocation", u64_if(k & OOMTRACE_E_INVOCATION, ev->invocation));
	add(o, "trigger", task_json(&ev->trigger, false));
	add(o, "victim", task_json(&ev->victim, true));
	if (k & OOMTRACE_E_EXITING)
		add(o, "victim_exiting", json_object_new_boolean(1));
	if (k & (OOMTRACE_E_SELECTED | OOMTRACE_E_POINTS)) {
		json_object *sel = json_object_new_object();

		add(sel, "pid", i64_if(k & OOMTRACE_E_SELECTED, ev->selected_pid));
		add(sel, "comm", str_if(k & OOMTRACE_E_SELECTED, ev->selected_comm));
		add(sel, "points", i64_if(k & OOMTRACE_E_POINTS, ev->points));
		add(o, "selected", sel);
	}
	add(o, "constraint",
	    k & OOMTRACE_E_CONSTRAINT
		    ? json_object_new_string(oomtrace_constraint_name(ev->constraint))
		    : NULL);
	add(o, "oom_memcg", str_if(k & OOMTRACE_E_OOM_MEMCG, ev->oom_memcg));
	add(o, "cpuset", str_if(k & OOMTRACE_E_CPUSET, ev->cpuset));
	add(o, "mems_allowed", str_if(k & OOMTRACE_E_MEMS_ALLOWED, ev->mems_allowed));
	add(o, "gfp_mask", u64_if(k & OOMTRACE_E_GFP_MASK, ev->gfp_mask));
	add(o, "gfp_flags", str_if(k & OOMTRACE_E_GFP_FLAGS, ev->gfp_flags));
	add(o, "order", i64_if(k & OOMTRACE_E_ORDER, ev->order));
	add(o, "totalpages", u64_if(k & OOMTRACE_E_TOTALPAGES, ev->totalpages));
	if (k & OOMTRACE_E_TOTALPAGES_DERIVED)
		add(o, "totalpages_derived", json_object_new_boolean(1));
	if (k & OOMTRACE_E_REAPED) {
		json_object *r = json_object_new_object();

		add(r, "anon_rss_kb", json_object_new_uint64(ev->reaped_anon_rss_kb));
		add(r, "file_rss_kb", json_object_new_uint64(ev->reaped_file_rss_kb));
		add(r, "shmem_rss_kb", json_object_new_uint64(ev->reaped_shmem_rss_kb));
		add(o, "reaped", r);
	} else {
		add(o, "reaped", NULL);
	}
	add(o, "reap_latency_us", u64_if(k & OOMTRACE_E_REAP_LATENCY, ev->reap_latency_us));
	if (ev->reap_skipped)
		add(o, "reap_skipped", json_object_new_boolean(1));
	{
		/* who the victim's cgroup belongs to (core/names.c) */
		const struct oomtrace_names *n = &ev->names;
		json_object *x = NULL;

		add(o, "unit", str_if(n->unit[0], n->unit));
		if (n->container_id[0]) {
			x = json_object_new_object();
			add(x, "id", oomtrace_json_string(n->container_id));
			add(x, "runtime", str_if(n->runtime[0], n->runtime));
		}
		add(o, "container", x);
		x = NULL;
		if (n->pod_uid[0]) {
			x = json_object_new_object();
			add(x, "namespace", str_if(n->k8s_namespace[0], n->k8s_namespace));
			add(x, "pod", str_if(n->pod[0], n->pod));
			add(x, "pod_uid", oomtrace_json_string(n->pod_uid));
			add(x, "container", str_if(n->container[0], n->container));
			add(x, "qos", str_if(n->qos[0], n->qos));
		}
		add(o, "k8s", x);
	}
	add(o, "context", context_json(&ev->ctx));
	if (ev->from_kmsg) {
		json_object *a = json_object_new_array();
		uint32_t bit;

		for (bit = 1; bit & OOMTRACE_K_ALL; bit <<= 1)
			if (ev->from_kmsg & bit)
				json_object_array_add(a, json_object_new_string(oomtrace_kmsg_group_name(bit)));
		add(o, "from_kmsg", a);
	}
	add(o, "partial", json_object_new_boolean(ev->partial));
	return o;
}

/* ---- reading ---------------------------------------------------------- */

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

static bool get_i64(struct jctx *c, json_object *o, const char *k, int64_t lo, int64_t hi,
		    int64_t *out)
{
	json_object *v = member(o, k);
	int64_t x;

	if (!v)
		return false;
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

static bool get_u64(struct jctx *c, json_object *o, const char *k, uint64_t *out)
{
	json_object *v = member(o, k);

	if (!v)
		return false;
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

static bool get_str(struct jctx *c, json_object *o, const char *k, char *dst, size_t dstsz)
{
	json_object *v = member(o, k);
	const char *s;

	if (!v)
		return false;
	if (!json_object_is_type(v, json_type_string)) {
		fail(c, k, "not a string");
		return false;
	}
	s = json_object_get_string(v);
	oomtrace_utf8_repair(dst, dstsz, s, (size_t)json_object_get_string_len(v));
	return true;
}

#define GET_I32(c, o, k, lo, hi, dst, known, bit)                   \
	do {                                                        \
		int64_t v_;                                         \
		if (get_i64(c, o, k, lo, hi, &v_)) {                \
			(dst) = (int32_t)v_;                        \
			(known) |= (bit);                           \
		}                                                   \
	} while (0)
#define GET_U64(c, o, k, dst, known, bit)                           \
	do {                                                        \
		if (get_u64(c, o, k, &(dst)))                       \
			(known) |= (bit);                           \
	} while (0)

static void task_from(struct jctx *c, json_object *o, struct oomtrace_task *t)
{
	int64_t v;

	if (!o)
		return;
	if (!json_object_is_type(o, json_type_object)) {
		fail(c, "trigger/victim", "not an object");
		return;
	}
	GET_I32(c, o, "pid", INT32_MIN, INT32_MAX, t->pid, t->known, OOMTRACE_T_PID);
	GET_I32(c, o, "tgid", INT32_MIN, INT32_MAX, t->tgid, t->known, OOMTRACE_T_TGID);
	if (get_i64(c, o, "uid", 0, UINT32_MAX, &v)) {
		t->uid = (uint32_t)v;
		t->known |= OOMTRACE_T_UID;
	}
	GET_I32(c, o, "oom_score_adj", -1000, 1000, t->oom_score_adj, t->known,
		OOMTRACE_T_OOM_SCORE_ADJ);
	GET_U64(c, o, "total_vm_kb", t->total_vm_kb, t->known, OOMTRACE_T_TOTAL_VM);
	GET_U64(c, o, "anon_rss_kb", t->anon_rss_kb, t->known, OOMTRACE_T_ANON_RSS);
	GET_U64(c, o, "file_rss_kb", t->file_rss_kb, t->known, OOMTRACE_T_FILE_RSS);
	GET_U64(c, o, "shmem_rss_kb", t->shmem_rss_kb, t->known, OOMTRACE_T_SHMEM_RSS);
	GET_U64(c, o, "swap_kb", t->swap_kb, t->known, OOMTRACE_T_SWAP);
	GET_U64(c, o, "pgtables_kb", t->pgtables_kb, t->known, OOMTRACE_T_PGTABLES);
	GET_U64(c, o, "cgroup_id", t->cgroup_id, t->known, OOMTRACE_T_CGROUP_ID);
	if (get_str(c, o, "comm", t->comm, sizeof(t->comm)))
		t->known |= OOMTRACE_T_COMM;
	if (get_str(c, o, "cgroup", t->cgroup, sizeof(t->cgroup)))
		t->known |= OOMTRACE_T_CGROUP;
}

static void kvset_from(struct jctx *c, json_object *o, const char *name, struct oomtrace_kvset *set)
{
	if (!o)
		return;
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

static void psi_from(struct jctx *c, json_object *o, struct oomtrace_psi *p)
{
	json_object *v;

	if ((v = member(o, "avg10")))
		p->avg10 = json_object_get_double(v);
	if ((v = member(o, "avg60")))
		p->avg60 = json_object_get_double(v);
	if ((v = member(o, "avg300")))
		p->avg300 = json_object_get_double(v);
	get_u64(c, o, "total_us", &p->total_us);
}

static void context_from(struct jctx *c, json_object *o, struct oomtrace_context *x)
{
	json_object *v, *a;
	size_t i, n;

	if (!o)
		return;
	if (!json_object_is_type(o, json_type_object)) {
		fail(c, "context", "not an object");
		return;
	}
	if (get_str(c, o, "loadavg", x->loadavg, sizeof(x->loadavg)))
		x->known |= OOMTRACE_C_LOADAVG;
	kvset_from(c, member(o, "mem_info_pages"), "mem_info_pages", &x->mem_info);
	kvset_from(c, member(o, "memcg"), "memcg", &x->memcg);
	kvset_from(c, member(o, "memcg_stat"), "memcg_stat", &x->memcg_stat);
	kvset_from(c, member(o, "meminfo_kb"), "meminfo_kb", &x->meminfo_kb);
	kvset_from(c, member(o, "trigger_status"), "trigger_status", &x->trigger_status);
	if ((v = member(o, "psi_memory"))) {
		if ((a = member(v, "some"))) {
			psi_from(c, a, &x->psi_some);
			x->known |= OOMTRACE_C_PSI_SOME;
		}
		if ((a = member(v, "full"))) {
			psi_from(c, a, &x->psi_full);
			x->known |= OOMTRACE_C_PSI_FULL;
		}
	}
	a = member(o, "top_tasks");
	if (!a)
		return;
	if (!json_object_is_type(a, json_type_array)) {
		fail(c, "top_tasks", "not an array");
		return;
	}
	n = json_object_array_length(a);
	for (i = 0; i < n && x->ntop < OOMTRACE_TOP_TASKS; i++) {
		json_object *t = json_object_array_get_idx(a, i);
		struct oomtrace_task_row *r = &x->top[x->ntop++];
		int64_t s;

		if (get_i64(c, t, "pid", INT32_MIN, INT32_MAX, &s))
			r->pid = (int32_t)s;
		if (get_i64(c, t, "uid", 0, UINT32_MAX, &s)) {
			r->uid = (uint32_t)s;
			r->known |= OOMTRACE_R_UID;
		}
		if (get_i64(c, t, "tgid", INT32_MIN, INT32_MAX, &s)) {
			r->tgid = (int32_t)s;
			r->known |= OOMTRACE_R_TGID;
		}
		if (get_i64(c, t, "oom_score_adj", -1000, 1000, &s)) {
			r->oom_score_adj = (int32_t)s;
			r->known |= OOMTRACE_R_OOM_SCORE_ADJ;
		}
		if (get_u64(c, t, "total_vm_pages", &r->total_vm_pages))
			r->known |= OOMTRACE_R_TOTAL_VM;
		if (get_u64(c, t, "rss_pages", &r->rss_pages))
			r->known |= OOMTRACE_R_RSS;
		if (get_u64(c, t, "pgtables_bytes", &r->pgtables_bytes))
			r->known |= OOMTRACE_R_PGTABLES;
		if (get_u64(c, t, "swapents", &r->swapents))
			r->known |= OOMTRACE_R_SWAPENTS;
		if (get_str(c, t, "name", r->name, sizeof(r->name)))
			r->known |= OOMTRACE_R_NAME;
	}
}

int oomtrace_event_from_json(json_object *obj, struct oomtrace_event *ev, char *err, size_t errsz)
{
	struct jctx c = { .err = err, .errsz = errsz };
	json_object *v;
	int64_t schema = 0;
	char s[64];
	int subsec;

	oomtrace_event_init(ev);
	if (!json_object_is_type(obj, json_type_object)) {
		snprintf(err, errsz, "not a JSON object");
		return -EINVAL;
	}
	if (!get_i64(&c, obj, "schema", 1, INT32_MAX, &schema) && !c.failed)
		fail(&c, "schema", "missing");
	else if (schema != OOMTRACE_SCHEMA_VERSION)
		fail(&c, "schema", "unsupported version (this oomtrace reads 1)");
	get_u64(&c, obj, "seq", &ev->seq);
	if (get_str(&c, obj, "record", s, sizeof(s)) && oomtrace_record_parse(s, &ev->record))
		fail(&c, "record", "unknown record type");
	if ((v = member(obj, "reap_skipped")))
		ev->reap_skipped = json_object_get_boolean(v);
	if (get_str(&c, obj, "time", s, sizeof(s))) {
		if (oomtrace_parse_iso8601(s, &ev->time_us, &ev->tz_off_s, &subsec))
			fail(&c, "time", "not an ISO 8601 time");
		else
			ev->known |= OOMTRACE_E_TIME | (subsec ? OOMTRACE_E_TIME_SUBSEC : 0);
	}
	if ((v = member(obj, "uptime_s"))) {
		const char *t = json_object_get_string(v), *d;
		unsigned long long sec = 0, frac = 0;
		int digits = 0;

		/* from the text, so the microseconds survive exactly: plain decimal seconds only */
		for (d = t; *d >= '0' && *d <= '9'; d++)
			;
		if (*d == '.')
			for (d++; *d >= '0' && *d <= '9'; d++)
				;
		if ((!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int)) ||
		    *d || !(*t >= '0' && *t <= '9') || strcspn(t, ".") > 11) {
			fail(&c, "uptime_s", "not a plain non-negative number of seconds below 10^11");
		} else {
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
	}
	if (get_str(&c, obj, "source", s, sizeof(s)) && oomtrace_source_parse(s, &ev->source))
		fail(&c, "source", "unknown source");
	if (get_str(&c, obj, "probe", s, sizeof(s)) && oomtrace_probe_parse(s, &ev->probe))
		fail(&c, "probe", "unknown probe");
	if (get_str(&c, obj, "outcome", s, sizeof(s)) && oomtrace_outcome_parse(s, &ev->outcome))
		fail(&c, "outcome", "unknown outcome");
	if (get_str(&c, obj, "host", ev->host, sizeof(ev->host)))
		ev->known |= OOMTRACE_E_HOST;
	GET_U64(&c, obj, "invocation", ev->invocation, ev->known, OOMTRACE_E_INVOCATION);
	task_from(&c, member(obj, "trigger"), &ev->trigger);
	task_from(&c, member(obj, "victim"), &ev->victim);
	if ((v = member(obj, "victim_exiting")) && json_object_get_boolean(v))
		ev->known |= OOMTRACE_E_EXITING;
	if ((v = member(obj, "selected"))) {
		int64_t x;

		if (get_i64(&c, v, "pid", INT32_MIN, INT32_MAX, &x)) {
			ev->selected_pid = (int32_t)x;
			ev->known |= OOMTRACE_E_SELECTED;
		}
		get_str(&c, v, "comm", ev->selected_comm, sizeof(ev->selected_comm));
		if (get_i64(&c, v, "points", INT64_MIN, INT64_MAX, &x)) {
			ev->points = x;
			ev->known |= OOMTRACE_E_POINTS;
		}
	}
	if (get_str(&c, obj, "constraint", s, sizeof(s))) {
		if (oomtrace_constraint_parse(s, &ev->constraint))
			fail(&c, "constraint", "unknown constraint");
		else
			ev->known |= OOMTRACE_E_CONSTRAINT;
	}
	if (get_str(&c, obj, "oom_memcg", ev->oom_memcg, sizeof(ev->oom_memcg)))
		ev->known |= OOMTRACE_E_OOM_MEMCG;
	if (get_str(&c, obj, "cpuset", ev->cpuset, sizeof(ev->cpuset)))
		ev->known |= OOMTRACE_E_CPUSET;
	if (get_str(&c, obj, "mems_allowed", ev->mems_allowed, sizeof(ev->mems_allowed)))
		ev->known |= OOMTRACE_E_MEMS_ALLOWED;
	GET_U64(&c, obj, "gfp_mask", ev->gfp_mask, ev->known, OOMTRACE_E_GFP_MASK);
	if (get_str(&c, obj, "gfp_flags", ev->gfp_flags, sizeof(ev->gfp_flags)))
		ev->known |= OOMTRACE_E_GFP_FLAGS;
	GET_I32(&c, obj, "order", 0, 64, ev->order, ev->known, OOMTRACE_E_ORDER);
	GET_U64(&c, obj, "totalpages", ev->totalpages, ev->known, OOMTRACE_E_TOTALPAGES);
	if ((v = member(obj, "totalpages_derived")) && json_object_get_boolean(v))
		ev->known |= OOMTRACE_E_TOTALPAGES_DERIVED;
	if ((v = member(obj, "reaped"))) {
		get_u64(&c, v, "anon_rss_kb", &ev->reaped_anon_rss_kb);
		get_u64(&c, v, "file_rss_kb", &ev->reaped_file_rss_kb);
		get_u64(&c, v, "shmem_rss_kb", &ev->reaped_shmem_rss_kb);
		ev->known |= OOMTRACE_E_REAPED;
	}
	GET_U64(&c, obj, "reap_latency_us", ev->reap_latency_us, ev->known,
		OOMTRACE_E_REAP_LATENCY);
	context_from(&c, member(obj, "context"), &ev->ctx);
	if ((v = member(obj, "from_kmsg"))) {
		size_t i, n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;

		if (!json_object_is_type(v, json_type_array))
			fail(&c, "from_kmsg", "not an array");
		for (i = 0; i < n; i++) {
			const char *name = json_object_get_string(json_object_array_get_idx(v, i));
			uint32_t bit;

			for (bit = 1; bit & OOMTRACE_K_ALL; bit <<= 1)
				if (name && strcmp(name, oomtrace_kmsg_group_name(bit)) == 0)
					break;
			if (bit & OOMTRACE_K_ALL)
				ev->from_kmsg |= bit;
			else
				fail(&c, "from_kmsg", "unknown group");
		}
	}
	get_str(&c, obj, "unit", ev->names.unit, sizeof(ev->names.unit));
	if ((v = member(obj, "container"))) {
		get_str(&c, v, "id", ev->names.container_id, sizeof(ev->names.container_id));
		get_str(&c, v, "runtime", ev->names.runtime, sizeof(ev->names.runtime));
	}
	if ((v = member(obj, "k8s"))) {
		struct oomtrace_names *n = &ev->names;

		get_str(&c, v, "namespace", n->k8s_namespace, sizeof(n->k8s_namespace));
		get_str(&c, v, "pod", n->pod, sizeof(n->pod));
		get_str(&c, v, "pod_uid", n->pod_uid, sizeof(n->pod_uid));
		get_str(&c, v, "container", n->container, sizeof(n->container));
		get_str(&c, v, "qos", n->qos, sizeof(n->qos));
	}
	if ((v = member(obj, "partial")))
		ev->partial = json_object_get_boolean(v);
	return c.failed ? -EINVAL : 0;
}
