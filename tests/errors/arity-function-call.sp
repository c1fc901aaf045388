fn between(x, lo, hi) = x >= lo and x <= hi
source lines = file("access.log")
lines
  | filter between(length(it), 10)
  | sink stdout
