/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hog: allocate and touch N MiB in 1 MiB steps, then exit (or wait a while, for a killer of
 * user space to find it); for memcg OOM tests only. */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: hog [-a OOM_SCORE_ADJ] [-u UID] [-s SHMEM_MIB] [-r MIB_PER_S] [-w "
			"SECS] [-t] MIB "
			"(1..1024)\n"
			"  -a  set our oom_score_adj first   -u  then run as this uid (and gid)\n"
			"  -s  touch this much shared memory (shmem-rss) before the private MIB\n"
			"  -r  allocate at this rate (1..1024 MiB/s), not at once\n"
			"  -w  then wait SECS (1..600) before exiting   -t  ignore SIGTERM\n");
	exit(2);
}

static long mib_arg(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	/* Bounded by design: never more than 1 GiB, so a hog run by mistake
	 * outside a limited cgroup cannot exhaust the machine. */
	if (*end || v < 0 || v > 1024)
		usage();
	return v;
}

static void set_adj(const char *adj)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY);

	if (fd < 0 || write(fd, adj, strlen(adj)) != (ssize_t)strlen(adj)) {
		perror("hog: oom_score_adj");
		exit(1);
	}
	close(fd);
}

/* @mib MiB of pipe buffers: 1 MiB pipes, filled, kept open (kernel memory of our memcg) */
static void fill_pipes(long mib)
{
	static char buf[1 << 20];
	long i;

	memset(buf, 0x6b, sizeof(buf));
	for (i = 0; i < mib; i++) {
		int p[2];

		if (pipe(p) || fcntl(p[1], F_SETPIPE_SZ, 1 << 20) < (1 << 20) ||
		    write(p[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			perror("hog: pipe");
			exit(1);
		}
	}
}

static void *term_waiter(void *arg)
{
	sigset_t *set = arg;
	int sig;

	sigwait(set, &sig);
	return NULL; /* this thread exits; the process does not */
}

/* SIGTERM blocked in every thread, taken by one that then exits: a victim with a thread gone */
static void term_thread(void)
{
	static sigset_t set;
	pthread_t t;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) || pthread_create(&t, NULL, term_waiter, &set)) {
		perror("hog: thread");
		exit(1);
	}
	pthread_detach(t);
}

int main(int argc, char **argv)
{
	long mib, shm = 0, wait_s = 0, rate = 0, kmem = 0, i;
	struct timespec t0, due;
	int c;

	while ((c = getopt(argc, argv, "a:u:s:k:r:w:tT")) != -1) {
		switch (c) {
		case 'a':
			set_adj(optarg);
			break;
		case 'u': {
			long uid = atol(optarg);

			if (uid <= 0 || setgid((gid_t)uid) || setuid((uid_t)uid)) {
				perror("hog: setuid");
				return 1;
			}
			break;
		}
		case 's':
			shm = mib_arg(optarg);
			break;
		case 'k':
			kmem = mib_arg(optarg);
			break;
		case 'r':
			if ((rate = mib_arg(optarg)) < 1)
				usage();
			break;
		case 'w':
			wait_s = atol(optarg);
			if (wait_s < 1 || wait_s > 600)
				usage();
			break;
		case 't':
			signal(SIGTERM, SIG_IGN);
			break;
		case 'T':
			term_thread();
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || (mib = mib_arg(argv[optind])) <= 0 || mib + shm + kmem > 1024)
		usage();
	if (shm) {
		char *p = mmap(NULL, (size_t)shm << 20, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return 1;
		memset(p, 0x33, (size_t)shm << 20);
	}
	if (kmem)
		fill_pipes(kmem);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < mib; i++) {
		char *p = malloc(1 << 20);

		if (rate) { /* the i-th MiB at i/rate s from the start: no drift */
			long long ns = (long long)t0.tv_nsec + i * 1000000000LL / rate;

			due.tv_sec = t0.tv_sec + (time_t)(ns / 1000000000LL);
			due.tv_nsec = (long)(ns % 1000000000LL);
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
		}
		if (!p)
			return 1;
		memset(p, 0x5a, 1 << 20);
	}
	/* ready: the memory is touched (a test waits for this line before it looks) */
	if (wait_s) {
		printf("hog %d ready\n", (int)getpid());
		fflush(stdout);
	}
	for (; wait_s > 0; wait_s--)
		sleep(1);
	return 0;
}
