/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kbtf.h: the kernel's BTF read in place (mapped where it can be): names, ids, a minimized CO-RE
 * target. */
#ifndef OOMTRACE_LIBBPF_KBTF_H
#define OOMTRACE_LIBBPF_KBTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * libbpf 1.1 reads the kernel's BTF (5+ MB), copies it and indexes it for
 * every load, then searches all of it for each CO-RE type: ~25 ms and 11 MB
 * at the start's peak. This reads the raw BTF once, where it lies (6.16+ lets
 * /sys/kernel/btf/vmlinux be mapped: nothing is copied), and answers the few
 * questions the backend has: is a name there, the id of a type by name and
 * kind, and a small BTF holding only the types CO-RE relocations can match.
 */
struct kbtf {
	char *buf; /* the raw BTF */
	size_t size;
	bool mapped; /* buf is the kernel's own copy, mapped */
	const uint8_t *types;
	uint32_t types_len;
	const char *strs;
	uint32_t strs_len;
	uint32_t n;    /* types: ids 1..n */
	uint32_t *off; /* off[id - 1]: where type id starts in types; built on first need */
};

/* Read (map where possible) the raw BTF at @path (NULL: /sys/kernel/btf/vmlinux). 0 or -errno. */
int kbtf_load(struct kbtf *k, const char *path);

/* Take @len bytes of raw BTF at @data (not copied; must outlive @k). 0, or -EINVAL if malformed. */
int kbtf_from_mem(struct kbtf *k, const void *data, size_t len);

void kbtf_free(struct kbtf *k);

/* Index every type (n, off[]): done by the calls that need it. 0, -EINVAL or -ENOMEM. */
int kbtf_index(struct kbtf *k);

/* Whether @name is in the string section: the cheapest "does this type exist". */
bool kbtf_has_name(const struct kbtf *k, const char *name);

/* The id of the first type named @name of @kind (BTF_KIND_*), or -ENOENT / -ENOMEM / -EINVAL. */
int kbtf_find(struct kbtf *k, const char *name, unsigned int kind);

/*
 * For typedef @name of a pointer to a function prototype (btf_trace_*): whether
 * parameter @arg is a pointer. 1 / 0, or -ENOENT when BTF does not say.
 */
int kbtf_param_is_ptr(struct kbtf *k, const char *name, unsigned int arg);

/*
 * A raw BTF blob (malloc'd into *@out, *@outlen bytes) with every struct,
 * union, enum, typedef, forward declaration and int whose name is one of
 * @names (flavor suffixes "___x" already stripped), and every type those reach
 * without going through a pointer: what libbpf's CO-RE matching reads (it
 * compares pointers by kind only). Pointers point to void. 0 or -errno.
 */
int kbtf_min_core(struct kbtf *k, const char *const *names, size_t nnames, char **out,
		  size_t *outlen);

#endif
