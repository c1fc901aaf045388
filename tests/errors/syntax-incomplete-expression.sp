source lines = file("access.log")
lines | sink stdout "all"
lines | map length(it) + | sink stdout "lengths"
