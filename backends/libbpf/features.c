// SPDX-License-Identifier: GPL-2.0-or-later
/* features.c: the libbpf backend's view of this kernel: BTF, tracefs, kprobes, fentry; probe() and
 * --check. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "klog.h"
#include "lb.h"
#include "log.h"
#include "util.h"

bool lb_have_btf(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

/* Where a kernel without /sys/kernel/btf/vmlinux may have its BTF: prefix, uname -r, suffix. */
static const char *const btf_search[][2] = {
    {"/usr/lib/oomtrace/btf/", ".btf"}, /* package-owned, per release (BTF archives' layout) */
    {"/boot/vmlinux-", ""},
    {"/usr/lib/debug/boot/vmlinux-", ""},
    {"/usr/lib/debug/lib/modules/", "/vmlinux"},
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
void lb_find_ext_btf(const struct oomtrace_backend_opts *o, char *path, size_t sz)
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
	if (lb_have_btf() || uname(&u))
		return;
	for (i = 0; i < sizeof(btf_search) / sizeof(btf_search[0]); i++) {
		snprintf(path, sz, "%s%s%s", btf_search[i][0], u.release, btf_search[i][1]);
		if (btf_file_usable(path))
			return;
	}
	path[0] = '\0';
}

/* The oom_kill_process symbol to kprobe: the function or one of its clones (.isra/.constprop). */
bool lb_find_okp_symbol(char *name, size_t namesz)
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
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	int id = kbtf_find(k, "oom_kill_process", BTF_KIND_FUNC);
	int fd, err = 0;

	if (id <= 0)
		return ENOENT;
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = (__u32)id);
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "oomtrace_probe", "GPL", insns, 2, &o);
	if (fd < 0)
		err = errno ? errno : EINVAL;
	else
		close(fd);
	return err;
}

/* What this kernel offers. The kernel's BTF, where read, stays in @k for the load (NULL: freed). */
void lb_features(struct lb_features *f, const char *ext_btf, struct kbtf *keep)
{
	struct kbtf bs;
	const char *tfs;
	char sym[256], p[200], fmt[4096] = "";
	int fd;

	memset(f, 0, sizeof(*f));
	tfs = oomtrace_tracefs_dir(geteuid() == 0, NULL, 0);
	f->tracepoint = tfs != NULL;
	f->kprobes = oomtrace_kprobes_available();
	f->okp_symbol =
	    f->kprobes && lb_find_okp_symbol(sym, sizeof(sym)); /* kallsyms only when useful */
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
	if (!lb_have_btf() || kbtf_load(&bs, NULL))
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
		f->tp_task_arg =
		    kbtf_param_is_ptr(&bs, "btf_trace_mark_victim", 1) == 1; /* [0]: void *data */
	f->task_from_pid = kbtf_has_name(&bs, "bpf_task_from_pid");
	f->okp_btf = kbtf_has_name(&bs, "oom_kill_process");
	if (f->okp_btf)
		f->fentry_err = fentry_probe(&bs);
	f->tp_signal = kbtf_has_name(&bs, "btf_trace_signal_generate");
	f->tp_reaper = kbtf_has_name(&bs, "btf_trace_finish_task_reaping") &&
		       kbtf_has_name(&bs, "btf_trace_skip_task_reaping");
	f->tp_reclaim = kbtf_has_name(&bs, "btf_trace_mm_vmscan_memcg_reclaim_end") &&
			kbtf_has_name(&bs, "btf_trace_mm_vmscan_direct_reclaim_end");
	if (keep)
		*keep = bs;
	else
		kbtf_free(&bs);
}

/* strerror(), but the kernel-internal ENOTSUPP (524) that BPF loads return says what it means */
const char *lb_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err == 524)
		return "not supported by this kernel (ENOTSUPP)";
	return strerror(err);
}

int lb_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's own chatter: only with -vv, one of our lines per line of theirs */
	char *msg;
	int n;

	if (oomtrace_log_get_level() < OOMTRACE_LOG_DEBUG || level == LIBBPF_DEBUG)
		return 0;
	if ((n = vasprintf(&msg, fmt, ap)) < 0)
		return 0;
	/* a verifier's log says why at its end, and our lines are shorter than it: its head and
	 * its tail */
	if (n > 1200)
		oomtrace_debug("%.300s [...] %s", msg, msg + n - 800);
	else
		oomtrace_debug("%s", msg);
	free(msg);
	return 0;
}

/* Why the plan has no step for @probe on this kernel, in the words of --check. */
const char *lb_forced_why(const struct lb_features *f, const char *probe)
{
	if (!probe)
		return !f->tracepoint ? "no oom:mark_victim tracepoint (tracefs)"
				      : "nothing usable (see oomtrace --check)";
	if (!strcmp(probe, "fentry")) {
		static char refused[160];

		snprintf(refused, sizeof(refused),
			 "the kernel refused a fentry program at oom_kill_process: %s",
			 lb_strerror(f->fentry_err));
		return !f->btf ? "needs the kernel's own BTF"
		       : !f->okp_btf
			   ? "oom_kill_process is not in the kernel's BTF: no fentry target here"
			   : refused;
	}
	if (!strcmp(probe, "kprobe"))
		return !f->kprobes
			   ? "kprobes not available in this kernel (no kprobe PMU or kprobe_events)"
		       : !f->okp_symbol ? "oom_kill_process is not in /proc/kallsyms"
					: "needs kernel BTF or a BTF file (--btf)";
	if (!strcmp(probe, "tp_btf"))
		return !f->btf	    ? "needs the kernel's own BTF"
		       : !f->tp_btf ? "no btf_trace_mark_victim in the kernel's BTF"
				    : "mark_victim passes only a pid here and bpf_task_from_pid "
				      "(6.2+) is missing";
	return !f->tracepoint ? "no oom:mark_victim tracepoint (tracefs)"
			      : "not usable (see oomtrace --check)";
}

int lb_probe(const struct oomtrace_backend_opts *o, char *why, size_t whysz)
{
	char ext[512];
	bool btf, kbtf = lb_have_btf() && !o->no_btf;

	libbpf_set_print(lb_libbpf_print);
	if (!oomtrace_live_permitted(why, whysz))
		return -EPERM;
	lb_find_ext_btf(o, ext, sizeof(ext));
	btf = kbtf || ext[0];
	if (o->btf_file && !btf_file_usable(o->btf_file)) {
		snprintf(why, whysz,
			 "--btf %s: no BTF in that file (raw BTF or an ELF vmlinux with .BTF)",
			 o->btf_file);
		return -EINVAL;
	}
	if (o->probe && strcmp(o->probe, "fentry") && strcmp(o->probe, "kprobe") &&
	    strcmp(o->probe, "tp_btf") && strcmp(o->probe, "tracepoint")) {
		snprintf(why, whysz, "unknown probe '%s' (fentry, kprobe, tp_btf, tracepoint)",
			 o->probe);
		return -EINVAL;
	}
	if (!kbtf && o->probe && (!strcmp(o->probe, "fentry") || !strcmp(o->probe, "tp_btf"))) {
		snprintf(why, whysz,
			 "probe %s needs the kernel's own BTF (/sys/kernel/btf/vmlinux)%s",
			 o->probe,
			 o->no_btf ? " and --no-btf was given"
				   : "; a BTF file serves kprobe and tracepoint only");
		return -ENOENT;
	}
	if (!btf && o->probe && !strcmp(o->probe, "kprobe")) {
		snprintf(why, whysz,
			 "probe kprobe needs kernel BTF: /sys/kernel/btf/vmlinux, --btf FILE or "
			 "/usr/lib/oomtrace/btf/$(uname -r).btf%s",
			 o->no_btf ? " (and --no-btf was given)" : "");
		return -ENOENT;
	}
	if (!btf && !oomtrace_tracefs_dir(true, why, whysz))
		return -ENOENT;
	return 0;
}

/* Userspace killers' kills: the signal program the CO-RE object attaches, and the journal. */
static void check_killers(struct oomtrace_check *c, const struct lb_features *bf, const char *tfs)
{
	bool tp = tfs && oomtrace_tracefs_has(tfs, "signal/signal_generate");
	struct oomtrace_klog *g;
	char why[200] = "";

	oomtrace_check_add(c, "killers", bf->tp_signal || tp ? "yes" : "no", "%s",
			   bf->tp_signal ? "signal_generate (tp_btf) and sched_process_exit: "
					   "userspace killers' SIGTERM/SIGKILL told in the kernel"
			   : tp		 ? "signal_generate (tracepoint) and sched_process_exit"
					 : "no signal:signal_generate tracepoint");
	g = oomtrace_klog_open(why, sizeof(why));
	oomtrace_check_add(c, "killers' log", g ? "yes" : "no", "%s",
			   g ? "the systemd journal, followed for their own lines" : why);
	oomtrace_klog_close(g);
}

void lb_check(const struct oomtrace_backend_opts *o, struct oomtrace_check *c)
{
	struct lb_features bf;
	const char *tfs = oomtrace_tracefs_dir(geteuid() == 0, NULL, 0);
	char sym[256] = "", p[200];
	struct tpf f;
	int rb = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);

	char ext[512];

	lb_find_ext_btf(o, ext, sizeof(ext));
	lb_features(&bf, ext, NULL);
	if (ext[0])
		oomtrace_check_add(c, "btf", "file",
				   "%s (CO-RE for kprobe and tracepoint; fentry and tp_btf need "
				   "/sys/kernel/btf/vmlinux)%s",
				   ext,
				   lb_have_btf() || btf_file_usable(ext) ? "" : ": NO BTF IN IT");
	else
		oomtrace_check_add(
		    c, "btf", lb_have_btf() ? "yes" : "no", "%s",
		    lb_have_btf() ? "/sys/kernel/btf/vmlinux"
				  : "no /sys/kernel/btf/vmlinux nor /usr/lib/oomtrace/btf/$(uname "
				    "-r).btf, /boot/vmlinux-$(uname -r), /usr/lib/debug/...: only "
				    "the BTF-less object (or --btf FILE)");
	oomtrace_check_add(c, "tracefs", tfs ? "mounted" : "no", "%s",
			   tfs ? tfs : "mount -t tracefs tracefs /sys/kernel/tracing");
	if (tfs) {
		snprintf(p, sizeof(p), "%s/events/oom/mark_victim/format", tfs);
		if (tpf_load(p, &f) == 0) {
			char fields[160] = "";
			size_t o2 = 0;
			unsigned int i;

			for (i = 0; i < f.nfields && o2 < sizeof(fields); i++)
				o2 += (size_t)snprintf(fields + o2, sizeof(fields) - o2, "%s%s",
						       i ? "," : "", f.f[i].name);
			oomtrace_check_add(c, "tracepoint", "yes", "oom:mark_victim fields: %s",
					   fields);
		} else {
			oomtrace_check_add(c, "tracepoint", "no",
					   "no oom:mark_victim (kernel < 4.13?)");
		}
	} else {
		oomtrace_check_add(c, "tracepoint", "unknown", "tracefs not mounted");
	}
	oomtrace_check_add(
	    c, "tp_btf", bf.tp_btf && (bf.tp_task_arg || bf.task_from_pid) ? "yes" : "no", "%s",
	    !bf.tp_btf	       ? "no btf_trace_mark_victim in BTF"
	    : bf.tp_task_arg   ? "mark_victim(task, uid): 6.9+ layout"
	    : bf.task_from_pid ? "mark_victim(pid) + bpf_task_from_pid"
			       : "mark_victim(pid) and no bpf_task_from_pid kfunc (< 6.2)");
	oomtrace_check_add(
	    c, "kprobes", oomtrace_kprobes_available() ? "yes" : "no", "%s",
	    oomtrace_kprobes_available()
		? (lb_find_okp_symbol(sym, sizeof(sym)) ? sym : "oom_kill_process not in kallsyms")
		: "no kprobe PMU and no kprobe_events (CONFIG_KPROBES off)");
	oomtrace_check_add(
	    c, "fentry", bf.okp_btf && !bf.fentry_err ? "yes" : "no", "%s%s",
	    !bf.okp_btf ? "oom_kill_process not in BTF"
	    : bf.fentry_err
		? "oom_kill_process in BTF, but the kernel refuses a fentry program there: "
		: "a fentry program at oom_kill_process loads",
	    bf.okp_btf && bf.fentry_err ? lb_strerror(bf.fentry_err) : "");
	oomtrace_check_add(c, "ring buffer", rb == 1 ? "yes" : "no", "%s",
			   rb == 1 ? "BPF ring buffer (5.8+)" : "perf buffer will be used");
	check_killers(c, &bf, tfs);
}
