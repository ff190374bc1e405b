/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hog: allocate and touch N MiB in 1 MiB steps, then exit (or wait a while, for a killer of
 * user space to find it); for memcg OOM tests only. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(
	    stderr,
	    "usage: hog [-a OOM_SCORE_ADJ] [-u UID] [-s SHMEM_MIB] [-w SECS] [-t] MIB (1..1024)\n"
	    "  -a  set our oom_score_adj first   -u  then run as this uid (and gid)\n"
	    "  -s  touch this much shared memory (shmem-rss) before the private MIB\n"
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
	long mib, shm = 0, wait_s = 0, i;
	int c;

	while ((c = getopt(argc, argv, "a:u:s:w:tT")) != -1) {
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
	if (optind != argc - 1 || (mib = mib_arg(argv[optind])) <= 0 || mib + shm > 1024)
		usage();
	if (shm) {
		char *p = mmap(NULL, (size_t)shm << 20, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return 1;
		memset(p, 0x33, (size_t)shm << 20);
	}
	for (i = 0; i < mib; i++) {
		char *p = malloc(1 << 20);

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
