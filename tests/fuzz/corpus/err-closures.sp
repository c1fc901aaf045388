fn compose(f, g) = x -> f(g(x))
fn konst(a) = b -> a
source lines = stdin
lines | map compose(upper, trim)(it) | sink stdout
lines | map (a -> b -> a)(1)(2) | sink stdout
lines | map konst(1)(2) | sink stdout
