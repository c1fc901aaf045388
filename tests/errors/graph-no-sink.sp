source lines = file("access.log")
lines | filter contains(it, "GET")
