/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ustack: a program whose memory is taken two calls below main, built -O2 -g
 * -fomit-frame-pointer, for the user stack tests. "stop": stop itself (SIGSTOP) there, for a
 * tracer to copy its stack; "oom MIB": touch MIB MiB there, 1 MiB at a time, then exit (for a
 * memcg OOM kill at that line).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile long sink;

/* the allocating function: its memset runs in libc, which has no frame pointers */
__attribute__((noinline)) static long ustack_take(long mib, int stop)
{
	long sum = 0;

	for (long i = 0; i < mib; i++) {
		char *p = malloc(1 << 20);

		if (!p)
			return -1;
		memset(p, (int)i | 1, 1 << 20);
		sum += p[i & 1023];
	}
	if (stop) {
		raise(SIGSTOP);
		sink =
		    sum; /* the return address starts this line: a lookup must be inside the call */
	}
	return sum;
}

/* its caller, with a frame of its own */
__attribute__((noinline)) static long ustack_middle(long mib, int stop)
{
	char pad[64];

	memset(pad, (int)mib, sizeof(pad));
	sink = pad[mib & 63];
	return ustack_take(mib, stop) + sink;
}

int main(int argc, char **argv)
{
	int stop = argc > 1 && strcmp(argv[1], "stop") == 0;
	long mib = argc > 2 ? strtol(argv[2], NULL, 10) : 1;

	if (argc < 2 || (!stop && strcmp(argv[1], "oom") != 0) || mib < 1 || mib > 4096) {
		fprintf(stderr, "usage: ustack stop|oom [MIB (1..4096)]\n");
		return 2;
	}
	sink = ustack_middle(mib, stop);
	return 0;
}
