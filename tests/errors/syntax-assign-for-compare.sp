source lines = file("access.log")
lines
  | filter it = "GET /"
  | sink stdout
