source lines = file("access.log")
lines
  | flatMap upper(it)
  | sink stdout
