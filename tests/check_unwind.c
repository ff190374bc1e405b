/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_unwind.c: user stacks unwound from a real copy: tests/ustack (-O2 -g
 * -fomit-frame-pointer) stops itself two calls below main; its registers (ptrace), the top of
 * its stack (/proc/PID/mem) and its executable mappings are what BPF copies at a kill.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "symbolizer.h"
#include "unwind.h"

struct stopped {
	pid_t pid;
	struct oomtrace_ucopy c;
	struct oomtrace_umap maps[OOMTRACE_UMAPS_MAX];
	unsigned char stack[OOMTRACE_USTACK_COPY];
};

static const char *ustack_path(void)
{
	const char *p = getenv("USTACK");

	return p ? p : "tests/ustack";
}

/* The executable file mappings of @pid, and where its stack ends. */
static void read_maps(struct stopped *s, uint64_t *stack_end)
{
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)s->pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, off;
		char perm[8], file[256] = "";

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %255s", &lo, &hi, perm, &off, file) <
		    4)
			continue;
		if (strcmp(file, "[stack]") == 0)
			*stack_end = hi;
		if (perm[2] != 'x' || file[0] != '/' || s->c.nmaps == OOMTRACE_UMAPS_MAX)
			continue;
		struct oomtrace_umap *m = &s->maps[s->c.nmaps++];

		m->start = lo;
		m->end = hi;
		m->pgoff = off;
		m->fd = -1;
		snprintf(m->path, sizeof(m->path), "%s", file);
	}
	fclose(f);
}

/* Start tests/ustack stop and copy it where it stopped itself. */
static void stop_program(struct stopped *s, const char *path);

static void stop_ustack(struct stopped *s)
{
	stop_program(s, ustack_path());
}

static void stop_program(struct stopped *s, const char *path)
{
	int st;
	uint64_t regs[64], stack_end = 0;
	struct iovec iov = {regs, sizeof(regs)};
	char mem[64];

	memset(s, 0, sizeof(*s));
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execl(path, "ustack", "stop", "2", (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(s->pid, &st, 0), s->pid); /* the exec's SIGTRAP */
	ck_assert_msg(WIFSTOPPED(st), "%s did not start", path);
	ck_assert_int_eq(ptrace(PTRACE_CONT, s->pid, NULL, NULL), 0);
	ck_assert_int_eq(waitpid(s->pid, &st, 0), s->pid);
	ck_assert_msg(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "ustack did not stop itself");
	ck_assert_int_eq(ptrace(PTRACE_GETREGSET, s->pid, (void *)NT_PRSTATUS, &iov), 0);
	ck_assert_int_eq(
	    oomtrace_unwind_regs_ptregs(&s->c, oomtrace_unwind_host_arch(), regs, iov.iov_len), 0);
	s->c.maps = s->maps;
	s->c.open_paths = true;
	read_maps(s, &stack_end);
	ck_assert_uint_gt(stack_end, s->c.sp);
	size_t len =
	    stack_end - s->c.sp < sizeof(s->stack) ? stack_end - s->c.sp : sizeof(s->stack);
	snprintf(mem, sizeof(mem), "/proc/%d/mem", (int)s->pid);
	int fd = open(mem, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, s->stack, len, (off_t)s->c.sp), (ssize_t)len);
	close(fd);
	s->c.stack = s->stack;
	s->c.stack_len = len;
}

static void end_ustack(struct stopped *s)
{
	kill(s->pid, SIGKILL);
	ptrace(PTRACE_DETACH, s->pid, NULL, NULL);
	waitpid(s->pid, NULL, 0);
}

/* The line of tests/ustack.c that holds @text (the source is the truth the test reads). */
static unsigned int source_line(const char *text)
{
	char path[512], line[512];
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/ustack.c",
		 getenv("srcdir") ? getenv("srcdir") : ".");
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (strstr(line, text)) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	ck_abort_msg("%s not in %s", text, path);
	return 0;
}

/* The index of the first frame at or after @from named @fn (-1: none). */
static int find_frame(const struct oomtrace_ustack *u, unsigned int from, const char *fn)
{
	for (unsigned int i = from; i < u->n; i++)
		if (strcmp(u->f[i].function, fn) == 0)
			return (int)i;
	return -1;
}

static void assert_at(const struct oomtrace_ustack *u, int i, const char *fn, const char *text)
{
	const char *base;

	ck_assert_msg(i >= 0, "no frame %s", fn);
	base = strrchr(u->f[i].file, '/');
	ck_assert_str_eq(base ? base + 1 : u->f[i].file, "ustack.c");
	ck_assert_uint_eq(u->f[i].line, source_line(text));
	ck_assert_msg(strstr(u->f[i].module, "ustack") != NULL, "%s in %s", fn, u->f[i].module);
	ck_assert_uint_eq(strlen(u->f[i].build_id), 40);
	ck_assert_int_eq(u->f[i].method, OOMTRACE_UM_CFI);
}

/* The named function, its caller and main, in that order, each at its line. */
START_TEST(test_dwarf_frames)
{
	struct stopped *s = calloc(1, sizeof(*s));
	struct oomtrace_ustack u;

	stop_ustack(s);
	ck_assert_int_eq(oomtrace_unwind(&s->c, &u), 0);
	end_ustack(s);
	int take = find_frame(&u, 1, "ustack_take");
	int mid = find_frame(&u, take + 1, "ustack_middle");
	int main_at = find_frame(&u, mid + 1, "main");

	assert_at(&u, take, "ustack_take", "raise(SIGSTOP)");
	assert_at(&u, mid, "ustack_middle", "return ustack_take(");
	assert_at(&u, main_at, "main", "sink = ustack_middle(");
	ck_assert_int_eq(mid, take + 1);
	ck_assert_int_eq(main_at, mid + 1);
	/* frame 0 is where it stood, in libc's kill system call */
	ck_assert_int_eq(u.f[0].method, OOMTRACE_UM_REGS);
	ck_assert_uint_eq(u.f[0].pc, s->c.pc);
	ck_assert_msg(strstr(u.f[0].module, "libc") != NULL, "frame 0 in %s", u.f[0].module);
	/* _start's call frame information ends it */
	ck_assert_int_eq(u.end, OOMTRACE_UEND_OUTERMOST);
	free(s);
}
END_TEST

/* tests/ustack stopped (the result, allocated) and its whole stack unwound into (*@u)[0], of two
 * allocated. */
static struct stopped *stopped_and_unwound(struct oomtrace_ustack **u)
{
	struct stopped *s = calloc(1, sizeof(*s));

	*u = calloc(2, sizeof(**u));
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(*u);
	stop_ustack(s);
	ck_assert_int_eq(oomtrace_unwind(&s->c, &(*u)[0]), 0);
	return s;
}

/*
 * The copy cut at every word from sp up: each cut stack is the whole one's first frames, and
 * where it is shorter it says the copy ended it, never that its last frame was the outermost
 * (a saved register lost past the cut ends the unwinding a frame later, without a read).
 */
START_TEST(test_copy_cut)
{
	struct oomtrace_ustack *u;
	struct stopped *s = stopped_and_unwound(&u);
	size_t len;
	unsigned int shorter = 0;

	ck_assert_int_eq(u[0].end, OOMTRACE_UEND_OUTERMOST);
	len = s->c.stack_len;
	for (size_t cut = 8; cut <= len; cut += 8) {
		s->c.stack_len = cut;
		ck_assert_int_eq(oomtrace_unwind(&s->c, &u[1]), 0);
		ck_assert_uint_le(u[1].n, u[0].n);
		for (unsigned int i = 0; i < u[1].n; i++)
			ck_assert_msg(u[1].f[i].pc == u[0].f[i].pc, "cut at %zu: frame %u", cut, i);
		if (u[1].n < u[0].n) {
			shorter++;
			ck_assert_msg(u[1].end == OOMTRACE_UEND_COPY,
				      "cut at %zu: %u frames, end %d", cut, u[1].n, u[1].end);
		} else {
			ck_assert_int_eq(u[1].end, OOMTRACE_UEND_OUTERMOST);
		}
	}
	end_ustack(s);
	ck_assert_uint_gt(shorter, 0);
	free(u);
	free(s);
}
END_TEST

/*
 * The second unwind of the same stack names its frames from the symbols the first looked up
 * (unwind.c's memo), each exactly as the first: function, offset in it, ELF address, line.
 */
START_TEST(test_symbol_memo)
{
	struct oomtrace_ustack *u;
	struct stopped *s = stopped_and_unwound(&u);
	unsigned long hits;
	unsigned int named = 0;

	hits = oomtrace_unwind_memo_hits();
	ck_assert_int_eq(oomtrace_unwind(&s->c, &u[1]), 0);
	end_ustack(s);
	ck_assert_uint_eq(u[1].n, u[0].n);
	for (unsigned int i = 0; i < u[0].n; i++) {
		ck_assert_uint_eq(u[1].f[i].pc, u[0].f[i].pc);
		ck_assert_str_eq(u[1].f[i].function, u[0].f[i].function);
		ck_assert_uint_eq(u[1].f[i].fn_off, u[0].f[i].fn_off);
		ck_assert_uint_eq(u[1].f[i].elf_addr, u[0].f[i].elf_addr);
		ck_assert_uint_eq(u[1].f[i].line, u[0].f[i].line);
		ck_assert_str_eq(u[1].f[i].build_id, u[0].f[i].build_id);
		named += u[0].f[i].function[0] != 0;
	}
	ck_assert_uint_ge(named, 4);
	/* every frame with a build id was a hit the second time */
	ck_assert_uint_ge(oomtrace_unwind_memo_hits() - hits, named);
	ck_assert_int_ge(find_frame(&u[1], 1, "main"), 3);
	free(u);
	free(s);
}
END_TEST

/*
 * A page of the copy that was not resident (ustack.bpf.c leaves it out: holes) is not stack:
 * where main's return address lies in it, the stack ends below main, and says it was the copy
 * that ended it (libdwfl takes an unreadable return address for the outermost frame's).
 */
START_TEST(test_stack_hole)
{
	struct oomtrace_ustack *u;
	struct stopped *s = stopped_and_unwound(&u);
	int main_at;
	size_t at = 0;

	main_at = find_frame(&u[0], 1, "main");
	ck_assert_int_ge(main_at, 1);
	/* the word that holds main's return address */
	for (size_t off = 0; off + 8 <= s->c.stack_len; off += 8)
		if (memcmp(s->stack + off, &u[0].f[main_at].pc, 8) == 0) {
			at = s->c.sp + off;
			break;
		}
	ck_assert_msg(at != 0, "main's return address is not in the copy");
	s->c.holes = 1u << (((at & ~4095ULL) - (s->c.sp & ~4095ULL)) >> 12);
	ck_assert_int_eq(oomtrace_unwind(&s->c, &u[1]), 0);
	end_ustack(s);
	/* the frames below it, as far as their page let them go (it holds theirs too) */
	ck_assert_uint_ge(u[1].n, 1);
	ck_assert_uint_lt(u[1].n, (unsigned int)main_at);
	for (unsigned int i = 0; i < u[1].n; i++)
		ck_assert_uint_eq(u[1].f[i].pc, u[0].f[i].pc);
	ck_assert_int_eq(u[1].end, OOMTRACE_UEND_COPY);
	free(u);
	free(s);
}
END_TEST

/* A file that cannot be read keeps its frames' offsets and names nothing. */
START_TEST(test_unreadable_module)
{
	struct stopped *s = calloc(1, sizeof(*s));
	struct oomtrace_ustack u;
	int take_off = -1;

	stop_ustack(s);
	for (unsigned int i = 0; i < s->c.nmaps; i++)
		if (strstr(s->maps[i].path, "ustack"))
			snprintf(s->maps[i].path, sizeof(s->maps[i].path), "/nonexistent/ustack");
	ck_assert_int_eq(oomtrace_unwind(&s->c, &u), 0);
	end_ustack(s);
	ck_assert_int_eq(find_frame(&u, 0, "ustack_take"), -1);
	ck_assert_int_eq(find_frame(&u, 0, "main"), -1);
	for (unsigned int i = 0; i < u.n; i++)
		if (strcmp(u.f[i].module, "/nonexistent/ustack") == 0) {
			take_off = (int)i;
			break;
		}
	/* libc's CFI unwinds out of raise into the unnamed binary: its offset is kept */
	ck_assert_msg(take_off > 0, "no frame in the unreadable binary (%u frames)", u.n);
	ck_assert_uint_gt(u.f[take_off].file_off, 0);
	ck_assert_str_eq(u.f[take_off].function, "");
	ck_assert_str_eq(u.f[take_off].build_id, "");
	free(s);
}
END_TEST

/* No binary readable at all: the frame pointer chain, every frame after the first marked so. */
START_TEST(test_no_binary)
{
	struct stopped *s = calloc(1, sizeof(*s));
	struct oomtrace_ustack u;

	stop_ustack(s);
	for (unsigned int i = 0; i < s->c.nmaps; i++)
		snprintf(s->maps[i].path, sizeof(s->maps[i].path), "/nonexistent/%u", i);
	ck_assert_int_eq(oomtrace_unwind(&s->c, &u), 0);
	end_ustack(s);
	ck_assert_uint_ge(u.n, 1);
	ck_assert_int_eq(u.f[0].method, OOMTRACE_UM_REGS);
	ck_assert_uint_eq(u.f[0].pc, s->c.pc);
	for (unsigned int i = 0; i < u.n; i++) {
		ck_assert_str_eq(u.f[i].function, "");
		if (i > 0)
			ck_assert_int_eq(u.f[i].method, OOMTRACE_UM_FP);
	}
	free(s);
}
END_TEST

/*
 * A binary without call frame information (tests/ustack_fp, -fno-asynchronous-unwind-tables, its
 * .debug_frame stripped here): its callers come from the frame pointer chain, marked so; libc's
 * frames above it by their CFI.
 */
START_TEST(test_frame_pointers)
{
	struct stopped *s = calloc(1, sizeof(*s));
	struct oomtrace_ustack u;
	char fp[] = "/tmp/oomtrace-ustack-fp-XXXXXX", cmd[256];
	const char *built = getenv("USTACK_FP") ? getenv("USTACK_FP") : "tests/ustack_fp";
	int fd = mkstemp(fp), take, mid, main_at;

	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "objcopy --strip-debug %s %s && chmod 755 %s", built, fp, fp);
	if (system(cmd) != 0) {
		unlink(fp);
		free(s);
		return; /* no objcopy: test_dwarf_frames still holds */
	}
	stop_program(s, fp);
	ck_assert_int_eq(oomtrace_unwind(&s->c, &u), 0);
	end_ustack(s);
	unlink(fp);
	take = find_frame(&u, 1, "ustack_take");
	mid = find_frame(&u, 1, "ustack_middle");
	main_at = find_frame(&u, 1, "main");
	ck_assert_msg(take > 0 && mid == take + 1 && main_at == mid + 1, "frames %d %d %d of %u",
		      take, mid, main_at, u.n);
	/* raise's caller by libc's CFI; its callers by the chain, the mark on each */
	ck_assert_int_eq(u.f[take].method, OOMTRACE_UM_CFI);
	ck_assert_int_eq(u.f[mid].method, OOMTRACE_UM_FP);
	ck_assert_int_eq(u.f[main_at].method, OOMTRACE_UM_FP);
	ck_assert_uint_eq(u.f[mid].line, 0); /* no line table left */
	free(s);
}
END_TEST

/* Bytes that are no ELF, and inputs that are no copy: an error or frame 0, never a crash. */
START_TEST(test_bad_input)
{
	char tmp[] = "/tmp/oomtrace-unwind-XXXXXX";
	int fd = mkstemp(tmp);
	unsigned char junk[4096];
	struct oomtrace_umap m = {.start = 0x400000, .end = 0x500000, .pgoff = 0, .fd = -1};
	struct oomtrace_ucopy c = {.arch = oomtrace_unwind_host_arch(),
				   .pc = 0x401234,
				   .sp = 0x7ff000,
				   .maps = &m,
				   .nmaps = 1};
	struct oomtrace_ustack u;

	ck_assert_int_ge(fd, 0);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 131 + 7);
	memcpy(junk, "\177ELF\2\1\1", 7);
	ck_assert_int_eq(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	snprintf(m.path, sizeof(m.path), "%s", tmp);
	ck_assert_int_eq(oomtrace_unwind(&c, &u), 0);
	unlink(tmp);
	ck_assert_uint_eq(u.n, 1);
	ck_assert_uint_eq(u.f[0].pc, 0x401234);
	ck_assert_uint_eq(u.f[0].file_off, 0x1234);
	ck_assert_str_eq(u.f[0].function, "");
	c.nmaps = 0;
	ck_assert_int_eq(oomtrace_unwind(&c, &u), -EINVAL);
	c.nmaps = 1;
	c.stack_len = 64; /* a length with no bytes */
	ck_assert_int_eq(oomtrace_unwind(&c, &u), -EINVAL);
}
END_TEST

/* A field of /proc/PID/status as a number (base 10, or 16 for the capability sets). */
static unsigned long long status_field(pid_t pid, const char *key, int base)
{
	char path[64], line[256];
	unsigned long long v = ~0ULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':')
			v = strtoull(line + strlen(key) + 1, NULL, base);
	fclose(f);
	return v;
}

/* The confined worker gives what the unwinder gives; the supervisor holds no more than it needs. */
/* The first child of process @pid (0: none). */
static pid_t child_of(pid_t pid)
{
	char path[64];
	long c = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &c) != 1)
			c = 0;
		fclose(f);
	}
	return (pid_t)c;
}

/* The nice value of thread @tid of @pid (0: of its other thread, the one there is); -100: none */
static int nice_of(pid_t pid, pid_t tid)
{
	char path[96], buf[512];
	int nice = -100;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	for (int i = 0; d && i < 100 && nice == -100; i++) {
		rewinddir(d);
		while ((e = readdir(d)) != NULL) {
			long t = strtol(e->d_name, NULL, 10);
			FILE *f;
			char *p;

			if (t <= 0 || (tid ? t != tid : t == pid))
				continue;
			snprintf(path, sizeof(path), "/proc/%d/task/%ld/stat", (int)pid, t);
			f = fopen(path, "r");
			if (!f)
				continue;
			/* after "(comm)": state is field 3, nice field 19 */
			if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) != NULL)
				sscanf(p + 2,
				       "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d "
				       "%*d %*d %d",
				       &nice);
			fclose(f);
		}
		if (nice == -100)
			usleep(10000); /* the thread is being started */
	}
	if (d)
		closedir(d);
	return nice;
}

START_TEST(test_symbolizer)
{
	struct stopped *s = calloc(1, sizeof(*s));
	struct oomtrace_ustack direct, u;
	struct oomtrace_symbolizer *sym = oomtrace_symbolizer_start();

	ck_assert_ptr_nonnull(sym);
	/* a spare worker waits, confined, before any stack: the first one does not pay its start,
	 * and is the worker that unwinds (its pid the same after) */
	pid_t spare = 0;

	for (int i = 0; i < 100 && !spare; i++) {
		spare = child_of(oomtrace_symbolizer_pid(sym));
		if (!spare)
			usleep(10000);
	}
	ck_assert_int_gt(spare, 0);
#ifdef WITH_SANDBOX
	ck_assert_uint_eq(status_field(spare, "Seccomp", 10), 2);
#endif
	/* its line table warmer takes the lowest share of a busy CPU, the unwinding thread not */
	ck_assert_int_eq(nice_of(spare, spare), 0);
	ck_assert_int_eq(nice_of(spare, 0), 19);
	stop_ustack(s);
	/* the first answer: the program's own lines at once; libc's (compressed DWARF) are read by
	 * the worker's second thread, and a later answer has them: within 2 s */
	ck_assert_int_eq(oomtrace_symbolizer_unwind(sym, &s->c, "", &u, 10000), 0);
	assert_at(&u, find_frame(&u, 1, "ustack_take"), "ustack_take", "raise(SIGSTOP)");
	assert_at(&u, find_frame(&u, 1, "main"), "main", "sink = ustack_middle(");
	ck_assert_int_eq(oomtrace_unwind(&s->c, &direct), 0);
	ck_assert_uint_gt(direct.f[0].line, 0); /* libc's own line, from its debug information */
	for (int i = 0; i < 40; i++) {
		ck_assert_int_eq(oomtrace_symbolizer_unwind(sym, &s->c, "", &u, 10000), 0);
		if (u.f[0].line)
			break;
		usleep(50000);
	}
	end_ustack(s);
	ck_assert_uint_eq(u.n, direct.n);
	ck_assert_int_eq(u.end, direct.end);
	for (unsigned int i = 0; i < u.n; i++) {
		ck_assert_uint_eq(u.f[i].pc, direct.f[i].pc);
		ck_assert_str_eq(u.f[i].function, direct.f[i].function);
		ck_assert_uint_eq(u.f[i].line, direct.f[i].line);
		ck_assert_int_eq(u.f[i].method, direct.f[i].method);
	}
	ck_assert_int_ge(find_frame(&u, 0, "ustack_take"), 1);
	pid_t sup = oomtrace_symbolizer_pid(sym);

	ck_assert_int_eq(child_of(sup), spare);

	ck_assert_uint_eq(status_field(sup, "NoNewPrivs", 10), 1);
	/* not the tracer's protection, nor first in line: the kernel's own choice */
	char adj_path[64], adj[16] = "";
	FILE *af;

	snprintf(adj_path, sizeof(adj_path), "/proc/%d/oom_score_adj", (int)sup);
	af = fopen(adj_path, "r");
	ck_assert_ptr_nonnull(af);
	ck_assert_ptr_nonnull(fgets(adj, sizeof(adj), af));
	fclose(af);
	ck_assert_str_eq(adj, "0\n");
	/* CAP_DAC_READ_SEARCH (2) and CAP_SYS_PTRACE (19) at most */
	ck_assert_uint_eq(status_field(sup, "CapEff", 16) & ~((1ULL << 2) | (1ULL << 19)), 0);
#ifdef WITH_SANDBOX
	ck_assert_uint_eq(status_field(sup, "Seccomp", 10), 2);
#endif
	oomtrace_symbolizer_stop(sym);
	free(s);
}
END_TEST

/* An answer after its deadline is dropped, not taken for the next stack's; a gone supervisor is
 * an error, not a wait. */
START_TEST(test_symbolizer_late_and_gone)
{
	struct stopped *s = calloc(1, sizeof(*s));
	struct oomtrace_ustack u;
	struct oomtrace_symbolizer *sym = oomtrace_symbolizer_start();

	ck_assert_ptr_nonnull(sym);
	stop_ustack(s);
	ck_assert_int_eq(oomtrace_symbolizer_unwind(sym, &s->c, "", &u, 0), -ETIMEDOUT);
	s->c.nmaps = 1; /* a different stack: frame 0 only, where the first had several */
	for (unsigned int i = 0; i < s->c.nmaps; i++)
		snprintf(s->maps[i].path, sizeof(s->maps[i].path), "/nonexistent");
	s->c.stack_len = 0;
	ck_assert_int_eq(oomtrace_symbolizer_unwind(sym, &s->c, "", &u, 10000), 0);
	ck_assert_uint_eq(u.n, 1);
	ck_assert_str_eq(u.f[0].function, "");
	end_ustack(s);
	kill(oomtrace_symbolizer_pid(sym), SIGKILL);
	waitpid(oomtrace_symbolizer_pid(sym), NULL, 0);
	ck_assert_int_eq(oomtrace_symbolizer_unwind(sym, &s->c, NULL, &u, 10000), -EPIPE);
	oomtrace_symbolizer_stop(sym);
	free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("unwind");
	TCase *tc = tcase_create("unwind");

	if (!oomtrace_unwind_host_arch())
		skip_all("the unwinder knows x86_64 and aarch64 only");
	if (access(ustack_path(), X_OK) != 0)
		skip_all("%s not built", ustack_path());
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_dwarf_frames);
	tcase_add_test(tc, test_stack_hole);
	tcase_add_test(tc, test_symbol_memo);
	tcase_add_test(tc, test_copy_cut);
	tcase_add_test(tc, test_unreadable_module);
	tcase_add_test(tc, test_no_binary);
	tcase_add_test(tc, test_frame_pointers);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_symbolizer);
	tcase_add_test(tc, test_symbolizer_late_and_gone);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
