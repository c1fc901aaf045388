source lines = file("access.log")
lines | map it | sink stdout
