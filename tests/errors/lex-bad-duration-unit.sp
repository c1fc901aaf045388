source lines = file("access.log")
lines
  | countByWindow 30sec
  | sink stdout
