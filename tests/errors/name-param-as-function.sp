param limit = 10
source lines = file("access.log")
lines | map limit(it) | sink stdout
