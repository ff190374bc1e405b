// SPDX-License-Identifier: GPL-2.0-or-later
/* bcc_compile.c: in the compiling child, the BPF text compiled by libbcc, loaded and attached, and
 * kept. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bcc_headers.h"
#include "bcc_int.h"
#include "log.h"
#include "util.h"

/* Compile @text; libbcc's clang prints to stderr: kept aside, shown only with -v. */
static void *compile(struct bcc *b, const char *text, char *why, size_t whysz)
{
	char tmpl[] = "/tmp/oomtrace-bcc-XXXXXX";
	int tfd = mkstemp(tmpl), saved = -1;
	void *mod;

	if (tfd >= 0) {
		unlink(tmpl);
		fflush(stderr);
		saved = dup(STDERR_FILENO);
		dup2(tfd, STDERR_FILENO);
	}
	mod = b->api.module_create(text, 0, NULL, 0, true, NULL);
	if (saved >= 0) {
		char out[4096];
		ssize_t n;

		fflush(stderr);
		dup2(saved, STDERR_FILENO);
		close(saved);
		lseek(tfd, 0, SEEK_SET);
		n = read(tfd, out, sizeof(out) - 1);
		out[n > 0 ? n : 0] = '\0';
		if (n > 0)
			oomtrace_log(mod ? OOMTRACE_LOG_DEBUG : OOMTRACE_LOG_INFO, "libbcc: %s",
				     out);
		if (!mod) {
			char *first = strstr(out, "error: ");

			if (first && strstr(first, "not supported"))
				/* our own #error: this kernel's headers declare what we refuse */
				snprintf(why, whysz, "%.*s", (int)strcspn(first + 7, "\n"),
					 first + 7);
			else
				snprintf(why, whysz,
					 "the embedded BPF program did not compile (%.*s) -- a "
					 "bug, please report it with -v",
					 first ? (int)strcspn(first, "\n") : 0, first ? first : "");
		}
		close(tfd);
	} else if (!mod) {
		snprintf(why, whysz, "the embedded BPF program did not compile");
	}
	return mod;
}

static int load_fn(struct bcc *b, const char *name, int type, char *why, size_t whysz)
{
	void *start = b->api.function_start(b->mod, name);
	size_t size = b->api.function_size(b->mod, name);
	char log[4096] = "";
	int fd;

	if (!start) {
		snprintf(why, whysz, "no function %s in the compiled program", name);
		return -ENOENT;
	}
	fd = b->api.prog_load(type, name, start, (int)size, b->api.module_license(b->mod),
			      b->api.module_kern_version(b->mod), 0, NULL, 0);
	if (fd < 0) {
		int e = errno;

		b->api.prog_load(type, name, start, (int)size, b->api.module_license(b->mod),
				 b->api.module_kern_version(b->mod), 1, log, sizeof(log));
		oomtrace_info("verifier log of %s: %s", name, log);
		snprintf(why, whysz, "the kernel refused %s (%s)", name, strerror(e ? e : EINVAL));
		return -(e ? e : EINVAL);
	}
	if (b->rec.nprogs < BCC_CACHE_PROGS) {
		struct bcc_cache_prog *p = &b->rec.progs[b->rec.nprogs++];

		memset(p, 0, sizeof(*p));
		p->type = (uint32_t)type;
		p->kern_version = b->api.module_kern_version(b->mod);
		snprintf(p->name, sizeof(p->name), "%s", name);
		snprintf(p->license, sizeof(p->license), "%s", b->api.module_license(b->mod));
		p->insns = start;
		p->ninsn = (uint32_t)(size / 8);
	} else {
		b->rec_unusable = true;
	}
	return fd;
}

/* The program loaded last was attached as @kind at @a (and @b2): the cache can make it again. */
static void rec_attached(struct bcc *b, uint32_t kind, const char *a, const char *b2)
{
	struct bcc_cache_prog *p = b->rec.nprogs ? &b->rec.progs[b->rec.nprogs - 1] : NULL;

	if (!p)
		return;
	p->attach = kind;
	snprintf(p->where[0], sizeof(p->where[0]), "%s", a);
	snprintf(p->where[1], sizeof(p->where[1]), "%s", b2 ? b2 : "");
}

static void teardown(struct bcc *b)
{
	while (b->nfds > 0)
		close(b->fds[--b->nfds]);
	if (b->kprobe_attached)
		b->api.detach_kprobe(b->kprobe_ev);
	b->kprobe_attached = false;
	if (b->mod)
		b->api.module_destroy(b->mod);
	b->mod = NULL;
	b->rec.nprogs = 0;
	b->rec_unusable = false;
}

static int attach_tp(struct bcc *b, const char *fn, const char *cat, const char *name, char *why,
		     size_t whysz)
{
	bool raw = strncmp(fn, "raw_", 4) == 0;
	int pfd, fd = load_fn(b, fn, raw ? BPF_PROG_TYPE_RAW_TRACEPOINT : BPF_PROG_TYPE_TRACEPOINT,
			      why, whysz);

	if (fd < 0)
		return fd;
	b->fds[b->nfds++] = fd;
	pfd =
	    raw ? b->api.attach_raw_tracepoint(fd, name) : b->api.attach_tracepoint(fd, cat, name);
	if (pfd < 0) {
		snprintf(why, whysz, "attaching %s:%s failed (%s)", cat, name, strerror(errno));
		return -ENOENT;
	}
	b->fds[b->nfds++] = pfd;
	if (raw)
		rec_attached(b, BCA_RAW_TRACEPOINT, name, NULL);
	else
		rec_attached(b, BCA_TRACEPOINT, cat, name);
	return 0;
}

/* What the program is compiled for: the probe, and what this kernel's tracefs and release offer. */
static void features_for(struct bcc *b, bool kprobe, const char *tfs)
{
	unsigned int kb = b->opts.buffer_kb ? b->opts.buffer_kb : OOMTRACE_BUFFER_KB_DEFAULT;
	unsigned int pg = (unsigned int)sysconf(_SC_PAGESIZE) / 1024, pages = 1;
	char p[200], buf[4096] = "";
	int maj = 0, min = 0, fd;

	b->feat.kprobe = kprobe;
	b->feat.tracepoint = !kprobe;
	b->feat.members = kprobe && tfs && oomtrace_tracefs_has(tfs, "oom/mark_victim");
	b->feat.signals = tfs && oomtrace_tracefs_has(tfs, "signal/signal_generate");
	b->feat.reaper = tfs && oomtrace_tracefs_has(tfs, "oom/finish_task_reaping") &&
			 oomtrace_tracefs_has(tfs, "oom/skip_task_reaping");
	b->feat.tp_mem = false;
	b->feat.kstack = !b->opts.no_stacks;
	b->feat.mmapable = oomtrace_evbuf_mmapable();
	/* --buffer-size: whole pages, a power of two */
	while (pages * pg < kb)
		pages <<= 1;
	b->feat.ring_pages = pages;
	/* raw tracepoints: 4.17+; ring buffer: 5.8+ */
	sscanf(bcc_kernel_release(), "%d.%d", &maj, &min);
	b->feat.raw_tp = maj > 4 || (maj == 4 && min >= 17);
	b->feat.ringbuf = b->api.has_ringbuf && (maj > 5 || (maj == 5 && min >= 8));
	if (!tfs)
		return;
	snprintf(p, sizeof(p), "%s/events/oom/mark_victim/format", tfs);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		buf[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	b->feat.tp_mem = strstr(buf, " total_vm;") && strstr(buf, " anon_rss;");
}

/* The kprobe at oom_kill_process, or the mark_victim tracepoint: 0 or -errno with @why. */
static int attach_victim(struct bcc *b, bool kprobe, char *why, size_t whysz)
{
	int fd, r;

	if (!kprobe)
		return attach_tp(b, "tracepoint__oom__mark_victim", "oom", "mark_victim", why,
				 whysz);
	fd = load_fn(b, "okp_entry", BPF_PROG_TYPE_KPROBE, why, whysz);
	if (fd < 0)
		return fd;
	b->fds[b->nfds++] = fd;
	snprintf(b->kprobe_ev, sizeof(b->kprobe_ev), "p_oomtrace_okp_%d", (int)getpid());
	r = b->api.attach_kprobe(fd, 0, b->kprobe_ev, "oom_kill_process", 0, 0);
	if (r < 0) {
		snprintf(why, whysz, "kprobe on oom_kill_process failed (%s)", strerror(errno));
		return -ENOENT;
	}
	b->fds[b->nfds++] = r;
	b->kprobe_attached = true;
	rec_attached(b, BCA_KPROBE, "oom_kill_process", NULL);
	/* the other tasks of a memory.oom.group kill: oom_kill_process is not called for them */
	if (b->feat.members &&
	    attach_tp(b, "tracepoint__oom__mark_victim", "oom", "mark_victim", why, whysz))
		oomtrace_warn("oom:mark_victim not attached (%s): the other tasks of a "
			      "memory.oom.group kill will not be reported",
			      why);
	/* without the kprobe PMU libbcc wrote kprobe_events: not made again from the cache */
	if (access("/sys/bus/event_source/devices/kprobe/type", R_OK))
		b->rec_unusable = true;
	return 0;
}

/* signal_generate (exiting victims told apart) and the reaper's tracepoints, where there are. */
static void attach_extras(struct bcc *b, bool kprobe, char *why, size_t whysz)
{
	const char *pre = b->feat.raw_tp ? "raw_tracepoint__" : "tracepoint__oom__";
	char finish[64], skip[64];

	if (b->feat.signals && (!kprobe || b->feat.members) &&
	    attach_tp(b, "tracepoint__signal__signal_generate", "signal", "signal_generate", why,
		      whysz))
		oomtrace_info(
		    "signal:signal_generate not attached: exiting victims cannot be told apart");
	if (!b->feat.reaper)
		return;
	snprintf(finish, sizeof(finish), "%sfinish_task_reaping", pre);
	snprintf(skip, sizeof(skip), "%sskip_task_reaping", pre);
	if (attach_tp(b, finish, "oom", "finish_task_reaping", why, whysz) ||
	    attach_tp(b, skip, "oom", "skip_task_reaping", why, whysz))
		oomtrace_info("oom reaper tracepoints not attached: %s", why);
}

int bcc_try_probe(struct bcc *b, bool kprobe, char *why, size_t whysz)
{
	struct oomtrace_buf text = {0};
	const char *tfs = oomtrace_tracefs_dir(true, NULL, 0);
	int r;

	features_for(b, kprobe, tfs);
	if (bcc_program_text(&b->feat, &text)) {
		oomtrace_buf_free(&text);
		return -ENOMEM;
	}
	oomtrace_debug("bcc program:\n%s", text.p);
	b->mod = compile(b, text.p, why, whysz);
	oomtrace_buf_free(&text);
	if (!b->mod)
		return -ENOENT;
	if ((r = attach_victim(b, kprobe, why, whysz))) {
		teardown(b);
		return r;
	}
	attach_extras(b, kprobe, why, whysz);
	b->events_fd = b->api.table_fd(b->mod, "events");
	b->drops_fd = b->api.table_fd(b->mod, "drops");
	if (b->events_fd < 0) {
		snprintf(why, whysz, "the compiled program has no events map");
		teardown(b);
		return -ENOENT;
	}
	/* the buffers are opened by the tracer, on this map, with libbpf */
	snprintf(b->probe_desc, sizeof(b->probe_desc), "%s (%s buffer)",
		 kprobe ? "kprobe" : "tracepoint", b->feat.ringbuf ? "ring" : "perf");
	return 0;
}

/* The child, once attached: what it loaded and how, with the maps, for the next start. */
void bcc_save_cache(struct bcc *b)
{
	struct bcc_cache *c = &b->rec;
	size_t i, n = b->api.num_tables(b->mod);
	unsigned int j, k = 0;
	int err = b->rec_unusable || n > BCC_CACHE_MAPS ? -ENOTSUP : 0;

	c->nmaps = 0;
	c->events_map = c->drops_map = -1;
	for (i = 0; i < n && !err; i++) {
		struct bcc_cache_map *m = &c->maps[c->nmaps];
		int fd = b->api.table_fd_id(b->mod, i);

		if (fd < 0)
			continue;
		m->type = (uint32_t)b->api.table_type_id(b->mod, i);
		m->key_size = (uint32_t)b->api.table_key_size_id(b->mod, i);
		m->value_size = (uint32_t)b->api.table_leaf_size_id(b->mod, i);
		m->max_entries = (uint32_t)b->api.table_max_entries_id(b->mod, i);
		m->flags = (uint32_t)b->api.table_flags_id(b->mod, i);
		m->fd = fd;
		snprintf(m->name, sizeof(m->name), "%s", b->api.table_name(b->mod, i));
		if (fd == b->events_fd)
			c->events_map = (int32_t)c->nmaps;
		if (fd == b->drops_fd)
			c->drops_map = (int32_t)c->nmaps;
		c->nmaps++;
	}
	for (j = 0; j < c->nprogs;
	     j++) /* loaded and attached; one whose attach failed is left out */
		if (c->progs[j].attach)
			c->progs[k++] = c->progs[j];
	c->nprogs = k;
	c->feat = b->feat;
	memcpy(c->probe_desc, b->probe_desc, sizeof(c->probe_desc));
	if (!err)
		err = c->events_map < 0 ? -ENOENT : bcc_cache_write(b->cache_dir, b->cache_key, c);
	if (err)
		oomtrace_info("bcc: the compiled program is not kept in %s: %s", b->cache_dir,
			      strerror(-err));
	else
		oomtrace_info(
		    "bcc: the compiled program is kept in %s for the next start on this kernel",
		    b->cache_dir);
}
