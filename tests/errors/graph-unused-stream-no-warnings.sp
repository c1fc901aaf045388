# -W hides the warning about 'posts', not the error
source lines = file("access.log")
posts = lines | filter contains(it, "POST")
lines | map lenght(it) | sink stdout
