source lines = stdin
lines | map | sink stdout
lines | map 1, 2 | sink stdout
lines | count 1 | sink stdout
lines | reduce | sink stdout
lines | reduceByWindow sum | sink stdout
lines | map it slide 1s | sink stdout
lines | sortByKey desc desc | sink stdout
lines | top 1 by it by it | sink stdout
lines | reduceByWindow sum, 10s inverse sum inverse sum | sink stdout
lines | union | sink stdout
lines | union lines, lines | sink stdout
lines | join "x" | sink stdout
