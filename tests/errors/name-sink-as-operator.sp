source lines = file("access.log")
lines | stdout
