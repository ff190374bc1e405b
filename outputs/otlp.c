// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * otlp.c: the OpenTelemetry renderer (--format otlp-json): each event as one line holding an OTLP
 * ExportLogsServiceRequest in the OTLP/JSON encoding (opentelemetry-proto, logs/v1; what the
 * Collector's otlpjsonfile receiver reads), mapped as docs/schema.md ("OpenTelemetry") says:
 * the resource is the node (host.name) and, where known, the victim's Kubernetes and container
 * identity; facts with a semantic-conventions name carry it, the others are oomtrace.<path>.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "event_json.h"
#include "format.h"
#include "jsonw.h"

/* Event JSON paths written as semantic-conventions attributes (semconv 1.45): resource, record. */
static const char *const resource_names[][2] = {
    {"host", "host.name"},
    {"k8s.namespace", "k8s.namespace.name"},
    {"k8s.pod", "k8s.pod.name"},
    {"k8s.pod_uid", "k8s.pod.uid"},
    {"k8s.container", "k8s.container.name"},
    {"container.id", "container.id"},
    {"container.runtime", "container.runtime.name"},
};
static const char *const record_names[][2] = {
    {"victim.pid", "process.pid"},
    {"victim.comm", "process.executable.name"},
    {"victim.uid", "process.real_user.id"},
};
/* Facts the record carries in its own fields (time, event name), or that number a stream. */
static const char *const not_attributes[] = {"schema", "seq", "record", "time"};

#define NAMES(t) (sizeof(t) / sizeof(t[0]))

static const char *semconv(const char *const (*t)[2], size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i][0], path) == 0)
			return t[i][1];
	return NULL;
}

static void any_value(struct oomtrace_jw *w, json_object *v);

/* An object's members as a kvlistValue (inside arrays: context.top_tasks' rows). */
static void kvlist(struct oomtrace_jw *w, json_object *o)
{
	oomtrace_jw_open(w, '{');
	oomtrace_jw_key(w, "kvlistValue");
	oomtrace_jw_open(w, '{');
	oomtrace_jw_key(w, "values");
	oomtrace_jw_open(w, '[');
	json_object_object_foreach(o, k, v)
	{
		if (!v)
			continue;
		oomtrace_jw_open(w, '{');
		oomtrace_jw_key(w, "key");
		oomtrace_jw_str(w, k);
		oomtrace_jw_key(w, "value");
		any_value(w, v);
		oomtrace_jw_close(w, '}');
	}
	oomtrace_jw_close(w, ']');
	oomtrace_jw_close(w, '}');
	oomtrace_jw_close(w, '}');
}

/* An AnyValue: {"stringValue": ...}, {"intValue": ...}, ... */
static void any_value(struct oomtrace_jw *w, json_object *v)
{
	size_t i, n;

	if (json_object_is_type(v, json_type_object)) {
		kvlist(w, v);
		return;
	}
	oomtrace_jw_open(w, '{');
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		oomtrace_jw_key(w, "boolValue");
		oomtrace_jw_bool(w, json_object_get_boolean(v));
		break;
	case json_type_int:
		/* a number, as the OpenTelemetry JavaScript encoder writes it (or a string: both
		 * are OTLP/JSON) */
		oomtrace_jw_key(w, "intValue");
		oomtrace_jw_number(w, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		break;
	case json_type_double:
		oomtrace_jw_key(w, "doubleValue");
		oomtrace_jw_number(w, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		break;
	case json_type_array:
		oomtrace_jw_key(w, "arrayValue");
		oomtrace_jw_open(w, '{');
		oomtrace_jw_key(w, "values");
		oomtrace_jw_open(w, '[');
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if (json_object_array_get_idx(v, i))
				any_value(w, json_object_array_get_idx(v, i));
		oomtrace_jw_close(w, ']');
		oomtrace_jw_close(w, '}');
		break;
	default:
		oomtrace_jw_key(w, "stringValue");
		oomtrace_jw_str(w, json_object_get_string(v));
	}
	oomtrace_jw_close(w, '}');
}

static void attribute(struct oomtrace_jw *w, const char *key, json_object *v)
{
	oomtrace_jw_open(w, '{');
	oomtrace_jw_key(w, "key");
	oomtrace_jw_str(w, key);
	oomtrace_jw_key(w, "value");
	any_value(w, v);
	oomtrace_jw_close(w, '}');
}

/*
 * The known facts below @o (path @path) as attributes: objects flattened into dotted keys, null
 * (not known) left out. @resource: only those that name the resource, else only the others.
 */
static void attributes(struct oomtrace_jw *w, json_object *o, char *path, size_t plen,
		       bool resource)
{
	json_object_object_foreach(o, k, v)
	{
		size_t n = strlen(k), i;
		const char *name;
		char key[300];

		if (!v || plen + n + 2 > 256)
			continue;
		if (plen)
			path[plen] = '.';
		memcpy(path + plen + !!plen, k, n + 1);
		for (i = 0; !plen && i < NAMES(not_attributes); i++)
			if (strcmp(k, not_attributes[i]) == 0)
				break;
		if (!plen && i < NAMES(not_attributes))
			continue;
		if (json_object_is_type(v, json_type_object)) {
			attributes(w, v, path, plen + !!plen + n, resource);
			continue;
		}
		name = semconv(resource_names, NAMES(resource_names), path);
		if (resource != !!name)
			continue;
		if (!name)
			name = semconv(record_names, NAMES(record_names), path);
		if (!name) {
			snprintf(key, sizeof(key), "oomtrace.%s", path);
			name = key;
		}
		attribute(w, name, v);
	}
	path[plen] = '\0';
}

static void string_attribute(struct oomtrace_jw *w, const char *key, const char *value)
{
	json_object *v = json_object_new_string(value);

	if (v)
		attribute(w, key, v);
	json_object_put(v);
}

/* The request around one log record, up to its attributes' opening bracket. */
static void request_open(struct oomtrace_jw *w, json_object *o)
{
	char path[256] = "";

	oomtrace_jw_open(w, '{');
	oomtrace_jw_key(w, "resourceLogs");
	oomtrace_jw_open(w, '[');
	oomtrace_jw_open(w, '{');
	oomtrace_jw_key(w, "resource");
	oomtrace_jw_open(w, '{');
	oomtrace_jw_key(w, "attributes");
	oomtrace_jw_open(w, '[');
	string_attribute(w, "service.name", "oomtrace");
	string_attribute(w, "service.version", PACKAGE_VERSION);
	if (o)
		attributes(w, o, path, 0, true);
	oomtrace_jw_close(w, ']');
	oomtrace_jw_close(w, '}');
	oomtrace_jw_key(w, "scopeLogs");
	oomtrace_jw_open(w, '[');
	oomtrace_jw_open(w, '{');
	oomtrace_jw_key(w, "scope");
	oomtrace_jw_open(w, '{');
	oomtrace_jw_key(w, "name");
	oomtrace_jw_str(w, "oomtrace");
	oomtrace_jw_key(w, "version");
	oomtrace_jw_str(w, PACKAGE_VERSION);
	oomtrace_jw_close(w, '}');
	oomtrace_jw_key(w, "logRecords");
	oomtrace_jw_open(w, '[');
	oomtrace_jw_open(w, '{');
}

/* A time in nanoseconds, as OTLP/JSON writes a fixed64: a decimal string. */
static void nanos(struct oomtrace_jw *w, const char *key, uint64_t ns)
{
	char s[24];

	snprintf(s, sizeof(s), "%llu", (unsigned long long)ns);
	oomtrace_jw_key(w, key);
	oomtrace_jw_str(w, s);
}

/* The record's own fields: times, severity (the journal's priority), body, event name. */
static void record_head(struct oomtrace_jw *w, int64_t time_us, bool known, int sev,
			const char *sevtext, const char *body, const char *event_name)
{
	struct timespec now;

	if (known && time_us > 0)
		nanos(w, "timeUnixNano", (uint64_t)time_us * 1000);
	clock_gettime(CLOCK_REALTIME, &now);
	nanos(w, "observedTimeUnixNano",
	      (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec);
	oomtrace_jw_key(w, "severityNumber");
	oomtrace_jw_i64(w, sev);
	oomtrace_jw_key(w, "severityText");
	oomtrace_jw_str(w, sevtext);
	oomtrace_jw_key(w, "body");
	oomtrace_jw_open(w, '{');
	oomtrace_jw_key(w, "stringValue");
	oomtrace_jw_str(w, body);
	oomtrace_jw_close(w, '}');
	oomtrace_jw_key(w, "eventName");
	oomtrace_jw_str(w, event_name);
	oomtrace_jw_key(w, "attributes");
	oomtrace_jw_open(w, '[');
}

static int request_close(struct oomtrace_jw *w, struct oomtrace_buf *b)
{
	int i;

	/* attributes and the record, logRecords and its scopeLogs, scopeLogs and its resourceLogs,
	 * resourceLogs and the request */
	for (i = 0; i < 4; i++) {
		oomtrace_jw_close(w, ']');
		oomtrace_jw_close(w, '}');
	}
	return oomtrace_jw_error(w) ? oomtrace_jw_error(w) : oomtrace_buf_append(b, "\n", 1);
}

static int otlp_event(struct oomtrace_buf *b, struct oomtrace_out_event *oe, unsigned int flags)
{
	const struct oomtrace_event *ev = oe->ev;
	json_object *o = oomtrace_out_json(oe);
	struct oomtrace_buf line = {0};
	struct oomtrace_jw w;
	char path[256] = "", name[48];
	char *nl;
	bool reap = ev->record == OOMTRACE_RECORD_REAP;
	int sev = reap					   ? 9
		  : ev->outcome == OOMTRACE_OUTCOME_PANIC  ? 21
		  : ev->outcome == OOMTRACE_OUTCOME_KILLED ? 17
							   : 13;
	int r;

	(void)flags;
	if (!o || oomtrace_format_text.event(&line, oe, 0))
		return -ENOMEM;
	if ((nl = line.p ? strchr(line.p, '\n') : NULL))
		*nl = '\0';
	snprintf(name, sizeof(name), "oomtrace.oom.%s", oomtrace_record_name(ev->record));
	oomtrace_jw_init(&w, b);
	request_open(&w, o);
	record_head(&w, ev->time_us, ev->known & OOMTRACE_E_TIME, sev,
		    sev == 9	? "INFO"
		    : sev == 21 ? "FATAL"
		    : sev == 17 ? "ERROR"
				: "WARN",
		    line.p ? line.p : "", name);
	attributes(&w, o, path, 0, false);
	r = request_close(&w, b);
	oomtrace_buf_free(&line);
	return r;
}

static int otlp_lost(struct oomtrace_buf *b, uint64_t n)
{
	struct oomtrace_jw w;
	json_object *v = json_object_new_uint64(n);
	char body[48];

	if (!v)
		return -ENOMEM;
	snprintf(body, sizeof(body), "LOST %llu events", (unsigned long long)n);
	oomtrace_jw_init(&w, b);
	request_open(&w, NULL);
	record_head(&w, 0, false, 13, "WARN", body, "oomtrace.events.lost");
	attribute(&w, "oomtrace.lost", v);
	json_object_put(v);
	return request_close(&w, b);
}

const struct oomtrace_format_ops oomtrace_format_otlp = {
    .name = "otlp-json", .event = otlp_event, .lost = otlp_lost};
