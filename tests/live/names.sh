#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/live/names.sh: three kills in cgroups named like a containerd pod, a CRI-O pod and a systemd service: names in the events (pod names from the node's /var/log), the journal, a metrics file and /metrics read by a real Prometheus text parser.
# Real memcg OOM kills; see tests/live/lib.sh for the environment it reads.
. "$(dirname "$0")/lib.sh"

# whether this area is wanted here at all (before anything is set up)
names_wanted() {
	[ "${OOMTRACE_NAMES_TESTS:-1}" = 1 ] || { skip "names: OOMTRACE_NAMES_TESTS=0"; return 1; }
}

names() {
	mkpod() { # uid-var cid-var
		local u
		u=$(cat /proc/sys/kernel/random/uuid)
		eval "$1=\$u"
		eval "$2=\$(printf '%s' \"\$u\$u\" | tr -d '-' | cut -c1-64)"
	}
	mkpod puid1 cid1
	mkpod puid2 cid2
	u1=$(echo "$puid1" | tr '-' '_') u2=$(echo "$puid2" | tr '-' '_')
	leaf1=$cg/kubepods-burstable-pod$u1.slice/cri-containerd-$cid1.scope
	leaf2=$cg/kubepods-pod$u2.slice/crio-$cid2.scope
	leaf3=$cg/worker-$$.service
	if [ "$cgv" = 2 ]; then
		echo +memory >"$cg/cgroup.subtree_control"
		for d in "$cg/kubepods-burstable-pod$u1.slice" "$cg/kubepods-pod$u2.slice"; do
			mkdir "$d" && echo +memory >"$d/cgroup.subtree_control"
		done
	fi
	mkdir -p "$leaf1" "$leaf2" "$leaf3"
	logpod1=/var/log/pods/oomtrace-test_cart-$$_$puid1 logpod2=/var/log/pods/oomtrace-test_db-$$_$puid2
	mkdir -p "$logpod1/api" "$logpod2/postgres" /var/log/containers
	: >"/var/log/containers/cart-$$_oomtrace-test_api-$cid1.log"
	: >"/var/log/containers/db-$$_oomtrace-test_postgres-$cid2.log"
	port=$((20000 + $$ % 20000))
	listen=
	if "$OOMTRACE" --version | grep -q "metrics endpoint: yes" && command -v curl >/dev/null; then
		listen="--metrics-listen 127.0.0.1:$port"
	fi
	# --journal into a private systemd-journald (tests/journald.sh), where one can run
	journal= jd_pid=
	if ! "$OOMTRACE" --version | grep -q "^journal: yes"; then
		jd_why="oomtrace built without libsystemd"
	elif [ ! -f "${srcdir:-.}/tests/journald.sh" ]; then
		jd_why="no tests/journald.sh here"
	elif . "${srcdir:-.}/tests/journald.sh" && jd_start "$t/jd"; then
		journal=--journal
		LAUNCH=(nsenter -t "$jd_pid" -m --wd="$PWD" --)
	fi
	if start_tracer "$t/names.json" "$t/names.err" --duration 600 --context none \
		--metrics-file "$t/oomtrace.prom" $listen $journal ${OOMTRACE_ARGS:-}; then
		for l in "$leaf1" "$leaf2" "$leaf3"; do
			sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$l" "$HOG" 2>/dev/null
			sleep 0.3
		done
		sleep 1
		curl_rc=none
		if [ -n "$listen" ]; then
			curl -s -m 5 "http://127.0.0.1:$port/metrics" >"$t/scrape.prom"
			curl_rc=$?
		fi
		stop_tracer
		LAUNCH=()
		if [ -z "$journal" ]; then
			echo "SKIP: journal: $jd_why"
			skipped=$((skipped + 1))
		else
			# found by field match, as an SRE would: journalctl OOMTRACE_POD=... etc.
			jq() { jd_run journalctl -D /run/log/journal --no-pager -o cat MESSAGE_ID=4c8b90766c1a41f9b39c327ded64a202 "$@" | grep -c "OOM kill of PID"; }
			got="$(jq OOMTRACE_VICTIM_COMM="$comm") $(jq OOMTRACE_NAMESPACE=oomtrace-test) $(jq OOMTRACE_POD="cart-$$" OOMTRACE_CONTAINER=api OOMTRACE_QOS=burstable) $(jq OOMTRACE_POD="db-$$" OOMTRACE_CONTAINER_RUNTIME=cri-o) $(jq OOMTRACE_UNIT="worker-$$.service" OOMTRACE_CONSTRAINT=memcg)"
			got="$got $(jd_run journalctl -D /run/log/journal --no-pager -o cat -u "worker-$$.service" | grep -c "OOM kill of PID")"
			[ "$got" = "3 2 1 1 1 1" ] && ok "journal: the 3 kills in a private journald, found by OOMTRACE_POD/NAMESPACE/CONTAINER/UNIT field match and journalctl -u" ||
				bad "journal: field matches found '$got' (want '3 2 1 1 1 1')"
			jd_stop
		fi
		ev() { "$JFIELD" "$t/names.json" -k "$1" "${@:2}" | tr '\n' ' '; }
		got=$(grep "\"pod_uid\":\"$puid1\"" "$t/names.json" >"$t/n1.json"; "$JFIELD" "$t/n1.json" k8s.namespace k8s.pod k8s.container k8s.qos container.id container.runtime unit | tr '\n' ' ')
		want="oomtrace-test cart-$$ api burstable $cid1 containerd cri-containerd-$cid1.scope "
		[ "$got" = "$want" ] && ok "names: containerd pod: names from /var/log at event time, qos, id, runtime from the path" || bad "names: containerd pod: got '$got', want '$want'"
		got=$(grep "\"pod_uid\":\"$puid2\"" "$t/names.json" >"$t/n2.json"; "$JFIELD" "$t/n2.json" k8s.namespace k8s.pod k8s.container k8s.qos container.runtime | tr '\n' ' ')
		want="oomtrace-test db-$$ postgres guaranteed cri-o "
		[ "$got" = "$want" ] && ok "names: CRI-O Guaranteed pod (no QoS segment)" || bad "names: CRI-O pod: got '$got', want '$want'"
		got=$(grep "\"unit\":\"worker-$$.service\"" "$t/names.json" >"$t/n3.json"; "$JFIELD" "$t/n3.json" unit k8s container | tr '\n' ' ')
		[ "$got" = "worker-$$.service null null " ] && ok "names: systemd service" || bad "names: service: got '$got'"
		if ! /usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null; then
			echo "SKIP: metrics: no Prometheus text parser here (python3-prometheus-client)"
			skipped=$((skipped + 1))
		else
			files=$t/oomtrace.prom
			if [ "$curl_rc" = none ]; then
				echo "SKIP: metrics: no /metrics endpoint built here, or no curl"
				skipped=$((skipped + 1))
			else
				[ "$curl_rc" = 0 ] && ok "metrics: /metrics answered on 127.0.0.1:$port" || bad "metrics: curl exit $curl_rc"
				files="$files $t/scrape.prom"
			fi
			for f in $files; do
				/usr/bin/python3 - "$f" "$$" >"$t/parsed" 2>&1 <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
kills = {}
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in fam.samples:
        if s.name == "oomtrace_oom_kills_total":
            l = s.labels
            kills[(l["namespace"], l["pod"], l["container"], l["unit"])] = s.value
me = sys.argv[2]
print(int(sum(kills.get(k, 0) for k in kills if k[1].endswith("-" + me) or k[3] == "worker-%s.service" % me)),
      int(kills.get(("oomtrace-test", "cart-" + me, "api", ""), 0)), int(kills.get(("oomtrace-test", "db-" + me, "postgres", ""), 0)),
      int(kills.get(("", "", "", "worker-%s.service" % me), 0)))
PY
				got=$(cat "$t/parsed")
				[ "$got" = "3 1 1 1" ] && ok "metrics: $(basename "$f"): parsed, oomtrace_oom_kills_total = 3 split by pod/container/unit" ||
					bad "metrics: $(basename "$f"): got '$got' (want '3 1 1 1')"
			done
		fi
		sleep 6
	else
		bad "names: oomtrace did not attach: $(tail -2 "$t/names.err")"
		LAUNCH=()
		[ -n "$jd_pid" ] && jd_stop
	fi
	rm -rf "$logpod1" "$logpod2" "/var/log/containers/cart-$$_oomtrace-test_api-$cid1.log" \
		"/var/log/containers/db-$$_oomtrace-test_postgres-$cid2.log"
	rmdir "$leaf1" "$leaf2" "$leaf3" "$cg/kubepods-burstable-pod$u1.slice" "$cg/kubepods-pod$u2.slice" 2>/dev/null
	[ "$cgv" = 2 ] && echo -memory >"$cg/cgroup.subtree_control" 2>/dev/null
}

live_each "libbpf" names names_wanted
live_verdict names
