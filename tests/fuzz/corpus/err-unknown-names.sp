source lines = stdin
lines | map lenght(it) | sink stdout
lines | map nme | sink stdout
lines | mapp upper | sink stdout
lines | sink stdot
lines | stdout
lnes | sink stdout
source x = fille("a")
lines | map it | sink fil("x")
lines | map {name: 1} | map nam | sink stdout
lines | map sum | sink stdout
lines | map it | sink stdout(titl: "x", title: "y", title: "z")
lines | map x -> y | sink stdout
