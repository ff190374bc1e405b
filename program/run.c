// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * run.c: one run, in stages: choose the backend, open the outputs, start the
 * backend, hand the outputs the attached source and drop privileges, the
 * event loop, and the end (the outputs' last writes, the exit code).
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "names.h"
#include "why.h"
#include "options.h"
#include "output.h"
#include "util.h"
#ifdef WITH_SANDBOX
#include "sandbox.h"
#endif

struct run {
	struct oomtrace_config *c;
	struct oomtrace_backend_opts bo; /* the config's, with what auto added (/dev/kmsg) */
	const struct oomtrace_backend_info *bi;
	void *state; /* the backend's, once opened */
	bool live;
	struct oomtrace_output_conf oc;
	struct oomtrace_outputs *outs;
	struct oomtrace_run_totals t;
	uint64_t seq;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Our standard output is a pipe whose reader has gone (POLLERR on its write end). */
static bool stdout_gone(void)
{
	struct pollfd p = {.fd = STDOUT_FILENO, .events = 0};

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

/*
 * Standard input is a pipe, FIFO or file (not a terminal, not /dev/null or
 * another device, not a socket as under ssh without -t): the user gave us a log.
 */
static bool stdin_is_input(void)
{
	struct stat st;

	if (isatty(STDIN_FILENO) || fstat(STDIN_FILENO, &st) != 0)
		return false;
	return S_ISFIFO(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size > 0);
}

static void note_passed_over(void *ctx, const char *backend, const char *why)
{
	(void)ctx;
	if (why)
		oomtrace_info("backend %s not usable: %s", backend, why);
	else
		oomtrace_info("backend %s: no probe attached; trying the next", backend);
}

/* --backend auto: FILEs or a piped standard input are replayed; else a live backend, else
 * /dev/kmsg. */
static void choose_auto(struct run *r)
{
	static char *kmsg_only[] = {"/dev/kmsg", NULL};
	bool inputs = r->bo.files || r->bo.events_file;

	if (!inputs)
		r->bi = oomtrace_select_live(&r->bo, &r->state, note_passed_over, NULL);
	if (r->bi)
		return;
	r->bi = oomtrace_backend_find("replay");
	if (!inputs) {
		r->bo.files = kmsg_only;
		r->bo.follow = true;
		oomtrace_warn(
		    "no live backend usable here: following the kernel log (/dev/kmsg), "
		    "which carries fewer facts than live tracing (oomtrace --check says why)");
	}
}

/* Which backend, and may it run here: 0 or an exit code. */
static int choose_backend(struct run *r)
{
	const char *backend = r->c->backend;
	char why[256];
	int rc;

	if (strcmp(backend, "auto") == 0 && !r->bo.files && !r->bo.events_file && stdin_is_input())
		backend =
		    "replay"; /* "cat log | oomtrace", "oomtrace < log": replay what comes in */
	if (strcmp(backend, "auto") == 0) {
		choose_auto(r);
	} else if (!(r->bi = oomtrace_backend_find(backend))) {
		return oomtrace_bad_arg("--backend", backend,
					"unknown backend; use auto, libbpf, bcc or replay");
	} else if (!r->bi->ops) {
		oomtrace_err("backend %s: not built; reconfigure with %s", backend,
			     r->bi->configure_flag);
		return OOMTRACE_EXIT_NO_PROBE;
	}
	r->live = strcmp(r->bi->name, "replay") != 0;
	if (!r->live && r->bo.probe)
		return oomtrace_bad_arg("--probe", r->bo.probe, "only live backends have probes");
	if (r->live && (r->bo.files || r->bo.events_file))
		return oomtrace_bad_arg(r->bo.files ? r->bo.files[0] : r->bo.events_file, backend,
					"input files are for the replay backend");
	if (r->bo.events_file && r->bo.files)
		return oomtrace_bad_arg("--events", r->bo.events_file,
					"give either --events or log files, not both");
	rc = r->state ? 0 : r->bi->ops->probe(&r->bo, why, sizeof(why));
	if (!rc)
		return 0;
	oomtrace_err("backend %s: %s", r->bi->name, why);
	/* -EINVAL: an argument the backend cannot use (a --btf file without BTF) */
	return rc == -EPERM || rc == -EACCES ? OOMTRACE_EXIT_PERM
	       : rc == -EINVAL		     ? OOMTRACE_EXIT_USAGE
					     : OOMTRACE_EXIT_NO_PROBE;
}

static int open_outputs(struct run *r)
{
	const struct oomtrace_config *c = r->c;
	int code;

	r->oc = (struct oomtrace_output_conf){
	    .format = c->format,
	    .fmt_flags = c->fmt_flags,
	    .path = c->output,
	    .summary = c->summary,
	    .count_limit = c->count_limit,
	    .print_tallies = r->live || c->verbose,
	    .cgroup_filter = c->filter.cgroup,
	    .metrics_file = c->metrics_file,
	    .metrics_listen = c->metrics_listen,
	    .metrics_interval = c->metrics_interval,
	    .journal = c->journal,
	    .on_pressure = c->on_pressure,
	    .on_pressure_user = c->on_pressure_user,
	    .totals = &r->t,
	};
	r->outs = oomtrace_outputs_open(&r->oc, &code);
	return code;
}

static int start_backend(struct run *r)
{
	const struct oomtrace_backend_ops *ops = r->bi->ops;
	int rc = r->state ? 0 : ops->open(&r->bo, &r->state);

	if (rc == 0)
		rc = ops->start ? ops->start(r->state) : 0;
	if (rc == -ENOENT) {
		oomtrace_err("backend %s: no usable probe here (oomtrace --check shows what this "
			     "kernel has)",
			     r->bi->name);
		return OOMTRACE_EXIT_NO_PROBE;
	}
	if (rc) {
		oomtrace_err("backend %s: cannot start: %s", r->bi->name, strerror(-rc));
		return rc == -EPERM || rc == -EACCES ? OOMTRACE_EXIT_PERM : OOMTRACE_EXIT_NO_PROBE;
	}
	return 0;
}

static const char *probe_of(const struct run *r)
{
	return r->bi->ops->probe_name ? r->bi->ops->probe_name(r->state) : r->bi->name;
}

/*
 * Loading parsed the kernel's BTF (libbpf holds it twice for a moment): give
 * that heap back, then lock what is left so that the tracer stays responsive
 * under the memory pressure it reports. Locking needs CAP_IPC_LOCK or a big
 * enough RLIMIT_MEMLOCK: where refused, it says so and goes on.
 * MCL_CURRENT | MCL_ONFAULT: what is resident stays so, and pages of today's
 * mappings stay once touched, without faulting in every page of every
 * library (that doubled the resident size). Not MCL_FUTURE: once the sandbox
 * has dropped CAP_IPC_LOCK, RLIMIT_MEMLOCK makes later mappings (malloc's) fail.
 */
static void lock_memory(void)
{
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
	malloc_trim(0);
	if (mlockall(MCL_CURRENT | MCL_ONFAULT) != 0)
		oomtrace_info("memory not locked (mlockall: %s)", strerror(errno));
}

/* Attached: the outputs' sockets and files, then no privilege beyond reading the counters. */
static int attached(struct run *r)
{
	struct oomtrace_output_source src = {.backend = r->bi->name, .probe = probe_of(r)};
	int code;

	if (r->live)
		lock_memory();
	code = oomtrace_outputs_start(r->outs, &src);
	if (code)
		return code;
	if (r->live && !r->c->no_sandbox) {
#ifdef WITH_SANDBOX
		oomtrace_sandbox(r->bi->ops->reads_maps && r->bi->ops->reads_maps(r->state));
#else
		oomtrace_info("sandbox: not built (configure found no libseccomp/libcap-ng)");
#endif
	}
	if (r->live)
		oomtrace_info("tracing OOM kills with %s/%s; Ctrl-C to stop", r->bi->name,
			      probe_of(r));
	return 0;
}

/* Each event of the backend: names, the filters, then every output in turn. */
static int sink(void *ctx, struct oomtrace_event *ev)
{
	struct run *r = ctx;
	const struct oomtrace_filter *f = &r->c->filter;

	/* systemd unit and Kubernetes identity from the cgroup path; live, names from the node's
	 * files */
	if (ev->record == OOMTRACE_RECORD_KILL || ev->record == OOMTRACE_RECORD_PRESSURE) {
		oomtrace_names_of_event(ev, r->live);
		oomtrace_why(ev);
	}
	if (!oomtrace_filter_match(f, ev)) {
		if (f->cgroup && ev->record == OOMTRACE_RECORD_KILL &&
		    !(ev->victim.known & OOMTRACE_T_CGROUP) &&
		    !(ev->known & OOMTRACE_E_OOM_MEMCG) && !r->t.no_cgroup++)
			/* not "did not match": this source could not say; never drop those in
			 * silence */
			oomtrace_warn(
			    "--cgroup %s: the kill of PID %d came without any cgroup (this "
			    "source or probe cannot know it) and is not shown; such kills are "
			    "counted in the summary (-v)",
			    f->cgroup, ev->victim.known & OOMTRACE_T_PID ? ev->victim.pid : -1);
		return 0;
	}
	if (r->c->bo.no_stacks) {
		/* --stacks none: none from a log or the kernel's report either */
		ev->trigger.kstack.n = 0;
		ev->victim.kstack.n = 0;
		ev->known &= ~(uint32_t)OOMTRACE_E_ALLOCATION;
		ev->from_kmsg &= ~(uint32_t)OOMTRACE_K_STACK;
	}
	if (!r->c->bo.user_stacks) { /* --stacks kernel or none, an --events file's included */
		memset(&ev->trigger.ustack, 0, sizeof(ev->trigger.ustack));
		memset(&ev->victim.ustack, 0, sizeof(ev->victim.ustack));
	}
	ev->seq = ++r->seq;
	return oomtrace_outputs_event(r->outs, ev);
}

/* What the backend lost since the last look, told to the outputs. */
static void count_lost(struct run *r)
{
	uint64_t lost;

	if (!r->bi->ops->lost)
		return;
	lost = r->bi->ops->lost(r->state);
	if (lost > r->t.lost) {
		oomtrace_outputs_lost(r->outs, lost - r->t.lost, lost);
		r->t.lost = lost;
	}
}

/* How long the next poll may wait: a scrape is answered within 100 ms; -1: the duration is over. */
static int poll_timeout(const struct run *r, double t0)
{
	int timeout = r->c->metrics_listen ? 100 : 250;
	double left;

	if (r->c->duration < 0)
		return timeout;
	left = r->c->duration - (now_s() - t0);
	if (left <= 0)
		return -1;
	return left * 1000 < timeout ? (int)(left * 1000) + 1 : timeout;
}

/* Poll until the source ends, a signal, -c N, the duration, or an error: 0 or an exit code. */
static int loop(struct run *r)
{
	const struct oomtrace_backend_ops *ops = r->bi->ops;
	double t0 = now_s();
	int rc, timeout;

	while (!stop_signal && (timeout = poll_timeout(r, t0)) >= 0) {
		rc = ops->poll(r->state, timeout, sink, r);
		count_lost(r);
		oomtrace_outputs_tick(r->outs, now_s());
		if (r->t.write_error && (rc >= 0 || rc == OOMTRACE_EOF))
			rc = r->t.write_error; /* the tick's write of what the poll rendered failed
						*/
		if (rc == OOMTRACE_EOF || rc == -ECANCELED)
			break;
		if (rc == -EPIPE && r->t.write_error)
			break; /* the reader of our output went away */
		if (!r->c->output && stdout_gone()) {
			r->t.write_error = -EPIPE; /* '| head -1': stop now, not at the next kill */
			break;
		}
		if (rc < 0 && rc != -EINTR && !(stop_signal && r->t.write_error)) {
			if (r->t.write_error)
				oomtrace_err("%s: cannot write: %s",
					     r->c->output ? r->c->output : "<stdout>",
					     strerror(-r->t.write_error));
			else
				oomtrace_err("backend %s: %s", r->bi->name, strerror(-rc));
			return OOMTRACE_EXIT_RUNTIME;
		}
	}
	return 0;
}

/* The end of a run that began: the outputs' last writes, what was not written. */
static int finish(struct run *r, int code)
{
	const struct oomtrace_backend_ops *ops = r->bi->ops;
	int c;

	if (ops->stop)
		ops->stop(r->state);
	if (code == OOMTRACE_EXIT_OK && ops->input_errors && ops->input_errors(r->state))
		code = OOMTRACE_EXIT_INPUT;
	c = oomtrace_outputs_close(r->outs, &r->t);
	r->outs = NULL;
	if (c)
		code = c;
	if (stop_signal && r->t.write_error && r->t.write_error != -EPIPE) {
		oomtrace_err("%s blocked (no reader reading it) when told to stop: at least %llu "
			     "event%s not written",
			     r->c->output ? r->c->output : "<stdout>",
			     (unsigned long long)r->t.unwritten, r->t.unwritten == 1 ? "" : "s");
		code = OOMTRACE_EXIT_RUNTIME;
	}
	return code;
}

static void catch_signals(void)
{
	struct sigaction sa = {0};

	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* a stop signal also ends a write blocked on a reader that does not read */
	oomtrace_write_set_cancel(&stop_signal);
}

int oomtrace_run(struct oomtrace_config *c)
{
	struct run r = {.c = c, .bo = c->bo};
	int code = choose_backend(&r);

	if (!code)
		code = open_outputs(&r);
	if (!code) {
		catch_signals();
		code = start_backend(&r);
	}
	if (!code)
		code = attached(&r);
	if (!code) {
		code = finish(&r, loop(&r));
	}
	oomtrace_outputs_close(r.outs, NULL);
	if (r.bi && r.bi->ops)
		r.bi->ops->close(r.state);
	return code;
}
