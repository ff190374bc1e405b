/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend.h: the ops every event source implements (replay, libbpf, bcc) and their registry. */
#ifndef OOMTRACE_BACKEND_H
#define OOMTRACE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* poll() result for "no more events, ever": only replay returns it. */
#define OOMTRACE_EOF (-4096)

/* Exit codes of the oomtrace program (documented in oomtrace(1)). */
enum {
	OOMTRACE_EXIT_OK = 0,
	OOMTRACE_EXIT_INPUT = 1,    /* some input unreadable or malformed; valid parts processed */
	OOMTRACE_EXIT_USAGE = 2,    /* bad arguments */
	OOMTRACE_EXIT_NO_PROBE = 3, /* no usable probe / backend on this host */
	OOMTRACE_EXIT_PERM = 4,	    /* not permitted (needs root or CAP_BPF+CAP_PERFMON) */
	OOMTRACE_EXIT_RUNTIME = 5,  /* runtime failure (out of memory, output error) */
};

/* Receives each event; non-zero stops the backend's poll and is returned by it. */
typedef int (*oomtrace_event_fn)(void *ctx, struct oomtrace_event *ev);

struct oomtrace_backend_opts {
	/* replay */
	char *const *files; /* NULL-terminated; none: stdin */
	const char *events_file;
	bool follow;
	int year;
	/* live */
	const char *probe;	    /* force a probe by name; NULL: richest usable */
	const char *kernel_headers; /* bcc */
	const char *bcc_cache; /* bcc: where the compiled program is kept; NULL: default, "none" */
	bool keep_oom_score_adj; /* do not protect the tracer with oom_score_adj -1000 */
	bool no_btf;		 /* libbpf: use the BTF-less object even where BTF exists */
	const char *btf_file; /* libbpf: kernel types for CO-RE from this file (raw BTF or ELF) */
	bool no_kmsg;	      /* live: do not join the kernel's own report (/dev/kmsg) */
	bool no_stacks;	      /* --stacks none: no stack read by a probe, none reported */
	bool user_stacks;     /* --stacks all (the default): the trigger's user stack too */
	unsigned int stack_wait_ms; /* --stack-wait: a kill waits this long for its user stacks (0:
				       OOMTRACE_STACK_WAIT_MS_DEFAULT) */
	unsigned int context_mask;  /* OOMTRACE_CTX_* snapshots taken per live event */
	unsigned int buffer_kb;	    /* live: ring buffer size (perf buffer: per CPU); 0: default */
	/* live: comms of userspace memory killers whose SIGTERM/SIGKILL is a kill (NULL-terminated;
	 * NULL or empty: none attributed) */
	const char *const *killers;
};

/* The default live buffer: >= 10 s of a 100 kills/s storm with the reader stopped (bench/,
 * tests/live.sh). */
#define OOMTRACE_BUFFER_KB_DEFAULT 1024
/* The longest a kill waits for its user stacks, unless --stack-wait says: 50 ms (issue 18). */
#define OOMTRACE_STACK_WAIT_MS_DEFAULT 50

/* oomtrace --check: one row per mechanism of this kernel. */
struct oomtrace_check_row {
	char name[32];
	char state[24];
	char detail[200];
};

struct oomtrace_check {
	unsigned int n;
	struct oomtrace_check_row rows[40];
};

void oomtrace_check_add(struct oomtrace_check *c, const char *name, const char *state,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * A backend. State is private to it: open() allocates it, close() frees it
 * (close accepts NULL). Events it emits are owned by the backend and valid
 * only during the callback.
 */
struct oomtrace_backend_ops {
	const char *name;
	/* Can it run here? 0, or -errno with a human reason in @why. */
	int (*probe)(const struct oomtrace_backend_opts *o, char *why, size_t whysz);
	int (*open)(const struct oomtrace_backend_opts *o, void **state);
	int (*start)(void *state); /* optional */
	/* Wait up to @timeout_ms: events delivered (>0), 0 on timeout, -errno, or OOMTRACE_EOF. */
	int (*poll)(void *state, int timeout_ms, oomtrace_event_fn fn, void *ctx);
	int (*stop)(void *state); /* optional */
	void (*close)(void *state);
	/* Events lost in transport so far (NULL: cannot lose). */
	uint64_t (*lost)(void *state);
	/* Optional: whether, once started, it still calls bpf(2) (a map read through its fd), so
	 * that the live sandbox keeps CAP_BPF for it; NULL or false: no capability is kept. */
	bool (*reads_maps)(void *state);
	/* Inputs that were unreadable or malformed (NULL: none possible). */
	unsigned int (*input_errors)(void *state);
	/* The probe in use, for the "attached" message. */
	const char *(*probe_name)(void *state);
	/* Optional: add this backend's rows to oomtrace --check. */
	void (*check)(const struct oomtrace_backend_opts *o, struct oomtrace_check *c);
};

struct oomtrace_backend_info {
	const char *name;
	const struct oomtrace_backend_ops *ops; /* NULL: not built */
	const char *configure_flag;		/* how to build it */
};

/* All known backends, built or not, in auto order; terminated by a NULL name. */
const struct oomtrace_backend_info *oomtrace_backend_list(void);
/* Look a backend up by name; NULL when unknown. */
const struct oomtrace_backend_info *oomtrace_backend_find(const char *name);

#endif
