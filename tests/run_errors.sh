#!/usr/bin/env bash
# run_errors.sh - the table of invalid pipelines in tests/errors.
#
# Each case is a pair of files:
#   NAME.sp        a pipeline that `streampipe check` must reject
#   NAME.expected  line 1:  # exit: N          the exit status
#                  line 2:  # args: ARGS...    (optional) extra arguments,
#                                              e.g. -p limit=abc
#                  then the exact standard error of
#                    cd tests/errors && streampipe check ARGS NAME.sp
#
# Every case is run, and each one whose exit status or standard error differs
# is shown with a unified diff (expected first).  Standard output must stay
# empty.  Fails when any case fails or when there are fewer than MIN_CASES.
#
# Environment (set by `make check`): STREAMPIPE, top_srcdir, top_builddir.
# Run it directly from the source tree as well: tests/run_errors.sh [NAME...]
# (the optional NAMEs restrict the run to those cases).
#
# To accept the current output of a case after reading it, a maintainer can
# run:  cd tests/errors && { echo '# exit: N'; streampipe check NAME.sp 2>&1 >/dev/null; } > NAME.expected

set -u

# Reproducible: C messages and ordering, no library path from the caller.
export LC_ALL=C
unset STREAMPIPE_PATH

MIN_CASES=40

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${STREAMPIPE:=$top_builddir/streampipe}"

if [ ! -x "$STREAMPIPE" ]; then
    echo "run_errors.sh: no streampipe binary at '$STREAMPIPE' (build it first, or set STREAMPIPE)" >&2
    exit 1
fi

casedir="$top_srcdir/tests/errors"
if [ ! -d "$casedir" ]; then
    echo "run_errors.sh: no case directory '$casedir'" >&2
    exit 1
fi

# Scratch space outside the source tree (read-only under distcheck).
tmpbase="${top_builddir}"
[ -d "$tmpbase" ] && [ -w "$tmpbase" ] || tmpbase="${TMPDIR:-/tmp}"
tmp=$(mktemp -d "$tmpbase/run_errors.XXXXXX") || { echo "run_errors.sh: mktemp failed" >&2; exit 1; }
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

cases=0
failed=0
failed_names=()

fail() { # NAME MESSAGE...
    local name=$1
    shift
    echo "FAIL: $name: $*"
}

# The cases to run: every NAME.sp, or the ones named on the command line.
. "$top_srcdir/tests/cases.sh"
find_cases "$casedir" expected "$@"
for n in "${orphans[@]}"; do
    cases=$((cases + 1))
    failed=$((failed + 1))
    failed_names+=("$n")
    fail "$n" "$n.expected has no $n.sp"
done

for name in "${names[@]}"; do
    cases=$((cases + 1))
    sp="$casedir/$name.sp"
    exp="$casedir/$name.expected"
    if [ ! -f "$sp" ] || [ ! -f "$exp" ]; then
        failed=$((failed + 1))
        failed_names+=("$name")
        [ -f "$sp" ] || fail "$name" "missing $name.sp"
        [ -f "$exp" ] || fail "$name" "missing $name.expected (the first line must be '# exit: N', then the expected stderr)"
        continue
    fi

    # Header: '# exit: N', then optionally '# args: ...'.
    header=$(sed -n '1p' "$exp")
    case $header in
    '# exit: '[0-9]*) want_rc=${header#'# exit: '} ;;
    *)
        failed=$((failed + 1))
        failed_names+=("$name")
        fail "$name" "the first line of $name.expected must be '# exit: N', not '$header'"
        continue
        ;;
    esac
    args=()
    skip=1
    line2=$(sed -n '2p' "$exp")
    case $line2 in
    '# args: '*)
        read -r -a args <<<"${line2#'# args: '}"
        skip=2
        ;;
    esac
    tail -n +$((skip + 1)) "$exp" >"$tmp/expected"

    (cd "$casedir" && "$STREAMPIPE" check ${args[@]+"${args[@]}"} "$name.sp") \
        >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
    rc=$?

    problems=0
    command="cd tests/errors && streampipe check${args[*]:+ ${args[*]}} $name.sp"
    if [ "$rc" -ge 128 ]; then
        fail "$name" "streampipe crashed (exit status $rc, signal $((rc - 128)))"
        problems=1
    elif [ "$rc" != "$want_rc" ]; then
        fail "$name" "exit status $rc, expected $want_rc"
        problems=1
    fi
    if ! cmp -s "$tmp/expected" "$tmp/stderr"; then
        fail "$name" "standard error differs (- expected, + actual):"
        diff -u --label "$name.expected" --label "actual stderr" "$tmp/expected" "$tmp/stderr" | sed 's/^/    /'
        problems=1
    fi
    if [ -s "$tmp/stdout" ]; then
        fail "$name" "'check' wrote to standard output:"
        sed 's/^/    /' "$tmp/stdout"
        problems=1
    fi
    if [ "$problems" -ne 0 ]; then
        echo "    (reproduce: $command)"
        failed=$((failed + 1))
        failed_names+=("$name")
    fi
done

echo
if [ "$failed" -gt 0 ]; then
    echo "failed cases: ${failed_names[*]}"
fi
echo "$cases cases, $failed failed"

status=0
[ "$failed" -eq 0 ] || status=1
if [ $# -eq 0 ] && [ "$cases" -lt "$MIN_CASES" ]; then
    echo "run_errors.sh: only $cases cases in tests/errors; at least $MIN_CASES are required"
    status=1
fi
exit $status
