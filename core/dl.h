/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dl.h: a library loaded with dlopen only when an option needs it, its functions by name. */
#ifndef OOMTRACE_DL_H
#define OOMTRACE_DL_H

#include <stddef.h>

/* One function: its symbol and where its pointer goes in the caller's table. */
struct oomtrace_dlsym {
	const char *name;
	size_t off; /* offsetof(the caller's table, its field) */
};
#define OOMTRACE_DLSYM(type, field, name)                                                          \
	{                                                                                          \
		name, offsetof(type, field)                                                        \
	}

/*
 * dlopen @lib (RTLD_NOW | RTLD_LOCAL) and fill @table with each of @syms.
 * The handle, or NULL: then *@missing is the absent symbol, or NULL when
 * the library itself could not be loaded, and @table is left as it was.
 */
void *oomtrace_dl_load(const char *lib, const struct oomtrace_dlsym *syms, size_t n, void *table,
		       const char **missing);

#endif
