#!/usr/bin/env python3
"""Counts one client's requests in the API server's audit log (JSON lines) between two times.

usage: side_by_side_audit.py AUDIT_LOG AGENT_REGEX FROM_EPOCH TO_EPOCH
Prints one line: total requests, per minute, reads and writes per second, and the count by verb and resource,
for the requests whose user agent matches AGENT_REGEX and that completed in [FROM, TO).
"""
import collections
import datetime
import json
import re
import sys

WRITES = {"create", "update", "patch", "delete", "deletecollection"}


def main():
    path, agent, t_from, t_to = sys.argv[1], re.compile(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    by = collections.Counter()
    reads = writes = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if not agent.search(e.get("userAgent", "")):
                continue
            t = datetime.datetime.fromisoformat(e["stageTimestamp"].replace("Z", "+00:00")).timestamp()
            if not t_from <= t < t_to:
                continue
            ref = e.get("objectRef") or {}
            res = ref.get("resource", e.get("requestURI", "?").split("?")[0]) + (
                "/" + ref["subresource"] if ref.get("subresource") else "")
            by[(e["verb"], res)] += 1
            if e["verb"] in WRITES:
                writes += 1
            else:
                reads += 1
    secs = t_to - t_from
    detail = ", ".join(f"{v} {r} {n}" for (v, r), n in sorted(by.items(), key=lambda x: -x[1]))
    print(f"requests {reads + writes} in {secs:.0f} s ({60 * (reads + writes) / secs:.1f}/min): "
          f"reads {reads / secs:.3f}/s, writes {writes / secs:.3f}/s; {detail or 'none'}")


if __name__ == "__main__":
    main()
