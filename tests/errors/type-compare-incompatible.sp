source lines = file("access.log")
lines
  | filter length(it) > "100"
  | sink stdout
