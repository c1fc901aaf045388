source lines = file("access.log")
lines
  | filter
  | sink stdout
