param big = 9223372036854775808
param huge = 99999999999999999999999999
param flt = 1e999
param tiny = 1e-999
param bad1 = 1.5s
param bad2 = 10x
param bad3 = 10sec
param bad4 = 1e5ms
param long = 106751991167301d
param long2 = 9223372036854775807ms
param neg = -10s
param zero = 0s
param lead = 007
param f = 1.
param g = .5
param e = 1e
param e2 = 1e+
batch 0ms
source lines = stdin
lines | window -5s | sink stdout
lines | window 0s | sink stdout
lines | take 0 | sink stdout
lines | take -1 | sink stdout
lines | top 1.5 | sink stdout
