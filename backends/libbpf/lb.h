/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lb.h: the libbpf backend's state, shared by its three parts: features.c
 * (what this kernel offers, probe and --check), load.c (the two objects
 * loaded and attached) and libbpf_backend.c (the ops and the records).
 */
#ifndef OOMTRACE_LB_H
#define OOMTRACE_LB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bpf/libbpf.h>

#include "backend.h"
#include "evbuf.h"
#include "kbtf.h"
#include "live.h"
#include "plan.h"
#include "tpformat.h"
#include "wire.h"

struct oomtrace_bpf;
struct oomtrace_nobtf_bpf;

struct lb {
	struct oomtrace_backend_opts opts;
	struct oomtrace_bpf *skel;
	struct oomtrace_nobtf_bpf *raw;
	struct oomtrace_evbuf *buf; /* the events map: ring buffer or perf buffers */
	struct bpf_link *links[16];
	int nlinks;
	enum pr vic, inv;
	char probe_desc[64];
	char btf_path[512]; /* a BTF file for CO-RE where the kernel has none in sysfs; "" if unused
			     */
	const char *core_btf; /* the CO-RE target given to libbpf: btf_path, or see lb_open */
	struct kbtf kbtf;     /* the kernel's BTF while opening; zeroed where none was read */
	int core_fd; /* while opening: a memfd for the small CO-RE target made from it; -1: none */
	bool core_filled; /* core_fd holds it (made by the first open, used by every try after) */
	struct tpf fmt[W_SKIP_REAP + 1]; /* BTF-less decoding, by w_kind */
	bool killers_on; /* userspace killers' signals are reported (the CO-RE object's) */
	struct oomtrace_live live;
	struct oomtrace_event ev;
	struct lb_ustacks *ustacks; /* --stacks all: the user stack object and its unwinder */
	const char *ustack_why;	    /* where it has none: why */
	bool stopping;		    /* lb_stop: the records left are read, no more stacks unwound */
};

/* ---- features.c ---- */

/* /sys/kernel/btf/vmlinux is readable. */
bool lb_have_btf(void);
/* The BTF file for CO-RE relocations (--btf, else the search path where sysfs has none); "" if
 * none. */
void lb_find_ext_btf(const struct oomtrace_backend_opts *o, char *path, size_t sz);
/* The oom_kill_process symbol to kprobe: the function or one of its clones (.isra/.constprop). */
bool lb_find_okp_symbol(char *name, size_t namesz);
/* What this kernel offers. The kernel's BTF, where read, stays in @keep for the load (NULL: freed).
 */
void lb_features(struct lb_features *f, const char *ext_btf, struct kbtf *keep);
/* Why the plan has no step for @probe on this kernel, in the words of --check. */
const char *lb_forced_why(const struct lb_features *f, const char *probe);
/* strerror(), saying what the kernel-internal ENOTSUPP (524) of BPF loads means. */
const char *lb_strerror(int err);
/* libbpf's own messages, through our log (-vv). */
int lb_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap);
int lb_probe(const struct oomtrace_backend_opts *o, char *why, size_t whysz);
void lb_check(const struct oomtrace_backend_opts *o, struct oomtrace_check *c);

/* ---- load.c ---- */

/* Open, load and attach the CO-RE object for one invocation probe + one victim probe. */
int lb_try_core(struct lb *l, enum pr inv, enum pr vic, const struct lb_features *bf, char *why,
		size_t whysz);
/* The BTF-less object: raw tracepoint records decoded with the tracefs format files. */
int lb_try_nobtf(struct lb *l, char *why, size_t whysz);
/* Detach and free what a try made. */
void lb_destroy(struct lb *l);

/* ---- ustacks.c ---- */

/* --stacks all: start the unwinder (first: before the tracer reads much, and before the
 * sandbox), then load the user stack object; where either cannot be, ustack_why says why. 0, or
 * -ENOMEM. */
int lb_ustacks_open(struct lb *l);
void lb_ustacks_load(struct lb *l);
void lb_ustacks_close(struct lb *l);
/* The trigger's user stack (thread @tid) for the kill stamped @ts_ns, into @ev, or why none. */
void lb_ustacks_take(struct lb *l, struct oomtrace_event *ev, uint64_t ts_ns, int tid);

/* ---- libbpf_backend.c ---- */

/* A record of the CO-RE object (oomtrace_evbuf_fn). */
int lb_on_core(void *ctx, const void *data, size_t size);
/* A record of the BTF-less object (oomtrace_evbuf_fn). */
int lb_on_raw(void *ctx, const void *data, size_t size);

#endif
