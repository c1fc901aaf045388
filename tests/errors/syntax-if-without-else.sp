source lines = file("access.log")
lines | sink stdout "all"
lines
  | map if it == "" then 0
  | sink stdout "lengths"
