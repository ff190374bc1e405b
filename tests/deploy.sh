#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/deploy.sh: deploy/oomtrace-daemonset.yaml read by a YAML parser (python3-yaml): a
# DaemonSet with hostPID, the capabilities and node mounts the live tracer needs, a metrics
# port that is the one its arguments listen on, and arguments oomtrace accepts.
srcdir=${srcdir:-.}
OOMTRACE=${OOMTRACE:-./oomtrace}
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: no python3-yaml here"; exit 77; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
python3 - "$srcdir/deploy/oomtrace-daemonset.yaml" >"$t/out" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
ok = lambda m: print("ok: daemonset:", m)
bad = lambda m: print("FAIL: daemonset:", m)
ds = [d for d in docs if d.get("kind") == "DaemonSet"]
if len(ds) != 1:
    bad("%d DaemonSets" % len(ds)); sys.exit()
ds = ds[0]
spec = ds["spec"]["template"]["spec"]
(ok if spec.get("hostPID") is True else bad)("hostPID: true")
c = spec["containers"][0]
sc = c.get("securityContext", {})
caps = sc.get("capabilities", {})
need = {"BPF", "PERFMON", "SYS_RESOURCE", "SYSLOG"}
(ok if need <= set(caps.get("add", [])) and "ALL" in caps.get("drop", []) and not sc.get("privileged") else bad)(
    "capabilities: drop ALL, add %s, not privileged" % sorted(caps.get("add", [])))
mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
vols = {v["name"]: v for v in spec.get("volumes", [])}
want = ["/dev/kmsg", "/sys/kernel/btf", "/sys/kernel/tracing", "/sys/fs/cgroup", "/var/log/pods"]
miss = [p for p in want if p not in mounts or vols.get(mounts[p]["name"], {}).get("hostPath", {}).get("path") != p]
(ok if not miss else bad)("node paths mounted from the host: %s" % (miss or want))
(ok if all(m.get("readOnly") for m in mounts.values()) else bad)("every node mount read-only")
args = c.get("args", [])
listen = [a.split("=", 1)[1] for a in args if a.startswith("--metrics-listen=")]
ports = [p["containerPort"] for p in c.get("ports", [])]
ann = ds["spec"]["template"]["metadata"].get("annotations", {})
port_ok = listen and int(listen[0].rsplit(":", 1)[1]) in ports and ann.get("prometheus.io/port") == str(ports[0])
(ok if port_ok else bad)("metrics port %s = --metrics-listen %s = prometheus.io/port" % (ports, listen))
print("ARGS", " ".join(a for a in args if not a.startswith("--metrics-listen=") and not a.startswith("--backend=")))
PY
grep -v '^ARGS' "$t/out"
args=$(sed -n 's/^ARGS //p' "$t/out")
fail=$(grep -c '^FAIL' "$t/out")
# the other arguments, as oomtrace parses them (replaying a log instead of attaching)
# shellcheck disable=SC2086
if "$OOMTRACE" $args --backend replay "$srcdir/fixtures/6.18-x86_64-memcg-v1-burst-dmesg.log" >"$t/ev" 2>"$t/err" &&
	grep -q '"record":"kill"' "$t/ev"; then
	echo "ok: daemonset: its arguments ($args) are accepted"
else
	echo "FAIL: daemonset: arguments '$args': $(head -1 "$t/err")"
	fail=$((fail + 1))
fi
[ "$fail" -eq 0 ]
