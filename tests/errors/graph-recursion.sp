fn countdown(n) = if n <= 0 then 0 else countdown(n - 1)
source lines = file("access.log")
lines | map countdown(length(it)) | sink stdout
