// SPDX-License-Identifier: GPL-2.0-or-later
/* check_stack.c: kernel stacks: a symbol folded into its function, the frame lines of each
 * architecture, and the allocation class each kind of stack proves (core/stack.c, replay/trace.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "helpers.h"

#include "stack.h"
#include "trace.h"

START_TEST(fold)
{
	static const char *const cases[][2] = {
	    {"oom_kill_process.cold", "oom_kill_process"},
	    {"__alloc_pages_slowpath.constprop.0", "__alloc_pages_slowpath"},
	    {"shrink_node.isra.0", "shrink_node"},
	    {"try_to_free_pages.part.0", "try_to_free_pages"},
	    {"foo.lto_priv.0", "foo"},
	    {"do_anonymous_page", "do_anonymous_page"},
	};
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		oomtrace_stack_fold(out, sizeof(out), cases[i][0], strlen(cases[i][0]));
		ck_assert_str_eq(out, cases[i][1]);
	}
}
END_TEST

/* One line of each architecture's format: what it gives. */
START_TEST(frame_lines)
{
	static const struct {
		const char *line, *function, *module;
		uint32_t offset, size;
		bool reliable;
	} cases[] = {
	    {" do_anonymous_page+0x343/0xa20", "do_anonymous_page", "", 0x343, 0xa20, true},
	    {" ? srso_alias_return_thunk+0x5/0xfbef5", "srso_alias_return_thunk", "", 5, 0xfbef5,
	     false},
	    {" alloc_buffer_head+0x24/0x70 [jbd2]", "alloc_buffer_head", "jbd2", 0x24, 0x70, true},
	    {" nvme_irq+0x10/0x20 [nvme 0123456789abcdef]", "nvme_irq", "nvme", 0x10, 0x20, true},
	    {" [<ffffffff81786ac3>] dump_stack+0x19/0x1b", "dump_stack", "", 0x19, 0x1b, true},
	    {" [<ffffffff811c0a0c>] ? find_lock_task_mm+0x3c/0x80", "find_lock_task_mm", "", 0x3c,
	     0x80, false},
	    {"[c00000000f6cf6c0] [c000000000b7a2f4] dump_stack_lvl+0x74/0xa8 (unreliable)",
	     "dump_stack_lvl", "", 0x74, 0xa8, false},
	    {"[<80074bf8>] dump_header+0x60/0x2ac", "dump_header", "", 0x60, 0x2ac, true},
	    {"([<0000000000504e6e>] __handle_mm_fault+0x8ce/0x9d0)", "__handle_mm_fault", "", 0x8ce,
	     0x9d0, false},
	    {" show_stack+0x20/0x38 (C)", "show_stack", "", 0x20, 0x38, true},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct oomtrace_stack st = {0};

		ck_assert_msg(oomtrace_trace_line(cases[i].line, &st) == OOMTRACE_TRACE_FRAME, "%s",
			      cases[i].line);
		ck_assert_uint_eq(st.n, 1);
		ck_assert_str_eq(st.f[0].function, cases[i].function);
		ck_assert_str_eq(st.f[0].module, cases[i].module);
		ck_assert_uint_eq(st.f[0].offset, cases[i].offset);
		ck_assert_uint_eq(st.f[0].size, cases[i].size);
		ck_assert_msg(st.f[0].reliable == cases[i].reliable, "%s", cases[i].line);
	}
	{
		/* ARM32: "A from B" twice gives A, B, C */
		struct oomtrace_stack st = {0};

		ck_assert(oomtrace_trace_line(" unwind_backtrace from show_stack+0x18/0x1c", &st) ==
			  OOMTRACE_TRACE_FRAME);
		ck_assert(oomtrace_trace_line(" show_stack from dump_stack_lvl+0x68/0x84", &st) ==
			  OOMTRACE_TRACE_FRAME);
		ck_assert_uint_eq(st.n, 3);
		ck_assert_str_eq(st.f[2].function, "dump_stack_lvl");
		ck_assert_uint_eq(st.f[2].offset, 0x68);
	}
	{
		/* markers go on; other lines are no frames */
		struct oomtrace_stack st = {0};
		static const char *const none[] = {"RIP: 0033:0x7f9921ee50ba",
						   "Code: 00 00 48 c7 c1 ff",
						   "memory: usage 65536kB",
						   "RSP: 002b:00007ffc8a518358 EFLAGS: 00010206",
						   "Mem-Info:",
						   "0xffffffffc0a1b2c3"};

		ck_assert(oomtrace_trace_line(" <TASK>", &st) == OOMTRACE_TRACE_MARK);
		ck_assert(oomtrace_trace_line(" </IRQ>", &st) == OOMTRACE_TRACE_MARK);
		for (i = 0; i < sizeof(none) / sizeof(none[0]); i++)
			ck_assert_msg(oomtrace_trace_line(none[i], &st) == OOMTRACE_TRACE_NONE,
				      "%s", none[i]);
		ck_assert_uint_eq(st.n, 0);
	}
}
END_TEST

/* A stack of the given functions, innermost first ("?name": unreliable). */
static void stack_of(struct oomtrace_event *ev, const char *const *fns)
{
	oomtrace_event_init(ev);
	for (; *fns; fns++) {
		struct oomtrace_frame f = {.reliable = **fns != '?'};

		strcpy(f.function, *fns + (**fns == '?'));
		oomtrace_stack_push(&ev->trigger.kstack, &f);
	}
	oomtrace_stack_classify(ev);
}

START_TEST(classes)
{
	static const char *const oom[] = {
	    "dump_stack_lvl",		"dump_header",	    "oom_kill_process",	  "out_of_memory",
	    "mem_cgroup_out_of_memory", "try_charge_memcg", "__mem_cgroup_charge"};
	static const struct {
		const char *fns[8];
		const char *cls, *detail, *frame;
	} cases[] = {
	    {{"do_anonymous_page", "__handle_mm_fault", "handle_mm_fault", "exc_page_fault"},
	     "anon_fault",
	     "",
	     "do_anonymous_page"},
	    {{"do_huge_pmd_anonymous_page", "__handle_mm_fault"},
	     "thp_fault",
	     "",
	     "do_huge_pmd_anonymous_page"},
	    {{"filemap_fault", "__do_fault", "do_cow_fault", "handle_mm_fault"},
	     "file_fault",
	     "",
	     "filemap_fault"},
	    {{"do_cow_fault", "handle_mm_fault"}, "anon_fault", "", "do_cow_fault"},
	    /* the charge straight from the fault handler's body (do_anonymous_page inlined:
	     * Debian's 6.1 and 5.10 kernels) */
	    {{"__handle_mm_fault", "handle_mm_fault", "do_user_addr_fault", "exc_page_fault"},
	     "anon_fault",
	     "",
	     "__handle_mm_fault"},
	    {{"alloc_pages_vma", "handle_mm_fault", "do_user_addr_fault"},
	     "anon_fault",
	     "",
	     "handle_mm_fault"},
	    {{"__handle_mm_fault", "handle_mm_fault", "exc_page_fault", "copy_from_user",
	      "__x64_sys_read"},
	     "anon_fault",
	     "read",
	     "__handle_mm_fault"},
	    /* Debian's 5.10: oom_kill_process's caller misnamed (elfcorehdr_read+0x40/0x40) */
	    {{"elfcorehdr_read", "mem_cgroup_out_of_memory", "try_charge", "mem_cgroup_charge",
	      "handle_mm_fault", "do_user_addr_fault"},
	     "anon_fault",
	     "",
	     "handle_mm_fault"},
	    /* not a user page: a page table from the same body, a shmem page in its fault method */
	    {{"__pte_alloc", "__handle_mm_fault", "handle_mm_fault"},
	     "kernel",
	     "page_table",
	     "__handle_mm_fault"},
	    {{"shmem_get_folio_gfp", "shmem_fault", "__do_fault", "__handle_mm_fault"},
	     "file_fault",
	     "",
	     "__do_fault"},
	    /* a fault inside a syscall: the fault, in the syscall */
	    {{"do_anonymous_page", "handle_mm_fault", "exc_page_fault", "copy_from_user",
	      "__x64_sys_read"},
	     "anon_fault",
	     "read",
	     "do_anonymous_page"},
	    {{"page_cache_ra_unbounded", "filemap_get_pages", "filemap_read", "vfs_read",
	      "ksys_read", "__arm64_sys_read"},
	     "syscall",
	     "read",
	     "page_cache_ra_unbounded"},
	    /* kernel memory in a syscall is the syscall's (execve's page tables) */
	    {{"pgd_alloc", "mm_init", "bprm_execve", "__x64_sys_execve"},
	     "syscall",
	     "execve",
	     "mm_init"},
	    {{"kmem_cache_alloc", "alloc_buffer_head", "kjournald2", "kthread", "ret_from_fork"},
	     "kernel",
	     "slab",
	     "alloc_buffer_head"},
	    {{"worker_thread", "kthread", "ret_from_fork"}, "kthread", "", "worker_thread"},
	    /* an unreliable frame proves nothing */
	    {{"?do_anonymous_page", "pagefault_out_of_memory", "do_page_fault"}, "unknown", "", ""},
	};
	size_t i, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *fns[16];
		struct oomtrace_event *ev = malloc(sizeof(*ev));
		size_t n = 0;

		for (k = 0; k < sizeof(oom) / sizeof(oom[0]); k++)
			fns[n++] = oom[k];
		for (k = 0; cases[i].fns[k]; k++)
			fns[n++] = cases[i].fns[k];
		fns[n] = NULL;
		stack_of(ev, fns);
		ck_assert(ev->known & OOMTRACE_E_ALLOCATION);
		ck_assert_msg(strcmp(oomtrace_alloc_class_name(ev->alloc_class), cases[i].cls) == 0,
			      "case %zu: %s, want %s", i,
			      oomtrace_alloc_class_name(ev->alloc_class), cases[i].cls);
		ck_assert_str_eq(ev->alloc_detail, cases[i].detail);
		ck_assert_str_eq(ev->alloc_frame, cases[i].frame);
		free(ev);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stack");
	TCase *t = tcase_create("core");

	tcase_add_test(t, fold);
	tcase_add_test(t, frame_lines);
	tcase_add_test(t, classes);
	suite_add_tcase(s, t);
	return run_suite(s);
}
