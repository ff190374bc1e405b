// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ustacks.c: user stacks for each kill (--stacks all): the user stack object (ustack.bpf.c) copies
 * registers, stack and mappings on a ring of its own, the trigger's at the kill and a victim's
 * that is another process as it takes its SIGKILL; a kill's record takes those copies, which the
 * symbolizer (live/symbolizer.c) unwinds and names within the kill's budget. Before 5.17 the
 * object built without that kernel's helpers (ustack_walk) takes the copies. Without libdw, or on
 * a kernel before 5.8 (no BPF ring buffer), each kill says why it has none.
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

#include "live.h"
#include "symbolizer.h"
#include "tpformat.h"
#include "unwind.h"
#include "ustack.skel.h"
#include "ustack_walk.skel.h"

/* the BPF side's copy in the unwinder's units */
_Static_assert(W_USTACK_CHUNK == OOMTRACE_USTACK_CHUNK && W_USTACK_BYTES <= OOMTRACE_USTACK_COPY,
	       "wire.h and unwind.h disagree on the stack copy");

#define SLOTS 8		 /* copies kept for kills not yet read: a trigger's and a victim's each */
#define WAIT_MS 5	 /* for a copy that its program has not sent yet */
#define SPENT_MAX_MS 250 /* unwinding per second at most: a storm is not held up by stacks */
/* room in the tracer's own memcg (the helper's too): to unwind at all, to read large DWARF */
#define ROOM_MIN_KB (32 << 10)
#define ROOM_BIG_LINES_KB (128 << 10)
#define ROOM_START_KB (64 << 10)

struct lb_ustacks {
	struct ustack_bpf *skel;
	struct bpf_link *link, *victim_link, *killed_link;
	const char *victim_why; /* where victims' stacks cannot be taken: why */
	struct ring_buffer *rb;
	struct oomtrace_symbolizer *sym;
	unsigned long long self_mnt_ns;
	unsigned int next;
	struct w_ustack slot[SLOTS];
	bool used[SLOTS];
	int64_t window_ms, spent_ms; /* this second's unwinding */
	unsigned int want_kind;	     /* the copy the kill being read waits for: enum w_ukind, */
	int want_id;		     /* of this thread (a trigger) or process (a victim) */
	int budget_ms;		     /* a kill waits at most this long for its stacks */
	bool walk;		     /* the object without 5.17's helpers: ustack_walk */
};

/* Is @s the copy of @kind for @id: a trigger's thread, a victim's process (or the thread the
 * killer named)? */
static bool copy_of(const struct w_ustack *s, unsigned int kind, int id)
{
	if (s->kind != kind)
		return false;
	return s->tid == id || (kind == W_UK_VICTIM && s->tgid == id);
}

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
	return copy_of(s, u->want_kind, u->want_id) ? -1 : 0;
}

/* Why a copy of @who's stack could not be taken, in the words of the event. */
static void state_why(char *dst, size_t sz, unsigned int state, const char *who)
{
	switch (state) {
	case W_US_KTHREAD:
		snprintf(dst, sz, "the %s has no user space (a kernel thread, or exiting)", who);
		break;
	case W_US_NO_REGS:
		snprintf(dst, sz, "the %s's saved registers are not user mode's", who);
		break;
	case W_US_NO_STACK:
		snprintf(dst, sz, "the %s's stack was not resident", who);
		break;
	case W_US_FULL:
		snprintf(dst, sz, "the user stacks' ring was full");
		break;
	default:
		snprintf(dst, sz, "no copy of the %s's stack", who);
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
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1) {
		l->ustack_why = "the kernel is older than 5.8 (no BPF ring buffer)";
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
	u->budget_ms =
	    (int)(l->opts.stack_wait_ms ? l->opts.stack_wait_ms : OOMTRACE_STACK_WAIT_MS_DEFAULT);
	u->self_mnt_ns = stat("/proc/self/ns/mnt", &st) == 0 ? (unsigned long long)st.st_ino : 0;
	/* forked now, before the tracer's sandbox, and before the objects' descriptors exist */
	u->sym = oomtrace_symbolizer_start();
	if (!u->sym) {
		l->ustack_why = "the symbolizer could not be started";
		oomtrace_info("user stacks: not taken: %s", strerror(errno));
		free(u);
		return 0;
	}
	u->walk =
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_find_vma, NULL) != 1 ||
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_loop, NULL) != 1 ||
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs, NULL) != 1;
	l->ustacks = u;
	return 0;
}

/* Does sched:sched_process_exit run before exit_mm() here? It does from 6.16, the commit that
 * gave it group_dead (kernel/exit.c): earlier, a task has no mm there. */
static bool exit_tp_has_mm(void)
{
	const char *tfs = oomtrace_tracefs_dir(false, NULL, 0);
	char path[128];
	struct tpf f;

	if (!tfs)
		return false;
	snprintf(path, sizeof(path), "%s/events/sched/sched_process_exit/format", tfs);
	return tpf_load(path, &f) == 0 && tpf_find(&f, "group_dead");
}

/* Open and load the object, with the victims' program @victim (NULL: none) and the kernel
 * SIGKILLs' that it needs (a victim may exit before mark_victim names it); 0 or -errno. */
static int open_load(struct lb_ustacks *u, const struct bpf_object_open_opts *oo,
		     const char *victim)
{
	long page = sysconf(_SC_PAGESIZE);
	struct bpf_program *p;
	int err;

	u->skel = calloc(1, sizeof(*u->skel));
	if (!u->skel)
		return -ENOMEM;
	if ((err = ustack_bpf__create_skeleton(u->skel)))
		return err;
	/* the same maps and programs (and one more program): ustack_walk's ELF in this skeleton */
	if (u->walk)
		u->skel->skeleton->data =
		    (void *)ustack_walk_bpf__elf_bytes(&u->skel->skeleton->data_sz);
	if ((err = bpf_object__open_skeleton(u->skel->skeleton, oo)))
		return err;
	u->skel->rodata->page_shift = (unsigned int)__builtin_ctzl((unsigned long)page);
	/* THREAD_SIZE: 16 KiB on x86_64 and on arm64 with 4 KiB pages, a page where pages are
	 * larger (arch/arm64/include/asm/memory.h, THREAD_SHIFT with VMAP_STACK) */
	u->skel->rodata->thread_size = page > 16384 ? (unsigned int)page : 16384;
	bpf_object__for_each_program(p, u->skel->obj)
	{
		bool on = p == u->skel->progs.tp_mark_victim_ustack ||
			  (victim && (p == u->skel->progs.tp_signal_generate_ustack ||
				      strcmp(bpf_program__name(p), victim) == 0));

		bpf_program__set_autoload(p, on);
	}
	return ustack_bpf__load(u->skel);
}

/* Attach the loaded object's programs: the triggers', and with victims' hook @victim (NULL:
 * none) the kernel SIGKILLs'; 0 or -errno. */
static int attach(struct lb_ustacks *u, const char *victim)
{
	u->link = bpf_program__attach(u->skel->progs.tp_mark_victim_ustack);
	if (!u->link)
		return -errno;
	if (!victim)
		return 0;
	u->killed_link = bpf_program__attach(u->skel->progs.tp_signal_generate_ustack);
	if (!u->killed_link)
		return -errno;
	u->victim_link =
	    bpf_program__attach(bpf_object__find_program_by_name(u->skel->obj, victim));
	return u->victim_link ? 0 : -errno;
}

static void unload(struct lb_ustacks *u)
{
	bpf_link__destroy(u->victim_link);
	bpf_link__destroy(u->killed_link);
	bpf_link__destroy(u->link);
	ustack_bpf__destroy(u->skel);
	u->victim_link = u->killed_link = u->link = NULL;
	u->skel = NULL;
}

/*
 * The object, loaded and attached with the first of the victims' hooks that works here, else
 * with none (the triggers' stacks alone); 0 or -errno. The hooks: at an exit that still has
 * the mm, the tracepoint (6.16+); else fentry of do_group_exit (a trampoline: not where the
 * kernel refuses one, nor on arm64 before 6.4); with ustack_walk, else a kprobe there.
 */
static int load_attach(struct lb_ustacks *u, const struct bpf_object_open_opts *oo)
{
	static const char *const tp[] = {"tp_process_exit_ustack", NULL};
	static const char *const entry[] = {"fentry_do_group_exit_ustack", NULL};
	static const char *const walk[] = {"fentry_do_group_exit_ustack",
					   "kprobe_do_group_exit_ustack", NULL};
	const char *const *hook = exit_tp_has_mm() ? tp : u->walk ? walk : entry;
	int err;

	for (;; hook++) {
		if (!(err = open_load(u, oo, *hook)) && !(err = attach(u, *hook)))
			return 0;
		oomtrace_debug("user stacks: with %s: %s", *hook ? *hook : "no victims' hook",
			       strerror(-err));
		unload(u);
		if (!*hook)
			return err;
	}
}

void lb_ustacks_load(struct lb *l)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	struct lb_ustacks *u = l->ustacks;
	int err;

	if (!u)
		return;
	oo.btf_custom_path = l->btf_path[0] ? l->btf_path : NULL;
	if ((err = load_attach(u, &oo)))
		goto fail;
	if (!u->victim_link)
		u->victim_why = "no exit hook here (sched_process_exit 6.16+, fentry, or kprobe "
				"before 5.17)";
	u->rb = ring_buffer__new(bpf_map__fd(u->skel->maps.ustacks_rb), on_ustack, u, NULL);
	if (!u->rb) {
		err = -errno;
		goto fail;
	}
	oomtrace_info("user stacks: the trigger's and the victim's%s, unwound with DWARF by a "
		      "confined helper (pid %d)",
		      u->walk ? " (mappings by list walk: before 5.17)" : "",
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
	unload(u);
	oomtrace_symbolizer_stop(u->sym);
	free(u);
	l->ustacks = NULL;
}

/* The copy of @kind for @id that belongs to the kill stamped @ts_ns: the nearest in time; NULL:
 * none. A trigger's comes from the same mark_victim call (microseconds apart), a victim's from
 * its SIGKILL after it (the kill's stamp may be from a probe a little before mark_victim). */
static struct w_ustack *find_copy(struct lb_ustacks *u, unsigned int kind, int id, uint64_t ts_ns)
{
	const uint64_t ms = 1000000ULL;
	struct w_ustack *best = NULL;
	uint64_t best_d = UINT64_MAX;

	for (unsigned int i = 0; i < SLOTS; i++) {
		const struct w_ustack *s = &u->slot[i];
		uint64_t d = s->ts_ns > ts_ns ? s->ts_ns - ts_ns : ts_ns - s->ts_ns;

		if (!u->used[i] || !copy_of(s, kind, id))
			continue;
		if (kind == W_UK_TRIGGER ? d >= 100 * ms
					 : s->ts_ns + 100 * ms < ts_ns || d >= 5000 * ms)
			continue;
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
				   .holes = w->holes,
				   .no_big_lines = room_kb >= 0 && room_kb < ROOM_BIG_LINES_KB};
	char rootbuf[64];
	const char *root = files_root(u, w, rootbuf, sizeof(rootbuf));
	int r;

	if (oomtrace_unwind_regs_ptregs(&c, oomtrace_unwind_host_arch(), w->regs, w->regs_bytes)) {
		state_why(out->missing, sizeof(out->missing), W_US_NO_REGS,
			  w->kind == W_UK_VICTIM ? "victim" : "trigger");
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
		snprintf(out->missing, sizeof(out->missing), "not unwound within %d ms",
			 u->budget_ms);
	else if (r == -ECHILD)
		snprintf(out->missing, sizeof(out->missing), "the unwinder failed on its binaries");
	else if (r == -EAGAIN)
		snprintf(out->missing, sizeof(out->missing), "the unwinder was still busy");
	else if (r)
		snprintf(out->missing, sizeof(out->missing), "no unwinder (%s)", strerror(-r));
}

/* Debug: the copies of @kind for @id that came but are not the kill's at @ts_ns (their time). */
static void unmatched(const struct lb_ustacks *u, unsigned int kind, int id, uint64_t ts_ns)
{
	for (unsigned int i = 0; i < SLOTS; i++)
		if (u->used[i] && copy_of(&u->slot[i], kind, id))
			oomtrace_debug(
			    "user stack of %s %d: a copy made %lld ms from the kill is not "
			    "its",
			    kind == W_UK_VICTIM ? "victim" : "trigger", id,
			    ((long long)u->slot[i].ts_ns - (long long)ts_ns) / 1000000);
}

/* The copy of @kind for @id, from the slots or the ring, waited for until @deadline_ms. */
static struct w_ustack *wait_copy(struct lb_ustacks *u, unsigned int kind, int id, uint64_t ts_ns,
				  int64_t deadline_ms)
{
	struct w_ustack *w;

	u->want_kind = kind;
	u->want_id = id;
	if (!(w = find_copy(u, kind, id, ts_ns)))
		ring_buffer__consume(u->rb);
	while (!(w = find_copy(u, kind, id, ts_ns)) && oomtrace_mono_ms() < deadline_ms)
		ring_buffer__poll(u->rb, 1);
	if (w)
		u->used[w - u->slot] = false; /* taken */
	else
		unmatched(u, kind, id, ts_ns);
	return w;
}

/* @out from the copy @w of @who's stack, within the kill's budget that began at @start: unwound,
 * or why not. */
static void take_copy(struct lb *l, const struct w_ustack *w, const char *who,
		      struct oomtrace_ustack *out, int64_t start)
{
	struct lb_ustacks *u = l->ustacks;
	int64_t t = oomtrace_mono_ms(), room;

	if (w->early)
		oomtrace_debug(
		    "user stack of %s %d: copied at its exit, before mark_victim named it", who,
		    w->tid);
	if (w->state != W_US_SENT) {
		state_why(out->missing, sizeof(out->missing), w->state, who);
		return;
	}
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
	unwind_copy(u, w, out,
		    (int)(u->budget_ms - (t - start) > 1 ? u->budget_ms - (t - start) : 1), room);
	u->spent_ms += oomtrace_mono_ms() - t;
	oomtrace_debug("user stack of %s %d: %u frames from %u bytes of stack (holes %#x); %lld "
		       "ms for its copy, %lld ms to unwind",
		       who, w->tid, out->n, w->stack_bytes, w->holes, (long long)(t - start),
		       (long long)(oomtrace_mono_ms() - t));
}

/* Is the victim another process than the trigger (and sent a SIGKILL, so that it takes one)? */
static bool victim_apart(const struct oomtrace_event *ev)
{
	const struct oomtrace_task *v = &ev->victim;

	return (v->known & OOMTRACE_T_PID) && v->pid > 0 && v->pid != ev->trigger.pid &&
	       v->pid != ev->trigger.tgid && !(ev->known & OOMTRACE_E_EXITING);
}

void lb_ustacks_take(struct lb *l, struct oomtrace_event *ev, uint64_t ts_ns, int tid)
{
	struct lb_ustacks *u = l->ustacks;
	struct oomtrace_ustack *out = &ev->trigger.ustack, *vout = &ev->victim.ustack;
	int64_t start = oomtrace_mono_ms();
	struct w_ustack *w;

	memset(out, 0, sizeof(*out));
	memset(vout, 0, sizeof(*vout));
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
	if ((w = wait_copy(u, W_UK_TRIGGER, tid, ts_ns, start + WAIT_MS)))
		take_copy(l, w, "trigger", out, start);
	else
		snprintf(out->missing, sizeof(out->missing), "no copy of the trigger's stack");
	if (!victim_apart(ev))
		return; /* the trigger's stack is the victim's */
	if (u->victim_why) {
		snprintf(vout->missing, sizeof(vout->missing), "%s", u->victim_why);
		return;
	}
	/* the victim's comes when it runs again to take its SIGKILL: within what is left */
	if ((w = wait_copy(u, W_UK_VICTIM, ev->victim.pid, ts_ns, start + u->budget_ms)))
		take_copy(l, w, "victim", vout, start);
	else
		snprintf(vout->missing, sizeof(vout->missing),
			 "no copy of the victim's stack within %d ms of the kill", u->budget_ms);
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
	memset(&ev->victim.ustack, 0, sizeof(ev->victim.ustack));
	if (l->opts.user_stacks)
		snprintf(ev->trigger.ustack.missing, sizeof(ev->trigger.ustack.missing), "%s",
			 l->ustack_why);
}
#endif
