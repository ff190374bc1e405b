#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/journal.sh: --journal against a real systemd-journald (a private one, tests/journald.sh).
# Replayed kills go in as entries found by MESSAGE_ID and by OOMTRACE_* field match, and every
# fact of each event's JSON object is a field with the same value (the flattening rule of
# docs/schema.md, written again here in Python as the oracle); a lost-events entry; refusals.
srcdir=${srcdir:-.}
OOMTRACE=${OOMTRACE:-./oomtrace}
. "$srcdir/tests/journald.sh"
t=$(mktemp -d)
. "$srcdir/tests/lib.sh"
trap 'jd_stop; rm -rf "$t"' EXIT

"$OOMTRACE" --version | grep -q "^journal: yes" || skip_all "oomtrace built without libsystemd (journal: no)"
command -v python3 >/dev/null || skip_all "no python3 for the field comparison"
jd_start "$t/jd" || skip_all "$jd_why"
KILL_ID=$(sed -n 's/.*OOMTRACE_JOURNAL_ID_KILL "\(.*\)"/\1/p' "$srcdir/outputs/journal.h")
LOST_ID=$(sed -n 's/.*OOMTRACE_JOURNAL_ID_LOST "\(.*\)"/\1/p' "$srcdir/outputs/journal.h")
START_ID=$(sed -n 's/.*OOMTRACE_JOURNAL_ID_START "\(.*\)"/\1/p' "$srcdir/outputs/journal.h")
jctl() { jd_run journalctl -D /run/log/journal --no-pager "$@"; }

# several kernels' wordings: a 6.18 burst with context and task tables, a Kubernetes pod on
# 3.10 (pod uid, qos, container id from the path), interleaved reports, a summary-only paste
logs="6.18-x86_64-memcg-v1-burst-dmesg.log 3.10-x86_64-rhel7-memcg-constructed.log
5.10-x86_64-interleaved-2cpu-caller-constructed.log 5.15-x86_64-summary-only-constructed.log"
# and two kills in a Kubernetes pod (systemd driver, cgroup v2, containerd), as 6.x prints them
pod_uid=6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f cid=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
slice=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${pod_uid//-/_}.slice
for i in 1 2; do
	echo "[900$i.000000] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-$cid.scope,mems_allowed=0,oom_memcg=$slice/cri-containerd-$cid.scope,task_memcg=$slice/cri-containerd-$cid.scope,task=java,pid=424$i,uid=1000"
	echo "[900$i.000100] Memory cgroup out of memory: Killed process 424$i (java) total-vm:2097152kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:2048kB oom_score_adj:936"
done >"$t/pod.log"
# and one in a systemd service: journalctl -u shows it with the service's own lines
echo "[9003.000000] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/batch\\x2dworker.service,task_memcg=/system.slice/batch\\x2dworker.service,task=python3,pid=4243,uid=0" >>"$t/pod.log"
echo "[9003.000100] Memory cgroup out of memory: Killed process 4243 (python3) total-vm:1048576kB, anon-rss:524288kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1024kB oom_score_adj:0" >>"$t/pod.log"
: >"$t/all.json"
for f in $logs "$t/pod.log"; do
	case $f in /*) ;; *) f=$srcdir/fixtures/$f ;; esac
	if jd_run "$OOMTRACE" --journal --format json "$f" >>"$t/all.json" 2>"$t/err"; then
		:
	else
		bad "$f: oomtrace --journal exit $?: $(head -1 "$t/err")"
	fi
done
n=$(grep -c '"record":"kill"' "$t/all.json")
jctl -o json MESSAGE_ID="$KILL_ID" >"$t/journal.json"
got=$(grep -c . "$t/journal.json")
[ "$n" -gt 10 ] && [ "$got" = "$n" ] && ok "journal: $n kill entries by MESSAGE_ID, one per event written" ||
	bad "journal: $got entries by MESSAGE_ID for $n events"
got=$(jctl -o cat MESSAGE_ID="$START_ID" | grep -c "started: replay/log")
[ "$got" = 5 ] && ok "journal: a started entry per run" || bad "journal: $got started entries (want 5)"

# every fact a field, equal in value; MESSAGE the classic line; PRIORITY 3 for kills
python3 - "$t/all.json" "$t/journal.json" >"$t/cmp" 2>&1 <<'PY'
import json, re, sys
def name(prefix, key):
    n = prefix + ("" if prefix.endswith("_") else "_") + re.sub(r"[^A-Za-z0-9]", "_", key).upper()
    return n[:64]
def flat(o, prefix, top, out):
    for k, v in o.items():
        if v is None or (top and k == "seq"):
            continue
        if isinstance(v, dict):
            flat(v, name(prefix, "" if top and k == "k8s" else k), False, out)
        elif isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v):
            out[name(prefix, k)] = ("list", [x for x in v])
        else:
            out[name(prefix, k)] = ("json", v)
events = [json.loads(l) for l in open(sys.argv[1]) if '"record":"kill"' in l]
entries = [json.loads(l) for l in open(sys.argv[2])]
def key(e):
    return (e.get("OOMTRACE_VICTIM_PID"), e.get("OOMTRACE_INVOCATION"), e.get("OOMTRACE_UPTIME_S"))
bad = 0
fields = 0
used = set()
for ev in events:
    want = {}
    flat(ev, "OOMTRACE", True, want)
    match = [i for i, e in enumerate(entries) if i not in used and all(
        e.get(k) == (v[1] if isinstance(v[1], str) else json.dumps(v[1], separators=(",", ":")))
        for k, v in want.items() if v[0] == "json" and not isinstance(v[1], (list, dict, float)))]
    if not match:
        print("no entry for event", ev.get("victim", {}).get("pid"), ev.get("invocation")); bad += 1; continue
    i = match[0]; used.add(i); e = entries[i]
    for k, (kind, v) in want.items():
        fields += 1
        got = e.get(k)
        if got is None:
            print("missing field", k); bad += 1
        elif kind == "list":
            if got != " ".join(str(x).lower() if isinstance(x, bool) else str(x) for x in v):
                print("list differs", k, got, v); bad += 1
        elif isinstance(v, str):
            if got != v: print("differs", k, repr(got), repr(v)); bad += 1
        elif json.loads(got) != v:
            print("differs", k, got, v); bad += 1
    extra = [k for k in e if k.startswith("OOMTRACE_") and k not in want]
    if e.get("OBJECT_SYSTEMD_UNIT") != ev.get("unit"):
        print("OBJECT_SYSTEMD_UNIT", e.get("OBJECT_SYSTEMD_UNIT"), ev.get("unit")); bad += 1
    if extra:
        print("extra fields", extra); bad += 1
    if e.get("PRIORITY") != ("3" if ev.get("outcome") == "killed" else e.get("PRIORITY")):
        print("priority", e.get("PRIORITY")); bad += 1
    if "OOM kill of PID %s" % ev["victim"]["pid"] not in e.get("MESSAGE", "") and ev["victim"]["pid"] is not None:
        print("message", e.get("MESSAGE")); bad += 1
print("ok" if not bad else "bad", len(events), fields)
PY
read -r st nev nfields <<<"$(tail -1 "$t/cmp")"
[ "$st" = ok ] && ok "journal: all $nfields facts of $nev events are fields with the JSON values" ||
	bad "journal: fields differ from the events: $(head -5 "$t/cmp" | tr '\n' ';')"

# field match, as an SRE would search
got=$(jctl -o cat OOMTRACE_POD_UID="$pod_uid" OOMTRACE_QOS=burstable OOMTRACE_CONTAINER_RUNTIME=containerd \
	OOMTRACE_CONTAINER_ID="$cid" | grep -c "OOM kill of PID 424[12]")
[ "$got" = 2 ] && ok "journal: journalctl OOMTRACE_POD_UID= OOMTRACE_QOS= OOMTRACE_CONTAINER_ID= finds the pod's 2 kills" ||
	bad "journal: pod field match found $got (want 2)"
got=$(jctl -o cat OOMTRACE_VICTIM_COMM="my hog" OOMTRACE_CONSTRAINT=memcg | grep -c 'OOM kill of PID 2309 ("my hog")')
[ "$got" = 1 ] && ok "journal: OOMTRACE_VICTIM_COMM + OOMTRACE_CONSTRAINT match (a comm with a space)" ||
	bad "journal: comm match found $got"

# the cgroup directory batch\x2dworker.service is the unit of that very name (systemd keeps the
# escape in unit names): journalctl -u wants it so, and the decoded name is another unit
got=$(jctl -o cat -u 'batch\x2dworker.service' | grep -c 'OOM kill of PID 4243 ("python3")')
got="$got $(jctl -o cat -u batch-worker.service | grep -c 'OOM kill of PID 4243 ("python3")')"
[ "$got" = "1 0" ] && ok "journal: journalctl -u 'batch\\x2dworker.service' shows its kill (OBJECT_SYSTEMD_UNIT), the decoded name none" ||
	bad "journal: journalctl -u found '$got' (want '1 0')"

# node-problem-detector (deploy/node-problem-detector/oomtrace-monitor.json): its journald watcher
# reads SYSLOG_IDENTIFIER=oomtrace's MESSAGEs in order, pushes each into a buffer of bufferSize
# lines and matches each rule's pattern + \z against the buffer joined by newlines
# (pkg/systemlogmonitor/log_buffer.go); one OOMKilling event per real kill, naming where it was
jctl -o json SYSLOG_IDENTIFIER=oomtrace >"$t/npd.json"
python3 - "$srcdir/deploy/node-problem-detector/oomtrace-monitor.json" "$t/npd.json" "$t/all.json" >"$t/npd" 2>&1 <<'PY'
import json, re, sys
cfg = json.load(open(sys.argv[1]))
assert cfg["plugin"] == "journald" and cfg["pluginConfig"]["source"] == "oomtrace", cfg
rules = [(r["reason"], re.compile(r["pattern"].replace("\\z", "\\Z") + "\\Z")) for r in cfg["rules"]]
buf, events = [], []
for l in open(sys.argv[2]):
    buf = (buf + [json.loads(l)["MESSAGE"].strip()])[-cfg["bufferSize"]:]
    for reason, rx in rules:
        if rx.search("\n".join(buf)):
            events.append((reason, buf[-1]))
kills = [json.loads(l) for l in open(sys.argv[3])]
kills = [e for e in kills if e.get("record") == "kill" and e.get("outcome") == "killed"]
pod = [m for _, m in events if "; pod uid 6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f, container 0123456789ab" in m]
unit = [m for _, m in events if m.endswith("; unit batch\\x2dworker.service")]
[print("event:", m) for m in (pod[:1] + unit[:1])]
print(len(events), len(kills), len(pod), len(unit), sorted({r for r, _ in events}))
PY
sed -n 's/^event: /  node-problem-detector event: /p' "$t/npd"
got=$(tail -1 "$t/npd")
n=$(grep -c '"record":"kill".*"outcome":"killed"' "$t/all.json")
[ "$got" = "$n $n 2 1 ['OOMKilling']" ] &&
	ok "journal: node-problem-detector's rule makes one OOMKilling event per kill ($n), naming the pod (2) and the unit (1)" ||
	bad "journal: node-problem-detector events/kills/pod/unit: '$got' (want '$n $n 2 1 [OOMKilling]')"

# events lost in transport: an entry of their own
printf '{"lost":3}\n' >"$t/lost.jsonl"
head -1 "$t/all.json" >>"$t/lost.jsonl"
jd_run "$OOMTRACE" --journal --events "$t/lost.jsonl" >/dev/null 2>&1
got=$(jctl -o json MESSAGE_ID="$LOST_ID" | python3 -c 'import json,sys; e=[json.loads(l) for l in sys.stdin]; print(len(e), e[0]["OOMTRACE_LOST"], e[0]["PRIORITY"]) if e else print(0)')
[ "$got" = "1 3 4" ] && ok "journal: 3 lost events: one entry, OOMTRACE_LOST=3, PRIORITY 4" || bad "journal: lost entry: '$got'"
jd_stop

# no journal to send to: one line, exit 5, nothing written
unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /run/systemd/journal && exec "$@"' sh \
	"$OOMTRACE" --journal "$srcdir/fixtures/6.18-x86_64-memcg-v1-burst-dmesg.log" >"$t/out" 2>"$t/err"
rc=$?
[ $rc = 5 ] && [ "$(grep -c . "$t/err")" = 1 ] && grep -q -- "--journal:" "$t/err" && [ ! -s "$t/out" ] &&
	ok "journal: no journald: exit 5, one line ($(cat "$t/err"))" || bad "journal: no journald: exit $rc, $(cat "$t/err")"

verdict journal
