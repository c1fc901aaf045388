source lines = file("access.log")
lines
  | filter length(it) > 10 && length(it) < 100
  | sink stdout
