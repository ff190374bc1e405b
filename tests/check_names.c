// SPDX-License-Identifier: GPL-2.0-or-later
/* check_names.c: cgroup path -> systemd unit / Kubernetes identity, over every path shape
 * documented; the filters on them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "helpers.h"

#include "filter.h"
#include "names.h"

#define UID_ "0a1b2c3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d"
#define UID "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
#define CID "3f4e5d6c7b8a99887766554433221100aabbccddeeff00112233445566778899"

struct row {
	const char *why; /* where the shape comes from */
	const char *path;
	const char *unit, *pod_uid, *qos, *container_id, *runtime;
};

static const struct row rows[] = {
    /* kubelet systemd driver (pkg/kubelet/cm/cgroup_manager_linux.go ToSystemd: '-' -> '_', slices
       expanded) */
    {"systemd driver, Guaranteed (no QoS segment), containerd",
     "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" CID ".scope",
     "cri-containerd-" CID ".scope", UID, "guaranteed", CID, "containerd"},
    {"systemd driver, Burstable, containerd",
     "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
     ".slice/cri-containerd-" CID ".scope",
     "cri-containerd-" CID ".scope", UID, "burstable", CID, "containerd"},
    {"systemd driver, BestEffort, CRI-O (pixie StandardFormatCRIO)",
     "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/crio-" CID
     ".scope",
     "crio-" CID ".scope", UID, "besteffort", CID, "cri-o"},
    {"CRI-O's conmon (coroot skips crio-conmon-)",
     "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
     ".slice/crio-conmon-" CID ".scope",
     "crio-conmon-" CID ".scope", UID, "burstable", CID, "cri-o"},
    {"systemd driver, Docker/cri-dockerd (pixie StandardFormatDocker)",
     "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/docker-" CID
     ".scope",
     "docker-" CID ".scope", UID, "burstable", CID, "docker"},
    {"iSulad, openEuler's runtime (iSulad specs.c: cgroupsPath <slice>:isulad:<id> -> "
     "isulad-<id>.scope)",
     "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/isulad-" CID
     ".scope",
     "isulad-" CID ".scope", UID, "besteffort", CID, "isulad"},
    {"containerd raw slice:prefix:name form (cgroup v1 name=systemd, pixie BareMetalK8s_1_21)",
     "/system.slice/containerd.service/kubepods-besteffort-pod" UID_ ".slice:cri-containerd:" CID,
     "containerd.service", UID, "besteffort", CID, "containerd"},
    /* kubelet cgroupfs driver */
    {"cgroupfs driver, Guaranteed: bare id (runtime cannot be told)", "/kubepods/pod" UID "/" CID,
     "", UID, "guaranteed", CID, ""},
    {"cgroupfs driver, Burstable", "/kubepods/burstable/pod" UID "/" CID, "", UID, "burstable", CID,
     ""},
    {"cgroupfs driver, BestEffort, CRI-O", "/kubepods/besteffort/pod" UID "/crio-" CID, "", UID,
     "besteffort", CID, "cri-o"},
    {"a child cgroup below the container (the container's own)",
     "/kubepods/burstable/pod" UID "/" CID "/worker", "", UID, "burstable", CID, ""},
    {"the pod's own memcg (an oom_memcg): no container",
     "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice",
     "kubepods-burstable-pod" UID_ ".slice", UID, "burstable", "", ""},
    {"static pod: the UID is a 32-hex config hash",
     "/kubepods/burstable/pod6f0e5c3e0d6a1c4f2b3e7a9d8c1b2a3f/" CID, "",
     "6f0e5c3e0d6a1c4f2b3e7a9d8c1b2a3f", "burstable", CID, ""},
    /* nested nodes */
    {"kind: kubelet in a container (kubelet.slice/kubelet-kubepods...)",
     "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/"
     "kubelet-kubepods-burstable-pod" UID_ ".slice/cri-containerd-" CID ".scope",
     "cri-containerd-" CID ".scope", UID, "burstable", CID, "containerd"},
    {"minikube (docker driver): a node container around the pods",
     "/docker/aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999/kubepods/burstable/"
     "pod" UID "/" CID,
     "", UID, "burstable", CID, ""},
    {"LXC: a node in a container",
     "/lxc.payload.node1/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" CID ".scope",
     "cri-containerd-" CID ".scope", UID, "guaranteed", CID, "containerd"},
    /* outside Kubernetes */
    {"Docker, systemd cgroup driver", "/system.slice/docker-" CID ".scope", "docker-" CID ".scope",
     "", "", CID, "docker"},
    {"Docker, cgroupfs driver", "/docker/" CID, "", "", "", CID, "docker"},
    {"iSulad standalone (default parent /isulad)", "/isulad/" CID, "", "", "", CID, "isulad"},
    {"Podman", "/machine.slice/libpod-" CID ".scope", "libpod-" CID ".scope", "", "", CID,
     "podman"},
    /* systemd units (systemd.unit(5): \xHH escapes) */
    {"a service", "/system.slice/worker.service", "worker.service", "", "", "", ""},
    {"a service's child cgroup", "/system.slice/nginx.service/workers", "nginx.service", "", "", "",
     ""},
    {"a template instance with an escaped dash: the unit's name keeps it",
     "/system.slice/system-getty.slice/getty@tty\\x2d1.service", "getty@tty\\x2d1.service", "", "",
     "", ""},
    {"a user manager's app scope (systemd's app-<launcher>-<app>-<id>.scope), escape kept",
     "/user.slice/user-1000.slice/user@1000.service/app.slice/"
     "app-flatpak-org.example.Editor\\x2dbeta-4242.scope",
     "app-flatpak-org.example.Editor\\x2dbeta-4242.scope", "", "", "", ""},
    {"the user manager itself", "/user.slice/user-1000.slice/user@1000.service/init.scope",
     "init.scope", "", "", "", ""},
    {"cg_escape()'s '_' before a name a controller's files could take: not the unit's",
     "/system.slice/_cpu.service", "cpu.service", "", "", "", ""},
    {"a mount unit's cgroup", "/system.slice/home.mount", "home.mount", "", "", "", ""},
    {"a socket unit's cgroup", "/system.slice/sshd.socket", "sshd.socket", "", "", "", ""},
    {"a template (foo@.service) owns no cgroup: the slice", "/system.slice/foo@.service",
     "system.slice", "", "", "", ""},
    {"'@' first is no unit", "/system.slice/@x.service", "system.slice", "", "", "", ""},
    {"a blank is no unit character", "/system.slice/my app.service", "system.slice", "", "", "",
     ""},
    {"a target owns no cgroup", "/system.slice/multi-user.target", "system.slice", "", "", "", ""},
    {"a suffix that is no unit type", "/system.slice/app.services", "system.slice", "", "", "", ""},
    {"a delegated subtree's own groups below the unit", "/system.slice/ci.service/job-7/payload",
     "ci.service", "", "", "", ""},
    {"a login session", "/user.slice/user-1000.slice/session-4.scope", "session-4.scope", "", "",
     "", ""},
    {"a slice alone", "/user.slice/user-1000.slice", "user-1000.slice", "", "", "", ""},
    {"the root", "/", "", "", "", "", ""},
    {"not a pod: 'pod' in a name", "/system.slice/podman-restart.service", "podman-restart.service",
     "", "", "", ""},
};

START_TEST(path_shapes)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct oomtrace_names n;

		oomtrace_names_from_cgroup(r->path, &n);
		ck_assert_msg(strcmp(n.unit, r->unit) == 0, "%s: unit '%s', want '%s'", r->why,
			      n.unit, r->unit);
		ck_assert_msg(strcmp(n.pod_uid, r->pod_uid) == 0, "%s: pod_uid '%s', want '%s'",
			      r->why, n.pod_uid, r->pod_uid);
		ck_assert_msg(strcmp(n.qos, r->qos) == 0, "%s: qos '%s', want '%s'", r->why, n.qos,
			      r->qos);
		ck_assert_msg(strcmp(n.container_id, r->container_id) == 0,
			      "%s: container_id '%s', want '%s'", r->why, n.container_id,
			      r->container_id);
		ck_assert_msg(strcmp(n.runtime, r->runtime) == 0, "%s: runtime '%s', want '%s'",
			      r->why, n.runtime, r->runtime);
	}
}
END_TEST

static void touch(const char *p)
{
	FILE *f = fopen(p, "w");

	ck_assert_ptr_nonnull(f);
	fclose(f);
}

/* Names from the node's files, laid out as kubelet writes them (kuberuntime helpers.go,
 * legacyLogSymlink). */
/* The cart pod's api container and the pod's own memcg (two containers there: none named). */
static void cart_names(const char *root)
{
	struct oomtrace_names n;

	oomtrace_names_from_cgroup(
	    "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	    ".slice/cri-containerd-" CID ".scope",
	    &n);
	ck_assert(oomtrace_names_resolve(root, &n));
	ck_assert_str_eq(n.k8s_namespace, "shop");
	ck_assert_str_eq(n.pod, "cart-7d9f8-x2x4q");
	ck_assert_str_eq(n.container, "api");
	oomtrace_names_from_cgroup("/kubepods/burstable/pod" UID, &n);
	ck_assert(oomtrace_names_resolve(root, &n));
	ck_assert_str_eq(n.pod, "cart-7d9f8-x2x4q");
	ck_assert_str_eq(n.container, "");
}

/* A metrics label or summary key: the unit only where no container or pod stands for it (a scope
 * per container would make a series per restart), while the event keeps the scope. */
START_TEST(unit_label)
{
	static const struct {
		const char *path, *label;
	} cases[] = {
	    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	     ".slice/cri-containerd-" CID ".scope",
	     ""},
	    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice", ""},
	    {"/system.slice/docker-" CID ".scope", ""},
	    {"/system.slice/worker.service", "worker.service"},
	    {"/user.slice/user-1000.slice/user@1000.service/app.slice/app-a\\x2db-1.scope",
	     "app-a\\x2db-1.scope"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct oomtrace_names n;

		oomtrace_names_from_cgroup(cases[i].path, &n);
		ck_assert_msg(n.unit[0], "%s: no unit", cases[i].path);
		ck_assert_msg(strcmp(oomtrace_names_label(&n), cases[i].label) == 0,
			      "%s: label '%s', want '%s'", cases[i].path, oomtrace_names_label(&n),
			      cases[i].label);
	}
}
END_TEST

START_TEST(names_from_var_log)
{
	char root[] = "/tmp/oomtrace-names-XXXXXX", p[512];
	struct oomtrace_names n;

	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(p, sizeof(p), "%s/var", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/log", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/log/pods", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/log/containers", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/log/pods/shop_cart-7d9f8-x2x4q_" UID, root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/log/pods/shop_cart-7d9f8-x2x4q_" UID "/api", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/log/pods/shop_cart-7d9f8-x2x4q_" UID "/istio-proxy", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/log/pods/other_db-0_11111111-2222-3333-4444-555555555555",
		 root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/log/containers/cart-7d9f8-x2x4q_shop_api-" CID ".log", root);
	touch(p);
	/* another container of the pod, whose id differs */
	snprintf(p, sizeof(p), "%s/var/log/containers/cart-7d9f8-x2x4q_shop_istio-proxy-%s.log",
		 root, "ffff4e5d6c7b8a99887766554433221100aabbccddeeff00112233445566778899");
	touch(p);

	cart_names(root);
	/* a pod this node has no logs for */
	oomtrace_names_from_cgroup("/kubepods/pod99999999-2222-3333-4444-555555555555/" CID, &n);
	ck_assert(!oomtrace_names_resolve(root, &n));
	ck_assert_str_eq(n.pod, "");
	/* once kubelet has written it, it is found (what was not found is not remembered) */
	snprintf(p, sizeof(p), "%s/var/log/pods/late_web-1_99999999-2222-3333-4444-555555555555",
		 root);
	mkdir(p, 0755);
	ck_assert(oomtrace_names_resolve(root, &n));
	ck_assert_str_eq(n.pod, "web-1");
	/* what was found is remembered: the same kills again, with /var/log gone, keep their names
	 * (the pod's own memcg is an entry of its own: no container id) */
	snprintf(p, sizeof(p), "rm -rf '%s/var'", root);
	ck_assert_int_eq(system(p), 0);
	cart_names(root);
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	ck_assert_int_eq(system(p), 0);
}
END_TEST

/* Each filter on what it names: victim or trigger, the cgroup tree, the pod, the unit with or
 * without its suffix. */
START_TEST(filters)
{
	struct oomtrace_event ev;
	struct oomtrace_filter f;

	oomtrace_event_init(&ev);
	strcpy(ev.victim.comm, "hog");
	strcpy(ev.trigger.comm, "java");
	ev.victim.pid = 31;
	ev.trigger.pid = 30;
	ev.victim.known = OOMTRACE_T_COMM | OOMTRACE_T_PID;
	ev.trigger.known = OOMTRACE_T_COMM | OOMTRACE_T_PID;
	strcpy(ev.victim.cgroup, "/kubepods/burstable/pod1");
	ev.victim.known |= OOMTRACE_T_CGROUP;
	strcpy(ev.names.unit, "batch\\x2dworker.service");
	strcpy(ev.names.pod, "cart-7d9f");
	strcpy(ev.names.pod_uid, UID);
	strcpy(ev.names.k8s_namespace, "shop");
	ck_assert(oomtrace_filter_match(&(struct oomtrace_filter){0}, &ev));
	/* --comm and --pid: the victim's or the trigger's */
	ck_assert(oomtrace_filter_match(&(struct oomtrace_filter){.comm = "hog"}, &ev));
	ck_assert(oomtrace_filter_match(&(struct oomtrace_filter){.comm = "java"}, &ev));
	ck_assert(!oomtrace_filter_match(&(struct oomtrace_filter){.comm = "ho"}, &ev));
	ck_assert(oomtrace_filter_match(&(struct oomtrace_filter){.pid = 30}, &ev));
	ck_assert(oomtrace_filter_match(&(struct oomtrace_filter){.pid = 31}, &ev));
	ck_assert(!oomtrace_filter_match(&(struct oomtrace_filter){.pid = 3}, &ev));
	ev.trigger.known &= ~(uint32_t)OOMTRACE_T_COMM; /* a comm not known matches nothing */
	ck_assert(!oomtrace_filter_match(&(struct oomtrace_filter){.comm = "java"}, &ev));
	ev.trigger.known |= OOMTRACE_T_COMM;
	/* --cgroup: the tree under a path, not a prefix of a name */
	ck_assert(oomtrace_filter_match(&(struct oomtrace_filter){.cgroup = "/kubepods"}, &ev));
	ck_assert(oomtrace_filter_match(&(struct oomtrace_filter){.cgroup = "/kubepods/"}, &ev));
	ck_assert(oomtrace_filter_match(&(struct oomtrace_filter){.cgroup = "/"}, &ev));
	ck_assert(!oomtrace_filter_match(&(struct oomtrace_filter){.cgroup = "/kube"}, &ev));
	/* --pod by name or UID, --namespace */
	ck_assert(oomtrace_filter_match(&(struct oomtrace_filter){.pod = "cart-7d9f"}, &ev));
	ck_assert(oomtrace_filter_match(&(struct oomtrace_filter){.pod = UID}, &ev));
	ck_assert(!oomtrace_filter_match(&(struct oomtrace_filter){.pod = "cart"}, &ev));
	ck_assert(oomtrace_filter_match(&(struct oomtrace_filter){.k8s_namespace = "shop"}, &ev));
	ck_assert(!oomtrace_filter_match(&(struct oomtrace_filter){.k8s_namespace = "sho"}, &ev));
	/* --unit with or without its type suffix, never a longer name */
	ck_assert(oomtrace_filter_match(
	    &(struct oomtrace_filter){.unit = "batch\\x2dworker.service"}, &ev));
	ck_assert(
	    oomtrace_filter_match(&(struct oomtrace_filter){.unit = "batch\\x2dworker"}, &ev));
	ck_assert(!oomtrace_filter_match(&(struct oomtrace_filter){.unit = "batch"}, &ev));
	strcpy(ev.names.unit, "batch\\x2dworker.service.d.x");
	ck_assert(
	    !oomtrace_filter_match(&(struct oomtrace_filter){.unit = "batch\\x2dworker"}, &ev));
	/* every criterion must hold */
	f = (struct oomtrace_filter){.comm = "hog", .pid = 3};
	ck_assert(!oomtrace_filter_match(&f, &ev));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("names");
	TCase *t = tcase_create("core");

	tcase_add_test(t, path_shapes);
	tcase_add_test(t, unit_label);
	tcase_add_test(t, names_from_var_log);
	tcase_add_test(t, filters);
	suite_add_tcase(s, t);
	return run_suite(s);
}
