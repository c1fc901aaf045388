source lines = file("access.log")
lines
  | count it
  | sink stdout
