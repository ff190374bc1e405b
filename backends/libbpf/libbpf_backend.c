// SPDX-License-Identifier: GPL-2.0-or-later
/* libbpf_backend.c: live tracing with libbpf: probe chain, load/attach, ring/perf buffer, wire → event. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/btf.h>
#include <bpf/libbpf.h>

#include "context.h"
#include "kjoin.h"
#include "live.h"
#include "libbpf_backend.h"
#include "log.h"
#include "oomtrace.skel.h"
#include "oomtrace_ext.skel.h"
#include "oomtrace_nobtf.skel.h"
#include "convert.h"
#include "kbtf.h"
#include "plan.h"
#include "tpformat.h"
#include "util.h"
#include "wire.h"


struct lb {
	struct oomtrace_backend_opts opts;
	struct oomtrace_bpf *skel;
	struct oomtrace_nobtf_bpf *raw;
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	struct bpf_link *links[16];
	int nlinks;
	enum pr vic, inv;
	char probe_desc[64];
	char btf_path[512]; /* a BTF file for CO-RE where the kernel has none in sysfs; "" if unused */
	const char *core_btf; /* the CO-RE target given to libbpf: btf_path, or see lb_open */
	struct kbtf kbtf; /* the kernel's BTF while opening; zeroed where none was read */
	int core_fd;      /* while opening: a memfd for the small CO-RE target made from it; -1: none */
	bool core_filled; /* core_fd holds it (made by the first open, used by every try after) */
	struct tpf fmt[W_SKIP_REAP + 1]; /* BTF-less decoding, by w_kind */
	uint64_t pb_lost;
	int drops_fd;
	bool drops_percpu;
	struct oomtrace_live live;
	struct oomtrace_event ev;
	union {
		struct w_event core;
		struct w_raw raw;
	} align;
};

/* ---- facts about this kernel ------------------------------------------------------ */

static bool have_btf(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

/* Where a kernel without /sys/kernel/btf/vmlinux may have its BTF: prefix, uname -r, suffix. */
static const char *const btf_search[][2] = {
	{ "/usr/lib/oomtrace/btf/", ".btf" }, /* package-owned, per release (BTF archives' layout) */
	{ "/boot/vmlinux-", "" },
	{ "/usr/lib/debug/boot/vmlinux-", "" },
	{ "/usr/lib/debug/lib/modules/", "/vmlinux" },
};

/* A file libbpf can take the kernel's types from: raw BTF, or an ELF with .BTF. */
static bool btf_file_usable(const char *path)
{
	struct btf *b;

	if (access(path, R_OK) != 0)
		return false;
	b = btf__parse(path, NULL);
	if (libbpf_get_error(b))
		return false;
	btf__free(b);
	return true;
}

/*
 * The BTF file for CO-RE relocations: --btf FILE; else none where the kernel
 * has its own in sysfs; else the first usable one of btf_search[]. "" when
 * there is none.
 */
static void find_ext_btf(const struct oomtrace_backend_opts *o, char *path, size_t sz)
{
	struct utsname u;
	size_t i;

	path[0] = '\0';
	if (o->no_btf)
		return;
	if (o->btf_file) {
		snprintf(path, sz, "%s", o->btf_file);
		return;
	}
	if (have_btf() || uname(&u))
		return;
	for (i = 0; i < sizeof(btf_search) / sizeof(btf_search[0]); i++) {
		snprintf(path, sz, "%s%s%s", btf_search[i][0], u.release, btf_search[i][1]);
		if (btf_file_usable(path))
			return;
	}
	path[0] = '\0';
}

/* The oom_kill_process symbol to kprobe: the function or one of its clones (.isra/.constprop). */
static bool find_okp_symbol(char *name, size_t namesz)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char sym[256], type;

		if (sscanf(line, "%*s %c %255s", &type, sym) != 2)
			continue;
		if (strcmp(sym, "oom_kill_process") == 0) {
			oomtrace_strlcpy_n(name, namesz, sym, strlen(sym));
			found = true;
			break;
		}
		if (!found && strncmp(sym, "oom_kill_process.", 17) == 0 && !strstr(sym, ".cold") &&
		    (type == 't' || type == 'T')) {
			oomtrace_strlcpy_n(name, namesz, sym, strlen(sym));
			found = true; /* keep looking for the plain name */
		}
	}
	fclose(f);
	return found;
}

/*
 * Whether this kernel lets a fentry program attach to oom_kill_process: some
 * refuse every trampoline (no ftrace direct calls, lockdown, an LSM). A
 * two-instruction program tells in microseconds, with the BTF already read,
 * where a refused full object would be loaded, relocated and verified for
 * nothing before the next probe. 0, or the errno of the refusal.
 */
static int fentry_probe(struct kbtf *k)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = kbtf_find(k, "oom_kill_process", BTF_KIND_FUNC);
	int fd, err = 0;

	if (id <= 0)
		return ENOENT;
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_FENTRY, .attach_btf_id = (__u32)id);
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "oomtrace_probe", "GPL", insns, 2, &o);
	if (fd < 0)
		err = errno ? errno : EINVAL;
	else
		close(fd);
	return err;
}

/* What this kernel offers. The kernel's BTF, where read, stays in @k for the load (NULL: freed). */
static void features(struct lb_features *f, const char *ext_btf, struct kbtf *keep)
{
	struct kbtf bs;
	const char *tfs;
	char sym[256], p[200], fmt[4096] = "";
	int fd;

	memset(f, 0, sizeof(*f));
	tfs = oomtrace_tracefs_dir(geteuid() == 0, NULL, 0);
	f->tracepoint = tfs != NULL;
	f->kprobes = oomtrace_kprobes_available();
	f->okp_symbol = f->kprobes && find_okp_symbol(sym, sizeof(sym)); /* kallsyms only when useful */
	if (tfs) {
		/* 6.9+ (and backports): mark_victim(task, uid) prints the memory fields */
		snprintf(p, sizeof(p), "%s/events/oom/mark_victim/format", tfs);
		if ((fd = open(p, O_RDONLY | O_CLOEXEC)) >= 0) {
			ssize_t n = read(fd, fmt, sizeof(fmt) - 1);

			fmt[n > 0 ? n : 0] = '\0';
			close(fd);
		}
	}
	/* a BTF file serves CO-RE relocations only: attach targets need the kernel's own */
	f->ext_btf = ext_btf && ext_btf[0];
	if (!have_btf() || kbtf_load(&bs, NULL))
		return;
	f->btf = true;
	f->tp_btf = kbtf_has_name(&bs, "btf_trace_mark_victim");
	/*
	 * mark_victim(task, uid) since 6.9 (and backports) prints the memory
	 * fields; where tracefs cannot be read (CAP_BPF + CAP_PERFMON: it is
	 * root's), BTF says whether its first argument is a pointer.
	 */
	f->tp_task_arg = strstr(fmt, " total_vm;") != NULL;
	if (!fmt[0] && f->tp_btf)
		f->tp_task_arg = kbtf_param_is_ptr(&bs, "btf_trace_mark_victim", 1) == 1; /* [0]: void *data */
	f->task_from_pid = kbtf_has_name(&bs, "bpf_task_from_pid");
	f->okp_btf = kbtf_has_name(&bs, "oom_kill_process");
	if (f->okp_btf)
		f->fentry_err = fentry_probe(&bs);
	f->tp_signal = kbtf_has_name(&bs, "btf_trace_signal_generate");
	f->tp_reaper = kbtf_has_name(&bs, "btf_trace_finish_task_reaping") &&
		       kbtf_has_name(&bs, "btf_trace_skip_task_reaping");
	if (keep)
		*keep = bs;
	else
		kbtf_free(&bs);
}

/* strerror(), but the kernel-internal ENOTSUPP (524) that BPF loads return says what it means */
static const char *bpf_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err == 524)
		return "not supported by this kernel (ENOTSUPP)";
	return strerror(err);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's own chatter: only with -vv, one of our lines per line of theirs */
	if (oomtrace_log_get_level() < OOMTRACE_LOG_DEBUG || level == LIBBPF_DEBUG)
		return 0;
	oomtrace_vlog(OOMTRACE_LOG_DEBUG, fmt, ap);
	return 0;
}

/* ---- probe ---------------------------------------------------------------------------- */

static int lb_probe(const struct oomtrace_backend_opts *o, char *why, size_t whysz)
{
	char ext[512];
	bool btf, kbtf = have_btf() && !o->no_btf;

	libbpf_set_print(libbpf_print);
	if (!oomtrace_live_permitted(why, whysz))
		return -EPERM;
	find_ext_btf(o, ext, sizeof(ext));
	btf = kbtf || ext[0];
	if (o->btf_file && !btf_file_usable(o->btf_file)) {
		snprintf(why, whysz, "--btf %s: no BTF in that file (raw BTF or an ELF vmlinux with .BTF)",
			 o->btf_file);
		return -EINVAL;
	}
	if (o->probe && strcmp(o->probe, "fentry") && strcmp(o->probe, "kprobe") &&
	    strcmp(o->probe, "tp_btf") && strcmp(o->probe, "tracepoint")) {
		snprintf(why, whysz, "unknown probe '%s' (fentry, kprobe, tp_btf, tracepoint)", o->probe);
		return -EINVAL;
	}
	if (!kbtf && o->probe && (!strcmp(o->probe, "fentry") || !strcmp(o->probe, "tp_btf"))) {
		snprintf(why, whysz, "probe %s needs the kernel's own BTF (/sys/kernel/btf/vmlinux)%s", o->probe,
			 o->no_btf ? " and --no-btf was given" : "; a BTF file serves kprobe and tracepoint only");
		return -ENOENT;
	}
	if (!btf && o->probe && !strcmp(o->probe, "kprobe")) {
		snprintf(why, whysz, "probe kprobe needs kernel BTF: /sys/kernel/btf/vmlinux, --btf FILE or "
			 "/usr/lib/oomtrace/btf/$(uname -r).btf%s", o->no_btf ? " (and --no-btf was given)" : "");
		return -ENOENT;
	}
	if (!btf && !oomtrace_tracefs_dir(true, why, whysz))
		return -ENOENT;
	return 0;
}

/* ---- loading --------------------------------------------------------------------------- */

static void destroy(struct lb *l)
{
	while (l->nlinks > 0)
		bpf_link__destroy(l->links[--l->nlinks]);
	ring_buffer__free(l->rb);
	perf_buffer__free(l->pb);
	oomtrace_bpf__destroy(l->skel);
	oomtrace_nobtf_bpf__destroy(l->raw);
	l->rb = NULL;
	l->pb = NULL;
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

static int handle_core(void *ctx, void *data, size_t size);
static void handle_pb(void *ctx, int cpu, void *data, __u32 size);
static void lost_pb(void *ctx, int cpu, __u64 n);

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
	snprintf(name, sizeof(name), "%s%s", cookie == BPF_TRACE_RAW_TP ? "btf_trace_" : "", target + 1);
	id = kbtf_find(attach_btf, name, cookie == BPF_TRACE_RAW_TP ? BTF_KIND_TYPEDEF : BTF_KIND_FUNC);
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
	static const struct { const char *sec; enum bpf_attach_type type; } h[] = {
		{ "tp_btf/", BPF_TRACE_RAW_TP }, { "fentry/", BPF_TRACE_FENTRY }, { "fexit/", BPF_TRACE_FEXIT },
	};
	static int done;
	size_t i;

	for (i = 0; !done && i < sizeof(h) / sizeof(h[0]); i++) {
		LIBBPF_OPTS(libbpf_prog_handler_opts, ho, .cookie = h[i].type, .prog_setup_fn = setup_trace,
			    .prog_prepare_load_fn = prepare_trace, .prog_attach_fn = attach_trace);
		int id = libbpf_register_prog_handler(h[i].sec, BPF_PROG_TYPE_TRACING, h[i].type, &ho);

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

		if (nm && *nm && (btf_is_composite(t) || btf_is_any_enum(t) || btf_is_typedef(t) ||
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
		oomtrace_debug("CO-RE target: %zu bytes of the kernel's BTF, for %zu names", len, nn);
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
		if (!err && (!have_btf() || !kfunc))
			s->skeleton->data = (void *)oomtrace_ext_bpf__elf_bytes(&s->skeleton->data_sz);
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
		oomtrace_info("no small CO-RE target from the kernel's BTF (%s): libbpf reads all of it",
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
	unsigned long want = (unsigned long)(kb ? kb : OOMTRACE_BUFFER_KB_DEFAULT) * 1024, b = (unsigned long)sysconf(_SC_PAGESIZE);

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

/* Open, load and attach the CO-RE object for one invocation probe + one victim probe. */
static int try_core(struct lb *l, enum pr inv, enum pr vic, const struct lb_features *bf, char *why,
		    size_t whysz)
{
	struct oomtrace_bpf *s;
	struct bpf_program *prog;
	char sym[256] = "oom_kill_process";
	bool ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	const char *tfs = oomtrace_tracefs_dir(false, NULL, 0);
	bool kfunc = vic == PR_TP_BTF && !bf->tp_task_arg; /* mark_victim(pid): bpf_task_from_pid */
	int err;

	s = open_core(l, kfunc);
	if (!s) {
		snprintf(why, whysz, "cannot open the BPF object: %s", strerror(errno));
		return -errno;
	}
	s->rodata->page_shift = (unsigned int)page_shift();
	s->rodata->use_ringbuf = ringbuf;
	s->rodata->okp_emits = vic == PR_NONE;
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
	bpf_object__for_each_program(prog, s->obj)
		bpf_program__set_autoload(prog, false);
	if (inv == PR_FENTRY) {
		bpf_program__set_autoload(s->progs.fentry_oom_kill_process, true);
		bpf_program__set_autoload(s->progs.fexit_oom_kill_process, true);
	} else if (inv == PR_KPROBE) {
		if (!oomtrace_kprobes_available() || !find_okp_symbol(sym, sizeof(sym))) {
			snprintf(why, whysz, "kprobes not available in this kernel (no kprobe PMU or kprobe_events)");
			oomtrace_bpf__destroy(s);
			return -ENOTSUP;
		}
		bpf_program__set_autoload(s->progs.kprobe_oom_kill_process, true);
		bpf_program__set_autoload(s->progs.kretprobe_oom_kill_process, true);
	}
	if (vic == PR_TP_BTF) {
		if (!bf->tp_btf) {
			snprintf(why, whysz, "no mark_victim tracepoint in the kernel's BTF");
			oomtrace_bpf__destroy(s);
			return -ENOENT;
		}
		if (bf->tp_task_arg) {
			bpf_program__set_autoload(s->progs.tp_btf_mark_victim, true);
		} else if (bf->task_from_pid) {
			bpf_program__set_autoload(s->progs.tp_btf_mark_victim_pid, true);
		} else {
			snprintf(why, whysz, "mark_victim passes only a pid and bpf_task_from_pid (6.2+) is missing");
			oomtrace_bpf__destroy(s);
			return -ENOTSUP;
		}
	} else if (vic == PR_TRACEPOINT) {
		if (!tfs) {
			snprintf(why, whysz, "tracefs not mounted");
			oomtrace_bpf__destroy(s);
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
	if (bf->tp_reaper) {
		bpf_program__set_autoload(s->progs.btf_finish_task_reaping, true);
		bpf_program__set_autoload(s->progs.btf_skip_task_reaping, true);
	} else if (tfs && oomtrace_tracefs_has(tfs, "oom/finish_task_reaping")) {
		bpf_program__set_autoload(s->progs.tp_finish_task_reaping, true);
		bpf_program__set_autoload(s->progs.tp_skip_task_reaping, true);
	}
	attach_btf = &l->kbtf;
	err = oomtrace_bpf__load(s);
	attach_btf = NULL;
	if (err) {
		snprintf(why, whysz, "the kernel refused to load it: %s", bpf_strerror(err));
		oomtrace_bpf__destroy(s);
		return err;
	}
	bpf_object__for_each_program(prog, s->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		if (prog == s->progs.kprobe_oom_kill_process || prog == s->progs.kretprobe_oom_kill_process)
			link = bpf_program__attach_kprobe(prog, prog == s->progs.kretprobe_oom_kill_process, sym);
		else
			link = bpf_program__attach(prog);
		if (!link) {
			err = -errno;
			snprintf(why, whysz, "attaching %s failed: %s", bpf_program__name(prog), bpf_strerror(err));
			l->skel = s;
			destroy(l);
			return err;
		}
		if (l->nlinks < (int)(sizeof(l->links) / sizeof(l->links[0])))
			l->links[l->nlinks++] = link;
	}
	l->skel = s;
	if (ringbuf)
		l->rb = ring_buffer__new(bpf_map__fd(s->maps.events_rb), handle_core, l, NULL);
	else
		l->pb = perf_buffer__new(bpf_map__fd(s->maps.events_pb), perf_pages(l->opts.buffer_kb), handle_pb, lost_pb, l, NULL);
	if (!l->rb && !l->pb) {
		err = -errno;
		snprintf(why, whysz, "cannot open the %s buffer (%s)", ringbuf ? "ring" : "perf", strerror(-err));
		destroy(l);
		return err;
	}
	l->drops_fd = bpf_map__fd(s->maps.drops);
	l->drops_percpu = true;
	l->inv = inv;
	l->vic = vic;
	return 0;
}

static const char *const tp_names[] = {
	[W_KILL] = "mark_victim",
	[W_WAKE_REAPER] = "wake_reaper",
	[W_START_REAP] = "start_task_reaping",
	[W_FINISH_REAP] = "finish_task_reaping",
	[W_SKIP_REAP] = "skip_task_reaping",
};

/* The BTF-less object: raw tracepoint records decoded with the tracefs format files. */
static int try_nobtf(struct lb *l, char *why, size_t whysz)
{
	struct oomtrace_nobtf_bpf *s;
	struct bpf_program *progs[W_SKIP_REAP + 1];
	const char *tfs = oomtrace_tracefs_dir(true, why, whysz);
	unsigned int k;
	int err;

	if (!tfs)
		return -ENOENT;
	for (k = W_KILL; k <= W_SKIP_REAP; k++) {
		char p[160];

		/* wake/start of the reaper add nothing to a report: not attached (each costs ~70 ms to detach) */
		if (k == W_WAKE_REAPER || k == W_START_REAP)
			continue;
		snprintf(p, sizeof(p), "%s/events/oom/%s/format", tfs, tp_names[k]);
		if (tpf_load(p, &l->fmt[k]) && k == W_KILL) {
			snprintf(why, whysz, "no oom:mark_victim tracepoint format in %s (kernel before 4.13?)", tfs);
			return -ENOENT;
		}
	}
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
	err = oomtrace_nobtf_bpf__load(s);
	if (err) {
		snprintf(why, whysz, "the kernel refused to load the BTF-less object: %s", bpf_strerror(err));
		oomtrace_nobtf_bpf__destroy(s);
		return err;
	}
	l->raw = s;
	{
		struct tpf sf;
		char p[160];
		const struct tpf_field *sig, *pid;

		snprintf(p, sizeof(p), "%s/events/signal/signal_generate/format", tfs);
		if (tpf_load(p, &sf) == 0 && (sig = tpf_find(&sf, "sig")) && (pid = tpf_find(&sf, "pid")) &&
		    sig->size == 4 && pid->size == 4 && sig->offset <= 60 && pid->offset <= 60) {
			__u32 k6 = 8, k7 = 9; /* CONF_SIG_OFF, CONF_PID_OFF */
			__u64 so = sig->offset, po = pid->offset;
			struct bpf_link *link;

			bpf_map_update_elem(bpf_map__fd(s->maps.conf), &k6, &so, BPF_ANY);
			bpf_map_update_elem(bpf_map__fd(s->maps.conf), &k7, &po, BPF_ANY);
			link = bpf_program__attach(s->progs.raw_signal_generate);
			if (link)
				l->links[l->nlinks++] = link;
			else
				oomtrace_info("signal:signal_generate not attached: exiting victims cannot be told apart");
		}
	}
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
			snprintf(why, whysz, "attaching oom:%s failed (%s)", tp_names[k], strerror(-err));
			destroy(l);
			return err;
		}
		l->links[l->nlinks++] = link;
	}
	l->pb = perf_buffer__new(bpf_map__fd(s->maps.events), perf_pages(l->opts.buffer_kb), handle_pb, lost_pb, l, NULL);
	if (!l->pb) {
		err = -errno;
		snprintf(why, whysz, "cannot open the perf buffer (%s)", strerror(-err));
		destroy(l);
		return err;
	}
	l->drops_fd = bpf_map__fd(s->maps.conf);
	l->drops_percpu = false;
	l->vic = PR_NOBTF;
	l->inv = PR_NONE;
	return 0;
}

/* ---- records → events -------------------------------------------------------------- */

static const enum oomtrace_probe probe_of[] = {
	[PR_NONE] = OOMTRACE_PROBE_UNKNOWN, [PR_FENTRY] = OOMTRACE_PROBE_FENTRY,
	[PR_KPROBE] = OOMTRACE_PROBE_KPROBE, [PR_TP_BTF] = OOMTRACE_PROBE_TP_BTF,
	[PR_TRACEPOINT] = OOMTRACE_PROBE_TRACEPOINT, [PR_NOBTF] = OOMTRACE_PROBE_TRACEPOINT,
};

static void stamp(struct lb *l, struct oomtrace_event *ev, uint64_t ts_ns, enum pr probe)
{
	oomtrace_live_stamp(&l->live, ev, ts_ns, probe_of[probe]);
}

static void deliver(struct lb *l, struct oomtrace_event *ev)
{
	oomtrace_live_deliver(&l->live, ev);
}

static void finish_kill(struct lb *l, struct oomtrace_event *ev, uint64_t ts, uint64_t kinv)
{
	oomtrace_live_finish_kill(&l->live, ev, ts, kinv);
	deliver(l, ev);
}

/* A reaper tracepoint: report finish/skip against the kill it belongs to. */
static void reaper_record(struct lb *l, unsigned int kind, int32_t pid, uint64_t ts, enum pr probe)
{
	if (kind != W_FINISH_REAP && kind != W_SKIP_REAP)
		return;
	stamp(l, &l->ev, ts, probe);
	oomtrace_live_reap(&l->live, &l->ev, pid, ts, kind == W_SKIP_REAP);
	deliver(l, &l->ev);
}

static int handle_core(void *ctx, void *data, size_t size)
{
	struct lb *l = ctx;
	const struct w_event *w = data;
	struct oomtrace_event *ev = &l->ev;
	enum pr probe;

	if (size < W_SIZE_HEAD)
		return 0;
	if (size < sizeof(*w) && w != &l->align.core) {
		/* a record sized to what it carries: the rest reads as absent */
		memset(&l->align.core, 0, sizeof(l->align.core));
		memcpy(&l->align.core, data, size);
		w = &l->align.core;
	}
	probe = w->probe == WP_FENTRY ? PR_FENTRY : w->probe == WP_KPROBE ? PR_KPROBE
		: w->probe == WP_TP_BTF ? PR_TP_BTF : PR_TRACEPOINT;
	if (w->kind != W_KILL) {
		reaper_record(l, w->kind, w->victim_pid, w->ts_ns, probe);
		return l->live.cb_error;
	}
	if (size < W_SIZE_VICTIM)
		return 0;
	stamp(l, ev, w->ts_ns, probe);
	lb_wire_to_event(w, ev);
	finish_kill(l, ev, w->ts_ns, (w->flags & WF_OC) ? w->invocation : 0);
	return l->live.cb_error;
}

static void handle_raw(struct lb *l, const struct w_raw *r)
{
	const struct tpf *f;
	struct oomtrace_event *ev = &l->ev;
	size_t len = r->raw_len < W_RAW_MAX ? r->raw_len : W_RAW_MAX;
	int64_t x;

	if (r->kind < W_KILL || r->kind > W_SKIP_REAP)
		return;
	f = &l->fmt[r->kind];
	if (r->kind != W_KILL) {
		if (tpf_int(f, r->raw, len, "pid", &x))
			reaper_record(l, r->kind, (int32_t)x, r->ts_ns, PR_NOBTF);
		return;
	}
	stamp(l, ev, r->ts_ns, PR_NOBTF);
	lb_raw_to_event(f, r, ev);
	oomtrace_debug("mark_victim pid %d: last SIGKILL from this task: seen %u target %d at %llu (now %llu)",
		       (int)ev->victim.pid, r->sig_seen, r->sig_target, (unsigned long long)r->sig_ts_ns,
		       (unsigned long long)r->ts_ns);
	finish_kill(l, ev, r->ts_ns, 0);
}

/* perf buffer samples are only 4-byte aligned: copy before reading 8-byte fields */
static void handle_pb(void *ctx, int cpu, void *data, __u32 size)
{
	struct lb *l = ctx;

	(void)cpu;
	if (l->raw) {
		if (size < offsetof(struct w_raw, raw))
			return;
		memset(&l->align.raw, 0, sizeof(l->align.raw));
		memcpy(&l->align.raw, data, size < sizeof(l->align.raw) ? size : sizeof(l->align.raw));
		handle_raw(l, &l->align.raw);
	} else {
		if (size > sizeof(l->align.core))
			size = sizeof(l->align.core);
		memset(&l->align.core, 0, sizeof(l->align.core));
		memcpy(&l->align.core, data, size);
		handle_core(l, &l->align.core, size);
	}
}

static void lost_pb(void *ctx, int cpu, __u64 n)
{
	struct lb *l = ctx;

	(void)cpu;
	l->pb_lost += n;
}

/* ---- ops ------------------------------------------------------------------------------ */

/* Why the plan has no step for @probe on this kernel, in the words of --check. */
static const char *forced_why(const struct lb_features *f, const char *probe)
{
	if (!probe)
		return !f->tracepoint ? "no oom:mark_victim tracepoint (tracefs)" : "nothing usable (see oomtrace --check)";
	if (!strcmp(probe, "fentry")) {
		static char refused[160];

		snprintf(refused, sizeof(refused), "the kernel refused a fentry program at oom_kill_process: %s",
			 bpf_strerror(f->fentry_err));
		return !f->btf ? "needs the kernel's own BTF"
		       : !f->okp_btf ? "oom_kill_process is not in the kernel's BTF: no fentry target here"
				     : refused;
	}
	if (!strcmp(probe, "kprobe"))
		return !f->kprobes ? "kprobes not available in this kernel (no kprobe PMU or kprobe_events)"
		       : !f->okp_symbol ? "oom_kill_process is not in /proc/kallsyms"
					: "needs kernel BTF or a BTF file (--btf)";
	if (!strcmp(probe, "tp_btf"))
		return !f->btf ? "needs the kernel's own BTF"
		       : !f->tp_btf ? "no btf_trace_mark_victim in the kernel's BTF"
				    : "mark_victim passes only a pid here and bpf_task_from_pid (6.2+) is missing";
	return !f->tracepoint ? "no oom:mark_victim tracepoint (tracefs)" : "not usable (see oomtrace --check)";
}

static int lb_open(const struct oomtrace_backend_opts *o, void **state)
{
	struct lb *l = calloc(1, sizeof(*l));
	struct lb_features bf;
	struct lb_step steps[12];
	int nsteps, i;
	char why[256] = "";
	int err = -ENOENT;

	if (!l)
		return -ENOMEM;
	l->opts = *o;
	l->drops_fd = -1;
	libbpf_set_print(libbpf_print);
	oomtrace_live_init(&l->live, OOMTRACE_SOURCE_LIBBPF, o->context_mask);
	oomtrace_kjoin_attach(&l->live, o);
	find_ext_btf(o, l->btf_path, sizeof(l->btf_path));
	if (l->btf_path[0])
		oomtrace_info("kernel types for CO-RE from %s", l->btf_path);
	l->core_btf = l->btf_path;
	if (!l->btf_path[0] && have_btf() && !oomtrace_have_cap(21)) {
		/*
		 * Without CAP_SYS_ADMIN libbpf cannot list module BTFs, and it tries
		 * to for a type flavour vmlinux lacks: where no small CO-RE target
		 * can be made (open_core), the same vmlinux BTF given as the target
		 * keeps it to vmlinux (CAP_BPF + CAP_PERFMON mode).
		 */
		l->core_btf = "/sys/kernel/btf/vmlinux";
	}
	features(&bf, l->btf_path, &l->kbtf);
	l->core_fd = -1;
	if (!l->btf_path[0] && l->kbtf.buf && (l->core_fd = memfd_create("oomtrace-core-btf", MFD_CLOEXEC)) >= 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/fd/%d", l->core_fd);
		if (access(path, R_OK)) { /* no /proc: libbpf could not open it at load */
			close(l->core_fd);
			l->core_fd = -1;
		}
	}
	oomtrace_protect_self(o->keep_oom_score_adj);
	nsteps = lb_plan(&bf, o->probe, o->no_btf, steps, (int)(sizeof(steps) / sizeof(steps[0])));
	if (nsteps <= 0)
		oomtrace_err("%s%s: %s", o->probe ? "probe " : "no probe can work here", o->probe ? o->probe : "",
			     forced_why(&bf, o->probe));
	for (i = 0; i < nsteps; i++) {
		const struct lb_step *st = &steps[i];

		err = st->vic == PR_NOBTF ? try_nobtf(l, why, sizeof(why))
					  : try_core(l, st->inv, st->vic, &bf, why, sizeof(why));
		if (!err)
			break;
		oomtrace_log(i + 1 == nsteps ? OOMTRACE_LOG_ERROR : OOMTRACE_LOG_INFO,
			     "probe %s%s%s: not usable here: %s", st->inv ? lb_pr_names[st->inv] : "",
			     st->inv && st->vic ? "+" : "", st->vic ? lb_pr_names[st->vic] : "", why);
	}
	kbtf_free(&l->kbtf); /* loaded and attached: the kernel's BTF is not read again */
	if (l->core_fd >= 0)
		close(l->core_fd);
	if (err) {
		oomtrace_kjoin_detach(&l->live);
		free(l);
		/* permissions were checked by probe(): a refusal now means the probe cannot work here */
		return -ENOENT;
	}
	snprintf(l->probe_desc, sizeof(l->probe_desc), "%s%s%s%s",
		 l->inv != PR_NONE ? lb_pr_names[l->inv] : "", l->inv != PR_NONE && l->vic != PR_NONE ? "+" : "",
		 l->vic != PR_NONE ? lb_pr_names[l->vic] : "", l->vic == PR_NOBTF ? " (BTF-less object)" : "");
	*state = l;
	return 0;
}

static int lb_poll(void *state, int timeout_ms, oomtrace_event_fn fn, void *ctx)
{
	struct lb *l = state;
	int r;

	oomtrace_live_poll_begin(&l->live, fn, ctx);
	r = l->rb ? ring_buffer__poll(l->rb, timeout_ms) : perf_buffer__poll(l->pb, timeout_ms);
	return oomtrace_live_poll_end(&l->live, r);
}

static int lb_stop(void *state)
{
	struct lb *l = state;

	/* consume what is already in the buffers, then detach */
	if (l->rb)
		ring_buffer__consume(l->rb);
	else if (l->pb)
		perf_buffer__consume(l->pb);
	while (l->nlinks > 0)
		bpf_link__destroy(l->links[--l->nlinks]);
	return 0;
}

static void lb_close(void *state)
{
	struct lb *l = state;

	if (!l)
		return;
	destroy(l);
	oomtrace_kjoin_detach(&l->live);
	free(l);
}

static uint64_t lb_lost(void *state)
{
	struct lb *l = state;
	uint64_t total = l->pb_lost;
	__u32 zero = 0;

	if (l->drops_fd >= 0) {
		if (l->drops_percpu) {
			int i, n = libbpf_num_possible_cpus();
			__u64 *v = n > 0 ? calloc((size_t)n, sizeof(*v)) : NULL;

			if (v && bpf_map_lookup_elem(l->drops_fd, &zero, v) == 0)
				for (i = 0; i < n; i++)
					total += v[i];
			free(v);
		} else {
			__u64 v = 0;

			if (bpf_map_lookup_elem(l->drops_fd, &zero, &v) == 0)
				total += v;
		}
	}
	return total;
}

static const char *lb_probe_name(void *state)
{
	return ((struct lb *)state)->probe_desc;
}

static void lb_check(const struct oomtrace_backend_opts *o, struct oomtrace_check *c)
{
	struct lb_features bf;
	const char *tfs = oomtrace_tracefs_dir(geteuid() == 0, NULL, 0);
	char sym[256] = "", p[200];
	struct tpf f;
	int rb = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);

	char ext[512];

	find_ext_btf(o, ext, sizeof(ext));
	features(&bf, ext, NULL);
	if (ext[0])
		oomtrace_check_add(c, "btf", "file", "%s (CO-RE for kprobe and tracepoint; fentry and tp_btf need /sys/kernel/btf/vmlinux)%s",
				   ext, have_btf() || btf_file_usable(ext) ? "" : ": NO BTF IN IT");
	else
		oomtrace_check_add(c, "btf", have_btf() ? "yes" : "no", "%s",
				   have_btf() ? "/sys/kernel/btf/vmlinux"
					      : "no /sys/kernel/btf/vmlinux nor /usr/lib/oomtrace/btf/$(uname -r).btf, /boot/vmlinux-$(uname -r), /usr/lib/debug/...: only the BTF-less object (or --btf FILE)");
	oomtrace_check_add(c, "tracefs", tfs ? "mounted" : "no", "%s",
			   tfs ? tfs : "mount -t tracefs tracefs /sys/kernel/tracing");
	if (tfs) {
		snprintf(p, sizeof(p), "%s/events/oom/mark_victim/format", tfs);
		if (tpf_load(p, &f) == 0) {
			char fields[160] = "";
			size_t o2 = 0;
			unsigned int i;

			for (i = 0; i < f.nfields && o2 < sizeof(fields); i++)
				o2 += (size_t)snprintf(fields + o2, sizeof(fields) - o2, "%s%s", i ? "," : "", f.f[i].name);
			oomtrace_check_add(c, "tracepoint", "yes", "oom:mark_victim fields: %s", fields);
		} else {
			oomtrace_check_add(c, "tracepoint", "no", "no oom:mark_victim (kernel < 4.13?)");
		}
	} else {
		oomtrace_check_add(c, "tracepoint", "unknown", "tracefs not mounted");
	}
	oomtrace_check_add(c, "tp_btf", bf.tp_btf && (bf.tp_task_arg || bf.task_from_pid) ? "yes" : "no",
			   "%s", !bf.tp_btf ? "no btf_trace_mark_victim in BTF"
			   : bf.tp_task_arg ? "mark_victim(task, uid): 6.9+ layout"
			   : bf.task_from_pid ? "mark_victim(pid) + bpf_task_from_pid"
					      : "mark_victim(pid) and no bpf_task_from_pid kfunc (< 6.2)");
	oomtrace_check_add(c, "kprobes", oomtrace_kprobes_available() ? "yes" : "no", "%s",
			   oomtrace_kprobes_available() ? (find_okp_symbol(sym, sizeof(sym)) ? sym : "oom_kill_process not in kallsyms")
					       : "no kprobe PMU and no kprobe_events (CONFIG_KPROBES off)");
	oomtrace_check_add(c, "fentry", bf.okp_btf && !bf.fentry_err ? "yes" : "no", "%s%s",
			   !bf.okp_btf ? "oom_kill_process not in BTF"
			   : bf.fentry_err ? "oom_kill_process in BTF, but the kernel refuses a fentry program there: "
					   : "a fentry program at oom_kill_process loads",
			   bf.okp_btf && bf.fentry_err ? bpf_strerror(bf.fentry_err) : "");
	oomtrace_check_add(c, "ring buffer", rb == 1 ? "yes" : "no", "%s",
			   rb == 1 ? "BPF ring buffer (5.8+)" : "perf buffer will be used");
}

const struct oomtrace_backend_ops oomtrace_libbpf_ops = {
	.name = "libbpf",
	.probe = lb_probe,
	.open = lb_open,
	.poll = lb_poll,
	.stop = lb_stop,
	.close = lb_close,
	.lost = lb_lost,
	.probe_name = lb_probe_name,
	.check = lb_check,
};
