// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ustacks.c: the trigger's user stack for each kill (--stacks all): the user stack object
 * (ustack.bpf.c) copies registers, stack and mappings on a ring of its own; a kill's record takes
 * the copy of its trigger, which the symbolizer (live/symbolizer.c) unwinds and names within the
 * kill's budget. Without libdw, or on a kernel before 5.17, each kill says why it has none.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lb.h"
#include "log.h"
#include "util.h"

#ifdef WITH_LIBDW
#include <bpf/libbpf.h>

#include "symbolizer.h"
#include "unwind.h"
#include "ustack.skel.h"

#define SLOTS 4		 /* copies kept for kills not yet read: one per trigger, a few at once */
#define BUDGET_MS 50	 /* a kill waits at most this long for its stack */
#define WAIT_MS 5	 /* for a copy that its program has not sent yet */
#define SPENT_MAX_MS 250 /* unwinding per second at most: a storm is not held up by stacks */
/* room in the tracer's own memcg (the helper's too): to unwind at all, to read large DWARF */
#define ROOM_MIN_KB (32 << 10)
#define ROOM_BIG_LINES_KB (128 << 10)
#define ROOM_START_KB (64 << 10)

struct lb_ustacks {
	struct ustack_bpf *skel;
	struct bpf_link *link;
	struct ring_buffer *rb;
	struct oomtrace_symbolizer *sym;
	unsigned long long self_mnt_ns;
	unsigned int next;
	struct w_ustack slot[SLOTS];
	bool used[SLOTS];
	int64_t window_ms, spent_ms; /* this second's unwinding */
	int want_tid;		     /* the trigger of the kill being read */
};

static int on_ustack(void *ctx, void *data, size_t size)
{
	struct lb_ustacks *u = ctx;
	struct w_ustack *s = &u->slot[u->next];

	if (size < W_USTACK_MIN)
		return 0;
	memset(s, 0, offsetof(struct w_ustack, stack));
	memcpy(s, data, size < sizeof(*s) ? size : sizeof(*s));
	if (size < W_USTACK_HEAD || s->stack_bytes > size - W_USTACK_HEAD)
		s->stack_bytes = 0;
	if (size < W_USTACK_HEAD && s->state == W_US_SENT)
		s->state = W_US_NO_STACK;
	u->used[u->next] = true;
	u->next = (u->next + 1) % SLOTS;
	/* the kill being read wants this one: the copies of the kills after it stay in the ring
	 * (libbpf stops at a negative answer, this record taken) */
	return s->tid == u->want_tid ? -1 : 0;
}

/* Why a copy could not be taken, in the words of the event. */
static const char *state_why(unsigned int state)
{
	switch (state) {
	case W_US_KTHREAD:
		return "the trigger has no user space (a kernel thread, or exiting)";
	case W_US_NO_REGS:
		return "the trigger's saved registers are not user mode's";
	case W_US_NO_STACK:
		return "the trigger's stack was not resident";
	case W_US_FULL:
		return "the user stacks' ring was full";
	default:
		return "no copy of the trigger's stack";
	}
}

static const char *host_arch_why(void)
{
	return oomtrace_unwind_host_arch() ? NULL
					   : "user stacks are unwound on x86_64 and arm64 only";
}

int lb_ustacks_open(struct lb *l)
{
	struct lb_ustacks *u;
	struct stat st;
	int64_t room;

	if ((l->ustack_why = host_arch_why()))
		return 0;
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_find_vma, NULL) != 1 ||
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_loop, NULL) != 1 ||
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs, NULL) != 1) {
		l->ustack_why = "the kernel is older than 5.17 (no bpf_find_vma)";
		return 0;
	}
	room = oomtrace_live_room_kb(&l->live);
	if (room >= 0 && room < ROOM_START_KB) {
		/* the helper and the line tables it reads share the tracer's memcg: not in a small
		 * one (a fork's copied pages alone are a few MB) */
		l->ustack_why = "the tracer's memory cgroup has too little room for the unwinder "
				"(64 MiB free at the start)";
		oomtrace_info("user stacks: not taken: %lld MiB free in our memory cgroup",
			      (long long)(room >> 10));
		return 0;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->self_mnt_ns = stat("/proc/self/ns/mnt", &st) == 0 ? (unsigned long long)st.st_ino : 0;
	/* forked now, before the tracer's sandbox, and before the objects' descriptors exist */
	u->sym = oomtrace_symbolizer_start();
	if (!u->sym) {
		l->ustack_why = "the symbolizer could not be started";
		oomtrace_info("user stacks: not taken: %s", strerror(errno));
		free(u);
		return 0;
	}
	l->ustacks = u;
	return 0;
}

void lb_ustacks_load(struct lb *l)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	struct lb_ustacks *u = l->ustacks;
	int err;

	if (!u)
		return;
	oo.btf_custom_path = l->btf_path[0] ? l->btf_path : NULL;
	u->skel = ustack_bpf__open_opts(&oo);
	if (!u->skel) {
		err = -errno;
		goto fail;
	}
	u->skel->rodata->page_shift =
	    (unsigned int)__builtin_ctzl((unsigned long)sysconf(_SC_PAGESIZE));
	if ((err = ustack_bpf__load(u->skel)))
		goto fail;
	u->link = bpf_program__attach(u->skel->progs.tp_mark_victim_ustack);
	if (!u->link) {
		err = -errno;
		goto fail;
	}
	u->rb = ring_buffer__new(bpf_map__fd(u->skel->maps.ustacks_rb), on_ustack, u, NULL);
	if (!u->rb) {
		err = -errno;
		goto fail;
	}
	oomtrace_info(
	    "user stacks: the trigger's, unwound with DWARF by a confined helper (pid %d)",
	    (int)oomtrace_symbolizer_pid(u->sym));
	return;
fail:
	l->ustack_why = "the user stack program could not be loaded here (-v says why)";
	oomtrace_info("user stacks: not taken: %s", strerror(-err));
	lb_ustacks_close(l);
}

void lb_ustacks_close(struct lb *l)
{
	struct lb_ustacks *u = l->ustacks;

	if (!u)
		return;
	ring_buffer__free(u->rb);
	bpf_link__destroy(u->link);
	ustack_bpf__destroy(u->skel);
	oomtrace_symbolizer_stop(u->sym);
	free(u);
	l->ustacks = NULL;
}

/* The copy of @tid's stack taken at the kill stamped @ts_ns: the nearest in time; NULL: none. */
static struct w_ustack *find_copy(struct lb_ustacks *u, int tid, uint64_t ts_ns)
{
	struct w_ustack *best = NULL;
	uint64_t best_d = 100 * 1000000ULL; /* the same mark_victim call: microseconds apart */

	for (unsigned int i = 0; i < SLOTS; i++) {
		uint64_t d;

		if (!u->used[i] || u->slot[i].tid != tid)
			continue;
		d = u->slot[i].ts_ns > ts_ns ? u->slot[i].ts_ns - ts_ns : ts_ns - u->slot[i].ts_ns;
		if (d < best_d) {
			best_d = d;
			best = &u->slot[i];
		}
	}
	return best;
}

/* A path as its dentry names came (innermost first, each NUL-ended), from the root; "" cut. */
static void join_path(const struct w_umap *m, char *dst, size_t sz)
{
	size_t len = m->path_len < sizeof(m->path) ? m->path_len : sizeof(m->path);
	size_t at = 0, end = len;

	dst[0] = '\0';
	if (m->truncated || !len || len >= sz)
		return;
	while (end > 0) { /* components outermost first: from the end */
		size_t start = end - 1;

		while (start > 0 && m->path[start - 1])
			start--;
		size_t n = strnlen(m->path + start, end - start);

		if (at + n + 2 > sz)
			break;
		dst[at++] = '/';
		memcpy(dst + at, m->path + start, n);
		at += n;
		end = start;
	}
	dst[at] = '\0';
}

/* Where the supervisor opens the copy's files: "" the tracer's namespace, /proc/PID/root
 * another's while it lives; NULL: nowhere (a container's files, the container gone). */
static const char *files_root(const struct lb_ustacks *u, const struct w_ustack *w, char *buf,
			      size_t sz)
{
	struct stat st;
	char ns[64];

	if (!w->mnt_ns || w->mnt_ns == u->self_mnt_ns)
		return "";
	snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", w->tgid);
	if (stat(ns, &st) != 0 || st.st_ino != w->mnt_ns)
		return NULL;
	snprintf(buf, sz, "/proc/%d/root", w->tgid);
	return buf;
}

static void unwind_copy(struct lb_ustacks *u, const struct w_ustack *w, struct oomtrace_ustack *out,
			int budget_ms, int64_t room_kb)
{
	static struct oomtrace_umap maps[W_UMAPS];
	struct oomtrace_ucopy c = {.maps = maps,
				   .stack = w->stack,
				   .stack_len = w->stack_bytes,
				   .no_big_lines = room_kb >= 0 && room_kb < ROOM_BIG_LINES_KB};
	char rootbuf[64];
	const char *root = files_root(u, w, rootbuf, sizeof(rootbuf));
	int r;

	if (oomtrace_unwind_regs_ptregs(&c, oomtrace_unwind_host_arch(), w->regs, w->regs_bytes)) {
		snprintf(out->missing, sizeof(out->missing), "%s", state_why(W_US_NO_REGS));
		return;
	}
	for (unsigned int i = 0; i < w->nmaps && i < W_UMAPS; i++) {
		maps[c.nmaps] = (struct oomtrace_umap){.start = w->maps[i].start,
						       .end = w->maps[i].end,
						       .pgoff = w->maps[i].pgoff,
						       .fd = -1};
		join_path(&w->maps[i], maps[c.nmaps].path, sizeof(maps[c.nmaps].path));
		c.nmaps++;
	}
	if (!c.nmaps) {
		snprintf(out->missing, sizeof(out->missing), "its pc is in no file mapping");
		return;
	}
	r = oomtrace_symbolizer_unwind(u->sym, &c, root, out, budget_ms);
	if (r == -ETIMEDOUT)
		snprintf(out->missing, sizeof(out->missing), "not unwound within %d ms", BUDGET_MS);
	else if (r == -ECHILD)
		snprintf(out->missing, sizeof(out->missing), "the unwinder failed on its binaries");
	else if (r == -EAGAIN)
		snprintf(out->missing, sizeof(out->missing), "the unwinder was still busy");
	else if (r)
		snprintf(out->missing, sizeof(out->missing), "no unwinder (%s)", strerror(-r));
}

void lb_ustacks_take(struct lb *l, struct oomtrace_event *ev, uint64_t ts_ns, int tid)
{
	struct lb_ustacks *u = l->ustacks;
	struct oomtrace_ustack *out = &ev->trigger.ustack;
	int64_t start = oomtrace_mono_ms(), t;
	struct w_ustack *w;

	int64_t room;

	memset(out, 0, sizeof(*out));
	if (!l->opts.user_stacks)
		return;
	if (l->stopping) {
		snprintf(out->missing, sizeof(out->missing), "the tracer was stopping");
		return;
	}
	if (!u) {
		snprintf(out->missing, sizeof(out->missing), "%s",
			 l->ustack_why ? l->ustack_why : "no user stack program");
		return;
	}
	u->want_tid = tid;
	if (!(w = find_copy(u, tid, ts_ns)))
		ring_buffer__consume(u->rb);
	while (!(w = find_copy(u, tid, ts_ns)) && oomtrace_mono_ms() - start < WAIT_MS)
		ring_buffer__poll(u->rb, 1);
	if (!w) {
		snprintf(out->missing, sizeof(out->missing), "no copy of the trigger's stack");
		return;
	}
	u->used[w - u->slot] = false; /* taken */
	if (w->state != W_US_SENT) {
		snprintf(out->missing, sizeof(out->missing), "%s", state_why(w->state));
		return;
	}
	t = oomtrace_mono_ms();
	if (t - u->window_ms >= 1000) {
		u->window_ms = t;
		u->spent_ms = 0;
	}
	room = oomtrace_live_room_kb(&l->live); /* read only where a stack is to be unwound */
	if (room >= 0 && room < ROOM_MIN_KB) {
		snprintf(out->missing, sizeof(out->missing),
			 "%lld MiB free in the tracer's memory cgroup: no room to unwind",
			 (long long)(room >> 10));
		return;
	}
	if (u->spent_ms >= SPENT_MAX_MS) {
		snprintf(out->missing, sizeof(out->missing),
			 "not unwound: a storm of kills (%d ms/s)", SPENT_MAX_MS);
		return;
	}
	unwind_copy(u, w, out, (int)(BUDGET_MS - (t - start) > 1 ? BUDGET_MS - (t - start) : 1),
		    room);
	u->spent_ms += oomtrace_mono_ms() - t;
	oomtrace_debug("user stack of %d: %u frames; %lld ms for its copy, %lld ms to unwind", tid,
		       out->n, (long long)(t - start), (long long)(oomtrace_mono_ms() - t));
}

#else /* no libdw */

int lb_ustacks_open(struct lb *l)
{
	l->ustack_why = "this build has no libdw (reconfigure with --with-libdw)";
	return 0;
}

void lb_ustacks_load(struct lb *l)
{
	(void)l;
}

void lb_ustacks_close(struct lb *l)
{
	(void)l;
}

void lb_ustacks_take(struct lb *l, struct oomtrace_event *ev, uint64_t ts_ns, int tid)
{
	(void)ts_ns;
	(void)tid;
	memset(&ev->trigger.ustack, 0, sizeof(ev->trigger.ustack));
	if (l->opts.user_stacks)
		snprintf(ev->trigger.ustack.missing, sizeof(ev->trigger.ustack.missing), "%s",
			 l->ustack_why);
}
#endif
