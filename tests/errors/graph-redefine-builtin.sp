fn length(s) = 0
source lines = file("access.log")
lines | sink stdout
