source lines = stdin
lines | map (1, 2) -> 3 | sink stdout
lines | map 1 -> 2 | sink stdout
lines | map (a, b) -> a | sink stdout
lines | map ((a, b), c) -> a | sink stdout
lines | map (a, b, c) -> a | sink stdout
lines | map f.x -> 1 | sink stdout
lines | map a -> b -> c -> a | sink stdout
lines | reduce x -> x | sink stdout
