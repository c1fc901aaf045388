fn f(x) = f(x)
fn g(x) = h(x)
fn h(x) = g(x)
fn k(x) = (y -> k(y))(x)
fn many(a, a, b) = a
fn toomany(a) = a
fn length(x) = 1
source lines = stdin
lines | map f | map g(it) | map toomany(1, 2) | sink stdout
lines | map k(it) | sink stdout
