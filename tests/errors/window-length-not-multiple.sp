batch 10s
source lines = file("access.log")
lines
  | countByWindow 25s
  | sink stdout
