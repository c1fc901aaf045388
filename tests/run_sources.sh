#!/usr/bin/env bash
# run_sources.sh - the live sources, run for real: file(path, follow: true)
# (appends, a partial last line, rotation, truncation, a missing file,
# from: "end", standard input read live, SIGINT), tcp (connecting to a
# server, reconnecting, listening for several clients over IPv4 and IPv6) and
# the rules every line reader follows (CRLF, empty lines, NUL bytes, invalid
# UTF-8, a line of exactly 1 MiB, over-long lines counted and skipped, a last
# line without newline).
#
# Every run is wrapped in `timeout`, and every wait has a deadline: the
# script cannot hang.  It writes only under a temporary directory.  python3
# plays the TCP servers and clients and writes slowly to pipes.
#
# Environment (set by `make check`): STREAMPIPE, the absolute path of the
# binary; top_srcdir, the source tree.  Exit status: 0 pass, 1 fail, 77 skip.

set -u

export LC_ALL=C
unset STREAMPIPE_PATH

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
. "$top_srcdir/tests/testlib.sh"
setup run_sources.sh python3 timeout

# ----- the helpers -----

# values FILE: the elements of every JSON line a sink wrote, one per line
# (strings as they are, other values as JSON).
cat >"$tmp/values.py" <<'EOF'
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="surrogateescape"):
    v = json.loads(line)["value"]
    for x in v if isinstance(v, list) else [v]:
        print(x if isinstance(x, str) else json.dumps(x))
EOF
values() {
    python3 "$tmp/values.py" "$1"
}

# total FILE: the sum of the counts written by the sink named "n".
total() {
    python3 -c '
import json, sys
print(sum(j["value"] for j in map(json.loads, open(sys.argv[1])) if j["sink"] == "n"))' "$1"
}

# TCP servers and clients, and a slow writer.
cat >"$tmp/net.py" <<'EOF'
import os, socket, sys, time

def server(portfile, port, rounds):
    """Listens on 127.0.0.1:port (0: any; the port is written to portfile);
    for each round, accepts one connection, sends it the lines of that round
    (the last one in two pieces), waits a little, closes."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(4)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(s.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    s.settimeout(20)
    for n in rounds:
        c, _ = s.accept()
        c.sendall(b"".join(b"line %d\n" % i for i in range(n - 1)) + b"line ")
        time.sleep(0.3)
        c.sendall(b"%d\n" % (n - 1))
        time.sleep(0.2)
        c.close()

def client(host, port, n, tag):
    c = socket.create_connection((host, int(port)), timeout=10)
    for i in range(n):
        c.sendall(b"%s %d\r\n" % (tag.encode(), i))
    c.sendall(b"%s last, no newline" % tag.encode())
    time.sleep(0.3)
    c.close()

def rules(port):
    """Sends the line-rule cases, split at awkward places, then closes."""
    M = 1 << 20
    c = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
    for piece in [b"crlf\r\n\r\n\nx\r\r\nnul\x00byte\nbad\xff\xfeutf8\n",
                  b"m" * M + b"\r", b"\nlong" + b"y" * M, b"yy\nafter long\n",
                  b"a\rb\n" + b"z" * (M + 1) + b"\r\nlast"]:
        c.sendall(piece)
        time.sleep(0.15)
    c.close()

def slow(*chunks):
    """Writes the chunks (with \\n escapes) to stdout, 0.3 s apart."""
    out = sys.stdout.buffer
    for ch in chunks:
        out.write(ch.encode().decode("unicode_escape").encode("latin-1"))
        out.flush()
        time.sleep(0.3)

def freeport():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])

def has_ipv6():
    try:
        s = socket.socket(socket.AF_INET6)
        s.bind(("::1", 0))
        print("yes")
    except OSError:
        print("no")

cmd = sys.argv[1]
if cmd == "server":
    server(sys.argv[2], int(sys.argv[3]), [int(x) for x in sys.argv[4:]])
elif cmd == "client":
    client(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
elif cmd == "rules":
    rules(sys.argv[2])
elif cmd == "slow":
    slow(*sys.argv[2:])
elif cmd == "freeport":
    freeport()
elif cmd == "has_ipv6":
    has_ipv6()
EOF

# Runs the pipeline NAME.sp in the background (at most 30 s), output in
# NAME.out and NAME.err; the process in $pid.  (--foreground: without it,
# timeout passes a SIGINT on to the run twice, and a second SIGINT makes
# streampipe exit at once, with status 130.)
start() {
    local name=$1
    shift
    timeout --foreground -s KILL 30 "$STREAMPIPE" run "$@" "$name.sp" >"$name.out" 2>"$name.err" &
    pid=$!
}

# Stops the run in $pid with SIGINT; its exit status in $rc.  It must stop
# within 3 s.
stop() {
    kill -INT "$pid" 2>/dev/null
    local i
    for ((i = 0; i < 30; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        fail "the run did not stop within 3 s of SIGINT"
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid"
    rc=$?
}

seen_values() { # FILE N: at least N elements written
    [ -s "$1" ] && [ "$(values "$1" | wc -l)" -ge "$2" ]
}
seen_total() { # FILE N: the counts add up to at least N
    [ -s "$1" ] && [ "$(total "$1")" -ge "$2" ]
}

# expect_values NAME EXPECTED: the elements written, one per line, are
# exactly EXPECTED (lines).
expect_values() {
    local got
    got=$(values "$1.out")
    if [ "$got" != "$2" ]; then
        fail "unexpected elements"
        diff <(printf '%s\n' "$2") <(printf '%s\n' "$got") | sed 's/^/    /' | head -40
        show "$1.err"
    fi
}

# expect_stopped NAME: exit status 0 and the summary on standard error.
expect_stopped() {
    [ "$rc" -eq 0 ] || { fail "exit status $rc, expected 0"; show "$1.err"; }
    has_text "$1.err" "records read" || { fail "no summary on standard error"; show "$1.err"; }
}

follow_sp() { # NAME SOURCE-ARGUMENTS: a pipeline writing every line of the source
    cat >"$1.sp" <<EOF
batch 200ms
source lines = $2
lines | map it | sink stdout("l", format: "json")
EOF
}

# ----- follow -----

begin "follow: appended lines, a partial line held until its newline"
printf 'a\nb\n' >f1.log
follow_sp f1 'file("f1.log", follow: true)'
start f1
until_true 5 seen_values f1.out 2 || fail "the first lines were not read"
printf 'c\nd' >>f1.log
until_true 5 seen_values f1.out 3 || fail "an appended line was not read"
sleep 0.5 # several batches: "d" has no newline yet and must wait
printf '\n\ne\r\n' >>f1.log
until_true 5 seen_values f1.out 6 || fail "the completed line was not read"
stop
expect_stopped f1
expect_values f1 "a
b
c
d

e"
if grep -q '"value":\["d"\]' f1.out; then fail "the partial line 'd' was handed out alone"; fi
case $(grep -o '"time":[0-9]*' f1.out | head -1) in
'"time":1'??????????*) ;;
*) fail "a followed file should follow the clock (wall-clock batch times)"; show f1.out ;;
esac

begin "follow: rotation (mv + new file) and truncation lose nothing, duplicate nothing"
for i in 1 2 3; do echo "old $i"; done >f2.log
follow_sp f2 'file("f2.log", follow: true)'
start f2
until_true 5 seen_values f2.out 3 || fail "the first lines were not read"
# rotation: the old file gets two more lines (one after the mv), a partial
# last line, and a new file takes the path, all within one batch
printf 'old 4\n' >>f2.log
mv f2.log f2.log.1
printf 'old 5\nold partial' >>f2.log.1
printf 'new 1\nnew 2\n' >f2.log
until_true 5 seen_values f2.out 8 || fail "the rotated lines were not read"
printf 'new 3\n' >>f2.log
until_true 5 seen_values f2.out 9 || fail "a line appended to the new file was not read"
# truncation to a shorter size
: >f2.log
printf 't1\n' >>f2.log
until_true 5 seen_values f2.out 10 || fail "a line after a truncation was not read"
# truncation, then rewritten longer than before, before the next batch
: >f2.log
printf 'rewritten 1 xxxxxxxxxxxxxxxx\nrewritten 2\n' >>f2.log
until_true 5 seen_values f2.out 12 || fail "the lines of a rewritten file were not read"
# the path gone for a while, then back
rm f2.log
sleep 0.5
printf 'back 1\n' >f2.log
until_true 5 seen_values f2.out 13 || fail "the file was not read again after it came back"
stop
expect_stopped f2
expect_values f2 "old 1
old 2
old 3
old 4
old 5
old partial
new 1
new 2
new 3
t1
rewritten 1 xxxxxxxxxxxxxxxx
rewritten 2
back 1"
[ "$(grep -c 'was truncated' f2.err)" -eq 2 ] || { fail "expected two truncation notices"; show f2.err; }
has_text f2.err "truncations so far: 2" || { fail "the truncations are not counted"; show f2.err; }
has_text f2.err "is gone" || { fail "no notice when the file is gone"; show f2.err; }
# each outage is said once, and its end once (a race with the mv may add one)
[ "$(grep -c 'is gone' f2.err)" -eq "$(grep -c 'is there again' f2.err)" ] ||
    { fail "each outage should be noticed once, and its end once"; show f2.err; }

begin "follow: a file that does not exist yet, input(\"PATH?follow=1\")"
follow_sp f3 'input("f3.log?follow=1")'
start f3
until_true 5 has_text f3.err "does not exist" || fail "no notice about the missing file"
printf 'first\nsecond\n' >f3.log
until_true 5 seen_values f3.out 2 || fail "the file was not read once it appeared"
stop
expect_stopped f3
expect_values f3 "first
second"

begin "follow: from: \"end\" and input(\"file:PATH?follow=1&from=end\")"
printf 'skip 1\nskip 2\nbeing writ' >f4.log
cp f4.log f5.log
follow_sp f4 'file("f4.log", follow: true, from: "end")'
follow_sp f5 'input("file:f5.log?follow=1&from=end")'
start f4
pid4=$pid
start f5
pid5=$pid
# the first batch is written once the file is open (and its end found)
until_true 10 test -s f4.out || fail "file(): no first batch"
until_true 10 test -s f5.out || fail "input(): no first batch"
printf 'ten\nnew\n' >>f4.log
printf 'ten\nnew\n' >>f5.log
pid=$pid4
until_true 5 seen_values f4.out 2 || fail "file(): lines after the start were not read"
stop
expect_stopped f4
expect_values f4 "being written
new"
pid=$pid5
until_true 5 seen_values f5.out 2 || fail "input(): lines after the start were not read"
stop
expect_stopped f5
expect_values f5 "being written
new"

begin "follow: standard input read live, the run ends with the input"
follow_sp f6 'file("-", follow: true)'
timeout -s KILL 20 python3 "$tmp/net.py" slow 'one\ntw' 'o\n' 'three' |
    timeout -s KILL 20 "$STREAMPIPE" run f6.sp >f6.out 2>f6.err
rc=$?
expect_stopped f6
expect_values f6 "one
two
three"
# batches by the clock (wall-clock times), not one batch at the end
grep -q '"time":1[0-9]\{12\},' f6.out || { fail "expected wall-clock batch times"; show f6.out; }
[ "$(grep -c '"value":\[".*"\]' f6.out)" -ge 2 ] || { fail "expected the lines in several batches"; show f6.out; }

begin "follow: SIGINT stops the run after the current batch, exit status 0"
seq 1 5 >f7.log
follow_sp f7 'file("f7.log", follow: true)'
start f7
until_true 5 seen_values f7.out 5 || fail "the lines were not read"
stop
expect_stopped f7
has_text f7.err "5 records read" || { fail "unexpected summary"; show f7.err; }

begin "follow and input: what cannot work is refused before the first batch"
for src in 'file("f7.log", follow: true, from: "middle")' 'file("f7.log", from: "end")' \
    'input("f7.log?from=end")' 'file(".", follow: true)' 'tcp("nohostport")' 'tcp("localhost:0")' \
    'input("tcp://localhost:99999")' 'input("tcp://:0?listen=maybe")'; do
    printf 'source lines = %s\nlines | count | sink stdout\n' "$src" >bad.sp
    timeout -s KILL 10 "$STREAMPIPE" run bad.sp >bad.out 2>bad.err
    rc=$?
    if [ "$rc" -ne 1 ] || [ -s bad.out ] || ! grep -q '^streampipe run: ' bad.err; then
        fail "$src: expected exit status 1 and a message, got $rc"
        show bad.err
    fi
done

# ----- line rules -----

begin "lines: every length around the reader's 64-byte blocks, in batches cut by lines and by bytes"
# the file reader finds newlines 64 bytes at a time: lines of 0 to 200
# bytes, some ending in CRLF, as one file, in batches cut by count and by
# bytes; each line's length and its first byte must come out in order
python3 - <<'EOF'
import random
random.seed(5)
lines = []
for i in range(6000):
    n = random.choice([0, 1, 62, 63, 64, 65, 126, 127, 128, 129, 190, random.randint(0, 200)])
    lines.append(bytes(random.choice(b"ab \t\x00") for _ in range(n)) + (b"\r" if i % 5 == 0 else b""))
open("blocks.txt", "wb").write(b"".join(l + b"\n" for l in lines) + b"end without newline")
with open("blocks.expected", "w") as f:
    for l in lines + [b"end without newline"]:
        l = l[:-1] if l.endswith(b"\r") else l
        f.write("%d %d\n" % (len(l), l[0] if l else -1))
EOF
cat >blocks.sp <<'EOF'
source lines = file("blocks.txt")
lines | map (length(it), if it == "" then -1 else to_int(substr(it, 0, 1) == "a") ) | sink stdout("l", format: "json")
EOF
for opts in "" "-B 7" "--batch-bytes 1000" "--batch-bytes 64K -B 333"; do
    timeout -s KILL 20 "$STREAMPIPE" run $opts blocks.sp >blocks.out 2>blocks.err
    rc=$?
    expect_stopped blocks
    python3 - <<'EOF' || fail "lines of every length ($opts): not as written"
import json
got = []
for line in open("blocks.out"):
    got += json.loads(line)["value"]
want = [tuple(map(int, l.split())) for l in open("blocks.expected")]
want = [(n, -1 if b < 0 else int(b == ord("a"))) for n, b in want]
assert [tuple(g) for g in got] == want, (len(got), len(want))
EOF
done

begin "lines: the same rules for a file, standard input, a followed file and tcp"
# the cases, each split at an awkward place by the writers
M=$((1 << 20))
python3 - "$M" <<'EOF'
import sys
M = int(sys.argv[1])
data = (b"crlf\r\n\r\n\nx\r\r\nnul\x00byte\nbad\xff\xfeutf8\n" + b"m" * M + b"\r\nlong" + b"y" * (M + 2)
        + b"\nafter long\na\rb\n" + b"z" * (M + 1) + b"\r\nlast")
open("rules.txt", "wb").write(data)
EOF
expected_lengths="4
0
0
2
8
9
$M
10
3
4"
cat >rules_file.sp <<'EOF'
source lines = file("rules.txt")
lines | map length(it) | sink stdout("l", format: "json")
EOF
timeout -s KILL 20 "$STREAMPIPE" run rules_file.sp >rules_file.out 2>rules_file.err
rc=$?
expect_stopped rules_file
expect_values rules_file "$expected_lengths"
has_text rules_file.err "2 rejected" || { fail "file: expected 2 lines rejected"; show rules_file.err; }
# standard input, with a read ending right after the '\r' of the 1 MiB line
cat >rules_stdin.sp <<'EOF'
source lines = stdin
lines | map length(it) | sink stdout("l", format: "json")
EOF
python3 -c '
import sys, time
d = open("rules.txt", "rb").read()
cut = d.index(b"\r\nlong") + 1
for part in (d[:cut], d[cut:]):
    sys.stdout.buffer.write(part); sys.stdout.buffer.flush(); time.sleep(0.3)
' | timeout -s KILL 20 "$STREAMPIPE" run rules_stdin.sp >rules_stdin.out 2>rules_stdin.err
rc=$?
expect_stopped rules_stdin
expect_values rules_stdin "$expected_lengths"
has_text rules_stdin.err "2 rejected" || { fail "stdin: expected 2 lines rejected"; show rules_stdin.err; }
# a followed file, written in the same pieces as over tcp below
: >rules_follow.txt
cat >rules_follow.sp <<'EOF'
batch 200ms
source lines = file("rules_follow.txt", follow: true)
lines | map length(it) | sink stdout("l", format: "json")
EOF
start rules_follow
python3 -c '
import time
d = open("rules.txt", "rb").read()
cut = d.index(b"\r\nlong") + 1
cut2 = d.index(b"after long")
with open("rules_follow.txt", "ab") as f:
    for part in (d[:cut], d[cut:cut2 - 100], d[cut2 - 100:], b"\n"):
        f.write(part); f.flush(); time.sleep(0.3)
'
until_true 5 seen_values rules_follow.out 10 || fail "followed file: not every line was read"
stop
expect_stopped rules_follow
expect_values rules_follow "$expected_lengths"
has_text rules_follow.err "2 rejected" || { fail "follow: expected 2 lines rejected"; show rules_follow.err; }

# ----- tcp -----

begin "tcp: lines from a server, reconnecting after it closes"
cat >t1.sp <<'EOF'
param address = "localhost:9999"
batch 200ms
source lines = tcp(address)
lines | count | sink stdout("n", format: "json")
EOF
timeout -s KILL 30 python3 "$tmp/net.py" server t1.port 0 1000 300 &
background+=($!)
until_true 5 test -s t1.port || fail "the test server did not start"
start t1 -p "address=localhost:$(cat t1.port)"
until_true 10 seen_total t1.out 1300 || fail "not every line was counted"
closed_twice() { [ "$(grep -c 'closed the connection' t1.err)" -ge 2 ]; }
until_true 5 closed_twice || fail "the server's second close was not noticed"
sleep 0.6 # failed attempts to connect again: nothing more is said
stop
expect_stopped t1
[ "$(total t1.out)" = 1300 ] || { fail "counted $(total t1.out) lines, expected 1300"; show t1.err; }
# two outages (the server closes twice), each said once; reconnecting after
# the first is said too; the failed attempts after the second say nothing more
[ "$(grep -c 'closed the connection' t1.err)" -eq 2 ] || { fail "expected two outage notices"; show t1.err; }
[ "$(grep -c "': connected" t1.err)" -eq 1 ] || { fail "expected one notice of connecting again"; show t1.err; }
! has_text t1.err "cannot connect" || { fail "an outage was said twice"; show t1.err; }

begin "tcp: a server that is not there yet, input(\"tcp://HOST:PORT\")"
port=$(python3 "$tmp/net.py" freeport)
cat >t2.sp <<EOF
batch 200ms
source lines = input("tcp://127.0.0.1:$port")
lines | map it | sink stdout("l", format: "json")
EOF
start t2
until_true 5 has_text t2.err "cannot connect" || fail "no notice while the server is not there"
sleep 0.5 # a few more failed attempts: still one notice
timeout -s KILL 30 python3 "$tmp/net.py" server t2.port "$port" 3 &
background+=($!)
until_true 10 seen_values t2.out 3 || fail "the lines were not read once the server came"
stop
expect_stopped t2
expect_values t2 "line 0
line 1
line 2"
[ "$(grep -c 'cannot connect' t2.err)" -eq 1 ] || { fail "the outage should be noticed once"; show t2.err; }

begin "tcp: listening, several clients (IPv4 and IPv6), partial lines held per client"
cat >t3.sp <<'EOF'
batch 200ms
source lines = tcp(address: ":0", listen: true)
lines | count | sink stdout("n", format: "json")
lines | filter contains(it, "last") | sink stdout("last", format: "json")
EOF
start t3
until_true 5 has_text t3.err "listening on port" || fail "no notice of the port"
port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' t3.err)
v6host=127.0.0.1
[ "$(python3 "$tmp/net.py" has_ipv6)" = yes ] && v6host=::1
python3 "$tmp/net.py" client 127.0.0.1 "$port" 500 a &
c1=$!
python3 "$tmp/net.py" client "$v6host" "$port" 700 b &
c2=$!
wait $c1 || fail "client 1 failed"
wait $c2 || fail "client 2 failed"
until_true 10 seen_total t3.out 1202 || fail "not every line was counted"
stop
expect_stopped t3
[ "$(total t3.out)" = 1202 ] || { fail "counted $(total t3.out) lines, expected 1202"; show t3.err; }
got=$(grep '"sink":"last"' t3.out >t3.last; values t3.last | sort)
[ "$got" = "a last, no newline
b last, no newline" ] || { fail "the clients' last lines: $got"; show t3.out; }

begin "tcp: line rules, and listening on a port in use is refused"
cat >t4.sp <<'EOF'
param address = ":0"
batch 200ms
source lines = tcp(address, listen: true)
lines | map length(it) | sink stdout("l", format: "json")
EOF
start t4
until_true 5 has_text t4.err "listening on port" || fail "no notice of the port"
port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' t4.err)
python3 "$tmp/net.py" rules "$port" || fail "the rules client failed"
until_true 5 seen_values t4.out 10 || fail "not every line was read"
# a second run cannot listen on the same port
timeout -s KILL 10 "$STREAMPIPE" run -p "address=127.0.0.1:$port" t4.sp >t4b.out 2>t4b.err
rc=$?
if [ "$rc" -ne 1 ] || ! grep -q 'cannot listen' t4b.err; then
    fail "listening on a port in use: exit status $rc"
    show t4b.err
fi
stop
expect_stopped t4
expect_values t4 "$expected_lengths"
has_text t4.err "2 rejected" || { fail "tcp: expected 2 lines rejected"; show t4.err; }

finish
echo "run_sources.sh: $tests tests, $failed failed"
[ "$failed" -eq 0 ]
