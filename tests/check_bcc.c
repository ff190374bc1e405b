// SPDX-License-Identifier: GPL-2.0-or-later
/* check_bcc.c: the BCC backend's embedded program per kernel feature set (and that libbcc compiles
 * it), records → events. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "helpers.h"

#include "bcc_cache.h"
#include "bcc_headers.h"
#include "bcc_program.h"
#include "kill.h"

#include "bcc_sets.h"

static char *text_of(const struct bcc_features *f)
{
	struct oomtrace_buf b = {0};

	ck_assert_int_eq(bcc_program_text(f, &b), 0);
	return b.p;
}

START_TEST(program_per_features)
{
	char *t;

	t = text_of(&sets[0]);
	ck_assert_ptr_nonnull(strstr(t, "TRACEPOINT_PROBE(oom, mark_victim)"));
	ck_assert_ptr_nonnull(strstr(t, "#define TP_MEM 0"));
	ck_assert_ptr_nonnull(strstr(t, "#define RINGBUF 0")); /* perf buffer before 5.8 */
	ck_assert_ptr_null(strstr(t, "okp_entry"));
	ck_assert_ptr_null(strstr(t, "signal_generate"));
	ck_assert_ptr_nonnull(
	    strstr(t, "struct oomtrace_kill_wire {")); /* the shared wire layout */
	free(t);
	t = text_of(&sets[1]);
	ck_assert_ptr_nonnull(strstr(t, "#define TP_MEM 1"));
	ck_assert_ptr_nonnull(strstr(t, "#define RINGBUF 1"));
	ck_assert_ptr_nonnull(strstr(t, "TP_DATA_LOC_READ_CONST(w->victim_comm, comm"));
	/* a kill's record: built in a per-CPU map, with the trigger's kernel stack where the
	 * headers' kernel has bpf_get_stack */
	ck_assert_ptr_nonnull(strstr(t, "struct bcc_kill {"));
	ck_assert_ptr_nonnull(strstr(t, "BPF_PERCPU_ARRAY(kscratch, struct bcc_kill, 1);"));
	ck_assert_ptr_nonnull(
	    strstr(t, "#if KSTACK && LINUX_VERSION_CODE >= KERNEL_VERSION(4, 18, 0)\n"
		      "\tlong n = bpf_get_stack(ctx, w->kstack, sizeof(w->kstack), 0);"));
	ck_assert_ptr_nonnull(strstr(t, "#define KSTACK 0\n")); /* this set: --stacks none */
	ck_assert_ptr_nonnull(strstr(t, "send_kill(args, w);"));
	ck_assert_ptr_nonnull(strstr(t, "TRACEPOINT_PROBE(signal, signal_generate)"));
	ck_assert_ptr_nonnull(strstr(t, "#define SIGNALS 1"));
	ck_assert_ptr_nonnull(strstr(t, "TRACEPOINT_PROBE(oom, skip_task_reaping)"));
	free(t);
	{
		struct bcc_features k = sets[1];

		k.kstack = true;
		t = text_of(&k);
		ck_assert_ptr_nonnull(strstr(t, "#define KSTACK 1\n"));
		free(t);
	}
	t = text_of(&sets[2]);
	ck_assert_ptr_nonnull(
	    strstr(t, "int okp_entry(struct pt_regs *ctx, struct oom_control *oc)"));
	/* both rss_stat layouts, chosen by the headers' version; the old signature refused by name
	 */
	ck_assert_ptr_nonnull(strstr(t, "#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)"));
	/* each counter through an explicit address (BCC's rewriter strides a.b[i].c as arrays) */
	ck_assert_ptr_nonnull(strstr(t, "(void *)&mm->rss_stat[i].count)"));
	ck_assert_ptr_nonnull(strstr(t, "(void *)&mm->rss_stat.count[i].counter)"));
	ck_assert_ptr_nonnull(strstr(t, "RSS(MM_ANONPAGES)"));
	ck_assert_ptr_nonnull(strstr(t, "(void *)&cs->subsys[memory_cgrp_id])"));
	ck_assert_ptr_nonnull(
	    strstr(t, "(void *)&kn->id)")); /* the chain after a helper read too */
	ck_assert_ptr_null(strstr(t, "mm->rss_stat.count[MM_ANONPAGES].counter <<"));
	ck_assert_ptr_nonnull(strstr(t, "#error \"oom_kill_process() before 4.9"));
	ck_assert_ptr_null(strstr(t, "TRACEPOINT_PROBE(oom, mark_victim)")); /* one victim source */
	free(t);
	t = text_of(&sets[3]);
	ck_assert_ptr_nonnull(strstr(t, "#define SIGNALS 0")); /* a kprobe kill is a kill */
	free(t);
	/* with the group's other tasks: mark_victim too, skipping the kprobe's own victim, and
	 * signals (a mark_victim without a SIGKILL is an exiting task) */
	t = text_of(&sets[4]);
	ck_assert_ptr_nonnull(strstr(t, "#define MEMBERS 1"));
	ck_assert_ptr_nonnull(strstr(t, "#define SIGNALS 1"));
	ck_assert_ptr_nonnull(strstr(t, "int okp_entry("));
	ck_assert_ptr_nonnull(strstr(t, "TRACEPOINT_PROBE(oom, mark_victim)"));
	ck_assert_ptr_nonnull(strstr(t, "chosen.update(&tid, &cp);"));
	ck_assert_ptr_nonnull(strstr(t, "if (c && *c == args->pid)"));
	ck_assert_ptr_nonnull(strstr(t, "TRACEPOINT_PROBE(signal, signal_generate)"));
	free(t);
}
END_TEST

/* The release headers were made for: UTS_RELEASE (what uname says), not Debian's upstream version.
 */
START_TEST(headers_release)
{
	char d[] = "/tmp/oomtrace-hdr-XXXXXX", p[200], rel[64];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(d));
	ck_assert(!bcc_headers_release(d, rel, sizeof(rel)));
	snprintf(p, sizeof(p), "mkdir -p %s/include/generated %s/include/config", d, d);
	ck_assert_int_eq(system(p), 0);
	snprintf(p, sizeof(p), "%s/include/config/kernel.release", d);
	f = fopen(p, "w");
	fputs("6.1.192\n", f);
	fclose(f);
	ck_assert(bcc_headers_release(d, rel, sizeof(rel)));
	ck_assert_str_eq(rel, "6.1.192");
	snprintf(p, sizeof(p), "%s/include/generated/utsrelease.h", d);
	f = fopen(p, "w");
	fputs("#define UTS_RELEASE \"6.1.0-56-amd64\"\n", f);
	fclose(f);
	ck_assert(bcc_headers_release(d, rel, sizeof(rel)));
	ck_assert_str_eq(rel, "6.1.0-56-amd64");
	snprintf(p, sizeof(p), "rm -rf %s", d);
	ck_assert_int_eq(system(p), 0);
}
END_TEST

/* ---- the compiled program's cache: entries written, read back, and refused ---------------- */

static void sample_entry(struct bcc_cache *c, uint64_t *insns)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < 6; i++)
		insns[i] = 0x1000 + i;
	c->feat.tracepoint = c->feat.ringbuf = true;
	c->feat.ring_pages = 256;
	snprintf(c->probe_desc, sizeof(c->probe_desc), "tracepoint (ring buffer)");
	c->nmaps = 2;
	c->maps[0] = (struct bcc_cache_map){.type = 27,
					    .key_size = 0,
					    .value_size = 0,
					    .max_entries = 1 << 20,
					    .fd = 7,
					    .name = "events"};
	c->maps[1] = (struct bcc_cache_map){
	    .type = 2, .key_size = 4, .value_size = 8, .max_entries = 1, .fd = 9, .name = "drops"};
	c->events_map = 0;
	c->drops_map = 1;
	c->nprogs = 2;
	c->progs[0] = (struct bcc_cache_prog){.type = 5,
					      .attach = BCA_TRACEPOINT,
					      .ninsn = 4,
					      .name = "mark_victim",
					      .license = "GPL",
					      .where = {"oom", "mark_victim"},
					      .insns = insns};
	c->progs[1] = (struct bcc_cache_prog){.type = 17,
					      .attach = BCA_RAW_TRACEPOINT,
					      .ninsn = 2,
					      .name = "reap",
					      .license = "GPL",
					      .where = {"finish_task_reaping", ""},
					      .insns = insns + 4};
}

START_TEST(cache_roundtrip_and_refusals)
{
	char dir[] = "/tmp/oomtrace-check-cache-XXXXXX", path[600];
	struct bcc_cache c, r;
	uint64_t insns[6];
	glob_t g;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/c", dir);
	sample_entry(&c, insns);
	ck_assert_int_eq(bcc_cache_read(path, "key A", &r), -ENOENT); /* no directory yet */
	ck_assert_int_eq(bcc_cache_write(path, "key A", &c), 0);
	ck_assert_int_eq(bcc_cache_read(path, "key A", &r), 0);
	ck_assert_uint_eq(r.nprogs, 2);
	ck_assert_uint_eq(r.nmaps, 2);
	ck_assert_str_eq(r.maps[1].name, "drops");
	ck_assert_int_eq(r.maps[0].fd, 7);
	ck_assert_uint_eq(r.maps[0].max_entries, 1 << 20);
	ck_assert_str_eq(r.progs[0].where[1], "mark_victim");
	ck_assert_uint_eq(r.progs[1].attach, BCA_RAW_TRACEPOINT);
	ck_assert_uint_eq(r.progs[1].insns[1], 0x1005);
	ck_assert_uint_eq(r.progs[0].insns[3], 0x1003);
	ck_assert(r.feat.ringbuf);
	ck_assert_uint_eq(r.feat.ring_pages, 256);
	ck_assert_str_eq(r.probe_desc, "tracepoint (ring buffer)");
	bcc_cache_free(&r);
	/* another key: another name, and never the first entry */
	ck_assert_int_eq(bcc_cache_read(path, "key B", &r), -ENOENT);
	/* one byte changed: refused */
	snprintf(path, sizeof(path), "%s/c/bcc-*.prog", dir);
	ck_assert_int_eq(glob(path, 0, NULL, &g), 0);
	ck_assert_uint_eq(g.gl_pathc, 1);
	f = fopen(g.gl_pathv[0], "r+");
	ck_assert_ptr_nonnull(f);
	fseek(f, 100, SEEK_SET);
	fputc('X', f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/c", dir);
	ck_assert_int_eq(bcc_cache_read(path, "key A", &r), -EINVAL);
	/* rewritten, then truncated: refused */
	ck_assert_int_eq(bcc_cache_write(path, "key A", &c), 0);
	ck_assert_int_eq(truncate(g.gl_pathv[0], 500), 0);
	ck_assert_int_eq(bcc_cache_read(path, "key A", &r), -EINVAL);
	/* writable by its group: never trusted; nor a directory others may write */
	ck_assert_int_eq(bcc_cache_write(path, "key A", &c), 0);
	ck_assert_int_eq(chmod(g.gl_pathv[0], 0620), 0);
	ck_assert_int_eq(bcc_cache_read(path, "key A", &r), -EPERM);
	ck_assert_int_eq(chmod(g.gl_pathv[0], 0600), 0);
	ck_assert_int_eq(bcc_cache_read(path, "key A", &r), 0);
	bcc_cache_free(&r);
	ck_assert_int_eq(chmod(path, 0777), 0);
	ck_assert_int_eq(bcc_cache_read(path, "key A", &r), -EPERM);
	ck_assert_int_eq(bcc_cache_write(path, "key A", &c), -EPERM);
	/* an entry claiming an events map it does not have */
	ck_assert_int_eq(chmod(path, 0700), 0);
	c.events_map = 5;
	ck_assert_int_eq(bcc_cache_write(path, "key A", &c), 0);
	ck_assert_int_eq(bcc_cache_read(path, "key A", &r), -EINVAL);
	unlink(g.gl_pathv[0]);
	globfree(&g);
	rmdir(path);
	rmdir(dir);
}
END_TEST

START_TEST(cache_key_parts)
{
	struct oomtrace_backend_opts o = {0};
	char a[2048], b[2048];

	ck_assert_int_eq(bcc_cache_key(&o, "", a, sizeof(a)), 0);
	ck_assert_ptr_nonnull(strstr(a, "probe auto buffer 0"));
	ck_assert_ptr_nonnull(strstr(a, "headers kheaders"));
	o.probe = "kprobe";
	o.buffer_kb = 64;
	ck_assert_int_eq(bcc_cache_key(&o, "/usr/src/linux-headers-x", b, sizeof(b)), 0);
	ck_assert_ptr_nonnull(strstr(b, "probe kprobe buffer 64"));
	ck_assert_ptr_nonnull(strstr(b, "headers /usr/src/linux-headers-x 0:0"));
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(bcc_cache_key(&o, "", a, 20), -ENAMETOOLONG);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bcc");
	TCase *t = tcase_create("program");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, program_per_features);
	tcase_add_test(t, headers_release);
	tcase_add_test(t, cache_roundtrip_and_refusals);
	tcase_add_test(t, cache_key_parts);
	suite_add_tcase(s, t);
	return run_suite(s);
}
