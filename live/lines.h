/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lines.h: line tables of the binaries user stacks go through, kept across stacks by build id
 * (in the symbolizer's worker). The first lookup in a binary's DWARF reads its compilation units'
 * index, and opening compressed DWARF (Debian's libc6-dbg) inflates it all: ~50 ms for libc's. A
 * binary whose DWARF is compressed or over 1 MiB is read later, by a thread of its own from
 * oomtrace_lines_start_warmer() on, else by oomtrace_lines_warm(): its frames get lines from the
 * next stack on. The cache is the thread's that looks lines up.
 */
#ifndef OOMTRACE_LINES_H
#define OOMTRACE_LINES_H

#include <stdbool.h>
#include <stdint.h>

#include <elfutils/libdwfl.h>

/* What to do with large DWARF (compressed, or over 1 MiB) not read yet. */
enum oomtrace_lines_big {
	OOMTRACE_LINES_BIG_NOW,	  /* read it now */
	OOMTRACE_LINES_BIG_LATER, /* leave it to the warmer: later stacks have its lines */
	OOMTRACE_LINES_BIG_NEVER, /* leave it: no room for it (tens of MB once inflated) */
};

/*
 * The source file (NULL: none) and *@line of @addr (the ELF's own address) in the binary with
 * @build_id, @mod of a stack being unwound, @map_fd its file (-1: unknown). The file name lives
 * until the next call.
 */
const char *oomtrace_lines_of(const char *build_id, Dwfl_Module *mod, int map_fd, Dwarf_Addr addr,
			      enum oomtrace_lines_big big, uint32_t *line);

/* What the warmer has read, into the cache: before a stack is unwound. */
void oomtrace_lines_take_ready(void);

/* The warming thread: 0, or -errno (then oomtrace_lines_warm() after each answer). */
int oomtrace_lines_start_warmer(void);
void oomtrace_lines_warm(void);

#endif
