# Ranking: top by an expression, take, and sortByKey in both orders.
param n = 5
source lines = file("access.log")
counts = lines | map (it, 1) | reduceByKey sum
counts | top n by _2 | sink stdout "Top lines"
counts | take 3 | sink stdout "Any three"
counts | sortByKey desc | sink stdout "Descending"
counts | sortByKey | reduce (a, b) -> if a._2 > b._2 then a else b | sink stdout "Most frequent"
