#!/usr/bin/env bash
# run_kafka.sh - Kafka, for real: `streampipe broker` (the embedded broker
# alone) shared by kcat, `streampipe gen` and several `streampipe run`s.
#
#   - pipelines/logs.sp over a topic (3 partitions, until=end) gives the same
#     totals as over the file, and as tests/logs_totals.py;
#   - committed offsets: a group reads half of a topic, the rest is produced,
#     the group reads again and sees exactly the new lines;
#   - until=end without a group: every message of every partition, as kcat
#     reads them; nothing committed (kcat in the group still reads them
#     all); from=OFFSET, -N and latest per partition; with a checkpoint, the
#     next run reads exactly what came since;
#   - the kafka sink: one message per element, text and JSON, read back with
#     kcat; a sink that cannot deliver fails the run, naming the topic;
#   - `streampipe gen`: deterministic for a seed, and --count lines into Kafka;
#   - the broker down for 2 s while gen writes and a live run reads: nothing
#     is lost, nothing read twice;
#   - mistakes in kafka:// URIs are said before anything runs.
#
# Every command runs under `timeout`; every wait has a deadline; the broker
# and the background runs are stopped on exit.  It writes only under a
# temporary directory.
#
# Environment (set by `make check`): STREAMPIPE, the absolute path of the
# binary; top_srcdir, the source tree; KCAT, kcat's path (empty: skip).
# Exit status: 0 pass, 1 fail, 77 skip.

set -u

export LC_ALL=C
unset STREAMPIPE_PATH STREAMPIPE_CONFIG

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
if [ -z "${KCAT:-}" ]; then
    echo "run_kafka.sh: kcat is not installed (KCAT is empty); skipping"
    exit 77
fi
. "$top_srcdir/tests/testlib.sh"
setup run_kafka.sh python3 timeout

# sp NAME ARGS...: streampipe ARGS (at most 40 s), output in NAME.out and
# NAME.err; the exit status in $rc.
sp() {
    local name=$1
    shift
    timeout -s KILL 40 "$STREAMPIPE" "$@" >"$name.out" 2>"$name.err"
    rc=$?
}

# consume TOPIC: the topic's messages, read from the start to the end.
consume() {
    timeout -s KILL 20 "$KCAT" -C -e -q -b "$addr" -t "$1" -f '%s\n'
}

# produce_split FILE TOPIC: FILE's lines into TOPIC, its three thirds into
# partitions 0, 1 and 2.
produce_split() {
    local n third
    n=$(wc -l <"$1")
    third=$(((n + 2) / 3))
    split -l "$third" -d -a 1 "$1" "$tmp/part."
    for p in 0 1 2; do
        timeout -s KILL 20 "$KCAT" -P -b "$addr" -t "$2" -p "$p" <"$tmp/part.$p" || return 1
    done
    rm -f "$tmp"/part.?
}

# compare GOT EXPECTED LABEL: the last value of each sink in GOT (JSON lines)
# equals that of EXPECTED for every sink EXPECTED has.
cat >"$tmp/compare.py" <<'EOF'
import json, sys
got = {}
for line in open(sys.argv[1], encoding='utf-8'):
    rec = json.loads(line)
    got[rec['sink']] = rec['value']
ok = True
for line in open(sys.argv[2], encoding='utf-8'):
    want = json.loads(line)
    if not want['sink'].startswith(('total_', 'malformed')):
        continue
    have = got.get(want['sink'], None)
    if have != want['value']:
        ok = False
        print(f"  {sys.argv[3]}: {want['sink']}:\n    expected {json.dumps(want['value'])[:300]}\n    got      {json.dumps(have)[:300]}")
sys.exit(0 if ok else 1)
EOF

# values FILE: the elements of every JSON line a sink wrote, one per line.
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

logs=$top_srcdir/tests/data/nasa-common-excerpt.log
nlines=$(wc -l <"$logs")

# ----- the broker -----

begin "broker: starts, prints its address, serves kcat"
timeout -s KILL 180 "$STREAMPIPE" broker --topic logs:3 --topic half:3 --topic down:3 --topic direct:4 \
    >broker.out 2>broker.err &
broker_pid=$!
background+=("$broker_pid")
if ! until_true 10 test -s broker.out; then
    fail "no address on standard output within 10 s"
    show broker.err
    finish
    echo "run_kafka.sh: $tests tests, $failed failed"
    exit 1
fi
addr=$(head -n 1 broker.out)
# the broker itself, for SIGUSR1 (timeout would die of it)
broker_child=$(cat "/proc/$broker_pid/task/$broker_pid/children" 2>/dev/null || pgrep -P "$broker_pid")
broker_child=${broker_child%% *}
case $addr in
127.0.0.1:[0-9]*) ;;
*) fail "the address is '$addr'" ;;
esac
has_text broker.err "embedded Kafka broker at $addr (in memory only" || { fail "no notice on standard error"; show broker.err; }
timeout -s KILL 20 "$KCAT" -L -b "$addr" -t logs >meta.txt 2>&1 || { fail "kcat -L failed"; show meta.txt; }
grep -q 'topic "logs" with 3 partitions' meta.txt || { fail "topic logs should have 3 partitions"; show meta.txt; }

# ----- the source: logs.sp over Kafka equals logs.sp over the file -----

begin "source: logs.sp over a 3-partition topic (until=end) has the totals of the file"
produce_split "$logs" logs || fail "kcat could not produce"
consume logs >all.txt
[ "$(wc -l <all.txt)" -eq "$nlines" ] || fail "kcat reads $(wc -l <all.txt) lines back, not $nlines"
python3 "$top_srcdir/tests/logs_totals.py" "$logs" >expected.json || fail "logs_totals.py failed"
sp file run -q "$top_srcdir/pipelines/logs.sp" -p input="$logs" -p format=json
[ "$rc" -eq 0 ] || { fail "the file run: exit status $rc"; show file.err; }
sp kafka run "$top_srcdir/pipelines/logs.sp" -p "input=kafka://$addr/logs?group=g1&from=earliest&until=end" -p format=json
[ "$rc" -eq 0 ] || { fail "the Kafka run: exit status $rc"; show kafka.err; }
has_text kafka.err "$nlines records read" || { fail "not $nlines records read"; show kafka.err; }
python3 "$tmp/compare.py" kafka.out expected.json "Kafka vs logs_totals.py" || fail "totals differ from logs_totals.py"
python3 "$tmp/compare.py" kafka.out file.out "Kafka vs the file" || fail "totals differ from the file's"

begin "source: the same group again reads nothing (its offsets were committed)"
sp again run "$top_srcdir/pipelines/logs.sp" -p "input=kafka://$addr/logs?group=g1&from=earliest&until=end" -p format=json
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show again.err; }
has_text again.err " 0 records read" || { fail "expected 0 records read"; show again.err; }

# Two bounded runs in one group share the partitions; each ends once the
# group has read them all, which it learns from the group's committed
# offsets: within seconds, not after a session timeout and 10 s more (a
# wait that is now only for partitions nobody has committed).
begin "source: until=end, two runs in one group at once: each line read once, both end within seconds"
cat >lines2.sp <<'EOF2'
param input = "-"
source lines = input(input)
lines | sink stdout(format: "json", name: "lines")
EOF2
t0=$(date +%s%N)
timeout -s KILL 60 "$STREAMPIPE" run -q lines2.sp -p "input=kafka://$addr/logs?group=g5&from=earliest&until=end" \
    >pairA.out 2>pairA.err &
pa=$!
timeout -s KILL 60 "$STREAMPIPE" run -q lines2.sp -p "input=kafka://$addr/logs?group=g5&from=earliest&until=end" \
    >pairB.out 2>pairB.err &
pb=$!
wait "$pa"
rca=$?
wait "$pb"
rcb=$?
took=$((($(date +%s%N) - t0) / 1000000))
echo "  two runs of one group, at once: both ended after $took ms"
[ "$rca" -eq 0 ] && [ "$rcb" -eq 0 ] || { fail "exit statuses $rca and $rcb"; show pairA.err; show pairB.err; }
{ values pairA.out; values pairB.out; } | sort >pair.got
sort "$logs" >pair.want
cmp -s pair.got pair.want || fail "together they read $(wc -l <pair.got) lines, not each of the $nlines once"
[ "$took" -lt 14000 ] || fail "they took $took ms: more than a session timeout (6 s) and 10 s after joining would"

# ----- committed offsets: stop and go on -----

cat >lines.sp <<'EOF'
param input = "-"
source lines = input(input)
lines | sink stdout(format: "json", name: "lines")
EOF
half=$((nlines / 2))
head -n "$half" "$logs" >first.log
tail -n +"$((half + 1))" "$logs" >second.log

begin "source: a group reads half, then exactly the half produced after"
produce_split first.log half || fail "kcat could not produce"
sp r1 run -q lines.sp -p "input=kafka://$addr/half?group=g2&from=earliest&until=end"
[ "$rc" -eq 0 ] || { fail "first run: exit status $rc"; show r1.err; }
produce_split second.log half || fail "kcat could not produce"
sp r2 run -q lines.sp -p "input=kafka://$addr/half?group=g2&from=earliest&until=end"
[ "$rc" -eq 0 ] || { fail "second run: exit status $rc"; show r2.err; }
values r1.out | sort >got1
values r2.out | sort >got2
sort first.log >want1
sort second.log >want2
cmp -s got1 want1 || fail "the first run read $(wc -l <got1) lines, not the $half of the first half"
cmp -s got2 want2 || fail "the second run read $(wc -l <got2) lines, not the $((nlines - half)) new ones"
[ $(($(wc -l <got1) + $(wc -l <got2))) -eq "$nlines" ] || fail "the counts do not add up to $nlines"

begin "source: from=-N reads the last N messages of each partition, in another group"
sp tail run -q lines.sp -p "input=kafka://$addr/half?group=g3&from=-5&until=end"
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show tail.err; }
[ "$(values tail.out | wc -l)" -eq 15 ] || { fail "expected 15 lines (5 x 3 partitions)"; show tail.out; }

# ----- until=end without a group: the partitions assigned directly -----

# partitions of unequal lengths: 0 the first 1000 lines, 1 the next 10, 2
# none, 3 the rest
head -n 1000 "$logs" >p0.log
sed -n '1001,1010p' "$logs" >p1.log
tail -n +1011 "$logs" >p3.log
for p in 0 1 3; do
    timeout -s KILL 20 "$KCAT" -P -b "$addr" -t direct -p "$p" <"p$p.log" || fail "kcat could not produce"
done
consume direct | sort >direct.want

begin "source: until=end without a group reads every message of every partition once, as kcat does"
t0=$SECONDS
sp d1 run -q lines.sp -p "input=kafka://$addr/direct?until=end"
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show d1.err; }
echo "  read in $((SECONDS - t0)) s"
values d1.out | sort >d1.got
[ "$(wc -l <direct.want)" -eq "$nlines" ] || fail "kcat reads $(wc -l <direct.want) lines, not $nlines"
cmp -s d1.got direct.want || { fail "read $(wc -l <d1.got) lines, not kcat's $(wc -l <direct.want)"; diff d1.got direct.want | head -5; }

begin "source: until=end without a group commits nothing: a member of the group 'streampipe' reads everything"
# kcat, a live member of the group, going on from what the group committed
# (from the start where nothing was): had the run committed, it would read
# nothing.  It commits nothing itself, and says each rebalance on stderr.
timeout -s KILL 60 "$KCAT" -b "$addr" -G streampipe -X enable.auto.commit=false -X auto.offset.reset=earliest \
    -X session.timeout.ms=6000 -u -f '%s\n' direct >member.out 2>member.err &
member=$!
background+=("$member")
member_read() { [ "$(wc -l <member.out)" -ge "$nlines" ]; }
until_true 20 member_read || { fail "kcat in the group read $(wc -l <member.out) lines, not $nlines"; show member.err; }
sort member.out >member.got
cmp -s member.got direct.want || fail "kcat in the group read other lines than kcat alone"

begin "source: until=end without a group never joins one: the member of the group 'streampipe' keeps its partitions"
sp d5 run -q lines.sp -p "input=kafka://$addr/direct?until=end"
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show d5.err; }
values d5.out | sort >d5.got
cmp -s d5.got direct.want || fail "read $(wc -l <d5.got) lines, not $(wc -l <direct.want)"
sleep 1
cp member.err member.seen # before it leaves the group (and says so)
kill "$member" 2>/dev/null
wait "$member" 2>/dev/null
[ "$(grep -c "rebalanced" member.seen)" -eq 1 ] || { fail "the group rebalanced while the run read"; show member.seen; }

begin "source: until=end without a group: from=OFFSET, from=-N and from=latest, partition by partition"
sp d2 run -q lines.sp -p "input=kafka://$addr/direct?from=995&until=end"
[ "$rc" -eq 0 ] || { fail "from=995: exit status $rc"; show d2.err; }
# partition 0 from offset 995; partition 1 has 10 messages: 995 is outside
# its log, which it reads from its start; partition 3 from offset 995
{ tail -n +996 p0.log; cat p1.log; tail -n +996 p3.log; } | sort >d2.want
values d2.out | sort >d2.got
cmp -s d2.got d2.want || { fail "from=995: read $(wc -l <d2.got) lines, not the $(wc -l <d2.want) expected"; diff d2.got d2.want | head -5; }
sp d3 run -q lines.sp -p "input=kafka://$addr/direct?from=-5&until=end"
[ "$rc" -eq 0 ] || { fail "from=-5: exit status $rc"; show d3.err; }
{ tail -n 5 p0.log; tail -n 5 p1.log; tail -n 5 p3.log; } | sort >d3.want
values d3.out | sort >d3.got
cmp -s d3.got d3.want || { fail "from=-5: read $(wc -l <d3.got) lines, not the last 5 of partitions 0, 1 and 3"; show d3.got; }
sp d4 run lines.sp -p "input=kafka://$addr/direct?from=latest&until=end"
[ "$rc" -eq 0 ] || { fail "from=latest: exit status $rc"; show d4.err; }
has_text d4.err " 0 records read" || { fail "from=latest: expected 0 records read"; show d4.err; }

begin "source: until=end without a group, with a checkpoint: the next run reads exactly what came since"
rm -rf direct.ckpt
sp c1 run -q --checkpoint direct.ckpt lines.sp -p "input=kafka://$addr/direct?until=end"
[ "$rc" -eq 0 ] || { fail "first run: exit status $rc"; show c1.err; }
values c1.out | sort >c1.got
cmp -s c1.got direct.want || fail "the first run read $(wc -l <c1.got) lines, not $(wc -l <direct.want)"
# new lines in partition 1 and in partition 2, empty until now
sed -n '1,20p' "$logs" | timeout -s KILL 20 "$KCAT" -P -b "$addr" -t direct -p 1 || fail "kcat could not produce"
sed -n '21,50p' "$logs" | timeout -s KILL 20 "$KCAT" -P -b "$addr" -t direct -p 2 || fail "kcat could not produce"
sp c2 run -q --checkpoint direct.ckpt lines.sp -p "input=kafka://$addr/direct?until=end"
[ "$rc" -eq 0 ] || { fail "second run: exit status $rc"; show c2.err; }
values c2.out | sort >c2.got
head -n 50 "$logs" | sort >c2.want
cmp -s c2.got c2.want || { fail "the second run read $(wc -l <c2.got) lines, not the 50 new ones"; diff c2.got c2.want | head -5; }
# from=latest: the first run reads nothing, but its checkpoint holds where
# every partition ended
rm -rf latest.ckpt
sp c3 run -q --checkpoint latest.ckpt lines.sp -p "input=kafka://$addr/direct?from=latest&until=end"
[ "$rc" -eq 0 ] || { fail "from=latest, first run: exit status $rc"; show c3.err; }
[ "$(values c3.out | wc -l)" -eq 0 ] || fail "from=latest: the first run read $(values c3.out | wc -l) lines"
sed -n '51,57p' "$logs" | timeout -s KILL 20 "$KCAT" -P -b "$addr" -t direct -p 3 || fail "kcat could not produce"
sp c4 run -q --checkpoint latest.ckpt lines.sp -p "input=kafka://$addr/direct?from=latest&until=end"
[ "$rc" -eq 0 ] || { fail "from=latest, second run: exit status $rc"; show c4.err; }
values c4.out | sort >c4.got
sed -n '51,57p' "$logs" | sort >c4.want
cmp -s c4.got c4.want || { fail "from=latest: the second run read $(wc -l <c4.got) lines, not the 7 new ones"; show c4.got; }

# ----- the sink -----

begin "sink: one message per element, text"
cat >sink.sp <<'EOF'
param input = "-"
param brokers = ""
source lines = input(input)
lines | map length(it) | sink kafka(topic: "lengths", brokers: brokers)
EOF
sp sink run -q -B 1000 sink.sp -p input="$logs" -p "brokers=$addr"
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show sink.err; }
consume lengths | sort -n >got
python3 -c '
import sys
for line in open(sys.argv[1], "rb").read().split(b"\n")[:-1]:
    print(len(line))' "$logs" | sort -n >want
cmp -s got want || { fail "the lengths read back differ ($(wc -l <got) messages)"; diff want got | head -5; }

begin "sink: format json, one message per element with its batch"
cat >sinkj.sp <<'EOF'
param input = "-"
param brokers = ""
source lines = input(input)
lines | count | sink kafka("counts", brokers: brokers, format: "json", name: "n")
EOF
sp sinkj run -q -B 1000 sinkj.sp -p input="$logs" -p "brokers=$addr"
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show sinkj.err; }
consume counts | sort >got
printf '{"sink":"n","batch":%d,"time":%d,"value":1000}\n' 0 1000 1 2000 2 3000 >want
cmp -s got want || { fail "unexpected messages"; show got; }

begin "sink: keyed: true takes each message's key from the element's (key, value)"
cat >sinkk.sp <<'EOF'
param brokers = ""
source lines = input("-")
lines | map (it, 1) | reduceByKey sum | sink kafka("keyed", brokers: brokers, keyed: true)
EOF
printf 'a\nb\na\nc\na\n' | timeout -s KILL 40 "$STREAMPIPE" run -q sinkk.sp -p "brokers=$addr" >sinkk.out 2>sinkk.err
rc=$?
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show sinkk.err; }
timeout -s KILL 20 "$KCAT" -C -e -q -b "$addr" -t keyed -f '%k=%s\n' | sort >got
printf 'a=3\nb=1\nc=1\n' >want
cmp -s got want || { fail "unexpected key=value messages"; show got; }

begin "sink: a broker that cannot be reached fails the run, naming the topic"
# messages expire after 2 s (message.timeout.ms from the configuration)
printf 'kafka:\n  message.timeout.ms: 2000\n' >expire.yaml
sp nosink run -q -c expire.yaml -B 1000 sink.sp -p input="$logs" -p "brokers=127.0.0.1:1"
[ "$rc" -eq 1 ] || fail "exit status $rc, expected 1"
has_text nosink.err "kafka sink 'lengths' at 127.0.0.1:1: 1000 messages not delivered: Local: Message timed out" ||
    { fail "the message does not name the sink and the error"; show nosink.err; }

# ----- gen -----

begin "gen: the same seed gives the same lines"
sp gen1 gen --stdout --count 1000 --seed 7
sp gen2 gen --stdout --count 1000 --seed 7
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show gen2.err; }
[ "$(wc -l <gen1.out)" -eq 1000 ] || fail "$(wc -l <gen1.out) lines, not 1000"
cmp -s gen1.out gen2.out || fail "two runs with --seed 7 differ"
sp gen3 gen --stdout --count 1000 --seed 8
cmp -s gen1.out gen3.out && fail "--seed 8 gives the lines of --seed 7"
# the generator source with the same seed makes the same lines
cat >g.sp <<'EOF'
source lines = generator(count: 1000, seed: 7)
lines | sink stdout(format: "json", name: "l")
EOF
sp gsrc run -q g.sp
values gsrc.out >gsrc.txt
cmp -s gen1.out gsrc.txt || fail "gen and generator(seed: 7) differ"

begin "gen: --count lines into Kafka, read back by kcat"
sp genk gen --brokers "$addr" --topic generated --count 1000 --seed 7
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show genk.err; }
has_text genk.err "1000 lines written to topic 'generated'" || { fail "no summary"; show genk.err; }
consume generated | sort >got
sort gen1.out >want
cmp -s got want || fail "kcat reads $(wc -l <got) lines, not gen's 1000"

# ----- an outage -----

begin "broker down for 2 s while gen writes and a live run reads: nothing lost, nothing twice"
cat >live.sp <<'EOF'
param input = "-"
batch 500ms
source lines = input(input)
lines | sink stdout(format: "json", name: "lines")
EOF
timeout --foreground -s KILL 40 "$STREAMPIPE" run -q live.sp -p "input=kafka://$addr/down?group=g4&from=earliest" \
    >live.out 2>live.err &
live_pid=$!
background+=("$live_pid")
# a first 50 lines: once they are read, the run is in its group
sp warm gen --brokers "$addr" --topic down --count 50 --seed 4
seen() { [ "$(values live.out | wc -l)" -ge "$1" ]; }
until_true 20 seen 50 || fail "the live run did not read the first 50 lines within 20 s"
timeout -s KILL 40 "$STREAMPIPE" gen sample-group down 10 300 --rate 50 --seed 3 --brokers "$addr" >gend.out 2>gend.err &
gen_pid=$!
background+=("$gen_pid")
sleep 1
kill -USR1 "$broker_child"
wait "$gen_pid"
rc=$?
[ "$rc" -eq 0 ] || { fail "gen: exit status $rc"; show gend.err; }
has_text broker.err "down for 2000 ms" || { fail "the broker did not go down"; show broker.err; }
until_true 20 seen 550 || fail "the live run did not read 550 lines within 20 s"
kill -INT "$live_pid"
wait "$live_pid"
rc=$?
[ "$rc" -eq 0 ] || { fail "the live run: exit status $rc"; show live.err; }
values live.out | sort >got
{
    timeout -s KILL 10 "$STREAMPIPE" gen --stdout --count 50 --seed 4
    timeout -s KILL 10 "$STREAMPIPE" gen --stdout --count 500 --rate 50 --seed 3
} | sort >want
cmp -s got want || { fail "read $(wc -l <got) lines, not the 550 written"; show live.err; }

# ----- the configuration -----

begin "configuration: brokers and Kafka properties from the YAML file (gen and run)"
mkdir -p cfg
printf 'brokers: "%s"\nkafka:\n  client.id: from-the-configuration\n' "$addr" >cfg/ok.yaml
sp cgen gen -c cfg/ok.yaml --topic configured --count 100 --seed 5
[ "$rc" -eq 0 ] || { fail "gen: exit status $rc"; show cgen.err; }
sp crun run -q -c cfg/ok.yaml lines.sp -p "input=kafka:///configured?group=c1&from=earliest&until=end"
[ "$rc" -eq 0 ] || { fail "run: exit status $rc"; show crun.err; }
has_text crun.err "embedded Kafka broker" && fail "the embedded broker was started despite the configured brokers"
values crun.out | sort >got
timeout -s KILL 10 "$STREAMPIPE" gen --stdout --count 100 --seed 5 | sort >want
cmp -s got want || fail "read $(wc -l <got) lines, not gen's 100"
printf 'kafka:\n  no.such.property: 1\n' >cfg/bad.yaml
sp cbad run -q -c cfg/bad.yaml lines.sp -p "input=kafka:///configured"
[ "$rc" -eq 1 ] && has_text cbad.err "cfg/bad.yaml: kafka: no.such.property" || { fail "a bad property: status $rc"; show cbad.err; }
has_text cbad.err "embedded Kafka broker" && fail "the embedded broker was started for a bad configuration"

begin "embedded broker in the run itself: kafka:/// without configured brokers"
sp emb run -q lines.sp -p "input=kafka:///fresh?until=end"
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show emb.err; }
has_text emb.err "streampipe: embedded Kafka broker at 127.0.0.1:" || { fail "no notice"; show emb.err; }
has_text emb.err "in memory only; for trying things out and tests" || { fail "the notice does not say it is in memory"; show emb.err; }

# ----- mistakes -----

begin "source: mistakes in kafka:// URIs and unknown topics are said at the start"
sp bad1 run -q lines.sp -p "input=kafka://$addr/logs?untill=end"
[ "$rc" -eq 1 ] && has_text bad1.err "unknown query key 'untill'" || { fail "unknown key: status $rc"; show bad1.err; }
sp bad2 run -q lines.sp -p "input=kafka://$addr"
[ "$rc" -eq 1 ] && has_text bad2.err "write kafka://BROKERS/TOPIC" || { fail "no topic: status $rc"; show bad2.err; }
sp bad3 run -q lines.sp -p "input=kafka://$addr/logs?from=yesterday"
[ "$rc" -eq 1 ] && has_text bad3.err "unknown from 'yesterday'" || { fail "bad from: status $rc"; show bad3.err; }
sp bad4 run -q lines.sp -p "input=kafka://$addr/nope?until=end"
[ "$rc" -eq 1 ] && has_text bad4.err "topic 'nope' does not exist at $addr" || { fail "missing topic: status $rc"; show bad4.err; }

finish
kill "$broker_pid" 2>/dev/null
wait "$broker_pid"
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: the broker exited with $rc on SIGTERM"; failed=$((failed + 1)); }
background=()
echo "run_kafka.sh: $tests tests, $failed failed"
[ "$failed" -eq 0 ]
