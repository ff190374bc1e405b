// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unwind.c: a copied user stack unwound with libdwfl, the way perf's --call-graph dwarf does: the
 * copied registers are the thread's initial state, memory reads come from the copy, and each
 * binary is reported at the bias its mapping gives it.
 */
#include "config.h"

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lines.h"
#include "unwind.h"

struct uw {
	const struct oomtrace_ucopy *c;
	struct oomtrace_ustack *out;
	bool past_copy;	      /* a read fell outside the copied stack, */
	unsigned int past_at; /* when out->n frames had been found */
	Dwfl *dwfl;
	int fds[OOMTRACE_UMAPS_MAX]; /* each map's file as libdwfl holds it (-1: none, or another's)
				      */
};

enum oomtrace_uarch oomtrace_unwind_host_arch(void)
{
#if defined(__x86_64__)
	return OOMTRACE_UARCH_X86_64;
#elif defined(__aarch64__)
	return OOMTRACE_UARCH_AARCH64;
#else
	return 0;
#endif
}

int oomtrace_unwind_regs_ptregs(struct oomtrace_ucopy *c, enum oomtrace_uarch arch, const void *raw,
				size_t len)
{
	const uint64_t *r = raw;

	memset(c->regs, 0, sizeof(c->regs));
	c->arch = arch;
	if (arch == OOMTRACE_UARCH_X86_64) {
		/* struct pt_regs / user_regs_struct: r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx
		 * si di orig_ax ip cs flags sp ss. DWARF: ax dx cx bx si di bp sp r8-r15 ip. */
		static const unsigned char from[17] = {10, 12, 11, 5, 13, 14, 4, 19, 9,
						       8,  7,  6,  3, 2,  1,  0, 16};
		if (len < 21 * sizeof(uint64_t))
			return -EINVAL;
		for (unsigned int i = 0; i < 17; i++)
			c->regs[i] = r[from[i]];
		c->pc = r[16];
		c->sp = r[19];
		return 0;
	}
	if (arch == OOMTRACE_UARCH_AARCH64) {
		/* user_pt_regs: x0-x30 sp pc pstate, the same numbers as DWARF's up to sp */
		if (len < 34 * sizeof(uint64_t))
			return -EINVAL;
		for (unsigned int i = 0; i < 32; i++)
			c->regs[i] = r[i];
		c->pc = r[32];
		c->sp = r[31];
		return 0;
	}
	return -EINVAL;
}

static unsigned int nregs(enum oomtrace_uarch a)
{
	return a == OOMTRACE_UARCH_X86_64 ? 17 : 32;
}

/* The bias that puts file offset @m->pgoff of @elf at @m->start: the PT_LOAD holding it. */
static int map_bias(Elf *elf, const struct oomtrace_umap *m, GElf_Addr *bias)
{
	size_t phnum;

	if (elf_getphdrnum(elf, &phnum) != 0)
		return -EINVAL;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		GElf_Off lo = ph.p_offset & ~(GElf_Off)4095;
		if (m->pgoff < lo || m->pgoff >= ph.p_offset + ph.p_filesz)
			continue;
		/* start maps pgoff; pgoff lies at p_vaddr + (pgoff - p_offset) in the ELF */
		*bias = m->start - (ph.p_vaddr + (m->pgoff - ph.p_offset));
		return 0;
	}
	return -ENOENT;
}

/* Report @m to libdwfl, unless a module of the same path already holds it: the descriptor
 * libdwfl keeps (until dwfl_end), or -1. */
static int report_map(Dwfl *dwfl, const struct oomtrace_umap *m, bool open_path)
{
	int fd = m->fd >= 0 ? m->fd : open_path ? open(m->path, O_RDONLY | O_CLOEXEC) : -1;

	if (fd < 0)
		return -1;
	if (dwfl_addrmodule(dwfl, m->start)) {
		close(fd);
		return -1;
	}
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	GElf_Addr bias = 0;
	int ok = elf && elf_kind(elf) == ELF_K_ELF && map_bias(elf, m, &bias) == 0;

	if (elf)
		elf_end(elf);
	/* dwfl keeps fd from here on, and closes it, also where it refuses the file */
	if (!ok || !dwfl_report_elf(dwfl, m->path, m->path, fd, bias, true)) {
		close(fd);
		return -1;
	}
	return fd;
}

static const struct oomtrace_umap *map_of(const struct oomtrace_ucopy *c, uint64_t pc)
{
	for (unsigned int i = 0; i < c->nmaps; i++)
		if (pc >= c->maps[i].start && pc < c->maps[i].end)
			return &c->maps[i];
	return NULL;
}

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_arg)
{
	(void)dwfl;
	if (*thread_arg)
		return 0;
	*thread_arg = arg;
	return 1;
}

/* Is the copy's byte at @addr in a chunk that was not resident (zeros, not the stack)? */
static bool in_hole(const struct oomtrace_ucopy *c, Dwarf_Addr addr)
{
	const uint64_t mask = ~(uint64_t)(OOMTRACE_USTACK_CHUNK - 1);
	uint64_t chunk = ((addr & mask) - (c->sp & mask)) / OOMTRACE_USTACK_CHUNK;

	return chunk < 32 && (c->holes & (1u << chunk));
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct uw *u = arg;
	const struct oomtrace_ucopy *c = u->c;

	(void)dwfl;
	if (addr < c->sp || addr - c->sp > c->stack_len || c->stack_len - (addr - c->sp) < 8 ||
	    in_hole(c, addr) || in_hole(c, addr + 7)) {
		u->past_copy = true;
		u->past_at = u->out->n;
		return false;
	}
	memcpy(result, c->stack + (addr - c->sp), sizeof(*result));
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct uw *u = arg;
	const struct oomtrace_ucopy *c = u->c;
	Dwarf_Word regs[OOMTRACE_UREGS_MAX];

	for (unsigned int i = 0; i < nregs(c->arch); i++)
		regs[i] = c->regs[i];
	if (!dwfl_thread_state_registers(thread, 0, nregs(c->arch), regs))
		return false;
	dwfl_thread_state_register_pc(thread, c->pc);
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
    .next_thread = next_thread,
    .memory_read = memory_read,
    .set_initial_registers = set_initial_registers,
};

/* @mod's call frame information's row for @pc, .eh_frame's else .debug_frame's (free() it);
 * NULL: neither covers @pc. */
static Dwarf_Frame *cfi_frame(Dwfl_Module *mod, Dwarf_Addr pc)
{
	for (int i = 0; i < 2; i++) {
		Dwarf_Addr bias;
		Dwarf_CFI *cfi =
		    i ? dwfl_module_dwarf_cfi(mod, &bias) : dwfl_module_eh_cfi(mod, &bias);
		Dwarf_Frame *frame;

		if (cfi && dwarf_cfi_addrframe(cfi, pc - bias, &frame) == 0)
			return frame;
	}
	return NULL;
}

/* Whether @mod's call frame information covers @pc (then its caller came from it). */
static bool has_cfi(Dwfl_Module *mod, Dwarf_Addr pc)
{
	Dwarf_Frame *frame = cfi_frame(mod, pc);
	bool covered = frame != NULL;

	free(frame);
	return covered;
}

/*
 * Whether @mod's call frame information says the frame at @pc has no caller: its return
 * address register "undefined" (x86_64 and aarch64 _start, clone's child: .cfi_undefined).
 */
static bool cfi_outermost(Dwfl_Module *mod, Dwarf_Addr pc)
{
	Dwarf_Frame *frame = cfi_frame(mod, pc);
	Dwarf_Op ops_mem[3], *ops = NULL;
	size_t nops = 1;
	int ra;
	bool undefined;

	if (!frame)
		return false;
	ra = dwarf_frame_info(frame, NULL, NULL, NULL);
	undefined = ra >= 0 && dwarf_frame_register(frame, ra, ops_mem, &ops, &nops) == 0 &&
		    nops == 0 && ops == ops_mem;
	free(frame);
	return undefined;
}

/* The address inside frame @i's call: its pc, less 1 where it is a return address (every frame
 * but the first, where the task stood). */
static Dwarf_Addr call_addr(const struct oomtrace_ustack *out, unsigned int i)
{
	return out->f[i].pc - (i > 0 ? 1 : 0);
}

/* @s into @dst, its tail after "..." where it is longer: a path's end names the file */
static void copy_str(char *dst, size_t sz, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < sz) {
		memcpy(dst, s ? s : "", n + 1);
		return;
	}
	memcpy(dst, "...", 3);
	memcpy(dst + 3, s + n - (sz - 4), sz - 3);
}

/* The descriptor libdwfl holds for @pc's binary (-1: none). */
static int map_fd_of(const struct uw *u, uint64_t pc)
{
	const struct oomtrace_umap *m = map_of(u->c, pc);

	if (!m)
		return -1;
	for (unsigned int i = 0; i < u->c->nmaps; i++)
		if (u->fds[i] >= 0 && strcmp(u->c->maps[i].path, m->path) == 0)
			return u->fds[i];
	return -1;
}

/* @f's file and line at @addr (the ELF's own address inside the call). */
static void lines_of(struct uw *u, struct oomtrace_uframe *f, Dwfl_Module *mod, Dwarf_Addr addr)
{
	const char *src;

	if (!f->build_id[0])
		return; /* no key to keep it under: named, without a line */
	src = oomtrace_lines_of(f->build_id, mod, map_fd_of(u, f->pc), addr,
				u->c->no_big_lines ? OOMTRACE_LINES_BIG_NEVER
				: u->c->lines_now  ? OOMTRACE_LINES_BIG_LATER
						   : OOMTRACE_LINES_BIG_NOW,
				&f->line);
	if (src)
		copy_str(f->file, sizeof(f->file), src);
}

/*
 * Symbols already looked up, by build id and ELF address: libdwfl reads a module's symbol table
 * again for every Dwfl (one per stack) and searches it from end to end for each address (the
 * worker's largest cost in a burst of kills, bench/ustack.sh). A build id names the same symbols
 * wherever the binary is loaded, and an OOM's stacks repeat, so a hit is the lookup's own answer.
 */
#define SYM_MEMO_SETS 128
#define SYM_MEMO_WAYS 4

struct sym_memo {
	char build_id[41]; /* "" unused */
	bool named;
	uint32_t off; /* the address less the symbol's start */
	uint64_t addr;
	uint64_t used;
	char function[sizeof(((struct oomtrace_uframe *)0)->function)];
};

/* the unwinding thread's only */
static struct sym_memo sym_memo[SYM_MEMO_SETS][SYM_MEMO_WAYS];
static uint64_t sym_memo_clock;
static unsigned long sym_memo_hits;

unsigned long oomtrace_unwind_memo_hits(void)
{
	return sym_memo_hits;
}

/* @build_id's @addr as looked up before, or NULL and *@slot where it is to be kept. */
static struct sym_memo *sym_memo_find(const char *build_id, uint64_t addr, struct sym_memo **slot)
{
	uint64_t h = addr * 0x9e3779b97f4a7c15ULL;
	struct sym_memo *set;

	for (const char *p = build_id; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	set = sym_memo[(h >> 32) % SYM_MEMO_SETS];
	*slot = &set[0];
	for (unsigned int i = 0; i < SYM_MEMO_WAYS; i++) {
		if (set[i].addr == addr && strcmp(set[i].build_id, build_id) == 0) {
			set[i].used = ++sym_memo_clock;
			return &set[i];
		}
		if (set[i].used < (*slot)->used)
			*slot = &set[i];
	}
	return NULL;
}

/* Name @f (its pc, @lookup the address inside the call) from @mod. */
static void name_frame(struct uw *u, struct oomtrace_uframe *f, Dwfl_Module *mod, Dwarf_Addr lookup)
{
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *fn = NULL;
	const unsigned char *bits;
	GElf_Addr vaddr, bias = 0;
	int n = dwfl_module_build_id(mod, &bits, &vaddr);
	bool have_elf = dwfl_module_getelf(mod, &bias) != NULL;
	struct sym_memo *m = NULL;

	for (int i = 0; i < n && i < 20; i++)
		snprintf(f->build_id + 2 * i, 3, "%02x", bits[i]);
	if (f->build_id[0] && have_elf) {
		const struct sym_memo *hit = sym_memo_find(f->build_id, lookup - bias, &m);

		if (hit) {
			sym_memo_hits++;
			if (hit->named) {
				memcpy(f->function, hit->function, sizeof(f->function));
				f->fn_off = (uint32_t)(f->pc - (lookup - hit->off));
			}
			goto lines;
		}
	}
	fn = dwfl_module_addrinfo(mod, lookup, &off, &sym, NULL, NULL, NULL);
	/* a symbol whose size does not reach the pc is a guess (a sizeless one, _init's, only at
	 * its own address): keep the frame unnamed */
	if (fn && (off < sym.st_size || (sym.st_size == 0 && off == 0))) {
		/* a versioned dynamic symbol: "__libc_start_main@@GLIBC_2.34" */
		snprintf(f->function, sizeof(f->function), "%.*s", (int)strcspn(fn, "@"), fn);
		f->fn_off = (uint32_t)(f->pc - (lookup - off));
	} else {
		fn = NULL;
	}
	if (m) {
		memcpy(m->build_id, f->build_id, sizeof(m->build_id));
		m->addr = lookup - bias;
		m->used = ++sym_memo_clock;
		m->named = fn != NULL;
		m->off = (uint32_t)off;
		memcpy(m->function, f->function, sizeof(m->function));
	}
lines:
	if (have_elf) {
		f->elf_addr = f->pc - bias;
		lines_of(u, f, mod, lookup - bias);
	}
}

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	struct uw *u = arg;
	struct oomtrace_ustack *out = u->out;
	Dwarf_Addr pc;
	bool activation;

	if (out->n == OOMTRACE_USTACK_MAX) {
		out->end = OOMTRACE_UEND_FULL;
		return DWARF_CB_ABORT;
	}
	if (!dwfl_frame_pc(state, &pc, &activation) || pc == 0)
		return DWARF_CB_ABORT;
	struct oomtrace_uframe *f = &out->f[out->n];
	Dwarf_Addr lookup = activation ? pc : pc - 1;
	const struct oomtrace_umap *m = map_of(u->c, pc);
	Dwfl_Module *mod = dwfl_addrmodule(u->dwfl, lookup);

	memset(f, 0, sizeof(*f));
	f->pc = pc;
	if (out->n > 0) {
		/* frame n's return address came from frame n-1's rules */
		Dwfl_Module *callee = dwfl_addrmodule(u->dwfl, out->f[out->n - 1].pc);
		f->method = callee && has_cfi(callee, call_addr(out, out->n - 1)) ? OOMTRACE_UM_CFI
										  : OOMTRACE_UM_FP;
	}
	if (m) {
		f->file_off = pc - m->start + m->pgoff;
		copy_str(f->module, sizeof(f->module), m->path);
	}
	if (mod)
		name_frame(u, f, mod, lookup);
	out->n++;
	return DWARF_CB_OK;
}

/* Whether the call frame information marks the last frame found as the outermost. */
static bool last_is_outermost(const struct uw *u)
{
	Dwarf_Addr lookup;
	Dwfl_Module *mod;

	if (u->out->n == 0)
		return false;
	lookup = call_addr(u->out, u->out->n - 1);
	mod = dwfl_addrmodule(u->dwfl, lookup);
	return mod && cfi_outermost(mod, lookup);
}

/*
 * An ELF header of this host's machine, for libdwfl to pick its unwinder by where no binary can
 * be read: every frame then comes from the frame pointer chain, and says so.
 */
static Elf *host_elf(Elf64_Ehdr *eh)
{
	memset(eh, 0, sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_CORE;
	eh->e_machine =
	    oomtrace_unwind_host_arch() == OOMTRACE_UARCH_X86_64 ? EM_X86_64 : EM_AARCH64;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(*eh);
	return elf_memory((char *)eh, sizeof(*eh));
}

static void close_maps(const struct oomtrace_ucopy *c)
{
	for (unsigned int i = 0; i < c->nmaps && i < OOMTRACE_UMAPS_MAX; i++)
		if (c->maps[i].fd >= 0)
			close(c->maps[i].fd);
}

int oomtrace_unwind(const struct oomtrace_ucopy *c, struct oomtrace_ustack *out)
{
	static const Dwfl_Callbacks callbacks = {
	    .find_elf = dwfl_build_id_find_elf,
	    .find_debuginfo = dwfl_standard_find_debuginfo,
	    .section_address = dwfl_offline_section_address,
	};
	struct uw u = {.c = c, .out = out};

	memset(out, 0, sizeof(*out));
	out->end = OOMTRACE_UEND_LOST;
	if (c->arch != oomtrace_unwind_host_arch() || c->nmaps == 0 ||
	    c->nmaps > OOMTRACE_UMAPS_MAX || (c->stack_len && !c->stack)) {
		close_maps(c);
		return -EINVAL;
	}
	elf_version(EV_CURRENT);
	oomtrace_lines_take_ready();
	u.dwfl = dwfl_begin(&callbacks);
	if (!u.dwfl) {
		close_maps(c);
		return -ENOMEM;
	}
	dwfl_report_begin(u.dwfl);
	for (unsigned int i = 0; i < c->nmaps; i++)
		u.fds[i] = report_map(u.dwfl, &c->maps[i], c->open_paths);
	dwfl_report_end(u.dwfl, NULL, NULL);
	Elf64_Ehdr eh;
	Elf *arch = host_elf(&eh);

	if (dwfl_attach_state(u.dwfl, arch, 1, &thread_callbacks, &u)) {
		int r = dwfl_getthread_frames(u.dwfl, 1, frame_cb, &u);

		/* libdwfl takes a return address it could not read for the outermost frame's
		 * (frame_unwind.c), and so a register it could not read (a hole) that a later
		 * frame's rules need: where a read fell outside the copy, only the call frame
		 * information's own word makes the last frame the outermost */
		if (u.past_copy && out->end != OOMTRACE_UEND_FULL &&
		    (r != 0 || u.past_at == out->n || !last_is_outermost(&u)))
			out->end = OOMTRACE_UEND_COPY;
		else if (r == 0)
			out->end = OOMTRACE_UEND_OUTERMOST;
	}
	if (out->n == 0) {
		const struct oomtrace_umap *m = map_of(c, c->pc);

		out->f[0].pc = c->pc;
		if (m) {
			out->f[0].file_off = c->pc - m->start + m->pgoff;
			copy_str(out->f[0].module, sizeof(out->f[0].module), m->path);
		}
		out->n = 1;
	}
	dwfl_end(u.dwfl);
	if (arch)
		elf_end(arch);
	return 0;
}
