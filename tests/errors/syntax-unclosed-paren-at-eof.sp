source lines = file("access.log")
lines | sink stdout "all"
lines | map (it, 1