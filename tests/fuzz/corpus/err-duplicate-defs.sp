batch 1s
batch 2s
param x = 1
param x = 2
fn x() = 3
fn sum(a, b) = a
source x = stdin
source lines = stdin
lines = lines | map it
lines | sink stdout
