source lines = stdin
lines | map 1 + "a" | sink stdout
lines | map "a" - 1 | sink stdout
lines | map true and 1 | sink stdout
lines | map not 5 | sink stdout
lines | map -"x" | sink stdout
lines | map 1 < "a" | sink stdout
lines | map if 1 then 2 else 3 | sink stdout
lines | map (1, 2)._3 | sink stdout
lines | map {a: 1}.b | sink stdout
lines | map 5.x | sink stdout
lines | map 5[0] | sink stdout
lines | map [1]["a"] | sink stdout
lines | map 1(2) | sink stdout
lines | map fold(1, 0, sum) | sink stdout
lines | flatMap 1 | sink stdout
lines | filter 1 | sink stdout
lines | reduce 1 | sink stdout
lines | reduceByKey sum | sink stdout
lines | map (it, 1) | join lines | sink stdout
lines | map (it, 1) | join 5 | sink stdout
lines | top 3 by [1] | sink stdout
lines | map {a: 1, a: 2} | sink stdout
lines | map 10s % 3 | sink stdout
