source lines = file("access.log")
lines | filter it = "x" | sink stdout
lines | map (it, | sink stdout
lines | take 3 4 | sink stdout
lines | sink stdout
