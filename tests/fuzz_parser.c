// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_parser.c: libFuzzer harness: arbitrary bytes through the line parser and the event-file
 * reader. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "event.h"
#include "parser.h"
#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ctx, struct oomtrace_event *ev)
{
	/* touch what a formatter would read */
	*(size_t *)ctx += strlen(ev->victim.comm) + strlen(ev->trigger.comm) + ev->ctx.ntop;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oomtrace_parser_opts o = {.year = 2025};
	struct oomtrace_parser *p = oomtrace_parser_new(&o);
	const char *s = (const char *)data, *end = s + size, *nl;
	static struct oomtrace_event ev;
	size_t touched = 0;
	uint64_t lost;
	char err[128];

	if (!p)
		return 0;
	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			nl = end;
		{
			/* the reader's pre-filter must never crash or read outside the line either
			 */
			const char *h = oomtrace_parser_scan(p, s, nl);

			if (h && (h < s || h >= nl))
				__builtin_trap();
		}
		oomtrace_parser_line(p, s, (size_t)(nl - s), sink, &touched);
		oomtrace_events_parse_line(s, (size_t)(nl - s), &ev, &lost, err, sizeof(err));
		s = nl + 1;
	}
	oomtrace_parser_flush(p, false, sink, &touched);
	oomtrace_parser_free(p);
	return 0;
}
