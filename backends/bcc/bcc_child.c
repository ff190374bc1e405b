// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bcc_child.c: libbcc and LLVM live only in a child: it compiles, loads and
 * attaches, hands its descriptors to the tracer over a socket (SCM_RIGHTS)
 * and exits; the tracer never maps them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bcc_headers.h"
#include "bcc_int.h"
#include "log.h"

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

/* Headers shown to libbcc, libbcc loaded, its kallsyms question answered: 0 or -errno with @m->why.
 */
static int child_prepare(struct bcc *b, const struct oomtrace_backend_opts *o, char *build,
			 size_t bsz, char *tmp, size_t tmpsz, struct child_msg *m)
{
	char src[4096];
	int r;

	r = bcc_find_headers(o, build, bsz, src, sizeof(src), m->why, sizeof(m->why));
	if (!r && o->kernel_headers)
		r = bcc_expose_headers(build, src, tmp, tmpsz, m->why, sizeof(m->why));
	if (!r)
		r = bcc_api_load(&b->api, m->why, sizeof(m->why));
	if (r) {
		oomtrace_err("backend bcc: %s", m->why);
		bcc_unexpose_headers(tmp);
		return r;
	}
	/* the one question libbcc asks of /proc/kallsyms, answered by the kernel in one program
	 * load */
	if ((r = libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_probe_read_kernel,
					 NULL)) >= 0 &&
	    (r = bcc_small_kallsyms(r == 1)) < 0)
		oomtrace_debug("libbcc reads all of /proc/kallsyms: %s", strerror(-r));
	return 0;
}

/* The kprobe (where this kernel's own headers are), else the tracepoint: 0 or -errno with @why. */
static int child_attempts(struct bcc *b, const struct oomtrace_backend_opts *o, const char *build,
			  char *why, size_t whysz)
{
	bool want_kprobe = !o->probe || strcmp(o->probe, "kprobe") == 0;
	char hrel[128];
	int r = -ENOENT, out;

	/* libbcc and LLVM print to standard output: never into our event stream */
	fflush(stdout);
	out = dup(STDOUT_FILENO);
	if (out >= 0)
		dup2(STDERR_FILENO, STDOUT_FILENO);
	if (want_kprobe) {
		if (!oomtrace_kprobes_available())
			snprintf(why, whysz,
				 "kprobes not available in this kernel (no kprobe PMU or "
				 "kprobe_events)");
		else if (build[0] && bcc_headers_release(build, hrel, sizeof(hrel)) &&
			 strcmp(hrel, bcc_kernel_release()) != 0)
			/* the kprobe program reads kernel structures at the headers' offsets */
			snprintf(
			    why, whysz,
			    "the kernel headers at %.200s are for %.64s, this kernel is %.64s: the "
			    "kprobe program would read wrong offsets (install linux-headers-%.64s "
			    "or kernel-devel-%.64s)",
			    build, hrel, bcc_kernel_release(), bcc_kernel_release(),
			    bcc_kernel_release());
		else
			r = bcc_try_probe(b, true, why, whysz);
		if (r)
			oomtrace_log(o->probe ? OOMTRACE_LOG_ERROR : OOMTRACE_LOG_INFO,
				     "probe kprobe: not usable here: %s", why);
	}
	if (r && (!o->probe || strcmp(o->probe, "tracepoint") == 0)) {
		r = bcc_try_probe(b, false, why, whysz);
		if (r)
			oomtrace_err("probe tracepoint: not usable here: %s", why);
	}
	if (out >= 0) {
		fflush(stdout);
		dup2(out, STDOUT_FILENO);
		close(out);
	}
	return r;
}

/* Attached: the message and the descriptors (programs, attachments, events map, drops map) sent. */
static void child_send(struct bcc *b, struct child_msg *m, int sock)
{
	char ctl[CMSG_SPACE(sizeof(int) * BCC_FDS)];
	struct iovec iov = {m, sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	int fds[BCC_FDS], nfds = 0, i;
	struct cmsghdr *c;

	for (i = 0; i < b->nfds && nfds < BCC_FDS - 2; i++)
		fds[nfds++] = b->fds[i];
	m->nfds = nfds;
	m->events_at = nfds;
	fds[nfds++] = b->events_fd;
	m->drops_at = b->drops_fd >= 0 ? nfds : -1;
	if (b->drops_fd >= 0)
		fds[nfds++] = b->drops_fd;
	m->ok = 1;
	m->feat = b->feat;
	memcpy(m->probe_desc, b->probe_desc, sizeof(m->probe_desc));
	memcpy(m->kprobe_ev, b->kprobe_ev, sizeof(m->kprobe_ev));
	m->kprobe_attached = b->kprobe_attached;
	mh.msg_control = ctl;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		_exit(2);
}

/*
 * The child: headers shown to libbcc, libbcc loaded, the program compiled,
 * loaded and attached; then its descriptors go to the parent and it exits,
 * taking LLVM with it. Never returns.
 */
static void child_main(struct bcc *b, const struct oomtrace_backend_opts *o, int sock)
{
	struct child_msg m = {0};
	struct iovec iov = {&m, sizeof(m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	char build[4096], tmp[128] = "";
	int r = child_prepare(b, o, build, sizeof(build), tmp, sizeof(tmp), &m);

	if (!r) {
		r = child_attempts(b, o, build, m.why, sizeof(m.why));
		bcc_unexpose_headers(tmp);
	}
	if (!r && b->cache_dir[0])
		bcc_save_cache(b);
	if (!r)
		child_send(b, &m, sock);
	else if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		_exit(2);
	/* the kprobe is the parent's now: no detach, no module teardown (LLVM just goes) */
	_exit(m.ok ? 0 : 1);
}

int bcc_compile_in_child(struct bcc *b, const struct oomtrace_backend_opts *o, char *why,
			 size_t whysz)
{
	struct child_msg m = {0};
	char ctl[CMSG_SPACE(sizeof(int) * BCC_FDS)];
	struct iovec iov = {&m, sizeof(m)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
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
		snprintf(why, whysz, "the compiling child %s",
			 WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "died");
		return -ENOENT;
	}
	if (!m.ok) {
		snprintf(why, whysz, "%s", m.why);
		return -ENOENT;
	}
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			if (n > BCC_FDS)
				n = BCC_FDS;
			memcpy(b->fds, CMSG_DATA(c), sizeof(int) * (size_t)n);
		}
	if (n != m.nfds + 1 + (m.drops_at >= 0) || m.events_at >= n) {
		for (i = 0; i < n; i++)
			close(b->fds[i]);
		snprintf(why, whysz, "the compiling child sent %d descriptors, not %d", n,
			 m.nfds + 1 + (m.drops_at >= 0));
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
