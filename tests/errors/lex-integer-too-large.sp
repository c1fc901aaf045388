source lines = file("access.log")
lines
  | take 99999999999999999999
  | sink stdout
