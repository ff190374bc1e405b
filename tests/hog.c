/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hog: allocate and touch N MiB in 1 MiB steps, then exit; for memcg OOM tests only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 0;
	long i;

	/* Bounded by design: never more than 1 GiB, so a hog run by mistake
	 * outside a limited cgroup cannot exhaust the machine. */
	if (mib <= 0 || mib > 1024) {
		fprintf(stderr, "usage: hog MIB (1..1024)\n");
		return 2;
	}
	for (i = 0; i < mib; i++) {
		char *p = malloc(1 << 20);

		if (!p)
			return 1;
		memset(p, 0x5a, 1 << 20);
	}
	return 0;
}
