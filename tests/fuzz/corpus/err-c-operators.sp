source lines = stdin
lines | filter it == "a" || it == "b" && !(it == "c") | sink stdout
lines | filter it = "a" | sink stdout
lines | map it ; sink stdout
lines map upper | sink stdout
lines | | sink stdout
