source lines = file("access.log")
lines
  | filter it != café
  | sink stdout
