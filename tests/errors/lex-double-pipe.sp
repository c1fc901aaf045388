source lines = file("access.log")
lines
  | filter contains(it, "GET") || contains(it, "HEAD")
  | sink stdout
