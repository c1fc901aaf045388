source lines = stdin
lines | map "\q \x \xZZ \x4 \u00e9 \a" | sink stdout
lines | map "\x" | sink stdout
lines | map "\xg0\x0g" | sink stdout
