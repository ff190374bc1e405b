// SPDX-License-Identifier: GPL-2.0-or-later
/* check.c: oomtrace --check: this kernel's tracing mechanisms, and what --backend auto picks. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "event_json.h"
#include "options.h"

static bool path_has(const char *path, const char *word)
{
	char buf[512];
	FILE *f = fopen(path, "re");
	bool found = false;

	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f))
		found = strstr(buf, word) != NULL;
	fclose(f);
	return found;
}

/* The kernel, each backend's own rows, the memory cgroup controllers and the headers. */
static void mechanism_rows(struct oomtrace_check *c, const struct oomtrace_backend_opts *bo)
{
	const struct oomtrace_backend_info *b;
	char release[128] = "?", hdr[300];
	bool v1 = access("/sys/fs/cgroup/memory/memory.limit_in_bytes", R_OK) == 0;
	bool v2 = path_has("/sys/fs/cgroup/cgroup.controllers", "memory") ||
		  path_has("/sys/fs/cgroup/unified/cgroup.controllers", "memory");
	FILE *f = fopen("/proc/sys/kernel/osrelease", "re");

	if (f) {
		if (fgets(release, sizeof(release), f))
			release[strcspn(release, "\n")] = '\0';
		fclose(f);
	}
	oomtrace_check_add(c, "kernel", release, "%s", "running kernel release");
	for (b = oomtrace_backend_list(); b->name; b++) {
		if (!b->ops)
			oomtrace_check_add(c, b->name, "not built", "reconfigure with %s",
					   b->configure_flag);
		else if (b->ops->check)
			b->ops->check(bo, c);
	}
	oomtrace_check_add(c, "memcg v1", v1 ? "yes" : "no", "%s",
			   v1 ? "/sys/fs/cgroup/memory" : "no v1 memory controller mounted");
	oomtrace_check_add(c, "memcg v2", v2 ? "yes" : "no", "%s",
			   v2 ? "memory controller enabled in the unified hierarchy"
			      : "no v2 memory controller");
	snprintf(hdr, sizeof(hdr), "/lib/modules/%s/build", release);
	oomtrace_check_add(c, "kernel headers", access(hdr, F_OK) == 0 ? "yes" : "no",
			   "%s (for the bcc backend)", hdr);
}

/* a backend auto passed over because it cannot run here: a row */
static void note_unusable(void *ctx, const char *backend, const char *why)
{
	if (why)
		oomtrace_check_add(ctx, backend, "unusable", "%s", why);
}

static void print_json(const struct oomtrace_check *c, const char *backend, const char *probe)
{
	json_object *o = json_object_new_object(), *rows = json_object_new_array();
	unsigned int i;

	for (i = 0; i < c->n; i++) {
		json_object *r = json_object_new_object();

		json_object_object_add(r, "name", json_object_new_string(c->rows[i].name));
		json_object_object_add(r, "state", json_object_new_string(c->rows[i].state));
		json_object_object_add(r, "detail", oomtrace_json_string(c->rows[i].detail));
		json_object_array_add(rows, r);
	}
	json_object_object_add(o, "check", rows);
	json_object_object_add(o, "auto_backend", json_object_new_string(backend));
	json_object_object_add(o, "auto_probe", json_object_new_string(probe));
	printf("%s\n", oomtrace_json_line(o));
	json_object_put(o);
}

int oomtrace_check_run(struct oomtrace_config *cf)
{
	struct oomtrace_check c = {0};
	const struct oomtrace_backend_info *pick;
	char probe[96] = "log (/dev/kmsg)";
	void *st = NULL;
	unsigned int i;

	mechanism_rows(&c, &cf->bo);
	pick = oomtrace_select_live(&cf->bo, &st, note_unusable, &c);
	if (pick) {
		snprintf(probe, sizeof(probe), "%s",
			 pick->ops->probe_name ? pick->ops->probe_name(st) : "?");
		pick->ops->close(st);
	}
	oomtrace_check_add(&c, "auto picks", pick ? pick->name : "replay", "%s", probe);
	if (strcmp(cf->format, "json") == 0) {
		print_json(&c, pick ? pick->name : "replay", probe);
		return OOMTRACE_EXIT_OK;
	}
	for (i = 0; i < c.n; i++)
		printf("%-16s %-10s %s\n", c.rows[i].name, c.rows[i].state, c.rows[i].detail);
	return OOMTRACE_EXIT_OK;
}
