// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * killers.c: deaths the kernel's OOM killer did not deal, from the log lines of the programs that
 * did. Each wording is the program's own, from its source:
 *  - earlyoom (rfjakob/earlyoom kill.c, main.c; v1.3 to v1.9 and master 5c3e3ea):
 *    "low memory! at or below SIGTERM limits: mem %5.2f%%, swap %5.2f%%", then
 *    "sending %s to process %d [uid %d ]\"%s\": badness|oom_score %d, [oom_score_adj %d, ]
 *    VmRSS %lld MiB[, cmdline \"%s\"]", then "escalating to SIGKILL after %.1f|%.3f seconds",
 *    "process [%d ]exited after %.1f|%.3f seconds" or "process %d did not exit".
 *  - systemd-oomd (systemd src/oom/oomd-manager.c, v247 to main): "Killed %s due to memory
 *    pressure for %s being %lu.%02lu%% > %lu.%02lu%% for > %s with reclaim activity", "Killed %s
 *    due to memory used (%lu) / total (%lu) and swap used (%lu) / total (%lu) being more than
 *    %lu.%02lu%%"; since v254 "Marked %s for killing due to ..." (the kill follows its pre-kill
 *    hooks).
 *  - oomd (facebookincubator/oomd BaseKillPlugin.cpp logKill, to /dev/kmsg): "oomd kill: %.2f
 *    %.2f %.2f <cgroup> <usage> ruleset:[%s] detectorgroup:[%s] killer:[(dry)]<plugin> v2".
 *  - lmkd: AOSP system/memory/lmkd lmkd.cpp kill_one_process "Kill '%s' (%d), uid %d,
 *    oom_score_adj %d to free %ldkB rss, %ldkB swap[; reason: %s]"; the Linux port (FuriLabs/lmkd
 *    src/lmkd.cpp) "Kill '%s' (pid=%d, uid=%d, oom_score_adj=%d) to free %ldkB rss, %ldkB swap;
 *    reason: %s (thrashing=%d%%, max_thrashing=%d%%, free_mem=%ldkB, free_swap=%ldkB)".
 *  - nohang 0.2 (hakavlad/nohang src/nohang implement_corrective_action, find_victim_info), one
 *    message over several lines: "Memory status that requires corrective actions:" and its
 *    indented lines, "Victim status (found in %sms):", "  PID:       %s, name: %s, state: %s,
 *    EUID: %s, ...", "  badness:   %s, oom_score:  %s, oom_score_adj:  %s", "  Vm, MiB:   Size:
 *    %s, RSS: %s..., Swap: %s", "  cgroup_v1: %s", "  cgroup_v2: %s", "Implementing a corrective
 *    action:", "  Sending %s to the victim", "The victim died in %ss".
 *  - the kubelet's eviction manager (kubernetes pkg/kubelet/eviction/eviction_manager.go; klog
 *    structured since 1.21, printf before): "Eviction manager: attempting to reclaim"
 *    resourceName="memory" | "eviction manager: attempting to reclaim memory", then "Eviction
 *    manager: pod is evicted successfully" pod="ns/name" | "eviction manager: pod name_ns(uid) is
 *    evicted successfully"; at -v 3 "Evicting pod" pod=.. message="The node was low on resource:
 *    memory. Threshold quantity: %v, available: %v. ..." (helpers.go nodeLowMessageFmt).
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "killers_int.h"

/* lines after earlyoom's "low memory!" within which its kill line is read (it comes next) */
#define EA_WAIT_LINES 20

/* ---- earlyoom -------------------------------------------------------------------- */

/* "sending SIGTERM to process 4242 uid 1000 \"hog\": oom_score 812, oom_score_adj 0, VmRSS 1450
 * MiB, cmdline \"./hog\"" (older: no uid; "badness" for "oom_score") */
static bool earlyoom_sending(const char *p, const char *e, struct oomtrace_event *ev)
{
	const char *nm, *ne;
	int64_t v;
	int sig;

	if (!lit(&p, e, "sending ") || !(sig = signal_name(&p, e)) || !lit(&p, e, " to process ") ||
	    !num(&p, e, &v) || v <= 0 || v > INT32_MAX)
		return false;
	set_signal(ev, sig);
	ev->victim.pid = (int32_t)v;
	ev->victim.known |= OOMTRACE_T_PID;
	if (lit(&p, e, " uid ") && num(&p, e, &v) && v >= 0 && v <= UINT32_MAX) {
		ev->victim.uid = (uint32_t)v;
		ev->victim.known |= OOMTRACE_T_UID;
	}
	if (!lit(&p, e, " \"") || !(ne = find(p, e, "\": ")))
		return true;
	nm = p;
	set_comm(&ev->victim, nm, ne);
	p = ne + 3;
	if ((lit(&p, e, "badness ") && num(&p, e, &v)))
		fact(ev, "badness", v);
	else if (lit(&p, e, "oom_score ") && num(&p, e, &v))
		fact(ev, "oom_score", v);
	if (lit(&p, e, ", oom_score_adj ") && num(&p, e, &v) && v >= -1000 && v <= 1000) {
		ev->victim.oom_score_adj = (int32_t)v;
		ev->victim.known |= OOMTRACE_T_OOM_SCORE_ADJ;
	}
	if (lit(&p, e, ", VmRSS ") && num(&p, e, &v) && v >= 0 && v < INT64_MAX / 1024)
		fact(ev, "vm_rss_kb", v * 1024);
	return true;
}

/* "low memory! at or below SIGTERM limits: mem  9.80%, swap  4.90%" */
/*
 * "mem avail:   546 of  7812 MiB ( 7.00%), swap free:    0 of    0 MiB ( 0.00%)" (1.3: "(%2d %%)"):
 * the state earlyoom printed before it acted (print_mem_stats, meminfo.c); kept for the kill
 */
static bool earlyoom_stats(struct oomtrace_killers *k, const char *p, const char *e)
{
	static const char *const keys[] = {"mem_available_kb", "mem_total_kb",	"mem_available_bp",
					   "swap_free_kb",     "swap_total_kb", "swap_free_bp"};
	int64_t v[6];
	int i;

	if (!lit(&p, e, "mem avail: "))
		return false;
	k->ea_stats.n = 0;
	for (i = 0; i < 6; i++) {
		if (i == 3 && !(p = find(p, e, "swap free: ")))
			return true;
		if (i == 3)
			p += 11;
		if (i % 3 == 2) {
			if (!(p = find(p, e, "(")))
				return true;
			p++;
			if (!hundredths(&p, e, &v[i]))
				return true;
		} else if (!num(&p, e, &v[i]) || v[i] < 0 || v[i] > INT64_MAX / 1024) {
			return true;
		} else {
			v[i] *= 1024; /* MiB */
			if (i % 3 == 0 && !lit(&p, e, " of"))
				return true;
		}
	}
	for (i = 0; i < 6; i++)
		(void)oomtrace_facts_set(&k->ea_stats, keys[i], strlen(keys[i]), v[i]);
	return true;
}

/* "low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%": the limits it crossed */
static bool earlyoom_low(struct oomtrace_killers *k, const char *p, const char *e)
{
	const char *r = p, *q;
	int64_t v;

	if (!lit(&p, e, "low memory! at or below "))
		return false;
	oomtrace_strlcpy_n(k->reason[KL_EARLYOOM], sizeof(k->reason[0]), r, (size_t)(e - r));
	k->ea_reason = k->ea_stats; /* the state printed just before */
	k->ea_stats.n = 0;
	if ((q = find(p, e, "mem ")) && (q += 4, hundredths(&q, e, &v)))
		(void)oomtrace_facts_set(&k->ea_reason, "mem_limit_bp", 12, v);
	if ((q = find(p, e, "swap ")) && (q += 5, hundredths(&q, e, &v)))
		(void)oomtrace_facts_set(&k->ea_reason, "swap_limit_bp", 13, v);
	return true;
}

static int earlyoom(struct oomtrace_killers *k, const struct oomtrace_killer_line *l,
		    void (*ev_new)(void *, struct oomtrace_event *), void *arg,
		    struct oomtrace_event *out)
{
	const char *p = l->msg, *e = l->msg + l->len;
	struct oomtrace_event *ev = &k->ev[KL_EARLYOOM];
	uint64_t us;
	int64_t v;
	int r;

	if (earlyoom_stats(k, p, e))
		return 0;
	if (earlyoom_low(k, p, e)) {
		k->ea_wait = l->line; /* the pre-filter looks for this line, not for the kill's */
		return 0;
	}
	if (lit(&p, e, "sending ")) {
		p = l->msg;
		k->ea_wait = 0;
		r = hand_over(k, KL_EARLYOOM, out);
		start(ev, l, "earlyoom", ev_new, arg);
		if (!earlyoom_sending(p, e, ev))
			return r;
		if (k->reason[KL_EARLYOOM][0]) {
			memcpy(ev->killer.reason, k->reason[KL_EARLYOOM],
			       sizeof(ev->killer.reason));
			for (unsigned int i = 0; i < k->ea_reason.n; i++)
				fact(ev, k->ea_reason.kv[i].key, k->ea_reason.kv[i].val);
			k->ea_reason.n = 0;
			k->reason[KL_EARLYOOM][0] = '\0';
		}
		k->open[KL_EARLYOOM] = true;
		k->opened[KL_EARLYOOM] = l->line;
		return r;
	}
	if (!k->open[KL_EARLYOOM])
		return 0;
	if (lit(&p, e, "escalating to SIGKILL after ")) {
		set_signal(ev, SIGKILL);
		if (seconds_us(&p, e, &us))
			fact(ev, "sigkill_after_ms", (int64_t)(us / 1000));
		return 0;
	}
	if (lit(&p, e, "process ")) {
		/* "process exited after 0.5 seconds" (<= 1.7), "process 4242 exited after ..." */
		if (num(&p, e, &v) && v != ev->victim.pid)
			return 0;
		blanks(&p, e);
		if (lit(&p, e, "exited after ") && seconds_us(&p, e, &us)) {
			set_died(ev, us);
		} else if (!lit(&p, e, "did not exit")) {
			return 0;
		}
		return hand_over(k, KL_EARLYOOM, out);
	}
	if (lit(&p, e, "kill failed: "))
		k->open[KL_EARLYOOM] = false; /* nothing was killed */
	return 0;
}

/* ---- systemd-oomd ---------------------------------------------------------------- */

/* "... being 62.34% > 60.00% for > 20s with reclaim activity" /
 * "... memory used (N) / total (N) and swap used (N) / total (N) being more than 90.00%" */
static void oomd_reason_facts(struct oomtrace_event *ev, const char *p, const char *e)
{
	static const char *const keys[] = {"memory_used_bytes", "memory_total_bytes",
					   "swap_used_bytes", "swap_total_bytes"};
	const char *q = p;
	int64_t v;
	int i;

	if (lit(&q, e, "pressure for ")) {
		const char *b = find(q, e, " being ");

		if (!b)
			return;
		q = b + 7;
		if (hundredths(&q, e, &v))
			fact(ev, "pressure_avg10_bp", v);
		if (lit(&q, e, "% > ") && hundredths(&q, e, &v))
			fact(ev, "pressure_limit_bp", v);
		return;
	}
	for (i = 0; i < 4; i++) {
		if (!(q = find(q, e, "(")))
			return;
		q++;
		if (num(&q, e, &v))
			fact(ev, keys[i], v);
	}
	if ((q = find(q, e, "more than ")) && (q += 10, hundredths(&q, e, &v)))
		fact(ev, "swap_used_limit_bp", v);
}

/* "Killed /user.slice/.../app.scope due to memory pressure for /user.slice being ..." */
static int systemd_oomd(const struct oomtrace_killer_line *l,
			void (*ev_new)(void *, struct oomtrace_event *), void *arg,
			struct oomtrace_event *out)
{
	const char *p = l->msg, *e = l->msg + l->len, *cg, *d, *ce;
	bool marked = false;

	if (!lit(&p, e, "Killed ") && !(marked = lit(&p, e, "Marked ")))
		return 0;
	cg = p;
	if (!(d = find(p, e, " due to memory ")))
		return 0;
	ce = marked ? find(cg, e, " for killing due") : d;
	if (!ce || ce == cg || memchr(cg, ' ', (size_t)(ce - cg)))
		return 0;
	start(out, l, "systemd-oomd", ev_new, arg);
	set_signal(out, SIGKILL);
	set_cgroup(&out->victim, cg, ce);
	set_reason(out, d + 8, e);
	oomd_reason_facts(out, d + 15, e);
	return 1;
}

/* ---- oomd ------------------------------------------------------------------------ */

/* "oomd kill: 61.20 40.11 12.03 system.slice/foo.service 1234567 ruleset:[protection against
 * heavy workload thrashing] detectorgroup:[sustained high pressure] killer:kill_by_pressure v2" */
static int oomd(const struct oomtrace_killer_line *l,
		void (*ev_new)(void *, struct oomtrace_event *), void *arg,
		struct oomtrace_event *out)
{
	static const char *const keys[] = {"pressure_avg10_bp", "pressure_avg60_bp",
					   "pressure_avg300_bp"};
	const char *p = l->msg, *e = l->msg + l->len, *cg, *kl, *rs;
	int64_t pr[3], usage;
	int i;

	if (!lit(&p, e, "oomd kill: "))
		return 0;
	for (i = 0; i < 3; i++)
		if (!hundredths(&p, e, &pr[i]))
			return 0;
	blanks(&p, e);
	cg = p;
	while (p < e && *p != ' ')
		p++;
	if (p == cg || !num(&p, e, &usage) || !(kl = find(p, e, "killer:")))
		return 0;
	if (lit(&(const char *){kl + 7}, e, "(dry)"))
		return 0; /* a dry run killed nothing */
	start(out, l, "oomd", ev_new, arg);
	set_signal(out, SIGKILL);
	set_cgroup(&out->victim, cg, find(cg, e, " "));
	for (i = 0; i < 3; i++)
		fact(out, keys[i], pr[i]);
	fact(out, "usage_bytes", usage);
	rs = find(p, kl, "ruleset:[");
	set_reason(out, rs ? rs : kl, e);
	return 1;
}

/* ---- lmkd ------------------------------------------------------------------------ */

static int lmkd(const struct oomtrace_killer_line *l,
		void (*ev_new)(void *, struct oomtrace_event *), void *arg,
		struct oomtrace_event *out)
{
	static const char *const paren[] = {
	    "thrashing=", "max_thrashing=", "free_mem=", "free_swap="};
	static const char *const keys[] = {"thrashing_pct", "max_thrashing_pct", "free_mem_kb",
					   "free_swap_kb"};
	const char *p = l->msg, *e = l->msg + l->len, *nm, *ne, *q;
	int64_t pid, uid, adj, v;
	bool port;
	int i;

	if (!(p = find(p, e, "Kill '")))
		return 0;
	nm = p + 6;
	/* the task name may hold quotes: its end is the last "' (" before " to free " */
	if (!(q = find(nm, e, " to free ")))
		return 0;
	for (ne = NULL, p = nm; (p = find(p, q, "' (")); p++)
		ne = p;
	if (!ne)
		return 0;
	p = ne + 3;
	port = lit(&p, e, "pid=");
	if (!num(&p, e, &pid) || pid <= 0 || pid > INT32_MAX ||
	    !lit(&p, e, port ? ", uid=" : "), uid ") || !num(&p, e, &uid) ||
	    !lit(&p, e, port ? ", oom_score_adj=" : ", oom_score_adj ") || !num(&p, e, &adj) ||
	    !lit(&p, e, port ? ") to free " : " to free "))
		return 0;
	start(out, l, "lmkd", ev_new, arg);
	set_signal(out, SIGKILL);
	set_comm(&out->victim, nm, ne);
	out->victim.pid = (int32_t)pid;
	out->victim.known |= OOMTRACE_T_PID;
	if (uid >= 0 && uid <= UINT32_MAX) {
		out->victim.uid = (uint32_t)uid;
		out->victim.known |= OOMTRACE_T_UID;
	}
	if (adj >= -1000 && adj <= 1000) {
		out->victim.oom_score_adj = (int32_t)adj;
		out->victim.known |= OOMTRACE_T_OOM_SCORE_ADJ;
	}
	if (num(&p, e, &v) && v >= 0)
		fact(out, "rss_kb", v);
	if (lit(&p, e, "kB rss, ") && num(&p, e, &v) && v >= 0)
		fact(out, "swap_kb", v);
	if ((q = find(p, e, "; reason: "))) {
		const char *re = find(q, e, " (thrashing=");

		set_reason(out, q + 10, re ? re : e);
	}
	for (i = 0; i < 4; i++)
		if ((q = find(p, e, paren[i])) && (q == p || q[-1] == '(' || q[-1] == ' ')) {
			q += strlen(paren[i]);
			if (num(&q, e, &v))
				fact(out, keys[i], v);
		}
	return 1;
}

/* ---- nohang ---------------------------------------------------------------------- */

/* one indented line of the victim's status */
static void nohang_status(struct oomtrace_event *ev, const char *p, const char *e)
{
	const char *q;
	int64_t v;

	if (lit(&p, e, "PID:")) {
		if (num(&p, e, &v) && v > 0 && v <= INT32_MAX) {
			ev->victim.pid = (int32_t)v;
			ev->victim.known |= OOMTRACE_T_PID;
		}
		if (lit(&p, e, ", name: ") && (q = find(p, e, ", state: ")))
			set_comm(&ev->victim, p, q);
		if ((q = find(p, e, ", EUID: ")) && (q += 8, num(&q, e, &v)) && v >= 0 &&
		    v <= UINT32_MAX) {
			ev->victim.uid = (uint32_t)v;
			ev->victim.known |= OOMTRACE_T_UID;
		}
	} else if (lit(&p, e, "badness:")) {
		if (num(&p, e, &v))
			fact(ev, "badness", v);
		if (lit(&p, e, ", oom_score:") && num(&p, e, &v))
			fact(ev, "oom_score", v);
		if (lit(&p, e, ", oom_score_adj:") && num(&p, e, &v) && v >= -1000 && v <= 1000) {
			ev->victim.oom_score_adj = (int32_t)v;
			ev->victim.known |= OOMTRACE_T_OOM_SCORE_ADJ;
		}
	} else if (lit(&p, e, "Vm, MiB:")) {
		if ((q = find(p, e, "RSS: ")) && (q += 5, num(&q, e, &v)) && v >= 0 &&
		    v < INT64_MAX / 1024)
			fact(ev, "vm_rss_kb", v * 1024);
	} else if (lit(&p, e, "cgroup_v2:")) {
		/* the unified hierarchy's path ("0::" of /proc/PID/cgroup): the memory cgroup on a
		 * v2 host; nohang's cgroup_v1 is the name=systemd hierarchy's, no memory cgroup */
		blanks(&p, e);
		if (p < e && *p == '/')
			set_cgroup(&ev->victim, p, e);
	}
}

static int nohang(struct oomtrace_killers *k, const struct oomtrace_killer_line *l,
		  void (*ev_new)(void *, struct oomtrace_event *), void *arg,
		  struct oomtrace_event *out)
{
	const char *p = l->msg, *e = l->msg + l->len;
	struct oomtrace_event *ev = &k->ev[KL_NOHANG];
	bool indented = p < e && *p == ' ';
	uint64_t us;
	int sig, r;

	blanks(&p, e);
	if (!indented)
		k->nohang_block = false;
	if (lit(&p, e, "Memory status that requires corrective actions:")) {
		k->reason[KL_NOHANG][0] = '\0';
		k->nohang_block = true;
		return 0;
	}
	if (lit(&p, e, "Victim status (found in ")) {
		r = hand_over(k, KL_NOHANG, out);
		start(ev, l, "nohang", ev_new, arg);
		memcpy(ev->killer.reason, k->reason[KL_NOHANG], sizeof(ev->killer.reason));
		k->reason[KL_NOHANG][0] = '\0';
		k->open[KL_NOHANG] = true;
		k->opened[KL_NOHANG] = l->line;
		k->nohang_block = true;
		return r;
	}
	if (indented && k->nohang_block) {
		if (!k->open[KL_NOHANG]) { /* the memory status: its first line is the reason */
			if (!k->reason[KL_NOHANG][0])
				oomtrace_strlcpy_n(k->reason[KL_NOHANG], sizeof(k->reason[0]), p,
						   (size_t)(e - p));
		} else if (lit(&p, e, "Sending ") && (sig = signal_name(&p, e))) {
			set_signal(ev, sig);
		} else {
			nohang_status(ev, p, e);
		}
		return 0;
	}
	if (!k->open[KL_NOHANG])
		return 0;
	if (lit(&p, e, "Implementing a corrective action:")) {
		k->nohang_block = true;
		return 0;
	}
	if (lit(&p, e, "The victim died in ") && seconds_us(&p, e, &us)) {
		set_died(ev, us);
		return hand_over(k, KL_NOHANG, out);
	}
	if (lit(&p, e, "The victim doesn't respond on corrective action") ||
	    lit(&p, e, "The victim became a zombie in "))
		return hand_over(k, KL_NOHANG, out);
	if (lit(&p, e, "Selected process died before corrective action") ||
	    lit(&p, e, "Cannot send a signal"))
		k->open[KL_NOHANG] = false; /* nohang killed nothing */
	return 0;
}

/* ---- the kubelet's eviction manager ---------------------------------------------- */

/* a klog value at @p: "quoted" (with \" escapes kept as they are) or bare to the next blank */
static size_t klog_value(const char *p, const char *e, const char **v)
{
	const char *q;

	if (p < e && *p == '"') {
		for (q = ++p; q < e && *q != '"'; q++)
			if (*q == '\\' && q + 1 < e)
				q++;
	} else {
		for (q = p; q < e && *q != ' '; q++)
			;
	}
	*v = p;
	return (size_t)(q - p);
}

/* "Threshold quantity: 100Mi, available: 95Mi" of a message: Kubernetes quantities as kB */
static void kube_quantity(struct oomtrace_event *ev, const char *key, const char *p, const char *e)
{
	static const struct {
		const char *s;
		int64_t mul, div;
	} units[] = {{"Ki", 1, 1},	{"Mi", 1024, 1},      {"Gi", 1048576, 1},
		     {"k", 1000, 1024}, {"M", 1000000, 1024}, {"G", 1000000000, 1024}};
	int64_t v;
	size_t i;

	if (!num(&p, e, &v) || v < 0)
		return;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (lit(&p, e, units[i].s)) {
			if (v < INT64_MAX / units[i].mul)
				fact(ev, key, v * units[i].mul / units[i].div);
			return;
		}
	fact(ev, key, v / 1024); /* plain bytes */
}

static void kube_reason(struct oomtrace_event *ev, const char *m, const char *e)
{
	const char *q;

	set_reason(ev, m, e);
	if ((q = find(m, e, "Threshold quantity: ")))
		kube_quantity(ev, "threshold_kb", q + 20, e);
	if ((q = find(m, e, ", available: ")))
		kube_quantity(ev, "available_kb", q + 13, e);
}

/* The pod of "pod=\"ns/name\"" (structured) or "pod name_ns(uid) is" (printf). */
static void kube_pod(struct oomtrace_event *ev, const char *p, size_t n, bool printf_form)
{
	const char *e = p + n, *s, *u;

	if (printf_form) { /* format.Pod(): name_namespace(uid) */
		u = find(p, e, "(");
		s = NULL;
		for (const char *q = p; q < (u ? u : e); q++)
			if (*q == '_')
				s = q;
		if (!s)
			return;
		oomtrace_strlcpy_n(ev->names.pod, sizeof(ev->names.pod), p, (size_t)(s - p));
		oomtrace_strlcpy_n(ev->names.k8s_namespace, sizeof(ev->names.k8s_namespace), s + 1,
				   (size_t)((u ? u : e) - s - 1));
		if (u && e > u + 1 && e[-1] == ')')
			oomtrace_strlcpy_n(ev->names.pod_uid, sizeof(ev->names.pod_uid), u + 1,
					   (size_t)(e - u - 2));
		return;
	}
	if (!(s = memchr(p, '/', n)))
		return;
	oomtrace_strlcpy_n(ev->names.k8s_namespace, sizeof(ev->names.k8s_namespace), p,
			   (size_t)(s - p));
	oomtrace_strlcpy_n(ev->names.pod, sizeof(ev->names.pod), s + 1, (size_t)(e - s - 1));
}

static int kubelet(struct oomtrace_killers *k, const struct oomtrace_killer_line *l,
		   void (*ev_new)(void *, struct oomtrace_event *), void *arg,
		   struct oomtrace_event *out)
{
	const char *p = l->msg, *e = l->msg + l->len, *q, *v;
	size_t n;

	if ((q = find(p, e, "anager: attempting to reclaim"))) {
		q += 29;
		if (lit(&q, e, "\" resourceName="))
			n = klog_value(q, e, &v);
		else if (lit(&q, e, " "))
			n = klog_value(q, e, &v);
		else
			return 0;
		oomtrace_strlcpy_n(k->kube_resource, sizeof(k->kube_resource), v, n);
		return 0;
	}
	if ((q = find(p, e, "\"Evicting pod\" pod="))) {
		n = klog_value(q + 19, e, &v);
		oomtrace_strlcpy_n(k->kube_pod, sizeof(k->kube_pod), v, n);
		k->kube_msg[0] = '\0';
		if ((q = find(v + n, e, " message=\""))) {
			n = klog_value(q + 9, e, &v);
			oomtrace_strlcpy_n(k->kube_msg, sizeof(k->kube_msg), v, n);
		}
		return 0;
	}
	if ((q = find(p, e, "anager: pod is evicted successfully\" pod="))) {
		n = klog_value(q + 41, e, &v);
		if (strcmp(k->kube_resource, "memory") != 0)
			return 0;
		start(out, l, "kubelet", ev_new, arg);
		out->record = OOMTRACE_RECORD_EVICTION;
		kube_pod(out, v, n, false);
	} else if ((q = find(p, e, "anager: pod ")) &&
		   (v = find(q, e, " is evicted successfully"))) {
		if (strcmp(k->kube_resource, "memory") != 0)
			return 0;
		start(out, l, "kubelet", ev_new, arg);
		out->record = OOMTRACE_RECORD_EVICTION;
		kube_pod(out, q + 12, (size_t)(v - q - 12), true);
	} else {
		return 0;
	}
	n = strlen(k->kube_pod);
	if (k->kube_msg[0] && (q = memchr(k->kube_pod, '/', n)) &&
	    strcmp(q + 1, out->names.pod) == 0)
		kube_reason(out, k->kube_msg, k->kube_msg + strlen(k->kube_msg));
	else
		oomtrace_strlcpy_n(out->killer.reason, sizeof(out->killer.reason),
				   "the node was low on memory", 26);
	k->kube_pod[0] = k->kube_msg[0] = '\0';
	return 1;
}

/* ---- dispatch -------------------------------------------------------------------- */

bool oomtrace_killers_in_kmsg(const char *msg, size_t len)
{
	return len > 11 && memcmp(msg, "oomd kill: ", 11) == 0;
}

int oomtrace_killers_line(struct oomtrace_killers *k, const struct oomtrace_killer_line *l,
			  void (*ev_new)(void *arg, struct oomtrace_event *ev), void *arg,
			  struct oomtrace_event *out)
{
	const char *m = l->msg;
	size_t n = l->len;
	int r;

	if (!n)
		return 0;
	if (oomtrace_killers_in_kmsg(m, n))
		return oomd(l, ev_new, arg, out);
	if ((r = earlyoom(k, l, ev_new, arg, out)) || (r = systemd_oomd(l, ev_new, arg, out)) ||
	    (r = nohang(k, l, ev_new, arg, out)))
		return r;
	if (find(m, m + n, "Kill '"))
		return lmkd(l, ev_new, arg, out);
	if (find(m, m + n, "anager: ") || find(m, m + n, "\"Evicting pod\""))
		return kubelet(k, l, ev_new, arg, out);
	return 0;
}

int oomtrace_killers_expire(struct oomtrace_killers *k, uint64_t line, uint64_t max_lines,
			    bool force, struct oomtrace_event *out)
{
	int i;

	for (i = 0; i < KL_OPEN_MAX; i++)
		if (k->open[i] && (force || line > k->opened[i] + max_lines))
			return hand_over(k, i, out);
	if (force)
		k->nohang_block = false;
	/* earlyoom said memory was low: its kill line comes right after, or not at all */
	if (k->ea_wait && (force || line > k->ea_wait + EA_WAIT_LINES))
		k->ea_wait = 0;
	return 0;
}

int oomtrace_killers_hand_over(struct oomtrace_killers *k, struct oomtrace_event *out)
{
	int i;

	for (i = 0; i < KL_OPEN_MAX; i++)
		if (k->open[i])
			return hand_over(k, i, out);
	return 0;
}

bool oomtrace_killers_busy(const struct oomtrace_killers *k)
{
	return k->open[KL_EARLYOOM] || k->open[KL_NOHANG] || k->nohang_block || k->ea_wait;
}
