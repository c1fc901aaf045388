use ../stdlib/core
use /etc/passwd
use .
source lines = stdin
lines | sink stdout
