source lines = file("access.log")
lines
  | take 5, 10
  | sink stdout
