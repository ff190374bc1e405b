// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * event_json.c: the JSON form of struct oomtrace_event (schema 1), written
 * and read with json-c by walking the field table of event_fields.c: one
 * writer and one reader for every field.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "event_fields.h"
#include "event_json.h"
#include "jsonw.h"
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

/* ---- writing: one streaming walk of the table ------------------------------------ */

static void kvset_emit(struct oomtrace_jw *w, const struct oomtrace_kvset *set)
{
	unsigned int i;

	oomtrace_jw_open(w, '{');
	for (i = 0; i < set->n; i++) {
		char key[OOMTRACE_KEY_MAX * 3];
		const char *k = set->kv[i].key;

		/* keys come from log text: repaired, as every string we write (ASCII is as it is)
		 */
		while (*k > 0 && *k < 0x7f)
			k++;
		if (*k) {
			oomtrace_utf8_repair(key, sizeof(key), set->kv[i].key,
					     strlen(set->kv[i].key));
			k = key;
		} else {
			k = set->kv[i].key;
		}
		oomtrace_jw_key(w, k);
		oomtrace_jw_i64(w, set->kv[i].val);
	}
	oomtrace_jw_close(w, '}');
}

static unsigned int *array_count(const struct field *f, const void *base)
{
	return (unsigned int *)((char *)base + ((const struct array_of *)f->aux)->count);
}

/* K_ARRAY: the elements, as objects of their table; false (nothing written) when none */
static bool array_emit(struct oomtrace_jw *w, const struct field *f, const void *base)
{
	const struct array_of *a = f->aux;
	unsigned int i, n = *array_count(f, base);

	if (!n)
		return false;
	oomtrace_jw_open(w, '[');
	for (i = 0; i < n && i < a->max; i++)
		oomtrace_jf_emit(w, a->t, (const char *)base + f->off + i * a->elem_size, 0);
	oomtrace_jw_close(w, ']');
	return true;
}

/* Member @f: its value, null, or nothing (left out). */
static void field_emit(struct oomtrace_jw *w, const struct table *t, const struct field *f,
		       const void *base)
{
	const char *p = (const char *)base + f->off;
	bool known = is_known(t, f, base);

	oomtrace_jw_key(w, f->name);
	switch (f->kind) {
	case K_FLAG:
		if (known)
			oomtrace_jw_bool(w, true);
		break;
	case K_BOOL:
		if (!(f->flags & JF_TRUE) || *(const bool *)p)
			oomtrace_jw_bool(w, *(const bool *)p);
		break;
	case K_KVSET:
		if (((const struct oomtrace_kvset *)p)->n)
			kvset_emit(w, (const struct oomtrace_kvset *)p);
		break;
	case K_FN:
		if (!((const struct codec *)f->aux)->emit(w, base) && !(f->flags & JF_ABSENT))
			oomtrace_jw_null(w);
		break;
	case K_ARRAY:
		if (!array_emit(w, f, base) && !(f->flags & JF_ABSENT))
			oomtrace_jw_null(w);
		break;
	case K_NAME:
		if (*p)
			oomtrace_jw_str(w, p);
		else
			oomtrace_jw_null(w);
		break;
	default:
		if (f->kind == K_OBJ)
			known =
			    f->present ? f->present(p) : (!f->bit || (*known_of(t, base) & f->bit));
		if (!known) {
			if (!(f->flags & JF_ABSENT))
				oomtrace_jw_null(w);
		} else if (f->kind == K_INT) {
			oomtrace_jw_i64(w, int_at(f, p));
		} else if (f->kind == K_U64) {
			oomtrace_jw_u64(w, *(const uint64_t *)p);
		} else if (f->kind == K_STR) {
			oomtrace_jw_str(w, p);
		} else if (f->kind == K_ENUM) {
			oomtrace_jw_str(w,
					((const struct enum_names *)f->aux)->name(*(const int *)p));
		} else {
			oomtrace_jf_emit(w, f->aux, p, f->flags);
		}
	}
	oomtrace_jw_drop(w); /* a value left out: its key too */
}

void oomtrace_jf_emit(struct oomtrace_jw *w, const struct table *t, const void *base,
		      unsigned int flags)
{
	size_t i;

	oomtrace_jw_open(w, '{');
	for (i = 0; i < t->n; i++)
		if (!((flags & JF_TRIGGER) && (t->f[i].flags & JF_VICTIM)))
			field_emit(w, t, &t->f[i], base);
	oomtrace_jw_close(w, '}');
}

int oomtrace_event_emit(struct oomtrace_buf *b, const struct oomtrace_event *ev)
{
	struct oomtrace_jw w;

	oomtrace_jw_init(&w, b);
	oomtrace_jf_emit(&w, &oomtrace_event_table, ev, 0);
	return oomtrace_jw_error(&w);
}

json_object *oomtrace_event_to_json(const struct oomtrace_event *ev)
{
	struct oomtrace_buf b = {0};
	json_object *o = NULL;

	/* the object is read back from the one writer's text: one set of rules for both */
	if (oomtrace_event_emit(&b, ev) == 0)
		o = json_tokener_parse(b.p);
	oomtrace_buf_free(&b);
	if (!o)
		errno = ENOMEM;
	return o;
}

/* ---- reading ---------------------------------------------------------------------- */

void oomtrace_jf_fail(struct jctx *c, const char *field, const char *what)
{
	if (!c->failed)
		snprintf(c->err, c->errsz, "field \"%s\": %s", field, what);
	c->failed = 1;
}

/* Return the member or NULL when absent or null. */
json_object *oomtrace_jf_member(json_object *o, const char *k)
{
	json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, k, &v))
		return NULL;
	return v;
}

bool oomtrace_jf_i64(struct jctx *c, json_object *v, const char *k, int64_t lo, int64_t hi,
		     int64_t *out)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int)) {
		oomtrace_jf_fail(c, k, "not an integer");
		return false;
	}
	errno = 0;
	x = json_object_get_int64(v);
	if (errno || x < lo || x > hi) {
		oomtrace_jf_fail(c, k, "out of range");
		return false;
	}
	*out = x;
	return true;
}

bool oomtrace_jf_u64(struct jctx *c, json_object *v, const char *k, uint64_t *out)
{
	if (!json_object_is_type(v, json_type_int)) {
		oomtrace_jf_fail(c, k, "not an integer");
		return false;
	}
	if (json_object_get_int64(v) < 0) {
		oomtrace_jf_fail(c, k, "negative");
		return false;
	}
	*out = json_object_get_uint64(v);
	return true;
}

bool oomtrace_jf_str(struct jctx *c, json_object *v, const char *k, char *dst, size_t dstsz)
{
	if (!json_object_is_type(v, json_type_string)) {
		oomtrace_jf_fail(c, k, "not a string");
		return false;
	}
	oomtrace_utf8_repair(dst, dstsz, json_object_get_string(v),
			     (size_t)json_object_get_string_len(v));
	return true;
}

/* a kvset, or a smaller set of the same layout: room for as many as @size bytes hold */
static void kvset_read(struct jctx *c, json_object *o, const char *name, struct oomtrace_kvset *set,
		       size_t size)
{
	unsigned int cap = (unsigned int)((size - offsetof(struct oomtrace_kvset, kv)) /
					  sizeof(struct oomtrace_kv));

	if (!json_object_is_type(o, json_type_object)) {
		oomtrace_jf_fail(c, name, "not an object");
		return;
	}
	json_object_object_foreach(o, key, val)
	{
		if (!json_object_is_type(val, json_type_int)) {
			oomtrace_jf_fail(c, key, "not an integer");
			return;
		}
		if (oomtrace_kv_set(set->kv, &set->n, cap, key, strlen(key),
				    json_object_get_int64(val)))
			return; /* more counters than we keep: the rest is dropped */
	}
}

/* K_ARRAY: as many elements as it holds; each one's first problem kept in @c */
static void array_read(struct jctx *c, const struct field *f, json_object *v, void *base)
{
	const struct array_of *a = f->aux;
	unsigned int *n = array_count(f, base);
	size_t i, len;

	if (!json_object_is_type(v, json_type_array)) {
		oomtrace_jf_fail(c, f->name, "not an array");
		return;
	}
	len = json_object_array_length(v);
	for (i = 0; i < len && *n < a->max; i++) {
		json_object *o = json_object_array_get_idx(v, i);
		char *e = (char *)base + f->off + *n * a->elem_size;

		if (!json_object_is_type(o, json_type_object)) {
			oomtrace_jf_fail(c, f->name, "an element is not an object");
			return;
		}
		memset(e, 0, a->elem_size);
		oomtrace_jf_read(c, a->t, o, e);
		(*n)++;
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
		if (!oomtrace_jf_i64(c, v, f->name, f->lo, f->hi, &x))
			return false;
		int_put(f, p, x);
		return true;
	case K_U64:
		return oomtrace_jf_u64(c, v, f->name, (uint64_t *)p);
	case K_STR:
	case K_NAME:
		return oomtrace_jf_str(c, v, f->name, p, f->size);
	case K_ENUM:
		en = f->aux;
		if (!oomtrace_jf_str(c, v, f->name, s, sizeof(s)))
			return false;
		if (en->parse(s, &e)) {
			oomtrace_jf_fail(c, f->name, en->unknown);
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
		kvset_read(c, v, f->name, (struct oomtrace_kvset *)p, f->size);
		return false;
	case K_FN:
		((const struct codec *)f->aux)->read(c, v, base);
		return false;
	case K_ARRAY:
		array_read(c, f, v, base);
		return false;
	case K_OBJ:
		if (!json_object_is_type(v, json_type_object)) {
			if (f->flags & JF_STRICT)
				oomtrace_jf_fail(c, f->errname ? f->errname : f->name,
						 "not an object");
			return f->flags & JF_SETBIT;
		}
		oomtrace_jf_read(c, f->aux, v, p);
		return f->flags & JF_SETBIT;
	}
	return false;
}

void oomtrace_jf_read(struct jctx *c, const struct table *t, json_object *o, void *base)
{
	uint32_t *known = known_of(t, base);
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct field *f = &t->f[i];
		json_object *v = oomtrace_jf_member(o, f->name);

		if ((v || f->kind == K_FN) && field_read(c, f, v, base) && f->bit &&
		    !(f->flags & JF_NOBIT) && known)
			*known |= f->bit;
	}
}

int oomtrace_event_from_json(json_object *obj, struct oomtrace_event *ev, char *err, size_t errsz)
{
	struct jctx c = {.err = err, .errsz = errsz};

	oomtrace_event_init(ev);
	if (!json_object_is_type(obj, json_type_object)) {
		snprintf(err, errsz, "not a JSON object");
		return -EINVAL;
	}
	oomtrace_jf_read(&c, &oomtrace_event_table, obj, ev);
	return c.failed ? -EINVAL : 0;
}
