# weblog.sp - parsers for web-server access logs, written in the pipeline
# language.  Each parser takes one line and returns a record, or null when the
# line is not in the format (count those, route them aside, never drop them
# silently).  Every parser returns records of the same shape:
#   host ident user time method endpoint path protocol status size referer
#   agent vhost port duration_us
# `endpoint` is the request target as written (path and query), `path` the
# same without the query; `time` is milliseconds since the epoch (null when
# the timestamp cannot be read: the line still counts); `size` is the body
# size, 0 for Apache's '-'.  Quoted fields are returned as written: Apache's
# \" and \\ escapes and nginx's \xHH are not undone.  A field that the format
# does not have is "" (strings), 0 (status, size, port) or null (time,
# duration_us).  docs/language.md, section 17, documents them.

# ---- the request line ---------------------------------------------------

# The request line: METHOD TARGET [PROTOCOL].  HTTP/0.9 requests have no
# protocol; several spaces may separate the parts; the protocol is anything
# like HTTP/1.1, HTTP/V1.0 or RTSP/1.0.  Null when the request is not of that
# shape ("-", "", a single word).
fn split_request(request) =
  captures(request, '^ *(?<method>\S+) +(?<target>.*?)(?: +(?<protocol>HTTP/\S*|\S+/\d\S*))? *$')

# Group `name` (1 or "method", 2 or "target", 3 or "protocol") of a request line.
fn request_part(request, name) =
  extract(request, '^ *(?<method>\S+) +(?<target>.*?)(?: +(?<protocol>HTTP/\S*|\S+/\d\S*))? *$', name)

fn path_of(target) = coalesce(extract(target, '^([^?]*)', 1), target)

fn size_of(text) = if text == "-" then 0 else to_int(text, 0)

# ---- times --------------------------------------------------------------

# Apache's %t, without its brackets: 10/Oct/2000:13:55:36 -0700.  Also read:
# a blank instead of the ':' before the hour, and no zone (taken as UTC), as
# written by Python's http.server and others.
fn time_of(text) =
  let t = parse_time(text, "%d/%b/%Y:%H:%M:%S %z") in
  if t != null then t
  else coalesce(parse_time(text, "%d/%b/%Y %H:%M:%S %z"), parse_time(text, "%d/%b/%Y:%H:%M:%S"),
                parse_time(text, "%d/%b/%Y %H:%M:%S"))

# The time of a %{arg}t directive (arg null: %t).  sec, msec and usec are
# numbers since the epoch; anything else is a strftime format for parse_time
# (begin: and end: prefixes are ignored).
fn time_in(text, arg) =
  if arg == null then time_of(text)
  else let f = coalesce(extract(arg, '^(?:begin:|end:)?(.*)$'), arg) in
    if f == "" then time_of(text)
    else if f == "sec" then parse_time(text, "%s")
    else if f == "msec" then to_int(text)
    else if f == "usec" then to_int(text) / 1000
    else parse_time(text, f)

# ---- records ------------------------------------------------------------

# Do the numbers among the named groups `m` fit in an int (64 bits)?  A size,
# port or duration too big for one (a size of 99999999999999999999999) makes
# the line malformed: it is not read as 0, nor wrapped, nor saturated.
fn numbers_fit(m) =
  (m.size == null or m.size == "-" or to_int(m.size) != null)
  and (m.port == null or to_int(m.port) != null)
  and (m.duration == null or to_int(m.duration) != null)
  and (m.duration_ms == null or to_int(m.duration_ms, 9223372036854775807) <= 9223372036854775)
  and (m.duration_s == null or to_int(m.duration_s, 9223372036854775807) <= 9223372036854)

# The record built from the named groups `m` of a match (null gives null),
# the time being read as %{time_arg}t (null: %t).  Groups: host ident user
# time request (or method upath query proto) status size referer agent vhost
# port duration (µs) duration_ms duration_s; any may be missing.  ("" + x
# gives the checker the type string for a group's text.)
fn web_record(m, time_arg) =
  if m == null or not numbers_fit(m) then null
  else let r = split_request(m.request) in
    let endpoint = "" + coalesce(r.target, if m.upath != null then m.upath + coalesce(m.query, "") else null,
                                 m.request, "") in
    {
      host: "" + coalesce(m.host, ""),
      ident: "" + coalesce(m.ident, ""),
      user: "" + coalesce(m.user, ""),
      time: time_in(m.time, time_arg),
      method: "" + coalesce(m.method, r.method, ""),
      endpoint: endpoint,
      path: "" + coalesce(m.upath, path_of(endpoint)),
      protocol: "" + coalesce(m.proto, r.protocol, ""),
      status: to_int(m.status, 0),
      size: size_of(m.size),
      referer: "" + coalesce(m.referer, ""),
      agent: "" + coalesce(m.agent, ""),
      vhost: "" + coalesce(m.vhost, ""),
      port: to_int(m.port, 0),
      duration_us: coalesce(to_int(m.duration), to_int(m.duration_ms) * 1000, to_int(m.duration_s) * 1000000)
    }

fn access_record(m) = web_record(m, null)

# ---- the fixed formats --------------------------------------------------
# Fields may be separated by several blanks.  A quoted field is "..." where
# \" and \\ may appear.  The patterns are written out in full (not built
# from pieces) so that they are compiled once, when the pipeline is checked.
# The quoted contents and the extra fields are matched possessively (*+, ++):
# they can be read in one way only, and without it a field of a few thousand
# bytes (a long URL) exhausts PCRE2's JIT stack and the match fails.

# NCSA common log format: %h %l %u %t "%r" %>s %b
fn match_common(line) =
  captures(line,
    '^(?<host>\S+) +(?<ident>\S+) +(?<user>\S+) +\[(?<time>[^\]]+)\] +"(?<request>(?:[^"\\]++|\\.)*+)" +(?<status>\d{3}) +(?<size>\d+|-)\s*$')

# Combined: common plus "%{Referer}i" "%{User-agent}i" (nginx's default too),
# then any extra fields, quoted or not (nginx's "$http_x_forwarded_for", a
# %D): a quote must still close every quoted field.
fn match_combined(line) =
  captures(line,
    '^(?<host>\S+) +(?<ident>\S+) +(?<user>\S+) +\[(?<time>[^\]]+)\] +"(?<request>(?:[^"\\]++|\\.)*+)" +(?<status>\d{3}) +(?<size>\d+|-) +"(?<referer>(?:[^"\\]++|\\.)*+)" +"(?<agent>(?:[^"\\]++|\\.)*+)"(?: +(?:"(?:[^"\\]++|\\.)*+"|[^\s"]++))*+\s*$')

# Apache's vhost_combined: %v:%p %h %l %u %t "%r" %>s %O "%{Referer}i"
# "%{User-Agent}i".  The :%p may be missing (%v alone), and so may the
# referer and agent (vhost_common); extra fields as in combined.  A server
# name has no comma: "a, b - - [...]" is a list of addresses, not a vhost.
fn match_vhost_combined(line) =
  captures(line,
    '^(?<vhost>[^\s,]+?)(?::(?<port>\d+))? +(?<host>\S+) +(?<ident>\S+) +(?<user>\S+) +\[(?<time>[^\]]+)\] +"(?<request>(?:[^"\\]++|\\.)*+)" +(?<status>\d{3}) +(?<size>\d+|-)(?: +"(?<referer>(?:[^"\\]++|\\.)*+)" +"(?<agent>(?:[^"\\]++|\\.)*+)"(?: +(?:"(?:[^"\\]++|\\.)*+"|[^\s"]++))*+)?\s*$')

# The language versions of the parsers below: the reference they are tested
# against (tests/run_weblog_native.sh), and the readable definition of what
# they accept.
fn parse_common_re(line) = access_record(match_common(line))

fn parse_combined_re(line) = access_record(match_combined(line))

fn parse_vhost_combined_re(line) = access_record(match_vhost_combined(line))

# Any of the three, whichever the line is.  They cannot be confused: common
# and combined have three fields before the [time], vhost_combined four, and
# combined has the quoted referer and agent after the size.
fn parse_access_log_re(line) =
  let c = match_combined(line) in
  access_record(if c != null then c
                else let n = match_common(line) in
                  if n != null then n else match_vhost_combined(line))

# ---- the parsers ----------------------------------------------------------
# The same, native: scan_access_log (src/weblog.c) reads a line in one pass
# and gives exactly the record of the _re version, ten times faster.

fn parse_common(line) = scan_access_log(line, "common")

fn parse_combined(line) = scan_access_log(line, "combined")

fn parse_vhost_combined(line) = scan_access_log(line, "vhost_combined")

fn parse_access_log(line) = scan_access_log(line, "any")

# ---- Apache LogFormat strings -------------------------------------------
# logformat_regex(fmt) turns a LogFormat string into a regular expression
# with the named groups web_record reads; parse_logformat(line, fmt) parses a
# line with it.  The regex is built again for every line (it is cheap) and
# compiled once: the evaluator keeps the last run-time pattern.

# The config file's escapes: \" is a quote, \t a tab.
fn lf_unescape(fmt) = replace(replace(fmt, '\"', '"'), '\t', "\t")

# Literal text: regex metacharacters escaped; a blank matches several.
fn lf_literal(text) =
  replace(fold(['\', '.', '^', '$', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}'], text,
               (s, c) -> replace(s, c, '\' + c)),
          " ", " +")

# A named group, or a plain one when the name is already used (only the
# first %h, %t, ... of a format is read).
fn lf_group(re, name, body) =
  if contains(re, "(?<" + name + ">") then "(?:" + body + ")"
  else "(?<" + name + ">" + body + ")"

# The pattern of directive %{arg}letter, given the pattern so far; `quoted`:
# the directive is alone between double quotes, where its text can be read
# possessively (see the fixed formats above).
fn lf_directive(re, letter, arg, quoted) =
  let q = if quoted then '(?:[^"\\]++|\\.)*+' else '(?:[^"\\]|\\.)*' in
  let header = lower(coalesce(arg, "")) in
  if letter == "h" or letter == "a" then lf_group(re, "host", '\S+')
  else if letter == "l" then lf_group(re, "ident", '\S+')
  else if letter == "u" then lf_group(re, "user", '\S+')
  else if letter == "t" then
    (if arg == null then '\[' + lf_group(re, "time", '[^\]]+') + '\]'
     else if match(arg, '(?:^|:)[mu]sec_frac$') then '\d+'
     else if match(arg, '(?:^|:)[mu]?sec$') then lf_group(re, "time", '\d+')
     else lf_group(re, "time", '.+?'))
  else if letter == "r" then lf_group(re, "request", q)
  else if letter == "s" then lf_group(re, "status", '\d{3}')
  else if letter == "b" or letter == "B" or letter == "O" then lf_group(re, "size", '\d+|-')
  else if letter == "D" then lf_group(re, "duration", '\d+')
  else if letter == "T" then
    (if header == "ms" then lf_group(re, "duration_ms", '\d+')
     else if header == "us" then lf_group(re, "duration", '\d+')
     else lf_group(re, "duration_s", '\d+'))
  else if letter == "v" or letter == "V" then lf_group(re, "vhost", '\S+?')
  else if letter == "p" then
    (if header == "remote" then '(?:\d+|-)' else lf_group(re, "port", '\d+'))
  else if letter == "U" then lf_group(re, "upath", '(?:[^"\\?]|\\.)*?')
  else if letter == "q" then lf_group(re, "query", '(?:\?(?:[^"\\]|\\.)*?)?')
  else if letter == "m" then lf_group(re, "method", '[^\s"]+')
  else if letter == "H" then lf_group(re, "proto", '[^\s"]+')
  else if letter == "i" and header == "referer" then lf_group(re, "referer", q)
  else if letter == "i" and header == "user-agent" then lf_group(re, "agent", q)
  else '(?:[^"\\]|\\.)*?'

# One piece of the format split at '%'.  mode 0: the piece is literal text
# (the start, or after %%); mode 1: it starts with a directive.
fn lf_step(acc, piece) =
  if acc.mode == 0 then {re: acc.re + lf_literal(piece), mode: 1}
  else if piece == "" then {re: acc.re + "%", mode: 0}
  else let d = captures(piece, '(?s)^(?<mods>[!\d,<>]*)(?:\{(?<arg>[^}]*)\})?(?<letter>[A-Za-z])(?<rest>.*)$') in
    if d == null then {re: acc.re + lf_literal("%" + piece), mode: 1}
    else let chunk = lf_directive(acc.re, d.letter, d.arg, ends_with(acc.re, '"') and starts_with(d.rest, '"')) in
      {re: acc.re + (if match(d.mods, '\d') then "(?:" + chunk + "|-)" else chunk) + lf_literal(d.rest), mode: 1}

# A %{...}t whose strftime format has '%' in it would be cut by the split:
# its argument is emptied first (the time is then read with the original
# argument, see lf_time_param).  Up to three such directives.
fn lf_protect(fmt) =
  let p = extract(fmt, '%[!\d,<>]*\{([^}]*%[^}]*)\}t') in
  if p == null then fmt else replace(fmt, "{" + p + "}t", "{}t")

fn logformat_regex(fmt) =
  "^" + fold(split(lf_protect(lf_protect(lf_protect(lf_unescape(fmt)))), "%"), {re: "", mode: 0}, lf_step).re + '\s*$'

# The argument of the format's first time directive (null for %t or none).
fn lf_time_param(fmt) =
  extract(lf_unescape(fmt), '%[!\d,<>]*(?:\{(?!(?:begin:|end:)?[mu]sec_frac\})([^}]*)\})?t')

fn parse_logformat(line, fmt) = web_record(captures(line, logformat_regex(fmt)), lf_time_param(fmt))
