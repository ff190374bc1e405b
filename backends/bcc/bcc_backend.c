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
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bcc_backend.h"
#include "bcc_cache.h"
#include "bcc_headers.h"
#include "bcc_program.h"
#include "dl.h"
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
	/* the maps, for the cache of the compiled program */
	size_t (*num_tables)(void *mod);
	const char *(*table_name)(void *mod, size_t id);
	int (*table_fd_id)(void *mod, size_t id);
	int (*table_type_id)(void *mod, size_t id);
	size_t (*table_max_entries_id)(void *mod, size_t id);
	int (*table_flags_id)(void *mod, size_t id);
	size_t (*table_key_size_id)(void *mod, size_t id);
	size_t (*table_leaf_size_id)(void *mod, size_t id);
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
	int fds[12]; /* CHILD_FDS: programs, attachments, the events and drops maps */
	int nfds;
	bool kprobe_attached;
	char kprobe_ev[64];
	void *readers[MAX_CPUS];
	int nreaders;
	void *rb;
	/* the parent's side: the child's programs, links and maps, read with libbpf */
	struct ring_buffer *lrb;
	struct perf_buffer *lpb;
	int events_fd;
	bool child_mode;
	pid_t child;
	uint64_t lost;
	int drops_fd;
	struct oomtrace_live live;
	struct oomtrace_event ev;
	char probe_desc[32];
	/* the compiled program's cache: its key, and (the child) what was loaded and attached */
	char cache_dir[512]; /* "" when not used */
	char cache_key[2048];
	struct bcc_cache rec;
	bool rec_unusable; /* a kprobe made through kprobe_events: the tracer could not make it again */
};

static int load_api(struct bcc_api *a, char *why, size_t whysz)
{
	static const struct oomtrace_dlsym syms[] = {
#define SYM(field, name) OOMTRACE_DLSYM(struct bcc_api, field, name)
		SYM(module_create, "bpf_module_create_c_from_string"),
		SYM(module_destroy, "bpf_module_destroy"),
		SYM(module_license, "bpf_module_license"),
		SYM(module_kern_version, "bpf_module_kern_version"),
		SYM(function_start, "bpf_function_start"),
		SYM(function_size, "bpf_function_size"),
		SYM(table_fd, "bpf_table_fd"),
		SYM(num_tables, "bpf_num_tables"),
		SYM(table_name, "bpf_table_name"),
		SYM(table_fd_id, "bpf_table_fd_id"),
		SYM(table_type_id, "bpf_table_type_id"),
		SYM(table_max_entries_id, "bpf_table_max_entries_id"),
		SYM(table_flags_id, "bpf_table_flags_id"),
		SYM(table_key_size_id, "bpf_table_key_size_id"),
		SYM(table_leaf_size_id, "bpf_table_leaf_size_id"),
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
	const char *missing;

	memset(a, 0, sizeof(*a));
	a->dl = oomtrace_dl_load(LIBBCC, syms, sizeof(syms) / sizeof(syms[0]), a, &missing);
	if (!a->dl) {
		if (missing)
			snprintf(why, whysz, "%s lacks %s: libbcc too old", LIBBCC, missing);
		else
			snprintf(why, whysz, "%s not found: install libbpfcc (Debian/Ubuntu) or bcc (openEuler/RHEL)",
				 LIBBCC);
		return -ENOENT;
	}
	*(void **)&a->new_ringbuf = dlsym(a->dl, "bpf_new_ringbuf");
	*(void **)&a->poll_ringbuf = dlsym(a->dl, "bpf_poll_ringbuf");
	*(void **)&a->free_ringbuf = dlsym(a->dl, "bpf_free_ringbuf");
	if (!a->new_ringbuf || !a->poll_ringbuf || !a->free_ringbuf)
		a->new_ringbuf = NULL;
	return 0;
}

/*
 * Whether libbcc can be loaded, asked of a child: the parent must never map
 * libbcc and LLVM (a hundred MiB that would stay for the tracer's life).
 */
static int api_check(char *why, size_t whysz)
{
	int pfd[2], st = 0;
	pid_t pid;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		struct bcc_api a;
		char w[512] = "";
		int r;

		close(pfd[0]);
		r = load_api(&a, w, sizeof(w));
		if (r && write(pfd[1], w, strlen(w)) < 0)
			_exit(2);
		_exit(r ? 1 : 0);
	}
	close(pfd[1]);
	n = read(pfd[0], why, whysz - 1);
	why[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (!why[0])
		snprintf(why, whysz, "%s could not be loaded", LIBBCC);
	return -ENOENT;
}

static int bcc_probe(const struct oomtrace_backend_opts *o, char *why, size_t whysz)
{
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
	/* whether libbcc loads is found by the compiling child: no second dlopen of LLVM here */
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
	b->rec.nprogs = 0;
	b->rec_unusable = false;
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
	if (raw)
		rec_attached(b, BCA_RAW_TRACEPOINT, name, NULL);
	else
		rec_attached(b, BCA_TRACEPOINT, cat, name);
	return 0;
}

/* One attempt: compile, load, attach, open the perf buffers. */
static int try_probe(struct bcc *b, bool kprobe, char *why, size_t whysz)
{
	struct oomtrace_buf text = { 0 };
	const char *tfs = oomtrace_tracefs_dir(true, NULL, 0);
	int r, events_fd;

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
		rec_attached(b, BCA_KPROBE, "oom_kill_process", NULL);
		/* without the kprobe PMU libbcc wrote kprobe_events: not made again from the cache */
		if (access("/sys/bus/event_source/devices/kprobe/type", R_OK))
			b->rec_unusable = true;
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
	if (events_fd < 0) {
		snprintf(why, whysz, "the compiled program has no events map");
		teardown(b);
		return -ENOENT;
	}
	/* the buffers are opened by the parent, on this map, with libbpf */
	b->events_fd = events_fd;
	snprintf(b->probe_desc, sizeof(b->probe_desc), "%s (%s buffer)", kprobe ? "kprobe" : "tracepoint",
		 b->feat.ringbuf ? "ring" : "perf");
	return 0;
}

/* What the compiling child tells the parent, with its descriptors (SCM_RIGHTS). */
struct child_msg {
	int ok;
	char why[1024];
	struct bcc_features feat;
	char probe_desc[32];
	char kprobe_ev[64];
	int kprobe_attached;
	int nfds;      /* programs and attachments first */
	int events_at; /* then the events map, then the drops map (-1: none) */
	int drops_at;
};

#define CHILD_FDS 12

/* The child, once attached: what it loaded and how, with the maps, for the next start. */
static void save_cache(struct bcc *b)
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
	for (j = 0; j < c->nprogs; j++) /* loaded and attached; one whose attach failed is left out */
		if (c->progs[j].attach)
			c->progs[k++] = c->progs[j];
	c->nprogs = k;
	c->feat = b->feat;
	memcpy(c->probe_desc, b->probe_desc, sizeof(c->probe_desc));
	if (!err)
		err = c->events_map < 0 ? -ENOENT : bcc_cache_write(b->cache_dir, b->cache_key, c);
	if (err)
		oomtrace_info("bcc: the compiled program is not kept in %s: %s", b->cache_dir, strerror(-err));
	else
		oomtrace_info("bcc: the compiled program is kept in %s for the next start on this kernel",
			      b->cache_dir);
}

/*
 * The child: headers shown to libbcc, libbcc loaded, the program compiled,
 * loaded and attached; then its descriptors go to the parent and it exits,
 * taking LLVM with it. Never returns.
 */
static void child_main(struct bcc *b, const struct oomtrace_backend_opts *o, int sock)
{
	struct child_msg m = { 0 };
	char build[4096], src[4096], tmp[128] = "", hrel[128];
	char ctl[CMSG_SPACE(sizeof(int) * CHILD_FDS)];
	int fds[CHILD_FDS], nfds = 0, i, r, out;
	bool want_kprobe;
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	r = bcc_find_headers(o, build, sizeof(build), src, sizeof(src), m.why, sizeof(m.why));
	if (!r && o->kernel_headers)
		r = bcc_expose_headers(build, src, tmp, sizeof(tmp), m.why, sizeof(m.why));
	if (!r)
		r = load_api(&b->api, m.why, sizeof(m.why));
	if (r) {
		oomtrace_err("backend bcc: %s", m.why);
		bcc_unexpose_headers(tmp);
		goto send;
	}
	/* the one question libbcc asks of /proc/kallsyms, answered by the kernel in one program load */
	if ((r = libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_probe_read_kernel, NULL)) >= 0 &&
	    (r = bcc_small_kallsyms(r == 1)) < 0)
		oomtrace_debug("libbcc reads all of /proc/kallsyms: %s", strerror(-r));
	/* libbcc and LLVM print to standard output: never into our event stream */
	fflush(stdout);
	out = dup(STDOUT_FILENO);
	if (out >= 0)
		dup2(STDERR_FILENO, STDOUT_FILENO);
	want_kprobe = !o->probe || strcmp(o->probe, "kprobe") == 0;
	r = -ENOENT;
	if (want_kprobe) {
		if (!oomtrace_kprobes_available())
			snprintf(m.why, sizeof(m.why), "kprobes not available in this kernel (no kprobe PMU or kprobe_events)");
		else if (build[0] && bcc_headers_release(build, hrel, sizeof(hrel)) &&
			 strcmp(hrel, bcc_kernel_release()) != 0)
			/* the kprobe program reads kernel structures at the headers' offsets */
			snprintf(m.why, sizeof(m.why), "the kernel headers at %.200s are for %.64s, this kernel is %.64s: the "
				 "kprobe program would read wrong offsets (install linux-headers-%.64s or kernel-devel-%.64s)",
				 build, hrel, bcc_kernel_release(), bcc_kernel_release(), bcc_kernel_release());
		else
			r = try_probe(b, true, m.why, sizeof(m.why));
		if (r)
			oomtrace_log(o->probe ? OOMTRACE_LOG_ERROR : OOMTRACE_LOG_INFO,
				     "probe kprobe: not usable here: %s", m.why);
	}
	if (r && (!o->probe || strcmp(o->probe, "tracepoint") == 0)) {
		r = try_probe(b, false, m.why, sizeof(m.why));
		if (r)
			oomtrace_err("probe tracepoint: not usable here: %s", m.why);
	}
	if (out >= 0) {
		fflush(stdout);
		dup2(out, STDOUT_FILENO);
		close(out);
	}
	bcc_unexpose_headers(tmp);
	if (r)
		goto send;
	if (b->cache_dir[0])
		save_cache(b);
	for (i = 0; i < b->nfds && nfds < CHILD_FDS - 2; i++)
		fds[nfds++] = b->fds[i];
	m.nfds = nfds;
	m.events_at = nfds;
	fds[nfds++] = b->events_fd;
	m.drops_at = b->drops_fd >= 0 ? nfds : -1;
	if (b->drops_fd >= 0)
		fds[nfds++] = b->drops_fd;
	m.ok = 1;
	m.feat = b->feat;
	memcpy(m.probe_desc, b->probe_desc, sizeof(m.probe_desc));
	memcpy(m.kprobe_ev, b->kprobe_ev, sizeof(m.kprobe_ev));
	m.kprobe_attached = b->kprobe_attached;
	mh.msg_control = ctl;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
	{
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
send:
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		_exit(2);
	/* the kprobe is the parent's now: no detach, no module teardown (LLVM just goes) */
	_exit(m.ok ? 0 : 1);
}

/* Compile, load and attach in a throwaway child; receive its descriptors. */
static int compile_in_child(struct bcc *b, const struct oomtrace_backend_opts *o, char *why, size_t whysz)
{
	struct child_msg m = { 0 };
	char ctl[CMSG_SPACE(sizeof(int) * CHILD_FDS)];
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	int sv[2], st = 0, n = 0, i;
	ssize_t got;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	fflush(NULL);
	b->child = fork();
	if (b->child < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (b->child == 0) {
		close(sv[0]);
		child_main(b, o, sv[1]);
	}
	close(sv[1]);
	do
		got = recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC);
	while (got < 0 && errno == EINTR);
	close(sv[0]);
	while (waitpid(b->child, &st, 0) < 0 && errno == EINTR)
		;
	if (got != (ssize_t)sizeof(m)) {
		snprintf(why, whysz, "the compiling child %s", WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "died");
		return -ENOENT;
	}
	if (!m.ok) {
		snprintf(why, whysz, "%s", m.why);
		return -ENOENT;
	}
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			if (n > CHILD_FDS)
				n = CHILD_FDS;
			memcpy(b->fds, CMSG_DATA(c), sizeof(int) * (size_t)n);
		}
	if (n != m.nfds + 1 + (m.drops_at >= 0) || m.events_at >= n) {
		for (i = 0; i < n; i++)
			close(b->fds[i]);
		snprintf(why, whysz, "the compiling child sent %d descriptors, not %d", n, m.nfds + 1 + (m.drops_at >= 0));
		return -EIO;
	}
	b->nfds = n;
	b->events_fd = b->fds[m.events_at];
	b->drops_fd = m.drops_at >= 0 ? b->fds[m.drops_at] : -1;
	b->feat = m.feat;
	memcpy(b->probe_desc, m.probe_desc, sizeof(b->probe_desc));
	memcpy(b->kprobe_ev, m.kprobe_ev, sizeof(b->kprobe_ev));
	b->kprobe_attached = m.kprobe_attached;
	return 0;
}

static void lb_sample(void *ctx, int cpu, void *data, __u32 size)
{
	(void)cpu;
	on_raw(ctx, data, (int)size);
}

static void lb_lost(void *ctx, int cpu, __u64 n)
{
	(void)cpu;
	on_lost(ctx, n);
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

/* The program compiled on an earlier start, loaded and attached here without libbcc. 0 or -errno. */
static int from_cache(struct bcc *b)
{
	struct bcc_cache c;
	char why[256] = "";
	int r = bcc_cache_read(b->cache_dir, b->cache_key, &c);

	if (r == -ENOENT)
		return r;
	if (r) {
		oomtrace_info("bcc: the compiled program in %s is not used (%s): compiling", b->cache_dir,
			      r == -EPERM ? "not ours alone: its owner or mode" : r == -EINVAL ? "damaged, or for another build or kernel" : strerror(-r));
		return r;
	}
	r = bcc_cache_load(&c, b->fds, CHILD_FDS, &b->nfds, &b->events_fd, &b->drops_fd, why, sizeof(why));
	if (!r) {
		b->feat = c.feat;
		snprintf(b->probe_desc, sizeof(b->probe_desc), "%s", c.probe_desc);
		oomtrace_info("bcc: the program compiled on an earlier start on this kernel, from %s (libbcc not loaded)",
			      b->cache_dir);
	} else {
		oomtrace_info("bcc: the compiled program in %s did not load (%s): compiling", b->cache_dir, why);
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
	oomtrace_protect_self(o->keep_oom_score_adj);
	cache_setup(b, o);
	r = b->cache_dir[0] ? from_cache(b) : -ENOENT;
	if (r)
		r = compile_in_child(b, o, why, sizeof(why));
	if (!r && b->feat.ringbuf) {
		b->lrb = ring_buffer__new(b->events_fd, on_ring, b, NULL);
		if (!b->lrb)
			snprintf(why, sizeof(why), "cannot open the ring buffer (%s)", strerror(errno));
	} else if (!r) {
		b->lpb = perf_buffer__new(b->events_fd, b->opts.buffer_kb ? b->feat.ring_pages : 64, lb_sample, lb_lost,
					  b, NULL);
		if (!b->lpb)
			snprintf(why, sizeof(why), "cannot open the perf buffers (%s)", strerror(errno));
	}
	if (r || (!b->lrb && !b->lpb)) {
		if (why[0] && !r)
			oomtrace_err("backend bcc: %s", why);
		else if (why[0] && r != -ENOENT)
			oomtrace_err("backend bcc: %s", why);
		while (b->nfds > 0)
			close(b->fds[--b->nfds]);
		remove_legacy_kprobe(b);
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
	r = b->lrb ? ring_buffer__poll(b->lrb, timeout_ms) : perf_buffer__poll(b->lpb, timeout_ms);
	return oomtrace_live_poll_end(&b->live, r);
}

static int bcc_stop(void *state)
{
	struct bcc *b = state;

	/* what is already buffered, then detach */
	if (b->lrb)
		ring_buffer__consume(b->lrb);
	else
		perf_buffer__consume(b->lpb);
	return 0;
}

static void bcc_close(void *state)
{
	struct bcc *b = state;

	if (!b)
		return;
	ring_buffer__free(b->lrb);
	perf_buffer__free(b->lpb);
	while (b->nfds > 0)
		close(b->fds[--b->nfds]);
	remove_legacy_kprobe(b);
	oomtrace_kjoin_detach(&b->live);
	free(b);
}

static uint64_t bcc_lost(void *state)
{
	struct bcc *b = state;
	uint64_t total = b->lost, v = 0;
	int zero = 0;

	/* BPF_ARRAY: one shared counter of failed perf_submit calls */
	if (b->drops_fd >= 0 && bpf_map_lookup_elem(b->drops_fd, &zero, &v) != 0)
		v = 0;
	return total + v;
}

static const char *bcc_probe_name(void *state)
{
	return ((struct bcc *)state)->probe_desc;
}

static void bcc_check(const struct oomtrace_backend_opts *o, struct oomtrace_check *c)
{
	char why[512], build[4096], src[4096];

	if (api_check(why, sizeof(why)) == 0) {
		oomtrace_check_add(c, "libbcc", "yes", "%s (loaded by a child that compiles and exits: LLVM never stays)",
				   LIBBCC);
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
