/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ksyms.h: kernel stack addresses (bpf_get_stack) named through /proc/kallsyms, the way the
 * kernel's own report names them: "function+0xoffset/0xsize [module]".
 */
#ifndef OOMTRACE_KSYMS_H
#define OOMTRACE_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define OOMTRACE_KSYMS_MAX 64 /* addresses named at once */

/* One address being named: the nearest symbol at or below it, the nearest one above it. */
struct oomtrace_ksym_q {
	uint64_t key;	     /* the address looked up (oomtrace_ksyms_key) */
	uint64_t sym;	     /* start of the best symbol so far (0: none) */
	uint64_t above;	     /* the first symbol start above it (UINT64_MAX: none) */
	const char *pending; /* the best symbol's name in the text being read, not yet copied */
	size_t pending_len;  /* to its line's end */
	char name[OOMTRACE_FUNC_MAX];
	char module[32];
};

/* The address to look @ip up at, as this architecture's kernel does in its reports (@ret: a
 * return address, not where the probe stood). */
uint64_t oomtrace_ksyms_key(uint64_t ip, bool ret);

/*
 * Feed @len bytes of /proc/kallsyms text, whole lines only ("ADDR TYPE NAME[\t[MODULE]]"), to
 * the @n queries; oomtrace_ksyms_settle() before the text goes away. Lines that are not
 * kallsyms lines are skipped; an address of 0 (kptr_restrict) names nothing.
 */
void oomtrace_ksyms_feed(struct oomtrace_ksym_q *q, unsigned int n, const char *text, size_t len);
void oomtrace_ksyms_settle(struct oomtrace_ksym_q *q, unsigned int n);

/*
 * @n addresses of a kernel stack (innermost first; the first is where the probe stood, the
 * others return addresses) and their queries, answered, into @st: compiler suffixes folded
 * (oomtrace_stack_fold), offset and size as the kernel prints them; the tracer's own frames
 * (BPF programs, trampolines, the tracing and perf machinery) left off the innermost end.
 */
void oomtrace_ksyms_frames(const uint64_t *ips, const struct oomtrace_ksym_q *q, unsigned int n,
			   struct oomtrace_stack *st);

/*
 * The caller @lr of a probe at a function's first instruction (0: none) into @ips (@n of at most
 * @max addresses) as the second frame, unless it is there already; the new count.
 */
unsigned int oomtrace_ksyms_add_caller(uint64_t *ips, unsigned int n, unsigned int max,
				       uint64_t lr);

/* /proc/kallsyms, opened while the tracer may see addresses (the kernel decides at open). */
struct oomtrace_ksyms;
struct oomtrace_ksyms *oomtrace_ksyms_open(void);
/* The same text from another file (tests). */
struct oomtrace_ksyms *oomtrace_ksyms_open_path(const char *path);
void oomtrace_ksyms_close(struct oomtrace_ksyms *k);
/*
 * The kernel stack @ips (@n addresses, innermost first) into @st, named from the kallsyms text
 * read now (modules loaded since the start are named too). 0, or -errno (nothing filled).
 */
int oomtrace_ksyms_stack(struct oomtrace_ksyms *k, const uint64_t *ips, unsigned int n,
			 struct oomtrace_stack *st);
/*
 * Learn, in one pass now, the whole symbols of the kernel's own text an OOM's stack goes through
 * (oomtrace_stack_known_function), so that the first kill's stack is named without a pass of its
 * own. The number learned, or -errno.
 */
int oomtrace_ksyms_prewarm(struct oomtrace_ksyms *k);
/* Passes over the kallsyms text made so far (names of the kernel's text and of this run's BPF
 * programs are kept: a stack of names already seen reads nothing). */
uint64_t oomtrace_ksyms_reads(const struct oomtrace_ksyms *k);

#endif
