# More open brackets than the scanner tracks (256): the hint must still
# name the bracket.
source lines = file("access.log")
lines | sink stdout "all"
lines | map (((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1 | sink stdout
lines | sink stdout "again"
