source lines = file("access.log")
gets = lines | filter contains(it, "GET") | sink stdout
