// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klog.c: the userspace killers' own log lines, followed live in the systemd journal, read by
 * the replay's reader of them (replay/killers.c): each kill a line tells of, with its reason and
 * the numbers it stated, for the live event of the same kill (live/ukill.c joins them).
 * systemd-oomd, earlyoom, nohang and lmkd log to the journal (their service's output, or
 * syslog(3)) under their own SYSLOG_IDENTIFIER; oomd writes to /dev/kmsg and is not read here.
 * libsystemd is loaded with dlopen (as for --journal): without it the log is "unread".
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "dl.h"
#include "killers.h"
#include "klog.h"
#include "log.h"

#define LIBSYSTEMD "libsystemd.so.0"
#define SD_JOURNAL_LOCAL_ONLY 1

/* the killers whose own words the replay reader knows, and which log to the journal */
static const char *const logged_killers[] = {"systemd-oomd", "earlyoom", "nohang", "lmkd"};

struct sdj {
	int (*open)(void **j, int flags);
	void (*close)(void *j);
	int (*add_match)(void *j, const void *data, size_t size);
	int (*seek_tail)(void *j);
	int (*seek_head)(void *j);
	int (*previous)(void *j);
	int (*next)(void *j);
	int (*get_data)(void *j, const char *field, const void **data, size_t *len);
	int (*get_fd)(void *j);
	int (*process)(void *j);
};

struct oomtrace_klog {
	struct sdj f;
	void *dl, *j;
	struct oomtrace_killers k;
	uint64_t line;
	bool held; /* the reader holds a kill for its next lines */
	struct oomtrace_event out;
	char msg[4096], ident[64]; /* the entry's fields, copied */
};

bool oomtrace_klog_knows(const char *killer)
{
	size_t i;

	for (i = 0; i < sizeof(logged_killers) / sizeof(logged_killers[0]); i++)
		if (strcmp(killer, logged_killers[i]) == 0)
			return true;
	return false;
}

struct oomtrace_klog *oomtrace_klog_open(char *why, size_t whysz)
{
	static const struct oomtrace_dlsym syms[] = {
	    OOMTRACE_DLSYM(struct sdj, open, "sd_journal_open"),
	    OOMTRACE_DLSYM(struct sdj, close, "sd_journal_close"),
	    OOMTRACE_DLSYM(struct sdj, add_match, "sd_journal_add_match"),
	    OOMTRACE_DLSYM(struct sdj, seek_tail, "sd_journal_seek_tail"),
	    OOMTRACE_DLSYM(struct sdj, seek_head, "sd_journal_seek_head"),
	    OOMTRACE_DLSYM(struct sdj, previous, "sd_journal_previous"),
	    OOMTRACE_DLSYM(struct sdj, next, "sd_journal_next"),
	    OOMTRACE_DLSYM(struct sdj, get_data, "sd_journal_get_data"),
	    OOMTRACE_DLSYM(struct sdj, get_fd, "sd_journal_get_fd"),
	    OOMTRACE_DLSYM(struct sdj, process, "sd_journal_process"),
	};
	struct oomtrace_klog *g = calloc(1, sizeof(*g));
	const char *missing = NULL;
	char m[64];
	size_t i;
	int r;

	if (!g) {
		snprintf(why, whysz, "out of memory");
		return NULL;
	}
	g->dl = oomtrace_dl_load(LIBSYSTEMD, syms, sizeof(syms) / sizeof(syms[0]), &g->f, &missing);
	if (!g->dl) {
		snprintf(why, whysz, "%s %s", LIBSYSTEMD,
			 missing ? "lacks sd_journal_open and the like" : "cannot be loaded");
		free(g);
		return NULL;
	}
	r = g->f.open(&g->j, SD_JOURNAL_LOCAL_ONLY);
	for (i = 0; !r && i < sizeof(logged_killers) / sizeof(logged_killers[0]); i++) {
		snprintf(m, sizeof(m), "SYSLOG_IDENTIFIER=%s", logged_killers[i]);
		r = g->f.add_match(g->j, m, 0);
	}
	/*
	 * From now on: the last of their entries, then what comes after it. Where there is none
	 * yet, from the head (matching nothing old): a tail with no entry to stand on moves with
	 * the journal, and its first new entries would be skipped. The inotify watches are made
	 * now, before the sandbox.
	 */
	if (!r && (r = g->f.seek_tail(g->j)) == 0 && (r = g->f.previous(g->j)) == 0)
		r = g->f.seek_head(g->j);
	if (r >= 0)
		r = g->f.get_fd(g->j) < 0 ? -EIO : 0;
	if (r < 0) {
		snprintf(why, whysz, "cannot follow the journal: %s", strerror(-r));
		oomtrace_klog_close(g);
		return NULL;
	}
	return g;
}

/*
 * One field of the current entry, copied into @buf (the journal's own pointer is good only until
 * its next call): its length, or -1 where the entry has none.
 */
static ssize_t field(struct oomtrace_klog *g, const char *name, char *buf, size_t bufsz)
{
	const void *d;
	size_t len, nl = strlen(name);

	if (g->f.get_data(g->j, name, &d, &len) < 0 || len <= nl || memcmp(d, name, nl) != 0 ||
	    ((const char *)d)[nl] != '=')
		return -1;
	len -= nl + 1;
	if (len >= bufsz)
		len = bufsz - 1; /* a killer's line is short: a longer one is cut, not lost */
	memcpy(buf, (const char *)d + nl + 1, len);
	buf[len] = '\0';
	return (ssize_t)len;
}

static void ev_new(void *arg, struct oomtrace_event *ev)
{
	(void)arg;
	oomtrace_event_init(ev);
}

void oomtrace_klog_read(struct oomtrace_klog *g, oomtrace_klog_fn fn, void *ctx)
{
	struct oomtrace_killer_line l;
	char pidbuf[16];
	ssize_t m, i;
	bool any = false;

	g->f.process(g->j); /* rotation, new files: whatever inotify said */
	while (g->f.next(g->j) > 0) {
		any = true;
		memset(&l, 0, sizeof(l));
		l.line = ++g->line;
		m = field(g, "MESSAGE", g->msg, sizeof(g->msg));
		i = field(g, "SYSLOG_IDENTIFIER", g->ident, sizeof(g->ident));
		if (m < 0 || i < 0)
			continue;
		l.msg = g->msg;
		l.len = (size_t)m;
		l.ident = g->ident;
		l.ident_len = (size_t)i;
		if (field(g, "_PID", pidbuf, sizeof(pidbuf)) > 0)
			l.pid = (int32_t)strtol(pidbuf, NULL, 10);
		if (oomtrace_killers_line(&g->k, &l, ev_new, NULL, &g->out))
			fn(ctx, &g->out);
		g->held = oomtrace_killers_busy(&g->k);
	}
	/* the journal went quiet: a kill held for more lines (earlyoom's death line) is handed
	 * over as it stands (the death is the kernel's to tell); a kill line awaited stays so */
	while (!any && g->held && oomtrace_killers_hand_over(&g->k, &g->out))
		fn(ctx, &g->out);
	/* what it waits for that never came: given up after as many lines as the replay's */
	while (oomtrace_killers_expire(&g->k, g->line, 50, false, &g->out))
		fn(ctx, &g->out);
	g->held = oomtrace_killers_busy(&g->k);
}

void oomtrace_klog_close(struct oomtrace_klog *g)
{
	if (!g)
		return;
	if (g->j)
		g->f.close(g->j);
	free(g);
}
