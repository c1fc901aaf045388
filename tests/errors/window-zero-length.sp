source lines = file("access.log")
lines
  | window 0s
  | sink stdout
