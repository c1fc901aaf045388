fn is_error(code) = code >= 500 and cdoe < 600
source lines = file("access.log")
lines | sink stdout
