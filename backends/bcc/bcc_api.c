// SPDX-License-Identifier: GPL-2.0-or-later
/* bcc_api.c: libbcc loaded with dlopen, its functions by name, only where a program must be
 * compiled. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bcc_api.h"
#include "dl.h"

int bcc_api_load(struct bcc_api *a, char *why, size_t whysz)
{
	static const struct oomtrace_dlsym syms[] = {
#define SYM(field, name) OOMTRACE_DLSYM(struct bcc_api, field, #name)
	    SYM(module_create, bpf_module_create_c_from_string),
	    SYM(module_destroy, bpf_module_destroy),
	    SYM(module_license, bpf_module_license),
	    SYM(module_kern_version, bpf_module_kern_version),
	    SYM(function_start, bpf_function_start),
	    SYM(function_size, bpf_function_size),
	    SYM(table_fd, bpf_table_fd),
	    SYM(num_tables, bpf_num_tables),
	    SYM(table_name, bpf_table_name),
	    SYM(table_fd_id, bpf_table_fd_id),
	    SYM(table_type_id, bpf_table_type_id),
	    SYM(table_max_entries_id, bpf_table_max_entries_id),
	    SYM(table_flags_id, bpf_table_flags_id),
	    SYM(table_key_size_id, bpf_table_key_size_id),
	    SYM(table_leaf_size_id, bpf_table_leaf_size_id),
	    SYM(prog_load, bcc_prog_load),
	    SYM(attach_tracepoint, bpf_attach_tracepoint),
	    SYM(attach_raw_tracepoint, bpf_attach_raw_tracepoint),
	    SYM(attach_kprobe, bpf_attach_kprobe),
	    SYM(detach_kprobe, bpf_detach_kprobe),
#undef SYM
	};
	const char *missing;

	memset(a, 0, sizeof(*a));
	a->dl = oomtrace_dl_load(LIBBCC, syms, sizeof(syms) / sizeof(syms[0]), a, &missing);
	if (!a->dl) {
		if (missing)
			snprintf(why, whysz, "%s lacks %s: libbcc too old", LIBBCC, missing);
		else
			snprintf(why, whysz,
				 "%s not found: install libbpfcc (Debian/Ubuntu) or bcc "
				 "(openEuler/RHEL)",
				 LIBBCC);
		return -ENOENT;
	}
	a->has_ringbuf = dlsym(a->dl, "bpf_new_ringbuf") && dlsym(a->dl, "bpf_poll_ringbuf") &&
			 dlsym(a->dl, "bpf_free_ringbuf");
	return 0;
}

int bcc_api_check(char *why, size_t whysz)
{
	int pfd[2], st = 0;
	pid_t pid;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		struct bcc_api a;
		char w[512] = "";
		int r;

		close(pfd[0]);
		r = bcc_api_load(&a, w, sizeof(w));
		if (r && write(pfd[1], w, strlen(w)) < 0)
			_exit(2);
		_exit(r ? 1 : 0);
	}
	close(pfd[1]);
	n = read(pfd[0], why, whysz - 1);
	why[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (!why[0])
		snprintf(why, whysz, "%s could not be loaded", LIBBCC);
	return -ENOENT;
}
