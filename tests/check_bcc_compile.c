// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_bcc_compile.c: every BPF program the BCC backend generates compiles
 * with the real libbcc, against real kernel headers. Needs root (a private
 * mount namespace shows the headers), libbcc and headers: without them it
 * says SKIP and why (exit 77), never a pass.
 */
#include "config.h"

#include <dlfcn.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "bcc_headers.h"
#include "bcc_sets.h"
#include "helpers.h"

/* Debian's generic headers (--kernel-headers) where this kernel has none of its own; "" for its own
 */
static char headers[4096];

static char *text_of(const struct bcc_features *f)
{
	struct oomtrace_buf b = {0};

	ck_assert_int_eq(bcc_program_text(f, &b), 0);
	return b.p;
}

/* Each generated program compiles with the real libbcc (root, libbcc and headers needed). */
START_TEST(programs_compile_with_libbcc)
{
	void *(*create)(const char *, unsigned int, const char *[], int, bool, const char *);
	void *(*start)(void *, const char *);
	void (*destroy)(void *);
	struct oomtrace_backend_opts o = {0};
	char build[4096], src[4096], why[512], tmp[128];
	void *dl;
	size_t i;

	dl = dlopen("libbcc.so.0", RTLD_NOW | RTLD_LOCAL);
	ck_assert_ptr_nonnull(dl);
	o.kernel_headers = headers[0] ? headers : NULL;
	ck_assert_msg(
	    bcc_find_headers(&o, build, sizeof(build), src, sizeof(src), why, sizeof(why)) == 0,
	    "%s", why);
	if (o.kernel_headers)
		ck_assert_msg(bcc_expose_headers(build, src, tmp, sizeof(tmp), why, sizeof(why)) ==
				  0,
			      "%s", why);
	*(void **)&create = dlsym(dl, "bpf_module_create_c_from_string");
	*(void **)&start = dlsym(dl, "bpf_function_start");
	*(void **)&destroy = dlsym(dl, "bpf_module_destroy");
	ck_assert(create && start && destroy);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		char *t = text_of(&sets[i]);
		void *mod = create(t, 0, NULL, 0, true, NULL);

		if (!mod)
			fprintf(stderr, "feature set %zu did not compile:\n%s\n", i, t);
		ck_assert_msg(mod != NULL, "feature set %zu did not compile (program on stderr)",
			      i);
		ck_assert_ptr_nonnull(
		    start(mod, sets[i].kprobe ? "okp_entry" : "tracepoint__oom__mark_victim"));
		if (sets[i].members)
			ck_assert_ptr_nonnull(start(mod, "tracepoint__oom__mark_victim"));
		destroy(mod);
		free(t);
	}
	if (o.kernel_headers) {
		/* nothing of the private view of the headers is left behind */
		struct stat st;

		bcc_unexpose_headers(tmp);
		ck_assert_int_ne(stat(tmp, &st), 0);
	}
}
END_TEST

int main(void)
{
	struct oomtrace_backend_opts o = {0};
	char build[4096], src[4096], why[512];
	Suite *s = suite_create("bcc-compile");
	TCase *t = tcase_create("libbcc");
	glob_t g;
	void *dl;

	if (geteuid() != 0)
		skip_all(
		    "compiling with libbcc needs root (a private mount namespace for the headers)");
	if (!(dl = dlopen("libbcc.so.0", RTLD_NOW | RTLD_LOCAL)))
		skip_all("libbcc.so.0 not installed (libbpfcc)");
	/* libbcc builds a tracepoint's args from its tracefs format: mounted as the tracer would
	 * (live/live.c, oomtrace_tracefs_dir), since a fresh machine may have none */
	if (access("/sys/kernel/tracing/events/oom", F_OK) != 0 &&
	    access("/sys/kernel/debug/tracing/events/oom", F_OK) != 0 &&
	    (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) != 0 ||
	     access("/sys/kernel/tracing/events/oom", F_OK) != 0))
		skip_all("tracefs with events/oom cannot be mounted on /sys/kernel/tracing");
	dlclose(dl);
	if (glob("/usr/src/linux-headers-*-amd64", 0, NULL, &g) == 0 ||
	    glob("/usr/src/linux-headers-*-arm64", 0, NULL, &g) == 0) {
		snprintf(headers, sizeof(headers), "%s", g.gl_pathv[g.gl_pathc - 1]);
		globfree(&g);
	}
	o.kernel_headers = headers[0] ? headers : NULL;
	if (bcc_find_headers(&o, build, sizeof(build), src, sizeof(src), why, sizeof(why)))
		skip_all("%s", why);
	tcase_set_timeout(t, 300); /* libbcc compiles four programs; under qemu-user slowly */
	tcase_add_test(t, programs_compile_with_libbcc);
	suite_add_tcase(s, t);
	return run_suite(s);
}
