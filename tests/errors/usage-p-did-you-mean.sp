param limit = 10
param window_length = 30s
source lines = file("access.log")
lines | take limit | countByWindow window_length | sink stdout
