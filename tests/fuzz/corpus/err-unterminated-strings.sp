source lines = stdin
lines | map "never closed | sink stdout
lines | map 'also never | sink stdout
lines | map "ends in backslash\
lines | sink stdout "ok"
lines | map "\
