source lines = fiel("access.log")
lines | sink stdout
