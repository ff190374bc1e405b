/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sigpingpong: two processes send each other signal SIG (kill(2)) as fast as they can for SECS
 * seconds; prints the signals sent per second. For bench/signals.sh: the cost of the tracer's
 * program at signal:signal_generate, which runs for every signal on the host.
 * usage: sigpingpong SIG SECS
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int sig = argc > 2 ? atoi(argv[1]) : 0, got;
	double secs = argc > 2 ? atof(argv[2]) : 0, t0;
	unsigned long n = 0;
	sigset_t set;
	pid_t child, parent = getpid();

	if (sig <= 0 || sig == SIGKILL || sig == SIGSTOP || secs <= 0 || secs > 60) {
		fprintf(stderr, "usage: sigpingpong SIG SECS (SECS <= 60)\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL); /* taken with sigwait: never delivered, never fatal */
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		for (;;) {
			if (sigwait(&set, &got))
				_exit(1);
			if (kill(parent, sig))
				_exit(0); /* the parent is gone */
		}
	}
	t0 = now();
	while (now() - t0 < secs) {
		if (kill(child, sig) || sigwait(&set, &got))
			break;
		n += 2;
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	printf("%.0f\n", (double)n / (now() - t0));
	return 0;
}
