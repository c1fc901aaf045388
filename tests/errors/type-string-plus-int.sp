source lines = file("access.log")
lines
  | map "length: " + length(it)
  | sink stdout
