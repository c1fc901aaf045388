batch = 10s
source lines = file("access.log")
lines | sink stdout
