source lines = file("access.log")
lines
  | map (if it == "" then 0 else to_int(it)) + "!"
  | sink stdout
