// SPDX-License-Identifier: GPL-2.0-or-later
/* bcc_headers.c: find kernel headers for libbcc and show them where it looks (private mount
 * namespace). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bcc_headers.h"
#include "event.h"

const char *bcc_kernel_release(void)
{
	static struct utsname u;

	if (!u.release[0] && uname(&u))
		return "?";
	return u.release;
}

static bool has_kconfig(const char *dir)
{
	char p[4200];

	if (snprintf(p, sizeof(p), "%s/include/linux/kconfig.h", dir) >= (int)sizeof(p))
		return false;
	return access(p, R_OK) == 0;
}

/* The source tree beside a build tree: Debian's "include /usr/src/...-common/Makefile". */
static bool source_of(const char *build, char *src, size_t srcsz)
{
	char p[4200], line[4200];
	FILE *f;
	bool ok = false;

	if (has_kconfig(build)) {
		oomtrace_strlcpy_n(src, srcsz, build, strlen(build));
		return true;
	}
	if (snprintf(p, sizeof(p), "%s/source", build) < (int)sizeof(p) && has_kconfig(p)) {
		oomtrace_strlcpy_n(src, srcsz, p, strlen(p));
		return true;
	}
	if (snprintf(p, sizeof(p), "%s/Makefile", build) >= (int)sizeof(p))
		return false;
	f = fopen(p, "re");
	if (!f)
		return false;
	while (!ok && fgets(line, sizeof(line), f)) {
		char *inc = strncmp(line, "include ", 8) == 0 ? line + 8 : NULL, *mk;

		if (!inc || !(mk = strstr(inc, "/Makefile")))
			continue;
		*mk = '\0';
		ok = has_kconfig(inc);
		if (ok) {
			oomtrace_strlcpy_n(src, srcsz, inc, strlen(inc));
		} else if (strrchr(inc, '/') && strrchr(build, '/')) {
			/* headers unpacked elsewhere (dpkg -x): the -common tree beside this one */
			const char *base = strrchr(inc, '/') + 1;
			int dl = (int)(strrchr(build, '/') - build);

			if (snprintf(p, sizeof(p), "%.*s/%s", dl, build, base) < (int)sizeof(p) &&
			    has_kconfig(p)) {
				oomtrace_strlcpy_n(src, srcsz, p, strlen(p));
				ok = true;
			}
		}
	}
	fclose(f);
	return ok;
}

/*
 * Kernel headers for libbcc: --kernel-headers DIR, BCC_KERNEL_SOURCE,
 * /lib/modules/$(uname -r)/{build,source}, /sys/kernel/kheaders.tar.xz.
 */
int bcc_find_headers(const struct oomtrace_backend_opts *o, char *build, size_t bsz, char *src,
		     size_t ssz, char *why, size_t whysz)
{
	const char *env = getenv("BCC_KERNEL_SOURCE");
	char p[512];

	if (o->kernel_headers) {
		char abs[PATH_MAX];
		/* absolute: the path becomes a symlink's target in another directory */
		const char *h = realpath(o->kernel_headers, abs) ? abs : o->kernel_headers;

		oomtrace_strlcpy_n(build, bsz, h, strlen(h));
		if (source_of(build, src, ssz))
			return 0;
		snprintf(
		    why, whysz,
		    "--kernel-headers %s: no kernel headers there (no include/linux/kconfig.h)",
		    o->kernel_headers);
		return -ENOENT;
	}
	if (env && has_kconfig(env)) {
		oomtrace_strlcpy_n(build, bsz, env, strlen(env));
		oomtrace_strlcpy_n(src, ssz, env, strlen(env));
		return 0;
	}
	snprintf(p, sizeof(p), "/lib/modules/%s/build", bcc_kernel_release());
	if (access(p, F_OK) == 0 && source_of(p, src, ssz)) {
		oomtrace_strlcpy_n(build, bsz, p, strlen(p));
		return 0;
	}
	if (access("/sys/kernel/kheaders.tar.xz", R_OK) == 0) {
		build[0] = src[0] = '\0'; /* libbcc unpacks it itself */
		return 0;
	}
	snprintf(
	    why, whysz,
	    "no kernel headers for %s: install linux-headers-%s (Debian/Ubuntu) or kernel-devel-%s "
	    "(openEuler/RHEL), or give --kernel-headers DIR",
	    bcc_kernel_release(), bcc_kernel_release(), bcc_kernel_release());
	return -ENOENT;
}

/*
 * libbcc looks for headers at /lib/modules/$(uname -r)/{build,source}. For
 * --kernel-headers, show it that layout in a private mount namespace, so the
 * host's /lib/modules is never touched.
 */
int bcc_expose_headers(const char *build, const char *src, char *tmp, size_t tmpsz, char *why,
		       size_t whysz)
{
	char dir[] = "/tmp/oomtrace-headers-XXXXXX", p[600], mod[300];
	char top[] = "/tmp/oomtrace-modules-XXXXXX";

	memset(tmp, 0, tmpsz);
	snprintf(mod, sizeof(mod), "/lib/modules/%s", bcc_kernel_release());
	if (!mkdtemp(dir)) {
		snprintf(why, whysz, "cannot make a temporary directory: %s", strerror(errno));
		return -errno;
	}
	snprintf(tmp, tmpsz, "%s", dir);
	snprintf(p, sizeof(p), "%s/build", dir);
	if (symlink(build, p)) {
		snprintf(why, whysz, "symlink: %s", strerror(errno));
		return -errno;
	}
	snprintf(p, sizeof(p), "%s/source", dir);
	if (symlink(src, p)) {
		snprintf(why, whysz, "symlink: %s", strerror(errno));
		return -errno;
	}
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		snprintf(why, whysz,
			 "cannot make a private mount namespace for --kernel-headers: %s",
			 strerror(errno));
		return -errno;
	}
	if (access(mod, F_OK) != 0) {
		/* no directory for this kernel: put one over /lib/modules, in our namespace only */
		char link[600];

		if (!mkdtemp(top))
			return -errno;
		if (strlen(dir) + 1 + strlen(top) + 1 <= tmpsz)
			memcpy(tmp + strlen(dir) + 1, top, strlen(top) + 1);
		snprintf(link, sizeof(link), "%s/%s", top, bcc_kernel_release());
		if (symlink(dir, link) || mount(top, "/lib/modules", NULL, MS_BIND, NULL)) {
			snprintf(why, whysz, "cannot show the headers at %s: %s", mod,
				 strerror(errno));
			return -errno;
		}
		return 0;
	}
	if (mount(dir, mod, NULL, MS_BIND, NULL)) {
		snprintf(why, whysz, "cannot show the headers at %s: %s", mod, strerror(errno));
		return -errno;
	}
	return 0;
}

void bcc_unexpose_headers(const char *tmp)
{
	const char *dir = tmp, *top;
	char p[600];

	if (!tmp || !tmp[0])
		return;
	top = tmp + strlen(tmp) + 1;
	/* our private namespace: the host never saw these mounts */
	if (top[0]) {
		umount2("/lib/modules", MNT_DETACH);
		snprintf(p, sizeof(p), "%s/%s", top, bcc_kernel_release());
		unlink(p);
		rmdir(top);
	} else {
		snprintf(p, sizeof(p), "/lib/modules/%s", bcc_kernel_release());
		umount2(p, MNT_DETACH);
	}
	snprintf(p, sizeof(p), "%s/build", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/source", dir);
	unlink(p);
	rmdir(dir);
}

bool bcc_headers_release(const char *build, char *rel, size_t relsz)
{
	char p[4200], buf[256];
	FILE *f;
	bool ok = false;

	/* UTS_RELEASE is what uname(2) reports; Debian's include/config/kernel.release is the
	 * upstream version */
	snprintf(p, sizeof(p), "%s/include/generated/utsrelease.h", build);
	if ((f = fopen(p, "re"))) {
		while (!ok && fgets(buf, sizeof(buf), f)) {
			char *q = strstr(buf, "UTS_RELEASE \"");

			if (q) {
				q += 13;
				q[strcspn(q, "\"")] = '\0';
				snprintf(rel, relsz, "%s", q);
				ok = q[0] != '\0';
			}
		}
		fclose(f);
	}
	if (!ok && (f = (snprintf(p, sizeof(p), "%s/include/config/kernel.release", build),
			 fopen(p, "re")))) {
		if (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = '\0';
			snprintf(rel, relsz, "%s", buf);
			ok = buf[0] != '\0';
		}
		fclose(f);
	}
	return ok;
}

int bcc_small_kallsyms(bool read_kernel)
{
	/* any kernel-looking address: libbcc skips lines at 0, and only asks whether the name is
	 * there */
	static const char line[] = "ffffffff81000000 T bpf_probe_read_kernel\n";
	char p[] = "/tmp/oomtrace-kallsyms-XXXXXX";
	int fd, err = 0;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -errno;
	/* a file of our namespace (a memfd cannot be bind-mounted); gone once bound */
	fd = mkstemp(p);
	if (fd < 0)
		return -errno;
	if (read_kernel && write(fd, line, sizeof(line) - 1) != (ssize_t)(sizeof(line) - 1))
		err = -EIO;
	if (!err && mount(p, "/proc/kallsyms", NULL, MS_BIND, NULL))
		err = -errno;
	unlink(p);
	close(fd);
	return err;
}
