source lines = stdin
lines | sink stdout | map it
named = lines | sink stdout
lines | map it
lines | sink stdout "a" "b"
sink stdout
lines | sink
