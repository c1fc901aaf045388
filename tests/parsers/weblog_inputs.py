#!/usr/bin/env python3
"""weblog_inputs.py - every line the parser tests know, as one input for
tests/weblog_diff.c (the native parsers against their language versions).

usage: weblog_inputs.py OUT.rec SRCDIR [DIR...]

Writes records "LENGTH:BYTES\\n" (a line may hold a '\\n') to OUT.rec:
  - the LINE column of tests/parsers/cases.tsv, decoded as check_parsers.py
    decodes it, and the long generated cases of check_parsers.py;
  - for each DIR that exists (../shared/data/parser-vectors, real-logs):
    every line of every file under it, each tab-separated column of the
    lines of .tsv files, and every string of .json files (whatever they
    mean there: here they are only inputs);
  - hostile lines, built as tests/run_hostile.sh builds them: NUL bytes,
    invalid UTF-8, binary garbage, CRLF and lone CRs, a 10-digit status,
    sizes that overflow 64 bits, impossible dates, empty lines, very long
    fields.
Prints how many lines came from where."""
import codecs
import json
import os
import random
import sys


def main():
    out, srcdir, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    sys.path.insert(0, os.path.join(srcdir, 'tests', 'parsers'))
    import check_parsers  # noqa: E402  (its generated_cases())

    lines = []

    # ---- cases.tsv
    n0 = len(lines)
    with open(os.path.join(srcdir, 'tests', 'parsers', 'cases.tsv'), encoding='utf-8') as f:
        for raw in f:
            raw = raw.rstrip('\n')
            if not raw.strip() or raw.startswith('#'):
                continue
            cols = raw.split('\t')
            if len(cols) == 5:
                lines.append(codecs.escape_decode(cols[3].encode('utf-8'))[0])
    for row in check_parsers.generated_cases():
        lines.append(row[4])
    print('weblog_inputs: %d lines from cases.tsv' % (len(lines) - n0))

    # ---- other projects' vectors, real logs
    for d in dirs:
        if not os.path.isdir(d):
            print('weblog_inputs: SKIP (part): %s is absent' % d)
            continue
        n0 = len(lines)
        for root, _, files in sorted(os.walk(d)):
            for name in sorted(files):
                path = os.path.join(root, name)
                data = open(path, 'rb').read()
                if name.endswith('.json'):
                    try:
                        strings(json.loads(data.decode('utf-8')), lines)
                    except ValueError:
                        pass
                for line in data.split(b'\n'):
                    lines.append(line)
                    if name.endswith('.tsv') and b'\t' in line:
                        lines.extend(line.split(b'\t'))
        print('weblog_inputs: %d lines from %s' % (len(lines) - n0, d))

    # ---- hostile
    n0 = len(lines)
    lines.extend(hostile())
    print('weblog_inputs: %d hostile lines' % (len(lines) - n0))

    with open(out, 'wb') as f:
        for line in lines:
            f.write(b'%d:' % len(line) + line + b'\n')


def strings(v, out):
    if isinstance(v, str):
        out.append(v.encode('utf-8', 'surrogateescape'))
        for line in v.split('\n'):
            out.append(line.encode('utf-8', 'surrogateescape'))
    elif isinstance(v, list):
        for x in v:
            strings(x, out)
    elif isinstance(v, dict):
        for k, x in v.items():
            strings(k, out)
            strings(x, out)


L1 = b'199.72.81.55 - - [01/Jul/1995:00:00:01 -0400] "GET /history/apollo/ HTTP/1.0" 200 6245'
L2 = b'unicomp6.unicomp.net - - [01/Jul/1995:00:00:06 -0400] "GET /shuttle/countdown/ HTTP/1.0" 200 3985'
L3 = b'10.0.0.1 - - [01/Jul/1995:00:00:09 -0400] "GET /images/NASA-logosmall.gif HTTP/1.0" 304 -'
L4 = (b'127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 '
      b'"http://example.com/" "Mozilla/4.08"')
V1 = (b'www.example.com:80 127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 2326 '
      b'"-" "Mozilla/4.08"')


def hostile():
    out = [b'', b'\r', b'\n', b'\0\0\0', b' ', b'\t', b'"', b'\\', b'[', b']']
    for base in (L1, L2, L3, L4, V1):
        out += [base, base + b'\r', base + b'\r\r', base + b'\0', base + b' \t\r\n', base + b'\n',
                base.replace(b'"GET', b'"G\0ET'), base.replace(b'/', b'/\xff\xfe\xc3', 1),
                b'\xed\xa0\x80\xc0\xaf' + base[base.index(b' '):],
                base.replace(b' 200 ', b' 2000000000 '), base.replace(b' 200 ', b' 20 '),
                base.replace(b'HTTP/1.0"', b'HTTP/1.0\r"'), base.replace(b'" 304 ', b'" 304\r')]
        for size in (b'99999999999999999999999', b'9223372036854775808', b'9223372036854775807',
                     b'18446744073709551617', b'-', b'0'):
            out.append(base.replace(b' 6245', b' ' + size).replace(b' 2326', b' ' + size))
        for date in (b'31/Feb/2024:25:61:61', b'31/Feb/2024:00:00:01', b'01/Foo/1995:00:00:01',
                     b'29/Feb/2023:00:00:01', b'29/Feb/2024:00:00:01', b'01/Jul/1995 00:00:01'):
            for old in (b'01/Jul/1995:00:00:01', b'01/Jul/1995:00:00:06', b'01/Jul/1995:00:00:09',
                        b'10/Oct/2000:13:55:36'):
                out.append(base.replace(old, date))
        out.append(base.replace(b'-0400', b'+9999').replace(b'-0700', b'+9999'))
        out.append(base.replace(b' -0400]', b']').replace(b' -0700]', b']'))
    r = random.Random(20240229)
    garbage = bytes(r.getrandbits(8) for _ in range(1 << 16))
    out += garbage.split(b'\n')
    pre = b'10.0.0.1 - - [01/Jan/2020:00:00:00 +0000] '
    out.append(pre + b'"GET /' + b'a' * 100000 + b' HTTP/1.1" 200 5')
    out.append(pre + b'"GET / HTTP/1.1" 200 5 "-" "' + b'\\"' * 20000 + b'"')
    out.append(pre + b'"GET /' + b' ' * 3000 + b'x HTTP/1.1" 200 5')
    out.append(b'y' * (1 << 20))
    return out


if __name__ == '__main__':
    main()
