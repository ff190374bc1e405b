/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libbpf_backend.h: the libbpf CO-RE live backend. */
#ifndef OOMTRACE_LIBBPF_BACKEND_H
#define OOMTRACE_LIBBPF_BACKEND_H

#include "backend.h"

extern const struct oomtrace_backend_ops oomtrace_libbpf_ops;

#endif
