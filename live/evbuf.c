// SPDX-License-Identifier: GPL-2.0-or-later
/* evbuf.c: a BPF ring buffer or perf buffers behind one type, records handed over aligned and
 * padded. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "evbuf.h"

struct oomtrace_evbuf {
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	oomtrace_evbuf_fn fn;
	void *ctx;
	uint64_t lost;
	/* the BPF side's drops: mapped (drops_mem), or read at [drops_index] of drops_fd */
	const volatile uint64_t *drops_mem;
	void *drops_map;
	size_t drops_len;
	int drops_fd;
	unsigned int drops_index;
	size_t max;
	uint64_t *scratch; /* max bytes, 8-byte aligned */
};

/* A record copied into the scratch: aligned, zeros after it. */
static int deliver(struct oomtrace_evbuf *b, const void *data, size_t size)
{
	size_t n = size < b->max ? size : b->max;

	memcpy(b->scratch, data, n);
	memset((char *)b->scratch + n, 0, b->max - n);
	return b->fn(b->ctx, b->scratch, size);
}

static int on_ring(void *ctx, void *data, size_t size)
{
	struct oomtrace_evbuf *b = ctx;

	/* ring buffer records are 8-byte aligned: copied only when shorter than the reader reads */
	if (size >= b->max)
		return b->fn(b->ctx, data, size);
	return deliver(b, data, size);
}

/* perf buffer samples are only 4-byte aligned: copied before 8-byte fields are read */
static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	(void)cpu;
	deliver(ctx, data, size);
}

static void on_lost(void *ctx, int cpu, __u64 n)
{
	struct oomtrace_evbuf *b = ctx;

	(void)cpu;
	b->lost += n;
}

struct oomtrace_evbuf *oomtrace_evbuf_new(int map_fd, bool ring, size_t perf_pages, size_t max,
					  oomtrace_evbuf_fn fn, void *ctx)
{
	struct oomtrace_evbuf *b = calloc(1, sizeof(*b));
	int e;

	if (!b)
		return NULL;
	b->fn = fn;
	b->ctx = ctx;
	b->max = max;
	b->drops_fd = -1;
	b->scratch = calloc(1, (max + 7) / 8 * 8 + 8);
	if (b->scratch && ring)
		b->rb = ring_buffer__new(map_fd, on_ring, b, NULL);
	else if (b->scratch)
		b->pb = perf_buffer__new(map_fd, perf_pages, on_sample, on_lost, b, NULL);
	if (b->rb || b->pb)
		return b;
	e = errno ? errno : ENOMEM;
	free(b->scratch);
	free(b);
	errno = e;
	return NULL;
}

int oomtrace_evbuf_poll(struct oomtrace_evbuf *b, int timeout_ms)
{
	return b->rb ? ring_buffer__poll(b->rb, timeout_ms) : perf_buffer__poll(b->pb, timeout_ms);
}

void oomtrace_evbuf_consume(struct oomtrace_evbuf *b)
{
	if (b->rb)
		ring_buffer__consume(b->rb);
	else
		perf_buffer__consume(b->pb);
}

bool oomtrace_evbuf_mmapable(void)
{
	static int known = -1;

	if (known < 0) {
		LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);
		int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 8, 1, &o);

		known = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	return known > 0;
}

void oomtrace_evbuf_count_drops(struct oomtrace_evbuf *b, int map_fd, unsigned int index)
{
	size_t len = (size_t)sysconf(_SC_PAGESIZE), need = ((size_t)index + 1) * sizeof(uint64_t);
	void *m;

	b->drops_fd = map_fd;
	b->drops_index = index;
	if (map_fd < 0)
		return;
	len = (need + len - 1) / len * len;
	/* read-only and shared: the kernel refuses a map made without BPF_F_MMAPABLE */
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, map_fd, 0);
	if (m == MAP_FAILED)
		return;
	b->drops_map = m;
	b->drops_len = len;
	b->drops_mem = (const volatile uint64_t *)m + index;
}

bool oomtrace_evbuf_reads_map(const struct oomtrace_evbuf *b)
{
	return b && b->drops_fd >= 0 && !b->drops_mem;
}

uint64_t oomtrace_evbuf_lost(const struct oomtrace_evbuf *b)
{
	uint64_t v = 0;
	__u32 key;

	if (b->drops_mem)
		return b->lost + __atomic_load_n(b->drops_mem, __ATOMIC_RELAXED);
	key = b->drops_index;
	if (b->drops_fd >= 0 && bpf_map_lookup_elem(b->drops_fd, &key, &v) != 0)
		v = 0;
	return b->lost + v;
}

void oomtrace_evbuf_free(struct oomtrace_evbuf *b)
{
	if (!b)
		return;
	ring_buffer__free(b->rb);
	perf_buffer__free(b->pb);
	if (b->drops_map)
		munmap(b->drops_map, b->drops_len);
	free(b->scratch);
	free(b);
}
