#!/usr/bin/env bash
# run_limits.sh - bounded memory: input that comes much faster than it can be
# processed.
#
# A followed file (batches of 100 ms) gets 600,000 access-log lines (about
# 140 MB) appended at once, far more than a batch can parse.  With
# --batch-records 20000 --batch-bytes 4M, each batch takes at most that
# much and the rest waits in the file: the peak RSS stays under 96 MiB and
# every line is counted, none lost.  The same flood without limits (one
# batch takes it all) is run too, to show what the limits prevent: its peak
# RSS must be several times higher, else the test proves nothing.
#
# A Kafka topic (the embedded broker, 64 partitions) of 600,000 lines (70
# MB) read to its end with the same limits: librdkafka fetches ahead at
# most 16 MiB of messages (queued.max.messages.kbytes) and 100,000 of them,
# plus one fetch response (about 40 MiB of memory with its bookkeeping):
# the peak RSS stays under 128 MiB (about 80 here; without that bound
# librdkafka takes the whole topic in: over 190 MiB), every line counted.
#
# Environment (set by `make check`): STREAMPIPE, top_srcdir.
# Exit status: 0 pass, 1 fail, 77 skip.

set -u

export LC_ALL=C
unset STREAMPIPE_PATH STREAMPIPE_CONFIG

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
. "$top_srcdir/tests/testlib.sh"
setup run_limits.sh python3 timeout

LIMIT_KB=$((96 * 1024))
KAFKA_LIMIT_KB=$((128 * 1024))
RATIO=3
# a sanitizer build keeps shadow memory and a quarantine of freed blocks
# (256 MiB): its RSS says little; only the comparison is kept
if grep -q __asan_init "$STREAMPIPE" 2>/dev/null; then
    LIMIT_KB=$((1024 * 1024))
    KAFKA_LIMIT_KB=$((1024 * 1024))
    RATIO=2
    echo "run_limits.sh: an ASan build: no absolute limit, the unlimited run must take twice the memory"
fi
N=600000

cat >flood.sp <<'EOF'
use weblog
param input = "flood.log"
batch 100ms
source lines = file(input, follow: true)
lines | count | map ("lines", it) | updateStateByKey running_sum | map _2 | sink stdout(name: "lines", format: "json")
lines | map parse_access_log(it) | filter it != null | map (status, 1) | updateStateByKey running_sum
  | sink stdout(name: "codes", format: "json", final: true)
EOF

# rss.py COMMAND...: runs COMMAND, then prints its peak RSS (KiB) on stderr.
cat >rss.py <<'EOF'
import resource, subprocess, sys
p = subprocess.run(sys.argv[1:])
print("peak_rss_kb", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(p.returncode)
EOF

line=$(head -n 1 "$top_srcdir/tests/data/elastic-apache-combined-excerpt.log")

# flood NAME OPTIONS...: follows an empty file, appends $N lines at once,
# waits until all are counted (at most 60 s), stops the run with SIGTERM.
# Sets $peak (KiB), $rc, $counted (the last running count).
flood() {
    local name=$1 i pid
    shift
    rm -f flood.log
    : >flood.log
    timeout -s KILL 90 python3 rss.py "$STREAMPIPE" run "$@" flood.sp >"$name.out" 2>"$name.err" &
    pid=$!
    sleep 0.3
    yes "$line" | head -n "$N" >>flood.log
    for ((i = 0; i < 600; i++)); do
        tail -n 1 "$name.out" 2>/dev/null | grep -q "\[$N\]" && break
        sleep 0.1
    done
    # this run only (the other tests may run at the same time: make -j check)
    pkill -TERM -f "^$STREAMPIPE run .*flood\.sp$" 2>/dev/null
    wait "$pid"
    rc=$?
    peak=$(sed -n 's/^peak_rss_kb //p' "$name.err")
    counted=$(grep '"sink":"lines"' "$name.out" | tail -n 1 | sed 's/.*\[\([0-9]*\)\].*/\1/')
}

begin "a flood of $N lines with limits: peak RSS under $((LIMIT_KB / 1024)) MiB, every line counted"
flood limited --batch-records 20000 --batch-bytes 4M
echo "  peak RSS $((peak / 1024)) MiB, $(grep -c '"sink":"lines"' limited.out) batches"
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show limited.err; }
[ "$counted" = "$N" ] || { fail "$counted lines counted, not $N"; show limited.err; }
[ -n "$peak" ] && [ "$peak" -lt "$LIMIT_KB" ] || fail "peak RSS ${peak:-?} KiB, over $LIMIT_KB KiB"
grep -q "\"codes\".*\[\[200,$N\]\]" limited.out || { fail "the status counts are not [[200,$N]]"; show limited.out; }
limited_peak=${peak:-0}

begin "the same flood without limits takes far more memory (what the limits prevent)"
flood unlimited --batch-records 100000000 --batch-bytes 4G
echo "  peak RSS $((peak / 1024)) MiB"
[ "$counted" = "$N" ] || fail "$counted lines counted, not $N"
[ -n "$peak" ] && [ "$peak" -gt $((limited_peak * RATIO)) ] ||
    fail "peak RSS ${peak:-?} KiB is not $RATIO times the limited run's $limited_peak KiB: the flood does not test the limits"

KN=600000
begin "a Kafka topic of $KN lines read to its end with limits: peak RSS under $((KAFKA_LIMIT_KB / 1024)) MiB, every line it holds counted"
# 64 partitions: the embedded broker keeps only the last MB or so of each
timeout -s KILL 120 "$STREAMPIPE" broker --topic kflood:64 >broker.out 2>broker.err &
background+=($!)
for ((i = 0; i < 100; i++)); do
    [ -s broker.out ] && break
    sleep 0.1
done
addr=$(head -n 1 broker.out)
timeout -s KILL 60 "$STREAMPIPE" gen -q --brokers "$addr" --topic kflood --count "$KN" --seed 3 2>gen.err ||
    { fail "gen could not fill the topic"; show gen.err; }
# what the topic holds, read by an independent client: the mock cluster may
# already have dropped the oldest messages of a partition (its retention)
kcat=${KCAT:-$(command -v kcat || true)}
held=$KN
if [ -n "$kcat" ]; then
    held=$(timeout -s KILL 60 "$kcat" -C -b "$addr" -t kflood -o beginning -e -q | wc -l)
    [ "$held" -ge $((KN * 9 / 10)) ] || fail "the topic holds only $held of $KN lines"
fi
sed -e 's/^source lines = .*/source lines = input(input)/' -e '/^batch /d' flood.sp >kflood.sp
timeout -s KILL 90 python3 rss.py "$STREAMPIPE" run --batch-records 20000 --batch-bytes 4M kflood.sp \
    -p "input=kafka://$addr/kflood?until=end" >kafka.out 2>kafka.err
rc=$?
peak=$(sed -n 's/^peak_rss_kb //p' kafka.err)
counted=$(grep '"sink":"lines"' kafka.out | tail -n 1 | sed 's/.*\[\([0-9]*\)\].*/\1/')
echo "  peak RSS $((${peak:-0} / 1024)) MiB, $(grep -c '"sink":"lines"' kafka.out) batches, $held lines in the topic"
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show kafka.err; }
[ "$counted" = "$held" ] || { fail "$counted lines counted, not the $held the topic holds"; show kafka.err; }
[ -n "$peak" ] && [ "$peak" -lt "$KAFKA_LIMIT_KB" ] || fail "peak RSS ${peak:-?} KiB, over $KAFKA_LIMIT_KB KiB"

finish
echo "run_limits.sh: $tests tests, $failed failed"
[ "$failed" -eq 0 ]
