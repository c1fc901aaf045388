# Per-key state across batches: running counts and a custom state function.
source lines = file("access.log")
fn longest(values, state) = fold(values, coalesce(state, ""), (a, b) -> if length(b) > length(a) then b else a)
pairs = lines | map (substr(it, 0, 1), it)
pairs | map (_1, 1) | updateStateByKey running_count | sink stdout "Lines per first letter"
pairs | updateStateByKey longest | sink stdout "Longest line per first letter"
