batch 10s
source lines = file("access.log")
lines
  | window 1m slide 15s
  | sink stdout
