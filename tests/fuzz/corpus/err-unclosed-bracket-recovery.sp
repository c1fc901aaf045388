source lines = stdin
x = lines | map f(it, [1, {a: (2
lines | sink stdout
fn g(a = a
y = lines | map )]}
lines | map (( ]] }} | sink stdout
