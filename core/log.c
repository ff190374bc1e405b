// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c: the logging helpers; every diagnostic goes through here to stderr. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "log.h"

static enum oomtrace_log_level log_level = OOMTRACE_LOG_WARN;
static bool log_json;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

void oomtrace_log_set_level(enum oomtrace_log_level level)
{
	log_level = level;
}

enum oomtrace_log_level oomtrace_log_get_level(void)
{
	return log_level;
}

void oomtrace_log_set_json(bool json)
{
	log_json = json;
}

void oomtrace_vlog(enum oomtrace_log_level level, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;

	if (level > log_level)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (log_json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "level", json_object_new_string(level_names[level]));
		json_object_object_add(o, "msg", json_object_new_string(buf));
		fprintf(stderr, "%s\n",
			json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		fprintf(stderr, "oomtrace: %s%s\n",
			level == OOMTRACE_LOG_ERROR  ? "error: "
			: level == OOMTRACE_LOG_WARN ? "warning: "
						     : "",
			buf);
	}
}

void oomtrace_log(enum oomtrace_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	oomtrace_vlog(level, fmt, ap);
	va_end(ap);
}
