/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bcc_headers.h: kernel headers for the BCC backend. */
#ifndef OOMTRACE_BCC_HEADERS_H
#define OOMTRACE_BCC_HEADERS_H

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
/* Show @build/@src at /lib/modules/$(uname -r) in a private mount namespace (root). */
int bcc_expose_headers(const char *build, const char *src, char *why, size_t whysz);

#endif
