source lines = file("access.log")
lines
  | filter length(it)
  | sink stdout
