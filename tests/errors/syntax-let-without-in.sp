source lines = file("access.log")
lines | sink stdout "all"
lines | map let n = length(it) n * 2 | sink stdout "doubled"
