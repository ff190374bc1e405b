#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# prefixes.sh: every fixture re-emitted under generated prefixes must replay to the same kill
# facts (tests/prefixes.py says how); the seed varies the random heads, 1 unless told.
srcdir=${srcdir:-$(dirname "$0")/..}
exec python3 "$srcdir/tests/prefixes.py" "${OOMTRACE:-./oomtrace}" "$srcdir/fixtures" --seed "${OOMTRACE_PREFIX_SEED:-1}"
