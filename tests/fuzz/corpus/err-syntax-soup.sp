= = =
| | |
source = stdin
source lines stdin
param = 1
fn (x) = x
fn f x = x
fn f(x, ) = x
fn f(1) = x
use
use 1
batch
let x = 1 in x
if then else
lines | map it.1 | sink stdout
lines | map it. | sink stdout
lines | map f(,) | sink stdout
lines | map {1: 2} | sink stdout
lines | map (,) | sink stdout
lines | map [,] | sink stdout
) ] }
