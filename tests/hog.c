/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hog: allocate and touch N MiB in 1 MiB steps, then exit; for memcg OOM tests only. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: hog [-a OOM_SCORE_ADJ] [-u UID] [-s SHMEM_MIB] MIB (1..1024)\n"
			"  -a  set our oom_score_adj first   -u  then run as this uid (and gid)\n"
			"  -s  touch this much shared memory (shmem-rss) before the private MIB\n");
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

int main(int argc, char **argv)
{
	long mib, shm = 0, i;
	int c;

	while ((c = getopt(argc, argv, "a:u:s:")) != -1) {
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
	return 0;
}
