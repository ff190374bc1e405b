// SPDX-License-Identifier: GPL-2.0-or-later
/* helpers.c: helpers for the Check suites (see helpers.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "helpers.h"

static int collect(void *ctx, struct oomtrace_event *ev)
{
	struct collected *c = ctx;

	ck_assert_uint_lt(c->n, sizeof(c->ev) / sizeof(c->ev[0]));
	c->ev[c->n++] = *ev;
	return 0;
}

void parse_text(const char *text, const struct oomtrace_parser_opts *opts, struct collected *out)
{
	struct oomtrace_parser *p = oomtrace_parser_new(opts);
	const char *s = text, *nl;

	ck_assert_ptr_nonnull(p);
	out->n = 0;
	while (*s) {
		nl = strchr(s, '\n');
		if (!nl)
			nl = s + strlen(s);
		ck_assert_int_eq(oomtrace_parser_line(p, s, (size_t)(nl - s), collect, out), 0);
		s = *nl ? nl + 1 : nl;
	}
	ck_assert_int_eq(oomtrace_parser_flush(p, false, collect, out), 0);
	oomtrace_parser_free(p);
}

const char *fixture_path(const char *name)
{
	static char path[4096];
	const char *srcdir = getenv("srcdir");

	snprintf(path, sizeof(path), "%s/fixtures/%s", srcdir ? srcdir : ".", name);
	return path;
}

void parse_fixture(const char *name, const struct oomtrace_parser_opts *opts, struct collected *out)
{
	FILE *f = fopen(fixture_path(name), "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open fixture %s", fixture_path(name));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	parse_text(buf, opts, out);
	free(buf);
}

int run_suite(Suite *s)
{
	SRunner *r = srunner_create(s);
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void skip_all(const char *fmt, ...)
{
	va_list ap;

	printf("SKIP: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(77);
}
