source lines = file("access.log")
lines
  | map upper(it) filter contains(it, "GET")
  | sink stdout
