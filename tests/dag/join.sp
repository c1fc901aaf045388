# Keyed streams combined with join and leftOuterJoin.
source hits = file("hits.log")
source names = file("names.txt")
counts = hits | map (it, 1) | reduceByKey sum
labels = names | map (substr(it, 0, 3), it)
counts | join labels | sink stdout "Known pages"
counts | leftOuterJoin labels | map (_1, _2._1, coalesce(_2._2, "?")) | sink stdout "All pages"
