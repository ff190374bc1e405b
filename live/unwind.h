/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unwind.h: a user stack from a copy of its registers and of the top of its stack, unwound with
 * the binaries' DWARF call frame information (libdwfl) and named from their symbols and line
 * tables. The binaries are untrusted input: call it in the symbolizer's worker (symbolizer.h).
 */
#ifndef OOMTRACE_UNWIND_H
#define OOMTRACE_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define OOMTRACE_UREGS_MAX 33	   /* DWARF registers: x86_64 0-16, aarch64 0-31 (and the pc) */
#define OOMTRACE_UMAPS_MAX 64	   /* executable mappings a request may name */
#define OOMTRACE_USTACK_COPY 8192  /* bytes of the stack a request may carry, from sp up */
#define OOMTRACE_USTACK_CHUNK 4096 /* a bit of holes: the copy's chunks, from sp's own (wire.h) */

enum oomtrace_uarch {
	OOMTRACE_UARCH_X86_64 = 1,
	OOMTRACE_UARCH_AARCH64 = 2,
};

/* One file-backed executable mapping of the process, as /proc/PID/maps gives it. */
struct oomtrace_umap {
	uint64_t start, end, pgoff;
	int fd;		/* the file, opened by the caller; -1: open path */
	char path[256]; /* where the process saw it: named in the frame */
};

/* The input: the registers and the stack copied when the task stopped. */
struct oomtrace_ucopy {
	enum oomtrace_uarch arch;
	uint64_t regs[OOMTRACE_UREGS_MAX]; /* DWARF numbering (oomtrace_unwind_regs_ptregs) */
	uint64_t pc, sp;
	const unsigned char *stack; /* @stack_len bytes read from sp upward */
	size_t stack_len;
	uint32_t holes; /* OOMTRACE_USTACK_CHUNKs of it not read (bit 0: sp's, to the next chunk) */
	const struct oomtrace_umap *maps;
	unsigned int nmaps;
	bool open_paths;   /* a map without fd: open its path (false: leave its frames unnamed) */
	bool lines_now;	   /* large DWARF not yet read: left to the warmer (lines.h) */
	bool no_big_lines; /* large DWARF not yet read: not at all (no room for it) */
};

/*
 * A kernel pt_regs / ptrace user_regs (@raw, @len bytes, the layout of @arch) into @c's DWARF
 * registers, pc and sp. -EINVAL where @len is short for that layout.
 */
int oomtrace_unwind_regs_ptregs(struct oomtrace_ucopy *c, enum oomtrace_uarch arch, const void *raw,
				size_t len);

/* The architecture this build runs on (0: none the unwinder knows). */
enum oomtrace_uarch oomtrace_unwind_host_arch(void);

/*
 * Unwind @c into @out. 0, with at least the copied pc as frame 0; -EINVAL for an input that is
 * not one (no maps, a short stack pointer, an architecture not this host's). A mapping whose
 * file cannot be read keeps its frames' offsets, unnamed. The descriptors in @c->maps are closed.
 */
int oomtrace_unwind(const struct oomtrace_ucopy *c, struct oomtrace_ustack *out);

/* How many frames were named from symbols looked up for an earlier stack (this thread's). */
unsigned long oomtrace_unwind_memo_hits(void);

#endif
