#!/bin/bash
# run_doc_examples.sh - the examples in the documentation must be true.
#
# Every fenced block marked ```sp in a Markdown file under docs/, at any depth
# (docs/language.md, docs/operators.md, docs/sources/*.md, docs/sinks/*.md,
# ...), is a complete pipeline: `streampipe check` must accept it with exit
# status 0 and print nothing (no warnings either).  Every block marked
# ```sp-invalid must be rejected with exit status 1, and the ```text block
# that follows it must be exactly what `streampipe check` prints for it.
#
# Each block is written to its own directory under a temporary directory (never
# into the source tree) as `example.sp`, and checked from there, so the file
# names in the expected output read `example.sp:LINE:COL`.
#
# Each page of docs/sources/ and docs/sinks/ documents one source or sink and
# must show it in at least one ```sp block.
#
# Environment (set by `make check`): STREAMPIPE, the absolute path of the
# binary; top_srcdir, the source tree.  Exit status: 0 pass, 1 fail, 77 skip.

set -u

if [ -z "${STREAMPIPE:-}" ] || [ ! -x "$STREAMPIPE" ]; then
    echo "run_doc_examples: STREAMPIPE is not set to an executable; skipping"
    exit 77
fi
case $STREAMPIPE in
/*) ;;
*) STREAMPIPE=$PWD/$STREAMPIPE ;;
esac

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}

# Every docs/**/*.md, as paths relative to the source tree, in a stable order.
# language.md and operators.md hold most of the examples: they must be there.
docs=()
required="docs/language.md docs/operators.md"
for doc in $required; do
    docs+=("$doc")
done
if [ -d "$srcdir/docs" ]; then
    while IFS= read -r doc; do
        case " $required " in
        *" $doc "*) ;;
        *) docs+=("$doc") ;;
        esac
    done < <(cd "$srcdir" && find docs -type f -name '*.md' | LC_ALL=C sort)
fi

# The library path must not depend on the caller's environment.
unset STREAMPIPE_PATH
export LC_ALL=C

tmp=$(mktemp -d "${TMPDIR:-/tmp}/streampipe-doc-examples.XXXXXX") || {
    echo "run_doc_examples: cannot create a temporary directory"
    exit 1
}
trap 'rm -rf "$tmp"' EXIT

failures=0
nblocks=0
kinds=()  # kinds[i]: sp or sp-invalid
places=() # places[i]: FILE:LINE of the opening fence

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# Prints the output of a check, indented.
show() {
    if [ -n "$1" ]; then
        printf '%s\n' "$1" | sed 's/^/    /'
    else
        echo "    (no output)"
    fi
}

# Splits one document into blocks under $tmp/N/: example.sp, and for
# sp-invalid blocks expected.txt (the ```text block right after it).
extract() {
    local doc=$1 path=$srcdir/$1
    local n=0 line state=out dir= pending= pending_place= first=$nblocks
    if [ ! -f "$path" ]; then
        fail "$doc is missing"
        return
    fi
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        case $state in
        out)
            case $line in
            '```sp' | '```sp-invalid')
                if [ -n "$pending" ]; then
                    fail "$pending_place: an sp-invalid block must be followed by a \`\`\`text block with its output"
                    pending=
                fi
                dir=$tmp/$nblocks
                mkdir -p "$dir"
                : >"$dir/example.sp"
                kinds[nblocks]=${line#'```'}
                places[nblocks]=$doc:$n
                nblocks=$((nblocks + 1))
                state=code
                ;;
            '```text')
                if [ -n "$pending" ]; then
                    : >"$pending/expected.txt"
                    state=expected
                else
                    state=other
                fi
                ;;
            '```'*)
                if [ -n "$pending" ]; then
                    fail "$pending_place: an sp-invalid block must be followed by a \`\`\`text block with its output"
                    pending=
                fi
                state=other
                ;;
            *'```sp'*)
                fail "$doc:$n: write \`\`\`sp fences at the start of the line, or the block is not tested"
                ;;
            *)
                # Only blank lines may separate an sp-invalid block from its output.
                if [ -n "$pending" ] && [ -n "${line//[[:space:]]/}" ]; then
                    fail "$pending_place: an sp-invalid block must be followed by a \`\`\`text block with its output"
                    pending=
                fi
                ;;
            esac
            ;;
        code)
            if [ "$line" = '```' ]; then
                state=out
                if [ "${kinds[nblocks - 1]}" = sp-invalid ]; then
                    pending=$dir
                    pending_place=${places[nblocks - 1]}
                fi
            else
                printf '%s\n' "$line" >>"$dir/example.sp"
            fi
            ;;
        expected)
            if [ "$line" = '```' ]; then
                state=out
                pending=
            else
                printf '%s\n' "$line" >>"$pending/expected.txt"
            fi
            ;;
        other)
            [ "$line" = '```' ] && state=out
            ;;
        esac
    done <"$path"
    [ "$state" = out ] || fail "$doc: a fenced block is not closed at the end of the file"
    case $doc in
    docs/sources/* | docs/sinks/*)
        local i valid_here=0
        for ((i = first; i < nblocks; i++)); do
            [ "${kinds[i]}" = sp ] && valid_here=$((valid_here + 1))
        done
        [ "$valid_here" -gt 0 ] || fail "$doc: a source or sink page needs a complete example in a \`\`\`sp block"
        ;;
    esac
    [ -z "$pending" ] || fail "$pending_place: an sp-invalid block must be followed by a \`\`\`text block with its output"
}

for doc in "${docs[@]}"; do
    extract "$doc"
done

if [ "$nblocks" -eq 0 ]; then
    fail "no \`\`\`sp blocks found in ${docs[*]}"
fi

valid=0
invalid=0
for ((i = 0; i < nblocks; i++)); do
    dir=$tmp/$i
    out=$(cd "$dir" && "$STREAMPIPE" check -I "$srcdir/stdlib" example.sp 2>&1)
    rc=$?
    if [ "${kinds[i]}" = sp ]; then
        valid=$((valid + 1))
        if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
            fail "${places[i]}: this \`\`\`sp block must pass 'streampipe check' silently, but it exited with $rc:"
            show "$out"
        fi
    else
        invalid=$((invalid + 1))
        if [ "$rc" -ne 1 ]; then
            fail "${places[i]}: this \`\`\`sp-invalid block must make 'streampipe check' exit with 1, not $rc:"
            show "$out"
        elif [ -f "$dir/expected.txt" ] && [ "$out" != "$(cat "$dir/expected.txt")" ]; then
            fail "${places[i]}: the \`\`\`text block after this sp-invalid block differs from the output (- documented, + actual):"
            printf '%s\n' "$out" | diff -u "$dir/expected.txt" - | tail -n +3 | sed 's/^/    /'
        fi
    fi
done

echo "run_doc_examples: $valid valid and $invalid invalid examples checked in ${#docs[@]} files, $failures failure(s)"
[ "$failures" -eq 0 ] || exit 1
exit 0
