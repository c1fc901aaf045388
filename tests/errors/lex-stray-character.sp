source lines = file("access.log")
lines
  | map length(it) @ 2
  | sink stdout
