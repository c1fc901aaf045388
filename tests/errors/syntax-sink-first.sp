source lines = file("access.log")
sink stdout lines
