// SPDX-License-Identifier: GPL-2.0-or-later
/* events.c: one line of a recorded event file (JSON Lines, docs/schema.md) to an event, via json-c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "event_json.h"
#include "replay.h"

int oomtrace_events_parse_line(const char *line, size_t len, struct oomtrace_event *ev,
			       uint64_t *lost, char *err, size_t errsz)
{
	struct json_tokener *tok;
	json_object *o, *l;
	size_t i;
	int r;

	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'); i++)
		;
	if (i == len)
		return 0;
	if (len > INT32_MAX) {
		snprintf(err, errsz, "line too long");
		return -EINVAL;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len) {
		enum json_tokener_error je = json_tokener_get_error(tok);

		if (o && je == json_tokener_success) {
			/* trailing bytes after a complete value */
			size_t k;

			for (k = (size_t)tok->char_offset; k < len; k++)
				if (line[k] != ' ' && line[k] != '\t' && line[k] != '\r')
					break;
			if (k == len)
				goto parsed;
			snprintf(err, errsz, "invalid JSON: trailing data at byte %zu", k + 1);
		} else {
			snprintf(err, errsz, "invalid JSON: %s",
				 je == json_tokener_continue ? "unexpected end of line"
							     : json_tokener_error_desc(je));
		}
		json_object_put(o);
		json_tokener_free(tok);
		return -EINVAL;
	}
parsed:
	json_tokener_free(tok);
	if (json_object_is_type(o, json_type_object) && json_object_object_length(o) == 1 &&
	    json_object_object_get_ex(o, "lost", &l) && json_object_is_type(l, json_type_int) &&
	    json_object_get_int64(l) >= 0) {
		*lost = json_object_get_uint64(l);
		json_object_put(o);
		return 2;
	}
	r = oomtrace_event_from_json(o, ev, err, errsz);
	json_object_put(o);
	return r ? r : 1;
}
