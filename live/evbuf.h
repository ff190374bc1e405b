/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evbuf.h: the records of a BPF events map, from a BPF ring buffer (5.8+) or
 * from perf buffers (one per CPU) alike, as libbpf-tools' compat.c hides the
 * two behind one type. Both live backends read their map with it.
 */
#ifndef OOMTRACE_EVBUF_H
#define OOMTRACE_EVBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One record: @data is 8-byte aligned and readable for the @max bytes the
 * buffer was made with, zeros after the record's own @size (a record sized
 * to what it carries reads as absent beyond). Non-zero stops a ring buffer's
 * poll and is returned by it (perf buffers cannot stop mid-poll).
 */
typedef int (*oomtrace_evbuf_fn)(void *ctx, const void *data, size_t size);

struct oomtrace_evbuf;

/*
 * Read the map @map_fd: a ring buffer when @ring, else perf buffers of
 * @perf_pages pages per CPU. NULL with errno set.
 */
struct oomtrace_evbuf *oomtrace_evbuf_new(int map_fd, bool ring, size_t perf_pages, size_t max,
					  oomtrace_evbuf_fn fn, void *ctx);
/* Wait up to @timeout_ms: records handled, or -errno (the callback's stop included). */
int oomtrace_evbuf_poll(struct oomtrace_evbuf *b, int timeout_ms);
/* Handle what is in the buffers now, without waiting. */
void oomtrace_evbuf_consume(struct oomtrace_evbuf *b);
/*
 * The BPF side's count of records it could not send: the u64 at [@index] of the array map
 * @map_fd. Memory-mapped where the map was made with BPF_F_MMAPABLE (5.5+), so that reading it
 * needs no bpf(2) call and no capability; else read through the descriptor (kept open).
 */
void oomtrace_evbuf_count_drops(struct oomtrace_evbuf *b, int map_fd, unsigned int index);
/* Whether this kernel makes memory-mapped array maps (BPF_F_MMAPABLE); asked once, while root. */
bool oomtrace_evbuf_mmapable(void);
/* Whether reading the losses still calls bpf(2) (the counter could not be memory-mapped). */
bool oomtrace_evbuf_reads_map(const struct oomtrace_evbuf *b);
/* Records lost so far: the perf buffers' (full) and the BPF side's count. */
uint64_t oomtrace_evbuf_lost(const struct oomtrace_evbuf *b);
/* Accepts NULL. */
void oomtrace_evbuf_free(struct oomtrace_evbuf *b);

#endif
