// SPDX-License-Identifier: GPL-2.0-or-later
/* bcc_backend.c: live tracing through libbcc's C API, loaded with dlopen so oomtrace starts without LLVM. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bcc_backend.h"
#include "bcc_headers.h"
#include "bcc_program.h"
#include "kjoin.h"
#include "live.h"
#include "log.h"
#include "util.h"

#define LIBBCC "libbcc.so.0"
#define BPF_PROG_TYPE_KPROBE 2
#define BPF_PROG_TYPE_TRACEPOINT 5
#define BPF_PROG_TYPE_RAW_TRACEPOINT 17
#define MAX_CPUS 1024

/* The few libbcc entry points used (bcc_common.h, libbpf.h, perf_reader.h of bcc 0.10+). */
struct bcc_api {
	void *dl;
	void *(*module_create)(const char *text, unsigned int flags, const char *cflags[], int ncflags,
			       bool allow_rlimit, const char *dev_name);
	void (*module_destroy)(void *mod);
	char *(*module_license)(void *mod);
	unsigned int (*module_kern_version)(void *mod);
	void *(*function_start)(void *mod, const char *name);
	size_t (*function_size)(void *mod, const char *name);
	int (*table_fd)(void *mod, const char *name);
	int (*prog_load)(int type, const char *name, const void *insns, int len, const char *license,
			 unsigned int kver, int log_level, char *log_buf, unsigned int log_size);
	int (*attach_tracepoint)(int progfd, const char *category, const char *name);
	int (*attach_raw_tracepoint)(int progfd, const char *name);
	int (*attach_kprobe)(int progfd, int type, const char *ev_name, const char *fn, uint64_t off,
			     int maxactive);
	int (*detach_kprobe)(const char *ev_name);
	void *(*open_perf_buffer)(void (*raw)(void *, void *, int), void (*lost)(void *, uint64_t),
				  void *cookie, int pid, int cpu, int pages);
	int (*reader_fd)(void *reader);
	int (*reader_poll)(int n, void **readers, int timeout);
	void (*reader_free)(void *reader);
	int (*update_elem)(int fd, void *key, void *value, unsigned long long flags);
	int (*lookup_elem)(int fd, void *key, void *value);
	/* optional (bcc 0.16+): the ring buffer */
	void *(*new_ringbuf)(int map_fd, int (*cb)(void *ctx, void *data, size_t size), void *ctx);
	int (*poll_ringbuf)(void *rb, int timeout_ms);
	void (*free_ringbuf)(void *rb);
};

struct bcc {
	struct oomtrace_backend_opts opts;
	struct bcc_api api;
	struct bcc_features feat;
	void *mod;
	int fds[8];
	int nfds;
	bool kprobe_attached;
	char kprobe_ev[64];
	void *readers[MAX_CPUS];
	int nreaders;
	void *rb;
	uint64_t lost;
	int drops_fd;
	struct oomtrace_live live;
	struct oomtrace_event ev;
	char probe_desc[32];
};

static int load_api(struct bcc_api *a, char *why, size_t whysz)
{
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
#define SYM(field, name) { name, offsetof(struct bcc_api, field) }
		SYM(module_create, "bpf_module_create_c_from_string"),
		SYM(module_destroy, "bpf_module_destroy"),
		SYM(module_license, "bpf_module_license"),
		SYM(module_kern_version, "bpf_module_kern_version"),
		SYM(function_start, "bpf_function_start"),
		SYM(function_size, "bpf_function_size"),
		SYM(table_fd, "bpf_table_fd"),
		SYM(prog_load, "bcc_prog_load"),
		SYM(attach_tracepoint, "bpf_attach_tracepoint"),
		SYM(attach_raw_tracepoint, "bpf_attach_raw_tracepoint"),
		SYM(attach_kprobe, "bpf_attach_kprobe"),
		SYM(detach_kprobe, "bpf_detach_kprobe"),
		SYM(open_perf_buffer, "bpf_open_perf_buffer"),
		SYM(reader_fd, "perf_reader_fd"),
		SYM(reader_poll, "perf_reader_poll"),
		SYM(reader_free, "perf_reader_free"),
		SYM(update_elem, "bpf_update_elem"),
		SYM(lookup_elem, "bpf_lookup_elem"),
#undef SYM
	};
	size_t i;

	memset(a, 0, sizeof(*a));
	a->dl = dlopen(LIBBCC, RTLD_NOW | RTLD_LOCAL);
	if (!a->dl) {
		snprintf(why, whysz, "%s not found: install libbpfcc (Debian/Ubuntu) or bcc (openEuler/RHEL)",
			 LIBBCC);
		return -ENOENT;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f = dlsym(a->dl, syms[i].name);

		if (!f) {
			snprintf(why, whysz, "%s lacks %s: libbcc too old", LIBBCC, syms[i].name);
			dlclose(a->dl);
			a->dl = NULL;
			return -ENOENT;
		}
		memcpy((char *)a + syms[i].off, &f, sizeof(f));
	}
	*(void **)&a->new_ringbuf = dlsym(a->dl, "bpf_new_ringbuf");
	*(void **)&a->poll_ringbuf = dlsym(a->dl, "bpf_poll_ringbuf");
	*(void **)&a->free_ringbuf = dlsym(a->dl, "bpf_free_ringbuf");
	if (!a->new_ringbuf || !a->poll_ringbuf || !a->free_ringbuf)
		a->new_ringbuf = NULL;
	return 0;
}

static int bcc_probe(const struct oomtrace_backend_opts *o, char *why, size_t whysz)
{
	struct bcc_api a;
	char build[4096], src[4096];
	int r;

	if (!oomtrace_live_permitted(why, whysz))
		return -EPERM;
	if (o->probe && strcmp(o->probe, "kprobe") && strcmp(o->probe, "tracepoint")) {
		snprintf(why, whysz, "probe %s: the bcc backend has kprobe and tracepoint", o->probe);
		return -EINVAL;
	}
	r = bcc_find_headers(o, build, sizeof(build), src, sizeof(src), why, whysz);
	if (r)
		return r;
	r = load_api(&a, why, whysz);
	if (r)
		return r;
	dlclose(a.dl);
	if (!oomtrace_tracefs_dir(true, why, whysz) && !(o->probe && strcmp(o->probe, "kprobe") == 0))
		return -ENOENT;
	return 0;
}

static void on_raw(void *cookie, void *raw, int size);
static void on_lost(void *cookie, uint64_t n);
static int on_ring(void *cookie, void *data, size_t size);

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
			oomtrace_log(mod ? OOMTRACE_LOG_DEBUG : OOMTRACE_LOG_INFO, "libbcc: %s", out);
		if (!mod) {
			char *first = strstr(out, "error: ");

			if (first && strstr(first, "not supported"))
				/* our own #error: this kernel's headers declare what we refuse */
				snprintf(why, whysz, "%.*s", (int)strcspn(first + 7, "\n"), first + 7);
			else
				snprintf(why, whysz, "the embedded BPF program did not compile (%.*s) -- a bug, please report it with -v",
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
	return fd;
}

static void teardown(struct bcc *b)
{
	int i;

	for (i = 0; i < b->nreaders; i++)
		b->api.reader_free(b->readers[i]);
	b->nreaders = 0;
	if (b->rb)
		b->api.free_ringbuf(b->rb);
	b->rb = NULL;
	while (b->nfds > 0)
		close(b->fds[--b->nfds]);
	if (b->kprobe_attached)
		b->api.detach_kprobe(b->kprobe_ev);
	b->kprobe_attached = false;
	if (b->mod)
		b->api.module_destroy(b->mod);
	b->mod = NULL;
}

static int attach_tp(struct bcc *b, const char *fn, const char *cat, const char *name, char *why,
		     size_t whysz)
{
	bool raw = strncmp(fn, "raw_", 4) == 0;
	int pfd, fd = load_fn(b, fn, raw ? BPF_PROG_TYPE_RAW_TRACEPOINT : BPF_PROG_TYPE_TRACEPOINT, why, whysz);

	if (fd < 0)
		return fd;
	b->fds[b->nfds++] = fd;
	pfd = raw ? b->api.attach_raw_tracepoint(fd, name) : b->api.attach_tracepoint(fd, cat, name);
	if (pfd < 0) {
		snprintf(why, whysz, "attaching %s:%s failed (%s)", cat, name, strerror(errno));
		return -ENOENT;
	}
	b->fds[b->nfds++] = pfd;
	return 0;
}

/* One attempt: compile, load, attach, open the perf buffers. */
static int try_probe(struct bcc *b, bool kprobe, char *why, size_t whysz)
{
	struct oomtrace_buf text = { 0 };
	const char *tfs = oomtrace_tracefs_dir(true, NULL, 0);
	int r, cpu, ncpu = (int)sysconf(_SC_NPROCESSORS_CONF), events_fd;

	b->feat.kprobe = kprobe;
	b->feat.tracepoint = !kprobe;
	b->feat.signals = tfs && oomtrace_tracefs_has(tfs, "signal/signal_generate");
	b->feat.reaper = tfs && oomtrace_tracefs_has(tfs, "oom/finish_task_reaping") &&
			 oomtrace_tracefs_has(tfs, "oom/skip_task_reaping");
	b->feat.tp_mem = false;
	{
		/* --buffer-size: whole pages, a power of two */
		unsigned int kb = b->opts.buffer_kb ? b->opts.buffer_kb : OOMTRACE_BUFFER_KB_DEFAULT;
		unsigned int pg = (unsigned int)sysconf(_SC_PAGESIZE) / 1024, pages = 1;

		while (pages * pg < kb)
			pages <<= 1;
		b->feat.ring_pages = pages;
	}
	{
		/* raw tracepoints: 4.17+; ring buffer: 5.8+ */
		int maj = 0, min = 0;

		sscanf(bcc_kernel_release(), "%d.%d", &maj, &min);
		b->feat.raw_tp = maj > 4 || (maj == 4 && min >= 17);
		b->feat.ringbuf = b->api.new_ringbuf && (maj > 5 || (maj == 5 && min >= 8));
	}
	if (tfs) {
		char p[200], buf[4096] = "";
		int fd;

		snprintf(p, sizeof(p), "%s/events/oom/mark_victim/format", tfs);
		fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t n = read(fd, buf, sizeof(buf) - 1);

			buf[n > 0 ? n : 0] = '\0';
			close(fd);
		}
		b->feat.tp_mem = strstr(buf, " total_vm;") && strstr(buf, " anon_rss;");
	}
	if (bcc_program_text(&b->feat, &text)) {
		oomtrace_buf_free(&text);
		return -ENOMEM;
	}
	oomtrace_debug("bcc program:\n%s", text.p);
	b->mod = compile(b, text.p, why, whysz);
	oomtrace_buf_free(&text);
	if (!b->mod)
		return -ENOENT;
	if (kprobe) {
		int fd = load_fn(b, "okp_entry", BPF_PROG_TYPE_KPROBE, why, whysz);

		if (fd < 0) {
			teardown(b);
			return fd;
		}
		b->fds[b->nfds++] = fd;
		snprintf(b->kprobe_ev, sizeof(b->kprobe_ev), "p_oomtrace_okp_%d", (int)getpid());
		r = b->api.attach_kprobe(fd, 0, b->kprobe_ev, "oom_kill_process", 0, 0);
		if (r < 0) {
			snprintf(why, whysz, "kprobe on oom_kill_process failed (%s)", strerror(errno));
			teardown(b);
			return -ENOENT;
		}
		b->fds[b->nfds++] = r;
		b->kprobe_attached = true;
	} else if ((r = attach_tp(b, "tracepoint__oom__mark_victim", "oom", "mark_victim", why, whysz))) {
		teardown(b);
		return r;
	}
	if (b->feat.signals && !kprobe &&
	    attach_tp(b, "tracepoint__signal__signal_generate", "signal", "signal_generate", why, whysz))
		oomtrace_info("signal:signal_generate not attached: exiting victims cannot be told apart");
	if (b->feat.reaper && b->feat.raw_tp &&
	    (attach_tp(b, "raw_tracepoint__finish_task_reaping", "oom", "finish_task_reaping", why, whysz) ||
	     attach_tp(b, "raw_tracepoint__skip_task_reaping", "oom", "skip_task_reaping", why, whysz)))
		oomtrace_info("oom reaper tracepoints not attached: %s", why);
	else if (b->feat.reaper && !b->feat.raw_tp &&
	    (attach_tp(b, "tracepoint__oom__finish_task_reaping", "oom", "finish_task_reaping", why, whysz) ||
	     attach_tp(b, "tracepoint__oom__skip_task_reaping", "oom", "skip_task_reaping", why, whysz)))
		oomtrace_info("oom reaper tracepoints not attached: %s", why);
	events_fd = b->api.table_fd(b->mod, "events");
	b->drops_fd = b->api.table_fd(b->mod, "drops");
	if (b->feat.ringbuf) {
		b->rb = b->api.new_ringbuf(events_fd, on_ring, b);
		if (!b->rb) {
			snprintf(why, whysz, "cannot open the ring buffer");
			teardown(b);
			return -ENOENT;
		}
	}
	for (cpu = 0; !b->feat.ringbuf && cpu < ncpu && cpu < MAX_CPUS; cpu++) {
		void *rd = b->api.open_perf_buffer(on_raw, on_lost, b, -1, cpu,
						   b->opts.buffer_kb ? (int)b->feat.ring_pages : 64);
		int rfd;

		if (!rd)
			continue; /* an offline CPU */
		rfd = b->api.reader_fd(rd);
		if (b->api.update_elem(events_fd, &cpu, &rfd, 0) < 0) {
			b->api.reader_free(rd);
			continue;
		}
		b->readers[b->nreaders++] = rd;
	}
	if (!b->feat.ringbuf && !b->nreaders) {
		snprintf(why, whysz, "cannot open perf buffers");
		teardown(b);
		return -ENOENT;
	}
	snprintf(b->probe_desc, sizeof(b->probe_desc), "%s (%s buffer)", kprobe ? "kprobe" : "tracepoint",
		 b->feat.ringbuf ? "ring" : "perf");
	return 0;
}

static int bcc_open(const struct oomtrace_backend_opts *o, void **state)
{
	struct bcc *b = calloc(1, sizeof(*b));
	char why[1024] = "", build[4096], src[4096], tmp[128] = "", hrel[128];
	bool want_kprobe;
	int r, out = -1;

	if (!b)
		return -ENOMEM;
	b->opts = *o;
	b->drops_fd = -1;
	r = bcc_find_headers(o, build, sizeof(build), src, sizeof(src), why, sizeof(why));
	if (!r && o->kernel_headers)
		r = bcc_expose_headers(build, src, tmp, sizeof(tmp), why, sizeof(why));
	if (!r)
		r = load_api(&b->api, why, sizeof(why));
	if (r) {
		oomtrace_err("backend bcc: %s", why);
		bcc_unexpose_headers(tmp);
		free(b);
		return -ENOENT;
	}
	oomtrace_live_init(&b->live, OOMTRACE_SOURCE_BCC, o->context_mask);
	oomtrace_protect_self(o->keep_oom_score_adj);
	/* libbcc and LLVM print to standard output: never into our event stream */
	fflush(stdout);
	out = dup(STDOUT_FILENO);
	if (out >= 0)
		dup2(STDERR_FILENO, STDOUT_FILENO);
	want_kprobe = !o->probe || strcmp(o->probe, "kprobe") == 0;
	r = -ENOENT;
	if (want_kprobe) {
		if (!oomtrace_kprobes_available())
			snprintf(why, sizeof(why), "kprobes not available in this kernel (no kprobe PMU or kprobe_events)");
		else if (build[0] && bcc_headers_release(build, hrel, sizeof(hrel)) &&
			 strcmp(hrel, bcc_kernel_release()) != 0)
			/* the kprobe program reads kernel structures at the headers' offsets */
			snprintf(why, sizeof(why), "the kernel headers at %.200s are for %.64s, this kernel is %.64s: the "
				 "kprobe program would read wrong offsets (install linux-headers-%.64s or kernel-devel-%.64s)",
				 build, hrel, bcc_kernel_release(), bcc_kernel_release(), bcc_kernel_release());
		else
			r = try_probe(b, true, why, sizeof(why));
		if (r)
			oomtrace_log(o->probe ? OOMTRACE_LOG_ERROR : OOMTRACE_LOG_INFO,
				     "probe kprobe: not usable here: %s", why);
	}
	if (r && (!o->probe || strcmp(o->probe, "tracepoint") == 0)) {
		r = try_probe(b, false, why, sizeof(why));
		if (r)
			oomtrace_err("probe tracepoint: not usable here: %s", why);
	}
	if (out >= 0) {
		fflush(stdout);
		dup2(out, STDOUT_FILENO);
		close(out);
	}
	/* compiled: the headers are needed no more */
	bcc_unexpose_headers(tmp);
	if (r) {
		dlclose(b->api.dl);
		free(b);
		return -ENOENT;
	}
	oomtrace_kjoin_attach(&b->live, o);
	*state = b;
	return 0;
}

static void deliver(struct bcc *b, struct oomtrace_event *ev)
{
	oomtrace_live_deliver(&b->live, ev);
}

static void on_raw(void *cookie, void *raw, int size)
{
	struct bcc *b = cookie;
	struct bcc_wire wire; /* perf samples are only 4-byte aligned */
	const struct bcc_wire *w = &wire;
	struct oomtrace_event *ev = &b->ev;
	enum oomtrace_probe probe;

	if (size < (int)sizeof(wire))
		return;
	memcpy(&wire, raw, sizeof(wire));
	probe = w->probe == BWP_KPROBE ? OOMTRACE_PROBE_KPROBE : OOMTRACE_PROBE_TRACEPOINT;
	oomtrace_live_stamp(&b->live, ev, w->ts_ns, probe);
	if (w->kind == BW_FINISH_REAP || w->kind == BW_SKIP_REAP) {
		oomtrace_live_reap(&b->live, ev, w->victim_pid, w->ts_ns, w->kind == BW_SKIP_REAP);
		deliver(b, ev);
		return;
	}
	if (w->kind != BW_KILL)
		return;
	bcc_wire_to_event(w, ev);
	oomtrace_live_finish_kill(&b->live, ev, w->ts_ns, 0);
	deliver(b, ev);
}

static int on_ring(void *cookie, void *data, size_t size)
{
	struct bcc *b = cookie;

	on_raw(cookie, data, (int)size);
	return b->live.cb_error;
}

static void on_lost(void *cookie, uint64_t n)
{
	((struct bcc *)cookie)->lost += n;
}

static int bcc_poll(void *state, int timeout_ms, oomtrace_event_fn fn, void *ctx)
{
	struct bcc *b = state;
	int r;

	oomtrace_live_poll_begin(&b->live, fn, ctx);
	r = b->rb ? b->api.poll_ringbuf(b->rb, timeout_ms)
		  : b->api.reader_poll(b->nreaders, b->readers, timeout_ms);
	return oomtrace_live_poll_end(&b->live, r < 0 ? -errno : r);
}

static int bcc_stop(void *state)
{
	struct bcc *b = state;

	/* what is already buffered, then detach */
	if (b->rb)
		b->api.poll_ringbuf(b->rb, 0);
	else
		b->api.reader_poll(b->nreaders, b->readers, 0);
	return 0;
}

static void bcc_close(void *state)
{
	struct bcc *b = state;

	if (!b)
		return;
	teardown(b);
	oomtrace_kjoin_detach(&b->live);
	if (b->api.dl)
		dlclose(b->api.dl);
	free(b);
}

static uint64_t bcc_lost(void *state)
{
	struct bcc *b = state;
	uint64_t total = b->lost, v = 0;
	int zero = 0;

	/* BPF_ARRAY: one shared counter of failed perf_submit calls */
	if (b->drops_fd >= 0 && b->api.lookup_elem(b->drops_fd, &zero, &v) != 0)
		v = 0;
	return total + v;
}

static const char *bcc_probe_name(void *state)
{
	return ((struct bcc *)state)->probe_desc;
}

static void bcc_check(const struct oomtrace_backend_opts *o, struct oomtrace_check *c)
{
	struct bcc_api a;
	char why[512], build[4096], src[4096];

	if (load_api(&a, why, sizeof(why)) == 0) {
		oomtrace_check_add(c, "libbcc", "yes", "%s (loaded at run time; LLVM comes with it)", LIBBCC);
		dlclose(a.dl);
	} else {
		oomtrace_check_add(c, "libbcc", "no", "%s", why);
	}
	if (bcc_find_headers(o, build, sizeof(build), src, sizeof(src), why, sizeof(why)) == 0) {
		char hrel[128];

		if (build[0] && bcc_headers_release(build, hrel, sizeof(hrel)) && strcmp(hrel, bcc_kernel_release()))
			oomtrace_check_add(c, "bcc headers", "mismatch",
					   "%s is for %s: tracepoint only (the kprobe program needs %s's own headers)",
					   build, hrel, bcc_kernel_release());
		else
			oomtrace_check_add(c, "bcc headers", "yes", "%s", build[0] ? build : "/sys/kernel/kheaders.tar.xz");
	} else
		oomtrace_check_add(c, "bcc headers", "no", "%s", why);
}

const struct oomtrace_backend_ops oomtrace_bcc_ops = {
	.name = "bcc",
	.probe = bcc_probe,
	.open = bcc_open,
	.poll = bcc_poll,
	.stop = bcc_stop,
	.close = bcc_close,
	.lost = bcc_lost,
	.probe_name = bcc_probe_name,
	.check = bcc_check,
};
