/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bcc_headers.h: kernel headers for the BCC backend. */
#ifndef OOMTRACE_BCC_HEADERS_H
#define OOMTRACE_BCC_HEADERS_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"

const char *bcc_kernel_release(void);
/*
 * Headers from --kernel-headers DIR, BCC_KERNEL_SOURCE, /lib/modules/$(uname -r)/build
 * (+ source), or /sys/kernel/kheaders.tar.xz (then @build is ""). 0, or -ENOENT with a
 * reason naming the package to install.
 */
int bcc_find_headers(const struct oomtrace_backend_opts *o, char *build, size_t bsz, char *src,
		     size_t ssz, char *why, size_t whysz);
/*
 * Show @build/@src at /lib/modules/$(uname -r) in a private mount namespace
 * (root). The temporary directories it makes are written to @tmp (@tmpsz
 * bytes, "dir\0top\0") for bcc_unexpose_headers() once compiling is done.
 */
int bcc_expose_headers(const char *build, const char *src, char *tmp, size_t tmpsz, char *why,
		       size_t whysz);
/* Undo bcc_expose_headers(): unmount and remove its temporary directories (leaks none). */
void bcc_unexpose_headers(const char *tmp);
/*
 * The kernel release the headers at @build were made for (include/config/kernel.release or
 * include/generated/utsrelease.h) into @rel; false when they do not say.
 */
bool bcc_headers_release(const char *build, char *rel, size_t relsz);
/*
 * libbcc's compile asks one thing of /proc/kallsyms, whether the kernel has
 * bpf_probe_read_kernel (BFrontendAction::DoMiscWorkAround), and to answer
 * reads and indexes every kernel symbol (200,000 here: a quarter of the
 * compile's CPU). In a private mount namespace of the calling process (the
 * compiling child) a file of that one line (@read_kernel) or of none is put
 * over /proc/kallsyms. 0, or -errno (then nothing changed but perhaps the
 * namespace).
 */
int bcc_small_kallsyms(bool read_kernel);

#endif
