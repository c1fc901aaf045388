source lines = file("access.log")
lines
  | map length(it) -> it + 1
  | sink stdout
