// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * markdelay.c: a test's tool: attaches tests/markdelay.bpf.c to oom:mark_victim (before the tracer
 * attaches its own, so that it runs first), says "attached" on stdout, then holds each mark_victim
 * until 5 ms after its victim took its SIGKILL, MS milliseconds at most, while SIGUSR1 is in
 * force, none after SIGUSR2; on SIGTERM or SIGINT prints "held N exited M" (the marks it held,
 * and of those the ones whose victim took its SIGKILL meanwhile) and exits 0.
 * Usage: markdelay MS. Exit 77: not here (no bpf_loop, no tracepoint, no privilege), with why.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "markdelay.skel.h"

int main(int argc, char **argv)
{
	struct markdelay_bpf *skel;
	unsigned long long ms;
	sigset_t set;
	char *end;
	int sig = 0;

	if (argc != 2 || (ms = strtoull(argv[1], &end, 10)) == 0 || *end || ms > 1000) {
		fprintf(stderr, "usage: markdelay MS (1 to 1000)\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	libbpf_set_print(NULL);
	skel = markdelay_bpf__open_and_load();
	if (!skel || markdelay_bpf__attach(skel)) {
		printf("markdelay: cannot attach to oom:mark_victim: %s\n", strerror(errno));
		markdelay_bpf__destroy(skel);
		return 77;
	}
	printf("attached\n");
	fflush(stdout);
	while (sig != SIGTERM && sig != SIGINT) {
		if (sigwait(&set, &sig))
			break;
		if (sig == SIGUSR1)
			skel->bss->delay_ns = ms * 1000000ULL;
		else if (sig == SIGUSR2)
			skel->bss->delay_ns = 0;
	}
	printf("held %llu exited %llu\n", (unsigned long long)skel->bss->held,
	       (unsigned long long)skel->bss->exited);
	markdelay_bpf__destroy(skel);
	return 0;
}
