source lines = file("access.log")
lines | sink stdout "all"
lines
  | map upper(it) filter contains(it, "GET")
  | sink stdout "gets"
