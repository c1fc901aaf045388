source lines = stdin
lines| map upper

  | sink stdout
(

lines | sink stdout