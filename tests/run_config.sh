#!/usr/bin/env bash
# run_config.sh - the YAML configuration (docs/config.md): parameter
# defaults that change what a pipeline does, their precedence (-p, then
# STREAMPIPE_PARAM_NAME, then the --env section, then the top level, then the
# pipeline), environments, the default locations of the file, and the errors
# (unknown keys with a suggestion, wrong shapes, YAML syntax, missing files)
# at FILE:LINE:COL.  Also every ```yaml block of docs/config.md: the valid
# ones must load, and each ```yaml invalid block must give exactly the
# ```text block that follows it.
#
# The values only the Kafka client and the runtime read (brokers, kafka:,
# threads, checkpoint_dir) are checked through tests/config_dump.c, a small
# driver of the config API: $top_builddir/tests/config_dump when the build
# made it, else compiled here into the scratch directory with the compiler
# and libraries named in $top_builddir/Makefile; without either, those checks
# are skipped (said, not failed).
#
# Environment (set by `make check`): STREAMPIPE, top_srcdir, top_builddir.
# Run it directly as well: tests/run_config.sh
# Every check that fails prints the command, its exit status and its output.

set -u

# Reproducible: C messages, no library path, configuration or parameters
# from the caller, and a home directory of our own.
export LC_ALL=C
unset STREAMPIPE_PATH STREAMPIPE_CONFIG
for v in $(env | sed -n 's/^\(STREAMPIPE_PARAM_[A-Za-z0-9_]*\)=.*/\1/p'); do
    unset "$v"
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${STREAMPIPE:=$top_builddir/streampipe}"
case $STREAMPIPE in
/*) ;;
*) STREAMPIPE=$PWD/$STREAMPIPE ;;
esac
case $top_srcdir in
/*) ;;
*) top_srcdir=$(cd "$top_srcdir" && pwd) ;;
esac
case $top_builddir in
/*) ;;
*) top_builddir=$(cd "$top_builddir" && pwd) ;;
esac

if [ ! -x "$STREAMPIPE" ]; then
    echo "run_config.sh: no streampipe binary at '$STREAMPIPE' (build it first, or set STREAMPIPE)" >&2
    exit 1
fi
LOGS="$top_srcdir/pipelines/logs.sp"
NASA="$top_srcdir/tests/data/nasa-common-excerpt.log"
DOC="$top_srcdir/docs/config.md"
for f in "$LOGS" "$NASA" "$DOC"; do
    if [ ! -f "$f" ]; then
        echo "run_config.sh: missing $f" >&2
        exit 1
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run_config.XXXXXX") || { echo "run_config.sh: mktemp failed" >&2; exit 1; }
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

export HOME="$tmp/home"
mkdir -p "$HOME" "$tmp/w"
W="$tmp/w" # the working directory of every command unless said otherwise

tests=0
failed=0
skipped=0
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

# run [--in DIR] [VAR=VALUE...] CMD ARGS...: output in $tmp/out, $tmp/err,
# status in $rc.  Runs in $W unless --in says otherwise.
run() {
    local dir=$W
    if [ "$1" = --in ]; then
        dir=$2
        shift 2
    fi
    cmdline="$*"
    [ "$dir" = "$W" ] || cmdline="(cd ${dir#"$tmp"/} && $cmdline)"
    (cd "$dir" && timeout 60 env "$@") </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

problem() { # MESSAGE: the command and its output are shown once per check
    if [ "$current_failed" -eq 0 ]; then
        echo "FAIL: $current"
        failed=$((failed + 1))
        failed_names+=("$current")
        local shown=${cmdline//"$STREAMPIPE"/streampipe}
        echo "    command: ${shown//"$tmp"/\$tmp}"
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
expect_out_has() { grep -qF -- "$1" "$tmp/out" || problem "stdout lacks: $1"; }
expect_out_lacks() { ! grep -qF -- "$1" "$tmp/out" || problem "stdout should not contain: $1"; }
expect_err_has() { grep -qF -- "$1" "$tmp/err" || problem "stderr lacks: $1"; }
expect_out_empty() { [ ! -s "$tmp/out" ] || problem "stdout should be empty"; }
expect_err_empty() { [ ! -s "$tmp/err" ] || problem "stderr should be empty"; }
expect_err_is() { # TEXT: the whole of stderr
    printf '%s\n' "$1" >"$tmp/expected"
    cmp -s "$tmp/expected" "$tmp/err" || {
        problem "stderr differs (expected first):"
        diff -u "$tmp/expected" "$tmp/err" | tail -n +3 | head -n 30 | sed 's/^/      /'
    }
}
expect_out_is() { # TEXT: the whole of stdout
    printf '%s\n' "$1" >"$tmp/expected"
    cmp -s "$tmp/expected" "$tmp/out" || {
        problem "stdout differs (expected first):"
        diff -u "$tmp/expected" "$tmp/out" | tail -n +3 | head -n 30 | sed 's/^/      /'
    }
}

# The window of logs.sp as `dag` shows it: "reduceByWindow merge_stats W / 10s".
expect_window() { # DURATION
    expect_rc 0
    expect_out_has "reduceByWindow merge_stats $1 / 10s"
}

# `run` of logs.sp over the NASA excerpt in JSON: the number of endpoints in
# the first top_endpoints result.
endpoints_listed() {
    grep -m 1 '"sink":"top_endpoints"' "$tmp/out" | grep -o '\["' | wc -l | tr -d ' '
}
expect_endpoints() { # N
    expect_rc 0
    local n
    n=$(endpoints_listed)
    [ "$n" = "$1" ] || problem "top_endpoints lists $n endpoints, expected $1"
}

SP=$STREAMPIPE

# ----- fixtures (all in the scratch directory) -----

# Every level of the precedence sets window_length to its own value.
cat >"$W/levels.yaml" <<'EOF'
params:
  window_length: 2m
  top_n: 3
environments:
  staging:
    params:
      window_length: 3m
      top_n: 2
  bare:
EOF

# ----- parameters change what the pipeline does -----

begin "no configuration: the pipeline's defaults"
run "$SP" dag "$LOGS"
expect_window 30s
expect_err_empty

begin "params: at the top level change the DAG"
run "$SP" dag --config levels.yaml "$LOGS"
expect_window 2m
expect_out_has '"top 3 by _2"'
expect_err_empty

begin "check accepts the configured values silently"
run "$SP" check -c levels.yaml "$LOGS"
expect_rc 0
expect_out_empty
expect_err_empty

begin "run: top_n from the configuration limits the endpoints listed"
run "$SP" run -q -p format=json -p input="$NASA" "$LOGS"
expect_endpoints 10
run "$SP" run -q --config levels.yaml -p format=json -p input="$NASA" "$LOGS"
expect_endpoints 3
run "$SP" run -q --config levels.yaml --env staging -p format=json -p input="$NASA" "$LOGS"
expect_endpoints 2
run STREAMPIPE_PARAM_top_n=5 "$SP" run -q --config levels.yaml --env staging -p format=json -p input="$NASA" "$LOGS"
expect_endpoints 5
run STREAMPIPE_PARAM_top_n=5 "$SP" run -q --config levels.yaml --env staging -p top_n=4 -p format=json \
    -p input="$NASA" "$LOGS"
expect_endpoints 4

begin "the format parameter from the configuration (JSON lines)"
printf 'params:\n  format: json\n  input: %s\n  top_n: 1\n' "$NASA" >"$W/json.yaml"
run "$SP" run -q --config json.yaml "$LOGS"
expect_endpoints 1
expect_out_has '{"sink":"content_size","batch":0'

# ----- precedence, one level at a time -----

begin "precedence: the --env section over the top level"
run "$SP" dag --config levels.yaml --env staging "$LOGS"
expect_window 3m
expect_out_has '"top 2 by _2"'

begin "precedence: an empty environment keeps the top level"
run "$SP" dag --config levels.yaml --env bare "$LOGS"
expect_window 2m

begin "precedence: STREAMPIPE_PARAM_NAME over the top level"
run STREAMPIPE_PARAM_window_length=4m "$SP" dag --config levels.yaml "$LOGS"
expect_window 4m

begin "precedence: STREAMPIPE_PARAM_NAME over the --env section"
run STREAMPIPE_PARAM_window_length=4m "$SP" dag --config levels.yaml --env staging "$LOGS"
expect_window 4m
expect_out_has '"top 2 by _2"'

begin "precedence: -p over STREAMPIPE_PARAM_NAME and the file"
run STREAMPIPE_PARAM_window_length=4m "$SP" dag --config levels.yaml --env staging -p window_length=5m "$LOGS"
expect_window 5m

begin "precedence: -p over the file alone"
run "$SP" dag --config levels.yaml -p window_length=5m "$LOGS"
expect_window 5m

begin "precedence: a null in the environment goes back to the pipeline's default"
printf 'params:\n  window_length: 2m\nenvironments:\n  e:\n    params:\n      window_length: ~\n' >"$W/unset.yaml"
run "$SP" dag --config unset.yaml --env e "$LOGS"
expect_window 30s

# ----- parameters the pipeline does not declare -----

begin "a parameter the pipeline does not declare is ignored"
printf 'params:\n  no_such_parameter: 1\n  top_n: 7\n' >"$W/unrelated.yaml"
run "$SP" check --config unrelated.yaml "$LOGS"
expect_rc 0
expect_err_empty
run "$SP" dag --config unrelated.yaml "$LOGS"
expect_rc 0
expect_out_has '"top 7 by _2"'
expect_err_empty

begin "... unlike -p, where it is an error"
run "$SP" check --config unrelated.yaml -p no_such_parameter=1 "$LOGS"
expect_rc 2
expect_err_has "has no parameter 'no_such_parameter'"

begin "a value of the wrong type says where it came from"
printf 'params:\n  top_n: many\n' >"$W/badtype.yaml"
run "$SP" check --config badtype.yaml "$LOGS"
expect_rc 2
expect_out_empty
expect_err_has "error: badtype.yaml: params: top_n: many: the value must be an integer"

# ----- --env -----

begin "--env with no such environment: the ones there are"
run "$SP" check --config levels.yaml --env prod "$LOGS"
expect_rc 2
expect_out_empty
expect_err_is "levels.yaml:4:1: error: --env prod: there is no environment 'prod' in levels.yaml
    4 | environments:
      | ^~~~~~~~~~~~
      = hint: the environments are: staging, bare"

begin "--env misspelt: did you mean"
run "$SP" dag --config levels.yaml -e stagin "$LOGS"
expect_rc 2
expect_out_empty
expect_err_is "levels.yaml:4:1: error: --env stagin: there is no environment 'stagin' in levels.yaml
    4 | environments:
      | ^~~~~~~~~~~~
      = hint: did you mean 'staging'? (the environments are: staging, bare)"

begin "--env when the file has no environments"
run "$SP" check --config unrelated.yaml --env staging "$LOGS"
expect_rc 2
expect_err_is "streampipe: error: --env staging: unrelated.yaml defines no environments
      = hint: define it under 'environments:' in the configuration"

begin "--env without any configuration file"
run "$SP" check --env staging "$LOGS"
expect_rc 2
expect_out_empty
expect_err_has "streampipe: error: --env staging: there is no configuration file"

# ----- errors at FILE:LINE:COL -----

begin "unknown top-level key: did you mean, at its place"
printf 'brokers: "localhost:9092"\nparams:\n  top_n: 3\nthreds: 4\n' >"$W/typo.yaml"
run "$SP" check --config typo.yaml "$LOGS"
expect_rc 2
expect_out_empty
expect_err_is "typo.yaml:4:1: error: unknown key 'threds'
    4 | threds: 4
      | ^~~~~~
      = hint: did you mean 'threads'?"

begin "unknown key in an environment: did you mean, at its place"
printf 'environments:\n  staging:\n    brokers: "k:9092"\n    parms:\n      top_n: 3\n' >"$W/envtypo.yaml"
run "$SP" dag --config envtypo.yaml "$LOGS"
expect_rc 2
expect_out_empty
expect_err_is "envtypo.yaml:4:5: error: unknown key 'parms' in environment 'staging'
    4 |     parms:
      |     ^~~~~
      = hint: did you mean 'params'?"

begin "unknown key with nothing close: the list of keys"
printf 'zzz: 1\n' >"$W/zzz.yaml"
run "$SP" check --config zzz.yaml "$LOGS"
expect_rc 2
expect_err_is "zzz.yaml:1:1: error: unknown key 'zzz'
    1 | zzz: 1
      | ^~~
      = hint: the keys are: brokers, kafka, checkpoint_dir, checkpoint_every, threads, params, environments"

begin "YAML syntax error (bad indentation) at its position"
printf 'params:\n  window_length: 1m\n top_n: 3\n' >"$W/indent.yaml"
run "$SP" check --config indent.yaml "$LOGS"
expect_rc 2
expect_out_empty
expect_err_is "indent.yaml:3:2: error: invalid YAML: did not find expected key
    3 |  top_n: 3
      |  ^
indent.yaml:1:1: note: while parsing a block mapping that starts here
    1 | params:
      | ^"

begin "YAML syntax error (a tab) at its position"
printf 'params:\n  window_length: 1m\n\ttop_n: 3\n' >"$W/tab.yaml"
run "$SP" check --config tab.yaml "$LOGS"
expect_rc 2
expect_err_is "tab.yaml:3:1: error: invalid YAML: found a tab character that violates indentation
    3 | 	top_n: 3
      | ^
      = hint: indent with spaces: YAML does not allow tabs there"

begin "YAML syntax error (an unclosed bracket)"
printf 'params: {top_n: [3}\n' >"$W/bracket.yaml"
run "$SP" check --config bracket.yaml "$LOGS"
expect_rc 2
expect_err_has "bracket.yaml:1:19: error: invalid YAML: did not find expected ',' or ']'"
expect_err_has "bracket.yaml:1:17: note: while parsing a flow sequence that starts here"

begin "not UTF-8: the position of the bad byte"
printf 'params:\n  input: caf\351\n' >"$W/latin1.yaml"
run "$SP" check --config latin1.yaml "$LOGS"
expect_rc 2
expect_err_has "latin1.yaml:2:13: error: invalid YAML: incomplete UTF-8 octet sequence"

begin "wrong shapes"
for case in \
    "params:\n  - top_n: 3\n|list.yaml:2:3: error: params must be a map of NAME: VALUE entries, not a list" \
    "params:\n  top_n:\n    value: 3\n|map.yaml:3:5: error: the value of parameter 'top_n' must be a single value (text, a number or a boolean), not a map" \
    "params:\n  top_n: [1, 2]\n|plist.yaml:2:10: error: the value of parameter 'top_n' must be a single value (text, a number or a boolean), not a list" \
    "kafka:\n  - a\n|kafka.yaml:2:3: error: kafka must be a map of NAME: VALUE entries, not a list" \
    "kafka: SSL\n|kscalar.yaml:1:8: error: kafka must be a map of NAME: VALUE entries, not a scalar" \
    "brokers: [a:1, b:2]\n|blist.yaml:1:10: error: brokers must be a single value (text, a number or a boolean), not a list" \
    "threads: 0\n|t0.yaml:1:10: error: threads must be a whole number from 1 to 1024, not '0'" \
    "threads: -2\n|tneg.yaml:1:10: error: threads must be a whole number from 1 to 1024, not '-2'" \
    "threads: two\n|ttext.yaml:1:10: error: threads must be a whole number from 1 to 1024, not 'two'" \
    "threads: 2.5\n|tfloat.yaml:1:10: error: threads must be a whole number from 1 to 1024, not '2.5'" \
    "environments:\n  - staging\n|elist.yaml:2:3: error: environments must be a map of NAME: VALUE entries, not a list" \
    "environments:\n  staging: 3\n|escalar.yaml:2:12: error: environment 'staging' must be a map of NAME: VALUE entries, not a scalar" \
    "- brokers: x\n|root.yaml:1:1: error: the configuration must be a map of keys, not a list" \
    "brokers: a\nbrokers: b\n|dup.yaml:2:1: error: duplicate key 'brokers'" \
    "kafka:\n  bootstrap.servers: h:9092\n|boot.yaml:2:3: error: kafka: 'bootstrap.servers' is set with the key 'brokers'" \
    "params: &p\n  top_n: 3\n|anchor.yaml:1:9: error: anchors (&p) are not supported in the configuration" \
    "a: 1\n---\nb: 2\n|docs.yaml:2:1: error: the configuration is one YAML document, but a second one starts here"; do
    yaml=${case%%|*}
    want=${case#*|}
    file=${want%%:*}
    printf '%b' "$yaml" >"$W/$file"
    run "$SP" check --config "$file" "$LOGS"
    expect_rc 2
    expect_out_empty
    expect_err_has "$want"
done

begin "an empty file and a file of comments are empty configurations"
: >"$W/empty.yaml"
printf '# nothing here yet\n\n' >"$W/comments.yaml"
for f in empty.yaml comments.yaml; do
    run "$SP" dag --config "$f" "$LOGS"
    expect_window 30s
    expect_err_empty
done

# ----- where the file is -----

begin "a missing --config file: exit 2"
run "$SP" check --config nope.yaml "$LOGS"
expect_rc 2
expect_out_empty
expect_err_is "streampipe: error: --config: cannot open 'nope.yaml': No such file or directory"
run "$SP" dag --config "$tmp/no/such/dir.yaml" "$LOGS"
expect_rc 2
expect_out_empty
expect_err_has "cannot open '$tmp/no/such/dir.yaml'"

begin "a directory as --config: exit 2"
run "$SP" check --config "$tmp" "$LOGS"
expect_rc 2
expect_err_has "streampipe: error: --config: cannot read '$tmp': Is a directory"

begin "\$STREAMPIPE_CONFIG is read when --config is absent"
run STREAMPIPE_CONFIG="$W/levels.yaml" "$SP" dag --env staging "$LOGS"
expect_window 3m
expect_err_empty

begin "\$STREAMPIPE_CONFIG naming a missing file: exit 2"
run STREAMPIPE_CONFIG="$W/nope.yaml" "$SP" check "$LOGS"
expect_rc 2
expect_err_is "streampipe: error: STREAMPIPE_CONFIG: cannot open '$W/nope.yaml': No such file or directory
      = hint: set STREAMPIPE_CONFIG to an existing file, or unset it"

begin "\$STREAMPIPE_CONFIG empty counts as unset"
run STREAMPIPE_CONFIG= "$SP" dag "$LOGS"
expect_window 30s

begin "--config wins over \$STREAMPIPE_CONFIG"
printf 'params:\n  window_length: 6m\n' >"$W/six.yaml"
run STREAMPIPE_CONFIG="$W/levels.yaml" "$SP" dag --config six.yaml "$LOGS"
expect_window 6m

begin "./streampipe.yaml is read by default"
mkdir -p "$tmp/cwd"
printf 'params:\n  window_length: 7m\n' >"$tmp/cwd/streampipe.yaml"
run --in "$tmp/cwd" "$SP" dag "$LOGS"
expect_window 7m
expect_err_empty

begin "\$STREAMPIPE_CONFIG wins over ./streampipe.yaml"
run --in "$tmp/cwd" STREAMPIPE_CONFIG="$W/six.yaml" "$SP" dag "$LOGS"
expect_window 6m

begin "errors in ./streampipe.yaml name it"
printf 'parms: {}\n' >"$tmp/cwd/streampipe.yaml"
run --in "$tmp/cwd" "$SP" check "$LOGS"
expect_rc 2
expect_err_has "streampipe.yaml:1:1: error: unknown key 'parms'"
rm -f "$tmp/cwd/streampipe.yaml"

begin "~/.config/streampipe/config.yaml is read last"
mkdir -p "$HOME/.config/streampipe"
printf 'params:\n  window_length: 8m\n' >"$HOME/.config/streampipe/config.yaml"
run "$SP" dag "$LOGS"
expect_window 8m
printf 'params:\n  window_length: 7m\n' >"$tmp/cwd/streampipe.yaml"
run --in "$tmp/cwd" "$SP" dag "$LOGS"
expect_window 7m
rm -f "$tmp/cwd/streampipe.yaml" "$HOME/.config/streampipe/config.yaml"

begin "--config - reads standard input"
cmdline="streampipe dag --config - logs.sp <<< 'params: {window_length: 9m}'"
(cd "$W" && printf 'params: {window_length: 9m}\n' | timeout 60 "$SP" dag --config - "$LOGS") >"$tmp/out" 2>"$tmp/err"
rc=$?
expect_window 9m

# ----- docs/config.md -----

# Splits the page into $tmp/doc/N.yaml (```yaml blocks), N.invalid.yaml
# (```yaml invalid) and N.expected (the ```text block after an invalid one).
mkdir -p "$tmp/doc"
awk -v dir="$tmp/doc" '
    /^```/ && !inblock {
        inblock = 1; n++
        if ($0 == "```yaml") { out = dir "/" n ".yaml" }
        else if ($0 == "```yaml invalid") { out = dir "/" n ".invalid.yaml"; want = n }
        else if ($0 == "```text" && want) { out = dir "/" want ".expected"; want = 0 }
        else { out = "" }
        if (out != "") printf "" > out
        next
    }
    /^```/ && inblock { inblock = 0; if (out != "") close(out); out = ""; next }
    inblock && out != "" { print > out }
' "$DOC"

begin "docs/config.md: every yaml example loads"
nvalid=0
for f in "$tmp"/doc/*.yaml; do
    case $f in *.invalid.yaml) continue ;; esac
    nvalid=$((nvalid + 1))
    cp "$f" "$W/streampipe.yaml"
    run "$SP" check "$LOGS"
    expect_rc 0
    expect_err_empty
done
[ "$nvalid" -ge 1 ] || problem "no \`\`\`yaml block found in docs/config.md"

begin "docs/config.md: every invalid example gives the error shown"
ninvalid=0
for f in "$tmp"/doc/*.invalid.yaml; do
    [ -e "$f" ] || continue
    ninvalid=$((ninvalid + 1))
    n=${f##*/}
    n=${n%%.*}
    if [ ! -f "$tmp/doc/$n.expected" ]; then
        problem "an invalid example has no \`\`\`text block after it"
        continue
    fi
    cp "$f" "$W/streampipe.yaml"
    run "$SP" check "$LOGS"
    expect_rc 2
    expect_out_empty
    expect_err_is "$(cat "$tmp/doc/$n.expected")"
done
[ "$ninvalid" -ge 3 ] || problem "expected at least 3 \`\`\`yaml invalid blocks, found $ninvalid"

# The complete example: the first ```yaml block.
full=$(ls "$tmp"/doc/*.yaml | grep -v invalid | sort -t/ -k2 -n | head -n 1)
cp "$full" "$W/full.yaml"
rm -f "$W/streampipe.yaml"

begin "the complete example: params, with and without --env"
run "$SP" dag --config full.yaml "$LOGS"
expect_window 30s
expect_out_has '"top 10 by _2"'
run "$SP" dag --config full.yaml --env staging "$LOGS"
expect_window 30s
expect_out_has '"top 20 by _2"'
run "$SP" dag --config full.yaml --env dev "$LOGS"
expect_window 10s

begin "the complete example: --env misspelt, as the page shows it"
cp "$full" "$W/streampipe.yaml"
run "$SP" check --env stagign "$LOGS"
expect_rc 2
expect_err_is "streampipe.yaml:13:1: error: --env stagign: there is no environment 'stagign' in streampipe.yaml
    13 | environments:                      # --env NAME: overrides of any of the above
       | ^~~~~~~~~~~~
       = hint: did you mean 'staging'? (the environments are: staging, dev)"
rm -f "$W/streampipe.yaml"

# ----- brokers, kafka:, threads, checkpoint_dir (through config_dump) -----

DUMP=
if [ -x "$top_builddir/tests/config_dump" ]; then
    DUMP="$top_builddir/tests/config_dump"
elif [ -f "$top_builddir/Makefile" ] && [ -f "$top_builddir/src/libstreampipe.a" ]; then
    mk() { sed -n "s/^$1 = //p" "$top_builddir/Makefile" | head -n 1; }
    # shellcheck disable=SC2046
    if $(mk CC) $(mk CFLAGS) $(mk YAML_CFLAGS) -I"$top_srcdir/src" -o "$tmp/config_dump" \
        "$top_srcdir/tests/config_dump.c" "$top_builddir/src/libstreampipe.a" \
        $(mk RDKAFKA_LIBS) $(mk YAML_LIBS) $(mk PCRE2_LIBS) $(mk LIBS) >"$tmp/cc.log" 2>&1; then
        DUMP="$tmp/config_dump"
    else
        sed 's/^/    cc: /' "$tmp/cc.log" | head -n 5
    fi
fi

if [ -z "$DUMP" ]; then
    echo "SKIP: brokers, kafka:, threads and checkpoint_dir (no tests/config_dump and it could not be built)"
    skipped=$((skipped + 1))
else
    begin "the API: the complete example at the top level"
    run "$DUMP" -c full.yaml
    expect_rc 0
    expect_out_is "path full.yaml
brokers localhost:9092
checkpoint_dir /var/lib/streampipe
threads 2
kafka security.protocol=SASL_SSL
kafka sasl.mechanisms=PLAIN
kafka sasl.username=user
kafka sasl.password=secret
param window_length=30s
param input=kafka://localhost:9092/weblogs?group=g"
    expect_err_empty

    begin "the API: --env staging replaces brokers and adds a param"
    run "$DUMP" -c full.yaml -e staging
    expect_rc 0
    expect_out_is "path full.yaml
brokers staging-kafka:9092
checkpoint_dir /var/lib/streampipe
threads 2
kafka security.protocol=SASL_SSL
kafka sasl.mechanisms=PLAIN
kafka sasl.username=user
kafka sasl.password=secret
param window_length=30s
param input=kafka://localhost:9092/weblogs?group=g
param top_n=20"

    begin "the API: --env dev unsets brokers and SASL, merges kafka: key by key"
    run "$DUMP" -c full.yaml -e dev
    expect_rc 0
    expect_out_is "path full.yaml
checkpoint_dir /var/lib/streampipe
threads 1
kafka security.protocol=PLAINTEXT
param window_length=10s
param input=demo"

    begin "the API: scalars of every kind are kept as written"
    printf '%s\n' 'kafka:' '  enable.auto.commit: false' '  fetch.wait.max.ms: 100' "  client.id: 'sp #1'" \
        '  socket.keepalive.enable: yes' 'params:' '  ratio: 0.50' '  flag: true' '  quoted: "30s"' \
        '  blank: ""' '  plain: hello world' >"$W/kinds.yaml"
    run "$DUMP" -c kinds.yaml
    expect_rc 0
    expect_out_is "path kinds.yaml
kafka enable.auto.commit=false
kafka fetch.wait.max.ms=100
kafka client.id=sp #1
kafka socket.keepalive.enable=yes
param ratio=0.50
param flag=true
param quoted=30s
param blank=
param plain=hello world"

    begin "the API: no file is an empty configuration"
    run "$DUMP"
    expect_rc 0
    expect_out_empty
    expect_err_empty

    begin "the API: an error gives no configuration"
    run "$DUMP" -c typo.yaml
    expect_rc 2
    expect_out_empty
    expect_err_has "typo.yaml:4:1: error: unknown key 'threds'"
fi

# ----- summary -----

echo "run_config.sh: $tests checks, $failed failed, $skipped skipped"
if [ "$failed" -gt 0 ]; then
    printf '  failed: %s\n' "${failed_names[@]}"
    exit 1
fi
exit 0
