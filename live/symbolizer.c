// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * symbolizer.c: the supervisor and its workers (symbolizer.h). One SOCK_SEQPACKET pair: a
 * request (registers, mappings, stack) is one message, an answer another, matched by id so that
 * an answer that came after its deadline is dropped. The supervisor hands a request and its files
 * (SCM_RIGHTS) to the worker on a channel of their own, and waits for its word or its end.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef WITH_SANDBOX
#include <cap-ng.h>
#include <seccomp.h>
#endif

#include "lines.h"
#include "symbolizer.h"
#include "util.h"

#define WORKER_AS_MIB 768 /* address space: libc's debug information is mapped, ~60 MiB */
#define WORKER_WALL_S 5
#define WORKER_IDLE_S 60

struct req_map {
	uint64_t start, end, pgoff;
	char path[256];
};

struct req {
	uint64_t id;
	uint32_t arch, nmaps;
	uint64_t regs[OOMTRACE_UREGS_MAX], pc, sp;
	uint32_t stack_len, open_files;
	uint32_t no_big_lines; /* no room for large DWARF (unwind.h) */
	uint32_t holes;	       /* of the stack (unwind.h) */
	uint64_t fd_mask; /* supervisor to worker: the maps whose file comes with the request */
	char root[64];
	struct req_map maps[OOMTRACE_UMAPS_MAX];
	unsigned char stack[OOMTRACE_USTACK_COPY];
};

struct answer {
	uint64_t id;
	int32_t status, pad;
	struct oomtrace_ustack st;
};

struct oomtrace_symbolizer {
	int fd;
	pid_t pid;
	uint64_t next_id;
	struct req req; /* built here, not on the stack: 26 KiB */
	struct answer ans;
};

#ifdef WITH_SANDBOX
/* The worker's system calls: read its files, allocate, answer, exit. */
static const char *const worker_syscalls[] = {
    "read",
    "pread64",
    "lseek",
    "fstat",
    "newfstatat",
    "fstatat64",
    "statx",
    "close",
    "mmap",
    "munmap",
    "mremap",
    "brk",
    "madvise",
    "mprotect",
    "futex",
    "write",
    "sendmsg",
    "sendto",
    "exit",
    "exit_group",
    "rt_sigreturn",
    "getpid",
    "gettid",
    "clock_gettime",
    "getrandom",
    "readlink",
    "readlinkat",
    "access",
    "faccessat",
    "faccessat2",
    "uname",
    "recvmsg",
    "alarm",
    "setitimer",
    "fcntl",
    /* the warming thread */
    "clone",
    "clone3",
    "set_robust_list",
    "rseq",
    "sched_yield",
    "rt_sigprocmask",
    /* its own nice, lowered (without CAP_SYS_NICE it cannot be raised) */
    "setpriority",
};

/* and the supervisor's: the workers' (a filter only narrows those of its children) and theirs */
static const char *const supervisor_syscalls[] = {
    "recvfrom",	      "recvmsg",	 "clone",      "clone3",  "fork",
    "wait4",	      "prlimit64",	 "setrlimit",  "alarm",	  "setitimer",
    "capget",	      "capset",		 "prctl",      "seccomp", "rt_sigaction",
    "rt_sigprocmask", "restart_syscall", "socketpair", "poll",	  "ppoll",
    "kill",	      "openat",
};

#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer's own: a new thread's stack and signal stack, its leak check (test builds) */
static const char *const sanitizer_syscalls[] = {
    "sigaltstack", "sched_getaffinity",
    "prlimit64",   "getrlimit",
    "prctl",	   "ptrace",
    "wait4",	   "waitid",
    "clone",	   "clone3",
    "getpgid",	   "setpgid",
};
#define SANITIZER_N (sizeof(sanitizer_syscalls) / sizeof(sanitizer_syscalls[0]))
#else
static const char *const sanitizer_syscalls[] = {""};
#define SANITIZER_N 0
#endif

static int allow(scmp_filter_ctx ctx, const char *const *names, size_t n)
{
	int r = 0;

	for (size_t i = 0; !r && i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);

		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue; /* not a system call of this architecture */
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		r = r == -EEXIST ? 0 : r;
	}
	return r;
}

static int load_filter(bool supervisor)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int r = ctx ? 0 : -ENOMEM;

	if (!r)
		r = allow(ctx, worker_syscalls,
			  sizeof(worker_syscalls) / sizeof(worker_syscalls[0]));
	if (!r)
		r = allow(ctx, sanitizer_syscalls, SANITIZER_N);
	if (!r && supervisor)
		r = allow(ctx, supervisor_syscalls,
			  sizeof(supervisor_syscalls) / sizeof(supervisor_syscalls[0]));
	/* open for reading only: debug information under /usr/lib/debug */
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, O_WRONLY | O_RDWR | O_CREAT, 0));
	if (!r && seccomp_syscall_resolve_name("open") >= 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, seccomp_syscall_resolve_name("open"), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, O_WRONLY | O_RDWR | O_CREAT, 0));
	if (!r)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

/* None for a worker; the supervisor keeps what opens another process's files through its root. */
static int keep_caps(bool supervisor)
{
	static const unsigned int kept[] = {CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE};
	bool have[2] = {false, false};

	for (unsigned int i = 0; supervisor && i < 2 && capng_get_caps_process() == 0; i++)
		have[i] = capng_have_capability(CAPNG_PERMITTED, kept[i]);
	capng_clear(CAPNG_SELECT_BOTH);
	for (unsigned int i = 0; i < 2; i++)
		if (have[i])
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, kept[i]);
	return capng_apply(CAPNG_SELECT_BOTH);
}
#else
static int load_filter(bool supervisor)
{
	(void)supervisor;
	return 0;
}

static int keep_caps(bool supervisor)
{
	(void)supervisor;
	return 0;
}
#endif

/* Confine this process: capabilities, no_new_privs, system calls. */
static int confine(bool supervisor)
{
	int r = keep_caps(supervisor);

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return load_filter(supervisor) ? -EPERM : r ? -EPERM : 0;
}

static void limit(int res, rlim_t v)
{
	struct rlimit rl = {v, v};

	setrlimit(res, &rl);
}

/* One request on the supervisor's channel to the worker, with the files it opened. */
static int channel_send(int ch, const struct req *rq, size_t len, const int *fds, unsigned int nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * OOMTRACE_UMAPS_MAX)];
	struct iovec iov = {(void *)rq, len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (nfds) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	return sendmsg(ch, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* The worker's side: the request and its files, in map order (fd_mask says which have one). */
static ssize_t channel_recv(int ch, struct req *rq, struct oomtrace_umap *maps)
{
	char cbuf[CMSG_SPACE(sizeof(int) * OOMTRACE_UMAPS_MAX)];
	struct iovec iov = {rq, sizeof(*rq)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	ssize_t n = recvmsg(ch, &mh, MSG_CMSG_CLOEXEC);
	struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	int fds[OOMTRACE_UMAPS_MAX];
	unsigned int nfds = 0, next = 0;

	if (n <= 0)
		return n;
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
		nfds = (unsigned int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		nfds = nfds > OOMTRACE_UMAPS_MAX ? OOMTRACE_UMAPS_MAX : nfds;
		memcpy(fds, CMSG_DATA(cm), sizeof(int) * nfds);
	}
	for (uint32_t i = 0; i < rq->nmaps && i < OOMTRACE_UMAPS_MAX; i++) {
		maps[i].start = rq->maps[i].start;
		maps[i].end = rq->maps[i].end;
		maps[i].pgoff = rq->maps[i].pgoff;
		memcpy(maps[i].path, rq->maps[i].path, sizeof(maps[i].path));
		maps[i].fd = (rq->fd_mask >> i & 1) && next < nfds ? fds[next++] : -1;
	}
	while (next < nfds)
		close(fds[next++]);
	return n;
}

/*
 * The worker: confined once, then each request: unwind, answer the tracer, tell the supervisor,
 * and read the line tables it put off (they stay cached for the next stacks). Never returns.
 */
static void worker(int sock, int ch)
{
	static struct req rq;
	static struct answer ans;
	static struct oomtrace_umap maps[OOMTRACE_UMAPS_MAX];

#if !defined(__SANITIZE_ADDRESS__) /* ASan's shadow memory is terabytes of address space */
	limit(RLIMIT_AS, (rlim_t)WORKER_AS_MIB << 20);
#endif
	limit(RLIMIT_FSIZE, 0);
	limit(RLIMIT_CORE, 0);
	unsetenv("DEBUGINFOD_URLS"); /* libdwfl would ask a server: no sockets here */
	if (confine(false)) {
		fprintf(stderr, "oomtrace: user stacks: the unwinder could not be confined\n");
		_exit(3);
	}
	oomtrace_lines_start_warmer(); /* where it cannot start, warm after each answer */
	for (bool served = false;; served = true) {
		struct pollfd idle = {ch, POLLIN, 0};

		/* an idle minute after a stack: gone, and its line tables' memory with it (the
		 * supervisor starts a spare, which holds nothing and waits for the next stack) */
		if (poll(&idle, 1, served ? WORKER_IDLE_S * 1000 : -1) == 0 ||
		    channel_recv(ch, &rq, maps) <= 0)
			break;
		struct oomtrace_ucopy c = {.arch = rq.arch,
					   .pc = rq.pc,
					   .sp = rq.sp,
					   .stack = rq.stack,
					   .stack_len = rq.stack_len,
					   .holes = rq.holes,
					   .maps = maps,
					   .nmaps = rq.nmaps,
					   .lines_now = true,
					   .no_big_lines = rq.no_big_lines != 0};

		alarm(WORKER_WALL_S); /* a binary that keeps it busy: SIGALRM ends it */
		memcpy(c.regs, rq.regs, sizeof(c.regs));
		ans.id = rq.id;
		ans.status = oomtrace_unwind(&c, &ans.st);
		if (send(sock, &ans, sizeof(ans), MSG_NOSIGNAL) != (ssize_t)sizeof(ans) ||
		    write(ch, "d", 1) != 1)
			_exit(4);
		oomtrace_lines_warm();
		alarm(0);
	}
	_exit(0);
}

static void answer_error(int sock, uint64_t id, int status)
{
	struct answer a = {.id = id, .status = status};

	send(sock, &a, offsetof(struct answer, st), MSG_NOSIGNAL);
}

/* Open @m's file as the process saw it; -1 where it cannot. */
static int open_map(const char *root, const struct req_map *m)
{
	char path[sizeof(((struct req *)0)->root) + sizeof(m->path)];

	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s%s", root, m->path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	/* a regular file only: a device node mapped executable is not read */
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

struct wk {
	pid_t pid;
	int ch;	     /* the supervisor's end of its channel */
	bool served; /* it was handed a request */
};

static void worker_gone(struct wk *w)
{
	int st = 0;

	if (w->pid > 0) {
		kill(w->pid, SIGKILL);
		while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
			;
		/* ended on its own before that (an idle one was reaped by worker_check): say how */
		if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL)
			fprintf(stderr,
				"oomtrace: user stacks: the unwinder was killed (signal %d)\n",
				WTERMSIG(st));
		else if (WIFEXITED(st) && WEXITSTATUS(st))
			fprintf(stderr, "oomtrace: user stacks: the unwinder failed (status %d)\n",
				WEXITSTATUS(st));
	}
	if (w->ch >= 0)
		close(w->ch);
	w->pid = -1;
	w->ch = -1;
	w->served = false;
}

static int worker_start(struct wk *w, int sock)
{
	int ch[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ch))
		return -1;
	w->pid = fork();
	if (w->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* gone with the supervisor */
		close(ch[0]);
		worker(sock, ch[1]);
	}
	close(ch[1]);
	w->ch = ch[0];
	if (w->pid < 0) {
		worker_gone(w);
		return -1;
	}
	return 0;
}

/* A worker that ended (idle, or dead) is reaped. */
static void worker_check(struct wk *w)
{
	int st;

	if (w->pid > 0 && waitpid(w->pid, &st, WNOHANG) == w->pid) {
		w->pid = -1;
		worker_gone(w);
	}
}

/* Hand @rq (@len bytes) to the worker, starting one where none runs, and wait for it: the
 * status to answer where the worker could not (0: it answered). */
static int delegate(struct wk *w, int sock, struct req *rq, size_t len)
{
	int fds[OOMTRACE_UMAPS_MAX];
	unsigned int nfds = 0;
	struct pollfd p;
	char done;
	int r = 0;

	worker_check(w);
	rq->fd_mask = 0;
	for (uint32_t i = 0; i < rq->nmaps; i++) {
		int fd = rq->open_files ? open_map(rq->root, &rq->maps[i]) : -1;

		if (fd >= 0) {
			rq->fd_mask |= 1ULL << i;
			fds[nfds++] = fd;
		}
	}
	for (int tries = 0; tries < 2; tries++) {
		if (w->pid < 0 && worker_start(w, sock)) {
			r = -EAGAIN;
			break;
		}
		if (channel_send(w->ch, rq, len, fds, nfds) == 0) {
			w->served = true;
			break;
		}
		worker_gone(w); /* it had just ended, idle: a new one, once */
		r = tries ? -ECHILD : 0;
	}
	while (nfds)
		close(fds[--nfds]);
	p = (struct pollfd){w->ch, POLLIN, 0};
	if (!r && (poll(&p, 1, (WORKER_WALL_S + 1) * 1000) != 1 || read(w->ch, &done, 1) != 1))
		r = -ECHILD; /* it died on these binaries, or took too long */
	if (r)
		worker_gone(w);
	return r;
}

static void supervise(int sock)
{
	static struct req rq;
	struct wk w = {-1, -1, false};
	ssize_t n;
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	/* neither protected as the tracer is (-1000, perhaps inherited from its unit), nor put
	 * first (1000 would make it every shared memcg's first victim): the kernel's own choice,
	 * which the worker inherits */
	if (fd >= 0) {
		(void)!write(fd, "0", 1);
		close(fd);
	}
	if (confine(true)) {
		fprintf(stderr, "oomtrace: user stacks: the symbolizer could not be confined\n");
		_exit(3);
	}
	/* a spare worker, confined and waiting: the first stack does not wait for a fork and a
	 * seccomp filter (delegate() starts one where this failed) */
	(void)worker_start(&w, sock);
	for (;;) {
		struct pollfd p[2] = {{sock, POLLIN, 0}, {w.pid > 0 ? w.ch : -1, POLLIN, 0}};
		size_t need;
		int r;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents) {
			/* between requests the channel speaks only of the worker's end: idle, or
			 * dead. A spare that ended before any request is not replaced (it would end
			 * again) */
			bool served = w.served;

			worker_gone(&w);
			if (served)
				(void)worker_start(&w, sock);
		}
		if (!p[0].revents)
			continue;
		if ((n = recv(sock, &rq, sizeof(rq), 0)) <= 0)
			break;
		need = offsetof(struct req, stack) + rq.stack_len;

		if ((size_t)n < offsetof(struct req, maps) || rq.nmaps > OOMTRACE_UMAPS_MAX ||
		    rq.stack_len > OOMTRACE_USTACK_COPY || (size_t)n != need) {
			answer_error(sock, (size_t)n >= sizeof(rq.id) ? rq.id : 0, -EINVAL);
			continue;
		}
		rq.root[sizeof(rq.root) - 1] = '\0';
		for (uint32_t i = 0; i < rq.nmaps; i++)
			rq.maps[i].path[sizeof(rq.maps[i].path) - 1] = '\0';
		if ((r = delegate(&w, sock, &rq, (size_t)n)))
			answer_error(sock, rq.id, r);
	}
	worker_gone(&w);
	_exit(0);
}

struct oomtrace_symbolizer *oomtrace_symbolizer_start(void)
{
	struct oomtrace_symbolizer *s = calloc(1, sizeof(*s));
	int sv[2];

	if (!s)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		free(s);
		return NULL;
	}
	s->pid = fork();
	if (s->pid == 0) {
		/* hold nothing of the tracer's: its descriptors (BPF's among them), its signals */
		int keep = 3;
		struct rlimit rl;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (sv[1] != keep && dup2(sv[1], keep) < 0)
			_exit(3);
		if (syscall(SYS_close_range, 4U, ~0U, 0U) != 0) {
			int top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (1 << 20)
				      ? (int)rl.rlim_cur
				      : 1 << 20;

			for (int fd = 4; fd < top; fd++)
				close(fd);
		}
		/* stderr stays: what goes wrong in here is said where the tracer says things */
		close(0);
		close(1);
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_IGN);
		supervise(keep);
	}
	close(sv[1]);
	if (s->pid < 0) {
		int e = errno;

		close(sv[0]);
		free(s);
		errno = e;
		return NULL;
	}
	s->fd = sv[0];
	s->next_id = 1;
	return s;
}

static int build_req(struct req *rq, const struct oomtrace_ucopy *c, const char *root, size_t *len)
{
	if (c->nmaps > OOMTRACE_UMAPS_MAX || c->stack_len > OOMTRACE_USTACK_COPY ||
	    (root && strlen(root) >= sizeof(rq->root)))
		return -EINVAL;
	rq->arch = c->arch;
	rq->nmaps = c->nmaps;
	memcpy(rq->regs, c->regs, sizeof(rq->regs));
	rq->pc = c->pc;
	rq->sp = c->sp;
	rq->stack_len = (uint32_t)c->stack_len;
	rq->holes = c->holes;
	snprintf(rq->root, sizeof(rq->root), "%s", root ? root : "");
	rq->open_files = root != NULL;
	rq->no_big_lines = c->no_big_lines;
	for (unsigned int i = 0; i < c->nmaps; i++) {
		rq->maps[i].start = c->maps[i].start;
		rq->maps[i].end = c->maps[i].end;
		rq->maps[i].pgoff = c->maps[i].pgoff;
		snprintf(rq->maps[i].path, sizeof(rq->maps[i].path), "%s", c->maps[i].path);
	}
	if (c->stack_len)
		memcpy(rq->stack, c->stack, c->stack_len);
	*len = offsetof(struct req, stack) + c->stack_len;
	return 0;
}

int oomtrace_symbolizer_unwind(struct oomtrace_symbolizer *s, const struct oomtrace_ucopy *c,
			       const char *root, struct oomtrace_ustack *out, int timeout_ms)
{
	int64_t deadline = oomtrace_mono_ms() + timeout_ms;
	size_t len;
	int r;

	if (!s || s->fd < 0)
		return -EPIPE;
	if ((r = build_req(&s->req, c, root, &len)))
		return r;
	s->req.id = s->next_id++;
	/* never waits: a helper still on earlier stacks with a full queue costs this one */
	if (send(s->fd, &s->req, len, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)len)
		return errno == EPIPE || errno == ECONNRESET ? -EPIPE : -errno;
	for (;;) {
		struct pollfd p = {s->fd, POLLIN, 0};
		int64_t left = deadline - oomtrace_mono_ms();

		if (left <= 0 || (r = poll(&p, 1, (int)left)) == 0)
			return -ETIMEDOUT;
		if (r < 0 && errno == EINTR)
			continue;
		ssize_t n = recv(s->fd, &s->ans, sizeof(s->ans), MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return -EPIPE;
		if (n < (ssize_t)offsetof(struct answer, st) || s->ans.id != s->req.id)
			continue; /* an answer that came after its deadline */
		if (s->ans.status)
			return s->ans.status;
		if (n != (ssize_t)sizeof(s->ans))
			return -EPIPE;
		*out = s->ans.st;
		return 0;
	}
}

pid_t oomtrace_symbolizer_pid(const struct oomtrace_symbolizer *s)
{
	return s ? s->pid : -1;
}

void oomtrace_symbolizer_stop(struct oomtrace_symbolizer *s)
{
	if (!s)
		return;
	close(s->fd);
	/* at once: it may be waiting out a worker's stack, and holds nothing to keep */
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(s);
}
