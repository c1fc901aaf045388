source lines = file("access.log")
lines
  | map (it, 1)
  | map it.count
  | sink stdout
