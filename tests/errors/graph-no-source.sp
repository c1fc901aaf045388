# only definitions, nothing to read
param limit = 10
fn short(s) = length(s) < limit
