// SPDX-License-Identifier: GPL-2.0-or-later
/* lines.c: the line tables of the binaries a stack goes through, kept across stacks (lines.h). */
#include "config.h"

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lines.h"

/* Where the DWARF is: the binary itself, else /usr/lib/debug/.build-id/NN/REST.debug. */
#define LINES_CACHE 16
#define LINES_NOW_BYTES (1 << 20)
#define DEBUG_DIR "/usr/lib/debug/.build-id/"

struct lines {
	char build_id[41];
	int fd;
	Elf *elf;
	Dwarf *dw; /* NULL: the binary has no line tables */
	uint64_t used;
};

static struct lines lines_cache[LINES_CACHE]; /* the unwinding thread's only */
static uint64_t lines_clock;

/* Binaries whose line tables are to be read (deferred), and read (ready) by the warming thread,
 * or by oomtrace_unwind_warm() where none runs. */
struct lines_job {
	char build_id[41];
	int fd;
	Elf *elf;
	Dwarf *dw;
};
static struct lines_job deferred[LINES_CACHE], ready[LINES_CACHE];
static unsigned int ndeferred, nready;
static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_cond = PTHREAD_COND_INITIALIZER;
static bool warmer_runs;

static void lines_drop(struct lines *l)
{
	if (!l->build_id[0])
		return; /* never used: its fd is not one */
	if (l->dw)
		dwarf_end(l->dw);
	if (l->elf)
		elf_end(l->elf);
	if (l->fd >= 0)
		close(l->fd);
	memset(l, 0, sizeof(*l));
}

static struct lines *lines_find(const char *build_id)
{
	for (unsigned int i = 0; i < LINES_CACHE; i++)
		if (lines_cache[i].build_id[0] && strcmp(lines_cache[i].build_id, build_id) == 0) {
			lines_cache[i].used = ++lines_clock;
			return &lines_cache[i];
		}
	return NULL;
}

/* Open @j's DWARF (its fd; -1: none), with the index of its units read. */
static void job_read(struct lines_job *j)
{
	Dwarf_Die cu;

	j->elf = j->fd >= 0 ? elf_begin(j->fd, ELF_C_READ_MMAP, NULL) : NULL;
	j->dw = j->elf ? dwarf_begin_elf(j->elf, DWARF_C_READ, NULL) : NULL;
	if (j->dw)
		dwarf_addrdie(j->dw, 0, &cu);
}

/* @j into the cache (the least recently used entry goes). */
static struct lines *lines_insert(const struct lines_job *j)
{
	struct lines *l = &lines_cache[0];

	for (unsigned int i = 1; i < LINES_CACHE; i++)
		if (lines_cache[i].used < l->used)
			l = &lines_cache[i];
	lines_drop(l);
	snprintf(l->build_id, sizeof(l->build_id), "%s", j->build_id);
	l->used = ++lines_clock;
	l->fd = j->fd;
	l->elf = j->elf;
	l->dw = j->dw;
	return l;
}

void oomtrace_lines_take_ready(void)
{
	pthread_mutex_lock(&jobs_lock);
	for (unsigned int i = 0; i < nready; i++) {
		if (lines_find(ready[i].build_id)) {
			struct lines drop = {
			    .fd = ready[i].fd, .elf = ready[i].elf, .dw = ready[i].dw};

			snprintf(drop.build_id, sizeof(drop.build_id), "%s", ready[i].build_id);
			lines_drop(&drop);
			continue;
		}
		lines_insert(&ready[i]);
	}
	nready = 0;
	pthread_mutex_unlock(&jobs_lock);
}

/* @elf's .debug_line: its size, and whether it is compressed; false: none. */
static bool debug_line(Elf *elf, uint64_t *size, bool *compressed)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (strcmp(name, ".debug_line") == 0 || strcmp(name, ".zdebug_line") == 0) {
			*size = sh.sh_size;
			*compressed = (sh.sh_flags & SHF_COMPRESSED) || name[1] == 'z';
			return true;
		}
	}
	return false;
}

/* A descriptor of the file with @mod's line tables (-1: none found), and whether it is cheap to
 * read now. @map_fd: the binary itself. */
static int lines_source(Dwfl_Module *mod, const char *build_id, int map_fd, bool *cheap)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	uint64_t size;
	bool compressed;
	char path[sizeof(DEBUG_DIR) + 48];
	struct stat st;
	int fd;

	if (elf && map_fd >= 0 && debug_line(elf, &size, &compressed)) {
		*cheap = size <= LINES_NOW_BYTES && !compressed;
		return fcntl(map_fd, F_DUPFD_CLOEXEC, 0);
	}
	snprintf(path, sizeof(path), DEBUG_DIR "%.2s/%s.debug", build_id, build_id + 2);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	*cheap = fd >= 0 && fstat(fd, &st) == 0 && st.st_size <= LINES_NOW_BYTES;
	return fd;
}

static void defer(const char *build_id, int fd)
{
	bool queued = false;

	pthread_mutex_lock(&jobs_lock);
	for (unsigned int i = 0; i < ndeferred; i++)
		queued |= strcmp(deferred[i].build_id, build_id) == 0;
	for (unsigned int i = 0; i < nready; i++)
		queued |= strcmp(ready[i].build_id, build_id) == 0;
	if (!queued && ndeferred < LINES_CACHE) {
		snprintf(deferred[ndeferred].build_id, sizeof(deferred[0].build_id), "%s",
			 build_id);
		deferred[ndeferred++].fd = fd;
		fd = -1;
		pthread_cond_signal(&jobs_cond);
	}
	pthread_mutex_unlock(&jobs_lock);
	if (fd >= 0)
		close(fd);
}

const char *oomtrace_lines_of(const char *build_id, Dwfl_Module *mod, int map_fd, Dwarf_Addr addr,
			      enum oomtrace_lines_big big, uint32_t *line)
{
	struct lines *l = lines_find(build_id);
	Dwarf_Die cu;

	*line = 0;
	if (!l) {
		bool cheap = false;
		int fd = lines_source(mod, build_id, map_fd, &cheap);

		if (fd >= 0 && !cheap && big == OOMTRACE_LINES_BIG_NEVER) {
			close(fd); /* not cached: another stack, with room, may read it */
			return NULL;
		}
		if (fd >= 0 && !cheap && big == OOMTRACE_LINES_BIG_LATER) {
			defer(build_id, fd);
			return NULL;
		}
		struct lines_job j = {.fd = fd};

		snprintf(j.build_id, sizeof(j.build_id), "%s", build_id);
		job_read(&j);
		l = lines_insert(&j);
	}
	if (!l->dw || !dwarf_addrdie(l->dw, addr, &cu))
		return NULL;
	Dwarf_Line *dl = dwarf_getsrc_die(&cu, addr);
	int lineno = 0;
	const char *src = dl ? dwarf_linesrc(dl, NULL, NULL) : NULL;

	if (!src || dwarf_lineno(dl, &lineno) != 0 || lineno <= 0)
		return NULL;
	*line = (uint32_t)lineno;
	return src;
}

/* Read one deferred job (false: none was waiting; @wait: wait for one). */
static bool warm_one(bool wait)
{
	struct lines_job j;

	pthread_mutex_lock(&jobs_lock);
	while (wait && !ndeferred)
		pthread_cond_wait(&jobs_cond, &jobs_lock);
	if (!ndeferred) {
		pthread_mutex_unlock(&jobs_lock);
		return false;
	}
	j = deferred[--ndeferred];
	pthread_mutex_unlock(&jobs_lock);
	job_read(&j);
	pthread_mutex_lock(&jobs_lock);
	if (nready < LINES_CACHE) {
		ready[nready++] = j;
	} else {
		struct lines drop = {.fd = j.fd, .elf = j.elf, .dw = j.dw, .build_id = "x"};

		lines_drop(&drop);
	}
	pthread_mutex_unlock(&jobs_lock);
	return true;
}

static void *warmer(void *arg)
{
	(void)arg;
	/* the lowest share of a busy CPU (this thread only): reading libc6-dbg's line tables is
	 * about 200 ms of zlib, which would otherwise take it from the stacks being unwound and
	 * the tracer during the very OOM storm they are for */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
	for (;;)
		warm_one(true);
	return NULL;
}

int oomtrace_lines_start_warmer(void)
{
	pthread_t t;
	int r = pthread_create(&t, NULL, warmer, NULL);

	if (r)
		return -r;
	pthread_detach(t);
	warmer_runs = true;
	return 0;
}

void oomtrace_lines_warm(void)
{
	while (!warmer_runs && warm_one(false))
		;
}
