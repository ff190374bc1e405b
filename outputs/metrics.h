/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics.h: Prometheus text exposition: node_exporter textfile and an HTTP /metrics endpoint. */
#ifndef OOMTRACE_METRICS_H
#define OOMTRACE_METRICS_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct oomtrace_metrics;

/* @source: the lost counter's label (libbpf, bcc, replay); @backend: build_info's. NULL on ENOMEM.
 */
struct oomtrace_metrics *oomtrace_metrics_new(const char *source, const char *backend);
void oomtrace_metrics_set_probe(struct oomtrace_metrics *m, const char *probe);
/* Count a kill (names already derived); other records are ignored. 0 or -ENOMEM. */
int oomtrace_metrics_add(struct oomtrace_metrics *m, const struct oomtrace_event *ev);
/* Events lost in transport so far (a running total). */
void oomtrace_metrics_lost(struct oomtrace_metrics *m, uint64_t total);
/* The exposition text (valid until the next call). */
const char *oomtrace_metrics_text(struct oomtrace_metrics *m, size_t *len);
/* Write @path whole: a temporary file beside it, then rename. 0 or -errno. */
int oomtrace_metrics_write_file(struct oomtrace_metrics *m, const char *path);
/* "PORT", ":PORT", "ADDR:PORT" (IPv4; no address: 127.0.0.1). 0 or -EINVAL. */
int oomtrace_metrics_parse_addr(const char *spec, struct sockaddr_in *sa);
/* Serve /metrics on @spec (libmicrohttpd, driven by oomtrace_metrics_serve). 0, -EINVAL, -ENOTSUP,
 * -errno. */
int oomtrace_metrics_listen(struct oomtrace_metrics *m, const char *spec);
/* Answer what has come in, without blocking. */
void oomtrace_metrics_serve(struct oomtrace_metrics *m);
void oomtrace_metrics_free(struct oomtrace_metrics *m);

#endif
