#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# autogen.sh: regenerate the autotools build files from configure.ac and Makefile.am.
set -e
cd "$(dirname "$0")"
autoreconf --install --force --warnings=all
echo "Now run ./configure && make"
