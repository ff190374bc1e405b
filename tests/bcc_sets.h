/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bcc_sets.h: the kernel feature sets the BCC backend's BPF text is generated for, in the BCC
 * tests. */
#ifndef OOMTRACE_TEST_BCC_SETS_H
#define OOMTRACE_TEST_BCC_SETS_H

#include "bcc_program.h"

static const struct bcc_features sets[] = {
    {.tracepoint = true}, /* 4.13..6.8: pid only */
    {.tracepoint = true,
     .tp_mem = true,
     .signals = true,
     .reaper = true,
     .raw_tp = true,
     .ringbuf = true},		      /* 6.9+ */
    {.kprobe = true, .reaper = true}, /* richest, own headers */
    {.kprobe = true, .tracepoint = true, .signals = true},
    /* the kprobe, and mark_victim for the other tasks of a memory.oom.group kill */
    {.kprobe = true, .members = true, .signals = true, .reaper = true, .tp_mem = true},
};

#endif
