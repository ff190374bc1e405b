// SPDX-License-Identifier: GPL-2.0-or-later
// check.mjs EVENTS.json EVENTS.otlp: oomtrace's --format otlp-json against the OpenTelemetry
// project's own packages. Each OTLP line is turned back into the log record the OpenTelemetry SDK
// would hold (resource, scope, times, severity, body, event name, attributes); the project's
// JsonLogsSerializer must write the same request, and its ProtobufLogsSerializer must encode it.
// Then every fact of the matching --format json event must be there: under its
// semantic-conventions name (the constants of @opentelemetry/semantic-conventions) where it has
// one, else as oomtrace.<path>, with the same value. Prints "N records" or the first problems.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(process.env.OTEL_NODE_MODULES + "/");
const { JsonLogsSerializer, ProtobufLogsSerializer } = require("@opentelemetry/otlp-transformer");
const stable = require("@opentelemetry/semantic-conventions");
const semconv = require("@opentelemetry/semantic-conventions/incubating");

const RESOURCE = {
  host: semconv.ATTR_HOST_NAME,
  "k8s.namespace": semconv.ATTR_K8S_NAMESPACE_NAME,
  "k8s.pod": semconv.ATTR_K8S_POD_NAME,
  "k8s.pod_uid": semconv.ATTR_K8S_POD_UID,
  "k8s.container": semconv.ATTR_K8S_CONTAINER_NAME,
  "container.id": semconv.ATTR_CONTAINER_ID,
  "container.runtime": semconv.ATTR_CONTAINER_RUNTIME_NAME,
};
const RECORD = {
  "victim.pid": semconv.ATTR_PROCESS_PID,
  "victim.comm": semconv.ATTR_PROCESS_EXECUTABLE_NAME,
  "victim.uid": semconv.ATTR_PROCESS_REAL_USER_ID,
};
const NOT_ATTRIBUTES = new Set(["schema", "seq", "record", "time"]);

const problems = [];
const fail = (m) => problems.length < 8 && problems.push(m);

// AnyValue -> the plain value the SDK holds
function plain(v) {
  if ("stringValue" in v) return v.stringValue;
  if ("boolValue" in v) return v.boolValue;
  if ("intValue" in v) return Number(v.intValue);
  if ("doubleValue" in v) return Number(v.doubleValue);
  if ("arrayValue" in v) return (v.arrayValue.values || []).map(plain);
  if ("kvlistValue" in v) return Object.fromEntries((v.kvlistValue.values || []).map((kv) => [kv.key, plain(kv.value)]));
  fail("an AnyValue of no known kind: " + JSON.stringify(v));
  return undefined;
}
const attrs = (list) => Object.fromEntries((list || []).map((a) => [a.key, plain(a.value)]));
const hrTime = (ns) => (ns === undefined ? [0, 0] : [Number(BigInt(ns) / 1000000000n), Number(BigInt(ns) % 1000000000n)]);

// the same request from the OpenTelemetry serializer, for the record as the SDK would hold it
function reserialize(req) {
  const rl = req.resourceLogs[0], sl = rl.scopeLogs[0], r = sl.logRecords[0];
  const rec = {
    resource: { attributes: attrs(rl.resource.attributes) },
    instrumentationScope: { name: sl.scope.name, version: sl.scope.version },
    hrTime: hrTime(r.timeUnixNano),
    hrTimeObserved: hrTime(r.observedTimeUnixNano),
    severityNumber: r.severityNumber,
    severityText: r.severityText,
    body: r.body.stringValue,
    eventName: r.eventName,
    attributes: attrs(r.attributes),
    droppedAttributesCount: 0,
  };
  if (!ProtobufLogsSerializer.serializeRequest([rec])?.length) fail("the protobuf serializer wrote nothing");
  return JSON.parse(new TextDecoder().decode(JsonLogsSerializer.serializeRequest([rec])));
}

// what both sides mean the same by: no droppedAttributesCount 0, no time 0, numbers as numbers
function norm(x, key) {
  if (Array.isArray(x)) return x.map((v) => norm(v));
  if (x && typeof x === "object") {
    const o = {};
    for (const k of Object.keys(x).sort()) {
      if (x[k] === undefined || (k === "droppedAttributesCount" && x[k] === 0)) continue;
      if (k === "timeUnixNano" && x[k] === "0") continue;
      o[k] = norm(x[k], k);
    }
    return o;
  }
  return key === "intValue" ? Number(x) : x;
}

// the facts of a JSON event, flattened as the mapping says: path -> value
function facts(o, prefix, out) {
  for (const [k, v] of Object.entries(o)) {
    if (v === null || (!prefix && NOT_ATTRIBUTES.has(k))) continue;
    const p = prefix ? prefix + "." + k : k;
    if (typeof v === "object" && !Array.isArray(v)) facts(v, p, out);
    else out[p] = v;
  }
  return out;
}
const dropNulls = (v) =>
  Array.isArray(v) ? v.map(dropNulls) : v && typeof v === "object"
    ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, dropNulls(x)])) : v;
const same = (a, b) => JSON.stringify(dropNulls(a)) === JSON.stringify(dropNulls(b));

function nanosOf(iso) { // "2026-11-27T03:56:23.705295+00:00" -> BigInt nanoseconds
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(iso);
  return BigInt(Date.parse(m[1] + m[3])) * 1000000n + BigInt(((m[2] || "") + "000000000").slice(0, 9));
}

const events = readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const lines = readFileSync(process.argv[3], "utf8").split("\n").filter(Boolean);
if (lines.length !== events.length) fail(`${lines.length} OTLP lines for ${events.length} events`);
lines.forEach((line, i) => {
  const ours = JSON.parse(line), ev = events[i];
  if (JSON.stringify(norm(reserialize(ours))) !== JSON.stringify(norm(ours)))
    fail(`record ${i + 1}: the OpenTelemetry serializer writes it otherwise:\n  ours   ${JSON.stringify(norm(ours)).slice(0, 400)}\n  theirs ${JSON.stringify(norm(reserialize(ours))).slice(0, 400)}`);
  const rl = ours.resourceLogs[0], r = rl.scopeLogs[0].logRecords[0];
  const res = attrs(rl.resource.attributes), rec = attrs(r.attributes);
  if (res[stable.ATTR_SERVICE_NAME] !== "oomtrace") fail(`record ${i + 1}: service.name ${res[stable.ATTR_SERVICE_NAME]}`);
  if ("lost" in ev) {
    if (rec["oomtrace.lost"] !== ev.lost || r.eventName !== "oomtrace.events.lost") fail(`record ${i + 1}: lost ${JSON.stringify(r)}`);
    return;
  }
  if (r.eventName !== "oomtrace.oom." + ev.record) fail(`record ${i + 1}: eventName ${r.eventName}`);
  if (ev.time && BigInt(r.timeUnixNano ?? 0) !== nanosOf(ev.time)) fail(`record ${i + 1}: timeUnixNano ${r.timeUnixNano} for ${ev.time}`);
  const want = facts(ev, "", {});
  let n = 0;
  for (const [path, v] of Object.entries(want)) {
    const name = RESOURCE[path] || RECORD[path] || "oomtrace." + path;
    const got = RESOURCE[path] ? res[name] : rec[name];
    if (!same(got, v)) fail(`record ${i + 1}: ${name} (${path}) is ${JSON.stringify(got)}, the event says ${JSON.stringify(v)}`);
    n++;
  }
  const extra = Object.keys(rec).length + Object.keys(res).length - 2 - n; // service.name, .version
  if (extra !== 0) fail(`record ${i + 1}: ${extra} attributes more than the event's ${n} facts`);
});
if (problems.length) {
  console.log(problems.join("\n"));
  process.exit(1);
}
console.log(`${lines.length} records`);
