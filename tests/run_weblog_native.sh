#!/usr/bin/env bash
# run_weblog_native.sh - the native access-log parsers (scan_access_log,
# src/weblog.c) give exactly what their language versions give.
#
# parse_access_log, parse_combined, parse_common and parse_vhost_combined of
# stdlib/weblog.sp are native; parse_*_re are the same parsers written in the
# pipeline language (PCRE2 captures, split_request, time_of, ...), kept as the
# reference.  tests/weblog_diff (tests/weblog_diff.c) runs both on each line
# in one evaluator and requires the same record exactly: same fields, same
# types, same bytes, null for null, and no run-time error.  The lines:
#
#  1. every line the other tests know (tests/parsers/weblog_inputs.py):
#     tests/parsers/cases.tsv and check_parsers.py's long cases,
#     ../shared/data/parser-vectors/** and ../shared/data/real-logs/* (each
#     skipped with a message when absent), run_hostile.sh's hostile lines
#     (NUL, invalid UTF-8, garbage, CRLF, overflowing numbers, impossible
#     dates, very long fields), each as is and with 3 seeded mutations
#     (bytes replaced, inserted or deleted next to field boundaries: blanks,
#     quotes, backslashes, brackets, '\n', NUL; the line cut; a piece doubled);
#  2. `streampipe gen` lines, as is and mutated;
#  3. lines assembled from tricky pieces of every format (ports, time
#     variants, HTTP/0.9, "-", escapes, extra fields, trailing blanks, ...),
#     as is and mutated;
#  4. through the binary: a pipeline over the lines of 1 with two threads,
#     once with the native parser and once with the reference, must print the
#     same JSON;
#  5. through the binary: records of only the fields a pipeline reads
#     (src/project.c) hold what whole records hold, for each field alone.
#
# WEBLOG_DIFF_LINES (default 60000) sets how many lines step 3 assembles.
# Environment (set by `make check`): STREAMPIPE, top_srcdir, top_builddir.
# Exit status: 0 pass, 1 fail, 77 skip.

set -u

top_srcdir=$(cd "${top_srcdir:-$(dirname "$0")/..}" && pwd)
. "$top_srcdir/tests/testlib.sh"
[ -z "${top_builddir:-}" ] || top_builddir=$(cd "$top_builddir" && pwd)
setup run_weblog_native.sh python3
top_builddir=${top_builddir:-$(dirname "$STREAMPIPE")}
diff_tool=$top_builddir/tests/weblog_diff
if [ ! -x "$diff_tool" ]; then
    echo "SKIP: $diff_tool is not built (make check builds it)"
    exit 77
fi

unset STREAMPIPE_PATH
export LC_ALL=C PYTHONDONTWRITEBYTECODE=1
fail=0
lib=$top_srcdir/stdlib
shared=$top_srcdir/../shared/data

# weblog_diff ARGS...: runs it; a disagreement or an error fails
run_diff() {
    "$diff_tool" -I "$lib" "$@" >"$tmp/diff.out" 2>&1
    local rc=$?
    tail -n 60 "$tmp/diff.out"
    if [ $rc -ne 0 ]; then
        echo "FAIL: weblog_diff $* (exit status $rc)"
        fail=1
    fi
}

echo "== 1. the known lines, and 3 mutations of each"
python3 "$top_srcdir/tests/parsers/weblog_inputs.py" "$tmp/known.rec" "$top_srcdir" \
    "$shared/parser-vectors" "$shared/real-logs" || { echo "FAIL: weblog_inputs.py"; exit 1; }
[ -d "$shared/parser-vectors" ] || echo "SKIP (part): $shared/parser-vectors is absent"
[ -d "$shared/real-logs" ] || echo "SKIP (part): $shared/real-logs is absent"
run_diff --write "$tmp/known.log" "$tmp/known.rec"
run_diff --seed 11 --mutate 3 "$tmp/known.rec"

echo "== 2. generated traffic, and 3 mutations of each line"
"$STREAMPIPE" gen -q --stdout --seed 7 --count 20000 >"$tmp/gen.log" || { echo "FAIL: streampipe gen"; fail=1; }
run_diff --seed 12 --mutate 3 "$tmp/gen.log"

echo "== 3. assembled lines of every format, and 3 mutations of each"
run_diff --seed 13 --generate "${WEBLOG_DIFF_LINES:-60000}" --mutate 3

echo "== 4. through the binary, two threads: native and reference print the same"
cat >"$tmp/both.sp" <<'EOF'
use weblog
param input = "known.log"
param native = true
source lines = file(input)
lines
  | map (if native then parse_access_log(it) else parse_access_log_re(it),
         if native then parse_combined(it) else parse_combined_re(it),
         if native then parse_common(it) else parse_common_re(it),
         if native then parse_vhost_combined(it) else parse_vhost_combined_re(it))
  | sink stdout(format: "json", name: "parsed")
EOF
for native in true false; do
    timeout -s KILL 120 "$STREAMPIPE" run -q --threads 2 -I "$lib" "$tmp/both.sp" -p input="$tmp/known.log" \
        -p native=$native >"$tmp/$native.json" 2>"$tmp/$native.err"
    rc=$?
    if [ $rc -ne 0 ] || [ -s "$tmp/$native.err" ]; then
        echo "FAIL: the pipeline with native=$native: exit status $rc"
        head -n 20 "$tmp/$native.err"
        fail=1
    fi
done
if cmp -s "$tmp/true.json" "$tmp/false.json"; then
    echo "the same output: $(wc -l <"$tmp/known.log") lines, $(wc -c <"$tmp/true.json") bytes of JSON"
else
    echo "FAIL: the native parsers and the reference print different JSON"
    cmp "$tmp/true.json" "$tmp/false.json" | head -n 3
    fail=1
fi

echo "== 5. records of only the fields a pipeline reads hold what the whole records hold"
# A pipeline that reads fields by name gets records of those fields alone
# (src/project.c); handing each record to a function first keeps them whole.
# For every field alone, and for logs.sp's four, both print the same; the
# profile says which fields the records kept.
fields="host ident user time method endpoint path protocol status size referer agent vhost port duration_us"
for sel in $fields "host endpoint status size"; do
    list=$(echo "$sel" | sed 's/ /, /g')
    for mode in projected whole; do
        if [ $mode = projected ]; then parse='parse_access_log(it)'; else parse='whole(parse_access_log(it))'; fi
        cat >"$tmp/proj.sp" <<EOF
use weblog
fn whole(r) = r
param input = "known.log"
source lines = file(input)
lines | map $parse | filter it != null | map ($list, 0) | sink stdout(format: "json", name: "fields")
EOF
        STREAMPIPE_PROFILE=1 timeout -s KILL 120 "$STREAMPIPE" run -q --threads 2 -I "$lib" "$tmp/proj.sp" \
            -p input="$tmp/known.log" >"$tmp/$mode.json" 2>"$tmp/$mode.err"
        rc=$?
        if [ $rc -ne 0 ] || ! grep -q "^access-log records: " "$tmp/$mode.err"; then
            echo "FAIL: the pipeline reading ($list) with $mode records: exit status $rc"
            head -n 20 "$tmp/$mode.err"
            fail=1
        fi
    done
    want="access-log records: $(echo "$sel" | wc -w) of 15 fields read: $sel"
    if ! grep -qx "$want" "$tmp/projected.err"; then
        echo "FAIL: reading ($list): the profile does not say '$want'"
        grep "^access-log records" "$tmp/projected.err"
        fail=1
    fi
    if ! grep -qx "access-log records: every field (a record may be read whole)" "$tmp/whole.err"; then
        echo "FAIL: records handed to a function are not kept whole"
        fail=1
    fi
    if ! cmp -s "$tmp/projected.json" "$tmp/whole.json"; then
        echo "FAIL: reading ($list): records of those fields and whole records print different JSON"
        cmp "$tmp/projected.json" "$tmp/whole.json" | head -n 3
        fail=1
    elif [ ! -s "$tmp/projected.json" ]; then
        echo "FAIL: reading ($list): no output"
        fail=1
    fi
done
[ $fail = 0 ] && echo "the same output for each of the 15 fields alone and for (host, endpoint, status, size)"

[ $fail = 0 ] && echo "run_weblog_native: pass" || echo "run_weblog_native: FAIL"
exit $fail
