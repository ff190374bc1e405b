// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * growth.c: a memcg's last minute, read for what it proves (growth.h; docs/schema.md, "why").
 * Samples are a second apart, oldest first, t_ms <= 0 before the record.
 */
#include "config.h"

#include "growth.h"

#define STEADY_MIN_MS 10000
#define STEADY_R2 0.9
#define SPIKE_MS 2000
#define SLACK_MS 500 /* a sample may come up to half a period late */
#define NEAR_WINDOW_MS 5000
#define NEAR_TTL_MS 10000

/* least squares over samples [a, b] */
static bool fit(const struct oomtrace_history *hi, unsigned int a, unsigned int b, double *kb_per_s,
		double *r2)
{
	double n = (double)(b - a + 1), sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, vx, vy, cov;
	unsigned int i;

	if (b < a + 2)
		return false;
	for (i = a; i <= b; i++) {
		double x = hi->s[i].t_ms / 1000.0, y = (double)hi->s[i].usage_kb;

		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		syy += y * y;
	}
	vx = sxx - sx * sx / n;
	vy = syy - sy * sy / n;
	cov = sxy - sx * sy / n;
	if (vx <= 0)
		return false;
	*kb_per_s = cov / vx;
	*r2 = vy <= 0 ? 1.0 : cov * cov / (vx * vy);
	return true;
}

/* the first sample within @window_ms of the newest */
static unsigned int window_start(const struct oomtrace_history *hi, int32_t window_ms)
{
	unsigned int a = hi->n - 1;

	while (a > 0 && hi->s[hi->n - 1].t_ms - hi->s[a - 1].t_ms <= window_ms)
		a--;
	return a;
}

bool oomtrace_growth_rate(const struct oomtrace_history *hi, int32_t window_ms, double *kb_per_s,
			  double *r2)
{
	return hi->n >= 3 && fit(hi, window_start(hi, window_ms), hi->n - 1, kb_per_s, r2);
}

bool oomtrace_growth_steady(const struct oomtrace_history *hi, int32_t *from_ms, double *kb_per_s)
{
	unsigned int a, last;
	double r2;

	if (hi->n < 3 || hi->s[hi->n - 1].usage_kb * 2 < hi->limit_kb)
		return false;
	last = hi->n - 1;
	/* back from the newest while every step grew */
	for (a = last; a > 0 && hi->s[a].usage_kb > hi->s[a - 1].usage_kb; a--)
		;
	if (hi->s[last].t_ms - hi->s[a].t_ms < STEADY_MIN_MS - SLACK_MS)
		return false;
	if (!fit(hi, a, last, kb_per_s, &r2) || r2 < STEADY_R2 || *kb_per_s <= 0)
		return false;
	*from_ms = hi->s[a].t_ms;
	return true;
}

bool oomtrace_growth_spike(const struct oomtrace_history *hi, const struct oomtrace_sample **under)
{
	int i;

	for (i = (int)hi->n - 1; i >= 0 && hi->s[i].usage_kb * 2 >= hi->limit_kb; i--)
		;
	if (i < 0 || hi->s[i].t_ms < -SPIKE_MS)
		return false;
	*under = &hi->s[i];
	return true;
}

bool oomtrace_growth_near_limit(const struct oomtrace_history *hi, int64_t *ttl_ms,
				double *kb_per_s)
{
	const struct oomtrace_sample *last;
	double r2, left_ms;

	if (hi->n < 5 || !hi->limit_kb)
		return false;
	last = &hi->s[hi->n - 1];
	if (last->usage_kb >= hi->limit_kb)
		return false; /* at the limit: the kill is its record */
	if (!oomtrace_growth_rate(hi, NEAR_WINDOW_MS, kb_per_s, &r2) || r2 < STEADY_R2 ||
	    *kb_per_s <= 0)
		return false;
	left_ms = (double)(hi->limit_kb - last->usage_kb) / *kb_per_s * 1000.0 + last->t_ms;
	if (left_ms > NEAR_TTL_MS)
		return false;
	*ttl_ms = left_ms < 0 ? 0 : (int64_t)left_ms;
	return true;
}
