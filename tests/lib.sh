# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib.sh (sourced, POSIX sh): the counters and verdicts the shell tests share.
#   ok [WHAT]          a check passed (WHAT is printed when given)
#   bad WHAT           a check failed (printed)
#   is NAME GOT WANT   ok when GOT = WANT, else bad with both
#   skip_all WHY       the whole test cannot run here: SKIP with the reason (exit 77)
#   verdict NAME       "NAME: P passed, F failed"; true only without failures
pass=0 fail=0
ok() { pass=$((pass + 1)); if [ $# -gt 0 ]; then echo "ok: $*"; fi; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
is() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }
skip_all() { echo "SKIP: $*"; exit 77; }
verdict() { echo "$1: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
