// SPDX-License-Identifier: GPL-2.0-or-later
/* tpformat.c: tracefs format files ("field:int pid; offset:8; size:4; signed:1;") and raw record
 * decoding. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "tpformat.h"

int tpf_parse(const char *text, struct tpf *out)
{
	const char *l = text;

	memset(out, 0, sizeof(*out));
	while ((l = strstr(l, "field:"))) {
		const char *semi = strchr(l, ';'), *name, *o;
		struct tpf_field *f;
		unsigned int off, size, sgn = 0;

		if (!semi)
			break;
		o = strstr(semi, "offset:");
		if (!o || sscanf(o, "offset:%u; size:%u; signed:%u;", &off, &size, &sgn) < 2) {
			l = semi;
			continue;
		}
		/* the name is the last word before ';' (array brackets dropped) */
		name = semi;
		while (name > l && name[-1] != ' ' && name[-1] != '\t')
			name--;
		if (out->nfields < TPF_MAX_FIELDS && strncmp(name, "common_", 7) != 0) {
			size_t n = strcspn(name, "[;");

			f = &out->f[out->nfields++];
			oomtrace_strlcpy_n(f->name, sizeof(f->name), name, n);
			f->offset = off;
			f->size = size;
			f->is_signed = sgn != 0;
			f->data_loc = strstr(l, "__data_loc") && strstr(l, "__data_loc") < semi;
		}
		if (off + size > out->size)
			out->size = off + size;
		l = semi;
	}
	return out->nfields ? 0 : -EINVAL;
}

int tpf_load(const char *path, struct tpf *out)
{
	char buf[8192];
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (got < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return tpf_parse(buf, out);
}

const struct tpf_field *tpf_find(const struct tpf *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->nfields; i++)
		if (strcmp(t->f[i].name, name) == 0)
			return &t->f[i];
	return NULL;
}

bool tpf_int(const struct tpf *t, const void *rec, size_t len, const char *name, int64_t *v)
{
	const struct tpf_field *f = tpf_find(t, name);
	const unsigned char *p = rec;

	if (!f || f->data_loc || (size_t)f->offset + f->size > len)
		return false;
	p += f->offset;
	switch (f->size) {
	case 1:
		*v = f->is_signed ? (int64_t)(int8_t)p[0] : (int64_t)p[0];
		return true;
	case 2: {
		uint16_t x;

		memcpy(&x, p, 2);
		*v = f->is_signed ? (int64_t)(int16_t)x : (int64_t)x;
		return true;
	}
	case 4: {
		uint32_t x;

		memcpy(&x, p, 4);
		*v = f->is_signed ? (int64_t)(int32_t)x : (int64_t)x;
		return true;
	}
	case 8: {
		uint64_t x;

		memcpy(&x, p, 8);
		*v = (int64_t)x;
		return true;
	}
	default:
		return false;
	}
}

bool tpf_str(const struct tpf *t, const void *rec, size_t len, const char *name, char *dst,
	     size_t dstsz)
{
	const struct tpf_field *f = tpf_find(t, name);
	const char *p = rec;
	size_t off, n;

	if (!f || (size_t)f->offset + f->size > len)
		return false;
	if (f->data_loc) {
		uint32_t loc;

		memcpy(&loc, p + f->offset, 4);
		off = loc & 0xffff;
		n = loc >> 16;
	} else {
		off = f->offset;
		n = f->size;
	}
	if (off >= len)
		return false;
	if (off + n > len)
		n = len - off;
	n = strnlen(p + off, n);
	oomtrace_strlcpy_n(dst, dstsz, p + off, n);
	return true;
}
