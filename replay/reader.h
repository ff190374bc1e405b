/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reader.h: turns files, stdin, gzip files and /dev/kmsg into lines, fast, in bounded memory. */
#ifndef OOMTRACE_READER_H
#define OOMTRACE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OOMTRACE_LINE_MAX 65536 /* longer lines are cut to this and reported */

struct oomtrace_reader_cb {
	/* One line, without its newline. Non-zero stops the read and is returned. */
	int (*line)(void *ctx, const char *line, size_t len);
	/* When it returns true, lines in which @scan finds nothing may be skipped unread. */
	bool (*can_skip)(void *ctx);
	/* The first place in [b, end) that may matter (a pre-filter), or NULL. */
	const char *(*scan)(void *ctx, const char *b, const char *end);
	void *ctx;
};

struct oomtrace_reader;

/*
 * Open @path ("-" or NULL: stdin; "/dev/kmsg": the kernel's record device;
 * anything else: a file, gzip-compressed or not, told by its first bytes).
 * Pipes, FIFOs and terminals are streamed: each line is delivered as soon as
 * it has arrived (gzip too, through inflate). With @follow, a regular file is
 * read as it grows, and reopened by name when it is replaced (rename and
 * recreate) or truncated (even when it has grown again since); /dev/kmsg
 * waits for new records. Returns NULL with errno set.
 */
struct oomtrace_reader *oomtrace_reader_open(const char *path, bool follow);
/*
 * Read and deliver lines for up to @timeout_ms (when following).
 * Returns the number of lines delivered (> 0), 0 on timeout, OOMTRACE_EOF at
 * the end of the input, a callback's non-zero return, or -errno.
 * Problems with the input (binary data, over-long lines, a truncated gzip
 * stream) are reported once each as warnings naming the input, and counted.
 */
int oomtrace_reader_poll(struct oomtrace_reader *r, int timeout_ms,
			 const struct oomtrace_reader_cb *cb);
/* Number of problems reported for this input. */
unsigned int oomtrace_reader_problems(const struct oomtrace_reader *r);
const char *oomtrace_reader_name(const struct oomtrace_reader *r);
void oomtrace_reader_close(struct oomtrace_reader *r);

#endif
