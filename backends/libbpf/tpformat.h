/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tpformat.h: read a tracefs event format file and decode raw records with it (no BTF needed). */
#ifndef OOMTRACE_TPFORMAT_H
#define OOMTRACE_TPFORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TPF_MAX_FIELDS 24

struct tpf_field {
	char name[32];
	unsigned int offset, size;
	bool is_signed;
	bool data_loc; /* __data_loc: a u32 of (length << 16 | offset) */
};

struct tpf {
	unsigned int nfields;
	unsigned int size; /* end of the fixed part */
	struct tpf_field f[TPF_MAX_FIELDS];
};

/* Parse the text of a format file; 0 or -EINVAL. */
int tpf_parse(const char *text, struct tpf *out);
/* Parse @path; 0 or -errno. */
int tpf_load(const char *path, struct tpf *out);
const struct tpf_field *tpf_find(const struct tpf *t, const char *name);
/* Integer field @name of @rec (@len bytes); false when absent or out of bounds. */
bool tpf_int(const struct tpf *t, const void *rec, size_t len, const char *name, int64_t *v);
/* String field (fixed char[] or __data_loc char[]) into @dst. */
bool tpf_str(const struct tpf *t, const void *rec, size_t len, const char *name, char *dst,
	     size_t dstsz);

#endif
