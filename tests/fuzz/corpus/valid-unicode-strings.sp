# Unicode in strings and comments: é ü 中文 🚀 ∑
source lines = file("données/журнал.log")
lines | filter contains(it, "café ☕") | map "→ " + it + " ←" | sink stdout "Ünïcödé 🎉 标题"
lines | map replace(it, "ß", "ss") | map {"ключ": it, "名前": 1} | sink stdout
lines | map '正規表現 \p{L}+' | sink stdout
lines | filter match(it, '^\p{Han}+$') | sink stdout "汉字"
