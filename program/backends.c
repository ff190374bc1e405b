// SPDX-License-Identifier: GPL-2.0-or-later
/* backends.c: the backends this binary was built with, in the order --backend auto tries them. */
#include "config.h"

#include <string.h>

#include "backend.h"
#include "replay.h"
#ifdef WITH_LIBBPF
#include "libbpf_backend.h"
#endif
#ifdef WITH_BCC
#include "bcc_backend.h"
#endif

static const struct oomtrace_backend_info backends[] = {
#ifdef WITH_LIBBPF
    {"libbpf", &oomtrace_libbpf_ops, "--with-libbpf"},
#else
    {"libbpf", NULL, "--with-libbpf"},
#endif
#ifdef WITH_BCC
    {"bcc", &oomtrace_bcc_ops, "--with-bcc"},
#else
    {"bcc", NULL, "--with-bcc"},
#endif
    {"replay", &oomtrace_replay_ops, NULL},
    {NULL, NULL, NULL},
};

const struct oomtrace_backend_info *oomtrace_backend_list(void)
{
	return backends;
}

const struct oomtrace_backend_info *oomtrace_backend_find(const char *name)
{
	const struct oomtrace_backend_info *b;

	for (b = backends; b->name; b++)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}
