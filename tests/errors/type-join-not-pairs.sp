source lines = file("access.log")
source users = file("users.txt")
pairs = lines | map (it, 1)
pairs
  | join users
  | sink stdout
