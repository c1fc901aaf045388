# Labels that need escaping in DOT: quotes, backslashes, a newline, UTF-8.
source lines = file("C:\\logs\\access.log")
lines
  | filter contains(it, "\"GET ")
  | map replace(it, "\t", "→")
  | sink stdout "Say \"hi\" to C:\\tmp\\\nnow"
