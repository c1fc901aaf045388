# logs.sp - real-time analytics of web-server access logs.
#
# The Spark Streaming log-analyzer sample as one pipeline.  Per sliding window
# and cumulatively since the start: content size avg/min/max/count, response
# code counts, client addresses seen more than `min_hits` times, and the top
# endpoints; plus the number of lines that are not access-log lines.
#
#   streampipe run pipelines/logs.sp                       # generated traffic through Kafka (embedded broker)
#   streampipe run pipelines/logs.sp -p input=access.log   # a file ("-": stdin)
#   streampipe run pipelines/logs.sp -p input='kafka://localhost:9092/weblogs?group=logs'
#   streampipe run pipelines/logs.sp -p input='kafka://HOST:9092/weblogs?from=earliest&until=end'
#   streampipe run pipelines/logs.sp -p format=json        # JSON lines
#   streampipe dag pipelines/logs.sp | dot -Tsvg > logs.svg

use weblog

param input = "demo"          # demo (generated lines through Kafka), a path, "-", gen:?count=N, kafka://BROKERS/TOPIC?group=G
param format = "text"         # text (like the Spark sample) or json
param window_length = 30s     # the sliding window
param slide_interval = 10s    # how often it slides
param min_hits = 10           # "IPAddresses > 10 times"
param top_n = 10              # how many endpoints to list

batch 10s

source lines = input(input)

# Each line with its parse; null when it is not an access-log line.
parsed = lines | map (it, parse_access_log(it))
access = parsed | filter _2 != null | map _2
malformed = parsed | filter _2 == null | map _1

# Content size: (count, sum, min, max), over the window and since the start.
sizes = access | map stats(size)
sizes
  | reduceByWindow merge_stats, window_length slide slide_interval
  | map stats_summary
  | sink stdout("Content Size", name: "content_size", format: format,
                empty: "No access logs in this time interval")
sizes
  | reduce merge_stats
  | map ("all", it)
  | updateStateByKey running_stats
  | map _2
  | reduce merge_stats
  | map stats_summary
  | sink stdout("Total Content Size", name: "total_content_size", format: format)

# Response code counts.
codes = access | map (status, 1)
codes
  | reduceByKeyAndWindow sum, window_length slide slide_interval inverse difference
  | sink stdout("Response code counts", name: "response_codes", format: format)
codes
  | reduceByKey sum
  | updateStateByKey running_sum
  | sink stdout("Total response code counts", name: "total_response_codes", format: format)

# Client addresses seen more than min_hits times.
clients = access | map (host, 1)
clients
  | reduceByKeyAndWindow sum, window_length slide slide_interval inverse difference
  | filter _2 > min_hits
  | map _1
  | sink stdout("IPAddresses > 10 times", name: "frequent_ips", format: format)
clients
  | reduceByKey sum
  | updateStateByKey running_sum
  | filter _2 > min_hits
  | map _1
  | sink stdout("Total IPAddresses > 10 times", name: "total_frequent_ips", format: format)

# The most requested endpoints; ties broken by endpoint.
endpoints = access | map (endpoint, 1)
endpoints
  | reduceByKeyAndWindow sum, window_length slide slide_interval inverse difference
  | top top_n by _2
  | sink stdout("Top Endpoints", name: "top_endpoints", format: format)
endpoints
  | reduceByKey sum
  | updateStateByKey running_sum
  | top top_n by _2
  | sink stdout("Total Top Endpoints", name: "total_top_endpoints", format: format)

# Lines that are not access-log lines, counted since the start; the total is
# also said on standard error when the run ends.
malformed_total = malformed
  | count
  | map ("malformed", it)
  | updateStateByKey running_sum
  | map _2
  | reduce sum
malformed_total | sink stdout("Malformed lines", name: "malformed_lines", format: format)
malformed_total | sink stderr("Malformed lines", final: true)
