source lines = stdin
lines | sink stdout