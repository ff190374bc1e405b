// SPDX-License-Identifier: GPL-2.0-or-later
/* load.c: the libbpf backend's two objects (CO-RE, BTF-less) opened, loaded, attached, their buffer
 * opened. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "lb.h"
#include "log.h"
#include "oomtrace.skel.h"
#include "oomtrace_ext.skel.h"
#include "oomtrace_nobtf.skel.h"
#include "util.h"

void lb_destroy(struct lb *l)
{
	while (l->nlinks > 0)
		bpf_link__destroy(l->links[--l->nlinks]);
	oomtrace_evbuf_free(l->buf);
	oomtrace_bpf__destroy(l->skel);
	oomtrace_nobtf_bpf__destroy(l->raw);
	l->buf = NULL;
	l->skel = NULL;
	l->raw = NULL;
}

static int page_shift(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	int s = 0;

	while (ps > 1) {
		ps >>= 1;
		s++;
	}
	return s ? s : 12;
}

/*
 * Tracing programs (tp_btf, fentry, fexit) with our own section handlers.
 * libbpf 1.1 reads, copies and indexes the kernel's whole BTF (11 MB for a
 * moment, ~10 ms) for any tracing program, only to find its attach id by
 * name. The ids come from the BTF read in place (kbtf) instead: a program
 * marked as attaching "to another program" (the placeholder below) is one
 * libbpf needs no kernel BTF for, and our prepare callback, which libbpf
 * calls right before the load, clears that mark and gives the kernel's id.
 */
#define ATTACH_PLACEHOLDER 1

static struct kbtf *attach_btf; /* the kernel's BTF while a CO-RE object loads */

static int setup_trace(struct bpf_program *prog, long cookie)
{
	(void)cookie;
	return bpf_program__set_attach_target(prog, ATTACH_PLACEHOLDER, NULL);
}

static int prepare_trace(struct bpf_program *prog, struct bpf_prog_load_opts *o, long cookie)
{
	const char *target = strchr(bpf_program__section_name(prog), '/');
	char name[128];
	int id;

	if (!target || !attach_btf)
		return -EINVAL;
	snprintf(name, sizeof(name), "%s%s", cookie == BPF_TRACE_RAW_TP ? "btf_trace_" : "",
		 target + 1);
	id = kbtf_find(attach_btf, name,
		       cookie == BPF_TRACE_RAW_TP ? BTF_KIND_TYPEDEF : BTF_KIND_FUNC);
	if (id < 0)
		return id;
	o->attach_prog_fd = 0;
	o->attach_btf_obj_fd = 0;
	o->attach_btf_id = (__u32)id;
	return 0;
}

static int attach_trace(const struct bpf_program *prog, long cookie, struct bpf_link **link)
{
	(void)cookie;
	*link = bpf_program__attach_trace(prog);
	return *link ? 0 : -errno;
}

/* Once per process, before the first CO-RE object is opened. 0 or -errno. */
static int register_trace_handlers(void)
{
	static const struct {
		const char *sec;
		enum bpf_attach_type type;
	} h[] = {
	    {"tp_btf/", BPF_TRACE_RAW_TP},
	    {"fentry/", BPF_TRACE_FENTRY},
	    {"fexit/", BPF_TRACE_FEXIT},
	};
	static int done;
	size_t i;

	for (i = 0; !done && i < sizeof(h) / sizeof(h[0]); i++) {
		LIBBPF_OPTS(libbpf_prog_handler_opts, ho, .cookie = h[i].type,
			    .prog_setup_fn = setup_trace, .prog_prepare_load_fn = prepare_trace,
			    .prog_attach_fn = attach_trace);
		int id =
		    libbpf_register_prog_handler(h[i].sec, BPF_PROG_TYPE_TRACING, h[i].type, &ho);

		if (id < 0)
			return id;
	}
	done = 1;
	return 0;
}

/*
 * The CO-RE target made from the kernel's BTF in place: only the types the
 * object's own BTF names (flavors stripped), and what they hold, so libbpf
 * matches each relocation among a few thousand types instead of 126,700.
 * Written into the memfd @fd that the object was opened with. 0 or -errno.
 */
static int write_core_target(struct kbtf *k, struct bpf_object *obj, int fd)
{
	const struct btf *lb = bpf_object__btf(obj);
	__u32 i, n = lb ? btf__type_cnt(lb) : 0;
	const char **names = calloc(n + 1, sizeof(*names));
	char *flat = NULL, *blob = NULL;
	size_t nn = 0, used = 0, len = 0;
	int err = names ? 0 : -ENOMEM;

	for (i = 1; !err && i < n; i++) {
		const struct btf_type *t = btf__type_by_id(lb, i);
		const char *nm = btf__name_by_offset(lb, t->name_off);

		if (nm && *nm &&
		    (btf_is_composite(t) || btf_is_any_enum(t) || btf_is_typedef(t) ||
		     btf_is_fwd(t) || btf_is_int(t))) {
			names[nn++] = nm;
			used += strlen(nm) + 1;
		}
	}
	/* the names with their flavor suffixes ("mm_struct___new") cut, in one buffer */
	if (!err && !(flat = malloc(used + 1)))
		err = -ENOMEM;
	for (i = 0, used = 0; !err && i < nn; i++) {
		const char *cut = strstr(names[i], "___");
		size_t l = cut ? (size_t)(cut - names[i]) : strlen(names[i]);

		memcpy(flat + used, names[i], l);
		flat[used + l] = '\0';
		names[i] = flat + used;
		used += l + 1;
	}
	if (!err)
		err = kbtf_min_core(k, names, nn, &blob, &len);
	if (!err && oomtrace_write_all(fd, blob, len))
		err = -errno;
	if (!err)
		oomtrace_debug("CO-RE target: %zu bytes of the kernel's BTF, for %zu names", len,
			       nn);
	free(blob);
	free(flat);
	free(names);
	return err;
}

/*
 * The CO-RE object. Its types are relocated against the --btf/search file
 * where there is one; else against the small target made from the kernel's
 * BTF (l->core_fd, filled by the first open and kept for every later try);
 * else against l->core_btf ("": libbpf's own choice). The same programs
 * built without kfuncs unless @kfunc: a typed ksym makes libbpf read the
 * kernel's whole BTF, and without the kernel's BTF it fails.
 */
static struct oomtrace_bpf *open_core(struct lb *l, bool kfunc)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	char path[64];
	int err = 0, tries;

	for (tries = 0; tries < 2; tries++) {
		struct oomtrace_bpf *s = calloc(1, sizeof(*s));

		if (l->btf_path[0]) {
			oo.btf_custom_path = l->btf_path;
		} else if (l->core_fd >= 0) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", l->core_fd);
			oo.btf_custom_path = path;
		} else {
			oo.btf_custom_path = l->core_btf[0] ? l->core_btf : NULL;
		}
		if (!s)
			break;
		err = register_trace_handlers();
		if (!err)
			err = oomtrace_bpf__create_skeleton(s);
		if (!err && (!lb_have_btf() || !kfunc))
			s->skeleton->data =
			    (void *)oomtrace_ext_bpf__elf_bytes(&s->skeleton->data_sz);
		if (!err)
			err = bpf_object__open_skeleton(s->skeleton, &oo);
		if (!err && (oo.btf_custom_path != path || l->core_filled))
			return s;
		if (!err && !(err = write_core_target(&l->kbtf, s->obj, l->core_fd))) {
			l->core_filled = true;
			return s;
		}
		oomtrace_bpf__destroy(s);
		if (oo.btf_custom_path != path)
			break;
		oomtrace_info(
		    "no small CO-RE target from the kernel's BTF (%s): libbpf reads all of it",
		    strerror(-err));
		close(l->core_fd);
		l->core_fd = -1;
	}
	errno = err ? -err : ENOMEM;
	return NULL;
}

/* The ring buffer's size in bytes: a power of two of whole pages (--buffer-size KB). */
static unsigned int ring_bytes(unsigned int kb)
{
	unsigned long want = (unsigned long)(kb ? kb : OOMTRACE_BUFFER_KB_DEFAULT) * 1024,
		      b = (unsigned long)sysconf(_SC_PAGESIZE);

	while (b < want)
		b <<= 1;
	return (unsigned int)b;
}

/* Perf buffer pages per CPU (kernels before 5.8): 64 by default, else --buffer-size per CPU. */
static size_t perf_pages(unsigned int kb)
{
	size_t pages = 1, want = kb ? kb * 1024 / (size_t)sysconf(_SC_PAGESIZE) : 64;

	while (pages < want)
		pages <<= 1;
	return pages;
}

/* The programs one step loads: the invocation probe's, the victim probe's, the reaper's and
 * signals'. */
/* the trigger's reclaim before the kill (any kill program: trigger_facts takes it) */
static void reclaim_programs(struct oomtrace_bpf *s, const struct lb_features *bf, const char *tfs)
{
	if (bf->tp_reclaim) {
		s->rodata->track_reclaim = 1;
		bpf_program__set_autoload(s->progs.btf_memcg_reclaim_begin, true);
		bpf_program__set_autoload(s->progs.btf_memcg_reclaim_end, true);
		bpf_program__set_autoload(s->progs.btf_direct_reclaim_begin, true);
		bpf_program__set_autoload(s->progs.btf_direct_reclaim_end, true);
	} else if (tfs && oomtrace_tracefs_has(tfs, "vmscan/mm_vmscan_memcg_reclaim_end") &&
		   oomtrace_tracefs_has(tfs, "vmscan/mm_vmscan_direct_reclaim_end")) {
		s->rodata->track_reclaim = 1;
		bpf_program__set_autoload(s->progs.tp_memcg_reclaim_begin, true);
		bpf_program__set_autoload(s->progs.tp_memcg_reclaim_end, true);
		bpf_program__set_autoload(s->progs.tp_direct_reclaim_begin, true);
		bpf_program__set_autoload(s->progs.tp_direct_reclaim_end, true);
	}
}

static int core_programs(struct oomtrace_bpf *s, enum pr inv, enum pr vic,
			 const struct lb_features *bf, const char *const *killers, char *sym,
			 size_t symsz, char *why, size_t whysz)
{
	const char *tfs = oomtrace_tracefs_dir(false, NULL, 0);
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, s->obj) bpf_program__set_autoload(prog, false);
	if (inv == PR_FENTRY) {
		bpf_program__set_autoload(s->progs.fentry_oom_kill_process, true);
		bpf_program__set_autoload(s->progs.fexit_oom_kill_process, true);
	} else if (inv == PR_KPROBE) {
		if (!oomtrace_kprobes_available() || !lb_find_okp_symbol(sym, symsz)) {
			snprintf(why, whysz,
				 "kprobes not available in this kernel (no kprobe PMU or "
				 "kprobe_events)");
			return -ENOTSUP;
		}
		bpf_program__set_autoload(s->progs.kprobe_oom_kill_process, true);
		bpf_program__set_autoload(s->progs.kretprobe_oom_kill_process, true);
	}
	if (vic == PR_TP_BTF) {
		if (!bf->tp_btf) {
			snprintf(why, whysz, "no mark_victim tracepoint in the kernel's BTF");
			return -ENOENT;
		}
		if (!bf->tp_task_arg && !bf->task_from_pid) {
			snprintf(why, whysz,
				 "mark_victim passes only a pid and bpf_task_from_pid (6.2+) is "
				 "missing");
			return -ENOTSUP;
		}
		bpf_program__set_autoload(bf->tp_task_arg ? s->progs.tp_btf_mark_victim
							  : s->progs.tp_btf_mark_victim_pid,
					  true);
	} else if (vic == PR_TRACEPOINT) {
		if (!tfs) {
			snprintf(why, whysz, "tracefs not mounted");
			return -ENOENT;
		}
		bpf_program__set_autoload(s->progs.tp_mark_victim, true);
	}
	/* the reaper's and signal tracepoints: BTF-typed where possible (cheap to detach) */
	if (vic != PR_NONE && bf->tp_signal) {
		s->rodata->track_signals = 1;
		bpf_program__set_autoload(s->progs.btf_signal_generate, true);
	} else if (vic != PR_NONE && tfs && oomtrace_tracefs_has(tfs, "signal/signal_generate")) {
		s->rodata->track_signals = 1;
		bpf_program__set_autoload(s->progs.tp_signal_generate, true);
	}
	/* userspace killers' signals: on the same program, where one is attached */
	s->rodata->track_killers = s->rodata->track_signals && killers && killers[0];
	if (s->rodata->track_killers) {
		/* a killer's victim's death: its last thread's exit */
		if (bf->tp_signal)
			bpf_program__set_autoload(s->progs.btf_sched_process_exit, true);
		else if (tfs && oomtrace_tracefs_has(tfs, "sched/sched_process_exit"))
			bpf_program__set_autoload(s->progs.tp_sched_process_exit, true);
	}
	reclaim_programs(s, bf, tfs);
	if (bf->tp_reaper) {
		bpf_program__set_autoload(s->progs.btf_finish_task_reaping, true);
		bpf_program__set_autoload(s->progs.btf_skip_task_reaping, true);
	} else if (tfs && oomtrace_tracefs_has(tfs, "oom/finish_task_reaping")) {
		bpf_program__set_autoload(s->progs.tp_finish_task_reaping, true);
		bpf_program__set_autoload(s->progs.tp_skip_task_reaping, true);
	}
	return 0;
}

/* The events maps sized: the ring buffer (--buffer-size) where there is one, else the perf
 * buffer's. */
static void core_maps(struct lb *l, struct oomtrace_bpf *s, bool ringbuf)
{
	if (!ringbuf) {
		/* never used then: any small map satisfies the loader */
		bpf_map__set_type(s->maps.events_rb, BPF_MAP_TYPE_ARRAY);
		bpf_map__set_key_size(s->maps.events_rb, 4);
		bpf_map__set_value_size(s->maps.events_rb, 4);
		bpf_map__set_max_entries(s->maps.events_rb, 1);
	} else {
		bpf_map__set_max_entries(s->maps.events_rb, ring_bytes(l->opts.buffer_kb));
		bpf_map__set_max_entries(s->maps.events_pb, 1);
	}
}

/* The killers' comms into their map, before the programs that read it are attached. */
static int core_killers(struct oomtrace_bpf *s, const char *const *killers, char *why, size_t whysz)
{
	__u32 one = 1;

	for (; s->rodata->track_killers && *killers; killers++) {
		char key[W_COMM] = {0};

		memcpy(key, *killers, strnlen(*killers, sizeof(key) - 1));
		if (bpf_map__update_elem(s->maps.killers, key, sizeof(key), &one, sizeof(one),
					 BPF_ANY)) {
			snprintf(why, whysz, "cannot name killer %s to the kernel: %s", *killers,
				 strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/* Attach every program that was loaded; the kprobe at @sym, the oom_kill_process symbol (or clone)
 * found. */
static int core_attach(struct lb *l, struct oomtrace_bpf *s, const char *sym, char *why,
		       size_t whysz)
{
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, s->obj)
	{
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		if (prog == s->progs.kprobe_oom_kill_process ||
		    prog == s->progs.kretprobe_oom_kill_process)
			link = bpf_program__attach_kprobe(
			    prog, prog == s->progs.kretprobe_oom_kill_process, sym);
		else
			link = bpf_program__attach(prog);
		if (!link) {
			err = -errno;
			snprintf(why, whysz, "attaching %s failed: %s", bpf_program__name(prog),
				 lb_strerror(err));
			return err;
		}
		if (l->nlinks < (int)(sizeof(l->links) / sizeof(l->links[0])))
			l->links[l->nlinks++] = link;
	}
	return 0;
}

/* The events map read as a ring buffer or perf buffers (--buffer-size): 0 or -errno with @why. */
static int open_buffer(struct lb *l, int map_fd, bool ring, size_t max, oomtrace_evbuf_fn fn,
		       char *why, size_t whysz)
{
	int err;

	l->buf = oomtrace_evbuf_new(map_fd, ring, perf_pages(l->opts.buffer_kb), max, fn, l);
	if (l->buf)
		return 0;
	err = -errno;
	snprintf(why, whysz, "cannot open the %s buffer (%s)", ring ? "ring" : "perf",
		 strerror(-err));
	return err;
}

int lb_try_core(struct lb *l, enum pr inv, enum pr vic, const struct lb_features *bf, char *why,
		size_t whysz)
{
	bool ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	bool kfunc = vic == PR_TP_BTF && !bf->tp_task_arg; /* mark_victim(pid): bpf_task_from_pid */
	struct oomtrace_bpf *s = open_core(l, kfunc);
	char sym[256] = "oom_kill_process";
	int err;

	if (!s) {
		snprintf(why, whysz, "cannot open the BPF object: %s", strerror(errno));
		return -errno;
	}
	s->rodata->page_shift = (unsigned int)page_shift();
	s->rodata->use_ringbuf = ringbuf;
	s->rodata->want_kstack = !l->opts.no_stacks;
	s->rodata->okp_emits = vic == PR_NONE;
	core_maps(l, s, ringbuf);
	if (!oomtrace_evbuf_mmapable())
		bpf_map__set_map_flags(s->maps.drops, 0);
	err = core_programs(s, inv, vic, bf, l->opts.killers, sym, sizeof(sym), why, whysz);
	if (err) {
		oomtrace_bpf__destroy(s);
		return err;
	}
	attach_btf = &l->kbtf;
	err = oomtrace_bpf__load(s);
	attach_btf = NULL;
	if (err) {
		snprintf(why, whysz, "the kernel refused to load it: %s", lb_strerror(err));
		oomtrace_bpf__destroy(s);
		return err;
	}
	l->skel = s;
	err = core_killers(s, l->opts.killers, why, whysz);
	if (!err)
		err = core_attach(l, s, sym, why, whysz);
	if (!err)
		err = open_buffer(l, bpf_map__fd(ringbuf ? s->maps.events_rb : s->maps.events_pb),
				  ringbuf, sizeof(struct w_event), lb_on_core, why, whysz);
	if (err) {
		lb_destroy(l);
		return err;
	}
	oomtrace_evbuf_count_drops(l->buf, bpf_map__fd(s->maps.drops), 0);
	l->inv = inv;
	l->vic = vic;
	l->killers_on = s->rodata->track_killers;
	return 0;
}

static const char *const tp_names[] = {
    [W_KILL] = "mark_victim",
    [W_WAKE_REAPER] = "wake_reaper",
    [W_START_REAP] = "start_task_reaping",
    [W_FINISH_REAP] = "finish_task_reaping",
    [W_SKIP_REAP] = "skip_task_reaping",
};

/* The tracefs format of each oom tracepoint the BTF-less object decodes; mark_victim's is required.
 */
static int nobtf_formats(struct lb *l, const char *tfs, char *why, size_t whysz)
{
	unsigned int k;
	char p[160];

	for (k = W_KILL; k <= W_SKIP_REAP; k++) {
		/* wake/start of the reaper add nothing to a report: not attached (each costs ~70 ms
		 * to detach) */
		if (k == W_WAKE_REAPER || k == W_START_REAP)
			continue;
		snprintf(p, sizeof(p), "%s/events/oom/%s/format", tfs, tp_names[k]);
		if (tpf_load(p, &l->fmt[k]) && k == W_KILL) {
			snprintf(why, whysz,
				 "no oom:mark_victim tracepoint format in %s (kernel before 4.13?)",
				 tfs);
			return -ENOENT;
		}
	}
	return 0;
}

/* signal:signal_generate, told where its sig and pid fields are: exiting victims told from killed
 * ones. */
static void nobtf_signals(struct lb *l, struct oomtrace_nobtf_bpf *s, const char *tfs)
{
	const struct tpf_field *sig, *pid;
	struct bpf_link *link;
	struct tpf sf;
	char p[160];
	__u32 k6 = 8, k7 = 9; /* CONF_SIG_OFF, CONF_PID_OFF */
	__u64 so, po;

	snprintf(p, sizeof(p), "%s/events/signal/signal_generate/format", tfs);
	if (tpf_load(p, &sf) || !(sig = tpf_find(&sf, "sig")) || !(pid = tpf_find(&sf, "pid")) ||
	    sig->size != 4 || pid->size != 4 || sig->offset > 60 || pid->offset > 60)
		return;
	so = sig->offset;
	po = pid->offset;
	bpf_map_update_elem(bpf_map__fd(s->maps.conf), &k6, &so, BPF_ANY);
	bpf_map_update_elem(bpf_map__fd(s->maps.conf), &k7, &po, BPF_ANY);
	link = bpf_program__attach(s->progs.raw_signal_generate);
	if (link)
		l->links[l->nlinks++] = link;
	else
		oomtrace_info(
		    "signal:signal_generate not attached: exiting victims cannot be told apart");
}

/* Each oom tracepoint with a format, told its record size, attached. */
static int nobtf_attach(struct lb *l, struct oomtrace_nobtf_bpf *s,
			struct bpf_program *const *progs, char *why, size_t whysz)
{
	unsigned int k;
	int err;

	for (k = W_KILL; k <= W_SKIP_REAP; k++) {
		__u32 key = 1 + k;
		__u64 size = l->fmt[k].size;
		struct bpf_link *link;

		if (!l->fmt[k].nfields)
			continue;
		bpf_map_update_elem(bpf_map__fd(s->maps.conf), &key, &size, BPF_ANY);
		link = bpf_program__attach(progs[k]);
		if (!link) {
			err = -errno;
			snprintf(why, whysz, "attaching oom:%s failed (%s)", tp_names[k],
				 strerror(-err));
			return err;
		}
		l->links[l->nlinks++] = link;
	}
	return 0;
}

int lb_try_nobtf(struct lb *l, char *why, size_t whysz)
{
	struct oomtrace_nobtf_bpf *s;
	struct bpf_program *progs[W_SKIP_REAP + 1];
	const char *tfs = oomtrace_tracefs_dir(true, why, whysz);
	unsigned int k;
	bool kstack;
	int err;

	if (!tfs)
		return -ENOENT;
	if ((err = nobtf_formats(l, tfs, why, whysz)))
		return err;
	s = oomtrace_nobtf_bpf__open();
	if (!s) {
		snprintf(why, whysz, "cannot open the BTF-less BPF object: %s", strerror(errno));
		return -errno;
	}
	progs[W_KILL] = s->progs.raw_mark_victim;
	progs[W_WAKE_REAPER] = s->progs.raw_wake_reaper;
	progs[W_START_REAP] = s->progs.raw_start_task_reaping;
	progs[W_FINISH_REAP] = s->progs.raw_finish_task_reaping;
	progs[W_SKIP_REAP] = s->progs.raw_skip_task_reaping;
	for (k = W_KILL; k <= W_SKIP_REAP; k++)
		bpf_program__set_autoload(progs[k], l->fmt[k].nfields > 0);
	bpf_program__set_autoload(s->progs.raw_signal_generate, true);
	/* the kernel stack's program only where the kernel has the helper (4.18+) */
	kstack = !l->opts.no_stacks &&
		 libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_get_stack, NULL) == 1;
	bpf_program__set_autoload(s->progs.raw_kstack, kstack);
	if (!oomtrace_evbuf_mmapable())
		bpf_map__set_map_flags(s->maps.conf, 0);
	err = oomtrace_nobtf_bpf__load(s);
	if (err) {
		snprintf(why, whysz, "the kernel refused to load the BTF-less object: %s",
			 lb_strerror(err));
		oomtrace_nobtf_bpf__destroy(s);
		return err;
	}
	l->raw = s;
	if (kstack) {
		__u32 zero = 0;
		int fd = bpf_program__fd(s->progs.raw_kstack);

		if (bpf_map_update_elem(bpf_map__fd(s->maps.kstack_jmp), &zero, &fd, BPF_ANY))
			oomtrace_debug("BTF-less object: no kernel stacks: %s", strerror(errno));
	}
	nobtf_signals(l, s, tfs);
	err = nobtf_attach(l, s, progs, why, whysz);
	if (!err)
		err = open_buffer(l, bpf_map__fd(s->maps.events), false, sizeof(struct w_raw),
				  lb_on_raw, why, whysz);
	if (err) {
		lb_destroy(l);
		return err;
	}
	oomtrace_evbuf_count_drops(l->buf, bpf_map__fd(s->maps.conf), 0); /* [0] */
	l->vic = PR_NOBTF;
	l->inv = PR_NONE;
	return 0;
}
