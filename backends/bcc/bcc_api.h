/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bcc_api.h: the libbcc entry points the BCC backend calls, loaded with
 * dlopen (so that oomtrace starts without LLVM), each typed from libbcc's own
 * header: a prototype that changes there no longer compiles here.
 */
#ifndef OOMTRACE_BCC_API_H
#define OOMTRACE_BCC_API_H

#include <stdbool.h>
#include <stddef.h>

#include <bcc/bcc_common.h>
#include <bcc/libbpf.h>

#define LIBBCC "libbcc.so.0"

#define BCC_FN(name) __typeof__(name) *

struct bcc_api {
	void *dl;
	/* compile, and what the compiled module holds (bcc_common.h) */
	BCC_FN(bpf_module_create_c_from_string) module_create;
	BCC_FN(bpf_module_destroy) module_destroy;
	BCC_FN(bpf_module_license) module_license;
	BCC_FN(bpf_module_kern_version) module_kern_version;
	BCC_FN(bpf_function_start) function_start;
	BCC_FN(bpf_function_size) function_size;
	BCC_FN(bpf_table_fd) table_fd;
	/* the maps, for the cache of the compiled program */
	BCC_FN(bpf_num_tables) num_tables;
	BCC_FN(bpf_table_name) table_name;
	BCC_FN(bpf_table_fd_id) table_fd_id;
	BCC_FN(bpf_table_type_id) table_type_id;
	BCC_FN(bpf_table_max_entries_id) table_max_entries_id;
	BCC_FN(bpf_table_flags_id) table_flags_id;
	BCC_FN(bpf_table_key_size_id) table_key_size_id;
	BCC_FN(bpf_table_leaf_size_id) table_leaf_size_id;
	/* load and attach (bcc's libbpf.h) */
	BCC_FN(bcc_prog_load) prog_load;
	BCC_FN(bpf_attach_tracepoint) attach_tracepoint;
	BCC_FN(bpf_attach_raw_tracepoint) attach_raw_tracepoint;
	BCC_FN(bpf_attach_kprobe) attach_kprobe;
	BCC_FN(bpf_detach_kprobe) detach_kprobe;
	/* bcc 0.16+: BPF_RINGBUF_OUTPUT in the text compiles (the tracer reads it with libbpf) */
	bool has_ringbuf;
};

/* Load libbcc into @a: 0, or -ENOENT with a reason naming the package (or the missing symbol). */
int bcc_api_load(struct bcc_api *a, char *why, size_t whysz);
/*
 * Whether libbcc can be loaded, asked of a child: the tracer itself must never
 * map libbcc and LLVM (a hundred MiB that would stay for its life). 0 or -errno.
 */
int bcc_api_check(char *why, size_t whysz);

#endif
