source lines = file("access.log")
lines | sink stdout
