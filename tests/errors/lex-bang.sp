source lines = file("access.log")
lines
  | filter !contains(it, "robots.txt")
  | sink stdout
