// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bcc_backend.c: live tracing through libbcc (compiled at run time, for
 * kernels without BTF): the ops, the program kept from an earlier start, and
 * the records. The compile itself happens in a child (bcc_child.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bcc_backend.h"
#include "bcc_headers.h"
#include "bcc_int.h"
#include "kill.h"
#include "kjoin.h"
#include "ksyms.h"
#include "log.h"

static int bcc_probe(const struct oomtrace_backend_opts *o, char *why, size_t whysz)
{
	char build[4096], src[4096];
	int r;

	if (!oomtrace_live_permitted(why, whysz))
		return -EPERM;
	if (o->probe && strcmp(o->probe, "kprobe") && strcmp(o->probe, "tracepoint")) {
		snprintf(why, whysz, "probe %s: the bcc backend has kprobe and tracepoint",
			 o->probe);
		return -EINVAL;
	}
	r = bcc_find_headers(o, build, sizeof(build), src, sizeof(src), why, whysz);
	if (r)
		return r;
	/* whether libbcc loads is found by the compiling child: no second dlopen of LLVM here */
	if (!oomtrace_tracefs_dir(true, why, whysz) &&
	    !(o->probe && strcmp(o->probe, "kprobe") == 0))
		return -ENOENT;
	return 0;
}

/* A record of the program: a kill, or the reaper's finish or skip (oomtrace_evbuf_fn). */
static int on_record(void *cookie, const void *data, size_t size)
{
	struct bcc *b = cookie;
	const struct oomtrace_kill_wire *w = data;
	struct oomtrace_event *ev = &b->ev;

	if (size < sizeof(*w))
		return 0;
	oomtrace_live_stamp(&b->live, ev, w->ts_ns, oomtrace_kill_probe(w));
	if (w->kind == W_FINISH_REAP || w->kind == W_SKIP_REAP) {
		oomtrace_live_reap(&b->live, ev, w->victim_pid, w->ts_ns, w->kind == W_SKIP_REAP);
		oomtrace_live_deliver(&b->live, ev);
	} else if (w->kind == W_KILL) {
		oomtrace_kill_to_event(w, ev);
		if (size >= sizeof(struct bcc_kill)) {
			const struct bcc_kill *k = data;
			size_t kb = k->kstack_bytes < sizeof(k->kstack) ? k->kstack_bytes
									: sizeof(k->kstack);
			uint64_t ips[BCC_KSTACK_MAX];

			memcpy(ips, k->kstack, kb);
			oomtrace_live_kstack(&b->live, ev, ips,
					     oomtrace_ksyms_add_caller(ips, (unsigned int)(kb / 8),
								       BCC_KSTACK_MAX,
								       k->kstack_lr));
		}
		oomtrace_live_finish_kill(&b->live, ev, w->ts_ns, 0);
		oomtrace_live_deliver(&b->live, ev);
	}
	return b->live.cb_error;
}

/* A kprobe bcc made through kprobe_events (kernels without the kprobe PMU) outlives its fd. */
static void remove_legacy_kprobe(const struct bcc *b)
{
	const char *tfs = oomtrace_tracefs_dir(false, NULL, 0);
	char p[200], cmd[160];
	int fd;

	if (!b->kprobe_attached || !tfs)
		return;
	snprintf(p, sizeof(p), "%s/kprobe_events", tfs);
	fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return;
	/* libbcc names it EV_bcc_PID, PID being the child's */
	snprintf(cmd, sizeof(cmd), "-:kprobes/%s_bcc_%d\n", b->kprobe_ev, (int)b->child);
	if (write(fd, cmd, strlen(cmd)) < 0)
		oomtrace_debug("no legacy kprobe event to remove (%s)", strerror(errno));
	close(fd);
}

/* Where the compiled program is kept (--bcc-cache; "none": nowhere) and its key for this start. */
static void cache_setup(struct bcc *b, const struct oomtrace_backend_opts *o)
{
	const char *dir = o->bcc_cache ? o->bcc_cache : BCC_CACHE_DIR_DEFAULT;
	char build[4096], src[4096], why[1024];

	b->cache_dir[0] = '\0';
	if (!dir[0] || strcmp(dir, "none") == 0 ||
	    bcc_find_headers(o, build, sizeof(build), src, sizeof(src), why, sizeof(why)) ||
	    bcc_cache_key(o, build, b->cache_key, sizeof(b->cache_key)))
		return; /* no headers: the compile says so */
	snprintf(b->cache_dir, sizeof(b->cache_dir), "%s", dir);
}

/* The program compiled on an earlier start, loaded and attached here without libbcc. 0 or -errno.
 */
static int from_cache(struct bcc *b)
{
	struct bcc_cache c;
	char why[256] = "";
	int r = bcc_cache_read(b->cache_dir, b->cache_key, &c);

	if (r == -ENOENT)
		return r;
	if (r) {
		oomtrace_info("bcc: the compiled program in %s is not used (%s): compiling",
			      b->cache_dir,
			      r == -EPERM    ? "not ours alone: its owner or mode"
			      : r == -EINVAL ? "damaged, or for another build or kernel"
					     : strerror(-r));
		return r;
	}
	r = bcc_cache_load(&c, b->fds, BCC_FDS, &b->nfds, &b->events_fd, &b->drops_fd, why,
			   sizeof(why));
	if (!r) {
		b->feat = c.feat;
		snprintf(b->probe_desc, sizeof(b->probe_desc), "%s", c.probe_desc);
		oomtrace_info("bcc: the program compiled on an earlier start on this kernel, from "
			      "%s (libbcc not loaded)",
			      b->cache_dir);
	} else {
		oomtrace_info("bcc: the compiled program in %s did not load (%s): compiling",
			      b->cache_dir, why);
	}
	bcc_cache_free(&c);
	return r;
}

static int bcc_open(const struct oomtrace_backend_opts *o, void **state)
{
	struct bcc *b = calloc(1, sizeof(*b));
	char why[1024] = "";
	int r;

	if (!b)
		return -ENOMEM;
	b->opts = *o;
	b->drops_fd = -1;
	b->events_fd = -1;
	oomtrace_live_init(&b->live, OOMTRACE_SOURCE_BCC, o->context_mask);
	if (o->user_stacks)
		b->live.ustack_why =
		    "the bcc backend copies no user stacks (--backend libbpf does)";
	oomtrace_protect_self(o->keep_oom_score_adj);
	cache_setup(b, o);
	r = b->cache_dir[0] ? from_cache(b) : -ENOENT;
	if (r)
		r = bcc_compile_in_child(b, o, why, sizeof(why));
	if (!r) {
		b->buf = oomtrace_evbuf_new(b->events_fd, b->feat.ringbuf,
					    b->opts.buffer_kb ? b->feat.ring_pages : 64,
					    sizeof(struct bcc_kill), on_record, b);
		if (!b->buf)
			snprintf(why, sizeof(why), "cannot open the %s (%s)",
				 b->feat.ringbuf ? "ring buffer" : "perf buffers", strerror(errno));
		else
			oomtrace_evbuf_count_drops(b->buf, b->drops_fd, 0);
	}
	if (r || !b->buf) {
		if (why[0] && (!r || r != -ENOENT))
			oomtrace_err("backend bcc: %s", why);
		while (b->nfds > 0)
			close(b->fds[--b->nfds]);
		remove_legacy_kprobe(b);
		free(b);
		return -ENOENT;
	}
	oomtrace_kjoin_attach(&b->live, o);
	if (!o->no_stacks)
		oomtrace_live_ksyms_open(&b->live);
	if (o->killers && o->killers[0])
		oomtrace_info("userspace killers' kills are reported by the libbpf backend only");
	*state = b;
	return 0;
}

static int bcc_start(void *state)
{
	struct bcc *b = state;

	oomtrace_live_warm(&b->live);
	return 0;
}

static int bcc_poll(void *state, int timeout_ms, oomtrace_event_fn fn, void *ctx)
{
	struct bcc *b = state;

	oomtrace_live_poll_begin(&b->live, fn, ctx);
	return oomtrace_live_poll_end(&b->live, oomtrace_evbuf_poll(b->buf, timeout_ms));
}

static int bcc_stop(void *state)
{
	struct bcc *b = state;

	/* what is already buffered, then detach */
	oomtrace_evbuf_consume(b->buf);
	return 0;
}

static void bcc_close(void *state)
{
	struct bcc *b = state;

	if (!b)
		return;
	oomtrace_evbuf_free(b->buf);
	while (b->nfds > 0)
		close(b->fds[--b->nfds]);
	remove_legacy_kprobe(b);
	oomtrace_kjoin_detach(&b->live);
	oomtrace_live_ksyms_close(&b->live);
	oomtrace_live_history_close(&b->live);
	free(b);
}

/* the perf buffers' losses and the program's count of records it could not send */
static uint64_t bcc_lost(void *state)
{
	return oomtrace_evbuf_lost(((struct bcc *)state)->buf);
}

static bool bcc_reads_maps(void *state)
{
	return oomtrace_evbuf_reads_map(((struct bcc *)state)->buf);
}

static const char *bcc_probe_name(void *state)
{
	return ((struct bcc *)state)->probe_desc;
}

static void bcc_check(const struct oomtrace_backend_opts *o, struct oomtrace_check *c)
{
	char why[512], build[4096], src[4096];

	if (bcc_api_check(why, sizeof(why)) == 0) {
		oomtrace_check_add(
		    c, "libbcc", "yes",
		    "%s (loaded by a child that compiles and exits: LLVM never stays)", LIBBCC);
	} else {
		oomtrace_check_add(c, "libbcc", "no", "%s", why);
	}
	if (bcc_find_headers(o, build, sizeof(build), src, sizeof(src), why, sizeof(why)) == 0) {
		char hrel[128];

		if (build[0] && bcc_headers_release(build, hrel, sizeof(hrel)) &&
		    strcmp(hrel, bcc_kernel_release()))
			oomtrace_check_add(c, "bcc headers", "mismatch",
					   "%s is for %s: tracepoint only (the kprobe program "
					   "needs %s's own headers)",
					   build, hrel, bcc_kernel_release());
		else
			oomtrace_check_add(c, "bcc headers", "yes", "%s",
					   build[0] ? build : "/sys/kernel/kheaders.tar.xz");
	} else
		oomtrace_check_add(c, "bcc headers", "no", "%s", why);
}

const struct oomtrace_backend_ops oomtrace_bcc_ops = {
    .name = "bcc",
    .probe = bcc_probe,
    .open = bcc_open,
    .start = bcc_start,
    .poll = bcc_poll,
    .stop = bcc_stop,
    .close = bcc_close,
    .lost = bcc_lost,
    .reads_maps = bcc_reads_maps,
    .probe_name = bcc_probe_name,
    .check = bcc_check,
};
