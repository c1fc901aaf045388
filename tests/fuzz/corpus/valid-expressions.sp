source lines = stdin
nums = lines | map to_int(it, 0)
nums | map it + 1 - 2 * 3 / 4 % 5 | sink stdout
nums | map -it + -(-it) | sink stdout
nums | filter it == 1 or it != 2 and not (it < 3) | sink stdout
nums | filter it <= 4 and it > 5 or it >= 6 | sink stdout
nums | map if it > 0 then "pos" else if it < 0 then "neg" else "zero" | sink stdout
nums | map let x = it * 2 in let y = x + 1 in (x, y) | sink stdout
nums | map 10s + 5s | sink stdout
nums | map 10s * 3 | sink stdout
nums | map 10s / 2s | sink stdout
nums | map 1.5 + it | sink stdout
nums | map "a" + to_string(it) | sink stdout
nums | map [1, 2] + [3] | sink stdout
