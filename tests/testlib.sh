# testlib.sh - the small test harness shared by tests/run_sources.sh and
# tests/run_kafka.sh: named tests with their time, failures counted once per
# test.  Sourced, not run.  The script ends with `finish` and reports
# $tests and $failed.

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
