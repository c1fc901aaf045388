source lines = stdin
a = b | map it
b = a | map it
c = c | map it
d = lines | union d
a | sink stdout
e = lines | map (it, 1) | join f
f = e | map it
f | sink stdout
