use weblog
source lines = file("access.log")
access = lines | map parse_access_log | filter ok
access
  | filter stauts >= 500
  | sink stdout
