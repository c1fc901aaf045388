source lines = file()
lines | sink stdout
