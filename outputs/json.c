// SPDX-License-Identifier: GPL-2.0-or-later
/* json.c: the JSON Lines renderer (docs/schema.md): each event's JSON object as one line. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "event_json.h"
#include "format.h"

/* One JSON object as one line. */
static int put_line(struct oomtrace_buf *b, json_object *o)
{
	const char *s;
	int r;

	if (!o)
		return -ENOMEM;
	s = oomtrace_json_line(o);
	r = oomtrace_buf_append(b, s, strlen(s));
	return r ? r : oomtrace_buf_append(b, "\n", 1);
}

/* The event's text straight from the streaming writer: no json-c object on the way. */
static int json_event(struct oomtrace_buf *b, struct oomtrace_out_event *oe, unsigned int flags)
{
	int r;

	(void)flags;
	r = oomtrace_event_emit(b, oe->ev);
	return r ? r : oomtrace_buf_append(b, "\n", 1);
}

static int json_lost(struct oomtrace_buf *b, uint64_t n)
{
	/* through the same writer as events: one serializer, one set of rules */
	json_object *o = json_object_new_object();
	int r;

	if (o)
		json_object_object_add(o, "lost", json_object_new_uint64(n));
	r = put_line(b, o);
	json_object_put(o);
	return r;
}

const struct oomtrace_format_ops oomtrace_format_json = {
    .name = "json", .event = json_event, .lost = json_lost};
