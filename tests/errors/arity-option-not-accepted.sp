source lines = file("access.log")
lines
  | window 30s by length(it)
  | sink stdout
