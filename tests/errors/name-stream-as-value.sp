source lines = file("access.log")
source other = file("other.log")
lines
  | map (it, other)
  | sink stdout
other | sink stdout
