# The simplest shape: one source, a few operators, one sink.
source lines = file("access.log")
lines
  | filter contains(it, " 500 ")
  | map upper(it)
  | flatMap split(it, " ")
  | sink stdout "Words of server errors"
