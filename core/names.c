// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * names.c: systemd unit and Kubernetes identity of a cgroup path.
 *
 * The grammar, from the runtimes' and kubelet's own naming (research notes:
 * ../shared/research/fleet-conventions.md §2.1):
 *   kubelet pod cgroup (pkg/kubelet/cm/cgroup_manager_linux.go, ToSystemd):
 *     systemd driver  /kubepods.slice/kubepods-pod<UID_>.slice                  (Guaranteed: no
 * QoS) /kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<UID_>.slice cgroupfs driver
 * /kubepods/pod<UID>   /kubepods/<qos>/pod<UID> nested kubelets (kind, minikube, LXC): the same
 * below any prefix,
 *     /kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-<qos>.slice/kubelet-kubepods-<qos>-pod<UID_>.slice
 *     static pods: the UID is a 32-hex config hash, no dashes
 *   container leaf below the pod (the first segment below it; deeper ones are the container's own):
 *     containerd  cri-containerd-<id>.scope, or <slice>:cri-containerd:<id> (v1 name=systemd)
 *     CRI-O       crio-<id>.scope, crio-conmon-<id>.scope (its conmon), crio-<id> (cgroupfs)
 *     Docker      docker-<id>.scope              iSulad  isulad-<id>.scope, <slice>:isulad:<id>
 *     Podman      libpod-<id>.scope, libpod-conmon-<id>.scope
 *     cgroupfs driver: the bare <id> (containerd, Docker and iSulad alike: runtime unknown)
 *   outside Kubernetes: /system.slice/docker-<id>.scope, /docker/<id>, /isulad/<id>,
 *   /machine.slice/libpod-<id>.scope.
 *   systemd units: the innermost directory that is a unit's name (see unit_dir()), written as
 *   the directory names it, \xHH escapes kept (systemd.unit(5) "String Escaping").
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "util.h"

static bool ishex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool ends(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* A pod UID at @s: 8-4-4-4-12 hex with '-' or '_' (written dashed to @uid), or 32 hex. Its length,
 * or 0. */
static size_t pod_uid_at(const char *s, size_t n, char *uid, size_t uidsz)
{
	static const int groups[] = {8, 4, 4, 4, 12};
	size_t i = 0, o = 0, g;

	for (g = 0; g < 5; g++) {
		int k;

		if (g) {
			if (i >= n || (s[i] != '-' && s[i] != '_'))
				break;
			i++;
			if (o + 1 < uidsz)
				uid[o++] = '-';
		}
		for (k = 0; k < groups[g]; k++, i++) {
			if (i >= n || !ishex(s[i]))
				goto hash;
			if (o + 1 < uidsz)
				uid[o++] = s[i];
		}
	}
	if (g == 5) {
		uid[o] = '\0';
		return i;
	}
hash:
	/* a static pod: the kubelet's 32-hex hash of its manifest */
	for (i = 0; i < n && ishex(s[i]); i++)
		;
	if (i != 32 || uidsz <= 32)
		return 0;
	memcpy(uid, s, 32);
	uid[32] = '\0';
	return 32;
}

/* A container id: 64 hex (the common form), or at least 12 hex / an OCI-ish name for runtimes that
 * say so. */
static bool id_ok(const char *s, size_t n, bool prefixed)
{
	size_t i;

	if (n == 0 || n >= 72)
		return false;
	for (i = 0; i < n; i++)
		if (!ishex(s[i]))
			return prefixed && n >= 12 &&
			       (s[i] == '-' || (s[i] >= 'a' && s[i] <= 'z') ||
				(s[i] >= '0' && s[i] <= '9'));
	return prefixed ? n >= 12 : n == 64;
}

struct leaf {
	const char *prefix; /* before the id */
	const char *runtime;
};

/* Container leaf forms "<prefix><id>[.scope]", most specific first. */
static const struct leaf leaves[] = {
    {"cri-containerd-", "containerd"},
    {"crio-conmon-", "cri-o"},
    {"crio-", "cri-o"},
    {"docker-", "docker"},
    {"isulad-", "isulad"},
    {"libpod-conmon-", "podman"},
    {"libpod-", "podman"},
};

/* Raw systemd-driver forms "<slice>:<runtime>:<id>" (cgroup v1 name=systemd, driver mismatch). */
static const struct leaf raw_leaves[] = {
    {":cri-containerd:", "containerd"},
    {":crio:", "cri-o"},
    {":isulad:", "isulad"},
    {":docker:", "docker"},
};

/* Is segment @s (@n bytes) a container leaf? Fills id and runtime. */
static bool container_leaf(const char *s, size_t n, bool bare_ok, struct oomtrace_names *out)
{
	size_t i;

	if (ends(s, n, ".scope"))
		n -= 6;
	for (i = 0; i < sizeof(raw_leaves) / sizeof(raw_leaves[0]); i++) {
		size_t k = strlen(raw_leaves[i].prefix);
		const char *p;

		for (p = s; p + k <= s + n; p++)
			if (memcmp(p, raw_leaves[i].prefix, k) == 0 &&
			    id_ok(p + k, (size_t)(s + n - p - k), true)) {
				oomtrace_strlcpy_n(out->container_id, sizeof(out->container_id),
						   p + k, (size_t)(s + n - p - k));
				snprintf(out->runtime, sizeof(out->runtime), "%s",
					 raw_leaves[i].runtime);
				return true;
			}
	}
	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		size_t k = strlen(leaves[i].prefix);

		if (n > k && memcmp(s, leaves[i].prefix, k) == 0 && id_ok(s + k, n - k, true)) {
			oomtrace_strlcpy_n(out->container_id, sizeof(out->container_id), s + k,
					   n - k);
			snprintf(out->runtime, sizeof(out->runtime), "%s", leaves[i].runtime);
			return true;
		}
	}
	if (bare_ok && id_ok(s, n, false)) {
		/* the cgroupfs driver's bare id: containerd, Docker and iSulad write the same */
		oomtrace_strlcpy_n(out->container_id, sizeof(out->container_id), s, n);
		out->runtime[0] = '\0';
		return true;
	}
	return false;
}

/* Is segment @s a kubelet pod cgroup? Fills uid and QoS; @prev is the segment above. */
static bool pod_segment(const char *s, size_t n, const char *prev, size_t prevn,
			struct oomtrace_names *out)
{
	const char *p;
	size_t k;

	if (ends(s, n, ".slice"))
		n -= 6;
	for (p = s; p + 3 < s + n; p++) {
		if (memcmp(p, "pod", 3) != 0 || (p != s && p[-1] != '-'))
			continue;
		k = pod_uid_at(p + 3, (size_t)(s + n - p - 3), out->pod_uid, sizeof(out->pod_uid));
		if (!k || p + 3 + k != s + n)
			continue;
		/* QoS: "kubepods-burstable-pod..." / ".../burstable/pod..." / none: Guaranteed */
		if (p - s >= 10 && memcmp(p - 10, "burstable-", 10) == 0)
			snprintf(out->qos, sizeof(out->qos), "burstable");
		else if (p - s >= 11 && memcmp(p - 11, "besteffort-", 11) == 0)
			snprintf(out->qos, sizeof(out->qos), "besteffort");
		else if (p == s && prevn == 9 && memcmp(prev, "burstable", 9) == 0)
			snprintf(out->qos, sizeof(out->qos), "burstable");
		else if (p == s && prevn == 10 && memcmp(prev, "besteffort", 10) == 0)
			snprintf(out->qos, sizeof(out->qos), "besteffort");
		else
			snprintf(out->qos, sizeof(out->qos), "guaranteed");
		return true;
	}
	out->pod_uid[0] = '\0';
	return false;
}

/*
 * Is @s (@n bytes, one cgroup directory) a systemd unit's? As systemd reads its own tree
 * (src/basic/cgroup-util.c: cg_path_decode_unit, cg_unescape; src/basic/unit-name.c:
 * unit_name_is_valid): one leading '_' is cg_escape()'s, not the unit's; then under 256 bytes,
 * a suffix after the last '.' naming a unit type, and before it only [0-9A-Za-z:_.\\@-], the
 * first '@' neither first nor last (an instance; a template has no cgroup). Only the unit types
 * that own a cgroup are taken. The name is returned as written: its \xHH escapes are part of it
 * (`systemctl status` and `journalctl -u` want them). Its start (past a '_') in @name.
 */
static bool unit_dir(const char *s, size_t n, const char **name, size_t *namen)
{
	static const char *const types[] = {"service", "scope", "slice", "socket", "mount", "swap"};
	const char *dot = NULL, *at = NULL;
	size_t i, t;

	if (n && s[0] == '_') {
		s++;
		n--;
	}
	if (n < 3 || n >= 256)
		return false;
	for (i = n; i-- > 0 && !dot;)
		if (s[i] == '.')
			dot = s + i;
	if (!dot || dot == s)
		return false;
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		if ((size_t)(s + n - dot - 1) == strlen(types[t]) &&
		    memcmp(dot + 1, types[t], strlen(types[t])) == 0)
			break;
	if (t == sizeof(types) / sizeof(types[0]))
		return false;
	for (i = 0; s + i < dot; i++) {
		char c = s[i];

		if (c == '@' && !at)
			at = s + i;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c && strchr("@:-_.\\", c))))
			return false;
	}
	if (at == s || (at && at + 1 == dot))
		return false;
	*name = s;
	*namen = n;
	return true;
}

bool oomtrace_names_from_cgroup(const char *path, struct oomtrace_names *out)
{
	const char *seg[64];
	size_t len[64];
	int nseg = 0, i, pod = -1;
	const char *p = path;

	memset(out, 0, sizeof(*out));
	if (!path)
		return false;
	while (*p && nseg < 64) {
		const char *e;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchr(p, '/');
		if (!e)
			e = p + strlen(p);
		seg[nseg] = p;
		len[nseg++] = (size_t)(e - p);
		p = e;
	}
	/* the innermost pod cgroup: nested kubelets put theirs below another's container */
	for (i = nseg - 1; i >= 0 && pod < 0; i--) {
		/* "<pod slice>:cri-containerd:<id>": the pod is what comes before the first ':' */
		const char *colon = memchr(seg[i], ':', len[i]);
		size_t n = colon ? (size_t)(colon - seg[i]) : len[i];

		if (pod_segment(seg[i], n, i ? seg[i - 1] : "", i ? len[i - 1] : 0, out))
			pod = i;
	}
	if (pod >= 0 && memchr(seg[pod], ':', len[pod]))
		container_leaf(seg[pod], len[pod], false, out);
	else if (pod >= 0 && pod + 1 < nseg)
		container_leaf(seg[pod + 1], len[pod + 1], true, out);
	if (pod < 0) {
		/* outside Kubernetes: a container of a runtime, innermost first */
		for (i = nseg - 1; i >= 0; i--) {
			bool under =
			    i > 0 && ((len[i - 1] == 6 && memcmp(seg[i - 1], "docker", 6) == 0) ||
				      (len[i - 1] == 6 && memcmp(seg[i - 1], "isulad", 6) == 0));

			if (container_leaf(seg[i], len[i], under, out)) {
				if (under && !out->runtime[0])
					snprintf(out->runtime, sizeof(out->runtime), "%.6s",
						 seg[i - 1]);
				break;
			}
		}
	}
	/* the innermost unit, a container's scope and a user manager's units included (journalctl
	 * -u, or --user -u, takes it); a metrics label leaves a container's out
	 * (oomtrace_names_label) */
	for (i = nseg - 1; i >= 0; i--) {
		const char *u;
		size_t un;

		if (unit_dir(seg[i], len[i], &u, &un)) {
			oomtrace_strlcpy_n(out->unit, sizeof(out->unit), u, un);
			break;
		}
	}
	return out->unit[0] || out->pod_uid[0] || out->container_id[0];
}

/* "<namespace>_<pod>_<uid>" in /var/log/pods (namespaces and pod names hold no '_'). */
static bool pod_dir(const char *root, const char *uid, char *ns, size_t nssz, char *pod,
		    size_t podsz, char *dir, size_t dirsz)
{
	char p[512];
	DIR *d;
	struct dirent *e;
	size_t ul = strlen(uid);
	bool found = false;

	snprintf(p, sizeof(p), "%s/var/log/pods", root);
	if (!(d = opendir(p)))
		return false;
	while (!found && (e = readdir(d))) {
		const char *n = e->d_name, *u1 = strchr(n, '_'),
			   *u2 = u1 ? strchr(u1 + 1, '_') : NULL;

		if (!u2 || strcmp(u2 + 1, uid) != 0 || strlen(u2 + 1) != ul)
			continue;
		oomtrace_strlcpy_n(ns, nssz, n, (size_t)(u1 - n));
		oomtrace_strlcpy_n(pod, podsz, u1 + 1, (size_t)(u2 - u1 - 1));
		snprintf(dir, dirsz, "%s/%s", p, n);
		found = true;
	}
	closedir(d);
	return found;
}

/*
 * Names found, by pod UID and container id: a pod's UID names one pod for
 * good, so a storm of kills in one pod reads /var/log once. What was not
 * found is looked for again (kubelet may not have written it yet).
 */
#define NAME_CACHE 8
static struct named {
	char root[64];
	char pod_uid[sizeof(((struct oomtrace_names *)0)->pod_uid)];
	char container_id[sizeof(((struct oomtrace_names *)0)->container_id)];
	char ns[sizeof(((struct oomtrace_names *)0)->k8s_namespace)];
	char pod[sizeof(((struct oomtrace_names *)0)->pod)];
	char container[sizeof(((struct oomtrace_names *)0)->container)];
} named[NAME_CACHE];
static unsigned int named_next;

static struct named *named_find(const char *root, const struct oomtrace_names *n)
{
	unsigned int i;

	for (i = 0; i < NAME_CACHE; i++)
		if (named[i].pod_uid[0] && !strcmp(named[i].pod_uid, n->pod_uid) &&
		    !strcmp(named[i].container_id, n->container_id) && !strcmp(named[i].root, root))
			return &named[i];
	return NULL;
}

static bool resolve(const char *root, struct oomtrace_names *n);

bool oomtrace_names_resolve(const char *root, struct oomtrace_names *n)
{
	struct named *c =
	    n->pod_uid[0] && strlen(root) < sizeof(c->root) ? named_find(root, n) : NULL;

	if (c) {
		snprintf(n->k8s_namespace, sizeof(n->k8s_namespace), "%s", c->ns);
		snprintf(n->pod, sizeof(n->pod), "%s", c->pod);
		snprintf(n->container, sizeof(n->container), "%s", c->container);
		return true;
	}
	if (!resolve(root, n))
		return false;
	if (strlen(root) < sizeof(c->root)) {
		c = &named[named_next++ % NAME_CACHE];
		snprintf(c->root, sizeof(c->root), "%s", root);
		snprintf(c->pod_uid, sizeof(c->pod_uid), "%s", n->pod_uid);
		snprintf(c->container_id, sizeof(c->container_id), "%s", n->container_id);
		snprintf(c->ns, sizeof(c->ns), "%s", n->k8s_namespace);
		snprintf(c->pod, sizeof(c->pod), "%s", n->pod);
		snprintf(c->container, sizeof(c->container), "%s", n->container);
	}
	return true;
}

static bool resolve(const char *root, struct oomtrace_names *n)
{
	char dir[1024], want[400];
	DIR *d;
	struct dirent *e;

	if (!n->pod_uid[0] || !pod_dir(root, n->pod_uid, n->k8s_namespace, sizeof(n->k8s_namespace),
				       n->pod, sizeof(n->pod), dir, sizeof(dir)))
		return false;
	/* the container: /var/log/containers/<pod>_<namespace>_<container>-<id>.log */
	if (n->container_id[0]) {
		char cdir[512];
		size_t pl;

		snprintf(cdir, sizeof(cdir), "%s/var/log/containers", root);
		snprintf(want, sizeof(want), "%s_%s_", n->pod, n->k8s_namespace);
		pl = strlen(want);
		if ((d = opendir(cdir))) {
			while ((e = readdir(d))) {
				size_t l = strlen(e->d_name), il = strlen(n->container_id);

				if (l > pl + il + 5 && strncmp(e->d_name, want, pl) == 0 &&
				    strcmp(e->d_name + l - 4, ".log") == 0 &&
				    e->d_name[l - 5 - il] == '-' &&
				    strncmp(e->d_name + l - 4 - il, n->container_id, il) == 0) {
					oomtrace_strlcpy_n(n->container, sizeof(n->container),
							   e->d_name + pl, l - 5 - il - pl);
					break;
				}
			}
			closedir(d);
		}
	}
	if (!n->container[0] && (d = opendir(dir))) {
		/* one container in the pod: its log directory says which */
		int count = 0;
		char only[256] = "";

		while ((e = readdir(d)))
			if (e->d_name[0] != '.' && count++ == 0)
				snprintf(only, sizeof(only), "%s", e->d_name);
		closedir(d);
		if (count == 1)
			snprintf(n->container, sizeof(n->container), "%s", only);
	}
	return true;
}

void oomtrace_names_of_event(struct oomtrace_event *ev, bool resolve)
{
	const char *path = (ev->victim.known & OOMTRACE_T_CGROUP) ? ev->victim.cgroup
			   : (ev->known & OOMTRACE_E_OOM_MEMCG)	  ? ev->oom_memcg
								  : NULL;
	struct oomtrace_names n;

	if (!path || ev->names.unit[0] || ev->names.pod_uid[0] || ev->names.container_id[0])
		return; /* unknown, or already known (a recorded event) */
	if (!oomtrace_names_from_cgroup(path, &n))
		return;
	if (resolve)
		oomtrace_names_resolve("", &n);
	ev->names = n;
}

const char *oomtrace_names_label(const struct oomtrace_names *n)
{
	return n->pod_uid[0] || n->container_id[0] ? "" : n->unit;
}
