source lines = file("access.log")
lines | sink stdout "all"
sink stdout lines
