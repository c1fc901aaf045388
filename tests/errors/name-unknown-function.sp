source lines = file("access.log")
lines
  | map uper(it)
  | sink stdout
