#!/usr/bin/env bash
# run_ui.sh - watching a run: --stats, --stats-file, the web console (--ui)
# over loopback, and the page in headless Chromium.
#
#   - --stats prints a line every N batches and a summary; --stats-file
#     writes one JSON line per batch and a summary line;
#   - --ui 127.0.0.1:0 says where it listens; every endpoint answers with its
#     status code and content type; the API is JSON; the page loads nothing
#     from outside;
#   - /metrics passes an independent parser (the Prometheus project's
#     python client, when installed, and a check of the text format line by
#     line), with the expected names, types and labels; on a live input its
#     counters move between two scrapes; a Kafka input has a consumer lag;
#   - a port in use is an error (exit status 1);
#   - headless Chromium renders the page: the DAG's SVG has its nodes, the
#     charts have plotted points, the batch table has rows, every sink has
#     its card; the screenshot goes to tests/ui-screenshot.png;
#   - dag --format svg|png through Graphviz, and the error without it.
#
# Every command runs under `timeout`; every wait has a deadline; background
# runs are stopped on exit.  It writes under a temporary directory, and the
# screenshot under the build directory.
#
# Environment (set by `make check`): STREAMPIPE, top_srcdir, top_builddir,
# DOT (graphviz; empty: those checks are skipped), CHROMIUM (empty: the
# browser test is skipped).
# Exit status: 0 pass, 1 fail, 77 skip.

set -u

export LC_ALL=C
unset STREAMPIPE_PATH STREAMPIPE_CONFIG

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${STREAMPIPE:=$top_builddir/streampipe}"
. "$top_srcdir/tests/testlib.sh"
setup run_ui.sh python3 timeout curl
if [ -z "${CHROMIUM+set}" ]; then
    CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
fi
if [ -z "${DOT+set}" ]; then
    DOT=$(command -v dot || true)
fi

# start NAME ARGS...: streampipe run ARGS in the background (at most 120 s),
# output in NAME.out and NAME.err; waits for its address: $pid and $url.
start() {
    local name=$1
    shift
    # --foreground: timeout passes a signal to streampipe once (without it,
    # to its whole process group too: a second Ctrl-C, which exits at once)
    timeout --foreground -s KILL 120 "$STREAMPIPE" run "$@" >"$name.out" 2>"$name.err" &
    pid=$!
    background+=("$pid")
    url=
    if until_true 20 has_text "$name.err" "web console at http://"; then
        url=$(grep -o 'http://[^ ]*/' "$name.err" | head -n 1)
        url=${url%/}
    fi
    [ -n "$url" ] || { fail "no address on standard error within 20 s"; show "$name.err"; }
}

# stop PID: Ctrl-C, then its exit status in $rc (137: had to be killed).
stop() {
    kill -INT "$1" 2>/dev/null
    local i
    for ((i = 0; i < 100; i++)); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1"
    rc=$?
}

# get PATH [CURL ARGS...]: the body in get.body, "STATUS CONTENT-TYPE" in $got.
get() {
    local path=$1
    shift
    got=$(timeout -s KILL 10 curl -s -o get.body -w '%{http_code} %{content_type}' "$@" "$url$path")
}

# expect PATH STATUS TYPE: GET PATH answers STATUS with content type TYPE.
expect() {
    get "$1"
    [ "$got" = "$2 $3" ] || fail "GET $1: expected '$2 $3', got '$got'"
}

logs=$top_srcdir/tests/data/nasa-common-excerpt.log
logs_sp=$top_srcdir/pipelines/logs.sp

# A live pipeline: batches every 500 ms from the generator.
cat >live.sp <<'EOF'
use weblog
param input = "gen:?rate=2000"
batch 500ms
source lines = input(input)
access = lines | map parse_access_log(it) | filter it != null
access | map (status, 1) | reduceByKey sum | sink stdout("codes", name: "codes", format: "json")
access | count | sink stdout("n", name: "n", format: "json")
EOF

# ----- --stats and --stats-file -----

begin "stats: --stats 4 prints every 4th batch and a summary; --stats-file writes JSON lines"
timeout -s KILL 60 "$STREAMPIPE" run -q -B 300 --stats 4 --stats-file stats.jsonl -p input="$logs" "$logs_sp" \
    >stats.out 2>stats.err
rc=$?
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show stats.err; }
# 3000 lines, 300 a batch: batches 0-9, and the empty last one (10)
n=$(grep -c '^streampipe stats: batch ' stats.err)
[ "$n" -eq 3 ] || { fail "expected 3 lines (batches 3, 7 and the last, 10), got $n"; show stats.err; }
grep -Eq '^streampipe stats: batch 3: 300 records \(30\.0/s\), scheduling delay [0-9]+ ms, processing [0-9]+ ms, total delay [0-9]+ ms, 0 malformed, 0 late, state [0-9]+ entries \([0-9.]+ [KMG]?i?B\), lag -$' stats.err ||
    { fail "the line of batch 3 is not as documented"; show stats.err; }
has_text stats.err "streampipe stats: batch 10: 0 records" || fail "no line for the last batch"
has_text stats.err "streampipe stats: 11 batches of 10000 ms, 3000 records" || { fail "no summary"; show stats.err; }
has_text stats.err "streampipe stats: most time in n" || fail "no 'most time in' line"
python3 - stats.jsonl <<'EOF' || fail "the JSON lines are not as documented"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
batches = [l for l in lines if l["type"] == "batch"]
assert len(batches) == 11, len(batches)
assert lines[-1]["type"] == "summary", lines[-1]
assert [b["batch"] for b in batches] == list(range(11))
for b in batches:
    for k in ("time_ms", "due_ms", "start_ms", "end_ms", "records", "input_rate", "scheduling_delay_ms",
              "processing_ms", "total_delay_ms", "malformed", "late", "state_entries", "state_bytes", "kafka_lag",
              "final", "operators"):
        assert k in b, k
    assert b["total_delay_ms"] == b["scheduling_delay_ms"] + b["processing_ms"]
assert sum(b["records"] for b in batches) == 3000
assert batches[-1]["final"] is True and batches[0]["final"] is False
ops = batches[0]["operators"]
assert ops[0]["kind"] == "source" and ops[0]["records_out"] == 300, ops[0]
assert any(o["kind"] == "sink" and o["name"] == "content_size" for o in ops)
s = lines[-1]
assert s["batches"] == 11 and s["records_in"] == 3000 and s["pipeline"] == "logs", s
assert set(s["processing_ms"]) == {"avg", "p50", "p90", "p99", "max"}
EOF

# ----- the endpoints of a finished bounded run -----

begin "ui: --ui 127.0.0.1:0 says its address; every endpoint answers with its status and type"
start bounded -q -B 300 --ui 127.0.0.1:0 --ui-linger 100 -p input="$logs" "$logs_sp"
case $url in
http://127.0.0.1:[1-9]*) ;;
*) fail "address '$url'" ;;
esac
until_true 30 has_text bounded.err "the run is over" || { fail "the run did not end within 30 s"; show bounded.err; }
has_text bounded.err "the web console stays at $url/ for 100 s" || { fail "no notice that it stays"; show bounded.err; }
expect / 200 "text/html; charset=utf-8"
expect /app.js 200 "text/javascript; charset=utf-8"
expect /style.css 200 "text/css; charset=utf-8"
expect /metrics 200 "text/plain; version=0.0.4; charset=utf-8"
for api in status batches operators sinks dag; do
    expect /api/$api 200 application/json
    python3 -c 'import json,sys; json.load(open("get.body"))' || fail "/api/$api is not JSON"
done
expect /api 200 application/json
if [ -n "$DOT" ]; then
    expect /dag.svg 200 image/svg+xml
    python3 -c 'import xml.etree.ElementTree as E; E.parse("get.body")' || fail "/dag.svg is not XML"
fi
expect /nothing-here 404 "text/plain; charset=utf-8"
get /metrics -X POST
[ "${got%% *}" = 405 ] || fail "POST /metrics: expected 405, got '$got'"
get /metrics -I
[ "$got" = "200 text/plain; version=0.0.4; charset=utf-8" ] || fail "HEAD /metrics: got '$got'"

begin "ui: the API has the run's figures and every sink's latest result"
get /api/status
python3 - get.body <<'EOF' || fail "/api/status"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["pipeline"] == "logs" and s["batches"] == 11 and s["records_in"] == 3000 and s["finished"] is True, s
assert s["latest"]["batch"] == 10 and s["batch_interval_ms"] == 10000
EOF
get /api/sinks
python3 - get.body <<'EOF' || { fail "/api/sinks"; show get.body; }
import json, sys
sinks = {s["name"]: s for s in json.load(open(sys.argv[1]))["sinks"]}
for name in ("content_size", "total_content_size", "response_codes", "total_response_codes", "frequent_ips",
             "total_frequent_ips", "top_endpoints", "total_top_endpoints", "malformed_lines"):
    assert name in sinks, name
    assert sinks[name]["batch"] == 9, (name, sinks[name]["batch"])
assert sinks["total_content_size"]["value"]["count"] == 3000, sinks["total_content_size"]
assert sum(n for _, n in sinks["total_response_codes"]["value"]) == 3000
assert sinks["malformed_lines"]["value"] == 0
EOF
get /api/operators
python3 - get.body <<'EOF' || fail "/api/operators"
import json, sys
ops = json.load(open(sys.argv[1]))["operators"]
assert ops[0]["kind"] == "source" and ops[0]["records_out"] == 3000
assert any(o["state_entries"] > 0 for o in ops if o["kind"] == "operator")
EOF
get /api/batches
python3 -c 'import json; b = json.load(open("get.body"))["batches"]; assert len(b) == 11' || fail "/api/batches"
for f in / /app.js /style.css; do
    get "$f"
    # nothing from outside: no absolute URL but the SVG name space
    if grep -Eo '(https?:)?//[a-zA-Z0-9.-]+' get.body | grep -v '^http://www.w3.org$' | grep -q .; then
        fail "$f refers to another site: $(grep -Eo '(https?:)?//[a-zA-Z0-9.-]+' get.body | head -3 | tr '\n' ' ')"
    fi
done

begin "metrics: the exposition passes an independent parser, with the documented names"
get /metrics
cp get.body metrics.txt
# the Prometheus project's own parser, when installed (Debian's
# python3-prometheus-client; pyenv's python3 may not see it)
prom_py=
for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import prometheus_client' 2>/dev/null; then
        prom_py=$py
        break
    fi
done
if [ -n "$prom_py" ]; then
    "$prom_py" - metrics.txt >families.txt <<'EOF' || { fail "prometheus_client cannot parse /metrics"; show families.txt; }
import sys
from prometheus_client.parser import text_string_to_metric_families
for f in text_string_to_metric_families(open(sys.argv[1]).read()):
    print(f.name, f.type, len(f.samples))
EOF
else
    echo "note: python3-prometheus-client is not installed: only the line-by-line check of the format"
fi
python3 - metrics.txt <<'EOF' || fail "the exposition is not as documented"
import re, sys
text = open(sys.argv[1]).read()
assert text.endswith("\n")
name_re = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r"^(%s)(\{%s(?:,%s)*\})? (-?[0-9.]+(?:e[+-]?[0-9]+)?|NaN|[+-]Inf)$" % (name_re, label, label))
types, helps, seen = {}, set(), {}
for line in text.splitlines():
    if line.startswith("# HELP "):
        helps.add(line.split()[2])
    elif line.startswith("# TYPE "):
        _, _, name, t = line.split()
        assert t in ("counter", "gauge", "summary", "histogram", "untyped"), line
        assert name not in types, "TYPE twice: " + name
        types[name] = t
    else:
        m = sample.match(line)
        assert m, "bad sample line: " + line
        name, labels = m.group(1), m.group(2) or ""
        base = re.sub(r"_(sum|count)$", "", name) if name not in types else name
        assert base in types, "sample before its TYPE: " + line
        assert (name, labels) not in seen, "duplicate series: " + line
        seen[(name, labels)] = float(m.group(3))
for name, t in types.items():
    assert name.startswith("streampipe_"), name
    assert name in helps, "no HELP for " + name
    assert (t == "counter") == name.endswith("_total"), "counter names end in _total: " + name
want = {
    "streampipe_batches_total": "counter", "streampipe_records_in_total": "counter",
    "streampipe_malformed_records_total": "counter", "streampipe_late_records_total": "counter",
    "streampipe_batch_processing_seconds": "summary", "streampipe_scheduling_delay_seconds": "summary",
    "streampipe_total_delay_seconds": "summary", "streampipe_operator_records_in_total": "counter",
    "streampipe_operator_records_out_total": "counter", "streampipe_operator_seconds_total": "counter",
    "streampipe_state_entries": "gauge", "streampipe_state_bytes": "gauge",
    "streampipe_sink_records_total": "counter", "streampipe_kafka_consumer_lag": "gauge",
    "streampipe_batch_interval_seconds": "gauge",
}
for name, t in want.items():
    assert types.get(name) == t, (name, types.get(name))
assert seen[("streampipe_records_in_total", '{pipeline="logs"}')] == 3000
assert seen[("streampipe_batch_interval_seconds", '{pipeline="logs"}')] == 10
assert seen[("streampipe_sink_records_total", '{pipeline="logs",node="n16",sink="total_content_size"}')] == 10
assert any(n == "streampipe_operator_records_in_total" and 'operator="map (it, parse_access_log(it))"' in l
           for n, l in seen)
EOF

# ----- the page in headless Chromium -----

begin "page: headless Chromium renders the DAG, the charts, the batches and the results"
if [ -z "$CHROMIUM" ]; then
    echo "run_ui.sh: chromium is not installed (CHROMIUM is empty); skipping the browser test"
    echo "skip: $current"
else
    chrome=("$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run
        --user-data-dir="$tmp/chrome" --hide-scrollbars --virtual-time-budget=8000)
    timeout -s KILL 60 "${chrome[@]}" --dump-dom "$url/" >dom.html 2>chrome.err ||
        { fail "chromium --dump-dom failed"; show chrome.err; }
    python3 - dom.html "${DOT:+svg}" <<'EOF' || { fail "the page did not render as expected"; head -c 3000 dom.html; echo; }
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
want_svg = sys.argv[2] == "svg"
def check(cond, what):
    if not cond:
        print("  page: " + what)
        sys.exit(1)
dag = dom[dom.find('id="dag"'):dom.find("<h2>Latest results")]
if want_svg:
    check('data-dag="svg"' in dom and "<svg" in dag, "the DAG is not an inline SVG")
    nodes = re.findall(r'<g id="node\d+" class="node"', dag)
    check(len(nodes) == 48, "the DAG should have the 48 nodes of logs.sp, has %d" % len(nodes))
    check(len(re.findall(r'data-records-in="\d+"', dag)) == 48, "the DAG nodes are not annotated with their counts")
else:
    check('data-dag="dot"' in dom and "Graphviz is not installed" in dom, "no DOT text without Graphviz")
for chart in ("chart-rate", "chart-processing", "chart-delay"):
    m = re.search(r'<svg id="%s"[^>]*data-points="(\d+)"' % chart, dom)
    check(m and int(m.group(1)) == 11, "%s: no plotted series of 11 batches" % chart)
    body = dom[dom.find('<svg id="%s"' % chart):]
    body = body[:body.find("</svg>")]
    check(len(re.findall(r'<circle [^>]*class="pt"', body)) == 11, chart + ": not 11 points")
    check(re.search(r'<path [^>]*class="series"', body), chart + ": no line")
check(re.search(r'class="ref" data-ref="10000"', dom), "no batch-interval line on the processing chart")
rows = re.findall(r'<tr data-batch="(\d+)"', dom)
check(len(rows) == 11 and rows[0] == "10", "the batch table should list batches 10 to 0, has %s" % rows)
check(len(re.findall(r'<tr data-node="n\d+"', dom)) == 48, "the operator table should have 48 rows")
sinks = re.findall(r'<div class="sink" data-sink="([^"]+)"', dom)
check("total_top_endpoints" in sinks and len(sinks) == 10, "sink cards: %s" % sinks)
check(re.search(r'id="s-records">3000<', dom), "the records-in card does not say 3000")
check('class="state finished">finished<' in dom, "the state is not 'finished'")
EOF
    shot=$top_builddir/tests/ui-screenshot.png
    rm -f "$shot"
    timeout -s KILL 60 "${chrome[@]}" --window-size=1400,2200 --screenshot="$shot" "$url/" >chrome2.out 2>chrome2.err
    if [ "$(head -c 8 "$shot" 2>/dev/null | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]; then
        fail "no PNG screenshot at $shot"
        show chrome2.err
    else
        echo "  screenshot: $shot"
    fi
fi
stop "$pid"
[ "$rc" -eq 0 ] || { fail "Ctrl-C while it lingers: exit status $rc"; show bounded.err; }

begin "page: without Graphviz the console serves the DOT text and says so"
timeout --foreground -s KILL 60 env PATH=/nonexistent "$STREAMPIPE" run -q --ui 127.0.0.1:0 --ui-linger 100 \
    -p input="$logs" "$logs_sp" >nodot-run.out 2>nodot-run.err &
pid=$!
background+=("$pid")
until_true 20 has_text nodot-run.err "the run is over" || { fail "the run did not end"; show nodot-run.err; }
url=$(grep -o 'http://[^ ]*/' nodot-run.err | head -n 1)
url=${url%/}
expect /dag.svg 404 "text/plain; charset=utf-8"
get /api/dag
python3 -c 'import json; d = json.load(open("get.body")); assert d["svg"] is False and d["dot"].startswith("digraph") and "Graphviz is not installed" in d["graphviz_error"]' ||
    { fail "/api/dag without Graphviz"; show get.body; }
if [ -n "$CHROMIUM" ]; then
    timeout -s KILL 60 "${chrome[@]}" --dump-dom "$url/" >nodot-dom.html 2>chrome3.err || fail "chromium failed"
    grep -q 'data-dag="dot"' nodot-dom.html && grep -q 'Graphviz is not installed' nodot-dom.html &&
        grep -q '<pre>digraph' nodot-dom.html || fail "the page does not show the DOT text and the note"
fi
stop "$pid"
[ "$rc" -eq 0 ] || fail "exit status $rc"

# ----- a live run: values move -----

begin "live: the counters move between two scrapes; Ctrl-C ends the run and the server"
start live --ui 127.0.0.1:0 --ui-linger 100 live.sp
scrape() { # FILE
    timeout -s KILL 10 curl -s "$url/metrics" >"$1"
}
value() { # FILE NAME
    sed -n "s/^$2{pipeline=\"live\"} //p" "$1"
}
until_true 10 sh -c "curl -s '$url/api/status' | grep -q '\"latest\":{'" || fail "no batch within 10 s"
scrape m1.txt
sleep 1.2
scrape m2.txt
for m in streampipe_batches_total streampipe_records_in_total; do
    a=$(value m1.txt $m)
    b=$(value m2.txt $m)
    python3 -c "import sys; sys.exit(0 if float('$b') > float('${a:-x}') else 1)" 2>/dev/null ||
        fail "$m did not move: '$a' then '$b'"
done
grep -q '^streampipe_sink_records_total{pipeline="live",node="n7",sink="n"} [1-9]' m2.txt ||
    { fail "no records for sink n"; grep sink_records m2.txt; }
get /api/sinks
python3 -c 'import json; s = {x["name"]: x for x in json.load(open("get.body"))["sinks"]}; assert s["n"]["value"] > 0' ||
    { fail "no latest value for sink n"; show get.body; }

begin "ui: a port in use is an error, exit status 1"
port=${url##*:}
timeout -s KILL 20 "$STREAMPIPE" run --ui "127.0.0.1:$port" live.sp >busy.out 2>busy.err
rc=$?
[ "$rc" -eq 1 ] || fail "exit status $rc, not 1"
has_text busy.err "streampipe run: --ui: cannot listen on 127.0.0.1:$port: Address already in use" ||
    { fail "not the expected message"; show busy.err; }
timeout -s KILL 20 "$STREAMPIPE" run --ui=nonsense live.sp >bad.out 2>bad.err
rc=$?
[ "$rc" -eq 1 ] || fail "--ui=nonsense: exit status $rc, not 1"
has_text bad.err "--ui 'nonsense': write PORT, ADDR:PORT or [IPV6]:PORT" || { fail "--ui=nonsense: message"; show bad.err; }
timeout -s KILL 20 "$STREAMPIPE" check --ui live.sp >only.out 2>only.err
rc=$?
[ "$rc" -eq 2 ] && has_text only.err "option '--ui' is only for 'run'" || { fail "check --ui: exit $rc"; show only.err; }

begin "live: Ctrl-C stops the run and the server"
stop "$pid"
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show live.err; }
has_text live.err "the run is over" && fail "a run stopped by Ctrl-C should not linger"
timeout -s KILL 5 curl -s "$url/metrics" >/dev/null && fail "still serving after the run"

begin "kafka: a Kafka input has a consumer lag in /metrics"
start kafka --ui 127.0.0.1:0 -p 'input=demo?rate=2000' live.sp
until_true 20 sh -c "curl -s '$url/metrics' | grep -q '^streampipe_kafka_consumer_lag{pipeline=\"live\",node=\"n0\",source=\"lines\"} [0-9]'" ||
    { fail "no streampipe_kafka_consumer_lag sample within 20 s"; curl -s "$url/metrics" | grep -i lag; show kafka.err; }
stop "$pid"
[ "$rc" -eq 0 ] || { fail "exit status $rc"; show kafka.err; }

# ----- dag --format -----

begin "dag: --format svg and png through Graphviz; a clear error without it"
if [ -z "$DOT" ]; then
    echo "run_ui.sh: dot is not installed (DOT is empty); skipping the rendering checks"
else
    timeout -s KILL 30 "$STREAMPIPE" dag --format svg "$logs_sp" >dag.svg 2>dag.err || { fail "svg: exit $?"; show dag.err; }
    python3 -c 'import xml.etree.ElementTree as E; r = E.parse("dag.svg").getroot(); assert r.tag.endswith("svg")' ||
        fail "the SVG does not parse"
    timeout -s KILL 30 "$STREAMPIPE" dag -f png -o dag.png "$logs_sp" 2>png.err || { fail "png: exit $?"; show png.err; }
    [ "$(head -c 8 dag.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "dag.png is not a PNG"
fi
timeout -s KILL 30 env PATH=/nonexistent "$STREAMPIPE" dag --format svg "$logs_sp" >nodot.out 2>nodot.err
rc=$?
[ "$rc" -eq 1 ] || fail "without Graphviz: exit status $rc, not 1"
has_text nodot.err "streampipe dag: --format svg: Graphviz is not installed (no 'dot' on PATH); install the Debian package 'graphviz'" ||
    { fail "without Graphviz: message"; show nodot.err; }
[ -s nodot.out ] && fail "without Graphviz: something on standard output"
timeout -s KILL 30 "$STREAMPIPE" dag --format gif "$logs_sp" >gif.out 2>gif.err
rc=$?
[ "$rc" -eq 2 ] && has_text gif.err "unknown format 'gif' (dot, svg or png)" || { fail "--format gif: exit $rc"; show gif.err; }

finish
echo "run_ui.sh: $tests tests, $failed failed"
[ "$failed" -eq 0 ]
