source lines = file("access.log")
lines
  | countByWindow 30
  | sink stdout
