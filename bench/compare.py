#!/usr/bin/env python3
"""compare.py - do streampipe's totals equal the reference's?

usage: compare.py STREAMPIPE_JSON REFERENCE_JSON LABEL

STREAMPIPE_JSON is the output of `streampipe run -p format=json
pipelines/logs.sp` (the last value of each sink counts); REFERENCE_JSON the
JSON lines of bench/logs.awk (or tests/logs_totals.py).  A reference line
with "unordered": true is compared as a set.  Exit status 0 when every
reference value is equal."""
import json
import sys


def main():
    got = {}
    for line in open(sys.argv[1], encoding='utf-8'):
        rec = json.loads(line)
        got[rec['sink']] = rec['value']
    ok = True
    n = 0
    for line in open(sys.argv[2], encoding='utf-8'):
        want = json.loads(line)
        have = got.get(want['sink'])
        w = want['value']
        if want.get('unordered') and isinstance(have, list):
            have, w = sorted(have), sorted(w)
        n += 1
        if have != w:
            ok = False
            print(f"{sys.argv[3]}: {want['sink']} differs:\n  reference  {json.dumps(w)[:300]}\n"
                  f"  streampipe {json.dumps(have)[:300]}")
    if n == 0:
        print(f"{sys.argv[3]}: the reference is empty")
        ok = False
    sys.exit(0 if ok else 1)


main()
