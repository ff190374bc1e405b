/* SPDX-License-Identifier: GPL-2.0-or-later */
/* event_fields.h: the JSON field table of struct oomtrace_event and the walk over it
 * (core-internal). */
#ifndef OOMTRACE_EVENT_FIELDS_H
#define OOMTRACE_EVENT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "event.h"

enum kind {
	K_INT,	 /* signed (or JF_UNSIGNED) integer of .size bytes; read within [lo, hi] */
	K_U64,	 /* uint64_t; read: a non-negative integer */
	K_STR,	 /* char[.size], repaired to UTF-8 */
	K_NAME,	 /* char[.size], known when not empty (no known bit) */
	K_ENUM,	 /* an enum, by its name (.aux: struct enum_names) */
	K_FLAG,	 /* true when .bit is known; left out otherwise */
	K_BOOL,	 /* a bool field, always written */
	K_OBJ,	 /* a nested object (.aux: struct table) */
	K_KVSET, /* struct oomtrace_kvset: an object of integers, left out when empty */
	K_FN,	 /* written and read by functions of its own (.aux: struct codec) */
	K_ARRAY, /* .off: the first of an array of structs (.aux: struct array_of), left out empty
		  */
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

/* Where reading keeps its first error. */
struct jctx {
	char *err;
	size_t errsz;
	int failed;
};

/* K_ARRAY: elements of table .t, .elem_size bytes apart; their count an unsigned int at .count */
struct array_of {
	const struct table *t;
	size_t count, elem_size;
	unsigned int max;
};

struct oomtrace_jw;

struct codec {
	/* writes the value and returns true, or writes nothing: null, or left out (JF_ABSENT) */
	bool (*emit)(struct oomtrace_jw *w, const void *base);
	void (*read)(struct jctx *c, json_object *v, void *base);
};

struct field {
	const char *name;
	enum kind kind;
	unsigned int flags;
	uint32_t bit;	 /* known bit(s) in the table's known word; 0: always known */
	size_t off;	 /* where the value is, from the base of the table's struct */
	size_t size;	 /* K_INT: 4 or 8; K_STR, K_NAME: the buffer */
	int64_t lo, hi;	 /* K_INT: what reading accepts */
	const void *aux; /* per kind, see enum kind */
	bool (*present)(const void *base); /* K_OBJ: written when true (else by .bit) */
	const char *errname;		   /* K_OBJ: the name errors use (NULL: .name) */
};

/* The whole event (event_fields.c). */
extern const struct table oomtrace_event_table;
/* The fields with rules of their own (event_codecs.c). */
extern const struct codec oomtrace_schema_codec, oomtrace_time_codec, oomtrace_uptime_codec,
    oomtrace_kmsg_codec, oomtrace_psi_codec, oomtrace_kstack_codec, oomtrace_ustack_codec;

/* The object of the fields of @t at @base, written to @w (@flags: the K_OBJ field's: JF_TRIGGER).
 */
void oomtrace_jf_emit(struct oomtrace_jw *w, const struct table *t, const void *base,
		      unsigned int flags);
/* The fields of @t from @o into @base: the first problem kept in @c. */
void oomtrace_jf_read(struct jctx *c, const struct table *t, json_object *o, void *base);
/* The first problem: field @field, @what. */
void oomtrace_jf_fail(struct jctx *c, const char *field, const char *what);
/* Member @k of @o, NULL when absent or null. */
json_object *oomtrace_jf_member(json_object *o, const char *k);
bool oomtrace_jf_i64(struct jctx *c, json_object *v, const char *k, int64_t lo, int64_t hi,
		     int64_t *out);
bool oomtrace_jf_u64(struct jctx *c, json_object *v, const char *k, uint64_t *out);
bool oomtrace_jf_str(struct jctx *c, json_object *v, const char *k, char *dst, size_t dstsz);

#endif
