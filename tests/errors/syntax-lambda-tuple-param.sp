source lines = file("access.log")
lines
  | map (it, 1)
  | reduceByKey (a, 1) -> a
  | sink stdout
