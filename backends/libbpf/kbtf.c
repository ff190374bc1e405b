// SPDX-License-Identifier: GPL-2.0-or-later
/* kbtf.c: the kernel's BTF read in place: names, ids, and a minimized CO-RE target (see kbtf.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/btf.h>

#include "kbtf.h"

#define KBTF_SYSFS "/sys/kernel/btf/vmlinux"

int kbtf_from_mem(struct kbtf *k, const void *data, size_t len)
{
	struct btf_header h;
	const char *b = data;

	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, b, sizeof(h));
	if (h.magic != BTF_MAGIC || h.version != BTF_VERSION || h.hdr_len < sizeof(h) ||
	    h.hdr_len > len || (uint64_t)h.type_off + h.type_len > len - h.hdr_len ||
	    (uint64_t)h.str_off + h.str_len > len - h.hdr_len || h.str_len == 0)
		return -EINVAL;
	k->types = (const uint8_t *)b + h.hdr_len + h.type_off;
	k->types_len = h.type_len;
	k->strs = b + h.hdr_len + h.str_off;
	k->strs_len = h.str_len;
	if (k->strs[k->strs_len - 1] != '\0')
		return -EINVAL; /* every name ends inside the section */
	k->n = 0;
	k->off = NULL;
	return 0;
}

int kbtf_load(struct kbtf *k, const char *path)
{
	struct stat st;
	ssize_t n, got = 0;
	int err, fd = open(path ? path : KBTF_SYSFS, O_RDONLY | O_CLOEXEC);

	memset(k, 0, sizeof(*k));
	if (fd < 0)
		return -errno;
	/* 6.16+ lets the kernel's BTF be mapped; before, read until EOF (sysfs gives no size) */
	if (fstat(fd, &st) == 0 && st.st_size > (off_t)sizeof(struct btf_header)) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (m != MAP_FAILED) {
			k->buf = m;
			k->mapped = true;
			got = (ssize_t)st.st_size;
		}
	}
	for (size_t cap = 8 << 20; !k->mapped;) {
		char *nb = realloc(k->buf, cap);

		if (!nb)
			break;
		k->buf = nb;
		while ((size_t)got < cap && (n = read(fd, k->buf + got, cap - (size_t)got)) > 0)
			got += n;
		if ((size_t)got < cap)
			break;
		cap *= 2;
	}
	close(fd);
	k->size = (size_t)got;
	err = k->buf ? kbtf_from_mem(k, k->buf, k->size) : -ENOMEM;
	if (err)
		kbtf_free(k);
	return err;
}

void kbtf_free(struct kbtf *k)
{
	if (k->mapped)
		munmap(k->buf, k->size);
	else
		free(k->buf);
	free(k->off);
	memset(k, 0, sizeof(*k));
}

bool kbtf_has_name(const struct kbtf *k, const char *name)
{
	char pat[128];
	size_t n = strlen(name);

	if (!k->strs || n + 2 > sizeof(pat))
		return false;
	pat[0] = '\0';
	memcpy(pat + 1, name, n + 1);
	return memmem(k->strs, k->strs_len, pat, n + 2) != NULL;
}

/* ---- walking the type section ---------------------------------------------------------- */

/*
 * The records that follow a type's head, one per vlen (members, enumerators,
 * parameters, variables): their size in 32-bit words, and the word holding a
 * name offset / a type id (-1: none).
 */
struct vrec {
	unsigned int words;
	int name, type;
};

static struct vrec vrec_of(unsigned int kind)
{
	switch (kind) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (struct vrec){3, 0, 1}; /* btf_member: name_off, type, offset */
	case BTF_KIND_ENUM:
		return (struct vrec){2, 0, -1}; /* btf_enum: name_off, val */
	case BTF_KIND_ENUM64:
		return (struct vrec){3, 0, -1}; /* btf_enum64: name_off, val_lo32, val_hi32 */
	case BTF_KIND_FUNC_PROTO:
		return (struct vrec){2, 0, 1}; /* btf_param: name_off, type */
	case BTF_KIND_DATASEC:
		return (struct vrec){3, -1, 0}; /* btf_var_secinfo: type, offset, size */
	}
	return (struct vrec){0, -1, -1};
}

/* Bytes a type of @kind with @vlen records takes after its 12-byte head; -1: unknown kind. */
static long tail_len(unsigned int kind, unsigned int vlen)
{
	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return (long)sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FUNC_PROTO:
	case BTF_KIND_DATASEC:
		return (long)(vlen * vrec_of(kind).words * 4);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	}
	return -1;
}

/* The whole record of the type at @pos, or 0 when it does not fit / is of an unknown kind. */
static size_t rec_len(const struct kbtf *k, size_t pos)
{
	struct btf_type t;
	long tail;

	if (pos + sizeof(t) > k->types_len)
		return 0;
	memcpy(&t, k->types + pos, sizeof(t));
	tail = tail_len(BTF_INFO_KIND(t.info), BTF_INFO_VLEN(t.info));
	if (tail < 0 || pos + sizeof(t) + (size_t)tail > k->types_len)
		return 0;
	return sizeof(t) + (size_t)tail;
}

static const struct btf_type *type_at(const struct kbtf *k, size_t pos)
{
	return (const struct btf_type *)(const void *)(k->types + pos);
}

static const char *str_at(const struct kbtf *k, uint32_t off)
{
	return off < k->strs_len ? k->strs + off : NULL;
}

/* off[] for every type: two walks (count, then fill). */
int kbtf_index(struct kbtf *k)
{
	size_t pos, len;
	uint32_t n = 0;

	if (k->off)
		return 0;
	for (pos = 0; pos < k->types_len; pos += len, n++)
		if (!(len = rec_len(k, pos)))
			return -EINVAL;
	k->off = malloc(((size_t)n + 1) * sizeof(*k->off));
	if (!k->off)
		return -ENOMEM;
	k->n = n;
	for (pos = 0, n = 0; n < k->n; pos += rec_len(k, pos))
		k->off[n++] = (uint32_t)pos;
	return 0;
}

static const struct btf_type *by_id(const struct kbtf *k, uint32_t id)
{
	return id >= 1 && id <= k->n ? type_at(k, k->off[id - 1]) : NULL;
}

int kbtf_find(struct kbtf *k, const char *name, unsigned int kind)
{
	size_t pos, len;
	int id = 1;

	for (pos = 0; pos < k->types_len; pos += len, id++) {
		const struct btf_type *t;
		const char *s;

		if (!(len = rec_len(k, pos)))
			return -EINVAL;
		t = type_at(k, pos);
		if (BTF_INFO_KIND(t->info) == kind && (s = str_at(k, t->name_off)) &&
		    strcmp(s, name) == 0)
			return id;
	}
	return -ENOENT;
}

int kbtf_param_is_ptr(struct kbtf *k, const char *name, unsigned int arg)
{
	const struct btf_type *t, *a;
	const struct btf_param *p;
	int id = kbtf_find(k, name, BTF_KIND_TYPEDEF);

	if (id < 0 || kbtf_index(k))
		return -ENOENT;
	t = by_id(k, (uint32_t)id);
	t = t ? by_id(k, t->type) : NULL;
	t = t && BTF_INFO_KIND(t->info) == BTF_KIND_PTR ? by_id(k, t->type) : NULL;
	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_FUNC_PROTO || BTF_INFO_VLEN(t->info) <= arg)
		return -ENOENT;
	p = (const struct btf_param *)(t + 1);
	a = by_id(k, p[arg].type);
	return a ? BTF_INFO_KIND(a->info) == BTF_KIND_PTR : -ENOENT;
}

/* ---- the minimized CO-RE target ---------------------------------------------------------- */

/* Kinds a CO-RE relocation's root (or the "long" that tells libbpf the pointer size) can be. */
static bool root_kind(unsigned int kind)
{
	return kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION || kind == BTF_KIND_ENUM ||
	       kind == BTF_KIND_ENUM64 || kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_FWD ||
	       kind == BTF_KIND_INT;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct mini {
	struct kbtf *k;
	uint32_t *newid; /* by old id: 0 = not taken */
	uint32_t *order; /* by new id - 1: the old id */
	uint32_t count, cap;
	uint32_t *stack;
	uint32_t depth;
	/* strings: old offset -> new offset, open addressing */
	uint32_t *hkey, *hval, hcap;
	char *strs;
	size_t slen, scap;
};

/* Take old type @id (and, later, what it reaches). 0 or -errno. */
static int take(struct mini *m, uint32_t id)
{
	if (id > m->k->n)
		return -EINVAL;
	if (id == 0 || m->newid[id])
		return 0;
	if (m->count == m->cap) {
		uint32_t c = m->cap ? m->cap * 2 : 256;
		uint32_t *o = realloc(m->order, c * sizeof(*o)), *s;

		if (!o)
			return -ENOMEM;
		m->order = o;
		s = realloc(m->stack, c * sizeof(*s));
		if (!s)
			return -ENOMEM;
		m->stack = s;
		m->cap = c;
	}
	m->order[m->count++] = id;
	m->newid[id] = m->count;
	m->stack[m->depth++] = id;
	return 0;
}

/* Whether a type of @kind holds a type id (not a size) after its name and info; PTR aside. */
static bool type_is_ref(unsigned int kind)
{
	return kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_VOLATILE || kind == BTF_KIND_CONST ||
	       kind == BTF_KIND_RESTRICT || kind == BTF_KIND_TYPE_TAG || kind == BTF_KIND_FUNC ||
	       kind == BTF_KIND_VAR || kind == BTF_KIND_DECL_TAG || kind == BTF_KIND_FUNC_PROTO;
}

/* Everything type @id refers to, but what a pointer points to. 0 or -errno. */
static int take_refs(struct mini *m, uint32_t id)
{
	const struct btf_type *t = by_id(m->k, id);
	const uint32_t *w = (const uint32_t *)(t + 1);
	struct vrec v = vrec_of(BTF_INFO_KIND(t->info));
	unsigned int i, vlen = BTF_INFO_VLEN(t->info);
	int err = 0;

	if (type_is_ref(BTF_INFO_KIND(t->info)))
		err = take(m, t->type);
	if (BTF_INFO_KIND(t->info) == BTF_KIND_ARRAY) {
		const struct btf_array *a = (const void *)(t + 1);

		return take(m, a->type) ?: take(m, a->index_type);
	}
	for (i = 0; v.type >= 0 && i < vlen && !err; i++)
		err = take(m, w[i * v.words + (unsigned int)v.type]);
	return err; /* PTR (cut), INT, ENUM, ENUM64, FWD, FLOAT: nothing */
}

/* The new offset of old string @off, appended on first use. 0 or -errno in *err. */
static uint32_t str_new(struct mini *m, uint32_t off, int *err)
{
	const char *s = str_at(m->k, off);
	uint32_t h;
	size_t n;

	if (off == 0 || *err)
		return 0;
	if (!s) {
		*err = -EINVAL;
		return 0;
	}
	for (h = (off * 2654435761u) & (m->hcap - 1); m->hkey[h]; h = (h + 1) & (m->hcap - 1))
		if (m->hkey[h] == off)
			return m->hval[h];
	n = strlen(s) + 1;
	if (m->slen + n > m->scap) {
		size_t c = m->scap * 2 + n;
		char *ns = realloc(m->strs, c);

		if (!ns) {
			*err = -ENOMEM;
			return 0;
		}
		m->strs = ns;
		m->scap = c;
	}
	memcpy(m->strs + m->slen, s, n);
	m->hkey[h] = off;
	m->hval[h] = (uint32_t)m->slen;
	m->slen += n;
	return m->hval[h];
}

/* Copy old type @id to @dst with its type ids and names renumbered; its length. */
static size_t emit(struct mini *m, uint32_t id, uint8_t *dst, int *err)
{
	const struct btf_type *t = by_id(m->k, id);
	size_t len = rec_len(m->k, m->k->off[id - 1]);
	struct btf_type *d = (void *)dst;
	uint32_t *w = (uint32_t *)(void *)(d + 1);
	struct vrec v = vrec_of(BTF_INFO_KIND(t->info));
	unsigned int i, vlen = BTF_INFO_VLEN(t->info);

	memcpy(dst, t, len);
	d->name_off = str_new(m, t->name_off, err);
	if (BTF_INFO_KIND(t->info) == BTF_KIND_PTR)
		d->type = 0; /* CO-RE compares pointers by kind only */
	else if (type_is_ref(BTF_INFO_KIND(t->info)))
		d->type = m->newid[t->type];
	if (BTF_INFO_KIND(t->info) == BTF_KIND_ARRAY) {
		struct btf_array *a = (void *)(d + 1);

		a->type = m->newid[a->type];
		a->index_type = m->newid[a->index_type];
	}
	for (i = 0; v.words && i < vlen; i++, w += v.words) {
		if (v.name >= 0)
			w[v.name] = str_new(m, w[v.name], err);
		if (v.type >= 0)
			w[v.type] = m->newid[w[v.type]];
	}
	return len;
}

/* Mark the roots: every type of a root kind named as one of the sorted @names. */
static int take_roots(struct mini *m, const char **names, size_t nnames)
{
	uint32_t id;
	int err = 0;

	for (id = 1; id <= m->k->n && !err; id++) {
		const struct btf_type *t = by_id(m->k, id);
		const char *s = str_at(m->k, t->name_off);

		if (s && *s && root_kind(BTF_INFO_KIND(t->info)) &&
		    bsearch(&s, names, nnames, sizeof(*names), cmp_str))
			err = take(m, id);
	}
	while (!err && m->depth > 0)
		err = take_refs(m, m->stack[--m->depth]);
	return err;
}

/* The blob: header, the taken types renumbered in the order taken, their names. */
static int write_blob(struct mini *m, char **out, size_t *outlen)
{
	struct btf_header h = {.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h)};
	size_t tlen = 0, pos, refs = 1;
	uint32_t i;
	uint8_t *types;
	char *blob;
	int err = 0;

	for (i = 0; i < m->count; i++) {
		tlen += rec_len(m->k, m->k->off[m->order[i] - 1]);
		refs += 1 + BTF_INFO_VLEN(by_id(m->k, m->order[i])->info);
	}
	for (m->hcap = 64; m->hcap < refs * 2; m->hcap *= 2)
		;
	m->hkey = calloc(m->hcap, sizeof(*m->hkey));
	m->hval = malloc(m->hcap * sizeof(*m->hval));
	m->scap = 4096;
	m->strs = malloc(m->scap);
	types = malloc(tlen ? tlen : 1);
	if (!m->hkey || !m->hval || !m->strs || !types) {
		free(types);
		return -ENOMEM;
	}
	m->strs[0] = '\0';
	m->slen = 1;
	for (i = 0, pos = 0; i < m->count && !err; i++)
		pos += emit(m, m->order[i], types + pos, &err);
	if (!err && !(blob = malloc(sizeof(h) + tlen + m->slen)))
		err = -ENOMEM;
	if (!err) {
		h.type_len = (uint32_t)tlen;
		h.str_off = (uint32_t)tlen;
		h.str_len = (uint32_t)m->slen;
		memcpy(blob, &h, sizeof(h));
		memcpy(blob + sizeof(h), types, tlen);
		memcpy(blob + sizeof(h) + tlen, m->strs, m->slen);
		*out = blob;
		*outlen = sizeof(h) + tlen + m->slen;
	}
	free(types);
	return err;
}

int kbtf_min_core(struct kbtf *k, const char *const *names, size_t nnames, char **out,
		  size_t *outlen)
{
	struct mini m = {.k = k};
	const char **sorted = NULL;
	int err = kbtf_index(k);

	*out = NULL;
	*outlen = 0;
	if (!err && !(sorted = malloc((nnames ? nnames : 1) * sizeof(*sorted))))
		err = -ENOMEM;
	if (!err && !(m.newid = calloc((size_t)k->n + 1, sizeof(*m.newid))))
		err = -ENOMEM;
	if (!err) {
		memcpy(sorted, names, nnames * sizeof(*sorted));
		qsort(sorted, nnames, sizeof(*sorted), cmp_str);
		err = take_roots(&m, sorted, nnames);
	}
	if (!err)
		err = write_blob(&m, out, outlen);
	free(sorted);
	free(m.newid);
	free(m.order);
	free(m.stack);
	free(m.hkey);
	free(m.hval);
	free(m.strs);
	return err;
}
