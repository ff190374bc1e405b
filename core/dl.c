// SPDX-License-Identifier: GPL-2.0-or-later
/* dl.c: libraries loaded only for the option that needs them (libbcc, libmicrohttpd, libsystemd).
 */
#include "config.h"

#include <dlfcn.h>
#include <string.h>

#include "dl.h"

void *oomtrace_dl_load(const char *lib, const struct oomtrace_dlsym *syms, size_t n, void *table,
		       const char **missing)
{
	void *dl = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	*missing = NULL;
	if (!dl)
		return NULL;
	for (i = 0; i < n; i++)
		if (!dlsym(dl, syms[i].name)) {
			*missing = syms[i].name;
			dlclose(dl);
			return NULL;
		}
	for (i = 0; i < n; i++) {
		void *f = dlsym(dl, syms[i].name);

		memcpy((char *)table + syms[i].off, &f, sizeof(f));
	}
	return dl;
}
