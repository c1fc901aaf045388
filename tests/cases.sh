# cases.sh - finds the cases of a golden-file test directory, for
# tests/run_errors.sh and tests/run_dag.sh.  Sourced, not run.

# find_cases DIR EXT [NAME...]: sets `names` to the cases to run (every
# DIR/NAME.sp, or the NAMEs given, with any directory or .sp stripped) and
# `orphans` to the NAME.EXT golden files that have no NAME.sp (broken cases;
# only when no NAMEs are given).
find_cases() {
    local dir=$1 ext=$2 f n
    shift 2
    names=()
    orphans=()
    if [ $# -gt 0 ]; then
        for n in "$@"; do
            n=${n##*/}
            names+=("${n%.sp}")
        done
        return
    fi
    for f in "$dir"/*.sp; do
        [ -e "$f" ] || continue
        n=${f##*/}
        names+=("${n%.sp}")
    done
    for f in "$dir"/*."$ext"; do
        [ -e "$f" ] || continue
        n=${f##*/}
        n=${n%."$ext"}
        [ -e "$dir/$n.sp" ] || orphans+=("$n")
    done
}
