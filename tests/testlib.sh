# testlib.sh - the small test harness shared by the end-to-end scripts
# (every run_*.sh that starts streampipe runs): setup, waiting, named
# tests with their time, failures counted once per test.  Sourced, not
# run.  The script ends with `finish` and reports $tests and $failed.

tests=0
failed=0
current=
current_failed=0
started=0

# Says how the previous test went, and how long it took.
finish() {
    [ -n "$current" ] || return 0
    local secs=$((SECONDS - started))
    if [ "$current_failed" -eq 0 ]; then
        echo "ok: $current (${secs}s)"
    else
        echo "FAILED: $current (${secs}s)"
    fi
}

# begin NAME: starts a test.
begin() {
    finish
    current=$1
    current_failed=0
    started=$SECONDS
    tests=$((tests + 1))
}

# fail MESSAGE: the current test failed (counted once).
fail() {
    echo "FAIL: $current: $*"
    [ "$current_failed" -eq 0 ] && failed=$((failed + 1))
    current_failed=1
}

# show FILE: a file, indented, after a failure.
show() {
    echo "  --- $1:"
    sed 's/^/    /' "$1" | head -40
}

# until_true SECONDS COMMAND...: waits until COMMAND succeeds; 1 on timeout.
until_true() {
    local limit=$(($1 * 10)) i
    shift
    for ((i = 0; i < limit; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

has_text() { # FILE TEXT
    grep -qF -- "$2" "$1" 2>/dev/null
}

# setup NAME TOOL...: what every end-to-end script does first.  Makes
# STREAMPIPE absolute (default: the build's binary); skips (exit 77) when
# it or a TOOL is missing; makes a temporary directory $tmp, the working
# directory and $HOME of the test (no configuration from the caller's home),
# removed on exit after the processes listed in `background` are stopped.
# Needs top_srcdir.
setup() {
    local name=$1 tool
    shift
    : "${STREAMPIPE:=$top_srcdir/streampipe}"
    case $STREAMPIPE in
    /*) ;;
    *) STREAMPIPE=$PWD/$STREAMPIPE ;;
    esac
    if [ ! -x "$STREAMPIPE" ]; then
        echo "$name: no streampipe binary at '$STREAMPIPE'; skipping"
        exit 77
    fi
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "$name: $tool is not installed; skipping"
            exit 77
        fi
    done
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/streampipe-test.XXXXXX") || {
        echo "$name: cannot create a temporary directory"
        exit 1
    }
    export HOME=$tmp
    background=()
    trap setup_cleanup EXIT
    trap 'exit 1' HUP INT TERM
    cd "$tmp" || exit 1
}

setup_cleanup() {
    local p i
    # SIGTERM first: a process started under `timeout` is often what is
    # listed, and timeout passes SIGTERM on to its child (killed with
    # SIGKILL, it would leave the child running); SIGKILL what is left
    for p in "${background[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${background[@]}"; do
        for ((i = 0; i < 50; i++)); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$tmp"
}
