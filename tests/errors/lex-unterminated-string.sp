source lines = file("access.log")
lines | sink stdout "all"
lines
  | filter contains(it, "GET /index.html)
  | sink stdout "index"
