#!/usr/bin/env python3
"""check_parsers.py - the stdlib/weblog.sp parsers, run through streampipe.

usage:
  check_parsers.py cases   STREAMPIPE SRCDIR TMPDIR CASES.tsv
  check_parsers.py logs    STREAMPIPE SRCDIR TMPDIR CASES.tsv
  check_parsers.py vectors STREAMPIPE SRCDIR TMPDIR VECTORS_DIR

Every line to parse goes through the real binary: for each (parser, format)
a pipeline  `source sN = file(...)` / `sN | map PARSER | sink stdout(json)`
is written to TMPDIR and run with `streampipe run`, and the records it prints
are compared with what is expected.

`cases` reads the table of tests/parsers/cases.tsv (its header says how).
`logs` runs pipelines/logs.sp over all the table's lines and compares its
totals with those of tests/logs_totals.py (the independent computation that
tests/run_logs.sh uses), so that both keep one definition of a valid line.
`vectors` reads other projects' test vectors (../shared/data/parser-vectors):
vrl/*.json, beats/*-expected.DERIVED.tsv (and the other beats logs),
lnav/access_log.json and lnav's sample logs, apachelogs/vhost_combined.log.
They are compared on the fields that mean the same thing; where their
expected value differs from ours for a documented reason the rule is written
in the comparison (see the comments marked RULE) and the case is printed as
a `known:` line, not a failure.  Every other disagreement is printed and
fails.  Exit status: 0 all agree, 1 a disagreement, 2 the run itself failed.
"""
import codecs
import datetime
import glob
import json
import os
import re
import subprocess
import sys

# ---------------------------------------------------------------------------
# Running the parsers


def text(b):
    """bytes -> str as streampipe's JSON shows a string: UTF-8 where valid,
    each other byte as the code point of the same number."""
    s = b.decode('utf-8', 'surrogateescape')
    return ''.join(chr(ord(c) - 0xDC00) if 0xDC80 <= ord(c) <= 0xDCFF else c for c in s)


def sp_string(s):
    """A string literal of the pipeline language for s (str)."""
    if "'" not in s and '\n' not in s:
        return "'" + s + "'"  # raw: taken as written
    out = []
    for c in s:
        if c in '\\"':
            out.append('\\' + c)
        elif c == '\n':
            out.append('\\n')
        elif c == '\t':
            out.append('\\t')
        else:
            out.append(c)
    return '"' + ''.join(out) + '"'


class Runner:
    """Collects lines per (parser, format), runs them all in one pipeline."""

    def __init__(self, streampipe, srcdir, tmp):
        self.streampipe, self.srcdir, self.tmp = streampipe, srcdir, tmp
        self.groups = {}  # (parser, fmt) -> [lines]
        self.results = None
        self.warned = False

    def add(self, parser, fmt, line):
        """Queues a line (bytes, without its newline; a final b'\\r' is kept
        and written, the source removes it).  Returns a handle for result()."""
        g = self.groups.setdefault((parser, fmt), [])
        g.append(line)
        return (parser, fmt, len(g) - 1)

    def run(self):
        src = ['use weblog', '']
        names = {}
        for i, ((parser, fmt), lines) in enumerate(self.groups.items()):
            path = os.path.join(self.tmp, 'in%d.log' % i)
            with open(path, 'wb') as f:
                for line in lines:
                    f.write(line + b'\n')
            call = parser if fmt is None else '%s(it, %s)' % (parser, sp_string(fmt))
            src.append('source s%d = file(%s)' % (i, sp_string(path)))
            src.append('s%d | map %s | sink stdout(name: "g%d", format: "json")' % (i, call, i))
            names['g%d' % i] = (parser, fmt)
        pipeline = os.path.join(self.tmp, 'parsers.sp')
        with open(pipeline, 'w', encoding='utf-8') as f:
            f.write('\n'.join(src) + '\n')
        env = dict(os.environ)
        env.pop('STREAMPIPE_PATH', None)
        p = subprocess.run([self.streampipe, 'run', '-q', '-I', os.path.join(self.srcdir, 'stdlib'), pipeline],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        if p.returncode != 0:
            sys.stdout.write('FAIL: streampipe run %s: exit status %d\n%s\n' %
                             (pipeline, p.returncode, p.stderr.decode('utf-8', 'replace')))
            sys.exit(2)
        if p.stderr.strip():  # run-time errors (warnings) in the parsers
            self.warned = True
            sys.stdout.write('FAIL: streampipe run %s printed on standard error:\n%s\n' %
                             (pipeline, p.stderr.decode('utf-8', 'replace')))
        self.results = {k: [] for k in self.groups}
        for line in p.stdout.decode('utf-8').splitlines():
            rec = json.loads(line)
            self.results[names[rec['name'] if 'name' in rec else rec['sink']]].extend(rec['value'])
        for k, lines in self.groups.items():
            if len(self.results[k]) != len(lines):
                print('FAIL: %s: %d lines in, %d records out' % (k[0], len(lines), len(self.results[k])))
                sys.exit(2)

    def result(self, handle):
        parser, fmt, i = handle
        return self.results[(parser, fmt)][i]


# ---------------------------------------------------------------------------
# Comparing


def instant(v):
    """An expected time (ISO 8601 text, or ms since the epoch) as ms."""
    if v is None or isinstance(v, int):
        return v
    s = v.replace('Z', '+00:00')
    if '.' in s:  # fractions of a second
        d = datetime.datetime.strptime(s, '%Y-%m-%dT%H:%M:%S.%f%z')
    else:
        d = datetime.datetime.strptime(s, '%Y-%m-%dT%H:%M:%S%z')
    return int(d.timestamp() * 1000)


def iso(ms):
    if not isinstance(ms, int):
        return repr(ms)
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')[:-4] + 'Z'


class Tally:
    def __init__(self, what):
        self.what, self.ok, self.bad, self.known = what, 0, 0, 0

    def fail(self, label, msg):
        self.bad += 1
        print('DIFF: %s: %s' % (label, msg))

    def note(self, label, msg):
        self.known += 1
        print('known: %s: %s' % (label, msg))

    def summary(self, runner):
        print('%s: %d agree, %d known differences, %d disagreements%s' % (
            self.what, self.ok, self.known, self.bad, ', and run-time errors' if runner.warned else ''))
        return 0 if self.bad == 0 and not runner.warned else 1


def compare_fields(tally, label, got, want):
    """want: {field: value}; the record must have each field equal."""
    if got is None:
        tally.fail(label, 'got null, expected a record with %s' % json.dumps(want, ensure_ascii=False)[:300])
        return False
    bad = []
    for k, v in want.items():
        have = got.get(k, '(missing)')
        if k == 'time':
            v = instant(v)
            if have != v:
                bad.append('time: expected %s (%s), got %s (%s)' % (v, iso(v), have, iso(have)))
            continue
        if have != v:
            bad.append('%s: expected %s, got %s' % (k, json.dumps(v, ensure_ascii=False),
                                                     json.dumps(have, ensure_ascii=False)))
    for b in bad:
        tally.fail(label, b)
    return not bad


# ---------------------------------------------------------------------------
# cases.tsv


def generated_cases():
    """Cases too long to write in the table: fields of many kilobytes (a
    regex that backtracks one frame per byte exhausts PCRE2's JIT stack at
    about 2000 bytes, and the line would be lost)."""
    pre = b'10.0.0.1 - - [01/Jan/2020:00:00:00 +0000] '
    url = b'/search?q=' + b'a%20b' * 4000
    agent = b'Mozilla/5.0 ' + b'(\\"x\\") ' * 3000
    rows = []
    for n, (cid, parser, fmt, line, want) in enumerate((
            ('long-url', 'parse_access_log', None, pre + b'"GET ' + url + b' HTTP/1.1" 414 0',
             {'endpoint': text(url), 'path': '/search', 'protocol': 'HTTP/1.1', 'status': 414}),
            ('long-agent', 'parse_combined', None, pre + b'"GET / HTTP/1.1" 200 5 "-" "' + agent + b'"',
             {'agent': text(agent), 'status': 200}),
            ('many-extra-fields', 'parse_combined', None, pre + b'"GET / HTTP/1.1" 200 5 "-" "ua"' + b' "-" 12' * 5000,
             {'agent': 'ua', 'size': 5}),
            ('long-unterminated', 'parse_access_log', None, pre + b'"GET ' + url, None),
            ('long-url-logformat', 'parse_logformat', COMBINED_FMT,
             pre + b'"GET ' + url + b' HTTP/1.1" 200 5 "' + url + b'" "' + agent + b'"',
             {'endpoint': text(url), 'referer': text(url), 'agent': text(agent)})), 1):
        rows.append((n, 'generated ' + cid, parser, fmt, line, want))
    return rows


def run_cases(runner, path):
    rows = []
    with open(path, encoding='utf-8') as f:
        for n, raw in enumerate(f, 1):
            raw = raw.rstrip('\n')
            if not raw.strip() or raw.startswith('#'):
                continue
            cols = raw.split('\t')
            if len(cols) != 5:
                print('FAIL: %s:%d: %d columns, not 5' % (path, n, len(cols)))
                sys.exit(2)
            cid, parser, fmt, line, want = cols
            line = codecs.escape_decode(line.encode('utf-8'))[0]
            want = json.loads(want)
            rows.append((n, cid, parser, fmt or None, line, want))
    rows += generated_cases()
    tally = Tally('cases.tsv')
    handles = []
    for n, cid, parser, fmt, line, want in rows:
        h = runner.add(parser, fmt, line)
        # The fixed parsers' lines must also give the same through
        # parse_access_log when they are access-log lines.
        h2 = None
        if parser in ('parse_common', 'parse_combined', 'parse_vhost_combined') and want is not None:
            h2 = runner.add('parse_access_log', None, line)
        handles.append((h, h2))
    runner.run()
    for (n, cid, parser, fmt, line, want), (h, h2) in zip(rows, handles):
        label = '%s (line %d, %s)' % (cid, n, parser)
        got = runner.result(h)
        good = True
        if want is None:
            if got is not None:
                tally.fail(label, 'expected null, got %s' % json.dumps(got, ensure_ascii=False)[:300])
                good = False
        else:
            good = compare_fields(tally, label, got, want)
        if h2 is not None and runner.result(h2) != got:
            tally.fail(label, 'parse_access_log gives %s, %s gives %s' % (
                json.dumps(runner.result(h2), ensure_ascii=False)[:300], parser, json.dumps(got, ensure_ascii=False)[:300]))
            good = False
        if good:
            tally.ok += 1
    return tally.summary(runner)


# ---------------------------------------------------------------------------
# Other projects' vectors

COMMON_FMT = '%h %l %u %t "%r" %>s %b'
COMBINED_FMT = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"'
VHOST_FMT = '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"'


def read_lines(path):
    with open(path, 'rb') as f:
        data = f.read()
    lines = data.split(b'\n')
    if lines and lines[-1] == b'':
        lines.pop()
    return lines


def vrl_line(source):
    """The s'...' string of a VRL example call, as bytes."""
    m = re.search(r"s'((?:[^'\\]|\\.)*)'", source)
    return m.group(1).replace("\\'", "'").encode('utf-8') if m else None


# VRL's chrono timestamp formats, in parse_time's words.
CHRONO = {'%+': '%Y-%m-%dT%H:%M:%S%z', '%d/%b/%Y:%T %z': '%d/%b/%Y:%H:%M:%S %z'}


def vectors(runner, top):
    tally = Tally('parser-vectors')
    checks = []  # (label, handle, check function)

    def expect(label, parser, fmt, line, check):
        checks.append((label, runner.add(parser, fmt, line), check))

    def must_parse(label, parser, fmt, line, want=None):
        def check(got):
            if got is None:
                tally.fail(label, 'must parse, got null: %r' % line[:200])
            elif want is None or compare_fields(tally, label, got, want):
                tally.ok += 1
        expect(label, parser, fmt, line, check)

    def must_not_parse(label, parser, fmt, line, why=None):
        def check(got):
            if got is not None:
                tally.fail(label, 'must not parse, got %s' % json.dumps(got, ensure_ascii=False)[:200])
            elif why:
                tally.note(label, why)
            else:
                tally.ok += 1
        expect(label, parser, fmt, line, check)

    # ---- VRL: parse_apache_log, parse_common_log, parse_nginx_log examples
    for path in sorted(glob.glob(os.path.join(top, 'vrl', '*.json'))):
        doc = json.load(open(path, encoding='utf-8'))
        for ex in doc.get('examples', []):
            label = 'vrl/%s: %s' % (os.path.basename(path), ex['title'])
            src, ret = ex['source'], ex.get('return')
            line = vrl_line(src)
            fmt_m = re.search(r'(?:format:\s*)?"(common|combined|error|main|ingress_upstreaminfo)"', src)
            kind = fmt_m.group(1) if fmt_m else 'common'
            ts_m = re.search(r',\s*"(%[^"]*)"\s*\)', src)
            if line is None or not isinstance(ret, dict):
                tally.note(label, 'no literal input or map result; not comparable')
                continue
            if kind == 'error':
                # RULE: error-log lines are not access-log lines: we give null.
                must_not_parse(label, 'parse_access_log', None, line,
                               'an error-log line: VRL parses it, parse_access_log gives null (not an access log)')
                continue
            want = {}
            # RULE: VRL leaves out a field written as '-'; we keep the '-' of
            # text fields as written and count a '-' size as 0.
            for theirs, ours in (('host', 'host'), ('client', 'host'), ('remote_addr', 'host'),
                                 ('identity', 'ident'), ('user', 'user'), ('remote_user', 'user'),
                                 ('method', 'method'), ('protocol', 'protocol'), ('status', 'status'),
                                 ('size', 'size'), ('body_bytes_size', 'size'),
                                 ('referrer', 'referer'), ('referer', 'referer'), ('http_referer', 'referer'),
                                 ('agent', 'agent'), ('http_user_agent', 'agent')):
                if theirs in ret:
                    want[ours] = ret[theirs]
            # RULE: VRL's "path" is the request target as written (query
            # included): our endpoint.
            if 'path' in ret:
                want['endpoint'] = ret['path']
            if 'timestamp' in ret:
                want['time'] = ret['timestamp']
            for f in ('ident', 'user', 'referer', 'agent'):
                if kind == 'common' and f in ('referer', 'agent'):
                    want.setdefault(f, '')  # not in the format: ""
                else:
                    want.setdefault(f, '-')
            want.setdefault('size', 0)
            request = ret.get('message', ret.get('request'))
            if ts_m and ts_m.group(1) in CHRONO and CHRONO[ts_m.group(1)] != CHRONO['%d/%b/%Y:%T %z']:
                # A custom timestamp_format: the same line read with a
                # LogFormat whose %{...}t has that format.
                fmt = '%%h %%l %%u [%%{%s}t] "%%r" %%>s %%b' % CHRONO[ts_m.group(1)]
                parser = 'parse_logformat'
            else:
                fmt, parser = None, {'common': 'parse_common'}.get(kind, 'parse_combined')

            def check(got, label=label, want=want, request=request):
                if got is not None and request is not None:
                    mine = ' '.join(x for x in (got['method'], got['endpoint'], got['protocol']) if x)
                    if mine != request:
                        tally.fail(label, 'request: expected %r, got %r' % (request, mine))
                        return
                if got is None:
                    tally.fail(label, 'must parse, got null')
                elif compare_fields(tally, label, got, want):
                    tally.ok += 1
            expect(label, parser, fmt, line, check)
            if kind in ('common', 'combined', 'main', 'ingress_upstreaminfo') and fmt is None:
                # the same through the catch-all parser
                expect(label + ' (parse_access_log)', 'parse_access_log', None, line, check)

    # ---- beats: the hand-extracted expected fields
    for path in sorted(glob.glob(os.path.join(top, 'beats', '*-expected.DERIVED.tsv'))):
        log = path[:-len('-expected.DERIVED.tsv')]
        lines = read_lines(log)
        cols = None
        for raw in open(path, encoding='utf-8'):
            raw = raw.rstrip('\n')
            if raw.startswith('# Columns:'):
                # "name(note, ...)": the name without its note
                cols = re.sub(r'\([^)]*\)', '', raw[len('# Columns:'):])
                cols = [c.strip() for c in cols.split(',')]
                cols = ['http.request.method' if c == 'method' else c for c in cols]
                continue
            if raw.startswith('#') or not raw.strip():
                continue
            row = dict(zip(cols, raw.split('\t')))
            n = int(row['line'])
            line = lines[n - 1]
            label = 'beats/%s line %d' % (os.path.basename(log), n)
            if re.match(rb'^"?[^\s\[]+,', line):
                # RULE: a client field that is a list of addresses (an
                # X-Forwarded-For chain written in place of %h/$remote_addr)
                # is no common/combined/vhost_combined line: we give null;
                # beats picks one address out of the list.
                must_not_parse(label, 'parse_access_log', None, line,
                               'the client field is an address list; beats takes %s from it, we give null'
                               % row['source.address'])
                continue
            want = {'time': row['@timestamp'], 'host': row['source.address'], 'status': int(row['status'])}
            absent = '(absent)'
            # RULE: beats leaves out method, URL and version when the request
            # line is not METHOD TARGET [VERSION] ("-", "hello", ""): ours are
            # "" for method and protocol (the endpoint keeps the text as
            # written).
            want['method'] = '' if row['http.request.method'] == absent else row['http.request.method']
            if row['url.original'] != absent:
                want['endpoint'] = row['url.original']
            # RULE: beats gives the version without "HTTP/".
            want['protocol'] = '' if row['http.version'] == absent else 'HTTP/' + row['http.version']
            # RULE: beats drops a '-' size; we count it as 0.
            want['size'] = 0 if row['body.bytes'] == absent else int(row['body.bytes'])
            # RULE: a field the format does not have (referer and agent in
            # common) is absent there, "" here; beats' nginx module also
            # leaves out an agent written as '-', which we keep as written.
            combined = re.search(rb'" \d{3} (?:\d+|-) "', line) is not None
            for theirs, ours in (('referrer', 'referer'), ('user_agent.original', 'agent'), ('user.name', 'user')):
                if theirs in row:
                    want[ours] = row[theirs] if row[theirs] != absent else '-' if combined else ''
            must_parse(label, 'parse_access_log', None, line, want)

    # ---- beats: the other logs, whose lines must parse (or not, said why)
    beats = os.path.join(top, 'beats')
    for name, rules in (
            ('apache_access_darwin-2.4.23.log', {}),
            ('nginx_access_access.log', {}),
            ('apache_access_test-vhost.log', {}),
            ('nginx_access_test-with-host.log', None),
            ('apache_access_ssl-request.log', 'ssl')):
        path = os.path.join(beats, name)
        if not os.path.exists(path):
            continue
        for n, line in enumerate(read_lines(path), 1):
            label = 'beats/%s line %d' % (name, n)
            if rules == 'ssl':
                # mod_ssl's ssl_request_log is no access-log format that
                # parse_access_log knows; its LogFormat reads it.
                must_not_parse(label, 'parse_access_log', None, line)
                must_parse(label + ' (LogFormat)', 'parse_logformat',
                           '%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x \\"%r\\" %b', line,
                           {'method': 'GET', 'protocol': 'HTTP/1.1', 'status': 0})
            elif rules is None and re.match(rb'^\S+ "?[^\s\[]+,', line):
                # RULE: as above, an address list in the client field.
                must_not_parse(label, 'parse_access_log', None, line,
                               'the client field is an address list; we give null')
            else:
                must_parse(label, 'parse_access_log', None, line)

    # ---- lnav: the sample lines of access_log.json must parse
    lnav = os.path.join(top, 'lnav')
    path = os.path.join(lnav, 'access_log.json')
    if os.path.exists(path):
        doc = json.load(open(path, encoding='utf-8'))
        for i, s in enumerate(doc['access_log']['sample'], 1):
            line = s['line'].encode('utf-8')
            label = 'lnav/access_log.json sample %d' % i
            if re.match(rb'^\d{4}-\d\d-\d\dT', line):
                # RULE: lnav's "ts-first" formats (ISO time first, the method
                # outside the quotes, "-1" before the status) are no
                # Apache/nginx format; parse_access_log gives null.
                must_not_parse(label, 'parse_access_log', None, line,
                               'lnav\'s own ts-first format, not an Apache/nginx access log: null')
                continue
            want = {}
            if s.get('level') == 'error':
                want['status'] = 404
            must_parse(label, 'parse_access_log', None, line, want)
    for name, expect_ok in (('logfile_access_log.0', 'all'), ('logfile_access_log.1', 'all'),
                            ('logfile_bad_access_log.0', 'but2'), ('logfile_regexp_access_log.0', 'all'),
                            ('logfile_syslog_with_access_log.0', 'none')):
        path = os.path.join(lnav, name)
        if not os.path.exists(path):
            continue
        for n, line in enumerate(read_lines(path), 1):
            label = 'lnav/%s line %d' % (name, n)
            if expect_ok == 'none' or (expect_ok == 'but2' and n == 2):
                must_not_parse(label, 'parse_access_log', None, line)
            else:
                must_parse(label, 'parse_access_log', None, line)

    # ---- apachelogs: vhost_combined, six good lines and one bad one
    path = os.path.join(top, 'apachelogs', 'vhost_combined.log')
    if os.path.exists(path):
        lines = read_lines(path)
        good = 0
        for n, line in enumerate(lines, 1):
            label = 'apachelogs/vhost_combined.log line %d' % n
            m = re.match(rb'^(\S+):(\d+) (\S+) \S+ \S+ \[([^\]]+)\] "(\S+) (\S+) (\S+)" (\d+) (\d+) "([^"]*)" "([^"]*)"$',
                         line)
            if line == b'Bad line':
                for parser, fmt in (('parse_vhost_combined', None), ('parse_access_log', None),
                                    ('parse_logformat', VHOST_FMT)):
                    must_not_parse(label + ' ' + parser, parser, fmt, line)
                continue
            if not m:
                tally.fail(label, 'the test cannot read this line')
                continue
            good += 1
            want = {'vhost': text(m.group(1)), 'port': int(m.group(2)), 'host': text(m.group(3)),
                    'time': int(datetime.datetime.strptime(m.group(4).decode(), '%d/%b/%Y:%H:%M:%S %z')
                                .timestamp() * 1000),
                    'method': text(m.group(5)), 'endpoint': text(m.group(6)), 'protocol': text(m.group(7)),
                    'status': int(m.group(8)), 'size': int(m.group(9)), 'referer': text(m.group(10)),
                    'agent': text(m.group(11))}
            for parser, fmt in (('parse_vhost_combined', None), ('parse_access_log', None),
                                ('parse_logformat', VHOST_FMT)):
                must_parse(label + ' ' + parser, parser, fmt, line, want)
        if good != 6:
            tally.fail('apachelogs/vhost_combined.log', '%d good lines, expected 6' % good)

    runner.run()
    for label, h, check in checks:
        check(runner.result(h))
    return tally.summary(runner)


# ---------------------------------------------------------------------------
# pipelines/logs.sp over the table's lines, against tests/logs_totals.py


def logs_totals(streampipe, srcdir, tmp, cases):
    """Every line of the table (whatever its parser) in one log: the totals
    of logs.sp must equal those of logs_totals.py, whose definition of an
    access-log line must therefore agree with parse_access_log's."""
    log = os.path.join(tmp, 'cases.log')
    n = 0
    with open(cases, encoding='utf-8') as f, open(log, 'wb') as out:
        for raw in f:
            raw = raw.rstrip('\n')
            if not raw.strip() or raw.startswith('#'):
                continue
            out.write(codecs.escape_decode(raw.split('\t')[3].encode('utf-8'))[0] + b'\n')
            n += 1
    env = dict(os.environ)
    env.pop('STREAMPIPE_PATH', None)
    p = subprocess.run([streampipe, 'run', '-q', '-I', os.path.join(srcdir, 'stdlib'),
                        os.path.join(srcdir, 'pipelines', 'logs.sp'), '-p', 'input=' + log, '-p', 'format=json',
                        '-p', 'min_hits=1', '-p', 'top_n=100'],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if p.returncode != 0:
        print('FAIL: logs.sp over the table\'s lines: exit status %d\n%s' % (p.returncode, p.stderr.decode()))
        return 1
    got = {}
    for line in p.stdout.decode('utf-8').splitlines():
        rec = json.loads(line)
        got[rec['sink']] = rec['value']  # the last value of each sink
    q = subprocess.run([sys.executable, os.path.join(srcdir, 'tests', 'logs_totals.py'), log, '1', '100'],
                       stdout=subprocess.PIPE)
    if q.returncode != 0:
        print('FAIL: logs_totals.py over the table\'s lines')
        return 1
    bad = 0
    for line in q.stdout.decode('utf-8').splitlines():
        want = json.loads(line)
        have = got.get(want['sink'])
        if have != want['value']:
            bad += 1
            print('DIFF: logs.sp over the table\'s lines: %s:\n  logs_totals.py %s\n  logs.sp        %s' % (
                want['sink'], json.dumps(want['value'], ensure_ascii=False)[:400],
                json.dumps(have, ensure_ascii=False)[:400]))
    print('logs.sp over the %d lines of the table: %s' % (
        n, 'totals equal those of logs_totals.py' if not bad else '%d totals differ' % bad))
    return 1 if bad else 0


def main():
    if len(sys.argv) != 6 or sys.argv[1] not in ('cases', 'vectors', 'logs'):
        sys.stderr.write(__doc__)
        sys.exit(2)
    mode, streampipe, srcdir, tmp, what = sys.argv[1:]
    if mode == 'logs':
        sys.exit(logs_totals(streampipe, srcdir, tmp, what))
    runner = Runner(streampipe, srcdir, tmp)
    sys.exit(run_cases(runner, what) if mode == 'cases' else vectors(runner, what))


if __name__ == '__main__':
    main()
