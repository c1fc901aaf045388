source lines = file("access.log")
lines
  | reduceByKey sum
  | sink stdout
