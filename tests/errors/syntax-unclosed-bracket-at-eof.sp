source lines = file("access.log")
lines
  | flatMap [it, upper(it)
  | sink stdout
