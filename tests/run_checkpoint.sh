#!/usr/bin/env bash
# run_checkpoint.sh - checkpoints, for real: runs of pipelines/logs.sp killed
# and restarted, stopped with SIGTERM, resumed with an edited pipeline, and
# handed damaged checkpoints.
#
#   - SIGKILL at random moments (a fixed seed: the moments are the same run
#     after run, different from one another), then a restart, until the run
#     ends: every batch's output, the last copy of each, equals the output
#     of a run never interrupted, and so do the final totals; for a file
#     and for a 3-partition Kafka topic, read without a group (every run
#     must read all that is left) and in a group;
#   - SIGTERM: exit 0 within seconds, a checkpoint on disk, and the next
#     start resumes from it; a second signal exits at once;
#   - an edited pipeline: unchanged operators keep their state, changed
#     ones start empty, and the start-up message says which;
#   - a corrupt, truncated, foreign or newer checkpoint is refused with a
#     clear message and left as it was; nothing runs;
#   - a sink that cannot write: the run fails and the checkpoint does not
#     move past the output that was not delivered.
#
# Every command runs under `timeout`.  It writes only under a temporary
# directory.  Environment (set by `make check`): STREAMPIPE, top_srcdir,
# KCAT (empty: the Kafka part is skipped).  Exit status: 0 pass, 1 fail,
# 77 skip.

set -u

export LC_ALL=C
unset STREAMPIPE_PATH STREAMPIPE_CONFIG

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
. "$top_srcdir/tests/testlib.sh"
setup run_checkpoint.sh python3 timeout

RANDOM=20261124 # the kill moments: random, but the same every run
logs_sp=$top_srcdir/pipelines/logs.sp

# The input: the real-log excerpts ten times over (56,000 lines with
# malformed ones), 200 lines a batch: 280 batches, a second or so.
for i in 1 2 3 4 5 6 7 8 9 10; do
    cat "$top_srcdir"/tests/data/*.log
done >big.log

# sp NAME ARGS...: streampipe ARGS (at most 60 s), output in NAME.out and
# NAME.err; the exit status in $rc.
sp() {
    local name=$1
    shift
    timeout -s KILL 60 "$STREAMPIPE" "$@" >"$name.out" 2>"$name.err"
    rc=$?
}

# same_batches WANT GOT...: the last line of each (batch, sink) in the GOT
# files equals WANT's, and GOT has nothing WANT has not.  Used with runs
# killed and restarted: a batch cut short is run again, whole.
cat >same_batches.py <<'EOF'
import json, sys
def load(paths):
    d = {}
    for p in paths:
        for line in open(p, encoding='utf-8', errors='surrogateescape'):
            if not line.endswith('\n'):
                continue  # cut by the kill
            r = json.loads(line)
            d[(r['batch'], r['sink'])] = line
    return d
want, got = load(sys.argv[1:2]), load(sys.argv[2:])
bad = [k for k in want if got.get(k) != want[k]] + [k for k in got if k not in want]
for k in sorted(bad)[:3]:
    print(f"  batch {k[0]} sink {k[1]}:\n    expected {want.get(k, '(none)')[:200]}    got      {got.get(k, '(none)')[:200]}")
print(f"  {len(want)} batch outputs expected, {len(got)} seen, {len(bad)} differ")
sys.exit(1 if bad else 0)
EOF

# same_totals WANT GOT LABEL: the last value of every total_* and
# malformed_lines sink in GOT equals WANT's.  GOT is every run of a round,
# in order (runs_out): a run killed after its last checkpoint has delivered
# the totals, and the run that resumes then has nothing left to do.
cat >same_totals.py <<'EOF'
import json, sys
def last(path):
    d = {}
    for line in open(path, encoding='utf-8', errors='surrogateescape'):
        if line.endswith('\n'):
            r = json.loads(line)
            d[r['sink']] = r['value']
    return {k: v for k, v in d.items() if k.startswith(('total_', 'malformed'))}
want, got = last(sys.argv[1]), last(sys.argv[2])
ok = want == got and len(want) == 5
if not ok:
    for k in sorted(set(want) | set(got)):
        if want.get(k) != got.get(k):
            print(f"  {sys.argv[3]}: {k}:\n    expected {json.dumps(want.get(k))[:200]}\n    got      {json.dumps(got.get(k))[:200]}")
sys.exit(0 if ok else 1)
EOF

# killed_runs NAME MIN_MS SPAN_MS ARGS...: runs `streampipe run ARGS`
# with a checkpoint in NAME.ckpt, killing it with SIGKILL after MIN_MS +
# random(SPAN_MS) ms, again and again until a run ends by itself (at most
# 40 runs).  Outputs in NAME.N.out / .err; sets $runs and $kills; the last
# run's exit status in $rc.  The run is started directly (not under
# `timeout`), so that the kill reaches it and nothing is left running.
killed_runs() {
    local name=$1 min=$2 span=$3 pid ms
    shift 3
    runs=0
    kills=0
    rm -rf "$name.ckpt"
    while [ "$runs" -lt 40 ]; do
        runs=$((runs + 1))
        "$STREAMPIPE" run --checkpoint "$name.ckpt" "$@" >"$name.$runs.out" 2>"$name.$runs.err" &
        pid=$!
        if [ -n "${kill_after_output:-}" ]; then
            # the first batch's output, then a random moment: every run is
            # cut while it reads, not while it joins its group
            local i
            for ((i = 0; i < 300; i++)); do
                [ -s "$name.$runs.out" ] && break
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
        fi
        ms=$((min + RANDOM % span))
        sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
        kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
        wait "$pid" 2>/dev/null
        rc=$?
        if [ "$rc" -eq 0 ] && [ -n "${must_read:-}" ] && ! grep -q " $must_read records read" "$name.$runs.err"; then
            # a run from Kafka with until=end in a group, resumed after a
            # kill, waits for the partitions the dead member still holds
            # when the group's committed offsets show them read in part;
            # one that it held without having committed them yet (killed
            # before its first commit) tells nothing, and the run ends a
            # session timeout and 10 s after its assignment: if the group
            # has not given them out by then, it ends early (its state is
            # right); the next start goes on from its checkpoint.  Said,
            # and counted.  (Without a group there is no such case: the
            # tests without a group leave must_read unset, and fail on it.)
            echo "  run $runs ended early: $(grep -o '[0-9]* records read' "$name.$runs.err") of $must_read; started again"
            early=$((early + 1))
            continue
        fi
        if [ "$rc" -eq 0 ]; then
            return 0
        fi
        if [ "$rc" -ne 137 ]; then
            return 1
        fi
    done
    return 1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# runs_out NAME: the complete lines of the outputs of runs 1..$runs of
# NAME, in order, in NAME.all.out (a kill may cut a run's last line).
runs_out() {
    local i files=()
    for ((i = 1; i <= runs; i++)); do
        files+=("$1.$i.out")
    done
    python3 -c '
import sys
with open(sys.argv[1], "wb") as out:
    for p in sys.argv[2:]:
        out.writelines(l for l in open(p, "rb") if l.endswith(b"\n"))
' "$1.all.out" "${files[@]}"
}

# round_done NAME ROUND LABEL: after killed_runs NAME: counts its kills;
# a last run that failed fails the round (status 1: the caller skips the
# rest); else says the kills and checks the totals of all its runs.
round_done() {
    local name=$1 round=$2 label=$3
    total_kills=$((total_kills + kills))
    if [ "$rc" -ne 0 ]; then
        fail "round $round: run $runs ended with exit status $rc"
        show "$name.$runs.err"
        return 1
    fi
    echo "  round $round: $kills kills, $runs runs"
    runs_out "$name"
    python3 same_totals.py full.out "$name.all.out" "$label" || fail "round $round: the totals differ"
}

# ----- SIGKILL at random moments: file input -----

begin "SIGKILL at random moments (file), 3 rounds: every batch and the totals equal an uninterrupted run"
t0=$(now_ms)
sp full run -q "$logs_sp" -p input=big.log -p format=json -B 200
[ "$rc" -eq 0 ] || { fail "the uninterrupted run: exit status $rc"; show full.err; }
# kill moments scaled to how long a whole run takes here (a sanitizer build
# is several times slower): from a twentieth of it to over half of it
took=$(($(now_ms) - t0))
echo "  an uninterrupted run takes $took ms"
total_kills=0
for round in 1 2 3; do
    killed_runs "kf$round" $((took / 20 + 50)) $((took / 2 + 1)) -q "$logs_sp" -p input=big.log -p format=json -B 200
    round_done "kf$round" "$round" "last run" || continue
    python3 same_batches.py full.out "kf$round".*.out || fail "round $round: the batches differ"
    cmp -s full.err "kf$round.$runs.err" || { fail "round $round: the final stderr differs"; show full.err; show "kf$round.$runs.err"; }
done
[ "$total_kills" -ge 6 ] || fail "only $total_kills kills happened (the test needs the runs cut many times)"

# ----- SIGTERM -----

begin "SIGTERM: exit 0 within seconds, a checkpoint on disk, the next start resumes"
rm -rf term.ckpt
timeout -s KILL 60 "$STREAMPIPE" run --checkpoint term.ckpt "$logs_sp" -p input=big.log -p format=json -B 200 \
    >term1.out 2>term1.err &
pid=$!
sleep 0.4
child=$(pgrep -P "$pid" | head -n 1)
t0=$SECONDS
kill -TERM "${child:-$pid}"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || { fail "exit status $rc after SIGTERM"; show term1.err; }
[ $((SECONDS - t0)) -le 3 ] || fail "it took $((SECONDS - t0)) s to stop"
[ -s term.ckpt/checkpoint ] || fail "no checkpoint on disk"
[ ! -e term.ckpt/checkpoint.tmp ] || fail "a temporary checkpoint was left behind"
last=$(tail -n 1 term1.out | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["batch"])')
sp term2 run --checkpoint term.ckpt "$logs_sp" -p input=big.log -p format=json -B 200
[ "$rc" -eq 0 ] || { fail "the resumed run: exit status $rc"; show term2.err; }
has_text term2.err "resuming from checkpoint term.ckpt/checkpoint, written after batch $last" ||
    { fail "no resume message naming batch $last"; show term2.err; }
first=$(head -n 1 term2.out | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["batch"])')
[ "$first" = $((last + 1)) ] || fail "the resumed run starts at batch $first, not $((last + 1))"
python3 same_batches.py full.out term1.out term2.out || fail "the batches differ"

begin "SIGTERM twice: the second exits at once"
# one batch of sixteen times the input on one thread, parsed by the regular
# expressions of weblog.sp's reference parser (about 10 times slower than the
# native one logs.sp uses): seconds of work to interrupt
for i in $(seq 16); do cat big.log; done >huge.log
cat >slow_parse.sp <<'EOF'
use weblog
source lines = input("huge.log")
lines | map parse_access_log_re(it) | filter it != null | map (it.status, 1) | reduceByKey sum
  | sink stdout(name: "codes", format: "json")
EOF
timeout -s KILL 60 "$STREAMPIPE" run --checkpoint twice.ckpt slow_parse.sp -B 10000000 --threads 1 \
    >twice.out 2>twice.err &
pid=$!
sleep 0.3
child=$(pgrep -P "$pid" | head -n 1)
kill -TERM "${child:-$pid}"
sleep 0.1
kill -TERM "${child:-$pid}"
t0=$SECONDS
wait "$pid"
rc=$?
[ "$rc" -eq 143 ] || { fail "exit status $rc, not 143 (128 + SIGTERM)"; show twice.err; }
[ $((SECONDS - t0)) -le 1 ] || fail "it took $((SECONDS - t0)) s"
[ ! -e twice.ckpt/checkpoint ] || fail "a checkpoint was written for a batch that did not finish"

cat >slow.sp <<'EOF'
batch 1s
source lines = input("gen:?rate=50")
lines | count | sink stdout(name: "n", format: "json")
EOF

begin "SIGTERM on a live source: the batch finishes, exit 0, the generator resumes where it was"
rm -rf live.ckpt
timeout -s KILL 30 "$STREAMPIPE" run --checkpoint live.ckpt slow.sp >live1.out 2>live1.err &
pid=$!
sleep 2.5
child=$(pgrep -P "$pid" | head -n 1)
kill -TERM "${child:-$pid}"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show live1.err; }
[ -s live.ckpt/checkpoint ] || fail "no checkpoint"
read1=$(sed -n 's/.* \([0-9]*\) records read.*/\1/p' live1.err)
timeout -s KILL 30 "$STREAMPIPE" run --checkpoint live.ckpt slow.sp >live2.out 2>live2.err &
pid=$!
sleep 1.5
child=$(pgrep -P "$pid" | head -n 1)
kill -TERM "${child:-$pid}"
wait "$pid"
has_text live2.err "kept: source lines" || { fail "the generator's position was not kept"; show live2.err; }
read2=$(sed -n 's/.* \([0-9]*\) records read.*/\1/p' live2.err)
[ -n "$read1" ] && [ -n "$read2" ] && [ "$read2" -gt "$read1" ] ||
    fail "records read: $read1, then $read2 in all (the counters go on from the checkpoint)"

# ----- an edited pipeline -----

begin "an edited pipeline: the unchanged operators keep their state, the changed ones start empty"
head -n 28000 big.log >grow.log
rm -rf edit.ckpt
sp edit1 run -q --checkpoint edit.ckpt "$logs_sp" -p input=grow.log -p format=json -B 200
[ "$rc" -eq 0 ] || { fail "first half: exit status $rc"; show edit1.err; }
tail -n +28001 big.log >>grow.log
sp edit2 run --checkpoint edit.ckpt "$logs_sp" -p input=grow.log -p format=json -B 200 -p window_length=20s
[ "$rc" -eq 0 ] || { fail "second half: exit status $rc"; show edit2.err; }
has_text edit2.err "kept: source lines (" || { fail "the file position was not kept"; show edit2.err; }
has_text edit2.err "updateStateByKey running_stats" || { fail "running_stats not kept"; show edit2.err; }
grep "reset" edit2.err | grep -q "reduceByKeyAndWindow sum 20s / 10s" || { fail "the 20 s windows were not reset"; show edit2.err; }
grep "kept" edit2.err | grep -q "20s" && { fail "a changed window was kept"; show edit2.err; }
# the cumulative totals only depend on the unchanged operators
python3 same_totals.py full.out edit2.out "edited" || fail "the totals differ from an uninterrupted run"

begin "two runs on one checkpoint directory: the second is refused"
rm -rf lock.ckpt
"$STREAMPIPE" run --checkpoint lock.ckpt slow.sp >lock1.out 2>lock1.err &
pid=$!
sleep 1
sp lock2 run --checkpoint lock.ckpt slow.sp
[ "$rc" -eq 1 ] || fail "exit status $rc, not 1"
has_text lock2.err "checkpoint directory 'lock.ckpt' is in use by another streampipe run" || { fail "no message"; show lock2.err; }
kill -TERM "$pid"
wait "$pid"
[ $? -eq 0 ] || { fail "the first run did not end well"; show lock1.err; }

# ----- damaged checkpoints -----

rm -rf good.ckpt
sp good run -q --checkpoint good.ckpt "$logs_sp" -p input=big.log -p format=json -B 200
cp good.ckpt/checkpoint good.bin
size=$(wc -c <good.bin)

# refused LABEL EXPECTED-MESSAGE: the run with damaged.ckpt exits 1, says
# the message, writes nothing to stdout, and leaves the file as it was.
refused() {
    cp damaged.ckpt/checkpoint before.bin
    sp damaged run --checkpoint damaged.ckpt "$logs_sp" -p input=big.log -p format=json -B 200
    [ "$rc" -eq 1 ] || { fail "exit status $rc, not 1"; show damaged.err; }
    has_text damaged.err "$2" || { fail "no message '$2'"; show damaged.err; }
    has_text damaged.err "nothing was restored" || { fail "the message does not say nothing was restored"; show damaged.err; }
    [ ! -s damaged.out ] || { fail "something ran"; show damaged.out; }
    cmp -s before.bin damaged.ckpt/checkpoint || fail "the checkpoint was changed"
}

begin "a checkpoint with one byte flipped is refused (checksum)"
mkdir -p damaged.ckpt
python3 -c "
import sys
b = bytearray(open('good.bin','rb').read()); b[len(b)//2] ^= 0x40
open('damaged.ckpt/checkpoint','wb').write(b)"
refused flipped "is corrupt (checksum mismatch)"

begin "a truncated checkpoint is refused"
head -c $((size / 3)) good.bin >damaged.ckpt/checkpoint
refused truncated "is truncated"

begin "a checkpoint of a newer format is refused"
python3 -c "
b = bytearray(open('good.bin','rb').read()); b[16] = 9
open('damaged.ckpt/checkpoint','wb').write(b)"
refused version "has format version 9; this streampipe reads version 1"

begin "a file that is not a checkpoint is refused"
echo "hello" >damaged.ckpt/checkpoint
refused foreign "is not a streampipe checkpoint"

# ----- a sink that cannot write -----

begin "a sink that cannot write: exit 1, and the checkpoint does not move"
if [ -w /dev/full ]; then
    rm -rf full.ckpt
    timeout -s KILL 60 "$STREAMPIPE" run --checkpoint full.ckpt "$logs_sp" -p input=big.log -p format=json -B 200 \
        >fullrun1.out 2>fullrun1.err &
    pid=$!
    sleep 0.3
    child=$(pgrep -P "$pid" | head -n 1)
    kill -TERM "${child:-$pid}"
    wait "$pid"
    cp full.ckpt/checkpoint full-before.bin
    timeout -s KILL 60 "$STREAMPIPE" run --checkpoint full.ckpt "$logs_sp" -p input=big.log -p format=json -B 200 \
        >/dev/full 2>fullrun2.err
    rc=$?
    [ "$rc" -eq 1 ] || { fail "exit status $rc, not 1"; show fullrun2.err; }
    has_text fullrun2.err "No space left on device" || { fail "the error is not said"; show fullrun2.err; }
    cmp -s full-before.bin full.ckpt/checkpoint || fail "the checkpoint moved past output that was not written"
    sp fullrun3 run --checkpoint full.ckpt "$logs_sp" -p input=big.log -p format=json -B 200
    [ "$rc" -eq 0 ] || { fail "the run after the failure: exit status $rc"; show fullrun3.err; }
    python3 same_batches.py full.out fullrun1.out fullrun3.out ||
        { fail "the batches differ after the failure"; show fullrun1.err; show fullrun3.err; }
else
    echo "  skipped: /dev/full is not there"
fi

# ----- SIGKILL at random moments: Kafka -----

if [ -n "${KCAT:-}" ]; then
    begin "Kafka: an uninterrupted run from a 3-partition topic, without a group"
    timeout -s KILL 300 "$STREAMPIPE" broker --topic logs:3 >broker.out 2>broker.err &
    background+=($!)
    for i in $(seq 100); do
        [ -s broker.out ] && break
        sleep 0.1
    done
    addr=$(head -n 1 broker.out)
    n=$(wc -l <big.log)
    third=$(((n + 2) / 3))
    split -l "$third" -d -a 1 big.log part.
    for p in 0 1 2; do
        timeout -s KILL 30 "$KCAT" -P -b "$addr" -t logs -p "$p" <"part.$p" || fail "kcat could not produce"
    done
    # kafka_rounds LABEL ROUNDS QUERY: for each round, runs killed and
    # restarted (killed_runs) reading the topic with QUERY (ROUND in it
    # replaced by the round's number), until one ends by itself; its totals
    # and records read must be those of the uninterrupted run.
    kafka_rounds() {
        local label=$1 rounds=$2 query=$3 round
        for ((round = 1; round <= rounds; round++)); do
            local uri="kafka://$addr/logs?${query//ROUND/$round}"
            # within half a second of the first output: a run that reads
            # its partitions reads the whole topic in about a second now
            kill_after_output=1 killed_runs "kk$label$round" 0 500 -c fast.yaml "$logs_sp" -p "input=$uri" \
                -p format=json -B 200
            round_done "kk$label$round" "$round" "Kafka, last run" || continue
            has_text "kk$label$round.$runs.err" "$n records read" ||
                { fail "round $round: not $n records read in all"; show "kk$label$round.$runs.err"; }
            cmp -s <(grep Malformed full.err) <(grep Malformed "kk$label$round.$runs.err") ||
                fail "round $round: the malformed count differs"
        done
    }
    # a killed member leaves the group only when its session times out:
    # keep that short (3 s; less, and joining, which takes about 3 s, fails),
    # so that the next run gets the partitions soon
    printf 'kafka:\n  session.timeout.ms: 3000\n  heartbeat.interval.ms: 500\n' >fast.yaml
    t0=$(now_ms)
    sp kfull run -c fast.yaml "$logs_sp" -p "input=kafka://$addr/logs?until=end" -p format=json -B 200
    took=$(($(now_ms) - t0))
    echo "  an uninterrupted run from Kafka takes $took ms"
    python3 same_totals.py full.out kfull.out "Kafka, uninterrupted" || fail "the uninterrupted run's totals differ"
    if ! has_text kfull.err "$n records read"; then
        fail "the uninterrupted run did not read $n records"
        show kfull.err
        # what the topic holds, as kcat reads it: fewer than $n is the
        # embedded broker's retention, not the source
        held=$(timeout -s KILL 30 "$KCAT" -C -e -q -b "$addr" -t logs -o beginning -f '%s\n' 2>/dev/null | wc -l)
        echo "  the topic holds $held messages (kcat)"
    fi

    begin "SIGKILL at random moments (Kafka, 3 partitions, no group): every run reads all that is left"
    total_kills=0
    # without a group every resumed run must read all that its checkpoint
    # left (must_read is not set: a run that ends early fails the test)
    kafka_rounds direct 3 "until=end"
    [ "$total_kills" -ge 4 ] || fail "only $total_kills kills happened"

    begin "SIGKILL at random moments (Kafka, 3 partitions, in a group): the totals equal an uninterrupted run"
    total_kills=0
    early=0
    must_read=$n kafka_rounds group 2 "group=ckROUND&from=earliest&until=end"
    [ "$total_kills" -ge 2 ] || fail "only $total_kills kills happened"
    [ "$early" -eq 0 ] || echo "  $early resumed runs ended early (partitions of a dead member that had committed none)"
else
    echo "run_checkpoint.sh: kcat is not installed (KCAT is empty); the Kafka part is skipped"
fi

# ----- valgrind -----

if [ -n "${VALGRIND:-}" ] && grep -q __asan_init "$STREAMPIPE" 2>/dev/null; then
    echo "run_checkpoint.sh: a sanitizer build: valgrind cannot run it; its part is skipped"
elif [ -n "${VALGRIND:-}" ]; then
    begin "under valgrind: a checkpointed run, a resume and a refused checkpoint are clean"
    vg() {
        local name=$1
        shift
        timeout -s KILL 300 "$VALGRIND" -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
            "$STREAMPIPE" "$@" >"$name.out" 2>"$name.err"
        rc=$?
    }
    small=$top_srcdir/tests/data/nasa-corrupt-excerpt.log
    head -n 1000 "$small" >vg.log
    rm -rf vg.ckpt
    vg vg1 run -q --checkpoint vg.ckpt "$logs_sp" -p input=vg.log -p format=json -B 100
    [ "$rc" -eq 0 ] || { fail "first run: exit status $rc"; show vg1.err; }
    tail -n +1001 "$small" >>vg.log
    vg vg2 run --checkpoint vg.ckpt "$logs_sp" -p input=vg.log -p format=json -B 100 -p window_length=20s
    [ "$rc" -eq 0 ] || { fail "resumed run: exit status $rc"; show vg2.err; }
    has_text vg2.err "resuming from checkpoint" || { fail "it did not resume"; show vg2.err; }
    head -c 500 vg.ckpt/checkpoint >vg.cut && mv vg.cut vg.ckpt/checkpoint
    vg vg3 run --checkpoint vg.ckpt "$logs_sp" -p input=vg.log -p format=json -B 100
    [ "$rc" -eq 1 ] || { fail "damaged checkpoint: exit status $rc, not 1"; show vg3.err; }
else
    echo "run_checkpoint.sh: valgrind is not installed (VALGRIND is empty); its part is skipped"
fi

finish
echo "run_checkpoint.sh: $tests tests, $failed failed"
[ "$failed" -eq 0 ]
