source = file("access.log")
