source lines = stdin
recs = lines | map {name: it, len: length(it), "quoted key": 1, nested: {a: [1, 2, 3], b: (1, "x")}}
recs | map name | sink stdout
recs | map it.nested.a[0] | sink stdout
recs | map it.nested.b._2 | sink stdout
recs | map (len, name) | map _1 + 1 | sink stdout
recs | map {} | sink stdout
recs | map [] | sink stdout
recs | map [[1], [2, 3], []] | sink stdout
recs | map it["name"] | sink stdout
recs | map name[0] | sink stdout
recs | top 5 by len | sink stdout
