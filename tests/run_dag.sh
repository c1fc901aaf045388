#!/usr/bin/env bash
# run_dag.sh - golden DOT output of valid pipelines (tests/dag).
#
# Each case is NAME.sp (a valid pipeline) with NAME.dot, the exact output of
#   cd tests/dag && streampipe dag NAME.sp
# For every case:
#   - `streampipe check NAME.sp` exits 0 and prints nothing at all;
#   - `streampipe dag NAME.sp` exits 0, prints nothing on stderr, and its
#     output equals NAME.dot (a unified diff is shown otherwise);
#   - when $DOT (graphviz) is set, `dot -Tsvg` renders it with exit status 0,
#     NOTHING on stderr (warnings fail the test) and an <svg> document.
# Then the same for $top_srcdir/pipelines/logs.sp (no golden file), whose
# DOT must also have one sink node for each sink written in the pipeline.
#
# Environment (set by `make check`): STREAMPIPE, top_srcdir, top_builddir,
# DOT (the path of `dot`, or empty to skip rendering).
# Run it directly as well: tests/run_dag.sh [NAME...]

set -u

# Reproducible: C messages and ordering, no library path from the caller.
export LC_ALL=C
unset STREAMPIPE_PATH

MIN_CASES=8

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${STREAMPIPE:=$top_builddir/streampipe}"
if [ -z "${DOT+set}" ]; then
    DOT=$(command -v dot || true)
fi

if [ ! -x "$STREAMPIPE" ]; then
    echo "run_dag.sh: no streampipe binary at '$STREAMPIPE' (build it first, or set STREAMPIPE)" >&2
    exit 1
fi
casedir="$top_srcdir/tests/dag"
if [ ! -d "$casedir" ]; then
    echo "run_dag.sh: no case directory '$casedir'" >&2
    exit 1
fi
if [ -n "$DOT" ] && [ ! -x "$DOT" ]; then
    echo "run_dag.sh: DOT is set to '$DOT', which is not an executable" >&2
    exit 1
fi

tmpbase="${top_builddir}"
[ -d "$tmpbase" ] && [ -w "$tmpbase" ] || tmpbase="${TMPDIR:-/tmp}"
tmp=$(mktemp -d "$tmpbase/run_dag.XXXXXX") || { echo "run_dag.sh: mktemp failed" >&2; exit 1; }
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

cases=0
failed=0
failed_names=()
rendered=0

fail() { # NAME MESSAGE...
    local name=$1
    shift
    echo "FAIL: $name: $*"
}

indent() { sed 's/^/    /' "$@"; }

# check_silent DIR FILE LABEL: `check` must exit 0 with no output at all.
check_silent() {
    local dir=$1 file=$2 label=$3
    (cd "$dir" && "$STREAMPIPE" check "$file") >"$tmp/check.out" 2>"$tmp/check.err" </dev/null
    local rc=$?
    local ok=0
    if [ "$rc" -ne 0 ]; then
        fail "$label" "'streampipe check $file' exited with $rc, expected 0"
        ok=1
    fi
    if [ -s "$tmp/check.err" ] || [ -s "$tmp/check.out" ]; then
        fail "$label" "'streampipe check $file' is not silent:"
        indent "$tmp/check.err" "$tmp/check.out"
        ok=1
    fi
    return $ok
}

# make_dag DIR FILE LABEL: runs `dag`, output in $tmp/dag.dot.
make_dag() {
    local dir=$1 file=$2 label=$3
    (cd "$dir" && "$STREAMPIPE" dag "$file") >"$tmp/dag.dot" 2>"$tmp/dag.err" </dev/null
    local rc=$?
    local ok=0
    if [ "$rc" -ne 0 ]; then
        fail "$label" "'streampipe dag $file' exited with $rc, expected 0"
        ok=1
    fi
    if [ -s "$tmp/dag.err" ]; then
        fail "$label" "'streampipe dag $file' wrote to standard error:"
        indent "$tmp/dag.err"
        ok=1
    fi
    return $ok
}

# render LABEL: dot -Tsvg on $tmp/dag.dot, silently and successfully.
render() {
    local label=$1
    [ -n "$DOT" ] || return 0
    "$DOT" -Tsvg "$tmp/dag.dot" >"$tmp/dag.svg" 2>"$tmp/dot.err" </dev/null
    local rc=$?
    local ok=0
    if [ "$rc" -ne 0 ]; then
        fail "$label" "'dot -Tsvg' exited with $rc"
        ok=1
    fi
    if [ -s "$tmp/dot.err" ]; then
        fail "$label" "'dot -Tsvg' printed warnings or errors:"
        indent "$tmp/dot.err"
        ok=1
    fi
    if ! grep -q '<svg' "$tmp/dag.svg"; then
        fail "$label" "'dot -Tsvg' produced no <svg> element"
        ok=1
    fi
    [ "$ok" -eq 0 ] && rendered=$((rendered + 1))
    return $ok
}

. "$top_srcdir/tests/cases.sh"
find_cases "$casedir" dot "$@"
for n in "${orphans[@]}"; do
    cases=$((cases + 1))
    failed=$((failed + 1))
    failed_names+=("$n")
    fail "$n" "$n.dot has no $n.sp"
done

for name in "${names[@]}"; do
    cases=$((cases + 1))
    problems=0
    if [ ! -f "$casedir/$name.sp" ] || [ ! -f "$casedir/$name.dot" ]; then
        [ -f "$casedir/$name.sp" ] || fail "$name" "missing $name.sp"
        [ -f "$casedir/$name.dot" ] || fail "$name" "missing $name.dot (the expected output of 'streampipe dag $name.sp')"
        failed=$((failed + 1))
        failed_names+=("$name")
        continue
    fi
    check_silent "$casedir" "$name.sp" "$name" || problems=1
    if make_dag "$casedir" "$name.sp" "$name"; then
        if ! cmp -s "$casedir/$name.dot" "$tmp/dag.dot"; then
            fail "$name" "the DOT differs (- expected, + actual):"
            diff -u --label "$name.dot" --label "streampipe dag $name.sp" "$casedir/$name.dot" "$tmp/dag.dot" | indent
            problems=1
        fi
        render "$name" || problems=1
    else
        problems=1
    fi
    if [ "$problems" -ne 0 ]; then
        echo "    (reproduce: cd tests/dag && streampipe dag $name.sp)"
        failed=$((failed + 1))
        failed_names+=("$name")
    fi
done

# The sample pipeline shipped in pipelines/: valid, renders, all sinks present.
if [ $# -eq 0 ]; then
    cases=$((cases + 1))
    name=pipelines/logs.sp
    logs="$top_srcdir/pipelines/logs.sp"
    problems=0
    if [ ! -f "$logs" ]; then
        fail "$name" "missing $logs"
        problems=1
    else
        check_silent "$top_srcdir/pipelines" logs.sp "$name" || problems=1
        if make_dag "$top_srcdir/pipelines" logs.sp "$name"; then
            render "$name" || problems=1
            # Every `sink KIND "TITLE"` of the pipeline is a house-shaped node.
            want=$(grep -c '^[^#]*|[[:space:]]*sink[[:space:]]' "$logs")
            got=$(grep -c 'shape=house' "$tmp/dag.dot")
            if [ "$want" -lt 1 ]; then
                fail "$name" "found no '| sink' step in $logs"
                problems=1
            fi
            if [ "$got" -ne "$want" ]; then
                fail "$name" "the DOT has $got sink nodes, but the pipeline has $want sinks"
                problems=1
            fi
            while IFS= read -r title; do
                label=$(printf '%s' "$title" | sed 's/\\/\\\\/g; s/"/\\"/g')
                if ! grep -F "label=\"sink stdout \\\"$label\\\"\"" "$tmp/dag.dot" | grep -q 'shape=house'; then
                    fail "$name" "no sink node for: sink stdout \"$title\""
                    problems=1
                fi
            done < <(sed -n 's/^[^#]*|[[:space:]]*sink stdout "\([^"]*\)".*/\1/p' "$logs")
            [ "$problems" -ne 0 ] || echo "pipelines/logs.sp: $got sink nodes for its $want sinks"
            if [ "$problems" -ne 0 ]; then
                echo "    the DOT was:"
                indent "$tmp/dag.dot"
            fi
        else
            problems=1
        fi
    fi
    if [ "$problems" -ne 0 ]; then
        failed=$((failed + 1))
        failed_names+=("$name")
    fi
fi

echo
if [ -n "$DOT" ]; then
    echo "rendered $rendered DOT graphs with $DOT"
else
    echo "DOT is not set (graphviz not found): compared the golden files only, rendering was skipped"
fi
if [ "$failed" -gt 0 ]; then
    echo "failed cases: ${failed_names[*]}"
fi
echo "$cases cases, $failed failed"

status=0
[ "$failed" -eq 0 ] || status=1
if [ $# -eq 0 ] && [ "$cases" -lt $((MIN_CASES + 1)) ]; then
    echo "run_dag.sh: only $((cases - 1)) cases in tests/dag; at least $MIN_CASES are required"
    status=1
fi
exit $status
