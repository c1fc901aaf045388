batch 10s
source lines = file("access.log")
batch 5s
lines | sink stdout
