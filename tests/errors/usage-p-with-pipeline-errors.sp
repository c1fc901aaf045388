# A bad -p makes the exit status 2 (bad usage), even with errors in the file.
param limit = 10
source lines = file("access.log")
lines | map uper(it) | take limit | sink stdout
