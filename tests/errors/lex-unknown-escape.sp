source lines = file("access.log")
lines
  | filter match(it, "^\d+ ")
  | sink stdout
