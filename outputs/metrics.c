// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metrics.c: Prometheus text exposition of the kills seen: a node_exporter
 * textfile (--metrics-file, written whole then renamed) and /metrics over
 * HTTP (--metrics-listen, libmicrohttpd). Labels are bounded: constraint and
 * where the victim ran (namespace, pod, container, unit) — never a pid, comm,
 * cgroup path or container id.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifdef WITH_MICROHTTPD
#include <microhttpd.h>

#include "dl.h"

/*
 * libmicrohttpd is loaded with dlopen, and only for --metrics-listen: linked,
 * it brings GnuTLS and its constructors into every tracer (6 MiB resident).
 */
#define LIBMHD "libmicrohttpd.so.12"
static struct mhd_api {
	void *dl;
	struct MHD_Daemon *(*start)(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
				    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...);
	enum MHD_Result (*run)(struct MHD_Daemon *d);
	void (*stop)(struct MHD_Daemon *d);
	struct MHD_Response *(*from_buffer)(size_t size, void *buffer,
					    enum MHD_ResponseMemoryMode mode);
	enum MHD_Result (*add_header)(struct MHD_Response *r, const char *h, const char *v);
	enum MHD_Result (*queue)(struct MHD_Connection *c, unsigned int status,
				 struct MHD_Response *r);
	void (*destroy)(struct MHD_Response *r);
} mhd;

static int mhd_load(void)
{
	static const struct oomtrace_dlsym syms[] = {
	    OOMTRACE_DLSYM(struct mhd_api, start, "MHD_start_daemon"),
	    OOMTRACE_DLSYM(struct mhd_api, run, "MHD_run"),
	    OOMTRACE_DLSYM(struct mhd_api, stop, "MHD_stop_daemon"),
	    OOMTRACE_DLSYM(struct mhd_api, from_buffer, "MHD_create_response_from_buffer"),
	    OOMTRACE_DLSYM(struct mhd_api, add_header, "MHD_add_response_header"),
	    OOMTRACE_DLSYM(struct mhd_api, queue, "MHD_queue_response"),
	    OOMTRACE_DLSYM(struct mhd_api, destroy, "MHD_destroy_response"),
	};
	const char *missing;

	if (!mhd.dl)
		mhd.dl =
		    oomtrace_dl_load(LIBMHD, syms, sizeof(syms) / sizeof(syms[0]), &mhd, &missing);
	return mhd.dl ? 0 : -ENOENT;
}
#endif

#include "log.h"
#include "metrics.h"
#include "names.h"
#include "output.h"
#include "util.h"

/* beyond this, kills go to one "other" series: cardinality stays bounded */
#define MAX_SERIES 4096

struct series {
	int constraint;
	char killer[OOMTRACE_KILLER_NAME_MAX]; /* "kernel", or the userspace killer's name */
	char role[16];			       /* victim_role's name, "" unknown */
	char ns[64], pod[256], container[256], unit[256];
	uint64_t kills;
	uint64_t pressures; /* pressure records (killer ""): a memcg about to OOM */
	double last_ts;	    /* of the last kill, or (pressure series) the last record */
};

struct oomtrace_metrics {
	struct series *s;
	size_t n, cap;
	uint64_t overflow;
	uint64_t invocations[8];
	uint64_t last_invocation;
	int last_inv_constraint;
	uint64_t lost;
	char source[16], backend[16], probe[48];
	struct oomtrace_buf text;
#ifdef WITH_MICROHTTPD
	struct MHD_Daemon *httpd;
#endif
};

struct oomtrace_metrics *oomtrace_metrics_new(const char *source, const char *backend)
{
	struct oomtrace_metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	snprintf(m->source, sizeof(m->source), "%s", source);
	snprintf(m->backend, sizeof(m->backend), "%s", backend);
	m->last_inv_constraint = -1;
	return m;
}

void oomtrace_metrics_set_probe(struct oomtrace_metrics *m, const char *probe)
{
	snprintf(m->probe, sizeof(m->probe), "%s", probe ? probe : "");
}

void oomtrace_metrics_lost(struct oomtrace_metrics *m, uint64_t total)
{
	m->lost = total;
}

int oomtrace_metrics_add(struct oomtrace_metrics *m, const struct oomtrace_event *ev)
{
	const struct oomtrace_names *n = &ev->names;
	int c = (ev->known & OOMTRACE_E_CONSTRAINT) ? (int)ev->constraint
						    : (int)OOMTRACE_CONSTRAINT_UNKNOWN;
	const char *killer = ev->killer.name;
	const char *role =
	    (ev->known & OOMTRACE_E_ROLE) ? oomtrace_victim_role_name(ev->victim_role) : "";
	struct series *w = NULL;
	size_t i;

	bool pressure = ev->record == OOMTRACE_RECORD_PRESSURE;

	if (!pressure &&
	    (ev->record != OOMTRACE_RECORD_KILL || ev->outcome != OOMTRACE_OUTCOME_KILLED))
		return 0;
	if (pressure) {
		killer = ""; /* its own series: where, never who */
		role = "";
	}
	/* one invocation per kernel call: its victims come one after another with the same number
	 */
	if (!pressure && !killer[0] &&
	    (!(ev->known & OOMTRACE_E_INVOCATION) || ev->invocation != m->last_invocation ||
	     c != m->last_inv_constraint)) {
		if (c >= 0 && c < 8)
			m->invocations[c]++;
		m->last_invocation = (ev->known & OOMTRACE_E_INVOCATION) ? ev->invocation : 0;
		m->last_inv_constraint = c;
	}
	for (i = 0; i < m->n && !w; i++)
		if (m->s[i].constraint == c &&
		    !strcmp(m->s[i].killer, killer[0] || pressure ? killer : "kernel") &&
		    !strcmp(m->s[i].ns, n->k8s_namespace) && !strcmp(m->s[i].pod, n->pod) &&
		    !strcmp(m->s[i].container, n->container) &&
		    !strcmp(m->s[i].unit, oomtrace_names_label(n)))
			w = &m->s[i];
	if (!w) {
		if (m->n == MAX_SERIES) {
			m->overflow++;
			return 0;
		}
		struct series *ns = oomtrace_grow(m->s, &m->cap, m->n, sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		m->s = ns;
		w = &m->s[m->n++];
		memset(w, 0, sizeof(*w));
		w->constraint = c;
		snprintf(w->killer, sizeof(w->killer), "%s",
			 killer[0] || pressure ? killer : "kernel");
		snprintf(w->role, sizeof(w->role), "%s", role);
		snprintf(w->ns, sizeof(w->ns), "%s", n->k8s_namespace);
		snprintf(w->pod, sizeof(w->pod), "%s", n->pod);
		snprintf(w->container, sizeof(w->container), "%s", n->container);
		snprintf(w->unit, sizeof(w->unit), "%s", oomtrace_names_label(n));
	}
	if (pressure)
		w->pressures++;
	else
		w->kills++;
	if (ev->known & OOMTRACE_E_TIME)
		w->last_ts = (double)ev->time_us / 1e6;
	return 0;
}

/* A label value as the text format wants it: \\, \" and \n escaped, valid UTF-8. */
static void label(struct oomtrace_buf *b, const char *name, const char *v, bool last)
{
	char tmp[1024];
	const char *p;

	oomtrace_utf8_repair(tmp, sizeof(tmp), v, strlen(v));
	oomtrace_buf_printf(b, "%s=\"", name);
	for (p = tmp; *p; p++) {
		if (*p == '\\' || *p == '"')
			oomtrace_buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			oomtrace_buf_append(b, "\\n", 2);
		else
			oomtrace_buf_append(b, p, 1);
	}
	oomtrace_buf_append(b, last ? "\"" : "\",", last ? 1 : 2);
}

/* where: namespace, pod, container, unit (the last label) */
static void where_labels(struct oomtrace_buf *b, const struct series *s)
{
	label(b, "namespace", s->ns, false);
	label(b, "pod", s->pod, false);
	label(b, "container", s->container, false);
	label(b, "unit", s->unit, true);
	oomtrace_buf_append(b, "}", 1);
}

static void series_labels(struct oomtrace_buf *b, const struct series *s)
{
	oomtrace_buf_append(b, "{", 1);
	label(b, "constraint", oomtrace_constraint_name((enum oomtrace_constraint)s->constraint),
	      false);
	label(b, "killer", s->killer, false);
	label(b, "victim_role", s->role, false);
	where_labels(b, s);
}

static void names_labels(struct oomtrace_buf *b, const struct series *s)
{
	oomtrace_buf_append(b, "{", 1);
	where_labels(b, s);
}

/* the pressure records' series: how many, and when the last came */
static void pressure_series(struct oomtrace_buf *b, const struct oomtrace_metrics *m)
{
	size_t i;

	oomtrace_buf_printf(
	    b, "# HELP oomtrace_memcg_near_oom_total Pressure records: a memory cgroup on course "
	       "to reach its limit within seconds, by where it is (Kubernetes "
	       "namespace/pod/container, systemd unit).\n"
	       "# TYPE oomtrace_memcg_near_oom_total counter\n");
	for (i = 0; i < m->n; i++) {
		if (!m->s[i].pressures)
			continue;
		oomtrace_buf_printf(b, "oomtrace_memcg_near_oom_total");
		names_labels(b, &m->s[i]);
		oomtrace_buf_printf(b, " %" PRIu64 "\n", m->s[i].pressures);
	}
	oomtrace_buf_printf(
	    b, "# HELP oomtrace_last_memcg_near_oom_timestamp_seconds When the last pressure "
	       "record of the series came (Unix time).\n"
	       "# TYPE oomtrace_last_memcg_near_oom_timestamp_seconds gauge\n");
	for (i = 0; i < m->n; i++) {
		if (!m->s[i].pressures || m->s[i].last_ts <= 0)
			continue;
		oomtrace_buf_printf(b, "oomtrace_last_memcg_near_oom_timestamp_seconds");
		names_labels(b, &m->s[i]);
		oomtrace_buf_printf(b, " %.6f\n", m->s[i].last_ts);
	}
}

const char *oomtrace_metrics_text(struct oomtrace_metrics *m, size_t *len)
{
	struct oomtrace_buf *b = &m->text;
	size_t i;
	int c;

	oomtrace_buf_reset(b);
	oomtrace_buf_printf(
	    b, "# HELP oomtrace_oom_kills_total Processes killed by the OOM killer (killer "
	       "\"kernel\") or a userspace memory killer, by constraint and where "
	       "the victim ran (Kubernetes namespace/pod/container, systemd unit).\n"
	       "# TYPE oomtrace_oom_kills_total counter\n");
	for (i = 0; i < m->n; i++) {
		if (!m->s[i].kills)
			continue;
		oomtrace_buf_printf(b, "oomtrace_oom_kills_total");
		series_labels(b, &m->s[i]);
		oomtrace_buf_printf(b, " %" PRIu64 "\n", m->s[i].kills);
	}
	if (m->overflow)
		oomtrace_buf_printf(b,
				    "oomtrace_oom_kills_total{constraint=\"\",killer=\"\",victim_"
				    "role=\"\",namespace=\"\",pod="
				    "\"\",container=\"\","
				    "unit=\"(more than %d series)\"} %" PRIu64 "\n",
				    MAX_SERIES, m->overflow);
	oomtrace_buf_printf(
	    b, "# HELP oomtrace_oom_invocations_total Calls of the OOM killer that killed, by "
	       "constraint (one memory.oom.group call may kill many).\n"
	       "# TYPE oomtrace_oom_invocations_total counter\n");
	for (c = 0; c < 8; c++)
		if (m->invocations[c])
			oomtrace_buf_printf(
			    b, "oomtrace_oom_invocations_total{constraint=\"%s\"} %" PRIu64 "\n",
			    oomtrace_constraint_name((enum oomtrace_constraint)c),
			    m->invocations[c]);
	oomtrace_buf_printf(
	    b, "# HELP oomtrace_last_oom_kill_timestamp_seconds When the last such kill happened "
	       "(Unix time).\n# TYPE oomtrace_last_oom_kill_timestamp_seconds gauge\n");
	for (i = 0; i < m->n; i++) {
		if (m->s[i].last_ts <= 0 || !m->s[i].kills)
			continue;
		oomtrace_buf_printf(b, "oomtrace_last_oom_kill_timestamp_seconds");
		series_labels(b, &m->s[i]);
		oomtrace_buf_printf(b, " %.6f\n", m->s[i].last_ts);
	}
	pressure_series(b, m);
	oomtrace_buf_printf(
	    b,
	    "# HELP oomtrace_events_lost_total Events lost between the kernel and the tracer.\n"
	    "# TYPE oomtrace_events_lost_total counter\n"
	    "oomtrace_events_lost_total{source=\"%s\"} %" PRIu64 "\n",
	    m->source, m->lost);
	oomtrace_buf_printf(b,
			    "# HELP oomtrace_build_info The tracer: version, backend and probe.\n"
			    "# TYPE oomtrace_build_info gauge\noomtrace_build_info{");
	label(b, "version", PACKAGE_VERSION, false);
	label(b, "backend", m->backend, false);
	label(b, "probe", m->probe, true);
	oomtrace_buf_printf(b, "} 1\n");
	*len = b->len;
	return b->p ? b->p : "";
}

int oomtrace_metrics_write_file(struct oomtrace_metrics *m, const char *path)
{
	char tmp[4200];
	size_t len;
	const char *text = oomtrace_metrics_text(m, &len);
	int fd, e;

	/* written whole beside it, then renamed: node_exporter never reads half a file */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	e = oomtrace_write_all(fd, text, len);
	if (close(fd) && !e)
		e = -errno;
	if (!e && rename(tmp, path))
		e = -errno;
	if (e)
		unlink(tmp);
	return e;
}

#ifdef WITH_MICROHTTPD
static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url,
			     const char *method, const char *version, const char *upload,
			     size_t *upload_size, void **con_cls)
{
	struct oomtrace_metrics *m = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len;
	const char *text;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)con_cls;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return MHD_NO;
	if (strcmp(url, "/metrics") != 0) {
		static const char nf[] = "oomtrace: see /metrics\n";

		r = mhd.from_buffer(sizeof(nf) - 1, (void *)nf, MHD_RESPMEM_PERSISTENT);
		ret = mhd.queue(c, MHD_HTTP_NOT_FOUND, r);
		mhd.destroy(r);
		return ret;
	}
	text = oomtrace_metrics_text(m, &len);
	r = mhd.from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
	mhd.add_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	ret = mhd.queue(c, MHD_HTTP_OK, r);
	mhd.destroy(r);
	return ret;
}
#endif

int oomtrace_metrics_parse_addr(const char *spec, struct sockaddr_in *sa)
{
	char host[64] = "127.0.0.1";
	const char *colon = strrchr(spec, ':');
	char *end;
	unsigned long port;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (colon) {
		size_t hl = (size_t)(colon - spec);

		if (hl >= sizeof(host))
			return -EINVAL;
		if (hl) {
			memcpy(host, spec, hl);
			host[hl] = '\0';
		}
		spec = colon + 1;
	}
	port = strtoul(spec, &end, 10);
	if (*end || end == spec || port == 0 || port > 65535)
		return -EINVAL;
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -EINVAL;
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

int oomtrace_metrics_listen(struct oomtrace_metrics *m, const char *spec)
{
#ifdef WITH_MICROHTTPD
	struct sockaddr_in sa;

	if (oomtrace_metrics_parse_addr(spec, &sa))
		return -EINVAL;
	if (mhd_load())
		return -ENOTSUP;
	/* served from our own loop (no thread of its own): the seccomp filter and the event loop
	 * stay simple */
	m->httpd = mhd.start(MHD_USE_ERROR_LOG, ntohs(sa.sin_port), NULL, NULL, serve, m,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)16, MHD_OPTION_END);
	return m->httpd ? 0 : -(errno ? errno : EADDRINUSE);
#else
	(void)m;
	(void)spec;
	return -ENOTSUP;
#endif
}

void oomtrace_metrics_serve(struct oomtrace_metrics *m)
{
#ifdef WITH_MICROHTTPD
	if (m->httpd)
		mhd.run(m->httpd);
#else
	(void)m;
#endif
}

void oomtrace_metrics_free(struct oomtrace_metrics *m)
{
	if (!m)
		return;
#ifdef WITH_MICROHTTPD
	if (m->httpd)
		mhd.stop(m->httpd);
#endif
	free(m->s);
	oomtrace_buf_free(&m->text);
	free(m);
}

/* ---- the output ------------------------------------------------------------- */

struct metrics_out {
	const struct oomtrace_output_conf *c;
	struct oomtrace_metrics *m;
	bool dirty;  /* a kill was counted since the file was last written */
	bool warned; /* the file could not be written: said once */
	double at;   /* when the file was last written (CLOCK_MONOTONIC s) */
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_file(struct metrics_out *o)
{
	int r = oomtrace_metrics_write_file(o->m, o->c->metrics_file);

	if (r && !o->warned) {
		o->warned = true;
		oomtrace_warn("%s: cannot write the metrics file: %s", o->c->metrics_file,
			      strerror(-r));
	}
}

static int metrics_open(const struct oomtrace_output_conf *c, void **state)
{
	struct metrics_out *o;
	int code;

	*state = NULL;
	if (!c->metrics_file && !c->metrics_listen)
		return 0;
	if (!(o = oomtrace_output_state(sizeof(*o), NULL, NULL, &code)))
		return code;
	o->c = c;
	*state = o;
	return 0;
}

static int metrics_start(void *state, const struct oomtrace_output_source *src)
{
	struct metrics_out *o = state;
	int r;

	o->m = oomtrace_metrics_new(src->backend, src->backend);
	if (!o->m) {
		oomtrace_err("out of memory");
		return OOMTRACE_EXIT_RUNTIME;
	}
	oomtrace_metrics_set_probe(o->m, src->probe);
	if (o->c->metrics_listen) {
		/* listening before the sandbox: afterwards only accept and answer */
		r = oomtrace_metrics_listen(o->m, o->c->metrics_listen);
		if (r) {
			oomtrace_err(
			    "--metrics-listen %s: %s", o->c->metrics_listen,
			    r == -ENOTSUP
				? "libmicrohttpd.so.12 not found or not built with it: install "
				  "libmicrohttpd12 (Debian) or libmicrohttpd (openEuler)"
				: strerror(-r));
			return r == -ENOTSUP ? OOMTRACE_EXIT_USAGE : OOMTRACE_EXIT_RUNTIME;
		}
	}
	if (o->c->metrics_file)
		write_file(o);
	o->at = mono_s();
	return 0;
}

static int metrics_event(void *state, struct oomtrace_out_event *oe)
{
	struct metrics_out *o = state;

	if (oe->ev->record == OOMTRACE_RECORD_KILL || oe->ev->record == OOMTRACE_RECORD_PRESSURE) {
		oomtrace_metrics_add(o->m, oe->ev);
		o->dirty = true; /* written once per turn of the event loop, not per kill */
	}
	return 0;
}

static void metrics_lost_out(void *state, uint64_t n, uint64_t total)
{
	struct metrics_out *o = state;

	(void)n;
	oomtrace_metrics_lost(o->m, total);
}

static void metrics_tick(void *state, double now)
{
	struct metrics_out *o = state;

	oomtrace_metrics_serve(o->m);
	/* after the batch of events that changed it, or every interval (the lost count) */
	if (o->c->metrics_file && (o->dirty || now - o->at >= o->c->metrics_interval)) {
		o->at = now;
		o->dirty = false;
		write_file(o);
	}
}

static int metrics_close(void *state, const struct oomtrace_run_totals *t)
{
	struct metrics_out *o = state;

	if (t && o->m && o->c->metrics_file)
		write_file(o);
	oomtrace_metrics_free(o->m);
	free(o);
	return 0;
}

const struct oomtrace_output_ops oomtrace_output_metrics = {
    .name = "metrics",
    .open = metrics_open,
    .start = metrics_start,
    .event = metrics_event,
    .lost = metrics_lost_out,
    .tick = metrics_tick,
    .close = metrics_close,
};
