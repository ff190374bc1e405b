/* SPDX-License-Identifier: GPL-2.0-or-later */
/* event_json.h: struct oomtrace_event to and from the JSON object of docs/schema.md. */
#ifndef OOMTRACE_EVENT_JSON_H
#define OOMTRACE_EVENT_JSON_H

#include <stddef.h>

#include <json-c/json.h>

#include "event.h"
#include "util.h"

/* Append the JSON text of @ev to @b (one line, no newline): 0, or -ENOMEM. */
int oomtrace_event_emit(struct oomtrace_buf *b, const struct oomtrace_event *ev);
/* A new JSON object for @ev (caller owns it: json_object_put), NULL on ENOMEM. */
json_object *oomtrace_event_to_json(const struct oomtrace_event *ev);
/*
 * Fill @ev from @obj. Returns 0, or -EINVAL with a one-line reason in @err
 * (the field and the problem).
 */
int oomtrace_event_from_json(json_object *obj, struct oomtrace_event *ev, char *err, size_t errsz);
/* Serialise @obj as one line of JSON (no newline); pointer valid until @obj is put. */
const char *oomtrace_json_line(json_object *obj);
/* A JSON string from arbitrary bytes, repaired to valid UTF-8. */
json_object *oomtrace_json_string(const char *s);

#endif
