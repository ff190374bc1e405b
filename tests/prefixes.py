#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""prefixes.py: every fixture made unseen again.

Each fixture's lines are re-emitted under generated prefixes and replayed; the kill facts must
be those of the original. Two families:
  wrap:    a head of no known format before each original line (indentation, table cells,
           TAP and test-runner output, collectors' and CRI prefixes, line numbers, random
           fixed text), the line's own prefix kept after it: every fact must stay.
  restyle: the dmesg fixtures' lines in each other style dmesg prints (util-linux dmesg.c,
           print_record: iso, ctime, reltime, delta, time+delta, notime, -x decode) and in
           prefixes of no known format with a time of their own: every fact but the times
           (which the new prefix carries, or not) must stay.
  carry:   the whole text as a transport carries it: quoted-printable by Python's quopri and
           by its email package (what mail clients send: "=3D", soft breaks at 76 columns),
           hand-wrapped with a trailing backslash (at a blank, inside a word, under mail
           quoting), dmesg's colouring (with its ESC bytes, and without them as a web page
           shows it), and a web page's no-break spaces: every fact must stay.
Usage: prefixes.py OOMTRACE FIXTURES_DIR [--seed N]
"""
import json
import os
import quopri
from email import charset as email_charset
import random
import re
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone

OOMTRACE, FIX = sys.argv[1], sys.argv[2]
SEED = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
rng = random.Random(SEED)

# facts that come from the prefix, not from the kernel's message
TIME_KEYS = {"time", "uptime_s", "host", "reap_latency_us"}
DMESG = re.compile(r"^\[ *(\d+)\.(\d{6})\] (.*)$")
HOSTTAG = re.compile(r"^\S+ kernel: ")
TIMED_HEADS = {"kibana", "cri", "pipe-time"}
BOOT = datetime(2025, 3, 2, 10, 11, 12, tzinfo=timezone.utc)
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def replay(path):
    out = subprocess.run([OOMTRACE, "--backend", "replay", "--year", "2026", "--format", "json",
                          path], capture_output=True, env=dict(os.environ, TZ="UTC"))
    if out.returncode != 0:
        return None, out.stderr.decode(errors="replace").strip()
    return [json.loads(l) for l in out.stdout.decode().splitlines() if l.strip()], None


def strip(ev, keys):
    if isinstance(ev, dict):
        return {k: strip(v, keys) for k, v in ev.items() if k not in keys}
    if isinstance(ev, list):
        return [strip(v, keys) for v in ev]
    return ev


def rand_word(n):
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def wrap_heads():
    """(name, function of line number -> head); each is a prefix of no known format."""
    host = rand_word(6)
    fixed = "%s-%s %s " % (rand_word(4), rand_word(3), rng.choice(["::", "->", "=>", "~"]))

    def kibana(i):
        t = BOOT + timedelta(milliseconds=37 * i)
        return "  | %s %d, %d @ %s | kernel | " % (MONTHS[t.month - 1], t.day, t.year,
                                                   t.strftime("%H:%M:%S.%f")[:-3])

    def cri(i):
        t = BOOT + timedelta(microseconds=1234 * i)
        return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z stdout F "

    return [
        ("indent2", lambda i: "  "),
        ("indent4", lambda i: "    "),
        ("tab", lambda i: "\t"),
        ("cell", lambda i: "| "),
        ("cell-indented", lambda i: "  |  "),
        ("kibana", kibana),
        ("tap", lambda i: "# "),
        ("tap-indented", lambda i: "    # "),
        ("markdown-list", lambda i: "* "),
        ("bracket-host", lambda i: "[%s] " % host),
        ("compose", lambda i: "%s-1  | " % host),
        ("cri", cri),
        ("cat-n", lambda i: "%6d\t" % (i + 1)),
        ("line-no", lambda i: "line %d: " % (i + 1)),
        ("log-level", lambda i: "[INFO] "),
        ("console", lambda i: "console: "),
        ("serial", lambda i: "ttyS0> "),
        ("random-fixed", lambda i: fixed),
        ("hash-lineno", lambda i: "%s:%d: " % (host, i + 1)),
        ("ansible", lambda i: "%s | CHANGED | rc=0 >> " % host),
        ("quoted-indent", lambda i: "   "),
        ("pipe-time", lambda i: "%02d:%02d:%02d | " % (10, 11 + i // 60 % 48, i % 60)),
    ]


def restyles():
    """(name, function of (seconds, usec, previous seconds) -> prefix) for a dmesg line."""
    def iso(s, u, p):
        t = BOOT + timedelta(seconds=s, microseconds=u)
        return t.strftime("%Y-%m-%dT%H:%M:%S") + ",%06d+00:00 " % u

    def ctime(s, u, p):
        t = BOOT + timedelta(seconds=s, microseconds=u)
        return "[%s %s %2d %s %d] " % (t.strftime("%a"), MONTHS[t.month - 1], t.day,
                                        t.strftime("%H:%M:%S"), t.year)

    def reltime(s, u, p):
        t = BOOT + timedelta(seconds=s, microseconds=u)
        if p is None or int(p) // 60 != int(s) // 60:
            return "[%s%2d %s] " % (MONTHS[t.month - 1], t.day, t.strftime("%H:%M"))
        d = s + u / 1e6 - p
        return ("[  %+8.06f] " % d) if d < 10 else ("[ %+9.06f] " % d)

    def delta(s, u, p):
        return "[<%12.06f>] " % (0 if p is None else s + u / 1e6 - p)

    def time_delta(s, u, p):
        return "[%5d.%06d <%12.06f>] " % (s, u, 0 if p is None else s + u / 1e6 - p)

    def kibana(s, u, p):
        t = BOOT + timedelta(seconds=s, microseconds=u)
        return "  | %s %d, %d @ %s | kernel | " % (MONTHS[t.month - 1], t.day, t.year,
                                                   t.strftime("%H:%M:%S.%f")[:-3])

    def syslog_nohost(s, u, p):
        t = BOOT + timedelta(seconds=s, microseconds=u)
        return "%s %2d %s kernel: " % (MONTHS[t.month - 1], t.day, t.strftime("%H:%M:%S"))

    return [
        ("dmesg-iso", iso),
        ("dmesg-ctime", ctime),
        ("dmesg-reltime", reltime),
        ("dmesg-delta", delta),
        ("dmesg-time-delta", time_delta),
        ("dmesg-notime", lambda s, u, p: ""),
        ("dmesg-x", lambda s, u, p: "kern  :warn  : [%5d.%06d] " % (s, u)),
        ("dmesg-x-notime", lambda s, u, p: "kern  :err   : "),
        ("dmesg-x-iso", lambda s, u, p: "kern  :info  : " + iso(s, u, p)),
        ("syslog-nohost", syslog_nohost),
        ("kibana-uptime", lambda s, u, p: kibana(s, u, p) + "[%d.%06d] " % (s, u)),
        ("indented-dmesg", lambda s, u, p: "  [%5d.%06d] " % (s, u)),
    ]


def text_fixtures():
    for name in sorted(os.listdir(FIX)):
        if not name.endswith(".log"):
            continue
        if name.startswith("userspace-"):
            # a program's line is told by its syslog tag: not found through a prefix of no
            # known format, nor rejoined after a re-wrap (docs/schema.md, killer)
            continue
        path = os.path.join(FIX, name)
        with open(path, "rb") as f:
            raw = f.read()
        first = raw.split(b"\n", 1)[0]
        if first.startswith(b"{") or first.startswith(b"__CURSOR=") or b"\x1e" in raw or \
                (first.endswith(b"]") and b" [s=" in first):
            continue  # journalctl -o json / export / verbose: records, not prefixed lines
        yield name[:-4], path, raw.decode("utf-8", errors="surrogateescape").split("\n")


def bslash(lines, width, at_blank, quote=""):
    """Lines longer than @width hand-wrapped with a trailing backslash, the rest indented."""
    out = []
    for l in lines:
        own = re.match(r"^(?:> ?)*", l).group(0)  # a quoted line's continuation is quoted too
        while len(l) > width:
            cut = l.rfind(" ", width // 2, width) if at_blank else -1
            if cut > 0:  # at a blank: "text \\", the rest indented
                out.append(quote + l[:cut] + " \\")
                l = own + "    " + l[cut:].lstrip(" ")
            else:  # inside a word: "tex\\", "t" going on at the start of the next line
                out.append(quote + l[:width] + "\\")
                l = own + l[width:]
        out.append(quote + l)
    return out


def carriers(raw, lines):
    """(name, the text's bytes as carried)."""
    out = [("qp-quopri", quopri.encodestring(raw))]
    try:
        text = raw.decode("utf-8")
        cs = email_charset.Charset("utf-8")
        cs.body_encoding = email_charset.QP
        out.append(("qp-email", cs.body_encode(text).encode()))
    except UnicodeDecodeError:
        pass  # the email encoder takes text; quopri took the bytes as they are
    enc = lambda ls: "\n".join(ls).encode("utf-8", errors="surrogateescape")
    if any(DMESG.match(l) for l in lines):
        # dmesg --color=always (util-linux dmesg.c: the time green, a "subsystem:" head yellow,
        # the rest by level), and the same as a web page shows it, its ESC bytes dropped
        def color(l, esc):
            m = DMESG.match(l)
            if not m:
                return l
            head = re.match(r"^([^ :]+(?: [^ :]+)*: )(.*)$", m.group(3))
            body = (esc + "[33m" + head.group(1) + esc + "[0m" + esc + "[1m" + head.group(2)) if head \
                else esc + "[1m" + m.group(3)
            return "%s[32m[%5s.%s] %s[0m%s%s[0m" % (esc, m.group(1), m.group(2), esc, body, esc)
        out.append(("dmesg-color", enc([color(l, "\x1b") for l in lines])))
        out.append(("color-debris", enc([color(l, "") for l in lines])))
    # copied from a web page: runs of blanks as no-break spaces (&nbsp;), or every blank one
    out.append(("nbsp-runs", raw.replace(b"  ", b" \xc2\xa0")))
    out.append(("nbsp-every", raw.replace(b" ", b"\xc2\xa0")))
    out.append(("backslash-blank", enc(bslash(lines, 72, True))))
    out.append(("backslash-word", enc(bslash(lines, 64, False))))
    out.append(("backslash-quoted", enc(bslash(lines, 70, True, "> "))))
    return out


def main():
    tmp = tempfile.mkdtemp()
    cases = fails = 0
    for name, path, lines in text_fixtures():
        want, err = replay(path)
        if err or not want:
            print("FAIL: %s: the original replays to %s" % (name, err or "no event"))
            fails += 1
            continue
        variants = []
        for hname, head in wrap_heads():
            out = [(head(i) + l) if l else l for i, l in enumerate(lines)]
            # a head with a time of its own gives one to lines that had none
            variants.append((hname, out, {"time"} if hname in TIMED_HEADS else set()))
        m = [DMESG.match(l) for l in lines]
        # journalctl -o short-monotonic ("[ 12.3] host kernel: msg") is not dmesg's
        if all(x or not l for x, l in zip(m, lines)) and not any(
                x and HOSTTAG.match(x.group(3)) for x in m):
            for rname, style in restyles():
                out, prev = [], None
                for x, l in zip(m, lines):
                    if not x:
                        out.append(l)
                        continue
                    s, u = int(x.group(1)), int(x.group(2))
                    out.append(style(s, u, prev) + x.group(3))
                    prev = s + u / 1e6
                variants.append((rname, out, TIME_KEYS))
        with open(path, "rb") as f:
            raw = f.read()
        for cname, data in carriers(raw, lines):
            variants.append((cname, data, set()))
        for vname, out, keys in variants:
            cases += 1
            vp = os.path.join(tmp, "v.log")
            if isinstance(out, bytes):
                with open(vp, "wb") as f:
                    f.write(out)
                out = out.decode("utf-8", errors="replace").split("\n")
            else:
                with open(vp, "w", encoding="utf-8", errors="surrogateescape") as f:
                    f.write("\n".join(out))
            got, err = replay(vp)
            if err:
                print("FAIL: %s under %s: %s" % (name, vname, err))
                fails += 1
                continue
            if [strip(e, keys) for e in got] != [strip(e, keys) for e in want]:
                fails += 1
                print("FAIL: %s under %s: %d events, %d expected" % (name, vname, len(got),
                                                                    len(want)))
                for a, b in zip(got, want):
                    a, b = strip(a, keys), strip(b, keys)
                    diff = [k for k in b if a.get(k) != b.get(k)]
                    if diff:
                        print("   first difference in: %s" % ", ".join(diff))
                        print("   e.g. %s: got %s, want %s" % (
                            diff[0], json.dumps(a.get(diff[0]))[:200],
                            json.dumps(b.get(diff[0]))[:200]))
                        break
                print("   first lines: %r" % out[:2])
    print("prefixes: %d variants, %d failed (seed %d)" % (cases, fails, SEED))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
