// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * event_codecs.c: the fields of the event's JSON form that have rules of their own (schema,
 * time, uptime_s, from_kmsg, psi_memory, kernel_stack, user_stack), written and read by functions
 * that the field table (event_fields.c) names.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "event_fields.h"
#include "jsonw.h"
#include "util.h"

/* ---- the fields with rules of their own -------------------------------------------- */

/* schema: always 1 here, and required */
static bool schema_emit(struct oomtrace_jw *w, const void *base)
{
	(void)base;
	oomtrace_jw_i64(w, OOMTRACE_SCHEMA_VERSION);
	return true;
}

static void schema_read(struct jctx *c, json_object *v, void *base)
{
	int64_t schema = 0;

	(void)base;
	if (!v) {
		if (!c->failed)
			oomtrace_jf_fail(c, "schema", "missing");
	} else if (oomtrace_jf_i64(c, v, "schema", 1, INT32_MAX, &schema) &&
		   schema != OOMTRACE_SCHEMA_VERSION) {
		oomtrace_jf_fail(c, "schema", "unsupported version (this oomtrace reads 1)");
	}
}

/* time: ISO 8601 in the zone it was recorded in, with microseconds where known */
static bool time_emit(struct oomtrace_jw *w, const void *base)
{
	const struct oomtrace_event *ev = base;
	char s[64];

	if (!(ev->known & OOMTRACE_E_TIME))
		return false;
	oomtrace_format_iso8601(s, sizeof(s), ev->time_us, ev->tz_off_s,
				!!(ev->known & OOMTRACE_E_TIME_SUBSEC));
	oomtrace_jw_str(w, s);
	return true;
}

static void time_read(struct jctx *c, json_object *v, void *base)
{
	struct oomtrace_event *ev = base;
	char s[64];
	int subsec;

	if (!v || !oomtrace_jf_str(c, v, "time", s, sizeof(s)))
		return;
	if (oomtrace_parse_iso8601(s, &ev->time_us, &ev->tz_off_s, &subsec))
		oomtrace_jf_fail(c, "time", "not an ISO 8601 time");
	else
		ev->known |= OOMTRACE_E_TIME | (subsec ? OOMTRACE_E_TIME_SUBSEC : 0);
}

/* uptime_s: kernel time in seconds, written with exactly its microseconds */
static bool uptime_emit(struct oomtrace_jw *w, const void *base)
{
	const struct oomtrace_event *ev = base;
	char s[64];

	if (!(ev->known & OOMTRACE_E_UPTIME))
		return false;
	snprintf(s, sizeof(s), "%" PRIu64 ".%06" PRIu64, ev->uptime_ns / 1000000000,
		 ev->uptime_ns % 1000000000 / 1000);
	oomtrace_jw_number(w, s);
	return true;
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
	if ((!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int)) ||
	    *d || !(*t >= '0' && *t <= '9') || strcspn(t, ".") > 11) {
		oomtrace_jf_fail(c, "uptime_s",
				 "not a plain non-negative number of seconds below 10^11");
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
static bool kmsg_emit(struct oomtrace_jw *w, const void *base)
{
	const struct oomtrace_event *ev = base;
	uint32_t bit;

	if (!ev->from_kmsg)
		return false;
	oomtrace_jw_open(w, '[');
	for (bit = 1; bit & OOMTRACE_K_ALL; bit <<= 1)
		if (ev->from_kmsg & bit)
			oomtrace_jw_str(w, oomtrace_kmsg_group_name(bit));
	oomtrace_jw_close(w, ']');
	return true;
}

/* The length of an array member; 0 when it is absent, or not an array (then the read fails). */
static size_t jf_array_len(struct jctx *c, json_object *v, const char *field)
{
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_array)) {
		oomtrace_jf_fail(c, field, "not an array");
		return 0;
	}
	return json_object_array_length(v);
}

static void kmsg_read(struct jctx *c, json_object *v, void *base)
{
	struct oomtrace_event *ev = base;
	size_t i, n;

	n = jf_array_len(c, v, "from_kmsg");
	for (i = 0; i < n; i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(v, i));
		uint32_t bit;

		for (bit = 1; bit & OOMTRACE_K_ALL; bit <<= 1)
			if (name && strcmp(name, oomtrace_kmsg_group_name(bit)) == 0)
				break;
		if (bit & OOMTRACE_K_ALL)
			ev->from_kmsg |= bit;
		else
			oomtrace_jf_fail(c, "from_kmsg", "unknown group");
	}
}

/* psi_memory: {"some": {...}, "full": {...}}, each where known; averages as printed (2 decimals) */
static void psi_one(struct oomtrace_jw *w, const char *key, const struct oomtrace_psi *p)
{
	const double avg[3] = {p->avg10, p->avg60, p->avg300};
	static const char *const names[3] = {"avg10", "avg60", "avg300"};
	char s[32];
	int i;

	oomtrace_jw_key(w, key);
	oomtrace_jw_open(w, '{');
	for (i = 0; i < 3; i++) {
		snprintf(s, sizeof(s), "%.2f", avg[i]);
		oomtrace_jw_key(w, names[i]);
		oomtrace_jw_number(w, s);
	}
	oomtrace_jw_key(w, "total_us");
	oomtrace_jw_u64(w, p->total_us);
	oomtrace_jw_close(w, '}');
}

static bool psi_emit(struct oomtrace_jw *w, const void *base)
{
	const struct oomtrace_context *c = base;

	if (!(c->known & (OOMTRACE_C_PSI_SOME | OOMTRACE_C_PSI_FULL)))
		return false;
	oomtrace_jw_open(w, '{');
	if (c->known & OOMTRACE_C_PSI_SOME)
		psi_one(w, "some", &c->psi_some);
	if (c->known & OOMTRACE_C_PSI_FULL)
		psi_one(w, "full", &c->psi_full);
	oomtrace_jw_close(w, '}');
	return true;
}

static void psi_read_one(struct jctx *c, json_object *o, struct oomtrace_psi *p)
{
	json_object *v;

	if ((v = oomtrace_jf_member(o, "avg10")))
		p->avg10 = json_object_get_double(v);
	if ((v = oomtrace_jf_member(o, "avg60")))
		p->avg60 = json_object_get_double(v);
	if ((v = oomtrace_jf_member(o, "avg300")))
		p->avg300 = json_object_get_double(v);
	if ((v = oomtrace_jf_member(o, "total_us")))
		oomtrace_jf_u64(c, v, "total_us", &p->total_us);
}

static void psi_read(struct jctx *c, json_object *v, void *base)
{
	struct oomtrace_context *x = base;
	json_object *a;

	if ((a = oomtrace_jf_member(v, "some"))) {
		psi_read_one(c, a, &x->psi_some);
		x->known |= OOMTRACE_C_PSI_SOME;
	}
	if ((a = oomtrace_jf_member(v, "full"))) {
		psi_read_one(c, a, &x->psi_full);
		x->known |= OOMTRACE_C_PSI_FULL;
	}
}

const struct codec oomtrace_schema_codec = {schema_emit, schema_read};
const struct codec oomtrace_time_codec = {time_emit, time_read};
const struct codec oomtrace_uptime_codec = {uptime_emit, uptime_read};
const struct codec oomtrace_kmsg_codec = {kmsg_emit, kmsg_read};
const struct codec oomtrace_psi_codec = {psi_emit, psi_read};

/* trigger.kernel_stack: [{"function", "offset", "size", "module" (where one), "reliable"}, ...] */
static bool kstack_emit(struct oomtrace_jw *w, const void *base)
{
	const struct oomtrace_stack *st = &((const struct oomtrace_task *)base)->kstack;
	unsigned int i;

	if (!st->n)
		return false;
	oomtrace_jw_open(w, '[');
	for (i = 0; i < st->n; i++) {
		const struct oomtrace_frame *f = &st->f[i];

		oomtrace_jw_open(w, '{');
		oomtrace_jw_key(w, "function");
		oomtrace_jw_str(w, f->function);
		oomtrace_jw_key(w, "offset");
		oomtrace_jw_u64(w, f->offset);
		oomtrace_jw_key(w, "size");
		oomtrace_jw_u64(w, f->size);
		if (f->module[0]) {
			oomtrace_jw_key(w, "module");
			oomtrace_jw_str(w, f->module);
		}
		oomtrace_jw_key(w, "reliable");
		oomtrace_jw_bool(w, f->reliable);
		oomtrace_jw_close(w, '}');
	}
	oomtrace_jw_close(w, ']');
	return true;
}

static void kstack_read(struct jctx *c, json_object *a, void *base)
{
	struct oomtrace_stack *st = &((struct oomtrace_task *)base)->kstack;
	size_t i, n;

	n = jf_array_len(c, a, "kernel_stack");
	for (i = 0; i < n && st->n < OOMTRACE_STACK_MAX; i++) {
		json_object *o = json_object_array_get_idx(a, i), *v;
		struct oomtrace_frame *f = &st->f[st->n];
		uint64_t x;

		memset(f, 0, sizeof(*f));
		if (!json_object_is_type(o, json_type_object) ||
		    !(v = oomtrace_jf_member(o, "function")) ||
		    !oomtrace_jf_str(c, v, "function", f->function, sizeof(f->function))) {
			oomtrace_jf_fail(c, "kernel_stack", "a frame without its function");
			return;
		}
		if ((v = oomtrace_jf_member(o, "offset")) && oomtrace_jf_u64(c, v, "offset", &x))
			f->offset = (uint32_t)x;
		if ((v = oomtrace_jf_member(o, "size")) && oomtrace_jf_u64(c, v, "size", &x))
			f->size = (uint32_t)x;
		if ((v = oomtrace_jf_member(o, "module")))
			oomtrace_jf_str(c, v, "module", f->module, sizeof(f->module));
		v = oomtrace_jf_member(o, "reliable");
		f->reliable = !v || json_object_get_boolean(v);
		st->n++;
	}
}

const struct codec oomtrace_kstack_codec = {kstack_emit, kstack_read};

/*
 * trigger.user_stack: {"frames": [{"function", "offset", "file", "line", "module", "build_id",
 * "pc", "file_offset", "address", "method"}, ...], "end"} (what a frame lacks is left out), or
 * {"missing": why} where none could be taken.
 */
static void uframe_emit(struct oomtrace_jw *w, const struct oomtrace_uframe *f)
{
	oomtrace_jw_open(w, '{');
	if (f->function[0]) {
		oomtrace_jw_key(w, "function");
		oomtrace_jw_str(w, f->function);
		oomtrace_jw_key(w, "offset");
		oomtrace_jw_u64(w, f->fn_off);
	}
	if (f->line) {
		oomtrace_jw_key(w, "file");
		oomtrace_jw_str(w, f->file);
		oomtrace_jw_key(w, "line");
		oomtrace_jw_u64(w, f->line);
	}
	if (f->module[0]) {
		oomtrace_jw_key(w, "module");
		oomtrace_jw_str(w, f->module);
		oomtrace_jw_key(w, "file_offset");
		oomtrace_jw_u64(w, f->file_off);
	}
	if (f->build_id[0]) {
		oomtrace_jw_key(w, "build_id");
		oomtrace_jw_str(w, f->build_id);
	}
	if (f->elf_addr) {
		oomtrace_jw_key(w, "address");
		oomtrace_jw_u64(w, f->elf_addr);
	}
	oomtrace_jw_key(w, "pc");
	oomtrace_jw_u64(w, f->pc);
	oomtrace_jw_key(w, "method");
	oomtrace_jw_str(w, oomtrace_umethod_name(f->method));
	oomtrace_jw_close(w, '}');
}

static bool ustack_emit(struct oomtrace_jw *w, const void *base)
{
	const struct oomtrace_ustack *st = &((const struct oomtrace_task *)base)->ustack;

	if (!st->n && !st->missing[0])
		return false;
	oomtrace_jw_open(w, '{');
	if (!st->n) {
		oomtrace_jw_key(w, "missing");
		oomtrace_jw_str(w, st->missing);
		oomtrace_jw_close(w, '}');
		return true;
	}
	oomtrace_jw_key(w, "frames");
	oomtrace_jw_open(w, '[');
	for (unsigned int i = 0; i < st->n; i++)
		uframe_emit(w, &st->f[i]);
	oomtrace_jw_close(w, ']');
	oomtrace_jw_key(w, "end");
	oomtrace_jw_str(w, oomtrace_uend_name(st->end));
	oomtrace_jw_close(w, '}');
	return true;
}

static void uframe_read(struct jctx *c, json_object *o, struct oomtrace_uframe *f)
{
	json_object *v;
	uint64_t x;
	char name[16];

	memset(f, 0, sizeof(*f));
	if ((v = oomtrace_jf_member(o, "function")))
		oomtrace_jf_str(c, v, "function", f->function, sizeof(f->function));
	if ((v = oomtrace_jf_member(o, "offset")) && oomtrace_jf_u64(c, v, "offset", &x))
		f->fn_off = (uint32_t)x;
	if ((v = oomtrace_jf_member(o, "file")))
		oomtrace_jf_str(c, v, "file", f->file, sizeof(f->file));
	if ((v = oomtrace_jf_member(o, "line")) && oomtrace_jf_u64(c, v, "line", &x))
		f->line = (uint32_t)x;
	if ((v = oomtrace_jf_member(o, "module")))
		oomtrace_jf_str(c, v, "module", f->module, sizeof(f->module));
	if ((v = oomtrace_jf_member(o, "file_offset")))
		oomtrace_jf_u64(c, v, "file_offset", &f->file_off);
	if ((v = oomtrace_jf_member(o, "build_id")))
		oomtrace_jf_str(c, v, "build_id", f->build_id, sizeof(f->build_id));
	if ((v = oomtrace_jf_member(o, "address")))
		oomtrace_jf_u64(c, v, "address", &f->elf_addr);
	if ((v = oomtrace_jf_member(o, "pc")))
		oomtrace_jf_u64(c, v, "pc", &f->pc);
	if ((v = oomtrace_jf_member(o, "method")) &&
	    oomtrace_jf_str(c, v, "method", name, sizeof(name)) &&
	    oomtrace_umethod_parse(name, &f->method))
		oomtrace_jf_fail(c, "user_stack", "a frame's method is not regs, cfi or fp");
}

static void ustack_read(struct jctx *c, json_object *o, void *base)
{
	struct oomtrace_ustack *st = &((struct oomtrace_task *)base)->ustack;
	json_object *v;
	char name[24];
	size_t n;

	if (!o)
		return; /* absent */
	if (!json_object_is_type(o, json_type_object)) {
		oomtrace_jf_fail(c, "user_stack", "not an object");
		return;
	}
	if ((v = oomtrace_jf_member(o, "missing")))
		oomtrace_jf_str(c, v, "missing", st->missing, sizeof(st->missing));
	n = jf_array_len(c, oomtrace_jf_member(o, "frames"), "user_stack");
	for (size_t i = 0; i < n && st->n < OOMTRACE_USTACK_MAX; i++) {
		json_object *f = json_object_array_get_idx(oomtrace_jf_member(o, "frames"), i);

		if (!json_object_is_type(f, json_type_object)) {
			oomtrace_jf_fail(c, "user_stack", "a frame that is not an object");
			return;
		}
		uframe_read(c, f, &st->f[st->n++]);
	}
	if ((v = oomtrace_jf_member(o, "end")) &&
	    oomtrace_jf_str(c, v, "end", name, sizeof(name)) && oomtrace_uend_parse(name, &st->end))
		oomtrace_jf_fail(c, "user_stack", "an end this version does not know");
}

const struct codec oomtrace_ustack_codec = {ustack_emit, ustack_read};
