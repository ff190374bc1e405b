// SPDX-License-Identifier: GPL-2.0-or-later
/* bcc_cache.c: the BCC backend's compiled program kept per kernel (see bcc_cache.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <zlib.h>

#include "bcc_cache.h"
#include "util.h"

static const char magic[8] = "OOMTBCC1";
#define CACHE_MAX_BYTES (1 << 20)
/* the key padded with NULs to 8 bytes, so the entry and its instructions stay 8-byte aligned */
#define KEY_SPACE(n) (((n) + 7) & ~(size_t)7)
_Static_assert(sizeof(struct bcc_cache) % 8 == 0,
	       "the instructions after an entry stay 8-byte aligned");

int bcc_cache_key(const struct oomtrace_backend_opts *o, const char *build, char *key, size_t keysz)
{
	struct utsname u;
	struct stat x, h = {0};
	char p[600];
	int n;

	if (uname(&u) || stat("/proc/self/exe", &x))
		return -errno;
	if (build[0]) {
		snprintf(p, sizeof(p), "%s/include/generated/autoconf.h", build);
		if (stat(p, &h))
			memset(&h, 0, sizeof(h));
	}
	n = snprintf(key, keysz,
		     "oomtrace %s exe %ju:%ju:%jd:%jd\nkernel %s %s %s\nprobe %s buffer "
		     "%u stacks %d\nheaders %s %jd:%jd\n",
		     PACKAGE_VERSION, (uintmax_t)x.st_dev, (uintmax_t)x.st_ino, (intmax_t)x.st_size,
		     (intmax_t)x.st_mtime, u.release, u.version, u.machine,
		     o->probe ? o->probe : "auto", o->buffer_kb, !o->no_stacks,
		     build[0] ? build : "kheaders", (intmax_t)h.st_size, (intmax_t)h.st_mtime);
	return n < 0 || (size_t)n >= keysz ? -ENAMETOOLONG : 0;
}

static void entry_path(const char *dir, const char *key, char *p, size_t sz)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a: a name; the whole key is compared on read */

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	snprintf(p, sz, "%s/bcc-%016" PRIx64 ".prog", dir, h);
}

/* Only what is ours alone is trusted: its programs are loaded with our privileges. */
static bool ours_alone(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

static int dir_ok(const char *dir, bool make)
{
	struct stat st;

	if (make && mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (lstat(dir, &st))
		return -errno;
	return S_ISDIR(st.st_mode) && ours_alone(&st) ? 0 : -EPERM;
}

int bcc_cache_write(const char *dir, const char *key, const struct bcc_cache *c)
{
	struct bcc_cache flat = *c;
	size_t keylen = strlen(key), insns = 0, len, off;
	char path[600], tmp[600];
	unsigned char *buf;
	uint32_t hdr[2], crc;
	unsigned int i;
	int fd, err;

	if ((err = dir_ok(dir, true)))
		return err;
	for (i = 0; i < c->nprogs; i++) {
		insns += c->progs[i].ninsn * 8u;
		flat.progs[i].insns = NULL;
	}
	flat.owned = NULL;
	len = sizeof(magic) + sizeof(hdr) + KEY_SPACE(keylen) + sizeof(flat) + insns + sizeof(crc);
	if (len > CACHE_MAX_BYTES || !(buf = calloc(1, len)))
		return -ENOMEM;
	hdr[0] = (uint32_t)keylen;
	hdr[1] = (uint32_t)insns;
	memcpy(buf, magic, sizeof(magic));
	off = sizeof(magic);
	memcpy(buf + off, hdr, sizeof(hdr));
	off += sizeof(hdr);
	memcpy(buf + off, key, keylen);
	off += KEY_SPACE(keylen);
	memcpy(buf + off, &flat, sizeof(flat));
	off += sizeof(flat);
	for (i = 0; i < c->nprogs; off += c->progs[i].ninsn * 8u, i++)
		memcpy(buf + off, c->progs[i].insns, c->progs[i].ninsn * 8u);
	crc = (uint32_t)crc32(0, buf, (uInt)off);
	memcpy(buf + off, &crc, sizeof(crc));
	entry_path(dir, key, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s/.bcc-XXXXXX", dir);
	fd = mkstemp(tmp);
	err = fd < 0 ? -errno : 0;
	if (!err && (fchmod(fd, 0600) || oomtrace_write_all(fd, buf, len) || fsync(fd)))
		err = -errno;
	if (fd >= 0 && close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err && fd >= 0)
		unlink(tmp);
	free(buf);
	return err;
}

/* Counts, indexes and strings of a read entry within bounds; instructions sized as the file says.
 */
static int check_entry(struct bcc_cache *c, size_t insn_bytes)
{
	size_t sum = 0;
	unsigned int i;

	if (c->nmaps > BCC_CACHE_MAPS || c->nprogs == 0 || c->nprogs > BCC_CACHE_PROGS ||
	    c->events_map < 0 || (uint32_t)c->events_map >= c->nmaps || c->drops_map < -1 ||
	    c->drops_map >= (int32_t)c->nmaps)
		return -EINVAL;
	for (i = 0; i < c->nmaps; i++)
		c->maps[i].name[sizeof(c->maps[i].name) - 1] = '\0';
	for (i = 0; i < c->nprogs; i++) {
		struct bcc_cache_prog *p = &c->progs[i];

		if (p->attach < BCA_TRACEPOINT || p->attach > BCA_KPROBE || p->ninsn == 0 ||
		    p->ninsn > 1000000)
			return -EINVAL;
		p->name[sizeof(p->name) - 1] = p->license[sizeof(p->license) - 1] = '\0';
		p->where[0][sizeof(p->where[0]) - 1] = p->where[1][sizeof(p->where[1]) - 1] = '\0';
		sum += p->ninsn * 8u;
	}
	c->probe_desc[sizeof(c->probe_desc) - 1] = '\0';
	return sum == insn_bytes ? 0 : -EINVAL;
}

int bcc_cache_read(const char *dir, const char *key, struct bcc_cache *c)
{
	char path[600];
	unsigned char *buf = NULL;
	size_t keylen = strlen(key), off;
	uint32_t hdr[2], crc;
	struct stat st;
	ssize_t got = 0, n;
	unsigned int i;
	int fd, err;

	memset(c, 0, sizeof(*c));
	if ((err = dir_ok(dir, false)))
		return err == -ENOENT ? -ENOENT : err;
	entry_path(dir, key, path, sizeof(path));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	err = fstat(fd, &st)				 ? -errno
	      : !S_ISREG(st.st_mode) || !ours_alone(&st) ? -EPERM
	      : st.st_size > CACHE_MAX_BYTES ||
		      st.st_size < (off_t)(sizeof(magic) + sizeof(hdr) + sizeof(*c) + 4)
		  ? -EINVAL
	      : !(buf = malloc((size_t)st.st_size)) ? -ENOMEM
						    : 0;
	while (!err && got < st.st_size &&
	       (n = read(fd, buf + got, (size_t)(st.st_size - got))) > 0)
		got += n;
	close(fd);
	if (!err && got != st.st_size)
		err = -EIO;
	if (!err) {
		memcpy(hdr, buf + sizeof(magic), sizeof(hdr));
		memcpy(&crc, buf + got - 4, sizeof(crc));
		off = sizeof(magic) + sizeof(hdr);
		if (memcmp(buf, magic, sizeof(magic)) || hdr[0] != keylen ||
		    (size_t)got != off + KEY_SPACE(keylen) + sizeof(*c) + hdr[1] + 4 ||
		    memcmp(buf + off, key, keylen) ||
		    crc != (uint32_t)crc32(0, buf, (uInt)(got - 4)))
			err = -EINVAL;
	}
	if (!err) {
		off += KEY_SPACE(keylen);
		memcpy(c, buf + off, sizeof(*c));
		off += sizeof(*c);
		c->owned = NULL;
		err = check_entry(c, hdr[1]);
	}
	if (err) {
		free(buf);
		memset(c, 0, sizeof(*c));
		return err;
	}
	for (i = 0; i < c->nprogs; off += c->progs[i].ninsn * 8u, i++)
		c->progs[i].insns = (const uint64_t *)(const void *)(buf + off);
	c->owned = buf;
	return 0;
}

void bcc_cache_free(struct bcc_cache *c)
{
	free(c->owned);
	memset(c, 0, sizeof(*c));
}
