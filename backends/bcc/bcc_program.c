// SPDX-License-Identifier: GPL-2.0-or-later
/* bcc_program.c: generate the embedded BPF C program per kernel features; convert its records. */
#include "config.h"

#include <string.h>

#include "backend.h"
#include "bcc_program.h"

static const char prologue[] =
    "#include <uapi/linux/ptrace.h>\n" BCC_WIRE_TEXT ";\n" BCC_KILL_TEXT ";\n"
    "struct sigk { int target; u64 ts; };\n"
    "#if RINGBUF\n"
    "BPF_RINGBUF_OUTPUT(events, RINGBUF_PAGES);\n"
    "#else\n"
    "BPF_PERF_OUTPUT(events);\n"
    "#endif\n"
    /* memory-mapped (5.5+): the sandboxed tracer reads it without bpf(2) or CAP_BPF */
    "#if MMAPABLE\n"
    "BPF_F_TABLE(\"array\", int, u64, drops, 1, 1U << 10 /* BPF_F_MMAPABLE */);\n"
    "#else\n"
    "BPF_ARRAY(drops, u64, 1);\n"
    "#endif\n"
    "BPF_PERCPU_ARRAY(kscratch, struct bcc_kill, 1);\n"
    "BPF_TABLE(\"lru_hash\", u32, struct sigk, sigkill, 4096);\n"
    "static __always_inline void send(void *ctx, void *w, u32 size)\n"
    "{\n"
    "#if RINGBUF\n"
    "\tif (events.ringbuf_output(w, size, 0) < 0) {\n"
    "#else\n"
    "\tif (events.perf_submit(ctx, w, size) < 0) {\n"
    "#endif\n"
    "\t\tint z = 0;\n"
    "\t\tu64 *d = drops.lookup(&z);\n"
    "\t\tif (d)\n"
    "\t\t\tlock_xadd(d, 1);\n"
    "\t}\n"
    "}\n"
    "static __always_inline void send_w(void *ctx, struct oomtrace_kill_wire *w)\n"
    "{\n"
    "\tsend(ctx, w, sizeof(*w));\n"
    "}\n"
    "static __always_inline void send_kill(void *ctx, struct bcc_kill *w)\n"
    "{\n"
    "#if KSTACK && LINUX_VERSION_CODE >= KERNEL_VERSION(4, 18, 0)\n"
    "\tlong n = bpf_get_stack(ctx, w->kstack, sizeof(w->kstack), 0);\n"
    "\tw->kstack_bytes = n > 0 ? n : 0;\n"
    "#endif\n"
    "\tsend(ctx, w, sizeof(*w));\n"
    "}\n"
    "static __always_inline struct bcc_kill *new_kill(void)\n"
    "{\n"
    "\tint z = 0;\n"
    "\tstruct bcc_kill *w = kscratch.lookup(&z);\n"
    "\tif (w)\n"
    "\t\t__builtin_memset(w, 0, sizeof(*w));\n"
    "\treturn w;\n"
    "}\n"
    "static __always_inline void trigger(struct oomtrace_kill_wire *w)\n"
    "{\n"
    "\tu64 id = bpf_get_current_pid_tgid();\n"
    "\tw->trigger_pid = (u32)id;\n"
    "\tw->trigger_tgid = id >> 32;\n"
    "\tbpf_get_current_comm(&w->trigger_comm, sizeof(w->trigger_comm));\n"
    "#if LINUX_VERSION_CODE >= KERNEL_VERSION(4, 18, 0)\n"
    "\tw->trigger_cgid = bpf_get_current_cgroup_id();\n"
    "\tw->flags |= BWF_TRIGGER_CGID;\n"
    "#endif\n"
    "#if SIGNALS\n"
    "\tu32 tid = (u32)id;\n"
    "\tstruct sigk *k = sigkill.lookup(&tid);\n"
    "\tw->sig_seen = 1;\n"
    "\tif (k) {\n"
    "\t\tw->sig_target = k->target;\n"
    "\t\tw->sig_ts_ns = k->ts;\n"
    "\t}\n"
    "#endif\n"
    "}\n";

/* mark_victim: only args (from the live tracefs format) and helpers, so any headers do */
static const char tracepoint_text[] =
    "TRACEPOINT_PROBE(oom, mark_victim)\n"
    "{\n"
    "\tstruct bcc_kill *w = new_kill();\n"
    "\tif (!w)\n"
    "\t\treturn 0;\n"
    "\tw->ts_ns = bpf_ktime_get_ns();\n"
    "\tw->kind = BW_KILL;\n"
    "\tw->probe = BWP_TRACEPOINT;\n"
    "\tw->victim_pid = args->pid;\n"
    "#if TP_MEM\n"
    "\tTP_DATA_LOC_READ_CONST(w->victim_comm, comm, sizeof(w->victim_comm));\n"
    "\tw->total_vm_kb = args->total_vm;\n"
    "\tw->anon_kb = args->anon_rss;\n"
    "\tw->file_kb = args->file_rss;\n"
    "\tw->shmem_kb = args->shmem_rss;\n"
    "\tw->pgtables_kb = args->pgtables;\n"
    "\tw->victim_uid = args->uid;\n"
    "\tw->victim_adj = args->oom_score_adj;\n"
    "\tw->flags |= BWF_MM | BWF_PGTABLES | BWF_UID | BWF_ADJ;\n"
    "#endif\n"
    "\ttrigger((struct oomtrace_kill_wire *)w);\n"
    "\tsend_kill(args, w);\n"
    "\treturn 0;\n"
    "}\n";

/* oom_kill_process(struct oom_control *oc, const char *message), 4.9+: needs matching headers */
static const char kprobe_text[] =
    "#include <linux/sched.h>\n"
    "#include <linux/oom.h>\n"
    "#include <linux/mm_types.h>\n"
    "#include <linux/memcontrol.h>\n"
    "#include <linux/cred.h>\n"
    "#if LINUX_VERSION_CODE < KERNEL_VERSION(4, 9, 0)\n"
    "#error \"oom_kill_process() before 4.9 takes (oc, p, points, totalpages, memcg, message): "
    "not supported, use --probe tracepoint\"\n"
    "#endif\n"
    "int okp_entry(struct pt_regs *ctx, struct oom_control *oc)\n"
    "{\n"
    "\tstruct bcc_kill *w = new_kill();\n"
    "\tif (!w)\n"
    "\t\treturn 0;\n"
    "\tstruct task_struct *p = oc->chosen;\n"
    "\tstruct mm_struct *mm;\n"
    "\tw->ts_ns = bpf_ktime_get_ns();\n"
    "\tw->kind = BW_KILL;\n"
    "\tw->probe = BWP_KPROBE;\n"
    "\tw->totalpages = oc->totalpages;\n"
    "\tw->points = oc->chosen_points;\n"
    "\tw->gfp_mask = oc->gfp_mask;\n"
    "\tw->order = oc->order;\n"
    "\tw->flags |= BWF_OC | BWF_POINTS;\n"
    "#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 0, 0)\n"
    "\tw->constraint = oc->constraint;\n"
    "\tw->flags |= BWF_CONSTRAINT;\n"
    "#endif\n"
    "#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 5, 0)\n"
    "\tif (oc->memcg) {\n"
    "\t\tw->oom_memcg_cgid = oc->memcg->css.cgroup->kn->id;\n"
    "\t\tw->flags |= BWF_OOM_MEMCG_CGID;\n"
    "\t}\n"
    "#endif\n"
    "\tif (!p)\n"
    "\t\treturn 0;\n"
    "\tw->victim_pid = p->pid;\n"
    "\tw->victim_tgid = p->tgid;\n"
    "\tbpf_probe_read(w->victim_comm, sizeof(w->victim_comm), p->comm);\n"
    "\tw->victim_uid = p->real_cred->uid.val;\n"
    "\tw->victim_adj = p->signal->oom_score_adj;\n"
    "\tw->flags |= BWF_VTASK | BWF_UID | BWF_ADJ;\n"
    "#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 5, 0) && defined(CONFIG_MEMCG)\n"
    "\t{\n"
    "\t\tstruct css_set *cs = p->cgroups;\n"
    "\t\tstruct cgroup_subsys_state *css = NULL;\n"
    /* an explicit address again: the rewriter would stride subsys[] as a whole array */
    "\t\tbpf_probe_read(&css, sizeof(css), (void *)&cs->subsys[memory_cgrp_id]);\n"
    /* css came from a helper, not a dereference: the rewriter would not follow it */
    "\t\tstruct cgroup *cg = NULL;\n"
    "\t\tstruct kernfs_node *kn = NULL;\n"
    "\t\tu64 id = 0;\n"
    "\t\tif (css)\n"
    "\t\t\tbpf_probe_read(&cg, sizeof(cg), (void *)&css->cgroup);\n"
    "\t\tif (cg)\n"
    "\t\t\tbpf_probe_read(&kn, sizeof(kn), (void *)&cg->kn);\n"
    "\t\tif (kn)\n"
    "\t\t\tbpf_probe_read(&id, sizeof(id), (void *)&kn->id);\n"
    "\t\tif (id) {\n"
    "\t\t\tw->victim_cgid = id;\n"
    "\t\t\tw->flags |= BWF_VICTIM_CGID;\n"
    "\t\t}\n"
    "\t}\n"
    "#endif\n"
    "\tmm = p->mm;\n"
    "\tif (mm) {\n"
    "\t\tw->total_vm_kb = mm->total_vm << (PAGE_SHIFT - 10);\n"
    /*
     * Each counter through its own explicit address: BCC's rewriter turns
     * mm->rss_stat.count[i].counter into a read at &mm->rss_stat.count + i,
     * striding over whole arrays (garbage sizes), but leaves &... alone.
     * Negative per-CPU drift reads as 0, as the kernel's get_mm_counter does.
     */
    "#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)\n"
    "#define RSS(i) ({ long long v_ = 0; bpf_probe_read(&v_, sizeof(v_), (void "
    "*)&mm->rss_stat[i].count); v_ < 0 ? 0 : v_; })\n"
    "#else\n"
    "#define RSS(i) ({ long v_ = 0; bpf_probe_read(&v_, sizeof(v_), (void "
    "*)&mm->rss_stat.count[i].counter); v_ < 0 ? 0 : v_; })\n"
    "#endif\n"
    "\t\tw->anon_kb = RSS(MM_ANONPAGES) << (PAGE_SHIFT - 10);\n"
    "\t\tw->file_kb = RSS(MM_FILEPAGES) << (PAGE_SHIFT - 10);\n"
    "\t\tw->shmem_kb = RSS(MM_SHMEMPAGES) << (PAGE_SHIFT - 10);\n"
    "\t\tw->swap_kb = RSS(MM_SWAPENTS) << (PAGE_SHIFT - 10);\n"
    "\t\tw->flags |= BWF_MM | BWF_SWAP;\n"
    "#if LINUX_VERSION_CODE >= KERNEL_VERSION(4, 15, 0)\n"
    "\t\t{\n"
    "\t\t\tlong pt = 0;\n"
    "\t\t\tbpf_probe_read(&pt, sizeof(pt), (void *)&mm->pgtables_bytes.counter);\n"
    "\t\t\tw->pgtables_kb = pt >> 10;\n"
    "\t\t}\n"
    "\t\tw->flags |= BWF_PGTABLES;\n"
    "#endif\n"
    "\t}\n"
    "\ttrigger((struct oomtrace_kill_wire *)w);\n"
    "\tw->sig_seen = 0; /* a kill by definition: the signal is sent after this point */\n"
    /*
     * At the first instruction the return address into out_of_memory is still in the link
     * register (x30), where the frame-pointer unwinder does not look: it would start at
     * out_of_memory's caller. bpf_target_arm64 is libbcc's (0.21+); __aarch64__ older ones'.
     */
    "#if KSTACK && (defined(bpf_target_arm64) || defined(__aarch64__))\n"
    "\tw->kstack_lr = ctx->regs[30];\n"
    "#endif\n"
    "\tsend_kill(ctx, w);\n"
    "\treturn 0;\n"
    "}\n";

static const char signal_text[] = "TRACEPOINT_PROBE(signal, signal_generate)\n"
				  "{\n"
				  "\tstruct sigk k = {};\n"
				  "\tu32 tid;\n"
				  "\tif (args->sig != 9)\n"
				  "\t\treturn 0;\n"
				  "\ttid = (u32)bpf_get_current_pid_tgid();\n"
				  "\tk.target = args->pid;\n"
				  "\tk.ts = bpf_ktime_get_ns();\n"
				  "\tsigkill.update(&tid, &k);\n"
				  "\treturn 0;\n"
				  "}\n";

/* the reaper's tracepoints pass only a pid: raw tracepoints (4.17+), cheap to detach */
static const char reaper_text[] =
    "static __always_inline int reaped(void *ctx, int pid, unsigned int kind)\n"
    "{\n"
    "\tstruct oomtrace_kill_wire w = {};\n"
    "\tw.ts_ns = bpf_ktime_get_ns();\n"
    "\tw.kind = kind;\n"
    "\tw.victim_pid = pid;\n"
    "\tsend_w(ctx, &w);\n"
    "\treturn 0;\n"
    "}\n"
    "#if RAW_REAPER\n"
    "RAW_TRACEPOINT_PROBE(finish_task_reaping)\n"
    "{\n"
    "\treturn reaped(ctx, (int)ctx->args[0], BW_FINISH_REAP);\n"
    "}\n"
    "RAW_TRACEPOINT_PROBE(skip_task_reaping)\n"
    "{\n"
    "\treturn reaped(ctx, (int)ctx->args[0], BW_SKIP_REAP);\n"
    "}\n"
    "#else\n"
    "TRACEPOINT_PROBE(oom, finish_task_reaping)\n"
    "{\n"
    "\treturn reaped(args, args->pid, BW_FINISH_REAP);\n"
    "}\n"
    "TRACEPOINT_PROBE(oom, skip_task_reaping)\n"
    "{\n"
    "\treturn reaped(args, args->pid, BW_SKIP_REAP);\n"
    "}\n"
    "#endif\n";

int bcc_program_text(const struct bcc_features *f, struct oomtrace_buf *b)
{
	int r = 0;

	r |= oomtrace_buf_printf(
	    b,
	    "#define BW_KILL %d\n#define BW_FINISH_REAP %d\n#define BW_SKIP_REAP %d\n"
	    "#define BWP_KPROBE %d\n#define BWP_TRACEPOINT %d\n"
	    "#define BWF_MM %d\n#define BWF_PGTABLES %d\n#define BWF_UID %d\n"
	    "#define BWF_ADJ %d\n#define BWF_OC %d\n#define BWF_POINTS %d\n#define BWF_CONSTRAINT "
	    "%d\n"
	    "#define BWF_VTASK %d\n#define BWF_TRIGGER_CGID %d\n"
	    "#define BWF_OOM_MEMCG_CGID %d\n#define BWF_SWAP %d\n#define BWF_VICTIM_CGID %d\n"
	    "#define TP_MEM %d\n#define SIGNALS %d\n#define RAW_REAPER %d\n"
	    "#define RINGBUF %d\n#define RINGBUF_PAGES %u\n#define KSTACK %d\n#define MMAPABLE "
	    "%d\n",
	    BW_KILL, BW_FINISH_REAP, BW_SKIP_REAP, BWP_KPROBE, BWP_TRACEPOINT, BWF_MM, BWF_PGTABLES,
	    BWF_UID, BWF_ADJ, BWF_OC, BWF_POINTS, BWF_CONSTRAINT, BWF_VTASK, BWF_TRIGGER_CGID,
	    BWF_OOM_MEMCG_CGID, BWF_SWAP, BWF_VICTIM_CGID, f->tp_mem, f->signals && !f->kprobe,
	    f->raw_tp, f->ringbuf, f->ring_pages ? f->ring_pages : OOMTRACE_BUFFER_KB_DEFAULT / 4,
	    f->kstack, f->mmapable);
	r |= oomtrace_buf_append(b, prologue, sizeof(prologue) - 1);
	if (f->kprobe)
		r |= oomtrace_buf_append(b, kprobe_text, sizeof(kprobe_text) - 1);
	else if (f->tracepoint)
		r |= oomtrace_buf_append(b, tracepoint_text, sizeof(tracepoint_text) - 1);
	if (f->signals && !f->kprobe)
		r |= oomtrace_buf_append(b, signal_text, sizeof(signal_text) - 1);
	if (f->reaper)
		r |= oomtrace_buf_append(b, reaper_text, sizeof(reaper_text) - 1);
	return r ? -12 : 0;
}
