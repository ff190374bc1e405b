// SPDX-License-Identifier: GPL-2.0-or-later
/* select.c: --backend auto's choice of a live backend, the same for the run and for --check. */
#include "config.h"

#include <string.h>

#include "options.h"

const struct oomtrace_backend_info *
oomtrace_select_live(const struct oomtrace_backend_opts *bo, void **state,
		     void (*note)(void *ctx, const char *backend, const char *why), void *ctx)
{
	const struct oomtrace_backend_info *b;
	char why[256];

	*state = NULL;
	for (b = oomtrace_backend_list(); b->name; b++) {
		if (!b->ops || strcmp(b->name, "replay") == 0)
			continue;
		if (b->ops->probe(bo, why, sizeof(why)) != 0) {
			note(ctx, b->name, why);
			continue;
		}
		/* open for real: that is how auto finds out which probe attaches */
		if (b->ops->open(bo, state) == 0)
			return b;
		*state = NULL;
		note(ctx, b->name, NULL);
	}
	return NULL;
}
