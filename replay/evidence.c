// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evidence.c: the lines of a global OOM report that say where the memory was: each zone's free
 * pages against its watermarks, the huge pages reserved, the swap left, and the unreclaimable
 * slab caches. Pure, as decode.c; each wording with the kernel function that prints it.
 */
#include "config.h"

#include <string.h>

#include "evidence.h"
#include "lex.h"

/* "123kB" or "123KB" (show_free_areas prints reserved_highatomic with "KB"): the end, or NULL */
static const char *kb_num(const char *s, uint64_t *v)
{
	int64_t x;
	const char *e = num(s, &x);

	if (!e || x < 0 || !((e[0] == 'k' || e[0] == 'K') && e[1] == 'B'))
		return NULL;
	*v = (uint64_t)x;
	return e + 2;
}

/* "Node 3 " at @m: the node, and where the rest starts (NULL: not such a line) */
static const char *node_of(const char *m, int32_t *node)
{
	int64_t n;
	const char *e;

	if (!starts(m, "Node "))
		return NULL;
	e = num(m + 5, &n);
	if (!e || *e != ' ' || n < 0 || n > INT32_MAX)
		return NULL;
	*node = (int32_t)n;
	return skip_sp(e);
}

/*
 * show_free_areas() (mm/page_alloc.c; mm/show_mem.c from 6.2), one line per populated zone since
 * 2.6.x: "Node 0 Normal free:48768kB boost:0kB min:45100kB low:56372kB high:67644kB
 * reserved_highatomic:0KB active_anon:..kB ..." (boost: 5.0+, reserved_highatomic: 4.10+;
 * 2.6/3.x end with "all_unreclaimable? no"). "Node N " only where the kernel has CONFIG_NUMA
 * (show_node()). Not the node's own line ("Node 0 active_anon:..") nor the free areas
 * ("Node 0 Normal: 12*4kB (UME) ... = 48768kB").
 */
bool oomtrace_decode_zone(const char *m, struct oomtrace_context *ctx)
{
	struct oomtrace_zone z = {0};
	const char *s = node_of(m, &z.node), *name;
	size_t n;
	unsigned int seen = 0;

	if (s)
		z.known |= OOMTRACE_Z_NODE;
	else
		s = skip_sp(m);
	name = s;
	n = strcspn(name, " :=");
	if (!n || n >= sizeof(z.zone) || name[n] != ' ' || !starts(skip_sp(name + n), "free:"))
		return false;
	copy(z.zone, sizeof(z.zone), name, n);
	s = skip_sp(name + n);
	while (*s) {
		static const char *const keys[] = {"free:", "min:", "low:", "high:"};
		uint64_t *dst[] = {&z.free_kb, &z.min_kb, &z.low_kb, &z.high_kb};
		unsigned int i;

		for (i = 0; i < 4; i++) {
			size_t k = strlen(keys[i]);

			if (!strncmp(s, keys[i], k) && kb_num(s + k, dst[i])) {
				seen |= 1u << i;
				break;
			}
		}
		s = skip_sp(s + strcspn(s, " "));
	}
	/* all four, or it is not a zone line this decoder knows */
	if (seen != 0xf)
		return false;
	if (ctx->nzones < OOMTRACE_ZONES_MAX)
		ctx->zones[ctx->nzones++] = z;
	return true;
}

/*
 * hugetlb_show_meminfo_node() (mm/hugetlb.c; hugetlb_show_meminfo() before 6.0), per node and
 * huge page size: "Node 0 hugepages_total=512 hugepages_free=0 hugepages_surp=0
 * hugepages_size=2048kB".
 */
bool oomtrace_decode_hugepages(const char *m, struct oomtrace_context *ctx)
{
	struct oomtrace_hugepages h = {0};
	const char *s = node_of(m, &h.node);
	int64_t total, free, surp;
	const char *e;

	if (!s || !starts(s, "hugepages_total=") || !(e = num(s + 16, &total)) ||
	    !starts(e, " hugepages_free=") || !(e = num(e + 16, &free)) ||
	    !starts(e, " hugepages_surp=") || !(e = num(e + 16, &surp)) ||
	    !starts(e, " hugepages_size=") || !(e = kb_num(e + 16, &h.size_kb)) || *skip_sp(e) ||
	    total < 0 || free < 0 || surp < 0)
		return false;
	h.total = (uint64_t)total;
	h.free = (uint64_t)free;
	h.surplus = (uint64_t)surp;
	if (ctx->nhuge < OOMTRACE_HUGE_MAX)
		ctx->huge[ctx->nhuge++] = h;
	return true;
}

/*
 * show_swap_cache_info() (mm/swap_state.c): "Free swap  = %ldkB" and "Total swap = %lukB",
 * two spaces after "Free swap" so that the two align.
 */
bool oomtrace_decode_swap(const char *m, struct oomtrace_context *ctx)
{
	uint64_t v;
	const char *e;

	if (starts(m, "Free swap  = ") && (e = kb_num(m + 13, &v)) && !*skip_sp(e)) {
		ctx->swap_free_kb = v;
		ctx->known |= OOMTRACE_C_SWAP_FREE;
		return true;
	}
	if (starts(m, "Total swap = ") && (e = kb_num(m + 13, &v)) && !*skip_sp(e)) {
		ctx->swap_total_kb = v;
		ctx->known |= OOMTRACE_C_SWAP_TOTAL;
		return true;
	}
	return false;
}

/*
 * dump_unreclaimable_slab() (mm/slab_common.c, 4.15+), printed by a global OOM's dump_header
 * when unreclaimable slab outweighs the LRU pages: "Unreclaimable slab info:", the heading
 * "Name                      Used          Total", then per cache "%-17s %10luKB %10luKB"
 * (its active and all objects' size). The name is what stands before the two sizes: read from
 * the end, so that a name of more than 17 bytes is whole.
 */
bool oomtrace_decode_slab_line(const char *m, struct oomtrace_context *ctx)
{
	struct oomtrace_slab sl = {0};
	size_t n = strlen(m), ns;
	const char *start;
	uint64_t v[2];
	int i;

	while (n && (m[n - 1] == ' ' || m[n - 1] == '\t'))
		n--;
	if (starts(skip_sp(m), "Name ") && strstr(m, " Used") && strstr(m, " Total"))
		return true; /* the heading */
	/* two sizes from the end: "...  123KB  456KB" */
	for (i = 1; i >= 0; i--) {
		size_t e = n, s;
		const char *end;

		if (e < 3 || m[e - 1] != 'B' || m[e - 2] != 'K')
			return false;
		s = e - 2;
		while (s && m[s - 1] >= '0' && m[s - 1] <= '9')
			s--;
		if (s == e - 2 || !s || (m[s - 1] != ' ' && m[s - 1] != '\t'))
			return false;
		end = kb_num(m + s, &v[i]);
		if (!end || (size_t)(end - m) != e)
			return false;
		n = s;
		while (n && (m[n - 1] == ' ' || m[n - 1] == '\t'))
			n--;
	}
	/* the name: from the first non-blank to the blanks before the first size (n, trimmed) */
	start = skip_sp(m);
	ns = (size_t)(start - m);
	if (n <= ns)
		return false;
	copy(sl.name, sizeof(sl.name), start, n - ns);
	sl.used_kb = v[0];
	sl.total_kb = v[1];
	oomtrace_context_add_slab(ctx, &sl);
	return true;
}
