#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# live-libbpf.sh: the live end-to-end tests for the libbpf backend (see live.sh).
exec bash "$(dirname "$0")/live.sh" libbpf
