#!/usr/bin/env bash
# run_logs.sh - end-to-end: pipelines/logs.sp over real access logs.
#
# For each log (the excerpts in tests/data, and the full files of
# ../shared/data/real-logs when that directory is present), runs
#   streampipe run pipelines/logs.sp -p input=FILE -p format=json
# and checks that the cumulative results it ends with equal those computed
# independently by tests/logs_totals.py.  Runs each log twice, once with
# small batches, and requires byte-identical output from a file and from stdin,
# and with 1, 2 and 3 threads.
set -u
: "${STREAMPIPE:?}" "${top_srcdir:?}"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed for the independent computation"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sp-logs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
logs=("$top_srcdir"/tests/data/*.log)
shared="$top_srcdir/../shared/data/real-logs"
if [ -d "$shared" ]; then
    logs+=("$shared"/*.log)
else
    echo "note: $shared is absent; checking the excerpts in tests/data only"
fi

compare() { # streampipe-json expected-json label
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
got = {}
for line in open(sys.argv[1], encoding='utf-8'):
    rec = json.loads(line)
    got[rec['sink']] = rec['value']          # the last value of each sink
ok = True
for line in open(sys.argv[2], encoding='utf-8'):
    want = json.loads(line)
    have = got.get(want['sink'], None)
    if have != want['value']:
        ok = False
        print(f"{sys.argv[3]}: {want['sink']}:\n  expected {json.dumps(want['value'])[:400]}\n  got      {json.dumps(have)[:400]}")
sys.exit(0 if ok else 1)
PY
}

for log in "${logs[@]}"; do
    name=$(basename "$log")
    python3 "$top_srcdir/tests/logs_totals.py" "$log" > "$tmp/expected" || { echo "FAIL: logs_totals.py $name"; fail=1; continue; }
    for batch in 100000 250; do
        if ! "$STREAMPIPE" run -q --threads 1 -B "$batch" "$top_srcdir/pipelines/logs.sp" -p input="$log" -p format=json \
            > "$tmp/out.$batch" 2> "$tmp/err"; then
            echo "FAIL: $name (batches of $batch): exit status $?"; cat "$tmp/err"; fail=1; continue
        fi
        if compare "$tmp/out.$batch" "$tmp/expected" "$name (batches of $batch)"; then
            echo "ok: $name, batches of $batch: totals equal the independent computation"
        else
            fail=1
        fi
    done
    # The same for any number of threads, byte for byte.
    for threads in 2 3; do
        for batch in 100000 250; do
            "$STREAMPIPE" run -q --threads $threads -B "$batch" "$top_srcdir/pipelines/logs.sp" -p input="$log" \
                -p format=json > "$tmp/threads" 2>/dev/null
            if cmp -s "$tmp/threads" "$tmp/out.$batch"; then
                echo "ok: $name, batches of $batch: $threads threads give byte-identical output"
            else
                echo "FAIL: $name, batches of $batch: output with $threads threads differs from 1 thread"; fail=1
            fi
        done
    done
    # Deterministic: the same again, from stdin, byte for byte.
    "$STREAMPIPE" run -q -B 250 "$top_srcdir/pipelines/logs.sp" -p input=- -p format=json < "$log" > "$tmp/stdin" 2>/dev/null
    if cmp -s "$tmp/stdin" "$tmp/out.250"; then
        echo "ok: $name: stdin gives byte-identical output"
    else
        echo "FAIL: $name: output from stdin differs from output from the file"; fail=1
    fi
done

# With more than one thread the next batch is read ahead, and the stage
# starts on its first chunks of 1024 lines while the rest is still being
# read (src/runtime.c, runtime_par.c).  Over a log of several batches, with
# CRLF line ends, a line over the 1 MiB limit and no final newline, batches that
# are and are not a whole number of chunks give byte-identical output for
# any number of threads, and the totals stay those of logs_totals.py.
mixed="$tmp/mixed.log"
cat "$top_srcdir"/tests/data/*.log > "$mixed.tmp"
{
    head -n 2000 "$mixed.tmp"
    head -c 1100000 /dev/zero | tr '\0' 'x'; echo
    sed -n '2001,3500p' "$mixed.tmp" | sed 's/$/\r/'
    sed -n '3501,$p' "$mixed.tmp"
} > "$mixed"
printf '%s' "$(tail -n 1 "$mixed.tmp")" >> "$mixed" # no final newline
for batch in 1024 2048 1500 100; do
    "$STREAMPIPE" run -q --threads 1 -B "$batch" "$top_srcdir/pipelines/logs.sp" -p input="$mixed" \
        -p format=json > "$tmp/mixed.1" 2>/dev/null
    if [ ! -s "$tmp/mixed.1" ]; then
        echo "FAIL: mixed log, batches of $batch: no output"; fail=1; continue
    fi
    for threads in 2 3; do
        "$STREAMPIPE" run -q --threads $threads -B "$batch" "$top_srcdir/pipelines/logs.sp" \
            -p input="$mixed" -p format=json > "$tmp/mixed.n" 2>/dev/null
        if cmp -s "$tmp/mixed.n" "$tmp/mixed.1"; then
            echo "ok: mixed log, batches of $batch: $threads threads give byte-identical output"
        else
            echo "FAIL: mixed log, batches of $batch: output with $threads threads differs from 1 thread"; fail=1
        fi
    done
done
grep -v '^xxxxx' "$mixed" | tr -d '\r' > "$tmp/mixed.clean"
python3 "$top_srcdir/tests/logs_totals.py" "$tmp/mixed.clean" > "$tmp/expected"
"$STREAMPIPE" run -q --threads 2 -B 1500 "$top_srcdir/pipelines/logs.sp" -p input="$mixed" \
    -p format=json > "$tmp/mixed.n" 2>/dev/null
if compare "$tmp/mixed.n" "$tmp/expected" "mixed log, 2 threads"; then
    echo "ok: mixed log, 2 threads: totals equal the independent computation"
else
    fail=1
fi
exit $fail
