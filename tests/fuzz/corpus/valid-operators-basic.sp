source lines = stdin
lines | map length(it) | sink stdout
lines | flatMap split(it, " ") | sink stdout "words"
lines | filter contains(it, "GET") | count | sink stdout
lines | map length | reduce (a, b) -> a + b | sink stdout
lines | countByValue | sink stdout
lines | map upper | map x -> lower(x) | sink stdout
