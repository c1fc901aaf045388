# logs.sp - real-time analytics of web-server access logs.
#
# The Spark Streaming log-analyzer sample as one pipeline.  Per sliding window
# and cumulatively since the start: content size avg/min/max, response code
# counts, client addresses seen more than `min_hits` times, and the top
# endpoints.
#
#   streampipe run pipelines/logs.sp -p input=access.log
#   streampipe dag pipelines/logs.sp | dot -Tsvg > logs.svg

use weblog

param input = "-"             # a path, "-" for stdin, or a URI (kafka://, tcp://, gen:)
param window_length = 30s     # the sliding window
param slide_interval = 10s    # how often it slides
param min_hits = 10           # "IPAddresses > 10 times"
param top_n = 10              # how many endpoints to list

batch 10s

source lines = input(input)

access = lines | map parse_access_log | filter ok

# Content size: (count, sum, min, max) over the window and since the start.
sizes = access | map stats(size)
sizes
  | reduceByWindow merge_stats, window_length slide slide_interval
  | map stats_summary
  | sink stdout "Content Size Avg/Min/Max (window)"
sizes
  | reduce merge_stats
  | map ("all", it)
  | updateStateByKey running_stats
  | map stats_summary(_2)
  | sink stdout "Content Size Avg/Min/Max"

# Response code counts.
codes = access | map (status, 1)
codes
  | reduceByKeyAndWindow sum, window_length slide slide_interval inverse difference
  | sink stdout "Response code counts (window)"
codes
  | reduceByKey sum
  | updateStateByKey running_sum
  | sink stdout "Response code counts"

# Client addresses seen more than min_hits times.
clients = access | map (host, 1)
clients
  | reduceByKeyAndWindow sum, window_length slide slide_interval
  | filter _2 > min_hits
  | map _1
  | sink stdout "IPAddresses > 10 times (window)"
clients
  | reduceByKey sum
  | updateStateByKey running_sum
  | filter _2 > min_hits
  | map _1
  | sink stdout "IPAddresses > 10 times"

# The most requested endpoints.
endpoints = access | map (endpoint, 1)
endpoints
  | reduceByKeyAndWindow sum, window_length slide slide_interval inverse difference
  | top top_n by _2
  | sink stdout "Top Endpoints (window)"
endpoints
  | reduceByKey sum
  | updateStateByKey running_sum
  | top top_n by _2
  | sink stdout "Top Endpoints"
