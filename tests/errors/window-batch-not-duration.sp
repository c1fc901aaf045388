batch 10
source lines = file("access.log")
lines | sink stdout
