#!/usr/bin/env bash
# run_parsers.sh - the access-log parsers of stdlib/weblog.sp, through the
# real binary.
#
#  1. tests/parsers/cases.tsv: tricky lines (Apache's '-' size, HTTP/0.9,
#     blanks in the request line, escaped quotes, host names, IPv6, +0330
#     zones, CRLF, raw non-UTF-8 bytes, odd protocols, nginx's extra fields,
#     vhost_combined, LogFormat strings) and lines that are no access-log
#     lines, each with the fields expected (or null);
#  2. pipelines/logs.sp over all those lines gives the totals that
#     tests/logs_totals.py computes independently (one definition of a
#     valid line for both);
#  3. when $top_srcdir/../shared/data/parser-vectors exists, other projects'
#     vectors (Vector's VRL examples, Filebeat's expected fields, lnav's
#     samples, apachelogs' vhost_combined log), compared on the fields that
#     mean the same thing.  Documented differences (they leave out '-'
#     fields, we keep them or count a '-' size as 0; address lists in the
#     client field; lnav's own ts-first format, ...) are rules in
#     tests/parsers/check_parsers.py, printed as `known:` lines; every other
#     disagreement is printed as `DIFF:` and fails.
#
# For each group of lines a pipeline  `sN | map PARSER | sink stdout(json)`
# is written to a temporary directory (never into the source tree) and run
# with `streampipe run`.
#
# Environment (set by `make check`): STREAMPIPE, the absolute path of the
# binary; top_srcdir, the source tree.  Exit status: 0 pass, 1 fail, 77 skip.

set -u

if [ -z "${STREAMPIPE:-}" ] || [ ! -x "$STREAMPIPE" ]; then
    echo "SKIP: STREAMPIPE is not set to an executable"
    exit 77
fi
case $STREAMPIPE in
/*) ;;
*) STREAMPIPE=$PWD/$STREAMPIPE ;;
esac
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to compare the records"; exit 77; }

# The library path must not depend on the caller's environment.
unset STREAMPIPE_PATH
export LC_ALL=C PYTHONDONTWRITEBYTECODE=1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sp-parsers.XXXXXX") || { echo "FAIL: cannot create a temporary directory"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
helper=$top_srcdir/tests/parsers/check_parsers.py
cases=$top_srcdir/tests/parsers/cases.tsv
fail=0

mkdir "$tmp/cases" "$tmp/logs" "$tmp/vectors"
python3 "$helper" cases "$STREAMPIPE" "$top_srcdir" "$tmp/cases" "$cases" || fail=1
python3 "$helper" logs "$STREAMPIPE" "$top_srcdir" "$tmp/logs" "$cases" || fail=1

shared=$top_srcdir/../shared/data/parser-vectors
if [ -d "$shared" ]; then
    python3 "$helper" vectors "$STREAMPIPE" "$top_srcdir" "$tmp/vectors" "$shared" || fail=1
else
    echo "SKIP (part): $shared is absent; the other projects' vectors are not checked"
fi

[ $fail = 0 ] && echo "run_parsers: pass" || echo "run_parsers: FAIL"
exit $fail
