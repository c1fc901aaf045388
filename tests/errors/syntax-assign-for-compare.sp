source lines = file("access.log")
lines | sink stdout "all"
lines
  | filter it = "GET /"
  | sink stdout "root"
