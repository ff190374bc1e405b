// SPDX-License-Identifier: GPL-2.0-or-later
/* options.c: the command line into struct oomtrace_config; --help and --version. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "format.h"
#include "log.h"
#include "metrics.h"
#include "options.h"

static const char help[] =
    "Usage: oomtrace [OPTION]... [FILE]...\n"
    "Report every Linux OOM kill: who asked for memory, who was killed, how much each\n"
    "held, which cgroup hit which limit, and what the machine looked like.\n"
    "\n"
    "Sources:\n"
    "  -b, --backend NAME    auto (default), libbpf, bcc or replay\n"
    "                        auto: replay of FILEs, or of standard input when it is a\n"
    "                        pipe or a file; else a live backend when one is usable\n"
    "                        here; else replay of /dev/kmsg\n"
    "      --probe NAME      live: force one probe (fentry, kprobe, tp_btf, tracepoint)\n"
    "      --no-btf          libbpf: use the BTF-less tracepoint object even with BTF\n"
    "      --btf FILE        libbpf: the kernel's types for CO-RE from FILE (raw BTF or\n"
    "                        an ELF vmlinux with .BTF), for kernels built without\n"
    "                        /sys/kernel/btf/vmlinux; kprobe and tracepoint only\n"
    "      --context LIST    live: snapshots per event: loadavg, meminfo, psi, memcg,\n"
    "                        status (the trigger's /proc/PID/status), history (every\n"
    "                        limited memcg's last minute: the OOMing one's in its kill,\n"
    "                        and a pressure record when one nears its limit), all\n"
    "                        (default), none\n"
    "      --keep-oom-score-adj  live: do not shield the tracer (oom_score_adj -1000)\n"
    "      --no-sandbox      live: keep every capability after attaching, no seccomp filter\n"
    "      --buffer-size KB  live: the kernel-to-tracer buffer, rounded up to a power of two\n"
    "                        (default 1024: >= 10 s of a 100 kills/s storm with the reader\n"
    "                        stopped; perf buffers, before 5.8: per CPU, default 256)\n"
    "      --killer COMM     live: a SIGTERM or SIGKILL that a process named COMM sends\n"
    "                        (kill(2), pidfd_send_signal(2), a write to cgroup.kill) is\n"
    "                        a kill by a userspace memory killer, reported with the\n"
    "                        victim's death; repeatable, added to systemd-oomd, oomd,\n"
    "                        earlyoom, nohang and lmkd (libbpf backend)\n"
    "      --no-killers      live: report no userspace killer's kills\n"
    "      --no-kmsg         live: do not join the kernel's own report of each kill\n"
    "                        (/dev/kmsg) for the facts the probe cannot read\n"
    "      --stacks WHICH    all (default: kernel, and the trigger's user stack, and the\n"
    "                        victim's where it is another process, unwound with DWARF\n"
    "                        in a confined helper; libbpf, 5.8+), kernel (the\n"
    "                        trigger's kernel stack and its allocation class), none (no\n"
    "                        stack read by a probe, nor reported from a log)\n"
    "      --stack-wait MS   live: how long a kill waits for its user stacks (default\n"
    "                        50; more for an emulated or slow machine)\n"
    "      --check           print this kernel's tracing mechanisms and what auto picks\n"
    "      --kernel-headers DIR  bcc: kernel headers to compile against\n"
    "      --bcc-cache DIR   bcc: keep the compiled program there for the next start on\n"
    "                        this kernel (default /var/cache/oomtrace; none: compile always)\n"
    "  FILE...               replay: kernel logs (dmesg, dmesg -T, dmesg -r, journalctl -k\n"
    "                        -o short*/json/export, syslog, logread, /dev/kmsg records,\n"
    "                        text quoted in mail; .gz read transparently); '-': standard\n"
    "                        input; pipes are read line by line as they arrive\n"
    "      --events FILE     replay: recorded events (JSON Lines from --format json)\n"
    "  -F, --follow          replay: keep reading a growing file (reopened when rotated\n"
    "                        or truncated) or /dev/kmsg\n"
    "      --year YYYY       replay: year of syslog lines, which carry none\n"
    "                        (default: the current year, or the last for future dates)\n"
    "\n"
    "Output:\n"
    "  -f, --format FMT      text (default): the classic oomkill line (-v adds details);\n"
    "                        bcc: the classic line only; json: JSON Lines (docs/schema.md);\n"
    "                        otlp-json: OpenTelemetry log records, one OTLP/JSON request a line\n"
    "  -o, --output FILE     append events to FILE (one write per event) instead of stdout\n"
    "  -v, --verbose         text: detail lines; also more diagnostics (-vv: debug)\n"
    "\n"
    "Selection and run time:\n"
    "      --comm NAME       only events whose victim or trigger comm is NAME\n"
    "      --pid PID         only events whose victim or trigger pid is PID\n"
    "      --cgroup PATH     only events whose victim cgroup or OOM memcg is under PATH\n"
    "      --pod NAME        only Kubernetes pod NAME (or pod UID)\n"
    "      --namespace NS    only Kubernetes namespace NS (live: names from /var/log/pods)\n"
    "      --unit UNIT       only systemd unit UNIT (worker or worker.service)\n"
    "      --metrics-file PATH  Prometheus textfile (node_exporter): written whole and renamed\n"
    "                        at every kill and every --metrics-interval seconds (15)\n"
    "      --metrics-listen [ADDR:]PORT  serve /metrics over HTTP (default address 127.0.0.1)\n"
    "      --journal         also send each event to the systemd journal: MESSAGE, MESSAGE_ID,\n"
    "                        PRIORITY and every fact as an OOMTRACE_* field\n"
    "      --on-pressure CMD live: run CMD (sh -c) with each pressure record (a memcg about\n"
    "                        to OOM, --context history) as a JSON line on its stdin; one\n"
    "                        at a time, 10 s each, by a helper with no privileges\n"
    "      --on-pressure-user USER  run CMD as USER (default nobody; root only if named)\n"
    "      --summary         no events: at the end, one row per pod, systemd unit, container\n"
    "                        or victim comm: kills, first and last, largest victim,\n"
    "                        constraint, killer (text table, or JSON Lines with --format json)\n"
    "  -c, --count N         stop after N events\n"
    "  -d, --duration SECS   stop after SECS seconds (0: attach, then exit)\n"
    "\n"
    "  -V, --version         print the version and the backends built in\n"
    "  -h, --help            print this help\n"
    "\n"
    "Exit status: 0 success; 1 some input unreadable or malformed (valid parts were\n"
    "still processed); 2 bad arguments; 3 no usable backend or probe; 4 not permitted;\n"
    "5 runtime failure (e.g. cannot write the output).\n";

static void usage(FILE *f)
{
	fputs(help, f);
}

static void version(void)
{
	const struct oomtrace_backend_info *b;

	printf("oomtrace %s\nbackends:", PACKAGE_VERSION);
	for (b = oomtrace_backend_list(); b->name; b++)
		printf(" %s%s", b->name, b->ops ? "" : " (not built)");
	printf("\nformats: %s\nevent schema: %d\n", oomtrace_format_list(),
	       OOMTRACE_SCHEMA_VERSION);
#if defined(__SANITIZE_ADDRESS__)
	printf("sanitizers: address (a test build: several times the memory)\n");
#endif
#ifdef WITH_MICROHTTPD
	printf("metrics endpoint: yes (--metrics-listen, libmicrohttpd)\n");
#else
	printf("metrics endpoint: no (built without libmicrohttpd)\n");
#endif
#ifdef WITH_JOURNAL
	printf("journal: yes (--journal, libsystemd)\n");
#else
	printf("journal: no (built without libsystemd)\n");
#endif
#ifdef WITH_SANDBOX
	printf("live sandbox: yes (capabilities, no_new_privs, seccomp)\n");
#else
	printf("live sandbox: no (built without libseccomp/libcap-ng)\n");
#endif
}

enum {
	OPT_EVENTS = 256,
	OPT_YEAR,
	OPT_PROBE,
	OPT_HEADERS,
	OPT_BCC_CACHE,
	OPT_COMM,
	OPT_PID,
	OPT_CGROUP,
	OPT_CHECK,
	OPT_NO_BTF,
	OPT_BTF,
	OPT_NO_KMSG,
	OPT_KILLER,
	OPT_NO_KILLERS,
	OPT_STACKS,
	OPT_STACK_WAIT,
	OPT_CONTEXT,
	OPT_KEEP_ADJ,
	OPT_BUFFER,
	OPT_NO_SANDBOX,
	OPT_POD,
	OPT_NAMESPACE,
	OPT_UNIT,
	OPT_SUMMARY,
	OPT_METRICS_FILE,
	OPT_METRICS_LISTEN,
	OPT_METRICS_INTERVAL,
	OPT_JOURNAL,
	OPT_ON_PRESSURE,
	OPT_ON_PRESSURE_USER,
};

static const struct option long_opts[] = {
    {"backend", required_argument, NULL, 'b'},
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"verbose", no_argument, NULL, 'v'},
    {"follow", no_argument, NULL, 'F'},
    {"count", required_argument, NULL, 'c'},
    {"duration", required_argument, NULL, 'd'},
    {"events", required_argument, NULL, OPT_EVENTS},
    {"year", required_argument, NULL, OPT_YEAR},
    {"probe", required_argument, NULL, OPT_PROBE},
    {"kernel-headers", required_argument, NULL, OPT_HEADERS},
    {"bcc-cache", required_argument, NULL, OPT_BCC_CACHE},
    {"comm", required_argument, NULL, OPT_COMM},
    {"pid", required_argument, NULL, OPT_PID},
    {"cgroup", required_argument, NULL, OPT_CGROUP},
    {"pod", required_argument, NULL, OPT_POD},
    {"namespace", required_argument, NULL, OPT_NAMESPACE},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"summary", no_argument, NULL, OPT_SUMMARY},
    {"metrics-file", required_argument, NULL, OPT_METRICS_FILE},
    {"metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN},
    {"metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL},
    {"journal", no_argument, NULL, OPT_JOURNAL},
    {"on-pressure", required_argument, NULL, OPT_ON_PRESSURE},
    {"on-pressure-user", required_argument, NULL, OPT_ON_PRESSURE_USER},
    {"check", no_argument, NULL, OPT_CHECK},
    {"no-btf", no_argument, NULL, OPT_NO_BTF},
    {"btf", required_argument, NULL, OPT_BTF},
    {"no-kmsg", no_argument, NULL, OPT_NO_KMSG},
    {"killer", required_argument, NULL, OPT_KILLER},
    {"no-killers", no_argument, NULL, OPT_NO_KILLERS},
    {"stacks", required_argument, NULL, OPT_STACKS},
    {"stack-wait", required_argument, NULL, OPT_STACK_WAIT},
    {"context", required_argument, NULL, OPT_CONTEXT},
    {"buffer-size", required_argument, NULL, OPT_BUFFER},
    {"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
    {"keep-oom-score-adj", no_argument, NULL, OPT_KEEP_ADJ},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int oomtrace_bad_arg(const char *opt, const char *val, const char *why)
{
	oomtrace_err("%s '%s': %s (see --help)", opt, val, why);
	return OOMTRACE_EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *e;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &e, 10);
	return !errno && !*e;
}

/* Where events come from: 0 taken, -1 not one of these, else an exit code. */
static int source_opt(struct oomtrace_config *c, int opt, const char *arg)
{
	struct oomtrace_backend_opts *bo = &c->bo;
	uint64_t v;

	switch (opt) {
	case 'b':
		c->backend = arg;
		return 0;
	case 'F':
		bo->follow = true;
		return 0;
	case OPT_EVENTS:
		bo->events_file = arg;
		return 0;
	case OPT_YEAR:
		if (!parse_u64(arg, &v) || v < 1970 || v > 9999)
			return oomtrace_bad_arg("--year", arg, "not a year between 1970 and 9999");
		bo->year = (int)v;
		return 0;
	case OPT_PROBE:
		if (strcmp(arg, "fentry") && strcmp(arg, "kprobe") && strcmp(arg, "tp_btf") &&
		    strcmp(arg, "tracepoint"))
			return oomtrace_bad_arg(
			    "--probe", arg,
			    "unknown probe; use fentry, kprobe, tp_btf or tracepoint");
		bo->probe = arg;
		return 0;
	case OPT_HEADERS:
		bo->kernel_headers = arg;
		return 0;
	case OPT_BCC_CACHE:
		if (!arg[0])
			return oomtrace_bad_arg("--bcc-cache", arg,
						"empty; give a directory, or none");
		bo->bcc_cache = arg;
		return 0;
	case OPT_CHECK:
		c->check = true;
		return 0;
	case OPT_NO_BTF:
		bo->no_btf = true;
		return 0;
	case OPT_NO_KMSG:
		bo->no_kmsg = true;
		return 0;
	case OPT_STACKS:
		if (strcmp(arg, "all") && strcmp(arg, "kernel") && strcmp(arg, "none"))
			return oomtrace_bad_arg("--stacks", arg, "use all, kernel or none");
		bo->no_stacks = strcmp(arg, "none") == 0;
		bo->user_stacks = strcmp(arg, "all") == 0;
		return 0;
	case OPT_BTF:
		if (access(arg, R_OK) != 0)
			return oomtrace_bad_arg("--btf", arg, strerror(errno));
		bo->btf_file = arg;
		return 0;
	default:
		return -1;
	}
}

/* How the live tracer behaves: 0 taken, -1 not one of these, else an exit code. */
static int live_opt(struct oomtrace_config *c, int opt, const char *arg)
{
	struct oomtrace_backend_opts *bo = &c->bo;
	uint64_t v;

	switch (opt) {
	case OPT_CONTEXT:
		if (oomtrace_context_parse(arg, &bo->context_mask))
			return oomtrace_bad_arg("--context", arg,
						"not a list of loadavg, meminfo, psi, memcg, "
						"status, history, all, none");
		c->context_set = true;
		return 0;
	case OPT_STACK_WAIT:
		if (!parse_u64(arg, &v) || v < 1 || v > 10000)
			return oomtrace_bad_arg("--stack-wait", arg,
						"not a time in ms between 1 and 10000");
		bo->stack_wait_ms = (unsigned int)v;
		return 0;
	case OPT_BUFFER:
		if (!parse_u64(arg, &v) || v < 16 || v > 1048576)
			return oomtrace_bad_arg("--buffer-size", arg,
						"not a size in KiB between 16 and 1048576");
		bo->buffer_kb = (unsigned int)v;
		return 0;
	case OPT_NO_SANDBOX:
		c->no_sandbox = true;
		return 0;
	case OPT_KEEP_ADJ:
		bo->keep_oom_score_adj = true;
		return 0;
	case OPT_KILLER:
		if (!arg[0] || strlen(arg) > 15)
			return oomtrace_bad_arg("--killer", arg,
						"not a process name (comm: 1 to 15 bytes)");
		if (c->nkillers == OOMTRACE_KILLERS_MAX)
			return oomtrace_bad_arg("--killer", arg, "more than 48 killers");
		c->killers[c->nkillers++] = arg;
		return 0;
	case OPT_NO_KILLERS:
		c->nkillers = 0;
		c->killers[0] = NULL;
		c->no_killers = true;
		return 0;
	default:
		return -1;
	}
}

/* Where events go: 0 taken, -1 not one of these, else an exit code. */
static int output_opt(struct oomtrace_config *c, int opt, const char *arg)
{
	struct sockaddr_in addr;
	char *end;
	double secs;

	switch (opt) {
	case 'f':
		c->format = arg;
		return 0;
	case 'o':
		c->output = arg;
		return 0;
	case 'v':
		c->verbose++;
		return 0;
	case OPT_SUMMARY:
		c->summary = true;
		return 0;
	case OPT_METRICS_FILE:
		c->metrics_file = arg;
		return 0;
	case OPT_METRICS_LISTEN:
		if (oomtrace_metrics_parse_addr(arg, &addr))
			return oomtrace_bad_arg("--metrics-listen", arg,
						"not PORT, :PORT or IPV4:PORT");
		c->metrics_listen = arg;
		return 0;
	case OPT_METRICS_INTERVAL:
		secs = strtod(arg, &end);
		if (*end || end == arg || !(secs >= 1 && secs <= 86400))
			return oomtrace_bad_arg("--metrics-interval", arg,
						"not a number of seconds from 1 to 86400");
		c->metrics_interval = secs;
		return 0;
	case OPT_JOURNAL:
		c->journal = true;
		return 0;
	case OPT_ON_PRESSURE:
		if (!*arg)
			return oomtrace_bad_arg("--on-pressure", arg, "an empty command");
		c->on_pressure = arg;
		return 0;
	case OPT_ON_PRESSURE_USER:
		c->on_pressure_user = arg;
		return 0;
	default:
		return -1;
	}
}

/* Which events, and for how long: 0 taken, -1 not one of these, else an exit code. */
static int select_opt(struct oomtrace_config *c, int opt, const char *arg)
{
	uint64_t v;
	char *e;

	switch (opt) {
	case 'c':
		if (!parse_u64(arg, &c->count_limit) || !c->count_limit)
			return oomtrace_bad_arg("--count", arg, "not a positive integer");
		return 0;
	case 'd':
		errno = 0;
		c->duration = strtod(arg, &e);
		if (errno || *e || !(c->duration >= 0) || isinf(c->duration))
			return oomtrace_bad_arg("--duration", arg, "not a number of seconds >= 0");
		return 0;
	case OPT_COMM:
		c->filter.comm = arg;
		return 0;
	case OPT_PID:
		if (!parse_u64(arg, &v) || !v || v > INT_MAX)
			return oomtrace_bad_arg("--pid", arg, "not a process id");
		c->filter.pid = (int)v;
		return 0;
	case OPT_CGROUP:
		c->filter.cgroup = arg;
		return 0;
	case OPT_POD:
		c->filter.pod = arg;
		return 0;
	case OPT_NAMESPACE:
		c->filter.k8s_namespace = arg;
		return 0;
	case OPT_UNIT:
		c->filter.unit = arg;
		return 0;
	default:
		return -1;
	}
}

/* What the options mean together, once all are read: -1 or an exit code. */
static int settle(struct oomtrace_config *c, int argc, char **argv)
{
	if (c->bo.btf_file && c->bo.no_btf)
		return oomtrace_bad_arg("--btf", c->bo.btf_file, "contradicts --no-btf");
	if (!oomtrace_format_find(c->format))
		return oomtrace_bad_arg("--format", c->format,
					"unknown format; use text, bcc, json or otlp-json");
	if (strcmp(c->format, "json") == 0)
		oomtrace_log_set_json(true);
	oomtrace_log_set_level(c->verbose >= 2 ? OOMTRACE_LOG_DEBUG
			       : c->verbose    ? OOMTRACE_LOG_INFO
					       : OOMTRACE_LOG_WARN);
	if (c->verbose && strcmp(c->format, "text") == 0)
		c->fmt_flags |= OOMTRACE_FMT_VERBOSE;
	if (optind < argc)
		c->bo.files = argv + optind;
	if (!c->context_set)
		c->bo.context_mask = OOMTRACE_CTX_ALL;
	if (c->no_killers)
		c->nkillers = 0;
	c->killers[c->nkillers] = NULL;
	c->bo.killers = c->killers;
	return -1;
}

int oomtrace_options_parse(int argc, char **argv, struct oomtrace_config *c)
{
	int opt, r;

	memset(c, 0, sizeof(*c));
	c->backend = "auto";
	c->format = "text";
	c->duration = -1;
	c->metrics_interval = 15;
	c->bo.user_stacks = true; /* --stacks all */
	c->bo.stack_wait_ms = OOMTRACE_STACK_WAIT_MS_DEFAULT;
	/* the userspace memory killers known by name (their log lines: replay/killers.c) */
	c->killers[c->nkillers++] = "systemd-oomd";
	c->killers[c->nkillers++] = "oomd";
	c->killers[c->nkillers++] = "earlyoom";
	c->killers[c->nkillers++] = "nohang";
	c->killers[c->nkillers++] = "lmkd";
	while ((opt = getopt_long(argc, argv, "b:f:o:vFc:d:Vh", long_opts, NULL)) != -1) {
		const char *arg = optarg;

		if ((r = source_opt(c, opt, arg)) >= 0 || (r = live_opt(c, opt, arg)) >= 0 ||
		    (r = output_opt(c, opt, arg)) >= 0 || (r = select_opt(c, opt, arg)) >= 0) {
			if (r)
				return r;
			continue;
		}
		if (opt == 'V') {
			version();
			return OOMTRACE_EXIT_OK;
		}
		if (opt == 'h') {
			usage(stdout);
			return OOMTRACE_EXIT_OK;
		}
		fprintf(stderr, "Try 'oomtrace --help' for more information.\n");
		return OOMTRACE_EXIT_USAGE;
	}
	return settle(c, argc, argv);
}
