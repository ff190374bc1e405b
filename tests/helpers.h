/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helpers.h: shared helpers of the Check suites: run the parser over text, collect events. */
#ifndef OOMTRACE_TEST_HELPERS_H
#define OOMTRACE_TEST_HELPERS_H

#include <stddef.h>

#include <check.h>

#include "event.h"
#include "parser.h"

struct collected {
	size_t n;
	struct oomtrace_event ev[64];
};

/* Parse @text (lines separated by '\n') with @opts (NULL: defaults) and flush at the end. */
void parse_text(const char *text, const struct oomtrace_parser_opts *opts, struct collected *out);
/* Parse a file of fixtures/ the same way. */
void parse_fixture(const char *name, const struct oomtrace_parser_opts *opts,
		   struct collected *out);
/* Run @s, print Check's summary; the exit status for main(). */
int run_suite(Suite *s);
/* This program cannot run here: "SKIP: why" on stdout, exit 77 (automake's SKIP). Never returns. */
void skip_all(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Path of a fixture (static buffer). */
const char *fixture_path(const char *name);

#endif
