fn shout(s) = upper(it) + "!"
source lines = file("access.log")
lines | map shout | sink stdout
