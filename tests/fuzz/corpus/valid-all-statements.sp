# every kind of statement
use weblog
use core
param path = "access.log"
param limit = 5
param ratio = 0.25
param verbose = false
param every = 2s
batch 2s
fn double(x) = x * 2
fn pair(k, v) = (k, v)
fn nothing() = null
source lines = file(path, follow: true, format: "text")
parsed = lines | map parse_access_log | filter ok
parsed | map double(size) | take limit | sink stdout "sizes"
parsed
  | map pair(status, 1)
  | reduceByKey sum
  | sink file("/tmp/out.txt", format: "json", title: "codes")
