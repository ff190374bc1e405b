#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# alerts.sh: the shipped alerting rules and dashboard, offline. promtool (Debian's prometheus)
# checks deploy/oomtrace-alerts.yml and runs its unit tests (tests/alerts-test.yml), and shows
# that the README's old rule misses a new series' first kill (tests/alerts-old-rule-test.yml).
# The dashboard is a Grafana dashboard of schema 39 or later whose every panel query is PromQL
# that promtool accepts (Grafana's variables at their defaults). tests/live/alerts.sh runs both
# against a real Prometheus scraping a live tracer.
set -u
srcdir=${srcdir:-$(dirname "$0")/..}
. "$srcdir/tests/lib.sh"
command -v promtool >/dev/null || skip_all "no promtool here (Debian: prometheus)"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

out=$(promtool check rules "$srcdir/deploy/oomtrace-alerts.yml" 2>&1) &&
	ok "promtool check rules: $(echo "$out" | grep -o 'SUCCESS.*')" || bad "promtool check rules: $out"
# promtool resolves rule_files from the test file's folder: both copied beside each other
mkdir -p "$t/deploy" "$t/tests"
cp "$srcdir/deploy/oomtrace-alerts.yml" "$t/deploy/"
cp "$srcdir/tests/alerts-test.yml" "$srcdir/tests/alerts-old-rule.yml" "$srcdir/tests/alerts-old-rule-test.yml" "$t/tests/"
for f in alerts-test.yml alerts-old-rule-test.yml; do
	out=$(cd "$t/tests" && promtool test rules "$f" 2>&1) && ok "promtool test rules $f" ||
		bad "promtool test rules $f: $out"
done

# the dashboard: its shape, then each panel's query as a recording rule promtool must accept
python3 - "$srcdir/deploy/oomtrace-dashboard.json" "$t/panels.yml" <<'PY' >"$t/dash.out" 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
problems = []
if not isinstance(d.get("schemaVersion"), int) or d["schemaVersion"] < 39:
    problems.append("schemaVersion %r (want 39 or later)" % d.get("schemaVersion"))
for k in ("uid", "title", "panels", "templating", "time"):
    if k not in d:
        problems.append("no %s" % k)
names = {v["name"] for v in d.get("templating", {}).get("list", [])}
ids = [p.get("id") for p in d.get("panels", [])]
if len(set(ids)) != len(ids) or None in ids:
    problems.append("panel ids not unique: %r" % ids)
rules = []
for p in d.get("panels", []):
    g = p.get("gridPos", {})
    if not all(isinstance(g.get(k), int) for k in ("x", "y", "w", "h")) or g.get("x", 0) + g.get("w", 0) > 24:
        problems.append("panel %s: gridPos %r" % (p.get("id"), g))
    if p.get("datasource", {}).get("uid") != "${datasource}" or "datasource" not in names:
        problems.append("panel %s: not on the $datasource variable" % p.get("id"))
    if not p.get("targets"):
        problems.append("panel %s: no query" % p.get("id"))
    for q in p.get("targets", []):
        e = q.get("expr", "")
        if not q.get("refId") or not e:
            problems.append("panel %s: a target without refId or expr" % p.get("id"))
        for v in ("$namespace", "$instance"):
            if v in e and v[1:] not in names:
                problems.append("panel %s: %s is no variable" % (p.get("id"), v))
        e = e.replace("$namespace", ".*").replace("$instance", ".*").replace("$__interval", "1m")
        rules.append("      - record: oomtrace_dashboard_panel_%d_%s\n        expr: %s\n" % (p["id"], q["refId"], json.dumps(e)))
open(sys.argv[2], "w").write("groups:\n  - name: dashboard\n    rules:\n" + "".join(rules))
print("\n".join(problems) if problems else "ok %d panels, %d queries" % (len(ids), len(rules)))
sys.exit(1 if problems else 0)
PY
[ $? = 0 ] && ok "dashboard: $(cat "$t/dash.out")" || bad "dashboard: $(cat "$t/dash.out")"
out=$(promtool check rules "$t/panels.yml" 2>&1) && ok "dashboard: every panel query is PromQL promtool accepts" ||
	bad "dashboard queries: $out"

verdict alerts
