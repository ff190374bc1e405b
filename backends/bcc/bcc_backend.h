/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bcc_backend.h: the BCC runtime-compile live backend (libbcc loaded with dlopen). */
#ifndef OOMTRACE_BCC_BACKEND_H
#define OOMTRACE_BCC_BACKEND_H

#include "backend.h"

extern const struct oomtrace_backend_ops oomtrace_bcc_ops;

#endif
