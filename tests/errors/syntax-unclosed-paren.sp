source lines = file("access.log")
lines
  | map (it, length(it)
  | sink stdout
lines | sink stdout
