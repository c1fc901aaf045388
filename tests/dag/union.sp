# Two sources merged into one stream.
source web = file("web.log")
source api = tcp("localhost:9999")
all = web | union api
all | map lower(it) | sink stdout "Both logs"
