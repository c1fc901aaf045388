param p = '(unclosed'
source lines = stdin
lines | filter match(it, '[z-a]') | sink stdout
lines | map extract(it, p) | sink stdout
lines | map captures(it, '(?<n>a)(?<n>b)') | sink stdout
lines | filter match(it, "\xff\xfe") | sink stdout
lines | filter match(it, '\') | sink stdout
lines | filter match(it, -'x') | sink stdout
