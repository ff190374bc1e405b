// SPDX-License-Identifier: GPL-2.0-or-later
/* bcc_cache_load.c: a kept BCC program made live again by the tracer itself, with libbpf, no
 * libbcc. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include <bpf/bpf.h>

#include "bcc_cache.h"
#include "live.h"

/* A perf event for tracepoint @cat/@name, or for a kprobe on @fn through the kprobe PMU. */
static int perf_event_for(const struct bcc_cache_prog *p)
{
	struct perf_event_attr a = {.size = sizeof(a), .sample_period = 1, .wakeup_events = 1};
	char path[300], num[32] = "";
	int fd;
	ssize_t n;

	if (p->attach == BCA_TRACEPOINT) {
		const char *tfs = oomtrace_tracefs_dir(true, NULL, 0);

		if (!tfs)
			return -ENOENT;
		snprintf(path, sizeof(path), "%s/events/%s/%s/id", tfs, p->where[0], p->where[1]);
		a.type = PERF_TYPE_TRACEPOINT;
	} else {
		snprintf(path, sizeof(path), "/sys/bus/event_source/devices/kprobe/type");
		a.config1 = (uint64_t)(uintptr_t)p->where[0];
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, num, sizeof(num) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	if (p->attach == BCA_TRACEPOINT)
		a.config = strtoull(num, NULL, 10);
	else
		a.type = (uint32_t)strtoul(num, NULL, 10);
	fd = (int)syscall(SYS_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Load program @p with the map descriptors of the child (maps[].fd) replaced by @mapfd. */
static int load_prog(const struct bcc_cache *c, const struct bcc_cache_prog *p, const int *mapfd)
{
	struct bpf_insn *in = malloc(p->ninsn * sizeof(*in));
	uint32_t i, j;
	int fd = -ENOMEM;

	if (!in)
		return fd;
	memcpy(in, p->insns, p->ninsn * sizeof(*in));
	for (i = 0; i < p->ninsn; i++) {
		if (in[i].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (in[i].src_reg == BPF_PSEUDO_MAP_FD) {
			for (j = 0; j < c->nmaps && c->maps[j].fd != in[i].imm; j++)
				;
			if (j == c->nmaps) {
				free(in);
				return -EINVAL; /* a map the entry does not list */
			}
			in[i].imm = mapfd[j];
		}
		i++; /* the second half of the 16-byte load */
	}
	LIBBPF_OPTS(bpf_prog_load_opts, o, .kern_version = p->kern_version);
	fd = bpf_prog_load(p->type, p->name, p->license, in, p->ninsn, &o);
	if (fd < 0)
		fd = -errno;
	free(in);
	return fd;
}

/* Attach loaded program @pfd as @p says; the attachment's descriptor. */
static int attach_prog(const struct bcc_cache_prog *p, int pfd)
{
	int ev;

	if (p->attach == BCA_RAW_TRACEPOINT) {
		ev = bpf_raw_tracepoint_open(p->where[0], pfd);
		return ev < 0 ? -errno : ev;
	}
	ev = perf_event_for(p);
	if (ev < 0)
		return ev;
	if (ioctl(ev, PERF_EVENT_IOC_SET_BPF, pfd) || ioctl(ev, PERF_EVENT_IOC_ENABLE, 0)) {
		int e = -errno;

		close(ev);
		return e;
	}
	return ev;
}

int bcc_cache_load(const struct bcc_cache *c, int *fds, int max, int *nfds, int *events_fd,
		   int *drops_fd, char *why, size_t whysz)
{
	int mapfd[BCC_CACHE_MAPS], n = 0, err = 0;
	unsigned int i;

	*nfds = 0;
	for (i = 0; i < c->nmaps; i++)
		mapfd[i] = -1;
	for (i = 0; i < c->nmaps && !err; i++) {
		const struct bcc_cache_map *m = &c->maps[i];
		LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = m->flags);

		mapfd[i] = bpf_map_create(m->type, m->name, m->key_size, m->value_size,
					  m->max_entries, &mo);
		if (mapfd[i] < 0) {
			err = -errno;
			snprintf(why, whysz, "map %s: %s", m->name, strerror(-err));
		}
	}
	for (i = 0; i < c->nprogs && !err; i++) {
		int pfd = load_prog(c, &c->progs[i], mapfd), ev = -1;

		if (pfd >= 0 && (ev = attach_prog(&c->progs[i], pfd)) < 0)
			close(pfd);
		err = pfd < 0 ? pfd : ev < 0 ? ev : n + 2 > max - 2 ? -E2BIG : 0;
		if (err) {
			if (ev >= 0)
				close(ev), close(pfd);
			snprintf(why, whysz, "program %s: %s", c->progs[i].name, strerror(-err));
			break;
		}
		fds[n++] = pfd;
		fds[n++] = ev;
	}
	if (!err) {
		*events_fd = fds[n++] = mapfd[c->events_map];
		mapfd[c->events_map] = -1;
		*drops_fd = -1;
		if (c->drops_map >= 0) {
			*drops_fd = fds[n++] = mapfd[c->drops_map];
			mapfd[c->drops_map] = -1;
		}
		*nfds = n;
	} else {
		while (n > 0)
			close(fds[--n]);
	}
	for (i = 0; i < c->nmaps; i++) /* the programs hold the others */
		if (mapfd[i] >= 0)
			close(mapfd[i]);
	return err;
}
