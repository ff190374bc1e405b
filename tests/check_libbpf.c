// SPDX-License-Identifier: GPL-2.0-or-later
/* check_libbpf.c: the libbpf backend's kernel-free parts: probe-chain plans, wire and raw records →
 * events. */
#include "config.h"

#include <errno.h>

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "helpers.h"

#include <linux/btf.h>
#include <stdio.h>
#include <unistd.h>

#include "convert.h"
#include "kbtf.h"
#include "live.h"
#include "plan.h"
#include "tpformat.h"

#define STEP(i, v) ((i)*8 + (v))

static int plan(const struct lb_features *f, const char *forced, bool no_btf, int *out)
{
	struct lb_step s[16];
	int n = lb_plan(f, forced, no_btf, s, 16), i;

	for (i = 0; i < n; i++)
		out[i] = STEP(s[i].inv, s[i].vic);
	return n;
}

/* this development machine: 6.18 x86, BTF, no kprobes */
static const struct lb_features here = {.btf = true,
					.okp_btf = true,
					.tp_btf = true,
					.tp_task_arg = true,
					.task_from_pid = true,
					.tracepoint = true};

START_TEST(plan_here)
{
	int s[16], want[] = {STEP(PR_FENTRY, PR_TP_BTF),     STEP(PR_NONE, PR_TP_BTF),
			     STEP(PR_FENTRY, PR_TRACEPOINT), STEP(PR_NONE, PR_TRACEPOINT),
			     STEP(PR_FENTRY, PR_NONE),	     STEP(PR_NONE, PR_NOBTF)};

	ck_assert_int_eq(plan(&here, NULL, false, s), 6);
	ck_assert_mem_eq(s, want, sizeof(want));
}
END_TEST

START_TEST(plan_fentry_refused)
{
	/* this machine as it is: the kernel refuses a fentry program (EPERM): never loaded in full
	 */
	struct lb_features f = here;
	int s[16], want[] = {STEP(PR_NONE, PR_TP_BTF), STEP(PR_NONE, PR_TRACEPOINT),
			     STEP(PR_NONE, PR_NOBTF)};

	f.fentry_err = EPERM;
	ck_assert_int_eq(plan(&f, NULL, false, s), 3);
	ck_assert_mem_eq(s, want, sizeof(want));
	ck_assert_int_eq(plan(&f, "fentry", false, s), 0);
}
END_TEST

START_TEST(plan_openeuler_510_arm64)
{
	/* BTF and kprobes; mark_victim(pid) and no bpf_task_from_pid: tp_btf cannot see the task */
	struct lb_features f = {.btf = true,
				.okp_btf = true,
				.kprobes = true,
				.okp_symbol = true,
				.tp_btf = true,
				.tracepoint = true};
	int s[16], want[] = {STEP(PR_FENTRY, PR_TRACEPOINT), STEP(PR_KPROBE, PR_TRACEPOINT),
			     STEP(PR_NONE, PR_TRACEPOINT),   STEP(PR_FENTRY, PR_NONE),
			     STEP(PR_KPROBE, PR_NONE),	     STEP(PR_NONE, PR_NOBTF)};

	ck_assert_int_eq(plan(&f, NULL, false, s), 6);
	ck_assert_mem_eq(s, want, sizeof(want));
}
END_TEST

START_TEST(plan_no_btf_and_forced)
{
	struct lb_features nobtf = {.kprobes = true, .okp_symbol = true, .tracepoint = true};
	struct lb_features old = {
	    .btf = true, .okp_btf = true, .kprobes = true, .okp_symbol = true};
	int s[16];

	ck_assert_int_eq(plan(&nobtf, NULL, false, s), 1);
	ck_assert_int_eq(s[0], STEP(PR_NONE, PR_NOBTF));
	ck_assert_int_eq(plan(&here, NULL, true, s), 1); /* --no-btf */
	ck_assert_int_eq(s[0], STEP(PR_NONE, PR_NOBTF));
	ck_assert_int_eq(plan(&here, "tracepoint", true, s), 1);
	ck_assert_int_eq(s[0], STEP(PR_NONE, PR_NOBTF));
	ck_assert_int_eq(plan(&here, "tracepoint", false, s), 2); /* CO-RE first, then BTF-less */
	ck_assert_int_eq(s[0], STEP(PR_NONE, PR_TRACEPOINT));
	ck_assert_int_eq(plan(&here, "kprobe", false, s), 0); /* no kprobes here */
	ck_assert_int_eq(plan(&here, "tp_btf", true, s), 0);  /* needs BTF */
	ck_assert_int_eq(plan(&here, "uprobe", false, s), -1);
	/* before 4.13: no mark_victim; the invocation probe reports victims itself */
	ck_assert_int_eq(plan(&old, NULL, false, s), 2);
	ck_assert_int_eq(s[0], STEP(PR_FENTRY, PR_NONE));
	ck_assert_int_eq(s[1], STEP(PR_KPROBE, PR_NONE));
}
END_TEST

/* openEuler 22.03 GA's 5.10 arm64: no sysfs BTF, kprobes; a BTF file (--btf or the search path) */
START_TEST(plan_external_btf)
{
	struct lb_features f = {
	    .ext_btf = true, .kprobes = true, .okp_symbol = true, .tracepoint = true};
	int s[16], want[] = {STEP(PR_KPROBE, PR_TRACEPOINT), STEP(PR_NONE, PR_TRACEPOINT),
			     STEP(PR_KPROBE, PR_NONE), STEP(PR_NONE, PR_NOBTF)};

	ck_assert_int_eq(plan(&f, NULL, false, s), 4);
	ck_assert_mem_eq(s, want, sizeof(want));
	/* a BTF file never makes fentry or tp_btf usable: they attach by the kernel's own ids */
	f.okp_btf = f.tp_btf = f.tp_task_arg = f.task_from_pid = true;
	ck_assert_int_eq(plan(&f, "fentry", false, s), 0);
	ck_assert_int_eq(plan(&f, "tp_btf", false, s), 0);
	ck_assert_int_eq(plan(&f, "kprobe", false, s), 1);
	ck_assert_int_eq(s[0], STEP(PR_KPROBE, PR_NONE));
	/* --no-btf drops the file too */
	ck_assert_int_eq(plan(&f, NULL, true, s), 1);
	ck_assert_int_eq(s[0], STEP(PR_NONE, PR_NOBTF));
}
END_TEST

START_TEST(wire_to_event)
{
	struct w_event w;
	struct oomtrace_event ev;

	memset(&w, 0, sizeof(w));
	w.kind = W_KILL;
	w.ts_ns = 2000000000;
	w.victim_pid = 77;
	w.victim_tgid = 70;
	strcpy(w.victim_comm, "my hog");
	w.trigger_pid = 80;
	w.trigger_tgid = 80;
	strcpy(w.trigger_comm, "java");
	w.flags = WF_VICTIM_TASK | WF_MM | WF_UID | WF_ADJ | WF_VICTIM_CG | WF_OC | WF_CONSTRAINT |
		  WF_OOM_MEMCG | WF_POINTS;
	w.anon_kb = 65280;
	w.victim_uid = 1000;
	w.victim_adj = -500;
	w.victim_cg.depth = 2;
	strcpy(w.victim_cg.name[0], "leaf");
	strcpy(w.victim_cg.name[1], "kubepods");
	w.oom_memcg.depth = 1;
	strcpy(w.oom_memcg.name[0], "kubepods");
	w.constraint = 3;
	w.totalpages = 16384;
	w.points = 1999;
	w.sig_seen = 1;
	w.sig_target = 77;
	w.sig_ts_ns = w.ts_ns - 1000;
	oomtrace_event_init(&ev);
	lb_wire_to_event(&w, &ev);
	ck_assert_int_eq(ev.victim.pid, 77);
	ck_assert_int_eq(ev.victim.tgid, 70);
	ck_assert_str_eq(ev.victim.comm, "my hog");
	ck_assert_uint_eq(ev.victim.anon_rss_kb, 65280);
	ck_assert_uint_eq(ev.victim.uid, 1000);
	ck_assert_int_eq(ev.victim.oom_score_adj, -500);
	ck_assert_str_eq(ev.victim.cgroup, "/kubepods/leaf");
	ck_assert_str_eq(ev.oom_memcg, "/kubepods");
	ck_assert_int_eq(ev.constraint, OOMTRACE_CONSTRAINT_MEMCG);
	ck_assert_uint_eq(ev.totalpages, 16384);
	ck_assert_int_eq(ev.points, 1999);
	ck_assert_int_eq(ev.trigger.pid, 80);
	ck_assert(!(ev.victim.known & OOMTRACE_T_SWAP)); /* not flagged: unknown */
	ck_assert(!(ev.trigger.known & OOMTRACE_T_CGROUP));
	ck_assert(!(ev.known & OOMTRACE_E_EXITING)); /* SIGKILL went to it just before */
	/* no SIGKILL from this task to the victim: it was exiting already */
	w.sig_target = 12;
	oomtrace_event_init(&ev);
	lb_wire_to_event(&w, &ev);
	ck_assert(ev.known & OOMTRACE_E_EXITING);
	/* root cgroup, and a path deeper than kept */
	{
		struct w_cgpath p = {0};
		char s[128];

		lb_cg_path(&p, s, sizeof(s));
		ck_assert_str_eq(s, "/");
		p.depth = 1;
		p.truncated = 1;
		strcpy(p.name[0], "x");
		lb_cg_path(&p, s, sizeof(s));
		ck_assert_str_eq(s, "/.../x");
		ck_assert(!lb_cg_complete(&p));
		p.truncated = 0;
		ck_assert(lb_cg_complete(&p));
		memset(p.name[0], 'c', W_CG_NAME - 1); /* filled to the brim: may be cut */
		ck_assert(!lb_cg_complete(&p));
	}
	/* a Kubernetes-length component: never a cut path, the ids go to user space */
	memset(w.victim_cg.name[0], 'p', W_CG_NAME - 1);
	w.victim_cg.name[0][W_CG_NAME - 1] = '\0';
	w.flags |= WF_VICTIM_CGID | WF_OOM_MEMCG_CGID;
	w.victim_cgid = 901;
	w.oom_memcg_cgid = 902;
	oomtrace_event_init(&ev);
	lb_wire_to_event(&w, &ev);
	ck_assert(!(ev.victim.known & OOMTRACE_T_CGROUP));
	ck_assert(ev.victim.known & OOMTRACE_T_CGROUP_ID);
	ck_assert_uint_eq(ev.victim.cgroup_id, 901);
	ck_assert_str_eq(ev.oom_memcg, "/kubepods");
	ck_assert(ev.known & OOMTRACE_E_OOM_MEMCG_ID);
	ck_assert_uint_eq(ev.oom_memcg_id, 902);
}
END_TEST

/* tracefs formats of mark_victim: 6.9+ (this machine's) and the pid-only one before */
static const char fmt_new[] =
    "name: mark_victim\nID: 609\nformat:\n"
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
    "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
    "\tfield:int pid;\toffset:8;\tsize:4;\tsigned:1;\n"
    "\tfield:__data_loc char[] comm;\toffset:12;\tsize:4;\tsigned:0;\n"
    "\tfield:unsigned long total_vm;\toffset:16;\tsize:8;\tsigned:0;\n"
    "\tfield:unsigned long anon_rss;\toffset:24;\tsize:8;\tsigned:0;\n"
    "\tfield:unsigned long file_rss;\toffset:32;\tsize:8;\tsigned:0;\n"
    "\tfield:unsigned long shmem_rss;\toffset:40;\tsize:8;\tsigned:0;\n"
    "\tfield:uid_t uid;\toffset:48;\tsize:4;\tsigned:0;\n"
    "\tfield:unsigned long pgtables;\toffset:56;\tsize:8;\tsigned:0;\n"
    "\tfield:short oom_score_adj;\toffset:64;\tsize:2;\tsigned:1;\n\n"
    "print fmt: \"pid=%d comm=%s\", REC->pid, __get_str(comm)\n";
static const char fmt_old[] =
    "name: mark_victim\nformat:\n"
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
    "\tfield:int pid;\toffset:8;\tsize:4;\tsigned:1;\n\nprint fmt: \"pid=%d\", REC->pid\n";

START_TEST(raw_records)
{
	struct tpf f;
	struct w_raw r;
	struct oomtrace_event ev;
	uint32_t loc = (4u << 16) | 72; /* "hog\0" after the fixed part */
	uint64_t v;
	int32_t pid = 4242;
	int16_t adj = -17;

	ck_assert_int_eq(tpf_parse(fmt_new, &f), 0);
	ck_assert_uint_eq(f.nfields, 9);
	ck_assert_uint_eq(f.size, 66);
	ck_assert(tpf_find(&f, "comm")->data_loc);
	memset(&r, 0, sizeof(r));
	r.kind = W_KILL;
	r.raw_len = 80;
	r.cur_pid = 9;
	strcpy(r.cur_comm, "trig");
	memcpy(r.raw + 8, &pid, 4);
	memcpy(r.raw + 12, &loc, 4);
	v = 68268;
	memcpy(r.raw + 16, &v, 8);
	v = 65280;
	memcpy(r.raw + 24, &v, 8);
	v = 172;
	memcpy(r.raw + 56, &v, 8);
	memcpy(r.raw + 64, &adj, 2);
	memcpy(r.raw + 72, "hog", 4);
	oomtrace_event_init(&ev);
	lb_raw_to_event(&f, &r, &ev);
	ck_assert_int_eq(ev.victim.pid, 4242);
	ck_assert_str_eq(ev.victim.comm, "hog");
	ck_assert_uint_eq(ev.victim.total_vm_kb, 68268);
	ck_assert_uint_eq(ev.victim.anon_rss_kb, 65280);
	ck_assert_uint_eq(ev.victim.pgtables_kb, 172);
	ck_assert_int_eq(ev.victim.oom_score_adj, -17);
	ck_assert_int_eq(ev.trigger.pid, 9);
	ck_assert_str_eq(ev.trigger.comm, "trig");
	/* a record cut short leaves the fields beyond it unknown */
	r.raw_len = 20;
	oomtrace_event_init(&ev);
	lb_raw_to_event(&f, &r, &ev);
	ck_assert(ev.victim.known & OOMTRACE_T_PID);
	ck_assert(!(ev.victim.known & OOMTRACE_T_ANON_RSS));
	ck_assert(!(ev.victim.known & OOMTRACE_T_COMM));
	/* pid only */
	ck_assert_int_eq(tpf_parse(fmt_old, &f), 0);
	ck_assert_uint_eq(f.nfields, 1);
	r.raw_len = 12;
	oomtrace_event_init(&ev);
	lb_raw_to_event(&f, &r, &ev);
	ck_assert_int_eq(ev.victim.pid, 4242);
	ck_assert(!(ev.victim.known & (OOMTRACE_T_COMM | OOMTRACE_T_TOTAL_VM | OOMTRACE_T_UID)));
	ck_assert_int_lt(tpf_parse("garbage", &f), 0);
}
END_TEST

/* ---- kbtf: the kernel's BTF read in place ------------------------------------------------ */

/*
 * A BTF made by hand, every answer known:
 *   [1] int (4)          [2] struct foo { int a; struct bar *p; struct bar b; int arr[3]; }
 *   [3] ptr -> [4]       [4] struct bar { int x; }      [5] int[3]
 *   [6] typedef foo_t -> [2]   [7] struct unrelated { int z; }
 *   [8] proto void (struct bar *)   [9] func oom_kill_process -> [8]
 *   [10] typedef btf_trace_x -> [11] ptr -> [8]
 */
static const char mini_strs[] =
    "\0int\0foo\0a\0p\0b\0arr\0bar\0x\0foo_t\0unrelated\0z\0oom_kill_process\0btf_trace_x";
enum {
	S_INT = 1,
	S_FOO = 5,
	S_A = 9,
	S_P = 11,
	S_B = 13,
	S_ARR = 15,
	S_BAR = 19,
	S_X = 23,
	S_FOOT = 25,
	S_UNREL = 31,
	S_Z = 41,
	S_OKP = 43,
	S_TRACE = 60
};

#define BTF_INFO_ENC(kind, kflag, vlen)                                                            \
	((!!(kflag) << 31) | ((uint32_t)(kind) << 24) | ((vlen)&0xffff))
#define BTF_INT_ENC(encoding, offset, bits)                                                        \
	(((uint32_t)(encoding) << 24) | ((offset) << 16) | (bits))

static size_t mini_btf(uint32_t *w)
{
	uint32_t *p = w + 6, *types;
#define T(name, kind, vlen, st) (*p++ = (name), *p++ = BTF_INFO_ENC((kind), 0, (vlen)), *p++ = (st))
	types = p;
	T(S_INT, BTF_KIND_INT, 0, 4), *p++ = BTF_INT_ENC(BTF_INT_SIGNED, 0, 32);
	T(S_FOO, BTF_KIND_STRUCT, 4, 32);
	*p++ = S_A, *p++ = 1, *p++ = 0;
	*p++ = S_P, *p++ = 3, *p++ = 64;
	*p++ = S_B, *p++ = 4, *p++ = 128;
	*p++ = S_ARR, *p++ = 5, *p++ = 160;
	T(0, BTF_KIND_PTR, 0, 4);
	T(S_BAR, BTF_KIND_STRUCT, 1, 4), *p++ = S_X, *p++ = 1, *p++ = 0;
	T(0, BTF_KIND_ARRAY, 0, 0), *p++ = 1, *p++ = 1, *p++ = 3;
	T(S_FOOT, BTF_KIND_TYPEDEF, 0, 2);
	T(S_UNREL, BTF_KIND_STRUCT, 1, 4), *p++ = S_Z, *p++ = 1, *p++ = 0;
	T(0, BTF_KIND_FUNC_PROTO, 1, 0), *p++ = 0, *p++ = 3;
	T(S_OKP, BTF_KIND_FUNC, 0, 8);
	T(S_TRACE, BTF_KIND_TYPEDEF, 0, 11);
	T(0, BTF_KIND_PTR, 0, 8);
#undef T
	w[0] = BTF_MAGIC | (BTF_VERSION << 16);
	w[1] = sizeof(struct btf_header);
	w[2] = 0;				      /* type_off */
	w[3] = (uint32_t)((char *)p - (char *)types); /* type_len */
	w[4] = w[3];				      /* str_off */
	w[5] = sizeof(mini_strs);		      /* str_len */
	memcpy(p, mini_strs, sizeof(mini_strs));
	return 24 + w[3] + sizeof(mini_strs);
}

START_TEST(kbtf_find_names)
{
	uint32_t w[256];
	size_t len = mini_btf(w);
	struct kbtf k = {0};

	ck_assert_int_eq(kbtf_from_mem(&k, w, len), 0);
	ck_assert_int_eq(kbtf_find(&k, "int", BTF_KIND_INT), 1);
	ck_assert_int_eq(kbtf_find(&k, "bar", BTF_KIND_STRUCT), 4);
	ck_assert_int_eq(kbtf_find(&k, "oom_kill_process", BTF_KIND_FUNC), 9);
	ck_assert_int_eq(kbtf_find(&k, "btf_trace_x", BTF_KIND_TYPEDEF), 10);
	ck_assert_int_eq(kbtf_find(&k, "bar", BTF_KIND_UNION), -ENOENT); /* the kind counts */
	ck_assert_int_eq(kbtf_find(&k, "ba", BTF_KIND_STRUCT), -ENOENT);
	ck_assert(kbtf_has_name(&k, "unrelated"));
	ck_assert(!kbtf_has_name(&k, "unrelate"));
	ck_assert_int_eq(kbtf_param_is_ptr(&k, "btf_trace_x", 0), 1);
	ck_assert_int_eq(kbtf_param_is_ptr(&k, "btf_trace_x", 1), -ENOENT);
	ck_assert_int_eq(kbtf_param_is_ptr(&k, "foo_t", 0),
			 -ENOENT); /* not a pointer to a prototype */
	kbtf_free(&k);
}
END_TEST

/* The type of @k at @id, with its name: a small view for comparing two BTFs. */
static const struct btf_type *kt(struct kbtf *k, int id, const char **name)
{
	const struct btf_type *t = (const void *)(k->types + k->off[id - 1]);

	*name = k->strs + t->name_off;
	return t;
}

START_TEST(kbtf_min_core_closure)
{
	uint32_t w[256];
	const char *names[] = {"foo", "nothere"}, *nm;
	struct kbtf k = {0}, m = {0};
	const struct btf_type *t;
	const struct btf_member *mb;
	char *blob;
	size_t len = mini_btf(w), blen;

	ck_assert_int_eq(kbtf_from_mem(&k, w, len), 0);
	ck_assert_int_eq(kbtf_min_core(&k, names, 2, &blob, &blen), 0);
	ck_assert_int_eq(kbtf_from_mem(&m, blob, blen), 0);
	/* foo, and what it holds but not through its pointer: int, ptr, bar (embedded), int[3] */
	ck_assert_int_gt(kbtf_find(&m, "foo", BTF_KIND_STRUCT), 0);
	ck_assert_int_gt(kbtf_find(&m, "bar", BTF_KIND_STRUCT), 0);
	ck_assert_int_eq(kbtf_find(&m, "unrelated", BTF_KIND_STRUCT), -ENOENT);
	ck_assert_int_eq(kbtf_find(&m, "foo_t", BTF_KIND_TYPEDEF), -ENOENT); /* not named */
	ck_assert_int_eq(kbtf_find(&m, "oom_kill_process", BTF_KIND_FUNC), -ENOENT);
	ck_assert_int_eq(kbtf_index(&m), 0);
	ck_assert_uint_eq(m.n, 5);
	t = kt(&m, kbtf_find(&m, "foo", BTF_KIND_STRUCT), &nm);
	ck_assert_str_eq(nm, "foo");
	ck_assert_uint_eq(t->size, 32);
	ck_assert_uint_eq(BTF_INFO_VLEN(t->info), 4);
	mb = (const void *)(t + 1);
	ck_assert_str_eq(m.strs + mb[3].name_off, "arr");
	ck_assert_uint_eq(mb[3].offset, 160);
	/* member types renumbered: b is bar, p a pointer to void, arr an array of int */
	ck_assert_int_eq((int)mb[2].type, kbtf_find(&m, "bar", BTF_KIND_STRUCT));
	t = kt(&m, (int)mb[1].type, &nm);
	ck_assert_uint_eq(BTF_INFO_KIND(t->info), BTF_KIND_PTR);
	ck_assert_uint_eq(t->type, 0);
	t = kt(&m, (int)mb[3].type, &nm);
	ck_assert_uint_eq(BTF_INFO_KIND(t->info), BTF_KIND_ARRAY);
	ck_assert_int_eq((int)((const struct btf_array *)(t + 1))->type,
			 kbtf_find(&m, "int", BTF_KIND_INT));
	ck_assert_uint_eq(((const struct btf_array *)(t + 1))->nelems, 3);
	kbtf_free(&m);
	free(blob);
	kbtf_free(&k);
}
END_TEST

START_TEST(kbtf_malformed)
{
	uint32_t w[256], c[256];
	size_t len = mini_btf(w), i;
	const char *names[] = {"foo"};
	struct kbtf k = {0};
	char *blob;
	size_t blen;

	ck_assert_int_eq(kbtf_from_mem(&k, w, 10), -EINVAL);	  /* shorter than a header */
	ck_assert_int_eq(kbtf_from_mem(&k, w, len - 1), -EINVAL); /* strings cut */
	memcpy(c, w, len);
	c[0] ^= 1; /* magic */
	ck_assert_int_eq(kbtf_from_mem(&k, c, len), -EINVAL);
	/* every byte of the types flipped in turn: an error or an answer, never a crash */
	for (i = 24; i < 24 + w[3]; i++) {
		memcpy(c, w, len);
		((uint8_t *)c)[i] ^= 0xa5;
		if (kbtf_from_mem(&k, c, len))
			continue;
		if (kbtf_min_core(&k, names, 1, &blob, &blen) == 0)
			free(blob);
		(void)kbtf_find(&k, "bar", BTF_KIND_STRUCT);
		(void)kbtf_param_is_ptr(&k, "btf_trace_x", 0);
		kbtf_free(&k);
	}
	/* a member pointing past the last type */
	memcpy(c, w, len);
	c[6 + 4 + 3 + 1] = 99; /* foo.a's type */
	ck_assert_int_eq(kbtf_from_mem(&k, c, len), 0);
	ck_assert_int_eq(kbtf_min_core(&k, names, 1, &blob, &blen), -EINVAL);
	kbtf_free(&k);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("libbpf");
	TCase *t = tcase_create("pure");

	tcase_add_test(t, plan_here);
	tcase_add_test(t, plan_fentry_refused);
	tcase_add_test(t, plan_openeuler_510_arm64);
	tcase_add_test(t, plan_no_btf_and_forced);
	tcase_add_test(t, plan_external_btf);
	tcase_add_test(t, wire_to_event);
	tcase_add_test(t, raw_records);
	tcase_add_test(t, kbtf_find_names);
	tcase_add_test(t, kbtf_min_core_closure);
	tcase_add_test(t, kbtf_malformed);
	suite_add_tcase(s, t);
	return run_suite(s);
}
