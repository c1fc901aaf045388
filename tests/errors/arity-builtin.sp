source lines = file("access.log")
lines
  | map substr(it)
  | sink stdout
