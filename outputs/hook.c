// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hook.c: --on-pressure CMD: each pressure record (a memcg about to OOM) as one JSON line on the
 * standard input of CMD, run by /bin/sh -c. A helper process does it: forked when the outputs
 * open, before the source loads anything and before the tracer's sandbox, it holds nothing but
 * the read end of a pipe from the tracer, runs as --on-pressure-user (nobody unless root is
 * named) with no_new_privs, runs one command at a time and kills one still running after
 * HOOK_TIMEOUT_S. The tracer never waits for it: a record that does not fit in the pipe is
 * dropped and counted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "event_json.h"
#include "log.h"
#include "output.h"
#include "util.h"

#define HOOK_TIMEOUT_S 10
#define HOOK_LINE_MAX (1 << 20)

struct hook {
	int fd; /* the pipe's write end, non-blocking */
	pid_t pid;
	uint64_t dropped;
};

/* @line (with its newline) on the standard input of a command; waited for, killed when late */
static void run_one(const char *cmd, const char *line, size_t len)
{
	struct timespec tick = {0, 20 * 1000 * 1000};
	int p[2], st, i;
	pid_t pid;

	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		dup2(p[0], STDIN_FILENO);
		close(p[0]);
		close(p[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	if (pid > 0)
		oomtrace_write_all(p[1], line, len);
	close(p[1]);
	if (pid < 0)
		return;
	for (i = 0; i < HOOK_TIMEOUT_S * 50; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

/* the helper: each line from @rfd to a command, until the tracer closes its end */
static void __attribute__((noreturn)) runner(int rfd, const char *cmd)
{
	char *buf = malloc(HOOK_LINE_MAX);
	size_t have = 0;
	ssize_t n;

	signal(SIGPIPE, SIG_IGN);
	while (buf && (n = read(rfd, buf + have, HOOK_LINE_MAX - have)) > 0) {
		char *nl;

		have += (size_t)n;
		while ((nl = memchr(buf, '\n', have))) {
			size_t len = (size_t)(nl - buf) + 1;

			run_one(cmd, buf, len);
			memmove(buf, nl + 1, have - len);
			have -= len;
		}
		if (have == HOOK_LINE_MAX)
			have = 0; /* no line is that long: the tracer's pipe was garbled */
	}
	_exit(0);
}

/* the helper's privileges: @uid/@gid's, none to gain; false where they cannot be set */
static bool become(uid_t uid, gid_t gid)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	/* not the tracer's shield (-1000): its commands stay killable by the OOM killer */
	if (fd >= 0) {
		if (write(fd, "0", 1) != 1)
			oomtrace_debug("--on-pressure: cannot reset oom_score_adj");
		close(fd);
	}
	if (uid != 0 && (setgroups(0, NULL) || setgid(gid) || setuid(uid) || getuid() != uid))
		return false;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
}

/*
 * @user's uid and gid: the system's user database, else /etc/passwd read as the file it is (a
 * static build, or a minimal root, has no NSS modules for getpwnam to load)
 */
static bool user_ids(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(user);
	FILE *f;

	if (!pw && (f = fopen("/etc/passwd", "re"))) {
		while ((pw = fgetpwent(f)) && strcmp(pw->pw_name, user) != 0)
			;
		fclose(f);
	}
	if (!pw)
		return false;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return true;
}

static int hook_open(const struct oomtrace_output_conf *c, void **state)
{
	const char *user = c->on_pressure_user ? c->on_pressure_user : "nobody";
	struct hook *h;
	uid_t uid;
	gid_t gid;
	int p[2], code;
	pid_t pid;

	*state = NULL;
	if (!c->on_pressure)
		return 0;
	if (!user_ids(user, &uid, &gid)) {
		oomtrace_err("--on-pressure-user %s: no such user", user);
		return OOMTRACE_EXIT_USAGE;
	}
	if (!(h = oomtrace_output_state(sizeof(*h), NULL, NULL, &code)))
		return code;
	if (pipe2(p, O_CLOEXEC)) {
		oomtrace_err("--on-pressure: cannot make a pipe: %s", strerror(errno));
		free(h);
		return OOMTRACE_EXIT_RUNTIME;
	}
	pid = fork();
	if (pid == 0) {
		int fd;

		/* nothing of the tracer's: its outputs' files and sockets closed */
		for (fd = 3; fd < 1024; fd++)
			if (fd != p[0])
				close(fd);
		if (!become(uid, gid))
			_exit(126);
		runner(p[0], c->on_pressure);
	}
	close(p[0]);
	if (pid < 0) {
		oomtrace_err("--on-pressure: cannot fork: %s", strerror(errno));
		close(p[1]);
		free(h);
		return OOMTRACE_EXIT_RUNTIME;
	}
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	h->fd = p[1];
	h->pid = pid;
	*state = h;
	return 0;
}

static int hook_event(void *state, struct oomtrace_out_event *oe)
{
	struct hook *h = state;
	json_object *o;
	const char *s;
	size_t len;
	int queued = 0, size;

	if (oe->ev->record != OOMTRACE_RECORD_PRESSURE)
		return 0;
	if (!(o = oomtrace_out_json(oe)))
		return -ENOMEM;
	s = oomtrace_json_line(o);
	len = strlen(s);
	/* whole or not at all: a line is written only where the pipe has room for it */
	size = fcntl(h->fd, F_GETPIPE_SZ);
	if (size > 0 && ioctl(h->fd, FIONREAD, &queued) == 0 && queued >= 0 &&
	    len + 1 <= (size_t)(size - queued) && write(h->fd, s, len) == (ssize_t)len &&
	    write(h->fd, "\n", 1) == 1)
		return 0;
	if (!h->dropped++)
		oomtrace_warn("--on-pressure: the command is still busy; a pressure record was not "
			      "handed to it (counted at the end)");
	return 0;
}

static int hook_close(void *state, const struct oomtrace_run_totals *t)
{
	struct hook *h = state;

	if (t && h->dropped)
		oomtrace_warn("--on-pressure: %" PRIu64 " pressure record%s not handed over",
			      h->dropped, h->dropped == 1 ? "" : "s");
	close(h->fd); /* the helper finishes what it has and exits */
	free(h);
	return 0;
}

const struct oomtrace_output_ops oomtrace_output_hook = {
    .name = "on-pressure",
    .open = hook_open,
    .event = hook_event,
    .close = hook_close,
};
