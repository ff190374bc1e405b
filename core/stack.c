// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stack.c: kernel stacks: folding a symbol into its function, and the allocation class a stack
 * proves. The rules (docs/schema.md, "allocation"), each from the kernel's own call paths:
 *
 *   The OOM machinery and the page allocator are passed over (dump_stack .. out_of_memory,
 *   try_charge_memcg, __alloc_pages ..), as are frames the kernel marked unreliable. Then the
 *   innermost frame that proves something decides:
 *   - thp_fault   mm/huge_memory.c: do_huge_pmd_anonymous_page, __do_huge_pmd_anonymous_page,
 *                 do_huge_pmd_wp_page, vma_alloc_anon_folio_pmd
 *   - anon_fault  mm/memory.c: do_anonymous_page, alloc_anon_folio, wp_page_copy, do_wp_page,
 *                 do_swap_page, do_cow_fault (a private copy of a file page is anonymous);
 *                 also a page charged or allocated straight from the fault handler's body
 *                 (__handle_mm_fault, handle_pte_fault, handle_mm_fault: those functions
 *                 inlined into it, as in Debian's 5.10 and 6.1 kernels: the body's only page
 *                 charges; a file page is charged inside the file's fault method, a frame)
 *   - file_fault  mm/filemap.c, mm/memory.c: filemap_fault, __do_fault, do_read_fault,
 *                 do_shared_fault, do_fault, filemap_map_pages
 *   (a fault's detail: the syscall it happened in, where one is on the stack)
 *   - syscall     a syscall's entry: __x64_sys_NAME, __ia32_sys_NAME, __arm64_sys_NAME,
 *                 __s390x_sys_NAME, __riscv_sys_NAME, __se_sys_NAME, __do_sys_NAME, ksys_NAME,
 *                 SyS_NAME, sys_NAME (detail: NAME; frame: the function that asked)
 *   - kernel      kernel memory outside a fault or syscall: slab (kmem_cache_alloc, __kmalloc,
 *                 ..), page tables (pte_alloc_one, pgd_alloc, ..), kmem charges
 *                 (obj_cgroup_charge, __memcg_kmem_charge_page), skb (__alloc_skb, ..),
 *                 vmalloc, pipe (pipe_write) (detail: the kind; frame: the function that asked)
 *   - kthread     the stack starts in kthread (ret_from_fork), nothing above proven
 *   - unknown     none of these
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "stack.h"
#include "util.h"

void oomtrace_stack_fold(char *dst, size_t dstsz, const char *sym, size_t n)
{
	const char *dot = memchr(sym, '.', n);

	/* ".L" and the like start no function: a leading dot stays */
	if (dot && dot > sym)
		n = (size_t)(dot - sym);
	oomtrace_strlcpy_n(dst, dstsz, sym, n);
}

void oomtrace_stack_push(struct oomtrace_stack *st, const struct oomtrace_frame *f)
{
	if (st->n < OOMTRACE_STACK_MAX)
		st->f[st->n++] = *f;
}

/* (each comparison after a first-byte check: every frame meets every list) */
static bool is(const char *fn, const char *const *names)
{
	for (; *names; names++)
		if (fn[0] == (*names)[0] && strcmp(fn, *names) == 0)
			return true;
	return false;
}

static bool starts(const char *fn, const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (fn[0] == (*prefixes)[0] && strncmp(fn, *prefixes, strlen(*prefixes)) == 0)
			return true;
	return false;
}

/* The OOM report's own frames and the page allocator's, before the one who asked. */
static const char *const machinery_prefix[] = {"dump_stack",
					       "dump_backtrace",
					       "show_stack",
					       "dump_header",
					       "oom_kill_process",
					       "__oom_kill_process",
					       "out_of_memory",
					       "mem_cgroup_out_of_memory",
					       "mem_cgroup_oom",
					       "try_charge",
					       "charge_memcg",
					       "__mem_cgroup_charge",
					       "mem_cgroup_charge",
					       "mem_cgroup_swapin_charge",
					       "__alloc_pages",
					       "alloc_pages",
					       "__folio_alloc",
					       "folio_alloc",
					       "vma_alloc_folio",
					       "__get_free_pages",
					       "get_zeroed_page",
					       "alloc_page_interleave",
					       "__alloc_frozen_pages",
					       "alloc_frozen_pages",
					       "filemap_alloc_folio",
					       "__filemap_alloc_folio",
					       "__page_cache_alloc",
					       "page_cache_alloc",
					       NULL};
static const char *const thp[] = {"do_huge_pmd_anonymous_page", "__do_huge_pmd_anonymous_page",
				  "do_huge_pmd_wp_page", "vma_alloc_anon_folio_pmd", NULL};
static const char *const anon[] = {"do_anonymous_page",
				   "alloc_anon_folio",
				   "wp_page_copy",
				   "do_wp_page",
				   "do_swap_page",
				   "do_cow_fault",
				   NULL};
/* A fault handler's body, and what it calls to charge or allocate a user page (anon_fault). */
static const char *const fault_body[] = {"__handle_mm_fault", "handle_pte_fault", "handle_mm_fault",
					 NULL};
static const char *const page_charge[] = {"__mem_cgroup_charge",
					  "mem_cgroup_charge",
					  "mem_cgroup_swapin_charge",
					  "charge_memcg",
					  "alloc_pages_vma",
					  "vma_alloc_folio",
					  "vma_alloc_zeroed_movable_folio",
					  "__folio_alloc",
					  "folio_alloc",
					  "__alloc_pages",
					  "alloc_pages",
					  NULL};
static const char *const file[] = {
    "filemap_fault",	 "__do_fault", "do_read_fault", "do_shared_fault", "do_fault",
    "filemap_map_pages", NULL};
static const char *const syscall_prefix[] = {
    "__x64_sys_", "__ia32_sys_", "__arm64_sys_", "__s390x_sys_", "__riscv_sys_",
    "__se_sys_",  "__do_sys_",	 "ksys_",	 "SyS_",	 "sys_",
    NULL};

/* Kernel memory: the allocator's functions, and what kind of memory each gives. */
static const struct {
	const char *prefix, *kind;
} kernel_alloc[] = {
    {"kmem_cache_alloc", "slab"},
    {"__kmem_cache_alloc", "slab"},
    {"__kmalloc", "slab"},
    {"kmalloc", "slab"},
    {"kvmalloc", "slab"},
    {"__kvmalloc", "slab"},
    {"___slab_alloc", "slab"},
    {"__slab_alloc", "slab"},
    {"slab_alloc", "slab"},
    {"allocate_slab", "slab"},
    {"new_slab", "slab"},
    {"alloc_slab_page", "slab"},
    {"obj_cgroup_charge", "kmem"},
    {"__memcg_kmem_charge", "kmem"},
    {"memcg_slab_post_alloc_hook", "slab"},
    {"__memcg_slab_post_alloc_hook", "slab"},
    {"pte_alloc_one", "page_table"},
    {"__pte_alloc", "page_table"},
    {"pmd_alloc_one", "page_table"},
    {"__pmd_alloc", "page_table"},
    {"pud_alloc_one", "page_table"},
    {"__pud_alloc", "page_table"},
    {"p4d_alloc_one", "page_table"},
    {"__p4d_alloc", "page_table"},
    {"pgd_alloc", "page_table"},
    {"_pgd_alloc", "page_table"},
    {"__alloc_skb", "skb"},
    {"alloc_skb", "skb"},
    {"__napi_alloc_skb", "skb"},
    {"__netdev_alloc_skb", "skb"},
    {"skb_page_frag_refill", "skb"},
    {"sk_page_frag_refill", "skb"},
    {"sock_alloc_send_pskb", "skb"},
    {"__vmalloc", "vmalloc"},
    {"vmalloc", "vmalloc"},
    {"__vmalloc_node", "vmalloc"},
    {"vzalloc", "vmalloc"},
    {"pipe_write", "pipe"},
};

static const char *kernel_kind(const char *fn)
{
	size_t i;

	for (i = 0; i < sizeof(kernel_alloc) / sizeof(kernel_alloc[0]); i++)
		if (fn[0] == kernel_alloc[i].prefix[0] &&
		    strncmp(fn, kernel_alloc[i].prefix, strlen(kernel_alloc[i].prefix)) == 0)
			return kernel_alloc[i].kind;
	return NULL;
}

/* "__x64_sys_read" -> "read", or NULL. */
static const char *syscall_name(const char *fn)
{
	size_t i;

	for (i = 0; syscall_prefix[i]; i++) {
		size_t k = strlen(syscall_prefix[i]);

		if (fn[0] == syscall_prefix[i][0] && strncmp(fn, syscall_prefix[i], k) == 0 &&
		    fn[k] >= 'a' && fn[k] <= 'z')
			return fn + k;
	}
	return NULL;
}

bool oomtrace_stack_known_function(const char *fn)
{
	static const char *const entry[] = {"mark_oom_victim",
					    "do_user_addr_fault",
					    "exc_page_fault",
					    "asm_exc_page_fault",
					    "do_page_fault",
					    "do_translation_fault",
					    "do_mem_abort",
					    "el0_da",
					    "el0_sync",
					    "el0_sync_handler",
					    "el0t_64_sync",
					    "el0t_64_sync_handler",
					    "do_syscall_64",
					    "entry_SYSCALL_64_after_hwframe",
					    "ret_from_fork",
					    "kthread",
					    NULL};

	return starts(fn, machinery_prefix) || is(fn, thp) || is(fn, anon) || is(fn, file) ||
	       is(fn, fault_body) || starts(fn, page_charge) || kernel_kind(fn) || is(fn, entry);
}

static void set(struct oomtrace_event *ev, enum oomtrace_alloc_class c, const char *detail,
		const char *frame)
{
	ev->alloc_class = c;
	snprintf(ev->alloc_detail, sizeof(ev->alloc_detail), "%s", detail ? detail : "");
	snprintf(ev->alloc_frame, sizeof(ev->alloc_frame), "%s", frame ? frame : "");
	ev->known |= OOMTRACE_E_ALLOCATION;
}

void oomtrace_stack_classify(struct oomtrace_event *ev)
{
	const struct oomtrace_stack *st = &ev->trigger.kstack;
	const char *asked = NULL, *kind = NULL, *sys = NULL, *fn;
	enum oomtrace_alloc_class fault = OOMTRACE_ALLOC_UNKNOWN;
	const char *fault_frame = NULL, *prev = NULL;
	bool kthread = false;
	unsigned int i;

	if (!st->n)
		return;
	for (i = 0; i < st->n; i++) {
		fn = st->f[i].function;
		if (!st->f[i].reliable)
			continue;
		if (starts(fn, machinery_prefix)) {
			prev = fn;
			continue;
		}
		if (!asked && kernel_kind(fn)) {
			kind = kernel_kind(fn); /* the outermost of the allocator's own frames */
			prev = fn;
			continue; /* the frame that asked comes after them */
		}
		if (!asked)
			asked = fn;
		/* a user page charged straight from a fault handler's body (wherever it stands: a
		 * frame the kernel misnamed may come between the OOM's and the charge's) */
		if (fault == OOMTRACE_ALLOC_UNKNOWN && !sys && !kind && prev &&
		    is(fn, fault_body) && starts(prev, page_charge)) {
			fault = OOMTRACE_ALLOC_ANON_FAULT;
			fault_frame = fn;
		}
		if (fault == OOMTRACE_ALLOC_UNKNOWN && !sys) {
			fault = is(fn, thp)    ? OOMTRACE_ALLOC_THP_FAULT
				: is(fn, anon) ? OOMTRACE_ALLOC_ANON_FAULT
				: is(fn, file) ? OOMTRACE_ALLOC_FILE_FAULT
					       : OOMTRACE_ALLOC_UNKNOWN;
			if (fault != OOMTRACE_ALLOC_UNKNOWN)
				fault_frame = fn;
		}
		if (!sys)
			sys = syscall_name(fn);
		if (strcmp(fn, "kthread") == 0)
			kthread = true;
		prev = fn;
	}
	if (fault != OOMTRACE_ALLOC_UNKNOWN)
		set(ev, fault, sys, fault_frame);
	else if (sys)
		set(ev, OOMTRACE_ALLOC_SYSCALL, sys, asked);
	else if (kind)
		set(ev, OOMTRACE_ALLOC_KERNEL, kind, asked);
	else if (kthread)
		set(ev, OOMTRACE_ALLOC_KTHREAD, NULL, asked);
	else
		set(ev, OOMTRACE_ALLOC_UNKNOWN, NULL, NULL);
}
