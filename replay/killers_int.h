/* SPDX-License-Identifier: GPL-2.0-or-later */
/* killers_int.h: the reading helpers of killers.c (killers_read.c); none reads past @e. */
#ifndef OOMTRACE_KILLERS_INT_H
#define OOMTRACE_KILLERS_INT_H

#include "killers.h"

#define find kl_find
#define lit kl_lit
#define blanks kl_blanks
#define num kl_num
#define hundredths kl_hundredths
#define fact kl_fact
#define set_comm kl_set_comm
#define set_cgroup kl_set_cgroup
#define set_reason kl_set_reason
#define start kl_start
#define set_signal kl_set_signal
#define set_died kl_set_died
#define signal_name kl_signal_name
#define seconds_us kl_seconds_us
#define hand_over kl_hand_over

/* (each as documented where it is defined, killers_read.c) */
const char *find(const char *s, const char *e, const char *w);
bool lit(const char **p, const char *e, const char *w);
void blanks(const char **p, const char *e);
bool num(const char **p, const char *e, int64_t *v);
bool hundredths(const char **p, const char *e, int64_t *v);
void fact(struct oomtrace_event *ev, const char *key, int64_t v);
void set_comm(struct oomtrace_task *t, const char *s, const char *e);
void set_cgroup(struct oomtrace_task *t, const char *s, const char *e);
void set_reason(struct oomtrace_event *ev, const char *s, const char *e);
/* A new kill by @name (@ev_new stamps it with its line's time) */
void start(struct oomtrace_event *ev, const struct oomtrace_killer_line *l, const char *name,
	   void (*ev_new)(void *, struct oomtrace_event *), void *arg);
void set_signal(struct oomtrace_event *ev, int sig);
void set_died(struct oomtrace_event *ev, uint64_t us);
int signal_name(const char **p, const char *e);
bool seconds_us(const char **p, const char *e, uint64_t *us);
int hand_over(struct oomtrace_killers *k, int i, struct oomtrace_event *out);

#endif
