# bad ÿş bytes
source lines = stdin
lines | map "Ã(  ¡ â(¡ ğ(¼ í €" | sink stdout "øˆ€€€"
lines Ã© | sink stdout
ä¸­ = lines | map it
lines | map 'ÿ' | sink stdout
