source lines = file("access.log")
lines
  | filter match(it, '^(GET|POST')
  | sink stdout
