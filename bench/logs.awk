# logs.awk - the four statistics of pipelines/logs.sp in one pass, for mawk.
#
# What a user would write instead of the pipeline: reads an access log and
# prints, as JSON lines shaped like `streampipe run -p format=json` output,
# the cumulative results logs.sp ends with (total_content_size,
# total_response_codes, total_frequent_ips, total_top_endpoints,
# malformed_lines).  A line is an access-log line as stdlib/weblog.sp defines
# it: NCSA combined, else common, else Apache vhost_combined; fields separated
# by one or more blanks; the size `-` is 0; the endpoint is the request target
# (the request itself when it is not METHOD TARGET [PROTOCOL]).  POSIX EREs
# have no \S: a blank here is a space, tab, CR, VT or FF.
#
#   mawk -v min_hits=10 -v top_n=10 -f bench/logs.awk access.log
BEGIN {
    if (min_hits == "") min_hits = 10
    if (top_n == "") top_n = 10
    NB = "[^ \t\r\v\f]+"
    Q = "\"([^\"\\\\]|\\\\.)*\""
    PREFIX = NB " +" NB " +" NB " +\\[[^]]+\\] +" Q " +[0-9][0-9][0-9] +([0-9]+|-)"
    EXTRAS = "( +(" Q "|[^ \t\r\v\f\"]+))*"
    COMBINED = "^" PREFIX " +" Q " +" Q EXTRAS "[ \t\r\v\f]*$"
    COMMON = "^" PREFIX "[ \t\r\v\f]*$"
    VHOST = "^[^ \t\r\v\f,]+(:[0-9]+)? +" PREFIX "( +" Q " +" Q EXTRAS ")?[ \t\r\v\f]*$"
    METHOD = "^ *" NB " +"
    PROTO = " +(HTTP/[^ \t\r\v\f]*|" NB "/[0-9][^ \t\r\v\f]*)$"
    count = total = 0
}
{
    line = $0
    sub(/\r$/, "", line)
    if (line ~ COMBINED || line ~ COMMON)
        rest = line
    else if (line ~ VHOST)
        rest = substr(line, index(line, " ") + 1)   # drop %v[:%p]
    else {
        malformed++
        next
    }
    sub(/^ +/, "", rest)
    host = substr(rest, 1, index(rest, " ") - 1)
    # the request: from the quote after the [time] to the closing quote (the
    # line's first ']' is taken for the time's: a host, ident or user that
    # holds one misleads it; matching the fields before it instead would cost
    # a fifth more instructions a line, and the bench's logs hold none)
    rest = substr(rest, index(rest, "]") + 1)
    rest = substr(rest, index(rest, "\"") + 1)
    if (index(rest, "\\") == 0) {
        q = index(rest, "\"")
    } else {    # skip \" and \\ inside it
        q = 0
        for (i = 1; i <= length(rest); i++) {
            ch = substr(rest, i, 1)
            if (ch == "\\") i++
            else if (ch == "\"") { q = i; break }
        }
    }
    request = substr(rest, 1, q - 1)
    split(substr(rest, q + 1), f, " ")
    status = f[1] + 0
    size = f[2] == "-" ? 0 : f[2] + 0
    # METHOD TARGET [PROTOCOL] (weblog.sp's ^ *(\S+) +(.*?)(?: +PROTOCOL)? *$);
    # else the request itself
    endpoint = request
    if (match(request, METHOD)) {
        t = substr(request, RLENGTH + 1)
        sub(/ +$/, "", t)
        if (match(t, PROTO))
            t = substr(t, 1, RSTART - 1)
        endpoint = t
    }
    count++
    total += size
    if (count == 1 || size < smin) smin = size
    if (count == 1 || size > smax) smax = size
    codes[status]++
    hosts[host]++
    endpoints[endpoint]++
}
function json(s) {
    gsub(/\\/, "\\\\", s)
    gsub(/"/, "\\\"", s)
    return "\"" s "\""
}
END {
    if (count)
        printf "{\"sink\":\"total_content_size\",\"value\":{\"avg\":%d,\"min\":%d,\"max\":%d,\"count\":%d}}\n", \
            int(total / count), smin, smax, count
    # codes, ascending (three digits: a scan of 0..999 is in order)
    out = ""
    for (c = 0; c <= 999; c++)
        if (c in codes)
            out = out (out == "" ? "" : ",") "[" c "," codes[c] "]"
    print "{\"sink\":\"total_response_codes\",\"value\":[" out "]}"
    out = ""
    for (h in hosts)
        if (hosts[h] > min_hits)
            out = out (out == "" ? "" : ",") json(h)
    print "{\"sink\":\"total_frequent_ips\",\"unordered\":true,\"value\":[" out "]}"
    # top_n by count, ties by endpoint: top_n passes of a selection
    out = ""
    for (k = 0; k < top_n; k++) {
        best = ""; bc = -1
        for (e in endpoints)
            if (!(e in taken) && (endpoints[e] > bc || (endpoints[e] == bc && e < best))) {
                best = e; bc = endpoints[e]
            }
        if (bc < 0) break
        taken[best] = 1
        out = out (out == "" ? "" : ",") "[" json(best) "," bc "]"
    }
    print "{\"sink\":\"total_top_endpoints\",\"value\":[" out "]}"
    print "{\"sink\":\"malformed_lines\",\"value\":" (malformed + 0) "}"
}
