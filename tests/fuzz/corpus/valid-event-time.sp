use weblog
batch 10s
source lines = input("demo")
access = lines | map parse_access_log | filter ok
access
  | window 1m slide 10s on time watermark 30s late stragglers
  | map (status, 1)
  | reduceByKey sum
  | sink stdout("codes", format: "json", final: true)
access | map (host, time) | countByWindow 1m slide 1m on _2 | sink stderr "n"
stragglers | count | sink stdout("late", empty: "none late")
