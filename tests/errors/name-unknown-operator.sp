source lines = file("access.log")
lines
  | fliter contains(it, "GET")
  | sink stdout
