param follow = false
source lines = file("access.log", follow: follow)
lines | sink stdout
