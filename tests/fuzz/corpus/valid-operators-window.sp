batch 5s
param len = 1m
source lines = tcp("localhost:9999")
pairs = lines | map (it, 1)
lines | window 30s | sink stdout
lines | window 30s slide 10s | sink stdout
lines | countByWindow len slide 15s | sink stdout
lines | map length | reduceByWindow sum, 1m slide 20s inverse difference | sink stdout
lines | countByValueAndWindow 10s | sink stdout
pairs | reduceByKeyAndWindow sum, 1h slide 5m inverse (a, b) -> a - b | sink stdout
pairs | reduceByKeyAndWindow largest, 1d | sink stdout
lines | window 5000ms | sink stdout
