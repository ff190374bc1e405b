// SPDX-License-Identifier: GPL-2.0-or-later
/* evbuf.c: a BPF ring buffer or perf buffers behind one type, records handed over aligned and
 * padded. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "evbuf.h"

struct oomtrace_evbuf {
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	oomtrace_evbuf_fn fn;
	void *ctx;
	uint64_t lost;
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

uint64_t oomtrace_evbuf_lost(const struct oomtrace_evbuf *b)
{
	return b->lost;
}

void oomtrace_evbuf_free(struct oomtrace_evbuf *b)
{
	if (!b)
		return;
	ring_buffer__free(b->rb);
	perf_buffer__free(b->pb);
	free(b->scratch);
	free(b);
}
