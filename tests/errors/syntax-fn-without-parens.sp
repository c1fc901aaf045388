fn double x = x * 2
source lines = file("access.log")
lines | sink stdout
