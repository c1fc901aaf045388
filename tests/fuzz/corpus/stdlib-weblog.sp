# weblog.sp - parsers for web-server access logs, written in the pipeline
# language.  Each parser takes one line and returns a record, or null when the
# line is not in the format (count those, route them aside, never drop them
# silently).  Fields:
#   host ident user time method endpoint path protocol status size referer agent
# `endpoint` is the request target as written (path and query), `path` the
# same without the query; `time` is milliseconds since the epoch; `size` is
# the body size, 0 for Apache's '-'.

# The request line: METHOD TARGET [PROTOCOL].  HTTP/0.9 requests have no
# protocol; several spaces may separate the parts.
fn request_part(request, name) =
  extract(request, '^(\S+) +(.*?)(?: +(HTTP/\S*|\S+/\d\S*))? *$', name)

fn path_of(target) = coalesce(extract(target, '^([^?]*)', 1), target)

fn size_of(text) = if text == "-" then 0 else to_int(text, 0)

fn access_record(m) =
  if m == null then null
  else {
    host: m.host,
    ident: m.ident,
    user: m.user,
    time: parse_time(m.time, "%d/%b/%Y:%H:%M:%S %z"),
    method: coalesce(request_part(m.request, 1), ""),
    endpoint: coalesce(request_part(m.request, 2), m.request),
    path: path_of(coalesce(request_part(m.request, 2), m.request)),
    protocol: coalesce(request_part(m.request, 3), ""),
    status: to_int(m.status, 0),
    size: size_of(m.size),
    referer: coalesce(m.referer, ""),
    agent: coalesce(m.agent, "")
  }

# NCSA common log format: %h %l %u %t "%r" %>s %b
fn parse_common(line) =
  access_record(captures(line,
    '^(?<host>\S+) (?<ident>\S+) (?<user>\S+) \[(?<time>[^\]]+)\] "(?<request>(?:[^"\\]|\\.)*)" (?<status>\d{3}) (?<size>\d+|-)\s*$'))

# Combined: common plus "%{Referer}i" "%{User-agent}i" (nginx's default too).
fn parse_combined(line) =
  access_record(captures(line,
    '^(?<host>\S+) (?<ident>\S+) (?<user>\S+) \[(?<time>[^\]]+)\] "(?<request>(?:[^"\\]|\\.)*)" (?<status>\d{3}) (?<size>\d+|-) "(?<referer>(?:[^"\\]|\\.)*)" "(?<agent>(?:[^"\\]|\\.)*)"'))

# Either of the two, whichever the line is.
fn parse_access_log(line) = coalesce(parse_combined(line), parse_common(line))
