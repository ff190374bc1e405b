/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_unwind.c: libFuzzer harness of the user stack unwinder: the input is the binary a stack's
 * frames fall in (ELF, call frame information, symbols, line tables: what a container supplies),
 * its first 8 bytes also the copied pc's offset into it, its last 512 the copied stack.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "unwind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char stack[512];
	struct oomtrace_umap m = {.start = 0x555555554000, .end = 0x555555554000 + (16 << 20)};
	struct oomtrace_ucopy c = {.arch = oomtrace_unwind_host_arch(), .maps = &m, .nmaps = 1};
	struct oomtrace_ustack out;
	uint64_t off = 0;
	size_t tail = size < sizeof(stack) ? size : sizeof(stack);

	if (size >= sizeof(off))
		memcpy(&off, data, sizeof(off));
	memset(stack, 0, sizeof(stack));
	memcpy(stack, data + size - tail, tail);
	m.fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
	if (m.fd < 0 || write(m.fd, data, size) != (ssize_t)size) {
		if (m.fd >= 0)
			close(m.fd);
		return 0;
	}
	strcpy(m.path, "/fuzz/binary");
	c.pc = m.start + off % (16 << 20);
	c.sp = 0x7ffc00000000;
	for (unsigned int i = 0; i < OOMTRACE_UREGS_MAX; i++)
		c.regs[i] = c.sp + 8 * i;
	c.stack = stack;
	c.stack_len = sizeof(stack);
	oomtrace_unwind(&c, &out); /* closes m.fd */
	return 0;
}
