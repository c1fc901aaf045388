#!/usr/bin/env bash
# run_cli.sh - the streampipe command line: help, version, commands,
# options, exit statuses (0 ok, 1 invalid pipeline, 2 bad usage), -p, -o, -I,
# reading the pipeline from stdin, and robustness against junk input.
#
# Environment (set by `make check`): STREAMPIPE, top_srcdir, top_builddir.
# Run it directly as well: tests/run_cli.sh
# Every check that fails prints the command, its exit status and its output.

set -u

# Reproducible: C messages and ordering, no library path from the caller.
export LC_ALL=C
unset STREAMPIPE_PATH

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${STREAMPIPE:=$top_builddir/streampipe}"

if [ ! -x "$STREAMPIPE" ]; then
    echo "run_cli.sh: no streampipe binary at '$STREAMPIPE' (build it first, or set STREAMPIPE)" >&2
    exit 1
fi
LOGS="$top_srcdir/pipelines/logs.sp"
if [ ! -f "$LOGS" ]; then
    echo "run_cli.sh: missing $LOGS" >&2
    exit 1
fi

tmpbase="${top_builddir}"
[ -d "$tmpbase" ] && [ -w "$tmpbase" ] || tmpbase="${TMPDIR:-/tmp}"
tmp=$(mktemp -d "$tmpbase/run_cli.XXXXXX") || { echo "run_cli.sh: mktemp failed" >&2; exit 1; }
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

tests=0
failed=0
failed_names=()
current=
current_failed=0
cmdline=
rc=0

# ----- a tiny assertion kit -----

begin() { # NAME
    current=$1
    current_failed=0
    tests=$((tests + 1))
}

# run [--stdin FILE] [--in DIR] CMD ARGS...: output in $tmp/out, $tmp/err, status in $rc.
run() {
    local input=/dev/null dir=.
    while :; do
        case $1 in
        --stdin) input=$2; shift 2 ;;
        --in) dir=$2; shift 2 ;;
        *) break ;;
        esac
    done
    cmdline="$*"
    [ "$input" = /dev/null ] || cmdline="$cmdline < ${input##*/}"
    [ "$dir" = . ] || cmdline="(cd ${dir##*/} && $cmdline)"
    (cd "$dir" && timeout 60 "$@") <"$input" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

problem() { # MESSAGE: the command and its output are shown once per check
    if [ "$current_failed" -eq 0 ]; then
        echo "FAIL: $current"
        failed=$((failed + 1))
        failed_names+=("$current")
        echo "    command: ${cmdline//"$STREAMPIPE"/streampipe}"
        echo "    exit status: $rc"
        if [ -s "$tmp/out" ]; then
            echo "    stdout:"
            head -n 15 "$tmp/out" | cut -c1-200 | sed 's/^/      | /'
        fi
        if [ -s "$tmp/err" ]; then
            echo "    stderr:"
            head -n 15 "$tmp/err" | cut -c1-200 | sed 's/^/      | /'
        fi
    fi
    current_failed=1
    echo "    => $1"
}

expect_rc() { # N
    if [ "$rc" -ge 124 ]; then
        problem "crashed or hung (exit status $rc), expected $1"
    elif [ "$rc" -ne "$1" ]; then
        problem "exit status $rc, expected $1"
    fi
}
expect_no_crash() {
    [ "$rc" -lt 124 ] || problem "crashed or hung (exit status $rc)"
}
expect_out_has() { grep -qF -- "$1" "$tmp/out" || problem "stdout lacks: $1"; }
expect_err_has() { grep -qF -- "$1" "$tmp/err" || problem "stderr lacks: $1"; }
expect_err_lacks() { ! grep -qF -- "$1" "$tmp/err" || problem "stderr should not contain: $1"; }
expect_out_first() { # LINE: the first line of stdout
    local first
    first=$(head -n 1 "$tmp/out")
    [ "$first" = "$1" ] || problem "stdout starts with '$first', expected '$1'"
}
expect_out_empty() { [ ! -s "$tmp/out" ] || problem "stdout should be empty"; }
expect_err_empty() { [ ! -s "$tmp/err" ] || problem "stderr should be empty"; }
expect_out_same_as() { # FILE
    cmp -s "$1" "$tmp/out" || {
        problem "stdout differs from ${1##*/}:"
        diff -u "$1" "$tmp/out" | head -n 20 | sed 's/^/      /'
    }
}
save_out() { cp "$tmp/out" "$tmp/$1"; }

SP=$STREAMPIPE

# ----- fixtures (all in the scratch directory) -----

cat >"$tmp/valid.sp" <<'EOF'
param min_length = 3
source lines = stdin
lines | filter length(it) >= min_length | map upper(it) | sink stdout "long lines"
EOF
cat >"$tmp/invalid.sp" <<'EOF'
source lines = stdin
lines | map uper(it) | sink stdout
EOF
cat >"$tmp/warning.sp" <<'EOF'
source lines = stdin
unused = lines | map upper(it)
lines | sink stdout
EOF
cat >"$tmp/count.sp" <<'EOF'
source lines = stdin
lines | count | sink stdout "lines"
EOF
printf 'one\ntwo\nthree\n' >"$tmp/three-lines.txt"
: >"$tmp/empty.sp"
mkdir "$tmp/libs"
cat >"$tmp/libs/mylib.sp" <<'EOF'
fn shout(s) = upper(s) + "!"
EOF
cat >"$tmp/uselib.sp" <<'EOF'
use mylib
source lines = stdin
lines | map shout(it) | sink stdout
EOF

# ----- help and version -----

begin "--help"
run "$SP" --help
expect_rc 0
expect_out_first "usage: streampipe COMMAND [OPTIONS] FILE"
for word in "run FILE" "check FILE" "dag FILE" "help [CMD]" "--version" "Exit status"; do
    expect_out_has "$word"
done
expect_err_empty
save_out help.txt

begin "-h is --help"
run "$SP" -h
expect_rc 0
expect_out_same_as "$tmp/help.txt"
expect_err_empty

begin "help (no command) is --help"
run "$SP" help
expect_rc 0
expect_out_same_as "$tmp/help.txt"

begin "--version"
run "$SP" --version
expect_rc 0
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile" 2>/dev/null | head -n 1)
if [ -n "$version" ]; then
    # a build of `make pgo` (scripts/setup) says so
    case $(head -n 1 "$tmp/out") in
    "streampipe $version" | "streampipe $version (profile-guided build)") ;;
    *) problem "stdout starts with '$(head -n 1 "$tmp/out")', expected 'streampipe $version' (and maybe ' (profile-guided build)')" ;;
    esac
else
    grep -qE '^streampipe [0-9]+\.[0-9]+' "$tmp/out" || problem "stdout is not 'streampipe VERSION'"
fi
[ "$(wc -l <"$tmp/out")" -eq 1 ] || problem "--version should print one line"
expect_err_empty
save_out version.txt

begin "-V is --version"
run "$SP" -V
expect_rc 0
expect_out_same_as "$tmp/version.txt"

begin "no arguments: usage on stderr, exit 2"
run "$SP"
expect_rc 2
expect_out_empty
expect_err_has "usage: streampipe COMMAND"

for cmd in check dag run; do
    begin "help $cmd"
    run "$SP" help "$cmd"
    expect_rc 0
    expect_out_first "usage: streampipe $cmd [OPTIONS] FILE"
    expect_out_has "-p, --param NAME=VALUE"
    expect_err_empty
    save_out "help-$cmd.txt"

    begin "$cmd --help"
    run "$SP" "$cmd" --help
    expect_rc 0
    expect_out_same_as "$tmp/help-$cmd.txt"
    expect_err_empty

    begin "$cmd -h"
    run "$SP" "$cmd" -h
    expect_rc 0
    expect_out_same_as "$tmp/help-$cmd.txt"
done

begin "help dag documents -o"
run "$SP" help dag
expect_out_has "-o, --output OUT"

# ----- usage errors (exit 2) -----

begin "unknown command"
run "$SP" frobnicate "$tmp/valid.sp"
expect_rc 2
expect_out_empty
expect_err_has "unknown command 'frobnicate'"

begin "unknown long option"
run "$SP" check --frobnicate "$tmp/valid.sp"
expect_rc 2
expect_out_empty
expect_err_has "unknown option '--frobnicate'"
expect_err_has "streampipe check --help"

begin "unknown short option"
run "$SP" dag -Z "$tmp/valid.sp"
expect_rc 2
expect_out_empty
expect_err_has "unknown option '-Z'"

begin "missing FILE"
run "$SP" check
expect_rc 2
expect_out_empty
expect_err_has "which pipeline file?"

begin "missing FILE (dag)"
run "$SP" dag
expect_rc 2
expect_err_has "which pipeline file?"

begin "two FILEs"
run "$SP" check "$tmp/valid.sp" "$tmp/invalid.sp"
expect_rc 2
expect_err_has "one pipeline file at a time"

begin "option needing a value given none"
run "$SP" dag "$tmp/valid.sp" -o
expect_rc 2
expect_err_has "option '-o' needs a value"

begin "-o is only for dag"
run "$SP" check -o "$tmp/x.dot" "$tmp/valid.sp"
expect_rc 2
expect_err_has "option '-o' is only for 'dag'"
[ ! -e "$tmp/x.dot" ] || problem "check -o must not create the file"

begin "dag -f with an unknown format"
run "$SP" dag -f gif "$tmp/valid.sp"
expect_rc 2
expect_out_empty
expect_err_has "unknown format 'gif' (dot, svg or png)"

# ----- files -----

begin "nonexistent file: exit 1, cannot open"
run "$SP" check "$tmp/no/such/pipeline.sp"
expect_rc 1
expect_out_empty
expect_err_has "cannot open '$tmp/no/such/pipeline.sp'"

begin "nonexistent file (dag)"
run "$SP" dag "$tmp/nonexistent.sp"
expect_rc 1
expect_out_empty
expect_err_has "cannot open"

begin "a directory as FILE"
run "$SP" check "$tmp/libs"
expect_rc 1
expect_out_empty
expect_err_has "$tmp/libs"

begin "valid pipeline: check is silent"
run "$SP" check "$tmp/valid.sp"
expect_rc 0
expect_out_empty
expect_err_empty

begin "invalid pipeline: errors on stderr, exit 1"
run --in "$tmp" "$SP" check invalid.sp
expect_rc 1
expect_out_empty
expect_err_has "invalid.sp:2:13: error: unknown function 'uper'"
expect_err_has "did you mean 'upper'?"
expect_err_has "invalid.sp: 1 error"

begin "a warning alone: exit 0, shown"
run --in "$tmp" "$SP" check warning.sp
expect_rc 0
expect_out_empty
expect_err_has "warning.sp:2:1: warning: stream 'unused' is never used"

begin "-W hides warnings"
run --in "$tmp" "$SP" check -W warning.sp
expect_rc 0
expect_out_empty
expect_err_empty

begin "empty file: exit 1, no source"
run "$SP" check "$tmp/empty.sp"
expect_rc 1
expect_out_empty
expect_err_has "no source"

# ----- dag -o -----

begin "dag to stdout"
run --in "$tmp" "$SP" dag valid.sp
expect_rc 0
expect_err_empty
expect_out_first 'digraph "valid.sp" {'
save_out valid.dot

begin "dag -o OUT writes the file"
run --in "$tmp" "$SP" dag -o out.dot valid.sp
expect_rc 0
expect_out_empty
expect_err_empty
if [ -f "$tmp/out.dot" ]; then
    cmp -s "$tmp/valid.dot" "$tmp/out.dot" || problem "out.dot differs from the output of 'dag' without -o"
else
    problem "out.dot was not written"
fi

begin "dag --output=OUT"
run --in "$tmp" "$SP" dag --output=out2.dot valid.sp
expect_rc 0
expect_out_empty
cmp -s "$tmp/valid.dot" "$tmp/out2.dot" 2>/dev/null || problem "out2.dot is missing or differs"

begin "dag -o - is stdout"
run --in "$tmp" "$SP" dag -o - valid.sp
expect_rc 0
expect_out_same_as "$tmp/valid.dot"
[ ! -e "$tmp/-" ] || problem "dag -o - created a file named '-'"

begin "dag -f dot"
run --in "$tmp" "$SP" dag -f dot valid.sp
expect_rc 0
expect_out_same_as "$tmp/valid.dot"

begin "dag -o into a missing directory: exit 1"
run --in "$tmp" "$SP" dag -o no/such/dir/out.dot valid.sp
expect_rc 1
expect_out_empty
expect_err_has "cannot write 'no/such/dir/out.dot'"

begin "dag of an invalid pipeline writes no OUT"
run --in "$tmp" "$SP" dag -o bad.dot invalid.sp
expect_rc 1
expect_err_has "unknown function 'uper'"
[ ! -e "$tmp/bad.dot" ] || problem "bad.dot should not be created for an invalid pipeline"

# ----- -p -----

begin "-p with a valid value"
run "$SP" check -p window_length=60s "$LOGS"
expect_rc 0
expect_out_empty
expect_err_empty

begin "-p takes effect (seen in the DAG)"
run "$SP" dag -p window_length=60s -p slide_interval=20s "$LOGS"
expect_rc 0
expect_out_has "reduceByWindow merge_stats 1m / 20s"
expect_err_empty

begin "--param NAME=VALUE and several -p"
run "$SP" check --param=min_hits=5 --param top_n=3 -p input=access.log "$LOGS"
expect_rc 0
expect_err_empty

begin "-p for no parameter: exit 2"
run "$SP" check -p nosuch=1 "$LOGS"
expect_rc 2
expect_out_empty
expect_err_has "-p nosuch: "
expect_err_has "has no parameter 'nosuch'"

begin "-p with a misspelt parameter suggests one"
run "$SP" check -p windw_length=60s "$LOGS"
expect_rc 2
expect_err_has "did you mean 'window_length'?"

begin "-p window_length=abc: exit 2"
run "$SP" check -p window_length=abc "$LOGS"
expect_rc 2
expect_out_empty
expect_err_has "-p window_length=abc: the value must be a duration"

begin "-p integer parameter given text: exit 2"
run "$SP" check -p min_hits=many "$LOGS"
expect_rc 2
expect_err_has "-p min_hits=many: the value must be an integer"

begin "-p without '=': exit 2"
run "$SP" check -p window_length "$LOGS"
expect_rc 2
expect_err_has "-p needs NAME=VALUE"

begin "-p on dag for no parameter: exit 2, no DOT"
run "$SP" dag -p nosuch=1 "$LOGS"
expect_rc 2
expect_out_empty

# ----- libraries -----

begin "use of a library found with -I"
run "$SP" check -I "$tmp/libs" "$tmp/uselib.sp"
expect_rc 0
expect_err_empty

begin "use of a library found with STREAMPIPE_PATH"
STREAMPIPE_PATH="$tmp/libs" run "$SP" check "$tmp/uselib.sp"
expect_rc 0
expect_err_empty

begin "use of a library not on the path: exit 1"
run --in "$tmp" "$SP" check uselib.sp
expect_rc 1
expect_err_has "uselib.sp:1:5: error: cannot find library 'mylib'"

# A pipeline is never its own library: one named after the library it uses
# (or after the prelude, core) must still get the real one.
begin "a pipeline named weblog.sp can use weblog"
mkdir "$tmp/named"
cat >"$tmp/named/weblog.sp" <<'EOF2'
use weblog
source lines = stdin
lines | map parse_access_log | filter ok | map (status, 1) | reduceByKey sum | sink stdout
EOF2
run --in "$tmp/named" "$SP" check weblog.sp
expect_rc 0
expect_err_empty

begin "a pipeline named core.sp still gets the prelude"
cat >"$tmp/named/core.sp" <<'EOF2'
source lines = stdin
lines | map (it, 1) | reduceByKey sum | sink stdout
EOF2
run --in "$tmp/named" "$SP" check core.sp
expect_rc 0
expect_err_empty

# A library next to the pipeline comes before the standard library; when it
# hides one of the standard library's, that is said (a stale copy left there
# would change the results silently), unless its directory is given with -I.
begin "a library next to the pipeline that hides a standard one: a warning at the use"
mkdir "$tmp/shadow"
printf 'fn only_here(x) = x\n' >"$tmp/shadow/weblog.sp"
cat >"$tmp/shadow/p.sp" <<'EOF2'
use weblog
source lines = stdin
lines | map only_here | sink stdout
EOF2
run --in "$tmp/shadow" "$SP" check p.sp
expect_rc 0
expect_err_has "p.sp:1:5: warning: 'use weblog' loads ./weblog.sp, next to the pipeline, instead of "
expect_err_has "hint: rename it to use the standard library's, or name its directory with -I to keep it and silence this"

begin "a library next to the pipeline named with -I: no warning"
run --in "$tmp/shadow" "$SP" check -I . p.sp
expect_rc 0
expect_err_empty

begin "a library next to the pipeline that hides nothing: no warning"
mv "$tmp/shadow/weblog.sp" "$tmp/shadow/mine.sp"
sed -i 's/use weblog/use mine/' "$tmp/shadow/p.sp"
run --in "$tmp/shadow" "$SP" check p.sp
expect_rc 0
expect_err_empty

# ----- reading the pipeline from stdin -----

begin "check - reads the pipeline from stdin"
run --stdin "$tmp/valid.sp" "$SP" check -
expect_rc 0
expect_out_empty
expect_err_empty

begin "dag - reads the pipeline from stdin"
run --stdin "$tmp/valid.sp" "$SP" dag -
expect_rc 0
expect_err_empty
expect_out_first 'digraph "<stdin>" {'
expect_out_has 'sink stdout \"long lines\"'

begin "check - with use weblog"
printf 'use weblog\nsource lines = stdin\nlines | map parse_access_log | filter ok | map status | sink stdout\n' >"$tmp/weblog-stdin.sp"
run --stdin "$tmp/weblog-stdin.sp" "$SP" check -
expect_rc 0
expect_err_empty

begin "check - with an invalid pipeline names <stdin>"
run --stdin "$tmp/invalid.sp" "$SP" check -
expect_rc 1
expect_out_empty
expect_err_has "<stdin>:2:13: error: unknown function 'uper'"
# The summary names the file as the messages do.
expect_err_has "<stdin>: 1 error"

# ----- run -----
# The runtime has arrived: `run` runs bounded inputs to their end.

begin "run a valid pipeline on stdin"
run --stdin "$tmp/three-lines.txt" "$SP" run -q "$tmp/count.sp"
expect_rc 0
expect_out_has "lines: 3"
expect_err_empty

begin "run an invalid pipeline: the check's errors, exit 1"
run --stdin "$tmp/three-lines.txt" --in "$tmp" "$SP" run invalid.sp
expect_rc 1
expect_out_empty
expect_err_has "invalid.sp:2:13: error: unknown function 'uper'"

begin "run with a bad -p: exit 2"
run --stdin "$tmp/three-lines.txt" "$SP" run -p nosuch=1 "$tmp/count.sp"
expect_rc 2
expect_out_empty

begin "-q is only for run"
run "$SP" check -q "$tmp/valid.sp"
expect_rc 2
expect_err_has "option '-q' is only for 'run'"

# ----- junk input: errors, exit 1, never a crash -----

begin "NUL bytes in a pipeline"
printf 'source lines = stdin\x00\nlines | map\x00 upper(it) | sink stdout\n\x00\x00\n' >"$tmp/nul.sp"
run --in "$tmp" "$SP" check nul.sp
expect_rc 1
expect_out_empty
expect_err_has "nul.sp:1:21: error: unexpected byte 0x00"

begin "NUL bytes (dag)"
run --in "$tmp" "$SP" dag nul.sp
expect_rc 1
expect_out_empty

# Deterministic pseudo-random binary files (bash's RANDOM, seeded).
RANDOM=20240917
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    begin "random binary file $i"
    n=$((RANDOM % 2000 + 1))
    bytes=
    for ((k = 0; k < n; k++)); do
        printf -v byte '\\x%02x' $((RANDOM % 256))
        bytes+=$byte
    done
    printf '%b' "$bytes" >"$tmp/random-$i.bin"
    run "$SP" check "$tmp/random-$i.bin"
    expect_no_crash
    expect_rc 1
    expect_out_empty
    expect_err_has "error"
done

begin "random binary on stdin"
run --stdin "$tmp/random-1.bin" "$SP" dag -
expect_rc 1
expect_out_empty

begin "a pipeline in UTF-16"
printf '\xff\xfes\x00o\x00u\x00r\x00c\x00e\x00 \x00l\x00\n\x00' >"$tmp/utf16.sp"
run "$SP" check "$tmp/utf16.sp"
expect_rc 1
expect_out_empty

begin "very long line"
{ printf 'source lines = stdin\nlines | map '; head -c 200000 /dev/zero | tr '\0' 'x'; printf ' | sink stdout\n'; } >"$tmp/long.sp"
run "$SP" check "$tmp/long.sp"
expect_rc 1
expect_err_has "unknown name"

begin "profile: the read ahead's time and the batches' wait for it"
# 3 batches of a regular file on 2 threads: batches 2 and 3 are read ahead
# on a thread of their own; the profile says how long that took and how long
# the batches waited (never longer than the reads, give or take the join).
# On one thread nothing is read ahead, and the line is absent.
cat >"$tmp/prof.sp" <<'EOF2'
param input = "-"
source lines = input(input)
lines | filter it != "" | count | sink stdout(name: "n", format: "json")
EOF2
seq 1 3000 >"$tmp/prof.txt"
run env STREAMPIPE_PROFILE=1 "$SP" run -q --threads 2 --batch-records 1000 "$tmp/prof.sp" -p input="$tmp/prof.txt"
expect_rc 0
expect_err_has "wall: parallel stage "
line=$(grep '^read ahead: ' "$tmp/err")
if [ -z "$line" ]; then
    problem "stderr lacks the 'read ahead:' line"
elif ! echo "$line" | awk '$3 ~ /^[0-9]+\.[0-9]+$/ && $4 == "s" && $13 ~ /^[0-9]+\.[0-9]+$/ && $13 <= $3 + 0.05 {ok = 1} END {exit !ok}'; then
    problem "unexpected 'read ahead:' line: $line"
fi
run env STREAMPIPE_PROFILE=1 "$SP" run -q --threads 1 --batch-records 1000 "$tmp/prof.sp" -p input="$tmp/prof.txt"
expect_rc 0
expect_err_has "wall: parallel stage "
expect_err_lacks "read ahead: "

# ----- summary -----

echo
if [ "$failed" -gt 0 ]; then
    printf 'failed:\n'
    printf '  - %s\n' "${failed_names[@]}"
fi
echo "$tests checks, $failed failed"
[ "$failed" -eq 0 ]
