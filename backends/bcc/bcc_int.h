/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bcc_int.h: the BCC backend's state, shared by its parts: bcc_compile.c
 * (the program compiled, loaded and attached through libbcc, in the child),
 * bcc_child.c (the child that does it and hands over its descriptors) and
 * bcc_backend.c (the ops, the kept program, the records).
 */
#ifndef OOMTRACE_BCC_INT_H
#define OOMTRACE_BCC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "backend.h"
#include "bcc_api.h"
#include "bcc_cache.h"
#include "bcc_program.h"
#include "evbuf.h"
#include "live.h"

#define BCC_FDS 12 /* programs, attachments, the events and drops maps */

struct bcc {
	struct oomtrace_backend_opts opts;
	struct bcc_api api; /* the child's: the tracer never loads libbcc */
	struct bcc_features feat;
	void *mod; /* the child's compiled module */
	int fds[BCC_FDS];
	int nfds;
	bool kprobe_attached;
	char kprobe_ev[64];
	/* the tracer's side: the child's programs, links and maps, read with libbpf */
	struct oomtrace_evbuf *buf;
	int events_fd;
	int drops_fd;
	pid_t child;
	struct oomtrace_live live;
	struct oomtrace_event ev;
	char probe_desc[32];
	/* the compiled program's cache: its key, and (the child) what was loaded and attached */
	char cache_dir[512]; /* "" when not used */
	char cache_key[2048];
	struct bcc_cache rec;
	bool rec_unusable; /* a kprobe made through kprobe_events: the tracer could not make it
			      again */
};

/* ---- bcc_compile.c (in the child) ---- */

/* One attempt: compile for the kprobe or the tracepoint, load, attach. 0 or -errno with @why. */
int bcc_try_probe(struct bcc *b, bool kprobe, char *why, size_t whysz);
/* Once attached: what was loaded and how, with the maps, kept for the next start. */
void bcc_save_cache(struct bcc *b);

/* ---- bcc_child.c ---- */

/* Compile, load and attach in a throwaway child; its descriptors received. 0 or -errno with @why.
 */
int bcc_compile_in_child(struct bcc *b, const struct oomtrace_backend_opts *o, char *why,
			 size_t whysz);

#endif
