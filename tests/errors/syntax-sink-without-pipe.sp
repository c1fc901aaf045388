source lines = file("access.log")
lines | sink stdout "all"
lines sink stdout
