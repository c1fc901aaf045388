source lines = file("access.log")
lines | map substr(it, start: 0) | sink stdout
