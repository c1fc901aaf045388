source lines = stdin
lines
  # a comment between steps

  | map if length(it) > 3
      then it
      else "short"
  | filter length(it) > 0
      and it != "x"
      or it == "y"
  | map let n = length(it)
      in n * 2
  | map x
      -> x + 1
  | sink stdout
fn rec(s) = {a: {b: s}}
lines | map rec(it)
  .a
  .b
  | sink stdout
lines | map (
    it,
    1
  ) | sink stdout
