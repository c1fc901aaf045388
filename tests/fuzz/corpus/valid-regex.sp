param pat = '^(\d+)-(\d+)$'
source lines = stdin
lines | filter match(it, pat) | map extract(it, pat, 2) | sink stdout
lines | map captures(it, '(?<year>\d{4})-(?<month>\d\d)') | filter ok | map it.year | sink stdout
lines | filter match(it, "a\\.b") | sink stdout
