# One named stream feeding three pipelines.
source lines = stdin
words = lines | flatMap split(it, " ") | filter it != ""
words | count | sink stdout "Words per batch"
words | countByValue | sink stdout "Word counts"
words
  | map (length(it), it)
  | groupByKey
  | sink file("words-by-length.json", format: "json")
