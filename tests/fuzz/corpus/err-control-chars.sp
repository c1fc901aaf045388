source lines = stdin
lines[31m | sink stdout
	lines | map "	" | sink stdout
@ $ ` ~ ^ ; ? \
