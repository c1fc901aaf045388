#!/usr/bin/env bash
# run_hostile.sh - hostile input and failing sinks, through the real binary
# (issue #5, items 6 and 7; docs/robustness.md says what each must do).
#
# Input: a line over the length limit, NUL bytes, invalid UTF-8, random
# binary garbage, CRLF, no final newline, a 10-digit status, a size that
# overflows 64 bits, impossible dates, an empty file, and a followed file that
# is truncated and rotated while being read with hostile lines in it.  Each
# runs pipelines/logs.sp (or a small pipeline) and checks the exact malformed
# count, the exact totals (from tests/logs_totals.py, which shares no code
# with streampipe, or written by hand for tiny inputs), the exit status, and
# that JSON output is valid UTF-8 JSON.
#
# Sinks: a file sink under a missing directory, on a directory, on
# /dev/full, on a full tmpfs (when mount is permitted), standard output and
# standard error on /dev/full, a Kafka sink whose broker is down.  Each must
# end the run with exit status 1 and a message naming the sink, the path and
# the system's error, within a bounded time.
#
# Every run is under `timeout`; an exit status of 124 or >= 128 (a hang, a
# crash) fails.  When VALGRIND is set (make check sets it when configure
# found valgrind), a few small cases also run under valgrind, which must
# report no error.  Hostile files are generated here; nothing is written
# outside a temporary directory.
#
# Environment (set by `make check`): STREAMPIPE, top_srcdir, VALGRIND.
# Exit status: 0 pass, 1 fail, 77 skip.

set -u

export LC_ALL=C
unset STREAMPIPE_PATH

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
. "$top_srcdir/tests/testlib.sh"
setup run_hostile.sh python3 timeout
VALGRIND=${VALGRIND:-}
# valgrind cannot run a binary built with the sanitizers (they check the
# same things there)
if [ -n "$VALGRIND" ] && ldd "$STREAMPIPE" 2>/dev/null | grep -q 'lib[at]san\|libubsan'; then
    echo "note: streampipe is built with sanitizers; not running valgrind"
    VALGRIND=
fi
mounted=
hostile_cleanup() {
    [ -n "$mounted" ] && umount "$mounted" 2>/dev/null
    setup_cleanup
}
trap hostile_cleanup EXIT

LOGS=$top_srcdir/pipelines/logs.sp
TOTALS=$top_srcdir/tests/logs_totals.py

# ----- helpers -----

# sp [--valgrind] ARGS...: runs streampipe ARGS (at most 60 s, 180 s under
# valgrind); its exit status in $rc.  A hang or a crash fails the test.
sp() {
    local vg=()
    if [ "$1" = --valgrind ]; then
        shift
        [ -n "$VALGRIND" ] && vg=("$VALGRIND" -q --error-exitcode=99 --leak-check=full
                                  --errors-for-leak-kinds=definite)
    fi
    timeout -s KILL $((${#vg[@]} ? 180 : 60)) "${vg[@]}" "$STREAMPIPE" "$@"
    rc=$?
    if [ "$rc" -eq 137 ] || [ "$rc" -eq 124 ]; then
        fail "streampipe $* did not end within its time"
    elif [ "$rc" -eq 99 ] && [ ${#vg[@]} -gt 0 ]; then
        fail "valgrind found errors in: streampipe $*"
    elif [ "$rc" -ge 128 ]; then
        fail "streampipe $* crashed (exit status $rc)"
    fi
}

expect_rc() { # WANT FILE-TO-SHOW
    [ "$rc" -eq "$1" ] || { fail "exit status $rc, expected $1"; [ -f "$2" ] && show "$2"; }
}

expect_text() { # FILE TEXT
    has_text "$1" "$2" || { fail "expected '$2' in $1"; show "$1"; }
}

# compare OUT EXPECTED: the last value of each sink of the JSON lines OUT
# equals that of EXPECTED (logs_totals.py's lines); every line of OUT must
# be valid UTF-8 and valid JSON.
cat >"$tmp/compare.py" <<'EOF'
import json, sys
got = {}
raw = open(sys.argv[1], 'rb').read()
try:
    text = raw.decode('utf-8')
except UnicodeDecodeError as e:
    sys.exit(f"output is not valid UTF-8: {e}")
for line in text.split('\n'):          # not splitlines(): U+0085 is no line end
    if line:
        rec = json.loads(line)
        got[rec['sink']] = rec['value']
bad = 0
for line in open(sys.argv[2], encoding='utf-8'):
    want = json.loads(line)
    if got.get(want['sink']) != want['value']:
        bad += 1
        print(f"  {want['sink']}: expected {json.dumps(want['value'])[:300]}\n"
              f"  {' ' * len(want['sink'])}  got      {json.dumps(got.get(want['sink']))[:300]}")
sys.exit(1 if bad else 0)
EOF
compare() {
    python3 "$tmp/compare.py" "$1" "$2" || fail "totals differ from the independent computation"
}

# logs NAME [--valgrind] [-p ...]: logs.sp over NAME.log as JSON lines, into
# NAME.out and NAME.err.
logs() {
    local name=$1
    shift
    local vg=()
    if [ "${1:-}" = --valgrind ]; then
        vg=(--valgrind)
        shift
    fi
    sp "${vg[@]}" run -B 1000 "$LOGS" -p input="$name.log" -p format=json "$@" >"$name.out" 2>"$name.err"
}

# totals NAME: logs.sp over NAME.log must end with the totals logs_totals.py
# computes, exit status 0, and its malformed count said on standard error.
totals() {
    local name=$1
    python3 "$TOTALS" "$name.log" >"$name.expected" || { fail "logs_totals.py failed on $name.log"; return; }
    expect_rc 0 "$name.err"
    compare "$name.out" "$name.expected"
    local m
    m=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    j = json.loads(l)
    if j["sink"] == "malformed_lines": print(j["value"])' "$name.expected")
    expect_text "$name.err" "Malformed lines: $m"
}

# summary NAME RECORDS REJECTED: the summary line of the run.
summary() {
    expect_text "$1.err" "$2 records read, $3 rejected by the source (too long), 0 run-time errors"
}

# The sample access-log lines.
L1='199.72.81.55 - - [01/Jul/1995:00:00:01 -0400] "GET /history/apollo/ HTTP/1.0" 200 6245'
L2='unicomp6.unicomp.net - - [01/Jul/1995:00:00:06 -0400] "GET /shuttle/countdown/ HTTP/1.0" 200 3985'
L3='10.0.0.1 - - [01/Jul/1995:00:00:09 -0400] "GET /images/NASA-logosmall.gif HTTP/1.0" 304 -'
L4='127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://example.com/" "Mozilla/4.08"'

# ======================================================================
# Hostile input
# ======================================================================

begin "input: a 2 MiB line is rejected once by the source, the lines after it are intact"
{
    printf '%s\n' "$L1"
    head -c $((2 << 20)) /dev/zero | tr '\0' 'x'
    printf '\n%s\n%s\n' "$L2" "$L3"
} >long.log
logs long --valgrind
# logs.sp never sees the long line: the source counts it (summary), and the
# pipeline counts none of the others as malformed
grep -v '^xxxx' long.log >long-expected.log
python3 "$TOTALS" long-expected.log >long.expected
expect_rc 0 long.err
compare long.out long.expected
expect_text long.err "Malformed lines: 0"
summary long 3 1

begin "input: a long line of exactly 1 MiB is kept; 1 MiB + 1 byte (not counting CRLF) is not"
python3 - <<'EOF'
M = 1 << 20
with open('limit.log', 'wb') as f:
    f.write(b'a' * M + b'\r\n' + b'b' * (M + 1) + b'\r\n' + b'c' * (M + 1) + b'\n' + b'tail\n')
EOF
cat >limit.sp <<'EOF'
source lines = file("limit.log")
lines | map length(it) | sink stdout(format: "json", name: "n")
EOF
sp run limit.sp >limit.out 2>limit.err
expect_rc 0 limit.err
expect_text limit.out '"value":[1048576,4]'
summary limit 2 2

begin "input: NUL bytes inside and as lines"
{
    printf '%s\n' "$L1"
    printf '%s\n' "$L2" | sed 's|/shuttle|/shu\x00ttle|'
    printf '\0\0\0\n'
    printf '%s\n' "$L3" | sed 's|^10|1\x000|'
    printf '%s\0\n' "$L4"
} >nul.log
logs nul --valgrind
totals nul
# by hand: a NUL is a byte like any other in a field (the path, the
# client); a line of NULs and one with a NUL after the agent are malformed
expect_text nul.err "Malformed lines: 2"
summary nul 5 0

begin "input: invalid UTF-8 in the request, the client and as whole lines; JSON stays valid"
{
    printf '%s\n' "$L1" | sed 's|/history|/h\xff\xfe\xc3story|'
    printf '%s\n' "$L2" | sed 's|^unicomp6|\xed\xa0\x80\xc0\xaf|'
    printf '\xf5\x80\x80\x80 \xef\xbf\xbf \xf4\x90\x80\x80\n'
    printf '%s\n' "$L3"
} >utf8.log
logs utf8 --valgrind
totals utf8
expect_text utf8.err "Malformed lines: 1"
# top endpoints hold the raw bytes, shown as code points U+00XX
expect_text utf8.out '["/h\u00ff\u00fe\u00c3story/apollo/",1]'

begin "input: binary garbage (deterministic, 1 MiB) gives malformed lines only, valid JSON"
python3 -c '
import random, sys
r = random.Random(20240229)
sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(1 << 20)))' >garbage.log
logs garbage
totals garbage
summary garbage "$(python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
print(d.count(b"\n") + (not d.endswith(b"\n")))' garbage.log)" 0
# every line handed out as it is: a raw-line pipeline gives them back, in
# JSON that is valid UTF-8, each byte that is not UTF-8 as \u00XX
cat >raw.sp <<'EOF'
param input = "garbage.log"
source lines = file(input)
lines | sink stdout(format: "json", name: "lines")
EOF
sp run -q -B 500 raw.sp >raw.out 2>raw.err
expect_rc 0 raw.err
python3 - <<'EOF' || fail "the lines read back from the JSON differ from the file's"
import json, sys
data = open('garbage.log', 'rb').read()
lines = data.split(b'\n')
if lines[-1] == b'':
    lines.pop()
lines = [l[:-1] if l.endswith(b'\r') else l for l in lines]
def text(b):  # as docs/sinks/stdout.md says: valid UTF-8 as is, other bytes as U+00XX
    s = b.decode('utf-8', 'surrogateescape')
    return ''.join(chr(ord(c) - 0xDC00) if 0xDC80 <= ord(c) <= 0xDCFF else c for c in s)
got = []
for line in open('raw.out', 'rb').read().decode('utf-8').split('\n'):
    if line:
        got += json.loads(line)['value']
want = [text(l) for l in lines]
if got != want:
    print(f"  {len(got)} lines read back, {len(want)} in the file")
    sys.exit(1)
EOF

begin "input: CRLF line ends give the same results as LF, and a lone CR stays"
printf '%s\n' "$L1" "$L2" "$L3" "$L4" "not a log line" >lf.log
sed 's/$/\r/' lf.log >crlf.log
logs lf
logs crlf --valgrind
totals crlf
cmp -s lf.out crlf.out || { fail "CRLF output differs from LF output"; diff lf.out crlf.out | head; }
expect_text crlf.err "Malformed lines: 1"
# two CRs: the line keeps one, which the parsers take as a trailing blank;
# a CR inside a field is a byte of that field
printf '%s\r\r\n' "$L1" >crcr.log
printf '%s\n' "$L2" | sed 's|/shuttle|/shu\rttle|' >>crcr.log
printf '%s\n' "$L3" | sed 's| 304 | 304\r|' >>crcr.log
logs crcr
totals crcr
expect_text crcr.err "Malformed lines: 1"

begin "input: no final newline: the last line counts"
printf '%s\n%s\n%s' "$L1" "$L2" "$L3" >nonl.log
printf '%s\n%s\n%s\n' "$L1" "$L2" "$L3" >nl.log
logs nonl
logs nl
totals nonl
cmp -s nonl.out nl.out || fail "output without the final newline differs"
summary nonl 3 0
printf '%s\n%s\r' "$L1" "$L2" >nonl-cr.log # a final CR without LF is removed too
logs nonl-cr
totals nonl-cr
expect_text nonl-cr.err "Malformed lines: 0"

begin "input: a 10-digit status and sizes that overflow 64 bits are malformed"
{
    printf '%s\n' "$L1"
    printf '%s\n' "$L1" | sed 's/ 200 / 2000000000 /'
    printf '%s\n' "$L1" | sed 's/ 6245$/ 99999999999999999999999/'
    printf '%s\n' "$L1" | sed 's/ 6245$/ 9223372036854775808/'
    printf '%s\n' "$L4" | sed 's/ 2326 / 18446744073709551617 /'
    printf '%s\n' "$L2"
} >numbers.log
logs numbers --valgrind
totals numbers
expect_text numbers.err "Malformed lines: 4"
# by hand: only the two good lines count, sizes 6245 and 3985
expect_text numbers.out '"sink":"total_content_size","batch":0,"time":10000,"value":{"avg":5115,"min":3985,"max":6245,"count":2}'
expect_text numbers.out '"sink":"total_response_codes","batch":0,"time":10000,"value":[[200,2]]'

begin "input: the largest size that fits is read exactly"
printf '%s\n' "$L1" | sed 's/ 6245$/ 9223372036854775807/' >maxsize.log
logs maxsize
totals maxsize
expect_text maxsize.out '"value":{"avg":9223372036854775807,"min":9223372036854775807,"max":9223372036854775807,"count":1}'

begin "input: impossible dates: the line counts, its time is null"
{
    printf '%s\n' "$L1" | sed 's|01/Jul/1995:00:00:01|31/Feb/2024:25:61:61|'
    printf '%s\n' "$L1" | sed 's|01/Jul/1995|31/Feb/2024|'
    printf '%s\n' "$L1" | sed 's|Jul|Foo|'
    printf '%s\n' "$L1" | sed 's|-0400|+9999|'
    printf '%s\n' "$L1" | sed 's|01/Jul/1995|29/Feb/2023|'
    printf '%s\n' "$L1" | sed 's|01/Jul/1995|29/Feb/2024|'
} >dates.log
logs dates
totals dates
expect_text dates.err "Malformed lines: 0"
cat >dates.sp <<'EOF'
use weblog
source lines = file("dates.log")
lines | map parse_access_log | map time | sink stdout(format: "json", name: "t")
EOF
sp run -q dates.sp >dates-times.out 2>dates-times.err
expect_rc 0 dates-times.err
expect_text dates-times.out '"value":[null,null,null,null,null,1709179201000]'

begin "input: an empty file: one batch, no records, exit 0, 'No access logs'"
: >empty.log
logs empty --valgrind
totals empty
summary empty 0 0
sp run "$LOGS" -p input=empty.log >empty-text.out 2>empty-text.err
expect_rc 0 empty-text.err
expect_text empty-text.out "No access logs in this time interval"
expect_text empty-text.out "Malformed lines: 0"
expect_text empty-text.err "Malformed lines: 0"
# and one holding only line ends: empty lines, each malformed
printf '\n\r\n\n' >newlines.log
logs newlines
totals newlines
expect_text newlines.err "Malformed lines: 3"

begin "input: a followed file truncated and rotated while hostile lines are read"
cat >follow.sp <<'EOF'
use weblog
batch 200ms
source lines = file("follow.log", follow: true)
parsed = lines | map (it, parse_access_log(it))
parsed | filter _2 != null | map _2.size | sink stdout("sizes", format: "json")
parsed | filter _2 == null | count | sink stdout("bad", format: "json")
EOF
cat >follow-values.py <<'EOF'
import json, sys
sizes, bad = [], 0
for line in open(sys.argv[1], encoding='utf-8'):
    j = json.loads(line)
    if j['sink'] == 'sizes':
        sizes += j['value']
    else:
        bad += j['value']
print(' '.join(map(str, sizes)), '|', bad)
EOF
follow_seen() { # N: at least N sizes written
    [ -s follow.out ] && [ "$(python3 follow-values.py follow.out | cut -d'|' -f1 | wc -w)" -ge "$1" ]
}
follow_bad() { # N: at least N malformed lines counted
    [ -s follow.out ] && [ "$(python3 follow-values.py follow.out | cut -d'|' -f2)" -ge "$1" ]
}
wait_for() { # SECONDS N [BAD]: N sizes written (and BAD malformed lines counted)
    local i
    for ((i = 0; i < $1 * 10; i++)); do
        follow_seen "$2" && follow_bad "${3:-0}" && return 0
        sleep 0.1
    done
    fail "fewer than $2 sizes (or ${3:-0} malformed lines) read after $1 s"
    return 1
}
printf '%s\n' "$L1" "$L2" >follow.log
timeout --foreground -s KILL 60 "$STREAMPIPE" run follow.sp >follow.out 2>follow.err &
bgpid=$!
background+=("$bgpid")
wait_for 10 2
# a long line still being written (no newline yet), then its end, a CRLF
# line, a NUL line and a size overflow
head -c $((3 << 19)) /dev/zero | tr '\0' 'y' >>follow.log
sleep 0.5
printf 'yyy\n%s\r\n\0\0\n' "$L3" >>follow.log
printf '%s\n' "$L1" | sed 's/ 6245$/ 99999999999999999999999/' >>follow.log
# every line read before the truncation, which would take those not read yet
wait_for 10 3 2
# truncated, then rewritten
: >follow.log
printf '%s\n' "$L4" >>follow.log
wait_for 10 4
# rotated: the old file gets a last line, a new one takes the path
printf '%s\n' "$L2" >>follow.log
mv follow.log follow.log.1
printf '%s\n' "$L1" >>follow.log.1
printf '%s\n%s' "$L3" "partial, never ended" >follow.log
wait_for 10 7
kill -INT "$bgpid"
for ((i = 0; i < 50; i++)); do kill -0 "$bgpid" 2>/dev/null || break; sleep 0.1; done
wait "$bgpid"
rc=$?
bgpid=
expect_rc 0 follow.err
got=$(python3 follow-values.py follow.out)
[ "$got" = "6245 3985 0 2326 3985 6245 0 | 2" ] ||
    { fail "sizes and malformed count: got '$got', expected '6245 3985 0 2326 3985 6245 0 | 2'"; show follow.err; }
expect_text follow.err "was truncated"
summary follow 9 1

# ======================================================================
# Sinks that cannot write
# ======================================================================

cat >sink.sp <<'EOF'
param out = "out.txt"
param format = "text"
param input = "lf.log"
source lines = file(input)
lines | count | sink file(out, format: format, name: "line_count")
EOF

begin "sinks: a file sink under a directory that does not exist"
sp run sink.sp -p out="$tmp/no/such/dir/out.txt" >nodir.out 2>nodir.err
expect_rc 1 nodir.err
expect_text nodir.err "streampipe run: file sink 'line_count': cannot open output '$tmp/no/such/dir/out.txt': No such file or directory"

begin "sinks: a file sink whose path is a directory"
mkdir -p adir
sp run sink.sp -p out=adir >dir.out 2>dir.err
expect_rc 1 dir.err
expect_text dir.err "file sink 'line_count': cannot open output 'adir': Is a directory"

begin "sinks: a file sink on /dev/full (fprintf succeeds, the flush fails), text and JSON"
if [ -w /dev/full ]; then
    for format in text json; do
        sp --valgrind run -q sink.sp -p out=/dev/full -p format=$format >full.out 2>full.err
        expect_rc 1 full.err
        expect_text full.err "streampipe: file sink 'line_count': writing to /dev/full failed: No space left on device"
    done
    # final: true writes at the end of the run: that write is checked too
    cat >full-final.sp <<'EOF'
source lines = file("lf.log")
lines | count | sink file("/dev/full", name: "total", final: true)
EOF
    sp run -q full-final.sp >full-final.out 2>full-final.err
    expect_rc 1 full-final.err
    expect_text full-final.err "file sink 'total': writing to /dev/full failed: No space left on device"
else
    echo "note: /dev/full is not there; skipping"
fi

begin "sinks: standard output and standard error on /dev/full"
if [ -w /dev/full ]; then
    cat >stdout.sp <<'EOF'
source lines = file("lf.log")
lines | count | sink stdout "lines"
EOF
    sp run -q stdout.sp >/dev/full 2>stdout.err
    expect_rc 1 stdout.err
    expect_text stdout.err "streampipe: stdout sink 'lines': writing to standard output failed: No space left on device"
    sp run -q "$LOGS" -p input=lf.log -p format=json >/dev/full 2>stdout2.err
    expect_rc 1 stdout2.err
    expect_text stdout2.err "writing to standard output failed: No space left on device"
    cat >stderr.sp <<'EOF'
source lines = file("lf.log")
lines | count | sink stderr "lines"
EOF
    sp run -q stderr.sp 2>/dev/full
    expect_rc 1 /dev/null
else
    echo "note: /dev/full is not there; skipping"
fi

begin "sinks: a file sink on a full file system (a 64 KiB tmpfs)"
mkdir -p small
if mount -t tmpfs -o size=64k tmpfs small 2>/dev/null; then
    mounted=$tmp/small
    # 1 MiB of garbage lines written back, 100 per batch: the disk fills
    # in the middle of a batch
    cat >fill.sp <<'EOF'
source lines = file("garbage.log")
lines | sink file("small/out.txt", name: "copy")
EOF
    sp run -B 100 fill.sp >fill.out 2>fill.err
    expect_rc 1 fill.err
    expect_text fill.err "streampipe: file sink 'copy': writing to small/out.txt failed: No space left on device"
    [ "$(stat -c %s small/out.txt)" -le 65536 ] || fail "more written than the file system holds?"
    umount small && mounted=
else
    echo "note: mounting a tmpfs is not permitted here; skipping this case"
fi

begin "sinks: a Kafka sink whose broker is down fails within its timeout, exit status 1"
port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
cat >kafka.sp <<'EOF'
param brokers = "127.0.0.1:1"
source lines = file("lf.log")
lines | sink kafka("hostile", brokers: brokers, name: "copy")
EOF
t0=$SECONDS
sp run -q kafka.sp -p brokers="127.0.0.1:$port" >kafka.out 2>kafka.err
expect_rc 1 kafka.err
[ $((SECONDS - t0)) -le 30 ] || fail "it took $((SECONDS - t0)) s (the sink waits 10 s for delivery)"
expect_text kafka.err "kafka sink 'hostile' at 127.0.0.1:$port: 5 messages not delivered"

finish
echo "run_hostile.sh: $tests tests, $failed failed"
[ "$failed" -eq 0 ]
