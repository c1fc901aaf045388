source lines = file("access.log")
a = b | map it
b = a | filter it != ""
b | sink stdout
