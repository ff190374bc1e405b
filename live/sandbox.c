// SPDX-License-Identifier: GPL-2.0-or-later
/* sandbox.c: once attached, a live tracer keeps only what reading its buffers and /proc needs. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include <cap-ng.h>
#include <seccomp.h>

#include "live.h"
#include "log.h"
#include "sandbox.h"

#define CAP_SYS_ADMIN_NR 21
#define CAP_BPF_NR 39

/*
 * What the steady state calls: reading the ring/perf buffers (epoll, mmap'd
 * pages), the drops counter (mmap'd; bpf before 5.5), /dev/kmsg, /proc and /sys/fs/cgroup
 * (open, read, getdents), the output (write), timers and signals, memory, and
 * exiting. Names a libseccomp or an architecture does not know are skipped.
 */
static const char *const steady_syscalls[] = {
    "read",
    "readv",
    "pread64",
    "write",
    "writev",
    "pwrite64",
    "lseek",
    "_llseek",
    "close",
    "open",
    "openat",
    "openat2",
    "fstat",
    "fstat64",
    "stat",
    "stat64",
    "lstat",
    "lstat64",
    "newfstatat",
    "fstatat64",
    "statx",
    "fstatfs",
    "fstatfs64",
    "statfs",
    "statfs64",
    "getdents",
    "getdents64",
    /* the journal followed for userspace killers' lines (sd_journal_process: new files), the
     * memcg hierarchy watched for new memory cgroups (live/history.c) */
    "inotify_init1",
    "inotify_add_watch",
    "inotify_rm_watch",
    "readlink",
    "readlinkat",
    "access",
    "faccessat",
    "faccessat2",
    "fcntl",
    "fcntl64",
    "dup",
    "dup2",
    "dup3",
    "ioctl",
    "poll",
    "ppoll",
    "ppoll_time64",
    "select",
    "_newselect",
    "pselect6",
    "pselect6_time64",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_ctl",
    "epoll_create1",
    "bpf",
    "mmap",
    "mmap2",
    "munmap",
    "mremap",
    "mprotect",
    "brk",
    "madvise",
    "mlock",
    "mlockall",
    "munlockall",
    "futex",
    "futex_time64",
    "clock_gettime",
    "clock_gettime64",
    "clock_getres",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "nanosleep",
    "gettimeofday",
    "time",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "sigreturn",
    "sigaltstack",
    "restart_syscall",
    "exit",
    "exit_group",
    "getpid",
    "gettid",
    "getppid",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getuid32",
    "geteuid32",
    "getgid32",
    "getegid32",
    "uname",
    "sysinfo",
    "getrusage",
    "sched_yield",
    "sched_getaffinity",
    "getrandom",
    "kill",
    "tgkill",
    "tkill",
    "prlimit64",
    "getrlimit",
    "ugetrlimit",
    "capget",
    "rseq",
    "membarrier",
    /* --metrics-file (written beside, renamed) and --metrics-listen (a socket already listening) */
    "rename",
    "renameat",
    "renameat2",
    "unlink",
    "unlinkat",
    "accept",
    "accept4",
    "recvfrom",
    "recvmsg",
    "sendto",
    "sendmsg",
    "shutdown",
    "setsockopt",
    "getsockopt",
    "getsockname",
    "getpeername",
    /* --journal: sd_journal_sendv on its open socket; a large entry goes in a sealed memfd */
    "memfd_create",
    "ftruncate",
};

/* The kernel's highest capability number (/proc/sys/kernel/cap_last_cap); 37 before 5.8. */
static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int n = 37;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = 37;
		fclose(f);
	}
	return n;
}

#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer's leak check stops the world at exit with a ptrace()ing clone (test builds only)
 */
static const char *const sanitizer_syscalls[] = {
    "clone",   "clone3",  "ptrace", "wait4", "waitid", "prctl", "sched_setaffinity",
    "getpgid", "setpgid", "unshare"};
#endif

/*
 * Drop every capability; with @keep_bpf keep CAP_BPF (or CAP_SYS_ADMIN where the kernel has no
 * CAP_BPF) for a counter read through bpf(2). @kept: the one kept, or -1.
 */
static int drop_caps(bool keep_bpf, int *kept, char *what, size_t whatsz)
{
	int keep = -1, r, last = last_cap();

	if (capng_get_caps_process() != 0) {
		snprintf(what, whatsz, "cannot read the capabilities");
		return -1;
	}
	if (keep_bpf && CAP_BPF_NR <= last && capng_have_capability(CAPNG_EFFECTIVE, CAP_BPF_NR))
		keep = CAP_BPF_NR;
	else if (keep_bpf && CAP_BPF_NR > last &&
		 capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_ADMIN_NR))
		keep = CAP_SYS_ADMIN_NR; /* before 5.8: map reads may need it */
	*kept = keep;
	capng_clear(CAPNG_SELECT_BOTH);
	if (keep >= 0)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, (unsigned int)keep);
	r = capng_apply(CAPNG_SELECT_BOTH);
	if (r != 0) {
		snprintf(what, whatsz, "cannot drop capabilities (capng_apply %d)", r);
		return -1;
	}
	/* the ambient set goes too, so that nothing we might run inherits them */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

#if defined(__SANITIZE_ADDRESS__)
#define EXTRA (sizeof(sanitizer_syscalls) / sizeof(sanitizer_syscalls[0]))
static const char *extra_name(size_t i)
{
	return sanitizer_syscalls[i];
}
#else
#define EXTRA 0
static const char *extra_name(size_t i)
{
	(void)i;
	return "";
}
#endif

static int filter(char *what, size_t whatsz)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	size_t i;
	int r;

	if (!ctx) {
		snprintf(what, whatsz, "cannot start a seccomp filter");
		return -1;
	}
	for (i = 0; i < sizeof(steady_syscalls) / sizeof(steady_syscalls[0]) + EXTRA; i++) {
		const char *name =
		    i < sizeof(steady_syscalls) / sizeof(steady_syscalls[0])
			? steady_syscalls[i]
			: extra_name(i - sizeof(steady_syscalls) / sizeof(steady_syscalls[0]));
		int nr = seccomp_syscall_resolve_name(name);

		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue; /* not a system call of this architecture */
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r && r != -EEXIST) {
			snprintf(what, whatsz, "seccomp rule for %s: %s", name, strerror(-r));
			seccomp_release(ctx);
			return -1;
		}
	}
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r) {
		snprintf(what, whatsz, "cannot load the seccomp filter (%s)", strerror(-r));
		return -1;
	}
	return 0;
}

int oomtrace_sandbox(bool keep_bpf)
{
	char what[160];
	int failed = 0, kept = -1;

	if (drop_caps(keep_bpf, &kept, what, sizeof(what))) {
		oomtrace_warn("sandbox: %s; running with the capabilities it started with", what);
		failed++;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		oomtrace_warn("sandbox: cannot set no_new_privs (%s); no seccomp filter either",
			      strerror(errno));
		return -1;
	}
	if (filter(what, sizeof(what))) {
		oomtrace_warn("sandbox: %s; running without a system call filter", what);
		failed++;
	}
	if (!failed)
		oomtrace_info(
		    "sandbox: capabilities dropped (%s), no_new_privs set, seccomp filter "
		    "of %zu calls loaded",
		    kept == CAP_BPF_NR	       ? "CAP_BPF kept: the loss counter is read "
						 "through bpf(2) before 5.5"
		    : kept == CAP_SYS_ADMIN_NR ? "CAP_SYS_ADMIN kept: the loss counter is "
						 "read through bpf(2) before 5.5"
					       : "none kept",
		    sizeof(steady_syscalls) / sizeof(steady_syscalls[0]));
	return failed ? -1 : 0;
}
