// SPDX-License-Identifier: GPL-2.0-or-later
/* main.c: the oomtrace program: the options into a config, then the run (or --check). */
#include "config.h"

#include "options.h"

int main(int argc, char **argv)
{
	struct oomtrace_config c;
	int code = oomtrace_options_parse(argc, argv, &c);

	if (code >= 0)
		return code;
	return c.check ? oomtrace_check_run(&c) : oomtrace_run(&c);
}
