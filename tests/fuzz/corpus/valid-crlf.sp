source lines = stdin
batch 1s
lines
  | map upper
  | sink stdout "crlf"
