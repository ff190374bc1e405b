/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h: diagnostics to stderr, plain or as JSON objects; the only way oomtrace speaks besides
 * events. */
#ifndef OOMTRACE_LOG_H
#define OOMTRACE_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum oomtrace_log_level {
	OOMTRACE_LOG_ERROR = 0,
	OOMTRACE_LOG_WARN,
	OOMTRACE_LOG_INFO,
	OOMTRACE_LOG_DEBUG,
};

/* Messages above @level are dropped (default WARN; -v INFO, -vv DEBUG). */
void oomtrace_log_set_level(enum oomtrace_log_level level);
enum oomtrace_log_level oomtrace_log_get_level(void);
/* In JSON mode each message is one {"level":..,"msg":..} object. */
void oomtrace_log_set_json(bool json);

void oomtrace_log(enum oomtrace_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void oomtrace_vlog(enum oomtrace_log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#define oomtrace_err(...) oomtrace_log(OOMTRACE_LOG_ERROR, __VA_ARGS__)
#define oomtrace_warn(...) oomtrace_log(OOMTRACE_LOG_WARN, __VA_ARGS__)
#define oomtrace_info(...) oomtrace_log(OOMTRACE_LOG_INFO, __VA_ARGS__)
#define oomtrace_debug(...) oomtrace_log(OOMTRACE_LOG_DEBUG, __VA_ARGS__)

#endif
