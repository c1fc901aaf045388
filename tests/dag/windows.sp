# Every windowed operator, with and without slide / inverse.
batch 5s
source lines = generator(rate: 100, seed: 42)
pairs = lines | map (substr(it, 0, 1), 1)
lines | window 30s | count | sink stdout "window"
lines | countByWindow 1m slide 10s | sink stdout "countByWindow"
lines | map length(it) | reduceByWindow sum, 20s slide 10s inverse difference | sink stdout "reduceByWindow"
lines | countByValueAndWindow 15s | sink stdout "countByValueAndWindow"
pairs | reduceByKeyAndWindow sum, 1m slide 30s inverse difference | sink stdout "reduceByKeyAndWindow"
pairs | reduceByKeyAndWindow largest, 10s | sink stdout "reduceByKeyAndWindow, no slide"
