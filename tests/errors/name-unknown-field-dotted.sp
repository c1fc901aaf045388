use weblog
source lines = file("access.log")
access = lines | map parse_access_log | filter ok
access
  | map it.endpiont
  | sink stdout
