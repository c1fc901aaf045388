source lines = file("access.log")
lines
  | top 2.5
  | sink stdout
