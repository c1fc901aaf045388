fn apply(f, x) = f(x)
fn compose(f, g, x) = f(g(x))
fn total(xs) = fold(xs, 0, (acc, x) -> acc + x)
fn twice(f, x) = f(f(x))
source lines = stdin
lines | map x -> length(x) | sink stdout
lines | map (it, 1) | map (k, v) -> (v, k) | sink stdout
lines | map apply(y -> y + "!", it) | sink stdout
lines | map compose(upper, trim, it) | sink stdout
lines | map split(it, ",") | map xs -> fold(xs, 0, (acc, x) -> acc + to_int(x, 0)) | map to_string | map split(it, "") | map length | sink stdout
lines | map (a -> a * 2)(1) | sink stdout
lines | map ((a, b, c) -> a)((1, 2, 3)) | sink stdout
lines | map twice(s -> s + "!", it) | map total([1, 2]) | sink stdout
