// SPDX-License-Identifier: GPL-2.0-or-later
/* libbpf_backend.c: the libbpf backend's ops: open (the plan's steps, richest first), poll, the
 * records. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "convert.h"
#include "kill.h"
#include "kjoin.h"
#include "ksyms.h"
#include "lb.h"
#include "libbpf_backend.h"
#include "log.h"

/* ---- records → events -------------------------------------------------------------- */

/* A reaper tracepoint: report finish/skip against the kill it belongs to. */
static void reaper_record(struct lb *l, unsigned int kind, int32_t pid, uint64_t ts,
			  enum oomtrace_probe probe)
{
	if (kind != W_FINISH_REAP && kind != W_SKIP_REAP)
		return;
	oomtrace_live_stamp(&l->live, &l->ev, ts, probe);
	oomtrace_live_reap(&l->live, &l->ev, pid, ts, kind == W_SKIP_REAP);
	oomtrace_live_deliver(&l->live, &l->ev);
}

static void finish_kill(struct lb *l, struct oomtrace_event *ev, uint64_t ts, uint64_t kinv)
{
	oomtrace_live_finish_kill(&l->live, ev, ts, kinv);
	oomtrace_live_deliver(&l->live, ev);
}

int lb_on_core(void *ctx, const void *data, size_t size)
{
	struct lb *l = ctx;
	const struct w_event *w =
	    data; /* aligned, and zeros past a record sized to what it carries */
	enum oomtrace_probe probe = oomtrace_kill_probe((const struct oomtrace_kill_wire *)w);
	uint64_t ips[W_KSTACK_MAX];
	size_t kb;

	if (size < W_SIZE_HEAD)
		return 0;
	if (w->kind == W_UDEATH) {
		oomtrace_live_udeath(&l->live, w->victim_tgid, w->ts_ns, w->exit_code);
		return l->live.cb_error;
	}
	if (w->kind == W_UKILL) {
		if (size < W_SIZE_VICTIM)
			return 0;
		oomtrace_live_stamp(&l->live, &l->ev, w->ts_ns, probe);
		lb_wire_to_event(w, &l->ev);
		oomtrace_live_ukill(&l->live, &l->ev, w->sig, w->sig_code);
		return l->live.cb_error;
	}
	if (w->kind != W_KILL) {
		reaper_record(l, w->kind, w->victim_pid, w->ts_ns, probe);
		return l->live.cb_error;
	}
	if (size < W_SIZE_VICTIM)
		return 0;
	oomtrace_live_stamp(&l->live, &l->ev, w->ts_ns, probe);
	lb_wire_to_event(w, &l->ev);
	/* the stack as far as the record carries it, and the caller a kprobe at entry could not
	 * unwind to */
	kb = w->kstack_bytes < sizeof(w->kstack) ? w->kstack_bytes : sizeof(w->kstack);
	if (kb > size - W_SIZE_VICTIM)
		kb = size - W_SIZE_VICTIM;
	memcpy(ips, w->kstack, kb);
	oomtrace_live_kstack(
	    &l->live, &l->ev, ips,
	    oomtrace_ksyms_add_caller(ips, (unsigned int)(kb / 8), W_KSTACK_MAX, w->kstack_lr));
	lb_ustacks_take(l, &l->ev, w->ts_ns, w->trigger_pid);
	finish_kill(l, &l->ev, w->ts_ns, (w->flags & WF_OC) ? w->invocation : 0);
	return l->live.cb_error;
}

int lb_on_raw(void *ctx, const void *data, size_t size)
{
	struct lb *l = ctx;
	const struct w_raw *r = data;
	struct oomtrace_event *ev = &l->ev;
	size_t len;
	int64_t x;

	if (size < offsetof(struct w_raw, raw) || r->kind < W_KILL || r->kind > W_SKIP_REAP)
		return 0;
	len = r->raw_len < W_RAW_MAX ? r->raw_len : W_RAW_MAX;
	if (r->kind != W_KILL) {
		if (tpf_int(&l->fmt[r->kind], r->raw, len, "pid", &x))
			reaper_record(l, r->kind, (int32_t)x, r->ts_ns, OOMTRACE_PROBE_TRACEPOINT);
		return 0;
	}
	oomtrace_live_stamp(&l->live, ev, r->ts_ns, OOMTRACE_PROBE_TRACEPOINT);
	lb_raw_to_event(&l->fmt[r->kind], r, ev);
	if (size >= sizeof(*r))
		oomtrace_live_kstack(
		    &l->live, ev, (const uint64_t *)r->kstack,
		    (unsigned int)((r->kstack_bytes < sizeof(r->kstack) ? r->kstack_bytes
									: sizeof(r->kstack)) /
				   8));
	oomtrace_debug(
	    "mark_victim pid %d: last SIGKILL from this task: seen %u target %d at %llu (now %llu)",
	    (int)ev->victim.pid, r->sig_seen, r->sig_target, (unsigned long long)r->sig_ts_ns,
	    (unsigned long long)r->ts_ns);
	finish_kill(l, ev, r->ts_ns, 0);
	return 0;
}

/* ---- ops ------------------------------------------------------------------------------ */

/*
 * The CO-RE target: --btf/search file, else (where the kernel's BTF was read)
 * a memfd for the small target made from it, else libbpf's own choice.
 */
static void core_target(struct lb *l, const struct oomtrace_backend_opts *o, struct lb_features *bf)
{
	char path[64];

	lb_find_ext_btf(o, l->btf_path, sizeof(l->btf_path));
	if (l->btf_path[0])
		oomtrace_info("kernel types for CO-RE from %s", l->btf_path);
	l->core_btf = l->btf_path;
	if (!l->btf_path[0] && lb_have_btf() && !oomtrace_have_cap(21)) {
		/*
		 * Without CAP_SYS_ADMIN libbpf cannot list module BTFs, and it tries
		 * to for a type flavour vmlinux lacks: where no small CO-RE target
		 * can be made (open_core), the same vmlinux BTF given as the target
		 * keeps it to vmlinux (CAP_BPF + CAP_PERFMON mode).
		 */
		l->core_btf = "/sys/kernel/btf/vmlinux";
	}
	lb_features(bf, l->btf_path, &l->kbtf);
	l->core_fd = -1;
	if (l->btf_path[0] || !l->kbtf.buf ||
	    (l->core_fd = memfd_create("oomtrace-core-btf", MFD_CLOEXEC)) < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", l->core_fd);
	if (access(path, R_OK)) { /* no /proc: libbpf could not open it at load */
		close(l->core_fd);
		l->core_fd = -1;
	}
}

/* The plan's steps in turn until one attaches: 0, or the last step's error. */
static int try_steps(struct lb *l, const struct oomtrace_backend_opts *o,
		     const struct lb_features *bf)
{
	struct lb_step steps[12];
	int nsteps, i, err = -ENOENT;
	char why[256] = "";

	nsteps = lb_plan(bf, o->probe, o->no_btf, steps, (int)(sizeof(steps) / sizeof(steps[0])));
	if (nsteps <= 0)
		oomtrace_err("%s%s: %s", o->probe ? "probe " : "no probe can work here",
			     o->probe ? o->probe : "", lb_forced_why(bf, o->probe));
	for (i = 0; i < nsteps; i++) {
		const struct lb_step *st = &steps[i];

		err = st->vic == PR_NOBTF ? lb_try_nobtf(l, why, sizeof(why))
					  : lb_try_core(l, st->inv, st->vic, bf, why, sizeof(why));
		if (!err)
			break;
		oomtrace_log(i + 1 == nsteps ? OOMTRACE_LOG_ERROR : OOMTRACE_LOG_INFO,
			     "probe %s%s%s: not usable here: %s",
			     st->inv ? lb_pr_names[st->inv] : "", st->inv && st->vic ? "+" : "",
			     st->vic ? lb_pr_names[st->vic] : "", why);
	}
	return err;
}

static int lb_open(const struct oomtrace_backend_opts *o, void **state)
{
	struct lb *l = calloc(1, sizeof(*l));
	struct lb_features bf;
	int err;

	if (!l)
		return -ENOMEM;
	l->opts = *o;
	oomtrace_live_init(&l->live, OOMTRACE_SOURCE_LIBBPF, o->context_mask);
	/* the symbolizer first: a fork of a tracer that has read little yet (not the kernel's BTF)
	 * shares, and shows, little of its memory */
	if (o->user_stacks && (err = lb_ustacks_open(l))) {
		free(l);
		return err;
	}
	libbpf_set_print(lb_libbpf_print);
	oomtrace_kjoin_attach(&l->live, o);
	if (!o->no_stacks)
		oomtrace_live_ksyms_open(&l->live);
	core_target(l, o, &bf);
	oomtrace_protect_self(o->keep_oom_score_adj);
	if (o->user_stacks)
		lb_ustacks_load(l);
	err = try_steps(l, o, &bf);
	kbtf_free(&l->kbtf); /* loaded and attached: the kernel's BTF is not read again */
	if (l->core_fd >= 0)
		close(l->core_fd);
	if (err) {
		lb_ustacks_close(l);
		oomtrace_kjoin_detach(&l->live);
		oomtrace_live_ksyms_close(&l->live);
		free(l);
		/* permissions were checked by probe(): a refusal now means the probe cannot work
		 * here */
		return -ENOENT;
	}
	snprintf(l->probe_desc, sizeof(l->probe_desc), "%s%s%s%s",
		 l->inv != PR_NONE ? lb_pr_names[l->inv] : "",
		 l->inv != PR_NONE && l->vic != PR_NONE ? "+" : "",
		 l->vic != PR_NONE ? lb_pr_names[l->vic] : "",
		 l->vic == PR_NOBTF ? " (BTF-less object)" : "");
	if (l->killers_on)
		oomtrace_live_killers_open(&l->live, o->killers);
	if (o->killers && o->killers[0] && !l->killers_on)
		oomtrace_info("userspace killers' kills are not reported with this probe (no "
			      "signal:signal_generate program of the CO-RE object)");
	*state = l;
	return 0;
}

static int lb_start(void *state)
{
	struct lb *l = state;

	oomtrace_live_warm(&l->live);
	return 0;
}

static int lb_poll(void *state, int timeout_ms, oomtrace_event_fn fn, void *ctx)
{
	struct lb *l = state;

	int r;

	oomtrace_live_poll_begin(&l->live, fn, ctx);
	/* kills held for a death or a killer's line: back soon to hand them over */
	if (oomtrace_live_ukill_held(&l->live) && (timeout_ms < 0 || timeout_ms > 50))
		timeout_ms = 50;
	r = oomtrace_evbuf_poll(l->buf, timeout_ms);
	oomtrace_live_ukill_tick(&l->live);
	return oomtrace_live_poll_end(&l->live, r);
}

static int lb_stop(void *state)
{
	struct lb *l = state;

	/* consume what is already in the buffers, then detach; quickly: no stack is unwound */
	l->stopping = true;
	oomtrace_evbuf_consume(l->buf);
	while (l->nlinks > 0)
		bpf_link__destroy(l->links[--l->nlinks]);
	/* killers' victims not yet seen to die: as they stand */
	oomtrace_live_ukill_end(&l->live, true);
	return 0;
}

static void lb_close(void *state)
{
	struct lb *l = state;

	if (!l)
		return;
	lb_destroy(l);
	lb_ustacks_close(l);
	oomtrace_live_ukill_end(&l->live, false);
	oomtrace_live_history_close(&l->live);
	oomtrace_kjoin_detach(&l->live);
	oomtrace_live_ksyms_close(&l->live);
	free(l);
}

/* The perf buffers' losses and the BPF side's count of records it could not send. */
static uint64_t lb_lost(void *state)
{
	return oomtrace_evbuf_lost(((struct lb *)state)->buf);
}

static bool lb_reads_maps(void *state)
{
	return oomtrace_evbuf_reads_map(((struct lb *)state)->buf);
}

static const char *lb_probe_name(void *state)
{
	return ((struct lb *)state)->probe_desc;
}

const struct oomtrace_backend_ops oomtrace_libbpf_ops = {
    .name = "libbpf",
    .probe = lb_probe,
    .open = lb_open,
    .start = lb_start,
    .poll = lb_poll,
    .stop = lb_stop,
    .close = lb_close,
    .lost = lb_lost,
    .reads_maps = lb_reads_maps,
    .probe_name = lb_probe_name,
    .check = lb_check,
};
