// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_kbtf_kernel.c: the running kernel's own BTF, read in place, and the
 * small CO-RE target made from it, against the kernel's types. Needs a
 * readable /sys/kernel/btf/vmlinux: without one it says SKIP (exit 77).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <linux/btf.h>

#include <check.h>

#include "helpers.h"
#include "kbtf.h"

static const struct btf_type *kt(struct kbtf *k, int id, const char **name)
{
	const struct btf_type *t = (const void *)(k->types + k->off[id - 1]);

	*name = k->strs + t->name_off;
	return t;
}

/*
 * The running kernel's BTF, where it can be read: task_struct in the small
 * CO-RE target has the kernel's size, members, names and offsets.
 */
START_TEST(kbtf_kernel)
{
	const char *names[] = {"task_struct", "mm_struct", "oom_control"}, *n1, *n2;
	struct kbtf k, m = {0};
	const struct btf_type *a, *b;
	char *blob;
	size_t blen;
	unsigned int i;

	ck_assert_int_eq(kbtf_load(&k, NULL), 0);
	ck_assert_int_gt(kbtf_find(&k, "oom_kill_process", BTF_KIND_FUNC), 0);
	ck_assert_int_eq(kbtf_min_core(&k, names, 3, &blob, &blen), 0);
	ck_assert_int_lt(blen, k.size / 10);
	ck_assert_int_eq(kbtf_from_mem(&m, blob, blen), 0);
	ck_assert_int_eq(kbtf_index(&m), 0);
	ck_assert_int_eq(kbtf_index(&k), 0);
	a = kt(&k, kbtf_find(&k, "task_struct", BTF_KIND_STRUCT), &n1);
	b = kt(&m, kbtf_find(&m, "task_struct", BTF_KIND_STRUCT), &n2);
	ck_assert_uint_eq(a->size, b->size);
	ck_assert_uint_eq(BTF_INFO_VLEN(a->info), BTF_INFO_VLEN(b->info));
	for (i = 0; i < BTF_INFO_VLEN(a->info); i++) {
		const struct btf_member *x = (const struct btf_member *)(a + 1) + i;
		const struct btf_member *y = (const struct btf_member *)(b + 1) + i;

		ck_assert_str_eq(k.strs + x->name_off, m.strs + y->name_off);
		ck_assert_uint_eq(x->offset, y->offset);
		ck_assert_uint_eq(BTF_INFO_KIND(kt(&k, (int)x->type, &n1)->info),
				  BTF_INFO_KIND(kt(&m, (int)y->type, &n2)->info));
	}
	ck_assert_int_eq(kbtf_find(&m, "oom_kill_process", BTF_KIND_FUNC), -ENOENT);
	kbtf_free(&m);
	free(blob);
	kbtf_free(&k);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kbtf-kernel");
	TCase *t = tcase_create("vmlinux");

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		skip_all("no readable /sys/kernel/btf/vmlinux: this kernel has no BTF of its own");
	tcase_add_test(t, kbtf_kernel);
	suite_add_tcase(s, t);
	return run_suite(s);
}
