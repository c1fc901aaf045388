param limit = 10 * 60
source lines = file("access.log")
lines | take limit | sink stdout
