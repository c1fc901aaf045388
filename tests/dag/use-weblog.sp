# A pipeline using the weblog library: errors per endpoint.
use weblog
batch 2s
source lines = input("-")
access = lines | map parse_access_log | filter ok
errors = access | filter status >= 500
errors
  | map (path, 1)
  | reduceByKeyAndWindow sum, 1m slide 10s
  | top 10 by _2
  | sink stdout "Server errors by path"
access | map (method, size) | reduceByKey sum | sink kafka("bytes-by-method", brokers: "localhost:9092")
