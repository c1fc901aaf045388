source lines = file("access.log")
lines
  | window 30s slide 10s slide 20s
  | sink stdout
