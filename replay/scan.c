// SPDX-License-Identifier: GPL-2.0-or-later
/* scan.c: the replay pre-filter: where in a buffer of log text a line that matters to an OOM report
 * may stand. */
#include "config.h"

#include <string.h>

#include "scan.h"

/*
 * The pre-filter: one Wu-Manber scan (shift table on 3-byte hashes over the first
 * SCAN_L bytes of each needle) for every word a line that starts, ends or
 * annotates an OOM record must hold:
 *   "illed process"        Killed process
 *   "Kill process "        Out of memory: Kill process (the choice before the kill, 2.6.36-5.0)
 *   "kill process "        Out of memory: kill process (the same, before 2.6.36)
 *   "invoked oom-kill"     COMM invoked oom-killer:
 *   "oom-kill:constr"      oom-kill:constraint=... (the summary, 4.19+)
 *   "oom_reaper: reaped"   oom_reaper: reaped process
 *   "killed as a result"   Task in /a killed as a result of limit of /b
 *   "no killable process"  Out of memory and no killable processes...
 *   "panic - not syncing"  Kernel panic - not syncing: (Out of memory / deadlocked on memory)
 *   "memory.oom.group"     Tasks in /a are going to be killed due to memory.oom.group set
 * and the first line of each userspace killer's kill (killers.c names the sources):
 *   " due to memory "      systemd-oomd: Killed|Marked /a.scope ... due to memory pressure|used
 *   "), swap free: "       earlyoom: mem avail: N of N MiB (P%), swap free: ... (its state)
 *   "low memory! at or"    earlyoom: low memory! at or below SIGTERM limits: ... (its reason;
 *                          its kill line, "sending SIGKILL to process N ...", follows: read then)
 *   "requires corrective"  nohang: Memory status that requires corrective actions: (its reason)
 *   "Victim status (found" nohang: Victim status (found in 1ms):
 *   "detectorgroup:["      oomd: oomd kill: ... ruleset:[..] detectorgroup:[..] killer:..
 *   "oom_score_adj"        lmkd: Kill 'app' (N), uid N, oom_score_adj N to free ...
 *   "attempting to reclaim" the kubelet's eviction manager: ... attempting to reclaim memory
 *   " evicted successfully" ... pod ns/name is evicted successfully
 *   "low on resource"      "Evicting pod" pod=.. message="The node was low on resource: memory.."
 * (13 bytes each at least: the longer the shortest needle, the longer the jumps; a needle never
 * spans a ": ", where dmesg --color ends its colour of a subsystem)
 */
#define SCAN_L 13
static const char *const scan_needles[] = {
    "illed process", "Kill process ", "kill process ", "invoked oom-kill", "oom-kill:constr",
    "oom_reaper: reaped", "killed as a result", "no killable process", "panic - not syncing",
    "memory.oom.group",
    /* userspace killers (killers.c): systemd-oomd; earlyoom; nohang; oomd; lmkd; the kubelet */
    " due to memory ", "), swap free: ", "low memory! at or", "requires corrective",
    "Victim status (found", "detectorgroup:[", "oom_score_adj", "attempting to reclaim",
    " evicted successfully", "low on resource"};
#define NNEEDLES (sizeof(scan_needles) / sizeof(scan_needles[0]))
#define SCAN_HASH(a, b, c)                                                                         \
	((((unsigned int)(a) << 10) ^ ((unsigned int)(b) << 5) ^ (unsigned int)(c)) & 0x3fffu)
_Static_assert(NNEEDLES <= 32, "a needle is a bit of oomtrace_scan.cand");

void oomtrace_scan_init(struct oomtrace_scan *s)
{
	size_t i, q;

	memset(s->shift, SCAN_L - 2, sizeof(s->shift));
	memset(s->cand, 0, sizeof(s->cand));
	for (i = 0; i < NNEEDLES; i++) {
		const unsigned char *n = (const unsigned char *)scan_needles[i];

		for (q = 2; q < SCAN_L; q++) {
			unsigned int h = SCAN_HASH(n[q - 2], n[q - 1], n[q]);
			unsigned char sh = (unsigned char)(SCAN_L - 1 - q);

			if (sh < s->shift[h])
				s->shift[h] = sh;
		}
		s->cand[SCAN_HASH(n[SCAN_L - 3], n[SCAN_L - 2], n[SCAN_L - 1])] |=
		    (uint32_t)(1u << i);
	}
}

/* Is a needle at the window ending at @w (hash @h)? */
static const char *scan_verify(const struct oomtrace_scan *s, const unsigned char *w,
			       const unsigned char *e, unsigned int h)
{
	uint32_t c = s->cand[h];
	const unsigned char *st = w - (SCAN_L - 1);
	size_t i;

	for (i = 0; c; i++, c >>= 1) {
		size_t k;

		if (!(c & 1))
			continue;
		k = strlen(scan_needles[i]);
		if ((size_t)(e - st) >= k && memcmp(st, scan_needles[i], k) == 0)
			return (const char *)st;
	}
	return NULL;
}

/* One stream: windows ending in [w, stop), needles checked up to @e. */
static const char *scan_one(const struct oomtrace_scan *s, const unsigned char *w,
			    const unsigned char *stop, const unsigned char *e)
{
	while (w < stop) {
		unsigned int h = SCAN_HASH(w[-2], w[-1], w[0]);
		unsigned char sh = s->shift[h];
		const char *hit;

		if (sh) {
			w += sh;
			continue;
		}
		if ((hit = scan_verify(s, w, e, h)))
			return hit;
		w++;
	}
	return NULL;
}

/*
 * Windows ending in [t + SCAN_L - 1, e). Each step waits on the table load of
 * the step before, so two halves of each 32 KiB chunk are scanned at once; the
 * first half's windows run past its end by SCAN_L - 1 bytes, so that no
 * needle across the middle is missed.
 */
const char *oomtrace_scan_find(const struct oomtrace_scan *s, const char *b, const char *end)
{
	const unsigned char *t = (const unsigned char *)b, *e = (const unsigned char *)end;
	const unsigned char *w1 = t + SCAN_L - 1;

	while (e - w1 > 2 * 16384) {
		const unsigned char *stop1 = w1 + 16384, *w2 = stop1, *stop2 = stop1 + 16384;
		const char *hit2 = NULL, *hit;

		while (w1 < stop1 && w2 < stop2) {
			unsigned int h1 = SCAN_HASH(w1[-2], w1[-1], w1[0]);
			unsigned int h2 = SCAN_HASH(w2[-2], w2[-1], w2[0]);
			unsigned char s1 = s->shift[h1], s2 = s->shift[h2];

			if (!s1) {
				if ((hit = scan_verify(s, w1, e, h1)))
					return hit;
				s1 = 1;
			}
			if (!s2) {
				if ((hit2 = scan_verify(s, w2, e, h2)))
					break;
				s2 = 1;
			}
			w1 += s1;
			w2 += s2;
		}
		if (w1 < stop1 && (hit = scan_one(s, w1, stop1, e)))
			return hit;
		if (hit2)
			return hit2;
		if (w2 < stop2 && (hit = scan_one(s, w2, stop2, e)))
			return hit;
		/* both halves done: go on where the second one stopped (it may have jumped past its
		 * end) */
		w1 = w2 > stop2 ? w2 : stop2;
	}
	return scan_one(s, w1, e, e);
}
