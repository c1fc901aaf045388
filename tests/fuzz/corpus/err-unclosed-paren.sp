source lines = stdin
lines | map (it, length(it) | sink stdout
lines | map [1, 2 | sink stdout
lines | map {a: 1 | sink stdout
