#!/usr/bin/env python3
"""logs_totals.py - the totals of pipelines/logs.sp, computed independently.

Reads an access log and prints, as JSON lines shaped like streampipe's
`-p format=json` output, the cumulative results logs.sp must end with:
total_content_size, total_response_codes, total_frequent_ips,
total_top_endpoints and malformed_lines.  It shares no code with streampipe:
only the definition of an access-log line (NCSA combined, else common, else
Apache vhost_combined, as in stdlib/weblog.sp: fields separated by one or more
blanks, extra fields allowed after combined's agent, the `-` size meaning 0, a
size that does not fit in a signed 64-bit int making the line malformed) is
the same.

usage: logs_totals.py FILE [MIN_HITS [TOP_N]]
"""
import json
import re
import sys

Q = rb'"((?:[^"\\]|\\.)*)"'
# host ident user [time] "request" status size, blanks between the fields
PREFIX = rb'(\S+) +(\S+) +(\S+) +\[([^\]]+)\] +' + Q + rb' +(\d{3}) +(\d+|-)'
# after the agent: more fields, quoted or not (nginx's "$http_x_forwarded_for")
EXTRAS = rb'(?: +(?:"(?:[^"\\]|\\.)*"|[^\s"]+))*'
COMBINED = re.compile(rb'^' + PREFIX + rb' +' + Q + rb' +' + Q + EXTRAS + rb'\s*$')
COMMON = re.compile(rb'^' + PREFIX + rb'\s*$')
# vhost_combined (%v:%p, or %v, before the common fields; referer and agent
# optional): its groups are those of COMMON shifted by two.
VHOST = re.compile(rb'^([^\s,]+?)(?::(\d+))? +' + PREFIX + rb'(?: +' + Q + rb' +' + Q + EXTRAS + rb')?\s*$')
REQUEST = re.compile(rb'^ *(\S+) +(.*?)(?: +(HTTP/\S*|\S+/\d\S*))? *$')


def text(b):
    """bytes -> str as streampipe's JSON shows it: UTF-8 where valid, each
    other byte as the code point of the same number."""
    s = b.decode('utf-8', 'surrogateescape')
    return ''.join(chr(ord(c) - 0xDC00) if 0xDC80 <= ord(c) <= 0xDCFF else c for c in s)


def main():
    path = sys.argv[1]
    min_hits = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    top_n = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    count = total = 0
    smin = smax = None
    codes, hosts, endpoints = {}, {}, {}
    malformed = 0
    with open(path, 'rb') as f:
        data = f.read()
    lines = data.split(b'\n')
    if lines and lines[-1] == b'':
        lines.pop()
    for line in lines:
        if line.endswith(b'\r'):
            line = line[:-1]
        m = COMBINED.match(line) or COMMON.match(line)
        shift = 0
        if not m:
            m, shift = VHOST.match(line), 2
        if not m:
            malformed += 1
            continue
        host, request, status, size = (m.group(1 + shift), m.group(5 + shift), int(m.group(6 + shift)),
                                       m.group(7 + shift))
        size = 0 if size == b'-' else int(size)
        port = m.group(2) if shift else None
        if size > 2**63 - 1 or (port and int(port) > 2**63 - 1):  # too big for 64 bits: malformed
            malformed += 1
            continue
        r = REQUEST.match(request)
        endpoint = r.group(2) if r else request
        count += 1
        total += size
        smin = size if smin is None else min(smin, size)
        smax = size if smax is None else max(smax, size)
        codes[status] = codes.get(status, 0) + 1
        hosts[host] = hosts.get(host, 0) + 1
        endpoints[endpoint] = endpoints.get(endpoint, 0) + 1

    out = []
    if count:
        out.append(('total_content_size', {'avg': total // count, 'min': smin, 'max': smax, 'count': count}))
    out.append(('total_response_codes', [[k, codes[k]] for k in sorted(codes)]))
    out.append(('total_frequent_ips', [text(h) for h in sorted(hosts) if hosts[h] > min_hits]))
    top = sorted(endpoints.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]
    out.append(('total_top_endpoints', [[text(k), v] for k, v in top]))
    out.append(('malformed_lines', malformed))
    for name, value in out:
        print(json.dumps({'sink': name, 'value': value}, sort_keys=True, ensure_ascii=False))


if __name__ == '__main__':
    main()
