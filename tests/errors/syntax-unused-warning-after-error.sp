# The only pipeline reading 'lines' has a syntax error; 'lines' is read
# there, so no "never read" warning should follow the error.
source lines = file("access.log")
lines | filter it = "GET /" | sink stdout
