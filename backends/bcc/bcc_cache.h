/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bcc_cache.h: the BCC backend's compiled program kept per kernel, loaded again without libbcc. */
#ifndef OOMTRACE_BCC_CACHE_H
#define OOMTRACE_BCC_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "bcc_program.h"

/*
 * libbcc compiles the program from C each start: ~0.4 s of clang and LLVM
 * (plus 100 ms to map them) for the same instructions every time on the same
 * kernel. The compiling child writes what it loaded (each program's final
 * instructions, the maps they use, how each was attached) to a file whose
 * name and contents are keyed by everything those depend on: this oomtrace
 * binary, the kernel (release, version string, machine), the probe asked
 * for, the buffer size and the kernel headers (path, autoconf.h size and
 * time). A later start with the same key creates the maps, puts their new
 * descriptors into the instructions, loads and attaches in the tracer itself,
 * in milliseconds, never mapping libbcc. Any mismatch, damage or failure is a
 * miss: the program is compiled as before.
 */
#define BCC_CACHE_DIR_DEFAULT "/var/cache/oomtrace"
#define BCC_CACHE_MAPS 16
#define BCC_CACHE_PROGS 8

enum bcc_attach { BCA_TRACEPOINT = 1, BCA_RAW_TRACEPOINT, BCA_KPROBE };

struct bcc_cache_map {
	uint32_t type, key_size, value_size, max_entries, flags;
	int32_t fd; /* in the compiling child: what the instructions hold */
	char name[16];
};

struct bcc_cache_prog {
	uint32_t type, kern_version, attach, ninsn;
	char name[32], license[32];
	char where[2][64]; /* tracepoint: category, name; raw tracepoint: name; kprobe: function */
	const uint64_t
	    *insns; /* ninsn BPF instructions (8 bytes each); owned by the cache when read */
};

struct bcc_cache {
	struct bcc_features feat;
	char probe_desc[32];
	int32_t events_map, drops_map; /* indexes into maps[]; drops -1: none */
	uint32_t nmaps, nprogs;
	struct bcc_cache_map maps[BCC_CACHE_MAPS];
	struct bcc_cache_prog progs[BCC_CACHE_PROGS];
	void *owned; /* the file's bytes, when read */
};

/* The key for this start (@build: the headers' build directory, "" for kheaders). 0 or -errno. */
int bcc_cache_key(const struct oomtrace_backend_opts *o, const char *build, char *key,
		  size_t keysz);

/* Write @c under @key into @dir (made 0700 if missing), atomically. 0 or -errno. */
int bcc_cache_write(const char *dir, const char *key, const struct bcc_cache *c);

/*
 * Read the entry for @key from @dir into @c (bcc_cache_free() it). 0; -ENOENT: none;
 * -EPERM: the file or @dir is not ours alone (never trusted: its programs would be loaded
 * as root); -EINVAL: damaged, or written for another key.
 */
int bcc_cache_read(const char *dir, const char *key, struct bcc_cache *c);

void bcc_cache_free(struct bcc_cache *c);

/*
 * Create @c's maps, load its programs with their map descriptors renumbered, attach
 * them. Descriptors (programs and attachments, then the events map, then the drops map)
 * go to @fds (room for @max), their count to *@nfds. 0 or -errno with @why.
 */
int bcc_cache_load(const struct bcc_cache *c, int *fds, int max, int *nfds, int *events_fd,
		   int *drops_fd, char *why, size_t whysz);

#endif
