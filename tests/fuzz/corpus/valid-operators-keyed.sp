batch 1s
source a = generator(rate: 100, count: 1000, seed: 7)
source b = generator(10, 20)
ka = a | map (substr(it, 0, 3), 1)
kb = b | map (substr(it, 0, 3), length(it))
ka | reduceByKey sum | sink stdout
ka | groupByKey | sink stdout
ka | sortByKey | sink stdout
ka | sortByKey desc | sink stdout
ka | join kb | sink stdout "joined"
ka | leftOuterJoin kb | map (k, v) -> (k, coalesce(v._2, 0)) | sink stdout
ka | union kb | sink stdout
