// SPDX-License-Identifier: GPL-2.0-or-later
/* main.c: the oomtrace program: options, backend choice, the event loop, the exit summary. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "context.h"
#include "event_json.h"
#include "filter.h"
#include "names.h"
#include "report.h"
#include "metrics.h"
#include "journal.h"
#ifdef WITH_SANDBOX
#include "sandbox.h"
#endif
#include "format.h"
#include "log.h"

#define SUMMARY_MAX 32

struct tally {
	char key[OOMTRACE_PATH_MAX];
	uint64_t n;
};

struct app {
	struct oomtrace_output *out;
	struct oomtrace_filter filter;
	uint64_t count_limit;
	uint64_t emitted;
	uint64_t partial;
	uint64_t reaps;
	int write_error;
	uint64_t unwritten; /* events dropped once the output failed or blocked at a stop */
	uint64_t no_cgroup; /* kills --cgroup could not match: no cgroup known */
	bool resolve_names; /* live: pod/namespace/container names from /var/log/pods */
	struct oomtrace_report *report; /* --summary: kills are counted here, not printed */
	struct oomtrace_metrics *metrics; /* --metrics-file / --metrics-listen */
	const char *metrics_file;
	bool metrics_warned;
	bool metrics_dirty; /* a kill was counted since the file was last written */
	bool journal; /* --journal */
	bool journal_warned;
	struct tally by_comm[SUMMARY_MAX], by_cgroup[SUMMARY_MAX];
	unsigned int ncomm, ncgroup;
	uint64_t other_comm, other_cgroup;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* Our standard output is a pipe whose reader has gone (POLLERR on its write end). */
static bool stdout_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

static void tally_add(struct tally *t, unsigned int *n, uint64_t *other, const char *key)
{
	unsigned int i;

	for (i = 0; i < *n; i++) {
		if (strcmp(t[i].key, key) == 0) {
			t[i].n++;
			return;
		}
	}
	if (*n == SUMMARY_MAX) {
		(*other)++;
		return;
	}
	oomtrace_strlcpy_n(t[*n].key, sizeof(t[*n].key), key, strlen(key));
	t[(*n)++].n = 1;
}

static void write_metrics(struct app *a)
{
	int r = oomtrace_metrics_write_file(a->metrics, a->metrics_file);

	if (r && !a->metrics_warned) {
		a->metrics_warned = true;
		oomtrace_warn("%s: cannot write the metrics file: %s", a->metrics_file, strerror(-r));
	}
}

static int sink(void *ctx, struct oomtrace_event *ev)
{
	struct app *a = ctx;
	int r;

	/* systemd unit and Kubernetes identity from the cgroup path; live, names from the node's files */
	if (ev->record == OOMTRACE_RECORD_KILL)
		oomtrace_names_of_event(ev, a->resolve_names);
	if (!oomtrace_filter_match(&a->filter, ev)) {
		if (a->filter.cgroup && ev->record == OOMTRACE_RECORD_KILL &&
		    !(ev->victim.known & OOMTRACE_T_CGROUP) && !(ev->known & OOMTRACE_E_OOM_MEMCG)) {
			/* not "did not match": this source could not say; never drop those in silence */
			if (!a->no_cgroup++)
				oomtrace_warn("--cgroup %s: the kill of PID %d came without any cgroup (this "
					      "source or probe cannot know it) and is not shown; such kills are "
					      "counted in the summary (-v)",
					      a->filter.cgroup, ev->victim.known & OOMTRACE_T_PID ? ev->victim.pid : -1);
		}
		return 0;
	}
	if (a->metrics && ev->record == OOMTRACE_RECORD_KILL) {
		oomtrace_metrics_add(a->metrics, ev);
		a->metrics_dirty = true; /* written once per turn of the poll loop, not per kill */
	}
	if (a->journal) {
		r = oomtrace_journal_event(ev);
		if (r && !a->journal_warned) {
			a->journal_warned = true;
			oomtrace_warn("--journal: cannot send an event to the journal: %s", strerror(-r));
		}
	}
	if (a->report) {
		if (ev->record == OOMTRACE_RECORD_KILL) {
			a->emitted++;
			if (ev->partial)
				a->partial++;
		}
		return oomtrace_report_add(a->report, ev);
	}
	if (a->write_error) {
		/* the output is gone or blocked at a stop: count what it missed, wait no more */
		a->unwritten++;
		return 0;
	}
	r = oomtrace_output_event(a->out, ev);
	if (r) {
		a->write_error = r;
		a->unwritten++;
		return r;
	}
	if (ev->record == OOMTRACE_RECORD_REAP) {
		a->reaps++;
		return 0;
	}
	a->emitted++;
	if (ev->partial)
		a->partial++;
	if (ev->outcome == OOMTRACE_OUTCOME_KILLED) {
		tally_add(a->by_comm, &a->ncomm, &a->other_comm,
			  ev->victim.known & OOMTRACE_T_COMM ? ev->victim.comm : "?");
		tally_add(a->by_cgroup, &a->ncgroup, &a->other_cgroup,
			  ev->victim.known & OOMTRACE_T_CGROUP ? ev->victim.cgroup
			  : ev->known & OOMTRACE_E_OOM_MEMCG   ? ev->oom_memcg
							       : "?");
	}
	if (a->count_limit && a->emitted >= a->count_limit)
		return -ECANCELED;
	return 0;
}

static void print_summary(const struct app *a, uint64_t lost)
{
	unsigned int i;

	fprintf(stderr, "oomtrace: %" PRIu64 " event%s (%" PRIu64 " partial), %" PRIu64 " reaper report%s, %" PRIu64 " lost\n",
		a->emitted, a->emitted == 1 ? "" : "s", a->partial, a->reaps, a->reaps == 1 ? "" : "s", lost);
	if (a->no_cgroup)
		fprintf(stderr, "oomtrace: %" PRIu64 " kill%s not shown: no cgroup known to match --cgroup %s\n",
			a->no_cgroup, a->no_cgroup == 1 ? "" : "s", a->filter.cgroup);
	if (a->ncomm) {
		fprintf(stderr, "oomtrace: kills by victim comm:");
		for (i = 0; i < a->ncomm; i++)
			fprintf(stderr, " %s=%" PRIu64, a->by_comm[i].key, a->by_comm[i].n);
		if (a->other_comm)
			fprintf(stderr, " (others)=%" PRIu64, a->other_comm);
		fprintf(stderr, "\noomtrace: kills by cgroup:");
		for (i = 0; i < a->ncgroup; i++)
			fprintf(stderr, " %s=%" PRIu64, a->by_cgroup[i].key, a->by_cgroup[i].n);
		if (a->other_cgroup)
			fprintf(stderr, " (others)=%" PRIu64, a->other_cgroup);
		fprintf(stderr, "\n");
	}
}

static bool path_has(const char *path, const char *word)
{
	char buf[512];
	FILE *f = fopen(path, "re");
	bool found = false;

	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f))
		found = strstr(buf, word) != NULL;
	fclose(f);
	return found;
}

/* oomtrace --check: this kernel's mechanisms and what auto would pick. */
static int run_check(struct oomtrace_backend_opts *bo, bool json)
{
	struct oomtrace_check c = { 0 };
	const struct oomtrace_backend_info *b, *pick = NULL;
	char why[256], release[128] = "?", hdr[300], pick_probe[96] = "log (/dev/kmsg)";
	bool v1 = access("/sys/fs/cgroup/memory/memory.limit_in_bytes", R_OK) == 0;
	bool v2 = path_has("/sys/fs/cgroup/cgroup.controllers", "memory") ||
		  path_has("/sys/fs/cgroup/unified/cgroup.controllers", "memory");
	FILE *f = fopen("/proc/sys/kernel/osrelease", "re");
	unsigned int i;

	if (f) {
		if (fgets(release, sizeof(release), f))
			release[strcspn(release, "\n")] = '\0';
		fclose(f);
	}
	oomtrace_check_add(&c, "kernel", release, "%s", "running kernel release");
	for (b = oomtrace_backend_list(); b->name; b++) {
		if (!b->ops) {
			oomtrace_check_add(&c, b->name, "not built", "reconfigure with %s", b->configure_flag);
			continue;
		}
		if (b->ops->check)
			b->ops->check(bo, &c);
	}
	oomtrace_check_add(&c, "memcg v1", v1 ? "yes" : "no", "%s",
			   v1 ? "/sys/fs/cgroup/memory" : "no v1 memory controller mounted");
	oomtrace_check_add(&c, "memcg v2", v2 ? "yes" : "no", "%s",
			   v2 ? "memory controller enabled in the unified hierarchy" : "no v2 memory controller");
	snprintf(hdr, sizeof(hdr), "/lib/modules/%s/build", release);
	oomtrace_check_add(&c, "kernel headers", access(hdr, F_OK) == 0 ? "yes" : "no",
			   "%s (for the bcc backend)", hdr);
	for (b = oomtrace_backend_list(); b->name && !pick; b++) {
		void *st = NULL;

		if (!b->ops || strcmp(b->name, "replay") == 0)
			continue;
		if (b->ops->probe(bo, why, sizeof(why)) != 0) {
			oomtrace_check_add(&c, b->name, "unusable", "%s", why);
			continue;
		}
		/* open for real: that is how auto decides which probe attaches */
		if (b->ops->open(bo, &st) == 0) {
			pick = b;
			snprintf(pick_probe, sizeof(pick_probe), "%s",
				 b->ops->probe_name ? b->ops->probe_name(st) : "?");
			b->ops->close(st);
		}
	}
	oomtrace_check_add(&c, "auto picks", pick ? pick->name : "replay", "%s", pick_probe);
	if (json) {
		json_object *o = json_object_new_object(), *rows = json_object_new_array();

		for (i = 0; i < c.n; i++) {
			json_object *r = json_object_new_object();

			json_object_object_add(r, "name", json_object_new_string(c.rows[i].name));
			json_object_object_add(r, "state", json_object_new_string(c.rows[i].state));
			json_object_object_add(r, "detail", oomtrace_json_string(c.rows[i].detail));
			json_object_array_add(rows, r);
		}
		json_object_object_add(o, "check", rows);
		json_object_object_add(o, "auto_backend", json_object_new_string(pick ? pick->name : "replay"));
		json_object_object_add(o, "auto_probe", json_object_new_string(pick_probe));
		printf("%s\n", oomtrace_json_line(o));
		json_object_put(o);
	} else {
		for (i = 0; i < c.n; i++)
			printf("%-16s %-10s %s\n", c.rows[i].name, c.rows[i].state, c.rows[i].detail);
	}
	return OOMTRACE_EXIT_OK;
}

/*
 * Standard input is a pipe, FIFO or file (not a terminal, not /dev/null or
 * another device, not a socket as under ssh without -t): the user gave us a log.
 */
static bool stdin_is_input(void)
{
	struct stat st;

	if (isatty(STDIN_FILENO) || fstat(STDIN_FILENO, &st) != 0)
		return false;
	return S_ISFIFO(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size > 0);
}

static void usage(FILE *f)
{
	fprintf(f,
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
		"                        status (the trigger's /proc/PID/status), all (default), none\n"
		"      --keep-oom-score-adj  live: do not shield the tracer (oom_score_adj -1000)\n"
		"      --no-sandbox      live: keep every capability after attaching, no seccomp filter\n"
		"      --buffer-size KB  live: the kernel-to-tracer buffer, rounded up to a power of two\n"
		"                        (default 1024: >= 10 s of a 100 kills/s storm with the reader\n"
		"                        stopped; perf buffers, before 5.8: per CPU, default 256)\n"
		"      --no-kmsg         live: do not join the kernel's own report of each kill\n"
		"                        (/dev/kmsg) for the facts the probe cannot read\n"
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
		"                        bcc: the classic line only; json: JSON Lines (docs/schema.md)\n"
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
		"      --summary         no events: at the end, one row per pod, systemd unit, container\n"
		"                        or victim comm: kills, first and last, largest victim,\n"
		"                        constraint (text table, or JSON Lines with --format json)\n"
		"  -c, --count N         stop after N events\n"
		"  -d, --duration SECS   stop after SECS seconds (0: attach, then exit)\n"
		"\n"
		"  -V, --version         print the version and the backends built in\n"
		"  -h, --help            print this help\n"
		"\n"
		"Exit status: 0 success; 1 some input unreadable or malformed (valid parts were\n"
		"still processed); 2 bad arguments; 3 no usable backend or probe; 4 not permitted;\n"
		"5 runtime failure (e.g. cannot write the output).\n");
}

static void version(void)
{
	const struct oomtrace_backend_info *b;

	printf("oomtrace %s\nbackends:", PACKAGE_VERSION);
	for (b = oomtrace_backend_list(); b->name; b++)
		printf(" %s%s", b->name, b->ops ? "" : " (not built)");
	printf("\nformats: %s\nevent schema: %d\n", oomtrace_format_list(), OOMTRACE_SCHEMA_VERSION);
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
};

static const struct option long_opts[] = {
	{ "backend", required_argument, NULL, 'b' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "follow", no_argument, NULL, 'F' },
	{ "count", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, 'd' },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "year", required_argument, NULL, OPT_YEAR },
	{ "probe", required_argument, NULL, OPT_PROBE },
	{ "kernel-headers", required_argument, NULL, OPT_HEADERS },
	{ "bcc-cache", required_argument, NULL, OPT_BCC_CACHE },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "pod", required_argument, NULL, OPT_POD },
	{ "namespace", required_argument, NULL, OPT_NAMESPACE },
	{ "unit", required_argument, NULL, OPT_UNIT },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "metrics-file", required_argument, NULL, OPT_METRICS_FILE },
	{ "metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN },
	{ "metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL },
	{ "journal", no_argument, NULL, OPT_JOURNAL },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "no-btf", no_argument, NULL, OPT_NO_BTF },
	{ "btf", required_argument, NULL, OPT_BTF },
	{ "no-kmsg", no_argument, NULL, OPT_NO_KMSG },
	{ "context", required_argument, NULL, OPT_CONTEXT },
	{ "buffer-size", required_argument, NULL, OPT_BUFFER },
	{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
	{ "keep-oom-score-adj", no_argument, NULL, OPT_KEEP_ADJ },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int bad_arg(const char *opt, const char *val, const char *why)
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct oomtrace_backend_opts bo = { 0 };
	const struct oomtrace_backend_info *bi = NULL;
	const struct oomtrace_format_ops *fmt;
	const char *backend = "auto", *format = "text", *output = NULL;
	static char *kmsg_only[] = { "/dev/kmsg", NULL };
	struct app a = { 0 };
	struct sigaction sa = { 0 };
	double duration = -1, t0;
	unsigned int flags = 0;
	int verbose = 0, c, rc, exit_code = OOMTRACE_EXIT_OK;
	uint64_t lost_seen = 0, v;
	void *state = NULL;
	char why[256];
	bool live, check = false, context_set = false, no_sandbox = false, summary = false;
	const char *metrics_listen = NULL;
	double metrics_interval = 15, metrics_at = 0;

	while ((c = getopt_long(argc, argv, "b:f:o:vFc:d:Vh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			backend = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'F':
			bo.follow = true;
			break;
		case 'c':
			if (!parse_u64(optarg, &a.count_limit) || !a.count_limit)
				return bad_arg("--count", optarg, "not a positive integer");
			break;
		case 'd': {
			char *e;

			errno = 0;
			duration = strtod(optarg, &e);
			if (errno || *e || !(duration >= 0) || isinf(duration))
				return bad_arg("--duration", optarg, "not a number of seconds >= 0");
			break;
		}
		case OPT_EVENTS:
			bo.events_file = optarg;
			break;
		case OPT_YEAR:
			if (!parse_u64(optarg, &v) || v < 1970 || v > 9999)
				return bad_arg("--year", optarg, "not a year between 1970 and 9999");
			bo.year = (int)v;
			break;
		case OPT_PROBE:
			if (strcmp(optarg, "fentry") && strcmp(optarg, "kprobe") && strcmp(optarg, "tp_btf") &&
			    strcmp(optarg, "tracepoint"))
				return bad_arg("--probe", optarg, "unknown probe; use fentry, kprobe, tp_btf or tracepoint");
			bo.probe = optarg;
			break;
		case OPT_HEADERS:
			bo.kernel_headers = optarg;
			break;
		case OPT_BCC_CACHE:
			if (!optarg[0])
				return bad_arg("--bcc-cache", optarg, "empty; give a directory, or none");
			bo.bcc_cache = optarg;
			break;
		case OPT_COMM:
			a.filter.comm = optarg;
			break;
		case OPT_PID:
			if (!parse_u64(optarg, &v) || !v || v > INT_MAX)
				return bad_arg("--pid", optarg, "not a process id");
			a.filter.pid = (int)v;
			break;
		case OPT_CGROUP:
			a.filter.cgroup = optarg;
			break;
		case OPT_POD:
			a.filter.pod = optarg;
			break;
		case OPT_NAMESPACE:
			a.filter.k8s_namespace = optarg;
			break;
		case OPT_UNIT:
			a.filter.unit = optarg;
			break;
		case OPT_SUMMARY:
			summary = true;
			break;
		case OPT_METRICS_FILE:
			a.metrics_file = optarg;
			break;
		case OPT_METRICS_LISTEN: {
			struct sockaddr_in addr;

			if (oomtrace_metrics_parse_addr(optarg, &addr))
				return bad_arg("--metrics-listen", optarg, "not PORT, :PORT or IPV4:PORT");
			metrics_listen = optarg;
			break;
		}
		case OPT_METRICS_INTERVAL: {
			char *end;
			double secs = strtod(optarg, &end);

			if (*end || end == optarg || !(secs >= 1 && secs <= 86400))
				return bad_arg("--metrics-interval", optarg, "not a number of seconds from 1 to 86400");
			metrics_interval = secs;
			break;
		}
		case OPT_JOURNAL:
			a.journal = true;
			break;
		case OPT_CHECK:
			check = true;
			break;
		case OPT_NO_BTF:
			bo.no_btf = true;
			break;
		case OPT_NO_KMSG:
			bo.no_kmsg = true;
			break;
		case OPT_BTF:
			if (access(optarg, R_OK) != 0)
				return bad_arg("--btf", optarg, strerror(errno));
			bo.btf_file = optarg;
			break;
		case OPT_CONTEXT:
			if (oomtrace_context_parse(optarg, &bo.context_mask))
				return bad_arg("--context", optarg,
					       "not a list of loadavg, meminfo, psi, memcg, status, all, none");
			context_set = true;
			break;
		case OPT_BUFFER: {
			char *end;
			unsigned long kb = strtoul(optarg, &end, 10);

			if (*end || end == optarg || kb < 16 || kb > 1048576)
				return bad_arg("--buffer-size", optarg, "not a size in KiB between 16 and 1048576");
			bo.buffer_kb = (unsigned int)kb;
			break;
		}
		case OPT_NO_SANDBOX:
			no_sandbox = true;
			break;
		case OPT_KEEP_ADJ:
			bo.keep_oom_score_adj = true;
			break;
		case 'V':
			version();
			return OOMTRACE_EXIT_OK;
		case 'h':
			usage(stdout);
			return OOMTRACE_EXIT_OK;
		default:
			fprintf(stderr, "Try 'oomtrace --help' for more information.\n");
			return OOMTRACE_EXIT_USAGE;
		}
	}
	if (bo.btf_file && bo.no_btf)
		return bad_arg("--btf", bo.btf_file, "contradicts --no-btf");
	fmt = oomtrace_format_find(format);
	if (!fmt)
		return bad_arg("--format", format, "unknown format; use text, bcc or json");
	if (strcmp(format, "json") == 0)
		oomtrace_log_set_json(true);
	oomtrace_log_set_level(verbose >= 2 ? OOMTRACE_LOG_DEBUG
			       : verbose   ? OOMTRACE_LOG_INFO
					   : OOMTRACE_LOG_WARN);
	if (verbose && strcmp(format, "text") == 0)
		flags |= OOMTRACE_FMT_VERBOSE;
	if (optind < argc)
		bo.files = argv + optind;
	if (!context_set)
		bo.context_mask = OOMTRACE_CTX_ALL;
	if (check)
		return run_check(&bo, strcmp(format, "json") == 0);

	/* choose the backend */
	if (strcmp(backend, "auto") == 0 && !bo.files && !bo.events_file && stdin_is_input()) {
		/* "cat log | oomtrace", "oomtrace < log": replay what comes in */
		backend = "replay";
	}
	if (strcmp(backend, "auto") == 0) {
		if (!bo.files && !bo.events_file) {
			const struct oomtrace_backend_info *b;

			/* the first live backend that can run here and attaches a probe */
			for (b = oomtrace_backend_list(); b->name && !bi; b++) {
				if (!b->ops || strcmp(b->name, "replay") == 0)
					continue;
				if (b->ops->probe(&bo, why, sizeof(why)) != 0) {
					oomtrace_info("backend %s not usable: %s", b->name, why);
					continue;
				}
				if (b->ops->open(&bo, &state) == 0)
					bi = b;
				else
					oomtrace_info("backend %s: no probe attached; trying the next", b->name);
			}
		}
		if (!bi) {
			bi = oomtrace_backend_find("replay");
			if (!bo.files && !bo.events_file) {
				bo.files = kmsg_only;
				bo.follow = true;
				oomtrace_warn("no live backend usable here: following the kernel log (/dev/kmsg), "
					      "which carries fewer facts than live tracing (oomtrace --check says why)");
			}
		}
	} else {
		bi = oomtrace_backend_find(backend);
		if (!bi)
			return bad_arg("--backend", backend, "unknown backend; use auto, libbpf, bcc or replay");
		if (!bi->ops) {
			oomtrace_err("backend %s: not built; reconfigure with %s", backend,
				     bi->configure_flag);
			return OOMTRACE_EXIT_NO_PROBE;
		}
	}
	live = strcmp(bi->name, "replay") != 0;
	a.resolve_names = live;
	if (!live && bo.probe)
		return bad_arg("--probe", bo.probe, "only live backends have probes");
	if (live && (bo.files || bo.events_file))
		return bad_arg(bo.files ? bo.files[0] : bo.events_file, backend,
			       "input files are for the replay backend");
	if (bo.events_file && bo.files)
		return bad_arg("--events", bo.events_file, "give either --events or log files, not both");

	rc = state ? 0 : bi->ops->probe(&bo, why, sizeof(why));
	if (rc) {
		oomtrace_err("backend %s: %s", bi->name, why);
		/* -EINVAL: an argument the backend cannot use (a --btf file without BTF) */
		return rc == -EPERM || rc == -EACCES ? OOMTRACE_EXIT_PERM
		       : rc == -EINVAL		    ? OOMTRACE_EXIT_USAGE
						    : OOMTRACE_EXIT_NO_PROBE;
	}
	if (summary && !(a.report = oomtrace_report_new())) {
		oomtrace_err("out of memory");
		return OOMTRACE_EXIT_RUNTIME;
	}
	a.out = oomtrace_output_open(output, fmt, flags);
	if (!a.out) {
		oomtrace_err("%s: cannot open for appending: %s", output, strerror(errno));
		return OOMTRACE_EXIT_RUNTIME;
	}
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* a stop signal also ends a write blocked on a reader that does not read */
	oomtrace_write_set_cancel(&stop_signal);

	rc = state ? 0 : bi->ops->open(&bo, &state);
	if (rc == 0)
		rc = bi->ops->start ? bi->ops->start(state) : 0;
	if (rc == -ENOENT) {
		oomtrace_err("backend %s: no usable probe here (oomtrace --check shows what this kernel has)",
			     bi->name);
		exit_code = OOMTRACE_EXIT_NO_PROBE;
		goto out;
	} else if (rc) {
		oomtrace_err("backend %s: cannot start: %s", bi->name, strerror(-rc));
		exit_code = rc == -EPERM || rc == -EACCES ? OOMTRACE_EXIT_PERM : OOMTRACE_EXIT_NO_PROBE;
		goto out;
	}
	if (live) {
		/*
		 * Loading parsed the kernel's BTF (libbpf holds it twice for a moment):
		 * give that heap back, then lock what is left so that the tracer stays
		 * responsive under the memory pressure it reports. Locking needs
		 * CAP_IPC_LOCK or a big enough RLIMIT_MEMLOCK: where refused, it says so
		 * and goes on.
		 */
		malloc_trim(0);
		/*
		 * MCL_CURRENT | MCL_ONFAULT: what is resident stays so, and pages of
		 * today's mappings stay once touched, without faulting in every page
		 * of every library (that doubled the resident size). Not MCL_FUTURE:
		 * once the sandbox has dropped CAP_IPC_LOCK, RLIMIT_MEMLOCK makes
		 * later mappings (malloc's) fail.
		 */
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
		if (mlockall(MCL_CURRENT | MCL_ONFAULT) != 0)
			oomtrace_info("memory not locked (mlockall: %s)", strerror(errno));
	}
	if (a.metrics_file || metrics_listen) {
		a.metrics = oomtrace_metrics_new(bi->name, bi->name);
		if (!a.metrics) {
			oomtrace_err("out of memory");
			exit_code = OOMTRACE_EXIT_RUNTIME;
			goto out;
		}
		oomtrace_metrics_set_probe(a.metrics, bi->ops->probe_name ? bi->ops->probe_name(state) : "");
		if (metrics_listen) {
			/* listening before the sandbox: afterwards only accept and answer */
			int r = oomtrace_metrics_listen(a.metrics, metrics_listen);

			if (r) {
				oomtrace_err("--metrics-listen %s: %s", metrics_listen,
					     r == -ENOTSUP ? "libmicrohttpd.so.12 not found or not built with it: install libmicrohttpd12 (Debian) or libmicrohttpd (openEuler)"
							   : strerror(-r));
				exit_code = r == -ENOTSUP ? OOMTRACE_EXIT_USAGE : OOMTRACE_EXIT_RUNTIME;
				goto out;
			}
		}
		if (a.metrics_file)
			write_metrics(&a);
	}
	if (a.journal) {
		/* before the sandbox: the first entry opens the journal's socket */
		int r = oomtrace_journal_open(bi->name, bi->ops->probe_name ? bi->ops->probe_name(state) : bi->name);

		if (r) {
			oomtrace_err("--journal: %s",
				     r == -ENOTSUP   ? "not built with libsystemd (reconfigure with libsystemd-dev)"
				     : r == -ENOENT ? "libsystemd.so.0 not found: install libsystemd0 (Debian) or systemd-libs (openEuler)"
				     : r == -ENOTCONN ? "no journal here (/run/systemd/journal/socket): is systemd-journald running?"
						    : strerror(-r));
			exit_code = r == -ENOTSUP || r == -ENOENT ? OOMTRACE_EXIT_USAGE : OOMTRACE_EXIT_RUNTIME;
			goto out;
		}
	}
	if (live && !no_sandbox) {
#ifdef WITH_SANDBOX
		/* attached: what is left to do needs no privilege beyond reading the counters */
		oomtrace_sandbox();
#else
		oomtrace_info("sandbox: not built (configure found no libseccomp/libcap-ng)");
#endif
	}
	if (live)
		oomtrace_info("tracing OOM kills with %s/%s; Ctrl-C to stop", bi->name,
			      bi->ops->probe_name ? bi->ops->probe_name(state) : "?");
	t0 = now_s();
	metrics_at = t0;
	while (!stop_signal) {
		/* a scrape is answered within 100 ms */
		int timeout = metrics_listen ? 100 : 250;

		if (duration >= 0) {
			double left = duration - (now_s() - t0);

			if (left <= 0)
				break;
			if (left * 1000 < timeout)
				timeout = (int)(left * 1000) + 1;
		}
		rc = bi->ops->poll(state, timeout, sink, &a);
		if (bi->ops->lost) {
			uint64_t lost = bi->ops->lost(state);

			if (lost > lost_seen) {
				oomtrace_output_lost(a.out, lost - lost_seen);
				if (a.journal)
					oomtrace_journal_lost(lost - lost_seen, lost);
				lost_seen = lost;
			}
		}
		if (a.metrics) {
			oomtrace_metrics_lost(a.metrics, lost_seen);
			oomtrace_metrics_serve(a.metrics);
			/* after the batch of events that changed it, or every interval (the lost count) */
			if (a.metrics_file && (a.metrics_dirty || now_s() - metrics_at >= metrics_interval)) {
				metrics_at = now_s();
				a.metrics_dirty = false;
				write_metrics(&a);
			}
		}
		if (rc == OOMTRACE_EOF || rc == -ECANCELED)
			break;
		if (rc == -EPIPE && a.write_error)
			break; /* the reader of our output went away */
		if (!output && stdout_gone()) {
			a.write_error = -EPIPE; /* '| head -1': stop now, not at the next kill */
			break;
		}
		if (rc < 0 && rc != -EINTR && !(stop_signal && a.write_error)) {
			if (a.write_error)
				oomtrace_err("%s: cannot write: %s", output ? output : "<stdout>",
					     strerror(-a.write_error));
			else
				oomtrace_err("backend %s: %s", bi->name, strerror(-rc));
			exit_code = OOMTRACE_EXIT_RUNTIME;
			break;
		}
	}
	if (bi->ops->stop)
		bi->ops->stop(state);
	if (exit_code == OOMTRACE_EXIT_OK && bi->ops->input_errors && bi->ops->input_errors(state))
		exit_code = OOMTRACE_EXIT_INPUT;
	if (a.report) {
		FILE *rf = output ? fopen(output, "ae") : stdout;

		if (!rf || oomtrace_report_write(a.report, rf, strcmp(format, "json") == 0) || fflush(rf)) {
			oomtrace_err("%s: cannot write the summary: %s", output ? output : "<stdout>", strerror(errno));
			exit_code = OOMTRACE_EXIT_RUNTIME;
		}
		if (rf && rf != stdout)
			fclose(rf);
		oomtrace_report_free(a.report);
	}
	if (live || verbose)
		print_summary(&a, lost_seen);
	if (stop_signal && a.write_error && a.write_error != -EPIPE) {
		oomtrace_err("%s blocked (no reader reading it) when told to stop: at least %" PRIu64
			     " event%s not written", output ? output : "<stdout>", a.unwritten,
			     a.unwritten == 1 ? "" : "s");
		exit_code = OOMTRACE_EXIT_RUNTIME;
	}
	if (a.metrics && a.metrics_file)
		write_metrics(&a);
out:
	bi->ops->close(state);
	oomtrace_metrics_free(a.metrics);
	oomtrace_output_free(a.out);
	return exit_code;
}
