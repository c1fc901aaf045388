source lines = input("gen:")
counts = lines | map (it, 1) | updateStateByKey running_sum
counts | top 10 by _2 | sink stdout
counts | top 3 by -_2 | sink stdout
counts | take 1 | sink stdout
lines | map (it, 1) | updateStateByKey (vs, s) -> coalesce(s, 0) + length(vs) | sink stdout
lines | map (it, 1.5) | updateStateByKey running_count | sink kafka("out", brokers: "localhost:9092", key: "k", format: "json")
