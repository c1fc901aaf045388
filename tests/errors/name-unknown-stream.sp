source lines = file("access.log")
errors = lines | filter contains(it, " 500 ")
erors | sink stdout
