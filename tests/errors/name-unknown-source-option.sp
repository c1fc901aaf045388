source lines = file("access.log", folow: true)
lines | sink stdout
