/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scan.h: the replay pre-filter (its tables are its owner's: no globals, safe in any thread). */
#ifndef OOMTRACE_SCAN_H
#define OOMTRACE_SCAN_H

#include <stdint.h>

struct oomtrace_scan {
	unsigned char shift[16384]; /* by the hash of the window's last 3 bytes */
	uint32_t cand[16384];	    /* bit i: needle i's first bytes end so */
};

void oomtrace_scan_init(struct oomtrace_scan *s);
/* The first place in [b, end) where a line that starts, ends or annotates an OOM record may be, or
 * NULL. */
const char *oomtrace_scan_find(const struct oomtrace_scan *s, const char *b, const char *end);

#endif
