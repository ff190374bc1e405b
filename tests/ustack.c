/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ustack: a program whose memory is taken two calls below main, built -O2 -g
 * -fomit-frame-pointer, for the user stack tests. "stop": stop itself (SIGSTOP) there, for a
 * tracer to copy its stack; "oom MIB": touch MIB MiB there, 1 MiB at a time, then exit (for a
 * memcg OOM kill at that line); "hold MIB": touch MIB MiB, then sleep there for 30 s and exit
 * (a victim that is not the trigger: killed asleep, at the sleep's line).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum mode { OOM, STOP, HOLD };

static volatile long sink;

/* the allocating function: its memset runs in libc, which has no frame pointers */
__attribute__((noinline)) static long ustack_take(long mib, enum mode mode)
{
	long sum = 0;

	for (long i = 0; i < mib; i++) {
		char *p = malloc(1 << 20);

		if (!p)
			return -1;
		memset(p, (int)i | 1, 1 << 20);
		sum += p[i & 1023];
	}
	if (mode == HOLD)
		sink = sleep(30); /* asleep here until a kill, then gone by itself */
	if (mode == STOP) {
		raise(SIGSTOP);
		sink =
		    sum; /* the return address starts this line: a lookup must be inside the call */
	}
	return sum;
}

/* its caller, with a frame of its own */
__attribute__((noinline)) static long ustack_middle(long mib, enum mode mode)
{
	char pad[64];

	memset(pad, (int)mib, sizeof(pad));
	sink = pad[mib & 63];
	return ustack_take(mib, mode) + sink;
}

int main(int argc, char **argv)
{
	static const char *const modes[] = {"oom", "stop", "hold"};
	long mib = argc > 2 ? strtol(argv[2], NULL, 10) : 1;
	int mode = 0;

	while (argc > 1 && mode < 3 && strcmp(argv[1], modes[mode]) != 0)
		mode++;
	if (argc < 2 || mode == 3 || mib < 1 || mib > 4096) {
		fprintf(stderr, "usage: ustack oom|stop|hold [MIB (1..4096)]\n");
		return 2;
	}
	sink = ustack_middle(mib, (enum mode)mode);
	return 0;
}
