#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/packages.sh TARBALL: the release tarball builds into a Debian package
# (dpkg-buildpackage -b -us -uc) and RPMs (rpmbuild -bb --nodeps, packaging/oomtrace.spec) for
# x86_64 and, cross-built, aarch64; their payloads, conffiles and systemd scriptlets are checked;
# as root the .deb is installed, its unit passes systemd-analyze verify, its binary runs, and it
# is purged again. `make check-packages` runs it (under a minute on 2 cores: three builds).
set -u
tarball=$(cd "$(dirname "${1:?usage: packages.sh TARBALL}")" && pwd)/$(basename "$1")
srcdir=${srcdir:-.}
ver=$(basename "$tarball" .tar.gz)
ver=${ver#oomtrace-}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$srcdir/tests/lib.sh"
skipped=0
skip() { skipped=$((skipped + 1)); echo "SKIP: $*"; }

# one version everywhere
spec_ver=$(sed -n 's/^Version: *//p' "$srcdir/packaging/oomtrace.spec")
deb_ver=$(sed -n '1s/^oomtrace (\([^)-]*\).*/\1/p' "$srcdir/debian/changelog")
[ "$spec_ver" = "$ver" ] && [ "$deb_ver" = "$ver" ] && ok "version $ver in the tarball, the spec and debian/changelog" ||
	bad "versions differ: tarball $ver, spec $spec_ver, debian/changelog $deb_ver"
want_files="usr/bin/oomtrace lib/systemd/system/oomtrace.service etc/oomtrace/oomtrace.conf usr/share/man/man1/oomtrace.1.gz usr/share/oomtrace/oomtrace-alerts.yml usr/share/oomtrace/oomtrace-dashboard.json"

# --- Debian ---
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	skip "deb: no dpkg-buildpackage/debhelper here (Debian: dpkg-dev debhelper)"
else
	mkdir "$t/deb" && tar -xzf "$tarball" -C "$t/deb"
	if (cd "$t/deb/oomtrace-$ver" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -b -us -uc) >"$t/deb.log" 2>&1; then
		deb=$(ls "$t"/deb/oomtrace_"$ver"_*.deb 2>/dev/null | head -1)
		[ -f "$deb" ] && ok "deb: dpkg-buildpackage -b -us -uc built $(basename "$deb")" || bad "deb: no .deb"
	else
		bad "deb: dpkg-buildpackage failed: $(tail -5 "$t/deb.log" | tr '\n' ' ')"
		deb=
	fi
	if [ -n "$deb" ]; then
		dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./||' >"$t/deb.files"
		missing=
		for f in $want_files; do grep -qx "$f" "$t/deb.files" || missing="$missing $f"; done
		[ -z "$missing" ] && ok "deb: payload has $want_files" || bad "deb: payload lacks$missing"
		dpkg-deb --ctrl-tarfile "$deb" | tar -x -C "$t/deb" ./conffiles ./postinst ./prerm ./postrm 2>/dev/null
		grep -qx /etc/oomtrace/oomtrace.conf "$t/deb/conffiles" && ok "deb: /etc/oomtrace/oomtrace.conf is a conffile" ||
			bad "deb: conffiles: $(cat "$t/deb/conffiles" 2>/dev/null)"
		grep -q "deb-systemd-helper.*oomtrace.service" "$t/deb/postinst" && grep -q "deb-systemd-invoke.*oomtrace.service" "$t/deb/postinst" &&
			ok "deb: postinst enables and starts oomtrace.service (dh_installsystemd)" || bad "deb: postinst has no systemd handling"
		depends=$(dpkg-deb -f "$deb" Depends)
		case $depends in *libbpf1*libc6* | *libc6*libbpf1*) ok "deb: Depends: $depends" ;; *) bad "deb: Depends: $depends" ;; esac
		if [ "$(id -u)" != 0 ]; then
			skip "deb: installing needs root"
		elif dpkg-query -W oomtrace >/dev/null 2>&1 || [ -e /usr/bin/oomtrace ]; then
			skip "deb: an oomtrace is installed here already; not replacing it"
		elif dpkg -i "$deb" >"$t/install.log" 2>&1; then
			ok "deb: dpkg -i installs it"
			man=--man=no
			command -v man >/dev/null && man=--man=yes
			systemd-analyze verify $man /lib/systemd/system/oomtrace.service >"$t/verify" 2>&1 &&
				ok "deb: installed unit passes systemd-analyze verify ($man)" || bad "deb: systemd-analyze verify: $(tr '\n' ' ' <"$t/verify")"
			/usr/bin/oomtrace --version | grep -q "^oomtrace $ver" && ok "deb: /usr/bin/oomtrace runs" || bad "deb: /usr/bin/oomtrace --version"
			cp /lib/systemd/system/oomtrace.service "$t/deb-unit"
			dpkg -P oomtrace >>"$t/install.log" 2>&1
			[ ! -e /usr/bin/oomtrace ] && [ ! -e /etc/oomtrace/oomtrace.conf ] && ok "deb: dpkg -P removes it, conffile too" ||
				bad "deb: left after purge: $(ls /usr/bin/oomtrace /etc/oomtrace 2>&1 | tr '\n' ' ')"
		else
			bad "deb: dpkg -i: $(tail -3 "$t/install.log" | tr '\n' ' ')"
		fi
	fi
fi

# --- RPM (openEuler's spec, built with Debian's rpm) ---
if ! command -v rpmbuild >/dev/null; then
	skip "rpm: no rpmbuild here (Debian: rpm)"
else
	mkdir -p "$t/rpm/SOURCES" && cp "$tarball" "$t/rpm/SOURCES/"
	if rpmbuild -bb --nodeps --nocheck --define "_topdir $t/rpm" --define "debug_package %{nil}" \
		--define "_smp_mflags -j$(nproc)" "$srcdir/packaging/oomtrace.spec" >"$t/rpm.log" 2>&1; then
		rpm=$(ls "$t"/rpm/RPMS/*/oomtrace-"$ver"-1*.rpm 2>/dev/null | head -1)
		[ -f "$rpm" ] && ok "rpm: rpmbuild -bb built $(basename "$rpm")" || bad "rpm: no .rpm"
	else
		bad "rpm: rpmbuild failed: $(tail -5 "$t/rpm.log" | tr '\n' ' ')"
		rpm=
	fi
	if [ -n "$rpm" ]; then
		rpm -qlp "$rpm" 2>/dev/null | sed 's|^/||' >"$t/rpm.files"
		missing=
		# (the man page as brp-compress leaves it: gzip on openEuler, plain with Debian's rpm)
		for f in usr/bin/oomtrace usr/lib/systemd/system/oomtrace.service etc/oomtrace/oomtrace.conf usr/share/oomtrace/oomtrace-alerts.yml usr/share/oomtrace/oomtrace-dashboard.json 'usr/share/man/man1/oomtrace.1\(\.gz\|\.xz\)\?'; do
			grep -qx "$f" "$t/rpm.files" || missing="$missing $f"
		done
		[ -z "$missing" ] && ok "rpm: payload has the binary, usr/lib/systemd/system/oomtrace.service, the conf, the man page" ||
			bad "rpm: payload lacks$missing"
		rpm -qp --configfiles "$rpm" 2>/dev/null | grep -qx /etc/oomtrace/oomtrace.conf && ok "rpm: %config(noreplace) /etc/oomtrace/oomtrace.conf" ||
			bad "rpm: configfiles: $(rpm -qp --configfiles "$rpm" 2>&1)"
		rpm -qp --scripts "$rpm" >"$t/scripts" 2>/dev/null
		grep -A3 '^postinstall' "$t/scripts" | grep -q 'preset oomtrace.service' &&
			grep -A3 '^preuninstall' "$t/scripts" | grep -q 'disable --now oomtrace.service' &&
			grep -A3 '^postuninstall' "$t/scripts" | grep -q 'try-restart oomtrace.service' &&
			ok "rpm: %systemd_post/%systemd_preun/%systemd_postun_with_restart scriptlets" || bad "rpm: scriptlets: $(tr '\n' ' ' <"$t/scripts")"
		mkdir "$t/rpmroot" && (cd "$t/rpmroot" && rpm2cpio "$rpm" | cpio -idm --quiet)
		"$t/rpmroot/usr/bin/oomtrace" --version | grep -q "^oomtrace $ver" && ok "rpm: its binary runs" || bad "rpm: its binary does not run"
		grep -q '^ExecStart=/usr/bin/oomtrace --journal' "$t/rpmroot/usr/lib/systemd/system/oomtrace.service" &&
			grep -q '^EnvironmentFile=-/etc/oomtrace/oomtrace.conf' "$t/rpmroot/usr/lib/systemd/system/oomtrace.service" &&
			ok "rpm: unit paths /usr/bin and /etc" || bad "rpm: unit: $(grep -E '^(ExecStart|EnvironmentFile)' "$t/rpmroot/usr/lib/systemd/system/oomtrace.service")"
		if [ -f "${t}/deb-unit" ]; then
			cmp -s "$t/deb-unit" "$t/rpmroot/usr/lib/systemd/system/oomtrace.service" &&
				ok "rpm: the same unit as the verified .deb's" || bad "rpm: unit differs from the .deb's"
		fi
	fi
fi
# --- the same spec for aarch64 (openEuler's other architecture), cross-built here ---
if ! command -v rpmbuild >/dev/null; then
	:
elif ! command -v aarch64-linux-gnu-gcc >/dev/null || ! dpkg-query -W libbpf-dev:arm64 >/dev/null 2>&1; then
	skip "rpm aarch64: no cross compiler or arm64 libraries here (.ci/packages-vm)"
else
	mkdir -p "$t/rpm64/SOURCES" && cp "$tarball" "$t/rpm64/SOURCES/"
	# (Debian's rpm knows no cross toolchain: the triplets and the strip are named; no arm64
	# libdw is installed here, and the host's pkg-config would offer the host's)
	if rpmbuild -bb --nodeps --nocheck --target aarch64 --define "_topdir $t/rpm64" --define "debug_package %{nil}" \
		--define "_host aarch64-linux-gnu" --define "_build $(gcc -dumpmachine)" \
		--define "__strip aarch64-linux-gnu-strip" --define "_smp_mflags -j$(nproc)" \
		--define "oomtrace_configure --without-libdw" \
		"$srcdir/packaging/oomtrace.spec" >"$t/rpm64.log" 2>&1; then
		rpm64=$(ls "$t"/rpm64/RPMS/aarch64/oomtrace-"$ver"-1*.aarch64.rpm 2>/dev/null | head -1)
		mkdir "$t/root64" && (cd "$t/root64" && rpm2cpio "$rpm64" | cpio -idm --quiet)
		if [ "$(rpm -qp --qf '%{ARCH}' "$rpm64" 2>/dev/null)" = aarch64 ] &&
			file "$t/root64/usr/bin/oomtrace" | grep -q "ARM aarch64"; then
			ok "rpm aarch64: rpmbuild --target aarch64 built $(basename "$rpm64") with an aarch64 binary"
		else
			bad "rpm aarch64: $(file "$t/root64/usr/bin/oomtrace" 2>&1)"
		fi
		if command -v qemu-aarch64-static >/dev/null; then
			qemu-aarch64-static -L /usr/aarch64-linux-gnu "$t/root64/usr/bin/oomtrace" --version | grep -q "^oomtrace $ver" &&
				ok "rpm aarch64: its binary runs (qemu-user)" || bad "rpm aarch64: its binary does not run under qemu-user"
		fi
	else
		bad "rpm aarch64: rpmbuild --target aarch64 failed: $(tail -5 "$t/rpm64.log" | tr '\n' ' ')"
	fi
fi
echo "packages: $pass passed, $fail failed, $skipped skipped"
[ $fail -eq 0 ]
