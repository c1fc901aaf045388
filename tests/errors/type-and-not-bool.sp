source lines = file("access.log")
lines
  | filter length(it) and contains(it, "GET")
  | sink stdout
