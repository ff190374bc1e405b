// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ksyms.c: kernel stack addresses named through /proc/kallsyms, as the kernel names them in its
 * own report. x86 prints its frames with %pB (arch/x86/kernel/dumpstack.c printk_stack_address;
 * lib/vsprintf.c → kernel/kallsyms.c sprint_backtrace): a return address is looked up less 1 (a
 * call may be a function's last instruction). arm64 (arch/arm64/kernel/stacktrace.c,
 * dump_backtrace_entry: %pS/%pSb), powerpc and s390 look the address up as it is: a
 * kretprobe's trampoline address then names the trampoline, not the function before it. The
 * offset printed is from the symbol's start to the address itself, and the size is the
 * distance to the next symbol's start (kallsyms_lookup_size_offset). The text is read whole for
 * every stack, not kept: no table in memory between kills, and modules loaded after the start are
 * named too.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ksyms.h"
#include "log.h"
#include "stack.h"
#include "util.h"

/* One line "ADDR TYPE NAME[\t[MODULE]]" (no newline): the address, and where the name starts. */
static bool parse_line(const char *l, const char *e, uint64_t *addr, const char **name)
{
	uint64_t a = 0;
	const char *p = l;
	int v, digits = 0;

	while (p < e && (v = oomtrace_hexval(*p)) >= 0 && digits < 16) {
		a = a << 4 | (uint64_t)v;
		p++;
		digits++;
	}
	/* " T " then a name */
	if (!digits || e - p < 4 || p[0] != ' ' || p[2] != ' ' || p[1] == ' ')
		return false;
	*addr = a;
	*name = p + 3;
	return true;
}

static void copy_pending(struct oomtrace_ksym_q *q)
{
	const char *n = q->pending, *le = n + q->pending_len, *e = n, *m;
	size_t len;

	while (e < le && *e != '\t' && *e != ' ')
		e++;
	len = (size_t)(e - n);
	if (len >= sizeof(q->name))
		len = sizeof(q->name) - 1;
	memcpy(q->name, n, len);
	q->name[len] = '\0';
	q->module[0] = '\0';
	/* "\t[module]" */
	if (le - e > 2 && e[0] == '\t' && e[1] == '[' &&
	    (m = memchr(e + 2, ']', (size_t)(le - e - 2)))) {
		len = (size_t)(m - (e + 2));
		if (len >= sizeof(q->module))
			len = sizeof(q->module) - 1;
		memcpy(q->module, e + 2, len);
		q->module[len] = '\0';
	}
	q->pending = NULL;
}

void oomtrace_ksyms_feed(struct oomtrace_ksym_q *q, unsigned int n, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *name;
		const char *le = nl ? nl : end;
		uint64_t a;
		unsigned int i;

		if (parse_line(p, le, &a, &name) && a) {
			for (i = 0; i < n; i++) {
				if (a <= q[i].key) {
					if (a > q[i].sym || !q[i].sym) {
						q[i].sym = a;
						q[i].pending = name;
						q[i].pending_len = (size_t)(le - name);
					}
				} else if (a < q[i].above) {
					q[i].above = a;
				}
			}
		}
		p = nl ? nl + 1 : end;
	}
}

void oomtrace_ksyms_settle(struct oomtrace_ksym_q *q, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (q[i].pending)
			copy_pending(&q[i]);
}

/* The tracer's own frames: the BPF program, its trampoline or dispatcher, the tracing and perf
 * code that called it (kernel/trace/bpf_trace.c, kernel/bpf/trampoline.c, kernel/kprobes.c). */
static bool tracer_frame(const struct oomtrace_ksym_q *q)
{
	static const char *const prefixes[] = {"bpf_",
					       "__bpf_",
					       "___bpf_",
					       "__traceiter_",
					       "trace_call_bpf",
					       "perf_",
					       "kprobe",
					       "__kprobes",
					       "ftrace_",
					       "arch_ftrace",
					       "fprobe",
					       "rethook",
					       "trace_event_raw_event_",
					       NULL};
	const char *const *p;

	if (strcmp(q->module, "bpf") == 0)
		return true;
	for (p = prefixes; *p; p++)
		if (strncmp(q->name, *p, strlen(*p)) == 0)
			return true;
	return false;
}

uint64_t oomtrace_ksyms_key(uint64_t ip, bool ret)
{
#if defined(__x86_64__) || defined(__i386__)
	return ret ? ip - 1 : ip;
#else
	(void)ret;
	return ip;
#endif
}

void oomtrace_ksyms_frames(const uint64_t *ips, const struct oomtrace_ksym_q *q, unsigned int n,
			   struct oomtrace_stack *st)
{
	unsigned int i = 0;

	st->n = 0;
	while (i < n && q[i].sym && tracer_frame(&q[i]))
		i++;
	/* arm64 begins a probe's stack with the call site twice (its pc, then its lr): once */
	if (i + 1 < n && ips[i] == ips[i + 1])
		i++;
	for (; i < n; i++) {
		struct oomtrace_frame f;

		memset(&f, 0, sizeof(f));
		if (!q[i].sym) {
			/* an address no symbol names (kallsyms hid it, or JIT code since gone) */
			snprintf(f.function, sizeof(f.function), "0x%llx",
				 (unsigned long long)ips[i]);
		} else {
			oomtrace_stack_fold(f.function, sizeof(f.function), q[i].name,
					    strlen(q[i].name));
			memcpy(f.module, q[i].module, sizeof(f.module));
			f.offset = (uint32_t)(ips[i] - q[i].sym);
			if (q[i].above != UINT64_MAX && q[i].above > q[i].sym)
				f.size = (uint32_t)(q[i].above - q[i].sym);
		}
		f.reliable = true;
		oomtrace_stack_push(st, &f);
	}
}

unsigned int oomtrace_ksyms_add_caller(uint64_t *ips, unsigned int n, unsigned int max, uint64_t lr)
{
	if (!lr || !n || !max || (n > 1 && ips[1] == lr))
		return n;
	if (n == max)
		n--; /* the outermost frame makes room */
	memmove(ips + 2, ips + 1, (n - 1) * sizeof(*ips));
	ips[1] = lr;
	return n + 1;
}

/* ---- /proc/kallsyms ---- */

#define KSYMS_CHUNK 65536

/*
 * Names already found, by the address looked up: the kernel's own text and this run's BPF
 * programs stay where they are while the tracer runs, so a storm of kills with the same path
 * reads kallsyms once, not once per kill (a read is ~30 ms of kernel time). Other modules may be
 * unloaded and their place reused: their names are read again every time.
 */
#define KCACHE 1024
struct kcache {
	uint64_t key, sym, above;
	char name[OOMTRACE_FUNC_MAX];
	char module[8]; /* "" or "bpf" */
};

/*
 * Whole symbols learned at the start (oomtrace_ksyms_prewarm): the functions an OOM's stack goes
 * through, [sym, above), from the kernel's own sorted text (no module's), so that the first
 * kill is named without a pass over kallsyms (~30 ms) in its way.
 */
#define KRANGE 512
struct krange {
	uint64_t sym, above;
	char name[OOMTRACE_FUNC_MAX];
};

struct oomtrace_ksyms {
	int fd;
	char *buf;
	struct kcache *cache;
	struct krange *range;
	unsigned int nrange;
	uint64_t text_lo, text_hi; /* the kernel's own symbols span [lo, hi] (0: not learned) */
	uint64_t reads;		   /* kallsyms passes made */
};

static const struct krange *range_of(const struct oomtrace_ksyms *k, uint64_t key)
{
	unsigned int i;

	for (i = 0; i < k->nrange; i++)
		if (k->range[i].sym <= key && key < k->range[i].above)
			return &k->range[i];
	return NULL;
}

/* The slot holding @key, else the empty one where it would go (NULL: the cache is full). Open
 * addressing, linear probing; nothing is ever taken out. */
static struct kcache *cache_slot(struct oomtrace_ksyms *k, uint64_t key)
{
	unsigned int h = (unsigned int)((key * 0x9e3779b97f4a7c15ULL) >> 54), i; /* 10 bits */

	for (i = 0; i < KCACHE; i++) {
		struct kcache *c = &k->cache[(h + i) % KCACHE];

		if (!c->sym || c->key == key)
			return c;
	}
	return NULL;
}

_Static_assert(KCACHE == 1024, "cache_slot takes 10 bits of the hash");

uint64_t oomtrace_ksyms_reads(const struct oomtrace_ksyms *k)
{
	return k ? k->reads : 0;
}

struct oomtrace_ksyms *oomtrace_ksyms_open(void)
{
	return oomtrace_ksyms_open_path("/proc/kallsyms");
}

struct oomtrace_ksyms *oomtrace_ksyms_open_path(const char *path)
{
	struct oomtrace_ksyms *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (k->fd < 0) {
		free(k);
		return NULL;
	}
	return k;
}

void oomtrace_ksyms_close(struct oomtrace_ksyms *k)
{
	if (!k)
		return;
	close(k->fd);
	free(k->buf);
	free(k->cache);
	free(k->range);
	free(k);
}

/*
 * One pass over the kallsyms text from its start: @fn(@ctx, text, len) for each span of whole
 * lines read (the last line of the text may lack its newline). 0 or -errno.
 */
static int pass(struct oomtrace_ksyms *k, void (*fn)(void *ctx, const char *text, size_t len),
		void *ctx)
{
	size_t have = 0;

	if (!k->buf && !(k->buf = malloc(KSYMS_CHUNK)))
		return -ENOMEM;
	k->reads++;
	if (lseek(k->fd, 0, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		ssize_t r = read(k->fd, k->buf + have, KSYMS_CHUNK - have);
		char *last;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		have += (size_t)r;
		if (r == 0) {
			if (have)
				fn(ctx, k->buf, have);
			return 0;
		}
		/* whole lines only; the rest waits for the next read */
		last = memrchr(k->buf, '\n', have);
		if (!last) {
			if (have == KSYMS_CHUNK)
				have = 0; /* no kallsyms line is that long: drop it */
			continue;
		}
		fn(ctx, k->buf, (size_t)(last + 1 - k->buf));
		have -= (size_t)(last + 1 - k->buf);
		memmove(k->buf, last + 1, have);
	}
}

struct misses {
	struct oomtrace_ksym_q **q;
	unsigned int n;
};

/* A span of the text to the queries the caches did not answer (given by pointer). */
static void feed_misses(void *ctx, const char *text, size_t len)
{
	const struct misses *m = ctx;
	struct oomtrace_ksym_q tmp[OOMTRACE_KSYMS_MAX];
	unsigned int i;

	for (i = 0; i < m->n; i++)
		tmp[i] = *m->q[i];
	oomtrace_ksyms_feed(tmp, m->n, text, len);
	oomtrace_ksyms_settle(tmp, m->n);
	for (i = 0; i < m->n; i++)
		*m->q[i] = tmp[i];
}

/* The tracing code of the kernel's own text a probe's stack begins with (kernel/trace/bpf_trace.c,
 * kernel/trace/trace_kprobe.c, the mark_victim tracepoint's own functions). */
static bool tracer_core(const char *fn)
{
	static const char *const names[] = {"bpf_trace_run",
					    "__bpf_trace_mark_victim",
					    "__traceiter_mark_victim",
					    "trace_call_bpf",
					    "perf_trace_run_bpf_submit",
					    "perf_trace_mark_victim",
					    "kprobe_perf_func",
					    "kprobe_dispatcher",
					    "kprobe_ftrace_handler",
					    "trace_event_raw_event_mark_victim",
					    NULL};
	const char *const *p;

	for (p = names; *p; p++)
		if (strncmp(fn, *p, strlen(*p)) == 0)
			return true;
	return false;
}

/* One whole line of the text during the prewarm pass: pending ranges get their end at the first
 * greater address of the kernel's own text; a wanted name, the first at its address, opens one. */
struct prewarm {
	struct oomtrace_ksyms *k;
	uint64_t lo, hi;       /* the kernel's own symbols seen */
	uint64_t last;	       /* the address of the line before (0: none, or a module's) */
	unsigned int pending0; /* ranges waiting for their end: [pending0, nrange) */
	bool first;	       /* the line before began a new address */
};

static void prewarm_line(struct oomtrace_ksyms *k, struct prewarm *w, const char *l, const char *e)
{
	const char *name, *ne;
	uint64_t a;
	size_t len;

	if (!parse_line(l, e, &a, &name) || !a)
		return;
	for (ne = name; ne < e && *ne != '\t' && *ne != ' '; ne++)
		;
	if (ne < e || a < w->last) {
		/* a module's symbol, or the sorted text ended: what waits gets no end */
		k->nrange = w->pending0;
		w->last = 0;
		return;
	}
	if (!w->lo)
		w->lo = a;
	if (a > w->hi)
		w->hi = a;
	if (a > w->last) {
		unsigned int i;

		for (i = w->pending0; i < k->nrange; i++)
			k->range[i].above = a;
		w->pending0 = k->nrange;
		w->first = true;
	} else {
		w->first = false; /* an alias: the kernel names the first at an address */
	}
	w->last = a;
	len = (size_t)(ne - name);
	if (!w->first || k->nrange == KRANGE || len >= OOMTRACE_FUNC_MAX)
		return;
	{
		struct krange *r = &k->range[k->nrange];

		memcpy(r->name, name, len);
		r->name[len] = '\0';
		if (!oomtrace_stack_known_function(r->name) && !tracer_core(r->name))
			return;
		r->sym = a;
		r->above = UINT64_MAX;
		k->nrange++;
	}
}

/* A span of whole lines to prewarm_line, one at a time. */
static void prewarm_span(void *ctx, const char *text, size_t len)
{
	struct prewarm *w = ctx;
	const char *p = text, *end = text + len, *nl;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		prewarm_line(w->k, w, p, nl);
	}
}

int oomtrace_ksyms_prewarm(struct oomtrace_ksyms *k)
{
	struct prewarm w = {.k = k};
	int r;

	if (!k)
		return -ENOENT;
	if (!k->range && !(k->range = calloc(KRANGE, sizeof(*k->range))))
		return -ENOMEM;
	k->nrange = 0;
	if ((r = pass(k, prewarm_span, &w)))
		return r;
	k->nrange = w.pending0; /* the last ones got no end */
	k->text_lo = w.lo;
	k->text_hi = w.hi;
	return (int)k->nrange;
}

static void query_init(struct oomtrace_ksym_q *q, uint64_t ip, bool ret)
{
	memset(q, 0, sizeof(*q));
	q->key = oomtrace_ksyms_key(ip, ret);
	q->above = UINT64_MAX;
}

/* Named from what is kept (the names table, the path learned at the start)? */
static bool named_from_kept(struct oomtrace_ksyms *k, struct oomtrace_ksym_q *q)
{
	const struct kcache *c = cache_slot(k, q->key);
	const struct krange *r;

	if (c && c->sym && c->key == q->key) {
		q->sym = c->sym;
		q->above = c->above;
		memcpy(q->name, c->name, sizeof(q->name));
		memcpy(q->module, c->module, sizeof(c->module));
		return true;
	}
	if ((r = range_of(k, q->key))) {
		q->sym = r->sym;
		q->above = r->above;
		memcpy(q->name, r->name, sizeof(q->name));
		return true;
	}
	return false;
}

/* Keep what a pass named, where it stays put: the kernel's own text, this run's BPF programs. */
static void keep_named(struct oomtrace_ksyms *k, struct oomtrace_ksym_q **miss, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct kcache *c = cache_slot(k, miss[i]->key);

		if (!c || !miss[i]->sym ||
		    (miss[i]->module[0] && strcmp(miss[i]->module, "bpf") != 0))
			continue;
		c->key = miss[i]->key;
		c->sym = miss[i]->sym;
		c->above = miss[i]->above;
		memcpy(c->name, miss[i]->name, sizeof(c->name));
		memcpy(c->module, miss[i]->module, sizeof(c->module));
	}
}

int oomtrace_ksyms_stack(struct oomtrace_ksyms *k, const uint64_t *ips, unsigned int n,
			 struct oomtrace_stack *st)
{
	struct oomtrace_ksym_q q[OOMTRACE_KSYMS_MAX], *miss[OOMTRACE_KSYMS_MAX];
	unsigned int i, named = 0, nmiss = 0, nout = 0;

	st->n = 0;
	if (!k || !n)
		return -ENOENT;
	if (n > OOMTRACE_KSYMS_MAX)
		n = OOMTRACE_KSYMS_MAX;
	if (!k->cache && !(k->cache = calloc(KCACHE, sizeof(*k->cache))))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		query_init(&q[i], ips[i], i > 0);
		if (!named_from_kept(k, &q[i])) {
			if (i == nout && k->text_hi &&
			    (q[i].key < k->text_lo || q[i].key > k->text_hi)) {
				/* outside the kernel's own text before any of its frames: the BPF
				 * program or its trampoline, left off unnamed
				 * (oomtrace_ksyms_frames)
				 */
				q[i].sym = q[i].key;
				q[i].above = q[i].key + 1;
				snprintf(q[i].name, sizeof(q[i].name), "bpf_prog");
				snprintf(q[i].module, sizeof(q[i].module), "bpf");
				nout++;
				continue;
			}
			miss[nmiss++] = &q[i];
		}
		if (i == nout)
			nout = n + 1; /* the innermost run is over */
	}
	if (nout == n) {
		/* every frame outside the kernel's text: nothing to leave off, name them all */
		for (i = 0; i < n; i++) {
			query_init(&q[i], ips[i], i > 0);
			miss[i] = &q[i];
		}
		nmiss = n;
	}
	if (nmiss) {
		struct misses m = {miss, nmiss};
		int err = pass(k, feed_misses, &m);

		if (err)
			return err;
		for (i = 0; i < nmiss; i++)
			oomtrace_debug("kernel stacks: %s [%s] named by a pass over kallsyms",
				       miss[i]->name, miss[i]->module);
	}
	for (i = 0; i < n; i++)
		named += q[i].sym != 0;
	if (!named)
		return -EPERM; /* addresses hidden (kptr_restrict): nothing to name */
	keep_named(k, miss, nmiss);
	oomtrace_ksyms_frames(ips, q, n, st);
	return 0;
}
