batch 1.5s
source lines = file("access.log")
lines | sink stdout
