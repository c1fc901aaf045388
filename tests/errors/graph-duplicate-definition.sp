source lines = file("access.log")
errors = lines | filter contains(it, " 500 ")
errors = lines | filter contains(it, " 404 ")
errors | sink stdout
