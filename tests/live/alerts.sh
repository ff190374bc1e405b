#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/alerts.sh: the shipped alerting rules and dashboard against a real Prometheus
# (Debian's, on 127.0.0.1 only) scraping a live tracer's --metrics-listen: a real memcg OOM kill
# in a pod-like cgroup never seen before must raise OOMKillInPod within 30 s, one in a systemd
# unit OOMKillInUnit; the README's old rule must not see the first kill; every dashboard panel's
# query must return data. Real memcg OOM kills; see tests/live/lib.sh for the environment.
. "$(dirname "$0")/lib.sh"

alerts_wanted() {
	[ "${OOMTRACE_ALERTS_TESTS:-1}" = 1 ] || { skip "alerts: OOMTRACE_ALERTS_TESTS=0"; return 1; }
	command -v prometheus >/dev/null || { skip "alerts: no prometheus here (Debian: prometheus)"; return 1; }
	command -v curl >/dev/null || { skip "alerts: no curl here"; return 1; }
	"$OOMTRACE" --version | grep -q "metrics endpoint: yes" ||
		{ skip "alerts: oomtrace built without the metrics endpoint (libmicrohttpd)"; return 1; }
}

# GET the Prometheus API: api PATH [curl args...]
api() { curl -s -m 5 "http://127.0.0.1:$pport/api/v1/$1" "${@:2}"; }

# wait_alert NAME LABEL VALUE: seconds until NAME{LABEL=VALUE} is pending or firing, or "none"
wait_alert() {
	local i
	for i in $(seq 30); do
		if api alerts | python3 -c '
import json, sys
a = json.load(sys.stdin)["data"]["alerts"]
sys.exit(0 if any(x["labels"].get("alertname") == sys.argv[1] and x["labels"].get(sys.argv[2]) == sys.argv[3]
                  and x["state"] in ("pending", "firing") for x in a) else 1)' "$1" "$2" "$3" 2>/dev/null; then
			echo $(($(date +%s) - kill_at))
			return 0
		fi
		sleep 1
	done
	echo none
	return 1
}

alerts() {
	local u cid leaf1 leaf2 logpod port cfg
	u=$(cat /proc/sys/kernel/random/uuid)
	cid=$(printf '%s' "$u$u" | tr -d '-' | cut -c1-64)
	leaf1=$cg/kubepods-burstable-pod${u//-/_}.slice/cri-containerd-$cid.scope
	leaf2=$cg/alerts-$$.service
	if [ "$cgv" = 2 ]; then
		echo +memory >"$cg/cgroup.subtree_control"
		mkdir "$cg/kubepods-burstable-pod${u//-/_}.slice" &&
			echo +memory >"$cg/kubepods-burstable-pod${u//-/_}.slice/cgroup.subtree_control"
	fi
	mkdir -p "$leaf1" "$leaf2"
	logpod=/var/log/pods/oomtrace-alerts_cart-$$_$u
	mkdir -p "$logpod/api"
	port=$((20000 + ($$ + 7) % 20000)) pport=$((20000 + ($$ + 8) % 20000))
	cfg=$t/prometheus.yml
	cat >"$cfg" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ["$(cd "${srcdir:-.}" && pwd)/deploy/oomtrace-alerts.yml"]
scrape_configs:
  - job_name: oomtrace
    static_configs:
      - targets: ["127.0.0.1:$port"]
EOF
	if ! start_tracer "$t/alerts.json" "$t/alerts.err" --duration 300 --context none \
		--metrics-listen "127.0.0.1:$port" ${OOMTRACE_ARGS:-}; then
		bad "alerts: oomtrace did not attach: $(tail -2 "$t/alerts.err")"
	else
		prometheus --config.file="$cfg" --storage.tsdb.path="$t/tsdb" \
			--web.listen-address="127.0.0.1:$pport" >"$t/prom.log" 2>&1 &
		prom=$!
		# ready, and the tracer scraped (the pod's series does not exist yet)
		for i in $(seq 60); do
			[ "$(api 'query?query=up%7Bjob%3D%22oomtrace%22%7D' | grep -o '"value":\[[0-9.]*,"1"\]')" ] && break
			sleep 0.5
		done
		if [ "$i" = 60 ]; then
			bad "alerts: Prometheus did not scrape the tracer in 30 s: $(tail -2 "$t/prom.log")"
		else
			kill_at=$(date +%s)
			sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$leaf1" "$HOG" 2>/dev/null
			s=$(wait_alert OOMKillInPod pod "cart-$$") &&
				ok "alerts: OOMKillInPod for a never-seen pod pending/firing ${s} s after its first kill (real Prometheus)" ||
				bad "alerts: no OOMKillInPod for cart-$$ within 30 s of the kill: $(api alerts | head -c 300)"
			# the README's old rule: its series is born at 1, increase() sees nothing
			got=$(api query --data-urlencode "query=increase(oomtrace_oom_kills_total{pod=\"cart-$$\"}[5m]) > 0" |
				python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]["result"]))')
			have=$(api query --data-urlencode "query=oomtrace_oom_kills_total{pod=\"cart-$$\"}" |
				python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]["result"]))')
			[ "$got $have" = "0 1" ] && ok "alerts: the README's old increase() rule does not see that first kill (its series is there, born at 1)" ||
				bad "alerts: old rule result / series: '$got $have' (want '0 1')"
			kill_at=$(date +%s)
			sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$leaf2" "$HOG" 2>/dev/null
			s=$(wait_alert OOMKillInUnit unit "alerts-$$.service") &&
				ok "alerts: OOMKillInUnit for alerts-$$.service pending/firing ${s} s after the kill" ||
				bad "alerts: no OOMKillInUnit within 30 s of the kill"
			# every dashboard panel's query, Grafana's variables at their defaults, returns data
			sleep 2
			python3 - "${srcdir:-.}/deploy/oomtrace-dashboard.json" "$pport" >"$t/panels" 2>&1 <<'PY'
import json, sys, urllib.parse, urllib.request
d = json.load(open(sys.argv[1]))
bad = 0
for p in d["panels"]:
    for q in p["targets"]:
        e = q["expr"].replace("$namespace", ".*").replace("$instance", ".*").replace("$__interval", "1m")
        url = "http://127.0.0.1:%s/api/v1/query?%s" % (sys.argv[2], urllib.parse.urlencode({"query": e}))
        r = json.load(urllib.request.urlopen(url, timeout=5))
        n = len(r["data"]["result"]) if r.get("status") == "success" else -1
        if n < 1:
            bad += 1
            print("panel %d %r: %s" % (p["id"], p["title"], "no data" if n == 0 else r.get("error")))
print("%d panels, %d without data" % (len(d["panels"]), bad))
sys.exit(1 if bad else 0)
PY
			[ $? = 0 ] && ok "alerts: every dashboard panel query returns data ($(tail -1 "$t/panels"))" ||
				bad "alerts: dashboard: $(tr '\n' ';' <"$t/panels")"
		fi
		kill "$prom" 2>/dev/null
		wait "$prom" 2>/dev/null
	fi
	[ -n "${tracer:-}" ] && stop_tracer >/dev/null 2>&1
	rm -rf "$logpod"
	rmdir "$leaf1" "$leaf2" "$cg/kubepods-burstable-pod${u//-/_}.slice" 2>/dev/null
	[ "$cgv" = 2 ] && echo -memory >"$cg/cgroup.subtree_control" 2>/dev/null
}

live_each "libbpf" alerts alerts_wanted
live_verdict alerts
