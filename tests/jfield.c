/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jfield: print fields of one JSON Lines record, for shell tests where no python or jq exists (VM
 * guests). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/*
 * jfield FILE [-k KEY=VALUE] PATH...
 * Takes the first line of FILE whose top-level KEY equals VALUE (default
 * record=kill) and prints each dotted PATH's value (a number indexes an array) on its own line:
 * strings as they are, null as "null", numbers and booleans as JSON, a missing path as "missing".
 * Exit 1 when no line matches, 2 on usage errors.
 */
static void print_path(struct json_object *o, const char *path)
{
	char buf[512], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
		char *end;
		unsigned long i = strtoul(tok, &end, 10);

		if (o && json_object_is_type(o, json_type_array) && end != tok && !*end) {
			/* an array's element by its index: frames.0.function */
			if (i >= json_object_array_length(o)) {
				puts("missing");
				return;
			}
			o = json_object_array_get_idx(o, i);
			continue;
		}
		if (!o || !json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, tok, &o)) {
			puts("missing");
			return;
		}
	}
	if (!o)
		puts("null");
	else if (json_object_is_type(o, json_type_string))
		puts(json_object_get_string(o));
	else
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}

int main(int argc, char **argv)
{
	const char *key = "record", *want = "kill";
	char kv[256], *line = NULL;
	size_t cap = 0;
	int first = 2;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: jfield FILE [-k KEY=VALUE] PATH...\n");
		return 2;
	}
	if (argc > 4 && strcmp(argv[2], "-k") == 0) {
		char *eq;

		snprintf(kv, sizeof(kv), "%s", argv[3]);
		eq = strchr(kv, '=');
		if (!eq)
			return 2;
		*eq = '\0';
		key = kv;
		want = eq + 1;
		first = 4;
	}
	f = strcmp(argv[1], "-") ? fopen(argv[1], "r") : stdin;
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	while (getline(&line, &cap, f) > 0) {
		struct json_object *o = json_tokener_parse(line), *v;
		int i;

		if (!o)
			continue;
		if (json_object_object_get_ex(o, key, &v) && v &&
		    strcmp(json_object_get_string(v), want) == 0) {
			for (i = first; i < argc; i++)
				print_path(o, argv[i]);
			json_object_put(o);
			free(line);
			return 0;
		}
		json_object_put(o);
	}
	free(line);
	return 1;
}
